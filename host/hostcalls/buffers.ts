// Buffer host functions (exports.cc get_buffer_status/get_buffer_bytes/set_buffer_bytes, and ABI
// 0.1.0's proxy_get_configuration). The context decides which buffer a type means right now.
import { BufferType, WasmResult as R } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

const BUFFER_TYPE_MAX = BufferType.CallData;

export function bufferHostcalls(vm: WasmVm): HostFunctions {
  return {
    proxy_get_buffer_status(type: number, lengthPtr: number, flagsPtr: number): number {
      type >>>= 0;
      if (type > BUFFER_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      const b = vm.ctx().getBuffer(type);
      if (b === null) return R.NotFound;
      if (!m.setU32(lengthPtr >>> 0, b.length)) return R.InvalidMemoryAccess;
      return m.setU32(flagsPtr >>> 0, 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number): number {
      type >>>= 0;
      if (type > BUFFER_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      const b = vm.ctx().getBuffer(type);
      if (b === null) return R.NotFound;
      start >>>= 0;
      length >>>= 0;
      // Don't overread: start past the end → length 0; clamp to the end.
      if (start > b.length) length = 0;
      else if (start + length > b.length) length = b.length - start;
      if (length === 0) return m.setU32(ptrPtr >>> 0, 0) && m.setU32(sizePtr >>> 0, 0) ? R.Ok : R.InvalidMemoryAccess;
      const ok = m.copyOutBytes(start === 0 && length === b.length ? b : b.subarray(start, start + length), ptrPtr >>> 0, sizePtr >>> 0);
      return ok ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_buffer_bytes(type: number, start: number, length: number, dp: number, ds: number): number {
      type >>>= 0;
      if (type > BUFFER_TYPE_MAX) return R.BadArgument;
      const m = vm.memory();
      const ctx = vm.ctx();
      if (ctx.getBuffer(type) === null) return R.NotFound;
      const data = m.bytes(dp >>> 0, ds >>> 0);
      if (data === undefined) return R.InvalidMemoryAccess;
      return ctx.setBuffer(type, start >>> 0, length >>> 0, data);
    },

    // ABI 0.1.0: the VM configuration, or the plugin configuration while a root is configured.
    proxy_get_configuration(vpp: number, vsp: number): number {
      return vm.memory().copyOutBytes(vm.ctx().getConfiguration(), vpp >>> 0, vsp >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },
  };
}
