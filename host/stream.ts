// One HTTP stream through the Wasm filter: Envoy's connection manager (HCM) side and the filter's
// Context (envoy source/extensions/common/wasm/context.cc decodeHeaders/encodeHeaders/log/...,
// proxy-wasm-cpp-host src/context.cc onRequestHeaders/... with CHECK_FAIL).
//
// Order Envoy drives for HTTP (filter registered as stream filter and access logger):
//   on_context_create (lazily, in decodeHeaders; in log() if never created) → on_request_headers →
//   on_request_body* → on_request_trailers? → on_response_headers → on_response_body* →
//   on_response_trailers? → on_log → on_done → on_delete.
import { ContextBase, CTX_STREAM, EMPTY_BYTES } from './context.ts';
import { HeaderMap } from './header-maps.ts';
import { HOSTCALL_COUNT } from './hostcalls.ts';
import type { StreamView } from './properties.ts';
import type {
  HeaderPairs,
  HeaderInput,
  LocalReply,
  LogEntry,
  PropertyValue,
  ReturnCodes,
  StreamResult,
} from './types.ts';
import { BufferType, HeaderMapType, WasmResult } from './types.ts';
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
  log(stream: HttpStream): void;
}

const FLAG_DOWNSTREAM_CONNECTION_TERMINATION = 0x4000; // StreamInfo::ResponseFlag DC
const utf8 = new TextDecoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function toBytes(b: string | Uint8Array | undefined): Uint8Array {
  if (b === undefined) return EMPTY_BYTES;
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}

export interface NewStreamOptions {
  /** Per-request property overrides (dotted paths). */
  properties?: Record<string, PropertyValue>;
  /** request.protocol (default 'HTTP/1.1'). */
  protocol?: string;
  connectionId?: number;
}

export class HttpStream extends ContextBase implements StreamView {
  // ---- StreamInfo (StreamView)
  readonly startTimeNs: bigint;
  completeTimeNs: bigint | undefined;
  readonly protocol: string;
  bytesReceived = 0;
  bytesSent = 0;
  responseCode: number | undefined;
  responseCodeDetails: string | undefined;
  responseFlags = 0;
  upstreamAttempts = 0;
  /** Filter state by key ("wasm.<name>" for proxy_set_property), raw bytes. */
  readonly stateMap = new Map<string, Uint8Array>();
  readonly connectionId: number;
  readonly overrides: Map<string, PropertyValue> | null;

  // ---- HCM-owned maps and body
  private reqHeaders: HeaderMap | null = null;
  private respHeaders: HeaderMap | null = null;
  private respTrailers: HeaderMap | null = null;
  private respChunks: Uint8Array[] = [];

  // ---- Context pointers (what the filter may currently see)
  private reqHeadersPtr: HeaderMap | null = null;
  private reqTrailersPtr: HeaderMap | null = null;
  private reqBodyBuf: Uint8Array | null = null;
  private respHeadersPtr: HeaderMap | null = null;
  private respTrailersPtr: HeaderMap | null = null;
  private respBodyBuf: Uint8Array | null = null;
  private alReq: HeaderMap | null = null;
  private alResp: HeaderMap | null = null;
  private alRespTrailers: HeaderMap | null = null;
  private endOfStream = false;
  private reqPending: Uint8Array | null = null;
  private respPending: Uint8Array | null = null;

  // ---- filter failure state
  private streamFailed = false;
  private failureLocalReplySent = false;

  // ---- flow
  private requestHeadersSeen = false;
  private requestEnded = false;
  private responseStarted = false; // response headers entered the encoder chain
  private responseHeadersEncoded = false; // ... and passed this filter
  private responseDone = false; // no more upstream response events are processed
  private responseComplete = false; // the whole response went downstream
  private localReplied = false;
  private isReset = false;
  private completed = false;

  // ---- result
  readonly logs: LogEntry[] = [];
  trapped = false;
  trap: string | undefined;
  localReply: LocalReply | undefined;
  readonly returnCodes: ReturnCodes = {};

  constructor(
    vm: WasmVm,
    id: number,
    readonly rootId: number,
    readonly mode: FilterMode,
    private readonly host: StreamHost,
    opts: NewStreamOptions,
    overrides: Map<string, PropertyValue> | null,
  ) {
    super(vm, id, CTX_STREAM);
    this.counts = new Int32Array(HOSTCALL_COUNT);
    this.startTimeNs = host.now();
    this.protocol = opts.protocol ?? 'HTTP/1.1';
    this.connectionId = opts.connectionId ?? 1;
    this.overrides = overrides;
    if (mode === 'active') vm.contexts.set(id, this);
  }

