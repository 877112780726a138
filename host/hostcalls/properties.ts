// Property host functions: proxy_get_property through the resolver of properties.ts (one reused
// out-parameter per VM, so a lookup allocates only the value), proxy_set_property into the
// context's filter state.
import { WasmResult as R } from '../abi.ts';
import { EMPTY_BYTES } from '../bytes.ts';
import { PK, resolveProperty } from '../properties.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

export function propertyHostcalls(vm: WasmVm): HostFunctions {
  return {
    proxy_set_property(kp: number, ks: number, vp: number, vs: number): number {
      const m = vm.memory();
      const key = m.str(kp >>> 0, ks >>> 0);
      const value = m.bytes(vp >>> 0, vs >>> 0);
      if (key === undefined || value === undefined) return R.InvalidMemoryAccess;
      return vm.ctx().setProperty(key, value);
    },

    proxy_get_property(pp: number, ps: number, vpp: number, vsp: number): number {
      const m = vm.memory();
      const path = m.str(pp >>> 0, ps >>> 0);
      if (path === undefined) return R.InvalidMemoryAccess;
      const out = vm.props;
      const r = resolveProperty(path, vm.ctx().streamView(), vm.host.propEnv, out);
      if (r !== R.Ok) return r;
      vpp >>>= 0;
      vsp >>>= 0;
      let ok: boolean;
      switch (out.kind) {
        case PK.Str: ok = m.copyOutString(out.str, vpp, vsp); break;
        case PK.Bytes: ok = m.copyOutBytes(out.bytes, vpp, vsp); break;
        case PK.I64: ok = m.copyOutI64(out.num, vpp, vsp); break;
        default: ok = m.copyOutBool(out.bool, vpp, vsp); break;
      }
      out.str = '';
      out.bytes = EMPTY_BYTES;
      return ok ? R.Ok : R.InvalidMemoryAccess;
    },
  };
}
