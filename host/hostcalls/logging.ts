// Logging host functions: proxy_log (levels 0–5, below the host's level dropped) and ABI 0.2.1's
// proxy_get_log_level. WASI's fd_write also logs (wasi.ts).
import { LogLevel, WasmResult as R } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

export function loggingHostcalls(vm: WasmVm): HostFunctions {
  const host = vm.host;
  return {
    proxy_log(level: number, ptr: number, size: number): number {
      level >>>= 0;
      if (level > LogLevel.Critical) return R.BadArgument;
      const m = vm.memory();
      ptr >>>= 0;
      size >>>= 0;
      if (!m.inBounds(ptr, size)) return R.InvalidMemoryAccess;
      if (level >= host.minLogLevel) vm.logFromPlugin(level, m.str(ptr, size)!);
      return R.Ok;
    },

    proxy_get_log_level(ptr: number): number {
      return vm.memory().setU32(ptr >>> 0, host.minLogLevel) ? R.Ok : R.InvalidMemoryAccess;
    },
  };
}
