// `npm run bench` with a tiny iteration count: the report has both modes' tables with the null,
// floor, native and attributegen rows, the footprint (memory per route, configure time, module
// sections) and every issue-14 target with its status. No time is asserted: only structure, and
// facts that do not depend on the machine (host calls per request, module sizes, page arithmetic).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dataByKind, moduleSizes } from '../../bench/module-sections.ts';
import { benchOptions, BenchUsageError } from '../../bench/options.ts';
import { runBench, type BenchReport } from '../../bench/run.ts';
import { RELEASE_WASM } from '../support/filter.ts';

const built = existsSync(RELEASE_WASM);

const ROWS = ['null filter', 'floor', 'native 10 routes', 'native 10000 routes', 'attributegen 10 conditions', 'attributegen 100 conditions'];

const TARGETS = [
  'compute mode: native vs floor, net of null (worst route count)',
  'compute mode: attributegen 10 conditions vs floor, net of null',
  'compute mode: native 10,000 routes vs 10 routes, net of null',
  'host mode: native vs floor, net of null (worst route count)',
  'host mode: attributegen 10 conditions vs floor, net of null',
  'host mode: native 10,000 routes vs 10 routes, net of null',
  'memory per route (10,000 native routes, fresh VM)',
  'configure 10,000 native routes',
  'release .wasm size',
  'release .wasm size, the aim',
];

/** LEB128 length of n (section header size field). */
const lebLength = (n: number) => Math.max(1, Math.ceil(Math.log2(n + 1) / 7));

