// Shared data and shared queue host functions: memory in and out here, the store and the queues
// on the host's SharedState (shared-state.ts), the ready notification posted to the queue's root.
import { WasmResult as R } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

export function sharedDataHostcalls(vm: WasmVm): HostFunctions {
  const host = vm.host;
  const shared = host.shared;
  return {
    proxy_get_shared_data(kp: number, ks: number, vpp: number, vsp: number, casPtr: number): number {
      const m = vm.memory();
      const key = m.str(kp >>> 0, ks >>> 0);
      if (key === undefined) return R.InvalidMemoryAccess;
      const e = shared.getData(key);
      if (!e) return R.NotFound;
      if (!m.copyOutBytes(e.value, vpp >>> 0, vsp >>> 0)) return R.InvalidMemoryAccess;
      return m.setU32(casPtr >>> 0, e.cas) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_shared_data(kp: number, ks: number, vp: number, vs: number, cas: number): number {
      const m = vm.memory();
      const key = m.str(kp >>> 0, ks >>> 0);
      const value = m.bytes(vp >>> 0, vs >>> 0);
      if (key === undefined || value === undefined) return R.InvalidMemoryAccess;
      return shared.setData(key, value, cas >>> 0);
    },

    proxy_register_shared_queue(np: number, ns: number, tokenPtr: number): number {
      const m = vm.memory();
      const name = m.str(np >>> 0, ns >>> 0);
      if (name === undefined) return R.InvalidMemoryAccess;
      const token = shared.registerQueue(host.propEnv.vmId, name, vm, vm.rootContextId());
      return m.setU32(tokenPtr >>> 0, token) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_resolve_shared_queue(vp: number, vs: number, np: number, ns: number, tokenPtr: number): number {
      const m = vm.memory();
      const vmId = m.str(vp >>> 0, vs >>> 0);
      const name = m.str(np >>> 0, ns >>> 0);
      if (vmId === undefined || name === undefined) return R.InvalidMemoryAccess;
      const token = shared.resolveQueue(vmId === '' ? host.propEnv.vmId : vmId, name);
      if (token === undefined || vm.failed) return R.NotFound;
      return m.setU32(tokenPtr >>> 0, token) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_dequeue_shared_queue(token: number, dpp: number, dsp: number): number {
      const m = vm.memory();
      const item = shared.dequeue(token >>> 0);
      if (typeof item === 'number') return item;
      return m.copyOutBytes(item, dpp >>> 0, dsp >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_enqueue_shared_queue(token: number, dp: number, ds: number): number {
      const m = vm.memory();
      const data = m.bytes(dp >>> 0, ds >>> 0);
      if (data === undefined) return R.InvalidMemoryAccess;
      const t = token >>> 0;
      const q = shared.enqueue(t, data);
      if (!q) return R.NotFound;
      // Envoy posts onQueueReady to the registering root context's thread; here: after this call.
      const target = q.vm;
      const rootId = q.rootId;
      vm.after.push(() => {
        const root = target.contexts.get(rootId);
        const fn = target.cb.proxy_on_queue_ready;
        if (root && fn && !target.failed) {
          target.call(root, 'proxy_on_queue_ready', fn, rootId, t, 0);
          if (target !== vm) target.afterCall();
        }
      });
      return R.Ok;
    },
  };
}
