// The filter's Context for one HTTP stream, as the module sees it (envoy
// source/extensions/common/wasm/context.cc getMap/getBuffer/setProperty, proxy-wasm-cpp-host
// src/context.cc onRequestHeaders/... with CHECK_FAIL): the header-map and body windows the
// hostcalls may touch, filter state, StreamInfo for properties, and the calls into the module.
// What drives it — the connection manager's events, the encode path, local replies, resets — is
// HttpStream (stream.ts), which extends this class.
import { BufferType, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HeaderMapType, WasmResult } from './abi.ts';
import { concatBytes, EMPTY_BYTES } from './bytes.ts';
import { ContextBase, CTX_STREAM } from './context.ts';
import { HeaderMap } from './header-maps.ts';
import { HOSTCALL_COUNT } from './hostcalls/table.ts';
import type { StreamView } from './properties.ts';
import type { LocalReply, LogEntry, PropertyValue, ReturnCodes } from './types.ts';
import type { WasmVm } from './vm.ts';

/** How the filter takes part in this stream (envoy wasm_filter.h createFilter). */
export type FilterMode =
  | 'active' // normal Context
  | 'failed' // fail-closed and the VM had already failed: an empty Context that answers 503
  | 'skipped'; // fail-open and the VM had already failed: the filter is not in the chain

/** What a stream needs from the host. */
export interface StreamHost {
  readonly failOpen: boolean;
  now(): bigint;
  /** Another access logger on the stream (Istio's stats filter), run next to the plugin's on_log. */
  readonly accessLog?: StreamAccessLogger;
}

export interface StreamAccessLogger {
  /** true: it runs before the plugin's on_log (the plugin sits after it in the filter chain). */
  readonly beforePlugin: boolean;
  /** Called in the access-log phase: request/response maps and filter state are readable. */
  log(stream: StreamView): void;
}

export interface NewStreamOptions {
  /** Per-request property overrides (dotted paths). */
  properties?: Record<string, PropertyValue>;
  /** request.protocol (default 'HTTP/1.1'). */
  protocol?: string;
  connectionId?: number;
}

/** The StreamInfo fields the connection manager fills in as the stream goes. */
interface StreamInfoState {
  completeTimeNs: bigint | undefined;
  bytesReceived: number;
  bytesSent: number;
  responseCode: number | undefined;
  responseCodeDetails: string | undefined;
  responseFlags: number;
  upstreamAttempts: number;
}

const utf8 = new TextDecoder();

export abstract class StreamContext extends ContextBase implements StreamView {
  // ---- StreamInfo (StreamView); read-only from outside, written by the connection manager
  readonly startTimeNs: bigint;
  readonly protocol: string;
  /** Filter state by key ("wasm.<name>" for proxy_set_property), raw bytes. */
  readonly stateMap = new Map<string, Uint8Array>();
  readonly connectionId: number;
  readonly overrides: Map<string, PropertyValue> | null;
  protected readonly info: StreamInfoState = {
    completeTimeNs: undefined,
    bytesReceived: 0,
    bytesSent: 0,
    responseCode: undefined,
    responseCodeDetails: undefined,
    responseFlags: 0,
    upstreamAttempts: 0,
  };

  // ---- HCM-owned maps (the filter edits them in place)
  protected reqHeaders: HeaderMap | null = null;
  protected respHeaders: HeaderMap | null = null;
  protected respTrailers: HeaderMap | null = null;

  // ---- Context pointers (what the filter may currently see)
  protected reqHeadersPtr: HeaderMap | null = null;
  protected reqTrailersPtr: HeaderMap | null = null;
  protected reqBodyBuf: Uint8Array | null = null;
  protected respHeadersPtr: HeaderMap | null = null;
  protected respTrailersPtr: HeaderMap | null = null;
  protected respBodyBuf: Uint8Array | null = null;
  protected alReq: HeaderMap | null = null;
  protected alResp: HeaderMap | null = null;
  protected alRespTrailers: HeaderMap | null = null;
  protected endOfStream = false;
  protected reqPending: Uint8Array | null = null;
  protected respPending: Uint8Array | null = null;

  /** CHECK_FAIL already sent the fail-closed reply for this stream. */
  private streamFailed = false;

  // ---- result
  readonly logs: LogEntry[] = [];
  trapped = false;
  trap: string | undefined;
  localReply: LocalReply | undefined;
  readonly returnCodes: ReturnCodes = {};

  constructor(
    readonly vm: WasmVm,
    id: number,
    readonly rootId: number,
    readonly mode: FilterMode,
    protected readonly host: StreamHost,
    opts: NewStreamOptions,
    overrides: Map<string, PropertyValue> | null,
  ) {
    super(id, CTX_STREAM, vm.host.vmConfig);
    this.counts = new Int32Array(HOSTCALL_COUNT);
    this.startTimeNs = host.now();
    this.protocol = opts.protocol ?? 'HTTP/1.1';
    this.connectionId = opts.connectionId ?? 1;
    this.overrides = overrides;
    if (mode === 'active') vm.contexts.set(id, this);
  }

