// What one replayed host call costs in compute mode (JS↔Wasm transition, the replay's checks, the
// memcpy and the module's malloc where a value is copied in), per kind of call the filters make:
// a calibration module (WAT, compiled with wabt) makes K calls of one kind in one callback, and
// the time over a module making none, divided by K, is the price of one call. With the calls per
// request of a case, it splits the case's compute-mode time into host calls and the module's own
// work (report.ts).
import wabtInit from 'wabt';
import { SimulatedEnvoy } from '../host/index.ts';
import { median } from './measure.ts';

const K = 500;

/** Body of the calibration loop per host call kind (memory: 16 property path, 48 header name, 64 metric name). */
const CALLS: Record<string, string> = {
  proxy_get_header_map_value: '(drop (call $get_header (i32.const 0) (i32.const 48) (i32.const 5) (i32.const 96) (i32.const 100)))',
  proxy_get_property: '(drop (call $get_property (i32.const 16) (i32.const 13) (i32.const 96) (i32.const 100)))',
  proxy_set_property: '(drop (call $set_property (i32.const 16) (i32.const 13) (i32.const 48) (i32.const 12)))',
  proxy_increment_metric: '(drop (call $increment (global.get $counter) (i64.const 1)))',
  proxy_record_metric: '(drop (call $record (global.get $histogram) (i64.const 3)))',
};

function wat(body: string): string {
  return `(module
  (import "env" "proxy_get_header_map_value" (func $get_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $get_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_property" (func $set_property (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_define_metric" (func $define (param i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_increment_metric" (func $increment (param i32 i64) (result i32)))
  (import "env" "proxy_record_metric" (func $record (param i32 i64) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) "response\\00code")
  (data (i32.const 48) ":path")
  (data (i32.const 64) "c")
  (data (i32.const 72) "h")
  (global $counter (mut i32) (i32.const 0))
  (global $histogram (mut i32) (i32.const 0))
  ;; A bump allocator that starts over at every call: the values are never kept.
  (func (export "malloc") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (drop (call $define (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 80)))
    (global.set $counter (i32.load (i32.const 80)))
    (drop (call $define (i32.const 2) (i32.const 72) (i32.const 1) (i32.const 80)))
    (global.set $histogram (i32.load (i32.const 80)))
    (i32.const 1))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const ${K})))
      ${body}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 0)))`;
}

/** ns per replayed call, by host function name (median of `runs` interleaved runs, CPU time). */
export async function measureReplayCost(runs = 9, streamsPerRun = 400): Promise<Record<string, number>> {
  const wabt = await wabtInit();
  const cases: { name: string; run: () => void; times: number[] }[] = [];
  for (const [name, body] of [['none', ''], ...Object.entries(CALLS)] as const) {
    const mod = wabt.parseWat(`${name}.wat`, wat(body));
    const bytes = mod.toBinary({}).buffer;
    mod.destroy();
    const host = await SimulatedEnvoy.start({ wasm: bytes });
    if (!host.configured) throw new Error(`replay-cost ${name}: ${host.startError}`);
    const compute = host.computeMode();
    const rec = compute.record({ method: 'GET', path: '/abcdefgh', status: 200, durationMs: 3 });
    for (let i = 0; i < 100; i++) compute.run(rec);
    cases.push({ name, run: () => compute.run(rec), times: [] });
  }
  for (let r = 0; r < runs; r++) {
    for (const c of cases) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < streamsPerRun; i++) c.run();
      const cpu = process.cpuUsage(c0);
      c.times.push(((cpu.user + cpu.system) * 1000) / streamsPerRun);
    }
  }
  const none = median(cases[0]!.times);
  const out: Record<string, number> = {};
  for (const c of cases.slice(1)) out[c.name] = Math.max(0, (median(c.times) - none) / K);
  return out;
}

/** Estimated ns per request spent in replayed host calls, from the calls per request and their cost. */
export function hostCallNs(callsPerRequest: Record<string, number>, cost: Record<string, number>): number | undefined {
  let ns = 0;
  for (const [name, n] of Object.entries(callsPerRequest)) {
    const c = cost[name];
    if (c === undefined) return undefined;
    ns += n * c;
  }
  return ns;
}
