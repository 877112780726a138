// The host functions, implemented as Envoy implements them (proxy-wasm-cpp-host src/exports.cc and
// envoy source/extensions/common/wasm/context.cc). Every function:
//  - counts itself (cumulative and for the running stream),
//  - traps with "restricted_callback" when called where Envoy restricts hostcalls (inside malloc,
//    _initialize/_start),
//  - resolves "the context" as current-or-effective (proxy_set_effective_context).
// Pointers arrive as signed i32; they are normalised with >>> 0 before use.
import { randomFillSync } from 'node:crypto';
import {
  ENV_FUNCTIONS,
  PROXY_FUNCTIONS,
  PROXY_FUNCTIONS_BY_ABI,
  WASI_FUNCTIONS,
  WASI_MODULES,
} from './abi-imports.ts';
import { CTX_ROOT, EMPTY_BYTES, type RootContext } from './context.ts';
import { copyOutPairs, readPairs } from './header-maps.ts';
import { PK, resolveProperty } from './properties.ts';
import { LOG_LEVELS, WasmResult as R } from './types.ts';
import type { WasmVm } from './vm.ts';

const ALL_NAMES = new Set<string>([
  ...Object.keys(PROXY_FUNCTIONS),
  ...Object.values(PROXY_FUNCTIONS_BY_ABI).flatMap((m) => Object.keys(m)),
  ...Object.keys(ENV_FUNCTIONS),
  ...Object.keys(WASI_FUNCTIONS),
]);
/** Host function names by count index. */
export const HOSTCALL_NAMES: readonly string[] = [...ALL_NAMES];
export const HOSTCALL_COUNT = HOSTCALL_NAMES.length;
const INDEX = new Map(HOSTCALL_NAMES.map((n, i) => [n, i]));
export function hostcallIndex(name: string): number {
  const i = INDEX.get(name);
  if (i === undefined) throw new Error(`unknown host function ${name}`);
  return i;
}

const WASI_ERRNO = { SUCCESS: 0, BADF: 8, NOTDIR: 20, FAULT: 21, INVAL: 28, NOENT: 44, NOSYS: 52, NOTSUP: 58 } as const;
const RANDOM_GET_MAX = 64 * 1024;
const HEADER_MAP_MAX = 7;
const BUFFER_TYPE_MAX = 8;
const STREAM_TYPE_MAX = 3;
/** Foreign functions Envoy registers (envoy foreign.cc); the simulator does not model them. */
const ENVOY_FOREIGN = new Set(['compress', 'uncompress', 'expr_create', 'expr_evaluate', 'expr_delete', 'declare_property', 'set_envoy_filter_state', 'clear_route_cache', 'verify_signature', 'sign']);

type Fn = (...args: never[]) => number | void;