  get completeTimeNs(): bigint | undefined {
    return this.info.completeTimeNs;
  }
  get bytesReceived(): number {
    return this.info.bytesReceived;
  }
  get bytesSent(): number {
    return this.info.bytesSent;
  }
  get responseCode(): number | undefined {
    return this.info.responseCode;
  }
  get responseCodeDetails(): string | undefined {
    return this.info.responseCodeDetails;
  }
  /** ResponseFlag bits (connection-manager.ts). */
  get responseFlags(): number {
    return this.info.responseFlags;
  }
  get upstreamAttempts(): number {
    return this.info.upstreamAttempts;
  }

  /** Current filter state, UTF-8 decoded (readable mid-stream, e.g. right after requestHeaders()). */
  get filterState(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.stateMap) out[k] = utf8.decode(v);
    return out;
  }

  get filterStateBytes(): Record<string, Uint8Array> {
    return Object.fromEntries(this.stateMap);
  }

  // =========================================================== Envoy Context (hostcall side)

  override streamView(): StreamView {
    return this;
  }

  activationRequestHeaders(): HeaderMap | null {
    return this.reqHeadersPtr ?? this.alReq;
  }
  activationResponseHeaders(): HeaderMap | null {
    return this.respHeadersPtr ?? this.alResp;
  }
  activationResponseTrailers(): HeaderMap | null {
    return this.respTrailersPtr ?? this.alRespTrailers;
  }

  override getMap(type: number): HeaderMap | null {
    switch (type) {
      case HeaderMapType.RequestHeaders:
        return this.reqHeadersPtr;
      case HeaderMapType.RequestTrailers:
        // A filter may add trailers while handling the last body chunk (addDecodedTrailers).
        if (this.reqTrailersPtr === null && this.reqBodyBuf !== null && this.endOfStream && !this.accessLogPhase) {
          this.reqTrailersPtr = new HeaderMap();
        }
        return this.reqTrailersPtr;
      case HeaderMapType.ResponseHeaders:
        return this.respHeadersPtr;
      case HeaderMapType.ResponseTrailers:
        if (this.respTrailersPtr === null && this.respBodyBuf !== null && this.endOfStream && !this.accessLogPhase) {
          this.respTrailers = this.respTrailersPtr = new HeaderMap();
        }
        return this.respTrailersPtr;
      default:
        return null;
    }
  }

  override getConstMap(type: number): HeaderMap | null {
    const log = this.accessLogPhase;
    switch (type) {
      case HeaderMapType.RequestHeaders:
        return log ? this.alReq : this.reqHeadersPtr;
      case HeaderMapType.RequestTrailers:
        return log ? null : this.reqTrailersPtr;
      case HeaderMapType.ResponseHeaders:
        return log ? this.alResp : this.respHeadersPtr;
      case HeaderMapType.ResponseTrailers:
        return log ? this.alRespTrailers : this.respTrailersPtr;
      default:
        return null; // gRPC / http-call maps live on the root context and are never set here
    }
  }

  override getBuffer(type: number): Uint8Array | null {
    if (type === BufferType.HttpRequestBody) return this.reqBodyBuf ?? EMPTY_BYTES;
    if (type === BufferType.HttpResponseBody) return this.respBodyBuf ?? EMPTY_BYTES;
    if (type === BufferType.PluginConfiguration) return null; // temp_plugin_ is only set on roots
    return super.getBuffer(type);
  }

  /** Buffer::copyFrom on the live body: start 0 → drain `length` and prepend; start ≥ size → append. */
  override setBuffer(type: number, start: number, length: number, data: Uint8Array): number {
    if (type !== BufferType.HttpRequestBody && type !== BufferType.HttpResponseBody) {
      return super.setBuffer(type, start, length, data);
    }
    const cur = type === BufferType.HttpRequestBody ? this.reqBodyBuf : this.respBodyBuf;
    if (cur === null) return WasmResult.BadArgument;
    let next: Uint8Array;
    if (start === 0) next = concatBytes(data, cur.subarray(Math.min(length, cur.length)));
    else if (start >= cur.length) next = concatBytes(cur, data);
    else return WasmResult.BadArgument;
    if (type === BufferType.HttpRequestBody) this.reqBodyBuf = next;
    else this.respBodyBuf = next;
    return WasmResult.Ok;
  }

  override setProperty(path: string, value: Uint8Array): number {
    // CelState with the default prototype (bytes, FilterChain life span); overwritten in place.
    this.stateMap.set(`wasm.${path}`, value);
    return WasmResult.Ok;
  }

  /** Called by the VM when a trap happens while this stream's callback runs. */
  override noteTrap(message: string): void {
    this.trapped = true;
    this.trap ??= message;
  }

  // =========================================================== calls into the module

  /** Context::failStream for Request and Response (the connection manager's local reply). */
  protected abstract failStream(): void;

  protected isFailed(): boolean {
    return this.mode === 'failed' || this.vm.failed;
  }

  /** CHECK_FAIL: -1 if healthy; otherwise the open/closed status, sending the 503 once when closed. */
  private checkFail(open: number, closed: number): number {
    if (!this.isFailed()) return -1;
    if (this.host.failOpen) return open;
    if (!this.streamFailed) {
      this.streamFailed = true;
      this.failStream();
    }
    return closed;
  }

  protected onCreate(): void {
    const fn = this.vm.cb.proxy_on_context_create;
    if (!this.isFailed() && !this.created && fn) {
      this.vm.call(this, 'proxy_on_context_create', fn, this.id, this.rootId, 0);
      this.vm.afterCall();
    }
    this.created = true;
  }

  /** proxy_on_request_headers / proxy_on_response_headers → FilterHeadersStatus. */
  protected onHeaders(request: boolean, n: number, eos: boolean): number {
    const H = FilterHeadersStatus;
    let f = this.checkFail(H.Continue, H.StopAllIterationAndWatermark);
    if (f >= 0) return f;
    const name = request ? 'proxy_on_request_headers' : 'proxy_on_response_headers';
    const fn = this.vm.cb[name];
    if (!fn) return H.Continue;
    const r = this.vm.call(this, name, fn, this.id, n, eos ? 1 : 0);
    if (request) this.returnCodes.requestHeaders = r;
    else this.returnCodes.responseHeaders = r;
    f = this.checkFail(H.Continue, H.StopAllIterationAndWatermark);
    const status = f >= 0 ? f : this.convertHeaders(r);
    this.vm.afterCall();
    return status;
  }

  /** proxy_on_request_body / proxy_on_response_body → FilterDataStatus. */
  protected onBody(request: boolean, size: number, eos: boolean): number {
    const D = FilterDataStatus;
    let f = this.checkFail(D.Continue, D.StopIterationNoBuffer);
    if (f >= 0) return f;
    const name = request ? 'proxy_on_request_body' : 'proxy_on_response_body';
    const fn = this.vm.cb[name];
    if (!fn) return D.Continue;
    const r = this.vm.call(this, name, fn, this.id, size, eos ? 1 : 0);
    if (request) this.returnCodes.requestBody = r;
    else this.returnCodes.responseBody = r;
    f = this.checkFail(D.Continue, D.StopIterationNoBuffer);
    const status = f >= 0 ? f : this.vm.stopIteration || r > D.StopIterationNoBuffer ? D.StopIterationNoBuffer : r;
    this.vm.afterCall();
    return status;
  }

  /** proxy_on_request_trailers / proxy_on_response_trailers → FilterTrailersStatus. */
  protected onTrailers(request: boolean, n: number): number {
    const T = FilterTrailersStatus;
    let f = this.checkFail(T.Continue, T.StopIteration);
    if (f >= 0) return f;
    const name = request ? 'proxy_on_request_trailers' : 'proxy_on_response_trailers';
    const fn = this.vm.cb[name];
    if (!fn) return T.Continue;
    const r = this.vm.call(this, name, fn, this.id, n, 0);
    if (request) this.returnCodes.requestTrailers = r;
    else this.returnCodes.responseTrailers = r;
    f = this.checkFail(T.Continue, T.StopIteration);
    const status = f >= 0 ? f : this.vm.stopIteration || r > T.StopIteration ? T.StopIteration : r;
    this.vm.afterCall();
    return status;
  }

  protected onLog(): void {
    const fn = this.vm.cb.proxy_on_log;
    if (!this.isFailed() && fn) {
      this.vm.call(this, 'proxy_on_log', fn, this.id, 0, 0);
      this.vm.afterCall();
    }
  }

  protected onDone(): void {
    const fn = this.vm.cb.proxy_on_done;
    if (!this.isFailed() && fn) {
      this.returnCodes.done = this.vm.call(this, 'proxy_on_done', fn, this.id, 0, 0);
      this.vm.afterCall();
    }
  }

  protected onDelete(): void {
    const fn = this.vm.cb.proxy_on_delete;
    if (this.created && !this.isFailed() && fn) {
      this.vm.call(this, 'proxy_on_delete', fn, this.id, 0, 0);
      this.vm.afterCall();
    }
  }

  /**
   * convertVmCallResultToFilterHeadersStatus: a pending local reply or a value past the last
   * status → StopAllIterationAndWatermark; StopIteration → StopAllIterationAndWatermark (0.2.x default).
   */
  private convertHeaders(r: number): number {
    const H = FilterHeadersStatus;
    if (this.vm.stopIteration || r > H.StopAllIterationAndWatermark || r === H.StopIteration) return H.StopAllIterationAndWatermark;
    return r;
  }
}
