// The simulated host's compute mode (host/replay/) against the normal host: the same requests,
// one host replaying recorded answers and one answering them for real, must leave the module in
// the same observable state — filter state, return codes, callbacks, host calls, metric values,
// logs. And a module that asks something else than was recorded must be stopped, not answered.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import wabtInit from 'wabt';
import { ReplayDivergence, SimulatedEnvoy, type RequestSpec } from '../../host/index.ts';
import { PODINFO_ATTRIBUTEGEN, PODINFO_NATIVE, RELEASE_WASM, startFilter } from '../support/filter.ts';

const built = existsSync(RELEASE_WASM);

const SPECS: RequestSpec[] = [
  { method: 'GET', path: '/healthz', status: 200, durationMs: 3 },
  { method: 'POST', path: '/echo', status: 201, durationMs: 12, body: '{"x":1}' },
  { method: 'GET', path: '/users/42?full=1', status: 404, durationMs: 1 },
  { method: 'HEAD', path: '/users/7', status: 200, durationMs: 250 },
  { method: 'GET', path: '/static/app.js', status: 503, durationMs: 40 },
  { method: 'GET', path: '/v2/legacy/x', reset: true, durationMs: 7 },
  { method: 'DELETE', path: '/nothing/here', status: 500, durationMs: 9 },
];

interface MetricState { value: number; count: number; sum: number }

/** Every stat of a host by name: counter/gauge value, histogram count and sum. */
function metricState(host: SimulatedEnvoy): Map<string, MetricState> {
  const out = new Map<string, MetricState>();
  for (const m of host.metrics) out.set(m.name, { value: Number(m.value), count: m.count, sum: m.sum });
  return out;
}

/** What changed between two metricState snapshots (stats without change left out). */
function metricDelta(after: Map<string, MetricState>, before: Map<string, MetricState>): Map<string, MetricState> {
  const out = new Map<string, MetricState>();
  for (const [name, a] of after) {
    const b = before.get(name) ?? { value: 0, count: 0, sum: 0 };
    const d = { value: a.value - b.value, count: a.count - b.count, sum: a.sum - b.sum };
    if (d.value !== 0 || d.count !== 0 || d.sum !== 0) out.set(name, d);
  }
  return out;
}

const RETURN_CODE_OF: Record<string, keyof import('../../host/index.ts').ReturnCodes> = {
  proxy_on_request_headers: 'requestHeaders',
  proxy_on_request_body: 'requestBody',
  proxy_on_response_headers: 'responseHeaders',
  proxy_on_response_body: 'responseBody',
  proxy_on_done: 'done',
};

function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Runs SPECS `rounds` times through a normal host and through a compute-mode host; returns both sides. */
async function bothModes(config: unknown, rounds: number, logs = false) {
  const normal = await startFilter(config);
  const fast = await startFilter(config);
  assert.ok(normal.configured && fast.configured, normal.startError);
  const compute = fast.computeMode({ logs });
  const recordings = SPECS.map((s) => compute.record(s));
  // record() ran every request twice through the normal host: the other host does the same.
  for (const s of SPECS) {
    normal.request(s);
    normal.request(s);
  }
  const normalBefore = metricState(normal);
  normal.clearLogs();
  const rows: { spec: string; normal: unknown; compute: unknown }[] = [];
  for (let round = 0; round < rounds; round++) {
    SPECS.forEach((spec, i) => {
      const r = normal.request(spec);
      assert.equal(r.trapped, false, r.trap);
      const countsBefore = compute.hostCallCounts;
      compute.run(recordings[i]!);
      const replayed = compute.callbacks(recordings[i]!);
      rows.push({
        spec: `${spec.method} ${spec.path}`,
        normal: {
          filterState: r.filterState,
          callbacks: r.callbacks,
          returnCodes: Object.fromEntries(r.callbacks.filter((n) => RETURN_CODE_OF[n]).map((n) => [n, r.returnCodes[RETURN_CODE_OF[n]!]])),
          hostCalls: r.hostCalls,
        },
        compute: {
          filterState: compute.filterState(recordings[i]!),
          callbacks: replayed.map((c) => c.name),
          returnCodes: Object.fromEntries(replayed.filter((c) => RETURN_CODE_OF[c.name]).map((c) => [c.name, c.result])),
          hostCalls: delta(compute.hostCallCounts, countsBefore),
        },
      });
    });
  }
  const normalMetrics = metricDelta(metricState(normal), normalBefore);
  const computeMetrics = new Map([...compute.metrics()].map(([name, m]) => [name, { value: m.value, count: m.count, sum: m.sum }]));
  return { normal, fast, compute, rows, normalMetrics, computeMetrics };
}

