// Host functions that steer the stream: local replies, continue (ABI 0.1.0 continue_request /
// continue_response, 0.2.x continue_stream), close_stream, clear_route_cache. The context acts on
// them (an HttpStream defers the reply and the reset until the callback returns, as Envoy does).
import { StreamType, WasmResult as R } from '../abi.ts';
import { readPairs } from '../header-maps.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

const STREAM_TYPE_MAX = StreamType.Upstream;

export function streamControlHostcalls(vm: WasmVm): HostFunctions {
  return {
    proxy_send_local_response(status: number, dp: number, ds: number, bp: number, bs: number, hp: number, hs: number, grpc: number): number {
      const m = vm.memory();
      const details = m.str(dp >>> 0, ds >>> 0);
      const body = m.bytes(bp >>> 0, bs >>> 0);
      hp >>>= 0;
      hs >>>= 0;
      if (details === undefined || body === undefined || !m.inBounds(hp, hs)) return R.InvalidMemoryAccess;
      const headers = readPairs(m, hp, hs);
      vm.ctx().sendLocalResponse(status >>> 0, body, headers, grpc | 0, details);
      vm.stopIteration = true;
      return R.Ok;
    },

    proxy_continue_request(): number {
      return vm.ctx().continueStream(StreamType.Request);
    },

    proxy_continue_response(): number {
      return vm.ctx().continueStream(StreamType.Response);
    },

    proxy_continue_stream(type: number): number {
      type >>>= 0;
      if (type > STREAM_TYPE_MAX) return R.BadArgument;
      return vm.ctx().continueStream(type);
    },

    proxy_close_stream(type: number): number {
      type >>>= 0;
      if (type > STREAM_TYPE_MAX) return R.BadArgument;
      return vm.ctx().closeStream(type);
    },

    proxy_clear_route_cache(): number {
      return R.Ok;
    },
  };
}
