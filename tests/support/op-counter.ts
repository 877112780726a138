// An operation counter for the real filter module, so scaling tests can compare work done, not time.
//
// The release .wasm is rewritten (through wabt's text form) with one exported i64 global that
// every loop header increments: the count of loop iterations the module executed — the work of
// every scan, hash, copy and comparison (memory.compare and friends are loops in AssemblyScript's
// runtime). The module keeps its imports and ABI, so it runs in the simulated Envoy unchanged;
// only its speed differs, which the tests never look at.
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import type { SimulatedEnvoy } from '../../host/index.ts';
import { RELEASE_WASM } from './filter.ts';

const COUNTER = '__route_metrics_ops';
const FEATURES = {
  bulk_memory: true, mutable_globals: true, sign_extension: true, sat_float_to_int: true, multi_value: true,
  reference_types: true, simd: true,
};

/** The release module with a loop-iteration counter exported as `__route_metrics_ops`. */
export async function countingModule(path: string = RELEASE_WASM): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const parsed = wabt.readWasm(readFileSync(path), { readDebugNames: false, ...FEATURES });
  const text = parsed.toText({ foldExprs: false, inlineExport: false });
  parsed.destroy();
  const out: string[] = [];
  let lastGlobal = -1;
  for (const line of text.split('\n')) {
    out.push(line);
    if (/^\s*\(global\b/.test(line)) lastGlobal = out.length;
    // flat (unfolded) text: a `loop` line opens the body, so the increment runs once per iteration
    if (/^\s*loop\b/.test(line)) out.push(`global.get $ops`, `i64.const 1`, `i64.add`, `global.set $ops`);
  }
  if (lastGlobal < 0) throw new Error('op-counter: no global section to extend');
  // Appended after the last global, so the existing (index-based) references keep their meaning.
  out.splice(lastGlobal, 0, `(global $ops (mut i64) (i64.const 0))`, `(export "${COUNTER}" (global $ops))`);
  const rewritten = wabt.parseWat('route-metrics-ops.wat', out.join('\n'), FEATURES);
  try {
    rewritten.validate();
    return rewritten.toBinary({}).buffer;
  } finally {
    rewritten.destroy();
  }
}

/** Loop iterations the host's running module has executed so far. */
export function opsOf(host: SimulatedEnvoy): bigint {
  // The host keeps its VM private; the counter is a test-only export, read straight from the instance.
  const vm = (host as unknown as { vm?: { instance?: WebAssembly.Instance } }).vm;
  const g = vm?.instance?.exports[COUNTER];
  if (!(g instanceof WebAssembly.Global)) throw new Error('op-counter: the host is not running a counting module');
  return g.value as bigint;
}

/** Operations spent in `fn` (a request, a reconfigure …) on `host`. */
export function opsDuring(host: SimulatedEnvoy, fn: () => unknown): bigint {
  const before = opsOf(host);
  fn();
  return opsOf(host) - before;
}