  // =========================================================== public stream API (HCM events)

  /** Downstream request headers (as the codec produced them; keys are lower-cased, pseudo-headers first). */
  requestHeaders(headers: HeaderInput, endOfStream: boolean): void {
    this.assertOpen();
    if (this.requestHeadersSeen) throw new Error('requestHeaders() called twice');
    this.requestHeadersSeen = true;
    const map = HeaderMap.from(headers);
    // Istio runs Envoy with http_reject_path_with_fragment=false: the HCM strips "#fragment".
    const pi = map.indexOf(':path');
    if (pi >= 0) {
      const p = map.values[pi]!;
      const h = p.indexOf('#');
      if (h >= 0) map.values[pi] = p.slice(0, h);
    }
    this.reqHeaders = map;
    this.requestEnded = endOfStream;
    if (this.mode === 'skipped') return;
    // Context::decodeHeaders
    this.onCreate();
    this.reqHeadersPtr = map;
    this.endOfStream = endOfStream;
    const status = this.onRequestHeaders(map.size, endOfStream);
    if (status === 0) this.reqHeadersPtr = null;
  }

  requestBody(body: string | Uint8Array, endOfStream: boolean): void {
    this.assertOpen();
    if (!this.requestHeadersSeen) throw new Error('requestBody() before requestHeaders()');
    if (this.requestEnded) throw new Error('requestBody() after the end of the request');
    const chunk = toBytes(body);
    this.bytesReceived += chunk.length;
    this.requestEnded = endOfStream;
    if (this.mode === 'skipped' || this.localReplied || this.isReset || !this.created) return;
    // Context::decodeData
    const data = this.reqPending ? concat(this.reqPending, chunk) : chunk;
    this.reqBodyBuf = data;
    this.endOfStream = endOfStream;
    const status = this.onBody(true, data.length, endOfStream);
    if (status === 1 && !endOfStream) {
      this.reqPending = this.reqBodyBuf; // StopIterationAndBuffer: keep buffering
    } else {
      this.reqPending = null;
    }
    if (status === 0) this.reqBodyBuf = null;
  }

  requestTrailers(trailers: HeaderInput): void {
    this.assertOpen();
    if (!this.requestHeadersSeen) throw new Error('requestTrailers() before requestHeaders()');
    if (this.requestEnded) throw new Error('requestTrailers() after the end of the request');
    const map = HeaderMap.from(trailers);
    this.requestEnded = true;
    if (this.mode === 'skipped' || this.localReplied || this.isReset || !this.created) return;
    this.reqTrailersPtr = map;
    const status = this.onTrailers(true, map.size);
    if (status === 0) this.reqTrailersPtr = null;
  }

  /** Upstream response headers. Ignored after a local reply or reset (the upstream response is discarded). */
  responseHeaders(headers: HeaderInput, endOfStream: boolean): void {
    this.assertOpen();
    if (!this.requestHeadersSeen) throw new Error('responseHeaders() before requestHeaders()');
    if (this.responseDone || this.localReplied || this.isReset) return;
    if (this.responseStarted) throw new Error('responseHeaders() called twice');
    const map = HeaderMap.from(headers);
    const status = Number(map.get(':status'));
    // The router sets StreamInfo's response code before the encoder filters run.
    this.responseCode = Number.isFinite(status) ? status : undefined;
    this.responseCodeDetails = 'via_upstream';
    this.upstreamAttempts = 1;
    this.encodeHeaders(map, endOfStream);
  }

  responseBody(body: string | Uint8Array, endOfStream: boolean): void {
    this.assertOpen();
    if (this.responseDone || this.localReplied || this.isReset) return;
    if (!this.responseStarted) throw new Error('responseBody() before responseHeaders()');
    this.encodeData(toBytes(body), endOfStream);
  }

  responseTrailers(trailers: HeaderInput): void {
    this.assertOpen();
    if (this.responseDone || this.localReplied || this.isReset) return;
    if (!this.responseStarted) throw new Error('responseTrailers() before responseHeaders()');
    this.encodeTrailers(HeaderMap.from(trailers));
  }

  /** Downstream/upstream reset: no further filter callbacks except the access log and teardown. */
  reset(): void {
    this.assertOpen();
    this.doReset();
  }

