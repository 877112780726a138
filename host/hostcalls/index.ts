// The import object of one VM. Each family file holds only behaviour (what Envoy does for the
// call); here every implementation is wrapped once so that it first counts itself and traps where
// Envoy restricts hostcalls (WasmVm.enterHostcall), and placed in the module abi-imports.ts
// registers it under for the VM's ABI. Pointers arrive as signed i32; implementations normalise
// them with >>> 0.
import { ENV_FUNCTIONS, PROXY_FUNCTIONS, PROXY_FUNCTIONS_BY_ABI, WASI_FUNCTIONS, WASI_MODULES } from '../abi-imports.ts';
import type { WasmVm } from '../vm.ts';
import { bufferHostcalls } from './buffers.ts';
import { headerHostcalls } from './headers.ts';
import { loggingHostcalls } from './logging.ts';
import { metricHostcalls } from './metrics.ts';
import { miscHostcalls } from './misc.ts';
import { propertyHostcalls } from './properties.ts';
import { sharedDataHostcalls } from './shared-data.ts';
import { streamControlHostcalls } from './stream-control.ts';
import { hostcallIndex, type HostFunction, type HostFunctions } from './table.ts';
import { timerCalloutHostcalls } from './timers-callouts.ts';
import { wasiHostcalls } from './wasi.ts';

const FAMILIES: readonly ((vm: WasmVm) => HostFunctions)[] = [
  loggingHostcalls,
  propertyHostcalls,
  headerHostcalls,
  bufferHostcalls,
  metricHostcalls,
  sharedDataHostcalls,
  timerCalloutHostcalls,
  streamControlHostcalls,
  miscHostcalls,
  wasiHostcalls,
];

type Forwarded = (...args: unknown[]) => number | void;

/**
 * `fn`, counted and checked first. Fixed parameters (the longest signature has 12) rather than rest
 * args: no array per call. The compute mode's hooks (hostcall-hooks.ts) are two null checks here:
 * an override answers instead of `fn` (no replayable call has more than 8 parameters), a tap
 * watches `fn` answer.
 */
function entered(vm: WasmVm, index: number, fn: HostFunction): HostFunction {
  const f = fn as Forwarded;
  return (a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, g?: unknown, h?: unknown, i?: unknown, j?: unknown, k?: unknown, l?: unknown, m?: unknown) => {
    const override = vm.override;
    if (override !== null) return override[index]!(a, b, c, d, e, g, h, i);
    vm.enterHostcall(index);
    const tap = vm.tap;
    if (tap === null) return f(a, b, c, d, e, g, h, i, j, k, l, m);
    tap.hostcall(index, a, b, c, d, e, g);
    const r = f(a, b, c, d, e, g, h, i, j, k, l, m);
    tap.hostcallDone(r);
    return r;
  };
}

export function buildImports(vm: WasmVm): WebAssembly.Imports {
  const impls: HostFunctions = {};
  for (const family of FAMILIES) Object.assign(impls, family(vm));
  for (const name of Object.keys(impls)) hostcallIndex(name); // an implementation for a name Envoy does not register is a bug
  const bind = (names: readonly string[]): WebAssembly.ModuleImports => {
    const out: WebAssembly.ModuleImports = {};
    for (const name of names) {
      const fn = impls[name];
      if (!fn) throw new Error(`host function ${name} is not implemented`);
      out[name] = entered(vm, hostcallIndex(name), fn);
    }
    return out;
  };
  const imports: WebAssembly.Imports = {
    env: bind([...Object.keys(PROXY_FUNCTIONS), ...Object.keys(PROXY_FUNCTIONS_BY_ABI[vm.abi]), ...Object.keys(ENV_FUNCTIONS)]),
  };
  const wasi = bind(Object.keys(WASI_FUNCTIONS));
  for (const mod of WASI_MODULES) imports[mod] = wasi;
  return imports;
}
