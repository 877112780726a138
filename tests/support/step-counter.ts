// A CPU proxy without clocks: the filter build instrumented with binaryen's log-execution pass,
// which calls a hook at every function entry and every loop iteration. The hook is turned into an
// internal counter exported as `rm_steps()`, so the module links against the simulated Envoy like
// the real build and a test can compare the work two inputs cost.
import binaryen from 'binaryen';
import { readFileSync } from 'node:fs';

const HOOK = 'log_execution';
const COUNTER = 'rm_step_count';

/** The module at `wasmPath` with a step counter; read it with stepsOf(host). */
export function instrumentSteps(wasmPath: string): Uint8Array {
  const m = binaryen.readBinary(readFileSync(wasmPath));
  // AssemblyScript's default feature set (the binary has no features section to say so).
  m.setFeatures(binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.NontrappingFPToInt |
    binaryen.Features.BulkMemory);
  m.runPasses(['log-execution']);
  // The pass imports env.log_execution(i32); replace the import by a function bumping a global.
  let hook: string | undefined;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (f.module === 'env' && f.base === HOOK) hook = f.name;
  }
  if (!hook) throw new Error('log-execution pass added no hook');
  m.removeFunction(hook);
  m.addGlobal(COUNTER, binaryen.i64, true, m.i64.const(0, 0));
  m.addFunction(hook, binaryen.i32, binaryen.none, [],
    m.global.set(COUNTER, m.i64.add(m.global.get(COUNTER, binaryen.i64), m.i64.const(1, 0))));
  m.addFunction('rm_steps', binaryen.none, binaryen.i64, [], m.global.get(COUNTER, binaryen.i64));
  m.addFunctionExport('rm_steps', 'rm_steps');
  if (!m.validate()) throw new Error('instrumented module does not validate');
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

/** Steps the instrumented module has run so far. */
export function stepsOf(host: { moduleExport(name: string): unknown }): number {
  const read = host.moduleExport('rm_steps');
  if (typeof read !== 'function') throw new Error('not an instrumented module');
  return Number((read as () => bigint)());
}