  /** Finish the stream: access log (on_log) → on_done → on_delete. Returns the stream's result. */
  complete(opts: { durationMs?: number } = {}): StreamResult {
    this.assertOpen();
    this.completed = true;
    this.completeTimeNs =
      opts.durationMs !== undefined ? this.startTimeNs + BigInt(Math.round(opts.durationMs * 1e6)) : this.host.now();
    // Access loggers run in filter-chain order: the plugin's on_log (Context::log, which creates the
    // context if decodeHeaders never ran) and the host's stats logger, then Context::onDestroy.
    const other = this.host.accessLog;
    const plugin = this.mode !== 'skipped';
    if (plugin && !this.created) this.onCreate();
    this.accessLogPhase = true;
    this.alReq = this.reqHeaders;
    this.alResp = this.respHeaders;
    this.alRespTrailers = this.respTrailers;
    if (other?.beforePlugin) other.log(this);
    if (plugin) this.onLog();
    if (other && !other.beforePlugin) other.log(this);
    this.accessLogPhase = false;
    this.alReq = this.alResp = this.alRespTrailers = null;
    if (plugin) {
      this.onDone();
      this.onDelete();
    }
    if (this.mode === 'active') this.vm.contexts.delete(this.id);
    return this.result();
  }

  get isComplete(): boolean {
    return this.completed;
  }

  /** Current filter state, UTF-8 decoded (readable mid-stream, e.g. right after requestHeaders()). */
  /** Request headers as the filter left them (what a proxy forwards upstream); null before request headers. */
  get forwardedRequestHeaders(): HeaderPairs | null {
    return this.reqHeaders ? this.reqHeaders.toPairs() : null;
  }

  /** Response headers as the filter left them (what a proxy sends downstream); null before response headers. */
  get downstreamResponseHeaders(): HeaderPairs | null {
    return this.respHeaders ? this.respHeaders.toPairs() : null;
  }

  /** Whether the stream was reset (by the proxy, or by the filter through proxy_close_stream). */
  get wasReset(): boolean {
    return this.isReset;
  }

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
    if (start === 0) next = concat(data, cur.subarray(Math.min(length, cur.length)));
    else if (start >= cur.length) next = concat(cur, data);
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

  override continueStream(type: number): number {
    if (type === 3) return WasmResult.Unimplemented;
    if (type === 2) return WasmResult.Ok;
    if (type === 1) this.vm.after.push(() => { if (this.responseStarted) this.responseHeadersEncoded = true; });
    // Envoy clears the request-side pointers for both Request and Response.
    this.reqHeadersPtr = null;
    this.reqBodyBuf = null;
    this.reqTrailersPtr = null;
    return WasmResult.Ok;
  }

  override closeStream(type: number): number {
    if (type === 0 || type === 1) {
      if (this.responseCodeDetails === undefined) this.responseCodeDetails = 'wasm_close_stream';
      this.vm.after.push(() => this.doReset());
    }
    return WasmResult.Ok;
  }

  override sendLocalResponse(status: number, body: Uint8Array, headers: [string, string][], grpc: number, details: string): void {
    // Deferred until the callback returns (addAfterVmCallAction); whitespace in details → '_'.
    const d = details.replace(/\s/g, '_');
    this.vm.after.push(() => this.hcmLocalReply(status, body, headers, grpc, d, 'plugin'));
  }

  /** Called by the VM when a trap happens while this stream's callback runs. */
  noteTrap(message: string): void {
    this.trapped = true;
    this.trap ??= message;
  }

  // =========================================================== internals

  private assertOpen(): void {
    if (this.completed) throw new Error('stream already completed');
  }