export function buildImports(vm: WasmVm): WebAssembly.Imports {
  const host = vm.host;
  const totals = vm.totals;

  /** Count, check restriction and context; throw a trap like V8 would. */
  const enter = (i: number): void => {
    totals[i]!++;
    const s = vm.streamCounts;
    if (s !== null) s[i]!++;
    if (vm.allowed !== null && vm.allowed[i] === 0) throw new WebAssembly.RuntimeError('restricted_callback');
    if (vm.current === null) {
      // Envoy has no current context here (e.g. the module's start section) and would crash.
      throw new WebAssembly.RuntimeError(`${HOSTCALL_NAMES[i]} called with no current context (module start section?); Envoy would crash`);
    }
  };
  const I = (n: string): number => hostcallIndex(n);
  const mem = () => {
    vm.mem.refresh();
    return vm.mem;
  };

  const logFrom = (level: number, message: string): void => {
    const ctx = vm.ctx();
    host.log(LOG_LEVELS[level]!, message, ctx.id, 'plugin', vm, vm.activeStream);
  };

  // ---------------------------------------------------------------- proxy_* (all ABIs)
  const iLog = I('proxy_log');
  const iGetStatus = I('proxy_get_status');
  const iSetProp = I('proxy_set_property');
  const iGetProp = I('proxy_get_property');
  const iLocal = I('proxy_send_local_response');
  const iGetShared = I('proxy_get_shared_data');
  const iSetShared = I('proxy_set_shared_data');
  const iRegQ = I('proxy_register_shared_queue');
  const iResQ = I('proxy_resolve_shared_queue');
  const iDeqQ = I('proxy_dequeue_shared_queue');
  const iEnqQ = I('proxy_enqueue_shared_queue');
  const iGetHV = I('proxy_get_header_map_value');
  const iAddHV = I('proxy_add_header_map_value');
  const iRepHV = I('proxy_replace_header_map_value');
  const iRemHV = I('proxy_remove_header_map_value');
  const iGetHP = I('proxy_get_header_map_pairs');
  const iSetHP = I('proxy_set_header_map_pairs');
  const iGetHS = I('proxy_get_header_map_size');
  const iBufStatus = I('proxy_get_buffer_status');
  const iGetBuf = I('proxy_get_buffer_bytes');
  const iSetBuf = I('proxy_set_buffer_bytes');
  const iHttpCall = I('proxy_http_call');
  const iGrpcCall = I('proxy_grpc_call');
  const iGrpcStream = I('proxy_grpc_stream');
  const iGrpcClose = I('proxy_grpc_close');
  const iGrpcCancel = I('proxy_grpc_cancel');
  const iGrpcSend = I('proxy_grpc_send');
  const iTick = I('proxy_set_tick_period_milliseconds');
  const iTime = I('proxy_get_current_time_nanoseconds');
  const iDefine = I('proxy_define_metric');
  const iIncr = I('proxy_increment_metric');
  const iRecord = I('proxy_record_metric');
  const iGetMetric = I('proxy_get_metric');
  const iEffective = I('proxy_set_effective_context');
  const iDone = I('proxy_done');
  const iForeign = I('proxy_call_foreign_function');


  /** proxy_add_header_map_value / proxy_replace_header_map_value (replace = remove all, then append). */
  function writeHeader(type: number, kp: number, ks: number, vp: number, vs: number, replace: boolean): number {
    type >>>= 0;
    if (type > HEADER_MAP_MAX) return R.BadArgument;
    const m = mem();
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

  const env: Record<string, Fn> = {
    proxy_log(level: number, ptr: number, size: number): number {
      enter(iLog);
      level >>>= 0;
      if (level > 5) return R.BadArgument;
      const m = mem();
      ptr >>>= 0;
      size >>>= 0;
      if (!m.inBounds(ptr, size)) return R.InvalidMemoryAccess;
      if (level >= host.minLogLevel) logFrom(level, m.str(ptr, size)!);
      return R.Ok;
    },

    proxy_get_status(codePtr: number, msgPtrPtr: number, msgSizePtr: number): number {
      enter(iGetStatus);
      const m = mem();
      // Root context status: only set around http/grpc callouts, which the simulator never completes.
      if (!m.setU32(codePtr >>> 0, 0)) return R.InvalidMemoryAccess;
      return m.copyOutString('', msgPtrPtr >>> 0, msgSizePtr >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_property(kp: number, ks: number, vp: number, vs: number): number {
      enter(iSetProp);
      const m = mem();
      const key = m.str(kp >>> 0, ks >>> 0);
      const value = m.bytes(vp >>> 0, vs >>> 0);
      if (key === undefined || value === undefined) return R.InvalidMemoryAccess;
      return vm.ctx().setProperty(key, value);
    },

    proxy_get_property(pp: number, ps: number, vpp: number, vsp: number): number {
      enter(iGetProp);
      const m = mem();
      const path = m.str(pp >>> 0, ps >>> 0);
      if (path === undefined) return R.InvalidMemoryAccess;
      const out = vm.props;
      const r = resolveProperty(path, vm.ctx().streamView(), host.propEnv, out);
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

    proxy_send_local_response(status: number, dp: number, ds: number, bp: number, bs: number, hp: number, hs: number, grpc: number): number {
      enter(iLocal);
      const m = mem();
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

    proxy_get_shared_data(kp: number, ks: number, vpp: number, vsp: number, casPtr: number): number {
      enter(iGetShared);
      const m = mem();
      const key = m.str(kp >>> 0, ks >>> 0);
      if (key === undefined) return R.InvalidMemoryAccess;
      const e = host.shared.data.get(key);
      if (!e) return R.NotFound;
      if (!m.copyOutBytes(e.value, vpp >>> 0, vsp >>> 0)) return R.InvalidMemoryAccess;
      return m.setU32(casPtr >>> 0, e.cas) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_shared_data(kp: number, ks: number, vp: number, vs: number, cas: number): number {
      enter(iSetShared);
      const m = mem();
      const key = m.str(kp >>> 0, ks >>> 0);
      const value = m.bytes(vp >>> 0, vs >>> 0);
      if (key === undefined || value === undefined) return R.InvalidMemoryAccess;
      const e = host.shared.data.get(key);
      cas >>>= 0;
      if (e && cas !== 0 && cas !== e.cas) return R.CasMismatch;
      host.shared.data.set(key, { value, cas: host.shared.nextCas++ });
      return R.Ok;
    },

    proxy_register_shared_queue(np: number, ns: number, tokenPtr: number): number {
      enter(iRegQ);
      const m = mem();
      const name = m.str(np >>> 0, ns >>> 0);
      if (name === undefined) return R.InvalidMemoryAccess;
      const ctx = vm.ctx();
      const rootId = ctx.kind === CTX_ROOT ? ctx.id : host.rootIdFor(vm);
      const key = `${host.propEnv.vmId}\0${name}`;
      let token = host.shared.queueByName.get(key);
      if (token === undefined) {
        token = host.shared.nextQueueToken++;
        host.shared.queueByName.set(key, token);
        host.shared.queues.set(token, { vmId: host.propEnv.vmId, name, rootId, vm, items: [] });
      } else {
        const q = host.shared.queues.get(token)!;
        q.rootId = rootId;
        q.vm = vm;
      }
      return m.setU32(tokenPtr >>> 0, token) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_resolve_shared_queue(vp: number, vs: number, np: number, ns: number, tokenPtr: number): number {
      enter(iResQ);
      const m = mem();
      const vmId = m.str(vp >>> 0, vs >>> 0);
      const name = m.str(np >>> 0, ns >>> 0);
      if (vmId === undefined || name === undefined) return R.InvalidMemoryAccess;
      const token = host.shared.queueByName.get(`${vmId === '' ? host.propEnv.vmId : vmId}\0${name}`);
      if (token === undefined || vm.failed) return R.NotFound;
      return m.setU32(tokenPtr >>> 0, token) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_dequeue_shared_queue(token: number, dpp: number, dsp: number): number {
      enter(iDeqQ);
      const m = mem();
      const q = host.shared.queues.get(token >>> 0);
      if (!q) return R.NotFound;
      const item = q.items.shift();
      if (!item) return R.Empty;
      return m.copyOutBytes(item, dpp >>> 0, dsp >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_enqueue_shared_queue(token: number, dp: number, ds: number): number {
      enter(iEnqQ);
      const m = mem();
      const data = m.bytes(dp >>> 0, ds >>> 0);
      if (data === undefined) return R.InvalidMemoryAccess;
      const t = token >>> 0;
      const q = host.shared.queues.get(t);
      if (!q) return R.NotFound;
      q.items.push(data);
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

    proxy_get_header_map_value(type: number, kp: number, ks: number, vpp: number, vsp: number): number {
      enter(iGetHV);
      type >>>= 0;
      if (type > HEADER_MAP_MAX) return R.BadArgument;
      const m = mem();
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
      enter(iAddHV);
      return writeHeader(type, kp, ks, vp, vs, false);
    },

    proxy_replace_header_map_value(type: number, kp: number, ks: number, vp: number, vs: number): number {
      enter(iRepHV);
      return writeHeader(type, kp, ks, vp, vs, true);
    },

    proxy_remove_header_map_value(type: number, kp: number, ks: number): number {
      enter(iRemHV);
      type >>>= 0;
      if (type > HEADER_MAP_MAX) return R.BadArgument;
      const m = mem();
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
      enter(iGetHP);
      type >>>= 0;
      if (type > HEADER_MAP_MAX) return R.BadArgument;
      const m = mem();
      // getHeaderMapPairs: a missing map is just empty pairs (Ok, ptr 0 / size 0).
      const map = vm.ctx().getConstMap(type);
      const ok = map
        ? copyOutPairs(m, map.keys, map.values, ptrPtr >>> 0, sizePtr >>> 0)
        : m.setU32(ptrPtr >>> 0, 0) && m.setU32(sizePtr >>> 0, 0);
      return ok ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_header_map_pairs(type: number, ptr: number, size: number): number {
      enter(iSetHP);
      type >>>= 0;
      if (type > HEADER_MAP_MAX) return R.BadArgument;
      const m = mem();
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
      enter(iGetHS);
      type >>>= 0;
      if (type > HEADER_MAP_MAX) return R.BadArgument;
      const m = mem();
      const map = vm.ctx().getMap(type);
      if (!map) return R.BadArgument;
      return m.setU32(sizePtr >>> 0, map.byteSize()) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_get_buffer_status(type: number, lengthPtr: number, flagsPtr: number): number {
      enter(iBufStatus);
      type >>>= 0;
      if (type > BUFFER_TYPE_MAX) return R.BadArgument;
      const m = mem();
      const b = vm.ctx().getBuffer(type);
      if (b === null) return R.NotFound;
      if (!m.setU32(lengthPtr >>> 0, b.length)) return R.InvalidMemoryAccess;
      return m.setU32(flagsPtr >>> 0, 0) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_get_buffer_bytes(type: number, start: number, length: number, ptrPtr: number, sizePtr: number): number {
      enter(iGetBuf);
      type >>>= 0;
      if (type > BUFFER_TYPE_MAX) return R.BadArgument;
      const m = mem();
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
      enter(iSetBuf);
      type >>>= 0;
      if (type > BUFFER_TYPE_MAX) return R.BadArgument;
      const m = mem();
      const ctx = vm.ctx();
      if (ctx.getBuffer(type) === null) return R.NotFound;
      const data = m.bytes(dp >>> 0, ds >>> 0);
      if (data === undefined) return R.InvalidMemoryAccess;
      return ctx.setBuffer(type, start >>> 0, length >>> 0, data);
    },

    proxy_http_call(up: number, us: number, hp: number, hs: number, bp: number, bs: number, tp: number, ts: number, timeout: number, tokenPtr: number): number {
      enter(iHttpCall);
      const m = mem();
      if (!m.inBounds(up >>> 0, us >>> 0) || !m.inBounds(hp >>> 0, hs >>> 0) || !m.inBounds(bp >>> 0, bs >>> 0) || !m.inBounds(tp >>> 0, ts >>> 0)) {
        return R.InvalidMemoryAccess;
      }
      if (!m.setU32(tokenPtr >>> 0, 0)) return R.InvalidMemoryAccess;
      // Envoy: negative timeout or unknown cluster → BadArgument. The simulator has no clusters.
      void timeout;
      return R.BadArgument;
    },

    proxy_grpc_call(sp: number, ss: number, np: number, ns: number, mp: number, ms: number, ip: number, is: number, rp: number, rs: number, _timeout: number, _tokenPtr: number): number {
      enter(iGrpcCall);
      const m = mem();
      if (!m.inBounds(sp >>> 0, ss >>> 0) || !m.inBounds(np >>> 0, ns >>> 0) || !m.inBounds(mp >>> 0, ms >>> 0) || !m.inBounds(ip >>> 0, is >>> 0) || !m.inBounds(rp >>> 0, rs >>> 0)) {
        return R.InvalidMemoryAccess;
      }
      return R.ParseFailure; // Envoy: service not a GrpcService proto and no such cluster
    },

    proxy_grpc_stream(sp: number, ss: number, np: number, ns: number, mp: number, ms: number, ip: number, is: number, _tokenPtr: number): number {
      enter(iGrpcStream);
      const m = mem();
      if (!m.inBounds(sp >>> 0, ss >>> 0) || !m.inBounds(np >>> 0, ns >>> 0) || !m.inBounds(mp >>> 0, ms >>> 0) || !m.inBounds(ip >>> 0, is >>> 0)) {
        return R.InvalidMemoryAccess;
      }
      return R.ParseFailure;
    },

    proxy_grpc_close(token: number): number {
      enter(iGrpcClose);
      const t = (token >>> 0) & 3;
      return t === 1 || t === 2 ? R.NotFound : R.BadArgument;
    },

    proxy_grpc_cancel(token: number): number {
      enter(iGrpcCancel);
      const t = (token >>> 0) & 3;
      return t === 1 || t === 2 ? R.NotFound : R.BadArgument;
    },

    proxy_grpc_send(token: number, mp: number, ms: number, _eos: number): number {
      enter(iGrpcSend);
      const m = mem();
      if (!m.inBounds(mp >>> 0, ms >>> 0)) return R.InvalidMemoryAccess;
      return ((token >>> 0) & 3) === 2 ? R.NotFound : R.BadArgument;
    },

    proxy_set_tick_period_milliseconds(period: number): number {
      enter(iTick);
      const ctx = vm.ctx();
      const root = (ctx.kind === CTX_ROOT ? ctx : vm.contexts.get(host.rootIdFor(vm))) as RootContext | undefined;
      if (root) root.tickPeriodMs = period >>> 0;
      return R.Ok;
    },

    proxy_get_current_time_nanoseconds(ptr: number): number {
      enter(iTime);
      return mem().setU64(ptr >>> 0, host.now()) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_define_metric(type: number, np: number, ns: number, idPtr: number): number {
      enter(iDefine);
      const m = mem();
      const name = m.str(np >>> 0, ns >>> 0);
      if (name === undefined) return R.InvalidMemoryAccess;
      const id = vm.metrics.define(type >>> 0, name);
      if (id < 0) return -id;
      return m.setU32(idPtr >>> 0, id) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_increment_metric(id: number, offset: bigint): number {
      enter(iIncr);
      return vm.metrics.increment(id >>> 0, offset);
    },

    proxy_record_metric(id: number, value: bigint): number {
      enter(iRecord);
      return vm.metrics.record(id >>> 0, value);
    },

    proxy_get_metric(id: number, ptr: number): number {
      enter(iGetMetric);
      const [r, v] = vm.metrics.get(id >>> 0);
      if (r !== R.Ok) return r;
      return mem().setU64(ptr >>> 0, v) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_effective_context(id: number): number {
      enter(iEffective);
      const cid = id >>> 0;
      if (!vm.contexts.has(cid)) return R.BadArgument;
      vm.effectiveId = cid;
      return R.Ok;
    },

    proxy_done(): number {
      enter(iDone);
      // WasmBase::done: only meaningful while the root waits in pending_done_ (on_done returned false).
      const ctx = vm.ctx();
      const root = (ctx.kind === CTX_ROOT ? ctx : vm.contexts.get(host.rootIdFor(vm))) as RootContext | undefined;
      if (!root || !root.pendingDone) return R.NotFound;
      root.pendingDone = false;
      vm.after.push(() => host.deleteRoot(vm, root));
      return R.Ok;
    },

    proxy_call_foreign_function(np: number, ns: number, ap: number, as: number, _rpp: number, _rsp: number): number {
      enter(iForeign);
      const m = mem();
      const name = m.str(np >>> 0, ns >>> 0);
      if (name === undefined || !m.inBounds(ap >>> 0, as >>> 0)) return R.InvalidMemoryAccess;
      return ENVOY_FOREIGN.has(name) ? R.Unimplemented : R.NotFound;
    },

    // ------------------------------------------------------------ env (non-proxy)
    pthread_equal(a: number, b: number): number {
      enter(I_PTHREAD_EQUAL);
      return a === b ? 1 : 0;
    },
    emscripten_notify_memory_growth(_index: number): void {
      enter(I_EMSCRIPTEN);
    },
  };
  const I_PTHREAD_EQUAL = I('pthread_equal');
  const I_EMSCRIPTEN = I('emscripten_notify_memory_growth');

  // ---------------------------------------------------------------- ABI-specific proxy_*
  const iGetConfig = I('proxy_get_configuration');
  const iContReq = I('proxy_continue_request');
  const iContResp = I('proxy_continue_response');
  const iClearRoute = I('proxy_clear_route_cache');
  const iContStream = I('proxy_continue_stream');
  const iCloseStream = I('proxy_close_stream');
  const iLogLevel = I('proxy_get_log_level');
  const byAbi: Record<string, Fn> = {
    proxy_get_configuration(vpp: number, vsp: number): number {
      enter(iGetConfig);
      return mem().copyOutBytes(vm.ctx().getConfiguration(), vpp >>> 0, vsp >>> 0) ? R.Ok : R.InvalidMemoryAccess;
    },
    proxy_continue_request(): number {
      enter(iContReq);
      return vm.ctx().continueStream(0);
    },
    proxy_continue_response(): number {
      enter(iContResp);
      return vm.ctx().continueStream(1);
    },
    proxy_clear_route_cache(): number {
      enter(iClearRoute);
      return R.Ok;
    },
    proxy_continue_stream(type: number): number {
      enter(iContStream);
      type >>>= 0;
      if (type > STREAM_TYPE_MAX) return R.BadArgument;
      return vm.ctx().continueStream(type);
    },
    proxy_close_stream(type: number): number {
      enter(iCloseStream);
      type >>>= 0;
      if (type > STREAM_TYPE_MAX) return R.BadArgument;
      return vm.ctx().closeStream(type);
    },
    proxy_get_log_level(ptr: number): number {
      enter(iLogLevel);
      return mem().setU32(ptr >>> 0, host.minLogLevel) ? R.Ok : R.InvalidMemoryAccess;
    },
  };
  for (const name of Object.keys(PROXY_FUNCTIONS_BY_ABI[vm.abi])) env[name] = byAbi[name]!;

  // ---------------------------------------------------------------- WASI (exports.cc wasi_unstable_*)
  const w = (n: string) => I(n);
  const iFdWrite = w('fd_write');
  const writev = (fd: number, iovs: number, iovsLen: number): number | string => {
    // fd 1 → info, fd 2 → error; anything else EBADF. Returns the text or an errno.
    if (fd !== 1 && fd !== 2) return WASI_ERRNO.BADF;
    const m = mem();
    let s = '';
    for (let i = 0; i < iovsLen; i++) {
      const at = iovs + i * 8;
      if (!m.inBounds(at, 8)) return WASI_ERRNO.FAULT;
      const buf = m.u32(at);
      const len = m.u32(at + 4);
      if (len !== 0) {
        const part = m.str(buf, len);
        if (part === undefined) return WASI_ERRNO.FAULT;
        s += part;
      }
    }
    return s;
  };
  const logWritten = (fd: number, s: string): number => {
    const written = Buffer.byteLength(s, 'utf8');
    if (written !== 0) {
      const text = s.endsWith('\n') ? s.slice(0, -1) : s;
      const level = fd === 1 ? 2 : 4;
      if (level >= host.minLogLevel) logFrom(level, text);
    }
    return written;
  };
  const only12 = (fd: number): number => (fd === 1 || fd === 2 ? WASI_ERRNO.SUCCESS : WASI_ERRNO.BADF);
  const hostError = (message: string): void => {
    const ctx = vm.ctx();
    host.log('trace', message, ctx.id, 'host', vm, vm.activeStream);
  };

  const wasi: Record<string, Fn> = {
    fd_write(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number): number {
      enter(iFdWrite);
      const r = writev(fd >>> 0, iovs >>> 0, iovsLen >>> 0);
      if (typeof r === 'number') return r;
      const written = logWritten(fd >>> 0, r);
      return mem().setU32(nwrittenPtr >>> 0, written) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    fd_read(): number { enter(w_fd_read); return WASI_ERRNO.NOSYS; },
    fd_seek(): number { enter(w_fd_seek); hostError('wasi_unstable fd_seek'); return 0; },
    fd_close(): number { enter(w_fd_close); hostError('wasi_unstable fd_close'); return 0; },
    fd_fdstat_get(fd: number, statOut: number): number {
      enter(w_fd_fdstat_get);
      fd >>>= 0;
      if (fd !== 1 && fd !== 2) return WASI_ERRNO.BADF;
      const m = mem();
      statOut >>>= 0;
      if (m.inBounds(statOut, 24)) {
        m.u8.fill(0, statOut, statOut + 24);
        m.dv.setUint32(statOut + 8, 64, true); // fs_rights_base = FD_WRITE
      }
      return WASI_ERRNO.SUCCESS;
    },
    fd_fdstat_set_flags(): number { enter(w_fd_fdstat_set_flags); return WASI_ERRNO.NOSYS; },
    fd_fdstat_set_rights(fd: number): number { enter(w_fd_fdstat_set_rights); return only12(fd >>> 0); },
    environ_get(arrayPtr: number, bufPtr: number): number {
      enter(w_environ_get);
      const m = mem();
      let a = arrayPtr >>> 0;
      let b = bufPtr >>> 0;
      for (const [k, v] of host.wasiEnv) {
        if (!m.setU32(a, b)) return WASI_ERRNO.FAULT;
        const s = `${k}=${v}\0`;
        const len = Buffer.byteLength(s, 'utf8');
        if (!m.inBounds(b, len)) return WASI_ERRNO.FAULT;
        m.buf.write(s, b, 'utf8');
        b += len;
        a += 4;
      }
      return WASI_ERRNO.SUCCESS;
    },
    environ_sizes_get(countPtr: number, sizePtr: number): number {
      enter(w_environ_sizes_get);
      const m = mem();
      if (!m.setU32(countPtr >>> 0, host.wasiEnv.length)) return WASI_ERRNO.FAULT;
      let size = 0;
      for (const [k, v] of host.wasiEnv) size += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
      return m.setU32(sizePtr >>> 0, size) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    args_get(): number { enter(w_args_get); return WASI_ERRNO.SUCCESS; },
    args_sizes_get(argcPtr: number, bufSizePtr: number): number {
      enter(w_args_sizes_get);
      const m = mem();
      return m.setU32(argcPtr >>> 0, 0) && m.setU32(bufSizePtr >>> 0, 0) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    clock_time_get(clockId: number, _precision: bigint, resultPtr: number): number {
      enter(w_clock_time_get);
      clockId >>>= 0;
      let v: bigint;
      if (clockId === 0) v = host.now();
      else if (clockId === 1) v = host.monotonic();
      else return WASI_ERRNO.NOTSUP;
      return mem().setU64(resultPtr >>> 0, v) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    clock_res_get(clockId: number, resultPtr: number): number {
      enter(w_clock_res_get);
      clockId >>>= 0;
      if (clockId !== 0 && clockId !== 1) return WASI_ERRNO.NOTSUP;
      return mem().setU64(resultPtr >>> 0, 1) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    fd_advise(): number { enter(w_fd_advise); return WASI_ERRNO.SUCCESS; },
    fd_allocate(fd: number): number { enter(w_fd_allocate); return only12(fd >>> 0); },
    fd_datasync(fd: number): number { enter(w_fd_datasync); return only12(fd >>> 0); },
    fd_filestat_set_size(fd: number): number { enter(w_fd_filestat_set_size); return only12(fd >>> 0); },
    fd_filestat_set_times(fd: number): number { enter(w_fd_filestat_set_times); return only12(fd >>> 0); },
    fd_pread(): number { enter(w_fd_pread); return WASI_ERRNO.NOSYS; },
    fd_pwrite(fd: number, iovs: number, iovsLen: number, _offset: bigint, nwrittenPtr: number): number {
      enter(w_fd_pwrite);
      fd >>>= 0;
      if (fd !== 1 && fd !== 2) return WASI_ERRNO.BADF;
      const r = writev(fd, iovs >>> 0, iovsLen >>> 0);
      if (typeof r === 'number') return r;
      const written = logWritten(fd, r);
      return mem().setU32(nwrittenPtr >>> 0, written) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    fd_readdir(_fd: number, _buf: number, _len: number, _cookie: bigint, nreadPtr: number): number {
      enter(w_fd_readdir);
      return mem().setU32(nreadPtr >>> 0, 0) ? WASI_ERRNO.NOTDIR : WASI_ERRNO.FAULT;
    },
    fd_renumber(fd: number, to: number): number {
      enter(w_fd_renumber);
      fd >>>= 0;
      to >>>= 0;
      if ((fd !== 1 && fd !== 2) || (to !== 1 && to !== 2)) return WASI_ERRNO.BADF;
      return WASI_ERRNO.NOTSUP;
    },
    fd_sync(fd: number): number { enter(w_fd_sync); return only12(fd >>> 0); },
    fd_tell(fd: number, retPtr: number): number {
      enter(w_fd_tell);
      fd >>>= 0;
      if (fd !== 1 && fd !== 2) return WASI_ERRNO.BADF;
      return mem().setU64(retPtr >>> 0, 0) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    path_create_directory(): number { enter(w_path_create_directory); return WASI_ERRNO.NOTSUP; },
    path_filestat_set_times(): number { enter(w_path_filestat_set_times); return WASI_ERRNO.NOTSUP; },
    path_link(): number { enter(w_path_link); return WASI_ERRNO.NOTSUP; },
    path_readlink(_fd: number, _p: number, _pl: number, _b: number, _bl: number, retPtr: number): number {
      enter(w_path_readlink);
      return mem().setU32(retPtr >>> 0, 0) ? WASI_ERRNO.NOTSUP : WASI_ERRNO.FAULT;
    },
    path_remove_directory(): number { enter(w_path_remove_directory); return WASI_ERRNO.NOTSUP; },
    path_rename(): number { enter(w_path_rename); return WASI_ERRNO.NOTSUP; },
    path_symlink(): number { enter(w_path_symlink); return WASI_ERRNO.NOTSUP; },
    path_unlink_file(): number { enter(w_path_unlink_file); return WASI_ERRNO.NOTSUP; },
    sock_accept(_fd: number, _flags: number, retPtr: number): number {
      enter(w_sock_accept);
      return mem().setU32(retPtr >>> 0, 0) ? WASI_ERRNO.NOTSUP : WASI_ERRNO.FAULT;
    },
    sock_recv(_fd: number, _d: number, _dl: number, _f: number, ret0: number, ret1: number): number {
      enter(w_sock_recv);
      const m = mem();
      ret1 >>>= 0;
      if (!m.setU32(ret0 >>> 0, 0) || !m.inBounds(ret1, 2)) return WASI_ERRNO.FAULT;
      m.dv.setUint16(ret1, 0, true);
      return WASI_ERRNO.NOTSUP;
    },
    sock_send(_fd: number, _d: number, _dl: number, _f: number, ret0: number): number {
      enter(w_sock_send);
      return mem().setU32(ret0 >>> 0, 0) ? WASI_ERRNO.NOTSUP : WASI_ERRNO.FAULT;
    },
    sock_shutdown(): number { enter(w_sock_shutdown); return WASI_ERRNO.NOTSUP; },
    random_get(ptr: number, len: number): number {
      enter(w_random_get);
      len >>>= 0;
      if (len > RANDOM_GET_MAX) return WASI_ERRNO.INVAL;
      if (len === 0) return WASI_ERRNO.SUCCESS;
      const m = mem();
      ptr >>>= 0;
      if (!m.inBounds(ptr, len)) return WASI_ERRNO.FAULT;
      randomFillSync(m.u8, ptr, len);
      return WASI_ERRNO.SUCCESS;
    },
    sched_yield(): number { enter(w_sched_yield); return WASI_ERRNO.SUCCESS; },
    poll_oneoff(_in: number, _out: number, _n: number, neventsPtr: number): number {
      enter(w_poll_oneoff);
      return mem().setU32(neventsPtr >>> 0, 0) ? WASI_ERRNO.SUCCESS : WASI_ERRNO.FAULT;
    },
    proc_exit(code: number): void {
      enter(w_proc_exit);
      // exports.cc: only logs (Context::error → trace) and returns; the module's next
      // instruction (AssemblyScript: unreachable) traps.
      hostError('wasi_unstable proc_exit');
      host.noteProcExit(vm, code >>> 0);
    },
    path_open(): number { enter(w_path_open); return WASI_ERRNO.NOENT; },
    fd_prestat_get(): number { enter(w_fd_prestat_get); return WASI_ERRNO.BADF; },
    fd_prestat_dir_name(): number { enter(w_fd_prestat_dir_name); return WASI_ERRNO.NOSYS; },
    path_filestat_get(): number { enter(w_path_filestat_get); return WASI_ERRNO.NOTSUP; },
    fd_filestat_get(): number { enter(w_fd_filestat_get); return WASI_ERRNO.BADF; },
  };
  const w_fd_read = w('fd_read'), w_fd_seek = w('fd_seek'), w_fd_close = w('fd_close');
  const w_fd_fdstat_get = w('fd_fdstat_get'), w_fd_fdstat_set_flags = w('fd_fdstat_set_flags');
  const w_fd_fdstat_set_rights = w('fd_fdstat_set_rights'), w_environ_get = w('environ_get');
  const w_environ_sizes_get = w('environ_sizes_get'), w_args_get = w('args_get'), w_args_sizes_get = w('args_sizes_get');
  const w_clock_time_get = w('clock_time_get'), w_clock_res_get = w('clock_res_get'), w_fd_advise = w('fd_advise');
  const w_fd_allocate = w('fd_allocate'), w_fd_datasync = w('fd_datasync'), w_fd_filestat_set_size = w('fd_filestat_set_size');
  const w_fd_filestat_set_times = w('fd_filestat_set_times'), w_fd_pread = w('fd_pread'), w_fd_pwrite = w('fd_pwrite');
  const w_fd_readdir = w('fd_readdir'), w_fd_renumber = w('fd_renumber'), w_fd_sync = w('fd_sync'), w_fd_tell = w('fd_tell');
  const w_path_create_directory = w('path_create_directory'), w_path_filestat_set_times = w('path_filestat_set_times');
  const w_path_link = w('path_link'), w_path_readlink = w('path_readlink'), w_path_remove_directory = w('path_remove_directory');
  const w_path_rename = w('path_rename'), w_path_symlink = w('path_symlink'), w_path_unlink_file = w('path_unlink_file');
  const w_sock_accept = w('sock_accept'), w_sock_recv = w('sock_recv'), w_sock_send = w('sock_send');
  const w_sock_shutdown = w('sock_shutdown'), w_random_get = w('random_get'), w_sched_yield = w('sched_yield');
  const w_poll_oneoff = w('poll_oneoff'), w_proc_exit = w('proc_exit'), w_path_open = w('path_open');
  const w_fd_prestat_get = w('fd_prestat_get'), w_fd_prestat_dir_name = w('fd_prestat_dir_name');
  const w_path_filestat_get = w('path_filestat_get'), w_fd_filestat_get = w('fd_filestat_get');

  const imports: WebAssembly.Imports = { env: env as unknown as WebAssembly.ModuleImports };
  for (const mod of WASI_MODULES) imports[mod] = wasi as unknown as WebAssembly.ModuleImports;
  return imports;
}
