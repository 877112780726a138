// Long paths (`npm run bench`, after the per-request cases): linear memory for 64 KiB and 1 MiB
// paths, and ns/request for 64 KiB paths against the same requests with normal paths, for the
// native and attributegen forms and the floor filter. Memory: pages after configure (baseline),
// after a first phase of long-path streams (peak: linear memory never shrinks) and after a second
// identical phase (steady: any growth there would be unbounded). Writes build/bench/long-paths.{json,md}.
// Sizes: BENCH_LONG_RUNS (default 5), BENCH_LONG_PER_RUN (default 400 requests per run).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy } from '../host/index.ts';
import type { CompiledFilter } from '../host/index.ts';
import { attributegenWorkload, floorWorkload, nativeWorkload, type RequestSpec, type Workload } from './workloads.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const PAGE = 64 * KiB;
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/** The request with its path padded to `bytes` (the last segment, or the query when there is one, grows). */
function padded(r: RequestSpec, bytes: number): RequestSpec {
  return { ...r, path: r.path + 'x'.repeat(Math.max(0, bytes - r.path.length)) };
}

interface MemoryRow { case: string; paths: string; streams: number; baseline: number; peak: number; steady: number }
interface SpeedRow { case: string; normalNs: number; longNs: number; ratio: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function start(module: CompiledFilter, w: Workload): Promise<SimulatedEnvoy> {
  const host = await SimulatedEnvoy.start({ wasm: module, pluginConfig: w.config as object | undefined });
  if (!host.configured) throw new Error(`${w.name}: ${host.startError}`);
  return host;
}

async function memoryRow(module: CompiledFilter, w: Workload, bytes: number, streams: number): Promise<MemoryRow> {
  const host = await start(module, w);
  const baseline = host.memoryPages();
  const reqs = w.requests.map((r) => padded(r, bytes));
  const phase = () => { for (let i = 0; i < streams; i++) host.request(reqs[i % reqs.length]); };
  phase();
  const peak = host.memoryPages();
  phase();
  const steady = host.memoryPages();
  host.stop();
  return { case: w.name, paths: bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`, streams, baseline, peak, steady };
}

/** ns/request of normal and 64 KiB-path requests, runs of the two interleaved. */
async function speedRow(module: CompiledFilter, w: Workload, runs: number, perRun: number): Promise<SpeedRow> {
  const host = await start(module, w);
  const normal = w.requests;
  const long = w.requests.map((r) => padded(r, 64 * KiB));
  const timed = (reqs: RequestSpec[], n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) host.request(reqs[i % reqs.length]);
    return Number(process.hrtime.bigint() - t0) / n;
  };
  timed(normal, perRun * 5);
  timed(long, perRun);
  const a: number[] = [];
  const b: number[] = [];
  for (let run = 0; run < runs; run++) {
    a.push(timed(normal, perRun * 5));
    b.push(timed(long, perRun));
  }
  host.stop();
  const normalNs = median(a);
  const longNs = median(b);
  return { case: w.name, normalNs, longNs, ratio: longNs / normalNs };
}

function markdown(memory: MemoryRow[], speed: SpeedRow[]): string {
  const mib = (pages: number) => (pages * PAGE / MiB).toFixed(2);
  const lines = ['# Long paths', '',
    '| case | paths | streams per phase | baseline pages | peak pages (above baseline) | steady pages (growth in 2nd phase) |',
    '|---|---|---:|---:|---:|---:|'];
  for (const m of memory) {
    lines.push(`| ${m.case} | ${m.paths} | ${m.streams} | ${m.baseline} | ${m.peak} (+${mib(m.peak - m.baseline)} MiB) | ${m.steady} (+${m.steady - m.peak}) |`);
  }
  lines.push('', '| case | ns/request, normal paths | ns/request, 64 KiB paths | ratio |', '|---|---:|---:|---:|');
  for (const s of speed) lines.push(`| ${s.case} | ${Math.round(s.normalNs)} | ${Math.round(s.longNs)} | ${s.ratio.toFixed(2)}× |`);
  lines.push('', 'ns/request is the whole request through the simulated Envoy (V8), host included: the floor row is',
    'what copying a 64 KiB path into the module costs the host alone.');
  return lines.join('\n') + '\n';
}

/** Runs the long-path cases with the filter and floor modules; prints and writes the report. */
export async function benchLongPaths(filter: CompiledFilter, floor: CompiledFilter): Promise<void> {
  const runs = env('BENCH_LONG_RUNS', 5);
  const perRun = env('BENCH_LONG_PER_RUN', 400);
  const forms = [nativeWorkload(10), nativeWorkload(1000), attributegenWorkload(10)];
  const memory: MemoryRow[] = [];
  for (const w of forms) {
    memory.push(await memoryRow(filter, w, 64 * KiB, 1200));
    memory.push(await memoryRow(filter, w, MiB, 300));
  }
  const speed: SpeedRow[] = [await speedRow(floor, floorWorkload(), runs, perRun)];
  for (const w of forms) speed.push(await speedRow(filter, w, runs, perRun));
  const md = markdown(memory, speed);
  mkdirSync(root('build/bench'), { recursive: true });
  writeFileSync(root('build/bench/long-paths.json'), JSON.stringify({ runs, perRun, memory, speed }, null, 2) + '\n');
  writeFileSync(root('build/bench/long-paths.md'), md);
  console.log('\n' + md + 'wrote build/bench/long-paths.json, long-paths.md');
}
