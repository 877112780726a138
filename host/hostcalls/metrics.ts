// Metric host functions (envoy context.cc defineMetric/incrementMetric/recordMetric/getMetric):
// the rules live in the VM's metric id table (metrics.ts); these only move values across memory.
import { WasmResult as R } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

export function metricHostcalls(vm: WasmVm): HostFunctions {
  return {
    proxy_define_metric(type: number, np: number, ns: number, idPtr: number): number {
      const m = vm.memory();
      const name = m.str(np >>> 0, ns >>> 0);
      if (name === undefined) return R.InvalidMemoryAccess;
      const id = vm.metrics.define(type >>> 0, name);
      if (id < 0) return -id;
      return m.setU32(idPtr >>> 0, id) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_increment_metric(id: number, offset: bigint): number {
      return vm.metrics.increment(id >>> 0, offset);
    },

    proxy_record_metric(id: number, value: bigint): number {
      return vm.metrics.record(id >>> 0, value);
    },

    proxy_get_metric(id: number, ptr: number): number {
      const [r, v] = vm.metrics.get(id >>> 0);
      if (r !== R.Ok) return r;
      return vm.memory().setU64(ptr >>> 0, v) ? R.Ok : R.InvalidMemoryAccess;
    },
  };
}
