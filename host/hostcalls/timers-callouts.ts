// Timer, clock and callout host functions. The simulator has no upstream clusters: an HTTP call
// gets what Envoy answers for an unknown cluster (BadArgument), a gRPC call or stream what it
// answers for a service that is neither a GrpcService proto nor a cluster (ParseFailure); their
// callbacks never fire, so gRPC tokens are never live (close/cancel/send → NotFound or BadArgument).
import { WasmResult as R } from '../abi.ts';
import type { WasmVm } from '../vm.ts';
import type { HostFunctions } from './table.ts';

/** The kind a gRPC token's low two bits give, as the host checks them: 1 = a call, 2 = a stream. */
const GRPC_TOKEN_KIND_MASK = 3;
const GRPC_CALL = 1;
const GRPC_STREAM = 2;

export function timerCalloutHostcalls(vm: WasmVm): HostFunctions {
  return {
    proxy_set_tick_period_milliseconds(period: number): number {
      const root = vm.rootContext();
      if (root) root.tickPeriodMs = period >>> 0;
      return R.Ok;
    },

    proxy_get_current_time_nanoseconds(ptr: number): number {
      return vm.memory().setU64(ptr >>> 0, vm.host.now()) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_http_call(up: number, us: number, hp: number, hs: number, bp: number, bs: number, tp: number, ts: number, timeout: number, tokenPtr: number): number {
      const m = vm.memory();
      if (!m.inBounds(up >>> 0, us >>> 0) || !m.inBounds(hp >>> 0, hs >>> 0) || !m.inBounds(bp >>> 0, bs >>> 0) || !m.inBounds(tp >>> 0, ts >>> 0)) {
        return R.InvalidMemoryAccess;
      }
      if (!m.setU32(tokenPtr >>> 0, 0)) return R.InvalidMemoryAccess;
      // Envoy: negative timeout or unknown cluster → BadArgument. The simulator has no clusters.
      void timeout;
      return R.BadArgument;
    },

    proxy_grpc_call(sp: number, ss: number, np: number, ns: number, mp: number, ms: number, ip: number, is: number, rp: number, rs: number, _timeout: number, _tokenPtr: number): number {
      const m = vm.memory();
      if (!m.inBounds(sp >>> 0, ss >>> 0) || !m.inBounds(np >>> 0, ns >>> 0) || !m.inBounds(mp >>> 0, ms >>> 0) || !m.inBounds(ip >>> 0, is >>> 0) || !m.inBounds(rp >>> 0, rs >>> 0)) {
        return R.InvalidMemoryAccess;
      }
      return R.ParseFailure; // Envoy: service not a GrpcService proto and no such cluster
    },

    proxy_grpc_stream(sp: number, ss: number, np: number, ns: number, mp: number, ms: number, ip: number, is: number, _tokenPtr: number): number {
      const m = vm.memory();
      if (!m.inBounds(sp >>> 0, ss >>> 0) || !m.inBounds(np >>> 0, ns >>> 0) || !m.inBounds(mp >>> 0, ms >>> 0) || !m.inBounds(ip >>> 0, is >>> 0)) {
        return R.InvalidMemoryAccess;
      }
      return R.ParseFailure;
    },

    proxy_grpc_close(token: number): number {
      const t = (token >>> 0) & GRPC_TOKEN_KIND_MASK;
      return t === GRPC_CALL || t === GRPC_STREAM ? R.NotFound : R.BadArgument;
    },

    proxy_grpc_cancel(token: number): number {
      const t = (token >>> 0) & GRPC_TOKEN_KIND_MASK;
      return t === GRPC_CALL || t === GRPC_STREAM ? R.NotFound : R.BadArgument;
    },

    proxy_grpc_send(token: number, mp: number, ms: number, _eos: number): number {
      const m = vm.memory();
      if (!m.inBounds(mp >>> 0, ms >>> 0)) return R.InvalidMemoryAccess;
      return ((token >>> 0) & GRPC_TOKEN_KIND_MASK) === GRPC_STREAM ? R.NotFound : R.BadArgument;
    },
  };
}