  private isFailed(): boolean {
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

  /** Context::failStream for Request and Response: one local reply 503 "wasm_fail_stream". */
  private failStream(): void {
    if (this.failureLocalReplySent) return;
    this.failureLocalReplySent = true;
    this.hcmLocalReply(503, EMPTY_BYTES, [], 14, 'wasm_fail_stream', 'host');
  }

  private onCreate(): void {
    const fn = this.vm.cb.proxy_on_context_create;
    if (!this.isFailed() && !this.created && fn) {
      this.vm.call(this, 'proxy_on_context_create', fn, this.id, this.rootId, 0);
      this.vm.afterCall();
    }
    this.created = true;
  }

  private onRequestHeaders(n: number, eos: boolean): number {
    let f = this.checkFail(0, 4);
    if (f >= 0) return f;
    const fn = this.vm.cb.proxy_on_request_headers;
    if (!fn) return 0;
    const r = this.vm.call(this, 'proxy_on_request_headers', fn, this.id, n, eos ? 1 : 0);
    this.returnCodes.requestHeaders = r;
    f = this.checkFail(0, 4);
    const status = f >= 0 ? f : this.convertHeaders(r);
    this.vm.afterCall();
    return status;
  }

  private onResponseHeaders(n: number, eos: boolean): number {
    let f = this.checkFail(0, 4);
    if (f >= 0) return f;
    const fn = this.vm.cb.proxy_on_response_headers;
    if (!fn) return 0;
    const r = this.vm.call(this, 'proxy_on_response_headers', fn, this.id, n, eos ? 1 : 0);
    this.returnCodes.responseHeaders = r;
    f = this.checkFail(0, 4);
    const status = f >= 0 ? f : this.convertHeaders(r);
    this.vm.afterCall();
    return status;
  }

  private onBody(request: boolean, size: number, eos: boolean): number {
    let f = this.checkFail(0, 3);
    if (f >= 0) return f;
    const name = request ? 'proxy_on_request_body' : 'proxy_on_response_body';
    const fn = this.vm.cb[name];
    if (!fn) return 0;
    const r = this.vm.call(this, name, fn, this.id, size, eos ? 1 : 0);
    if (request) this.returnCodes.requestBody = r;
    else this.returnCodes.responseBody = r;
    f = this.checkFail(0, 3);
    const status = f >= 0 ? f : this.vm.stopIteration || r > 3 ? 3 : r;
    this.vm.afterCall();
    return status;
  }

  private onTrailers(request: boolean, n: number): number {
    let f = this.checkFail(0, 1);
    if (f >= 0) return f;
    const name = request ? 'proxy_on_request_trailers' : 'proxy_on_response_trailers';
    const fn = this.vm.cb[name];
    if (!fn) return 0;
    const r = this.vm.call(this, name, fn, this.id, n, 0);
    if (request) this.returnCodes.requestTrailers = r;
    else this.returnCodes.responseTrailers = r;
    f = this.checkFail(0, 1);
    const status = f >= 0 ? f : this.vm.stopIteration || r > 1 ? 1 : r;
    this.vm.afterCall();
    return status;
  }

  private onLog(): void {
    const fn = this.vm.cb.proxy_on_log;
    if (!this.isFailed() && fn) {
      this.vm.call(this, 'proxy_on_log', fn, this.id, 0, 0);
      this.vm.afterCall();
    }
  }

  private onDone(): void {
    const fn = this.vm.cb.proxy_on_done;
    if (!this.isFailed() && fn) {
      this.returnCodes.done = this.vm.call(this, 'proxy_on_done', fn, this.id, 0, 0);
      this.vm.afterCall();
    }
  }

  private onDelete(): void {
    const fn = this.vm.cb.proxy_on_delete;
    if (this.created && !this.isFailed() && fn) {
      this.vm.call(this, 'proxy_on_delete', fn, this.id, 0, 0);
      this.vm.afterCall();
    }
  }

  /**
   * convertVmCallResultToFilterHeadersStatus: a pending local reply or a value > 4 →
   * StopAllIterationAndWatermark; StopIteration → StopAllIterationAndWatermark (0.2.x default).
   */
  private convertHeaders(r: number): number {
    if (this.vm.stopIteration || r > 4 || r === 1) return 4;
    return r;
  }

  /** Context::encodeHeaders. */
  private encodeHeaders(map: HeaderMap, eos: boolean): void {
    this.responseStarted = true;
    this.respHeaders = map;
    if (eos) this.responseDone = true;
    if (this.mode === 'skipped' || !this.created || this.failureLocalReplySent) {
      this.responseHeadersEncoded = true;
      if (eos) this.responseComplete = true;
      return;
    }
    this.respHeadersPtr = map;
    this.endOfStream = eos;
    const status = this.onResponseHeaders(map.size, eos);
    if (status === 0) this.respHeadersPtr = null;
    // The simulator does not stall on Stop* statuses: the headers count as sent once the filter returned.
    if (this.respHeaders === map) {
      this.responseHeadersEncoded = true;
      if (eos && !this.isReset) this.responseComplete = true;
    }
  }

  /** Context::encodeData, plus the codec's byte accounting. */
  private encodeData(chunk: Uint8Array, eos: boolean): void {
    if (eos) this.responseDone = true;
    if (this.mode === 'skipped' || !this.created || this.failureLocalReplySent) {
      this.forwardResponse(chunk);
      if (eos) this.responseComplete = true;
      return;
    }
    const data = this.respPending ? concat(this.respPending, chunk) : chunk;
    this.respBodyBuf = data;
    this.endOfStream = eos;
    const status = this.onBody(false, data.length, eos);
    if (this.isReset || this.respHeaders === null || this.responseComplete) return; // reset or replaced by a local reply
    const out = this.respBodyBuf ?? data;
    if (status === 1 && !eos) {
      this.respPending = out;
    } else {
      this.respPending = null;
      this.forwardResponse(out);
      if (eos) this.responseComplete = true;
    }
    if (status === 0) this.respBodyBuf = null;
  }

  private forwardResponse(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.bytesSent += chunk.length;
    this.respChunks.push(chunk);
  }

  private encodeTrailers(map: HeaderMap): void {
    this.respTrailers = map;
    this.responseDone = true;
    if (this.mode === 'skipped' || !this.created || this.failureLocalReplySent) {
      this.responseComplete = true;
      return;
    }
    this.respTrailersPtr = map;
    const status = this.onTrailers(false, map.size);
    if (status === 0) this.respTrailersPtr = null;
    if (!this.isReset && this.respTrailers === map) this.responseComplete = true;
  }

  private doReset(): void {
    if (this.isReset || this.completed) return;
    this.isReset = true;
    if (!this.responseStarted) this.responseFlags |= FLAG_DOWNSTREAM_CONNECTION_TERMINATION;
    this.responseDone = true;
  }

  /**
   * FilterManager::sendLocalReply: before the response started it runs through the encoder filters
   * (this filter gets on_response_headers for it); while this filter handles the response headers it
   * replaces them directly; once the headers were sent the stream is reset.
   */
  private hcmLocalReply(status: number, body: Uint8Array, extra: [string, string][], _grpc: number, details: string, source: 'plugin' | 'host'): void {
    if (this.completed || this.isReset || this.responseComplete) return;
    const headers = new HeaderMap();
    headers.add(':status', String(status));
    if (body.length > 0) {
      headers.add('content-length', String(body.length));
      headers.add('content-type', 'text/plain');
    }
    for (const [k, v] of extra) headers.add(k, v);
    if (this.responseStarted && this.responseHeadersEncoded) {
      this.doReset();
      return;
    }
    this.localReply = { status, details, body: utf8.decode(body), headers: headers.toPairs(), source };
    this.responseCode = status;
    this.responseCodeDetails = details;
    this.localReplied = true;
    if (!this.responseStarted) {
      this.encodeHeaders(headers, body.length === 0);
      if (body.length > 0 && !this.isReset) this.encodeData(body, true);
    } else {
      // sendDirectLocalReply: straight to the codec, bypassing the encoder filters.
      this.respHeaders = headers;
      this.respHeadersPtr = null;
      this.respChunks = [];
      this.bytesSent = 0;
      this.respTrailers = null;
      this.forwardResponse(body);
      this.responseHeadersEncoded = true;
      this.responseComplete = true;
    }
    this.responseDone = true;
  }

  private result(): StreamResult {
    const filterState: Record<string, string> = {};
    const filterStateBytes: Record<string, Uint8Array> = {};
    for (const [k, v] of this.stateMap) {
      filterState[k] = utf8.decode(v);
      filterStateBytes[k] = v;
    }
    let response: StreamResult['response'];
    if (!this.isReset && this.respHeaders) {
      const chunks = this.respChunks;
      let body: Uint8Array = EMPTY_BYTES;
      if (chunks.length === 1) body = chunks[0]!;
      else if (chunks.length > 1) body = Buffer.concat(chunks);
      response = { status: Number(this.respHeaders.get(':status')), headers: this.respHeaders.toPairs(), body };
    }
    return {
      contextId: this.id,
      filterState,
      filterStateBytes,
      logs: this.logs,
      trapped: this.trapped,
      trap: this.trap,
      localReply: this.localReply,
      returnCodes: this.returnCodes,
      hostCalls: this.vm.countsRecord(this.counts!),
      callbacks: this.callbacks,
      skipped: this.mode === 'skipped',
      reset: this.isReset,
      response,
      requestHeaders: this.reqHeaders ? this.reqHeaders.toPairs() : [],
    };
  }
}