describe('compute mode: same module state as the normal host', { skip: built ? false : 'build/route-metrics.wasm not built' }, () => {
  test('native routes: filter state, callbacks, return codes, host calls and metric values are identical', async () => {
    const { rows, normalMetrics, computeMetrics, fast } = await bothModes(PODINFO_NATIVE, 3);
    for (const row of rows) assert.deepEqual(row.compute, row.normal, row.spec);
    // Not vacuous: routes were matched, and metrics recorded in both modes.
    assert.ok(rows.some((r) => Object.keys((r.normal as { filterState: object }).filterState).length > 0));
    assert.ok(normalMetrics.size >= 6, `metrics changed: ${[...normalMetrics.keys()]}`);
    assert.deepEqual(computeMetrics, normalMetrics);
    assert.equal(fast.failed, false);
  });

  test('attributegen with debug logs: the same, and logs are kept only when asked for', async () => {
    const config = { ...PODINFO_ATTRIBUTEGEN, debug: true };
    const kept = await bothModes(config, 2, true);
    for (const row of kept.rows) assert.deepEqual(row.compute, row.normal, row.spec);
    assert.deepEqual(kept.computeMetrics, kept.normalMetrics);
    const normalLogs = kept.normal.logs.filter((l) => l.source === 'plugin').map((l) => ({ level: l.level, message: l.message }));
    assert.ok(normalLogs.length >= SPECS.length * 2, `plugin logs: ${normalLogs.length}`);
    assert.deepEqual(kept.compute.logs, normalLogs);

    const dropped = await bothModes(config, 1, false);
    assert.deepEqual(dropped.compute.logs, []);
    assert.ok((dropped.compute.hostCallCounts.proxy_log ?? 0) >= SPECS.length, 'proxy_log still answered');
  });

  test('a recording replays the recorded answers: another request\'s recording gives that request\'s state', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    const compute = host.computeMode();
    const echo = compute.record({ method: 'POST', path: '/echo' });
    const health = compute.record({ method: 'GET', path: '/healthz' });
    compute.run(echo);
    compute.run(health);
    assert.deepEqual(compute.filterState(echo), { 'wasm.istio_operationId': 'POST /echo' });
    assert.deepEqual(compute.filterState(health), { 'wasm.istio_operationId': 'GET /healthz' });
  });

  test('a module that asks something else than recorded is stopped with the difference, and the VM fails', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    const compute = host.computeMode();
    const rec = compute.record({ method: 'GET', path: '/healthz' });
    // Same root, new configuration: the classifier now also reads a header the recording never saw.
    assert.ok(host.reconfigure({ routes: [{ name: 'h', path: '/healthz', headers: [{ name: 'x-tenant', value: 'a' }] }] }, { mode: 'same-root' }));
    assert.throws(() => compute.run(rec), (e: unknown) => {
      assert.ok(e instanceof ReplayDivergence);
      assert.match(e.message, /proxy_on_request_headers/);
      assert.match(e.message, /x-tenant/);
      return true;
    });
    assert.equal(host.failed, true);
  });

  test('the normal host is unchanged around replays', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    const compute = host.computeMode();
    const rec = compute.record({ method: 'GET', path: '/healthz' });
    compute.run(rec);
    const r = host.request({ method: 'POST', path: '/echo' });
    assert.equal(r.filterState['wasm.istio_operationId'], 'POST /echo');
    assert.equal(r.hostCalls.proxy_get_header_map_value, 2);
  });

  test('a new root context makes old recordings unusable', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    const compute = host.computeMode();
    const rec = compute.record({ method: 'GET', path: '/healthz' });
    assert.ok(host.reconfigure(PODINFO_NATIVE));
    assert.throws(() => compute.run(rec), /root context no longer in force/);
    assert.equal(host.failed, false);
  });
});

// A module whose stream writes a header: that changes what the host does next, so it is not replayable.
const HEADER_WRITER = `(module
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "x-a1")
  (global $next (mut i32) (i32.const 4096))
  (func (export "malloc") (param i32) (result i32) (local i32)
    (local.set 1 (global.get $next)) (global.set $next (i32.add (global.get $next) (local.get 0))) (local.get 1))
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 0) (i32.const 16) (i32.const 3) (i32.const 19) (i32.const 1)))
    (i32.const 0)))`;

test('compute mode refuses to record a stream whose host calls change what the host does next', async () => {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('header-writer.wat', HEADER_WRITER);
  const bytes = mod.toBinary({}).buffer;
  mod.destroy();
  const host = await SimulatedEnvoy.start({ wasm: bytes });
  assert.ok(host.configured, host.startError);
  const compute = host.computeMode();
  assert.throws(() => compute.record({ path: '/' }), /cannot record GET \/: .*proxy_add_header_map_value is not replayable/);
  // The recording attempt did not disturb the module: its normal requests still work.
  assert.equal(host.request({ path: '/' }).requestHeaders.find(([k]) => k === 'x-a')?.[1], '1');
});