describe('bench report', { skip: built ? false : 'build/route-metrics.wasm not built' }, () => {
  let dir: string;
  let report: BenchReport;
  const lines: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    report = await runBench({
      modes: ['compute', 'host'], warmup: 5, runs: 1, perRun: 20, memoryRequests: 10, sizes: [10, 10000],
      footprintRoutes: 10000, configureRuns: 1, extras: false, outDir: dir + '/', log: (l) => lines.push(l),
    });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  test('both modes have the null, floor, native and attributegen rows', () => {
    for (const mode of ['compute', 'host'] as const) {
      assert.deepEqual(report.results[mode]!.map((m) => m.name), ROWS, mode);
      for (const m of report.results[mode]!) assert.ok(m.wallNsPerRequest > 0 && m.runsNs.length === 1 && m.runsWallNs.length === 1, `${mode} ${m.name}`);
    }
    assert.match(report.markdown, /## Compute mode/);
    assert.match(report.markdown, /## Host mode/);
    for (const name of ROWS) assert.equal(report.markdown.split(`| ${name} |`).length - 1, 2, `${name}: one row per mode`);
  });

  test('the compute mode answers exactly the host calls the simulated Envoy answers', () => {
    const host = report.results.host!;
    const compute = report.results.compute!;
    for (const m of compute) {
      const h = host.find((x) => x.name === m.name)!;
      assert.deepEqual(m.hostCallsPerRequest, h.hostCallsPerRequest, m.name);
    }
    assert.deepEqual(compute.find((m) => m.kind === 'null')!.hostCallsPerRequest, {});
    assert.deepEqual(compute.find((m) => m.kind === 'floor')!.hostCallsPerRequest, {
      proxy_set_property: 1, proxy_get_property: 2, proxy_get_header_map_value: 2, proxy_increment_metric: 1, proxy_record_metric: 1,
    });
  });

  test('footprint: memory per route from the pages, configure time, module sections that add up', () => {
    const fp = report.footprint;
    assert.equal(fp.routes, 10000);
    assert.equal(fp.bytesPerRoute, (fp.pages * 65536) / 10000);
    assert.ok(fp.pages > fp.emptyPages, `${fp.pages} pages vs ${fp.emptyPages} for no routes`);
    assert.ok(fp.configureMs > 0);
    const bytes = readFileSync(RELEASE_WASM);
    assert.equal(fp.wasmBytes, statSync(RELEASE_WASM).size);
    assert.deepEqual(fp.module, moduleSizes(bytes));
    const headers = fp.module.sections.reduce((n, s) => n + 1 + lebLength(s.bytes) + s.bytes, 8);
    assert.equal(headers, fp.wasmBytes, 'sections cover the whole module');
    assert.ok(fp.module.code > 0 && fp.module.data > 0 && fp.module.functions > 0);
    const d = dataByKind(bytes);
    const attributed = d.strings.fileBytes + d.buffers.fileBytes + d.other.fileBytes + d.raw.fileBytes + d.unattributed;
    assert.equal(attributed + lebLength(fp.module.dataSegments), fp.module.data, 'every data segment is attributed once');
    // The release build keeps its string literals as one UTF-8 table (raw memory.data), so the
    // few static UTF-16 strings left (literals the table would not make smaller) weigh less than it.
    assert.ok(d.strings.objects > 0, `${d.strings.objects} strings`);
    assert.ok(d.raw.payloadBytes > d.strings.payloadBytes, `raw ${d.raw.payloadBytes} B vs UTF-16 strings ${d.strings.payloadBytes} B`);
    for (const row of ['memory per route |', 'configure 10,000 routes', 'code section', 'data section', '| strings (UTF-16']) assert.ok(report.markdown.includes(row), row);
  });

  test('every issue-14 target is shown with its status', () => {
    assert.deepEqual(report.targets.slice(0, TARGETS.length).map((t) => t.name), TARGETS);
    for (const t of report.targets) {
      assert.equal(typeof t.ok, 'boolean', t.name);
      const row = report.markdown.split('\n').find((l) => l.startsWith(`| ${t.name} |`));
      assert.ok(row, t.name);
      assert.ok(row.endsWith(t.ok ? '| met |' : '| **not met** |'), row);
    }
    // The size targets are facts of the build, not of the machine.
    const size = report.targets.find((t) => t.name === 'release .wasm size')!;
    assert.equal(size.ok, statSync(RELEASE_WASM).size <= 100 * 1024);
  });

  test('writes the JSON, Markdown and both charts', () => {
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    assert.deepEqual(Object.keys(json.results).sort(), ['compute', 'host']);
    assert.equal(readFileSync(join(dir, 'results.md'), 'utf8'), report.markdown);
    assert.match(readFileSync(join(dir, 'chart.svg'), 'utf8'), /host mode/);
    assert.match(readFileSync(join(dir, 'chart-compute.svg'), 'utf8'), /compute mode/);
    assert.ok(lines.some((l) => l.includes('extra cases') && l.includes('skipped')));
  });
});

describe('bench options', () => {
  test('--mode and --quick over BENCH_* over defaults', () => {
    const d = benchOptions([], {});
    assert.deepEqual(d.modes, ['host', 'compute']);
    assert.equal(d.quick, false);
    assert.equal(d.extras, true);
    assert.deepEqual(d.sizes, [10, 100, 1000, 10000]);
    const q = benchOptions(['--mode', 'compute', '--quick'], {});
    assert.deepEqual(q.modes, ['compute']);
    assert.ok(q.quick && !q.extras && q.runs < d.runs && q.perRun < d.perRun);
    assert.deepEqual(benchOptions(['--mode=host'], { BENCH_MODE: 'compute' }).modes, ['host']);
    assert.deepEqual(benchOptions([], { BENCH_MODE: 'compute', BENCH_RUNS: '2', BENCH_QUICK: '1' }).runs, 2);
  });

  test('an unknown mode or argument is a usage error', () => {
    assert.throws(() => benchOptions(['--mode', 'fast'], {}), BenchUsageError);
    assert.throws(() => benchOptions(['--fast'], {}), /unknown argument "--fast"/);
    assert.throws(() => benchOptions([], { BENCH_RUNS: 'many' }), /BENCH_RUNS/);
  });
});
