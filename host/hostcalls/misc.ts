// The remaining env functions: status, effective context, proxy_done, foreign functions, and
// the emscripten helpers Envoy registers.
import { WasmResult as R } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

/** Foreign functions Envoy registers (envoy foreign.cc); the simulator does not model them. */
const ENVOY_FOREIGN = new Set(['compress', 'uncompress', 'expr_create', 'expr_evaluate', 'expr_delete', 'declare_property', 'set_envoy_filter_state', 'clear_route_cache', 'verify_signature', 'sign']);

export function miscHostcalls(vm: WasmVm): HostFunctions {
  return {
    proxy_get_status(codePtr: number, msgPtrPtr: number, msgSizePtr: number): number {
      const m = vm.memory();
      // Root context status: only set around http/grpc callouts, which the simulator never completes.
      if (!m.setU32(codePtr >>> 0, 0)) return R.InvalidMemoryAccess;
      return m.copyOutString('', msgPtrPtr >>> 0, msgSizePtr >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_effective_context(id: number): number {
      const cid = id >>> 0;
      if (!vm.contexts.has(cid)) return R.BadArgument;
      vm.effectiveId = cid;
      return R.Ok;
    },

    proxy_done(): number {
      // WasmBase::done: only meaningful while the root waits in pending_done_ (on_done returned false).
      const root = vm.rootContext();
      if (!root || !root.pendingDone) return R.NotFound;
      root.pendingDone = false;
      vm.after.push(() => vm.host.deleteRoot(vm, root));
      return R.Ok;
    },

    proxy_call_foreign_function(np: number, ns: number, ap: number, as: number, _rpp: number, _rsp: number): number {
      const m = vm.memory();
      const name = m.str(np >>> 0, ns >>> 0);
      if (name === undefined || !m.inBounds(ap >>> 0, as >>> 0)) return R.InvalidMemoryAccess;
      return ENVOY_FOREIGN.has(name) ? R.Unimplemented : R.NotFound;
    },

    pthread_equal(a: number, b: number): number {
      return a === b ? 1 : 0;
    },

    emscripten_notify_memory_growth(_index: number): void {},
  };
}
