// Header-map host functions (exports.cc get/add/replace/remove_header_map_value,
// get/set_header_map_pairs, get_header_map_size; envoy context.cc getHeaderMap*). The context
// decides which map a type means right now (getMap for writes and sizes, getConstMap for reads).
import { HeaderMapType, WasmResult as R } from '../abi.ts';
import { copyOutPairs, readPairs } from '../header-maps.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

const HEADER_MAP_TYPE_MAX = HeaderMapType.HttpCallResponseTrailers;

export function headerHostcalls(vm: WasmVm): HostFunctions {
  /** proxy_add_header_map_value / proxy_replace_header_map_value (replace = remove all, then append). */
  function writeHeader(type: number, kp: number, ks: number, vp: number, vs: number, replace: boolean): number {
    type >>>= 0;
    if (type > HEADER_MAP_TYPE_MAX) return R.BadArgument;
    const m = vm.memory();
    const key = m.str(kp >>> 0, ks >>> 0);
    const value = m.str(vp >>> 0, vs >>> 0);
    if (key === undefined || value === undefined) return R.InvalidMemoryAccess;
    const ctx = vm.ctx();
    const map = ctx.getMap(type);
    if (!map) return R.BadArgument;
    if (replace) map.set(key, value);
    else map.add(key, value);
    ctx.onHeadersModified(type);
    return R.Ok;
  }

  return {
    proxy_get_header_map_value(type: number, kp: number, ks: number, vpp: number, vsp: number): number {
      type >>>= 0;
      if (type > HEADER_MAP_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      const key = m.str(kp >>> 0, ks >>> 0);
      if (key === undefined) return R.InvalidMemoryAccess;
      const ctx = vm.ctx();
      const map = ctx.getConstMap(type);
      if (!map) {
        if (ctx.accessLogPhase) {
          return vm.abi === '0.1.0' ? (m.copyOutString('', vpp >>> 0, vsp >>> 0) ? R.Ok : R.InvalidMemoryAccess) : R.NotFound;
        }
        return R.BadArgument; // map not available in this callback
      }
      const v = map.get(key.toLowerCase());
      if (v === undefined) {
        if (vm.abi !== '0.1.0') return R.NotFound;
        return m.copyOutString('', vpp >>> 0, vsp >>> 0) ? R.Ok : R.InvalidMemoryAccess;
      }
      return m.copyOutString(v, vpp >>> 0, vsp >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_add_header_map_value(type: number, kp: number, ks: number, vp: number, vs: number): number {
      return writeHeader(type, kp, ks, vp, vs, false);
    },

    proxy_replace_header_map_value(type: number, kp: number, ks: number, vp: number, vs: number): number {
      return writeHeader(type, kp, ks, vp, vs, true);
    },

    proxy_remove_header_map_value(type: number, kp: number, ks: number): number {
      type >>>= 0;
      if (type > HEADER_MAP_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      const key = m.str(kp >>> 0, ks >>> 0);
      if (key === undefined) return R.InvalidMemoryAccess;
      const ctx = vm.ctx();
      const map = ctx.getMap(type);
      if (!map) return R.BadArgument;
      map.remove(key);
      ctx.onHeadersModified(type);
      return R.Ok;
    },

    proxy_get_header_map_pairs(type: number, ptrPtr: number, sizePtr: number): number {
      type >>>= 0;
      if (type > HEADER_MAP_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      // getHeaderMapPairs: a missing map is just empty pairs (Ok, ptr 0 / size 0).
      const map = vm.ctx().getConstMap(type);
      const ok = map
        ? copyOutPairs(m, map.keys, map.values, ptrPtr >>> 0, sizePtr >>> 0)
        : m.setU32(ptrPtr >>> 0, 0) && m.setU32(sizePtr >>> 0, 0);
      return ok ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      type >>>= 0;
      if (type > HEADER_MAP_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      ptr >>>= 0;
      size >>>= 0;
      if (!m.inBounds(ptr, size)) return R.InvalidMemoryAccess;
      const pairs = readPairs(m, ptr, size);
      const ctx = vm.ctx();
      const map = ctx.getMap(type);
      if (!map) return R.BadArgument;
      map.clear();
      for (const [k, v] of pairs) map.add(k, v);
      ctx.onHeadersModified(type);
      return R.Ok;
    },

    proxy_get_header_map_size(type: number, sizePtr: number): number {
      type >>>= 0;
      if (type > HEADER_MAP_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      const map = vm.ctx().getMap(type);
      if (!map) return R.BadArgument;
      return m.setU32(sizePtr >>> 0, map.byteSize()) ? R.Ok : R.InvalidMemoryAccess;
    },
  };
}
