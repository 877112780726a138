// One HTTP stream through the Wasm filter, driven as Envoy's connection manager (HCM) drives it
// (envoy source/common/http/filter_manager.cc, source/extensions/common/wasm/context.cc
// decodeHeaders/encodeHeaders/log/...). The filter's side — what the module sees and the calls
// into it — is StreamContext (stream-context.ts); rules shared with the dev proxy are in
// connection-manager.ts.
//
// Order Envoy drives for HTTP (filter registered as stream filter and access logger):
//   on_context_create (lazily, in decodeHeaders; in log() if never created) → on_request_headers →
//   on_request_body* → on_request_trailers? → on_response_headers → on_response_body* →
//   on_response_trailers? → on_log → on_done → on_delete.
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, StreamType, WasmResult } from './abi.ts';
import { concatBytes, EMPTY_BYTES, toBytes } from './bytes.ts';
import { ResponseFlag, routerReply, upstreamResetFlag, type UpstreamFailure } from './connection-manager.ts';
import { HeaderMap } from './header-maps.ts';
import { StreamContext } from './stream-context.ts';
import type { HeaderInput, HeaderPairs, StreamResult } from './types.ts';

export { type FilterMode, type NewStreamOptions, type StreamAccessLogger, type StreamHost } from './stream-context.ts';

/** What the router sent for an upstream failure (HttpStream.upstreamFailure). */
export interface RouterLocalReply {
  status: number;
  /** The headers as they entered the filter chain (the filter may have changed them since). */
  headers: HeaderPairs;
  body: Uint8Array;
}

const utf8 = new TextDecoder();
const GRPC_UNAVAILABLE = 14;

export class HttpStream extends StreamContext {
  private respChunks: Uint8Array[] = [];

  // ---- flow
  private requestHeadersSeen = false;
  private requestEnded = false;
  private responseStarted = false; // response headers entered the encoder chain
  private responseHeadersEncoded = false; // ... and passed this filter
  private responseDone = false; // no more upstream response events are processed
  private responseComplete = false; // the whole response went downstream
  private localReplied = false;
  private failureLocalReplySent = false;
  private isReset = false;
  private completed = false;

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
    const status = this.onHeaders(true, map.size, endOfStream);
    if (status === FilterHeadersStatus.Continue) this.reqHeadersPtr = null;
  }

  requestBody(body: string | Uint8Array, endOfStream: boolean): void {
    this.assertOpen();
    if (!this.requestHeadersSeen) throw new Error('requestBody() before requestHeaders()');
    if (this.requestEnded) throw new Error('requestBody() after the end of the request');
    const chunk = toBytes(body);
    this.info.bytesReceived += chunk.length;
    this.requestEnded = endOfStream;
    if (this.mode === 'skipped' || this.localReplied || this.isReset || !this.created) return;
    // Context::decodeData
    const data = this.reqPending ? concatBytes(this.reqPending, chunk) : chunk;
    this.reqBodyBuf = data;
    this.endOfStream = endOfStream;
    const status = this.onBody(true, data.length, endOfStream);
    if (status === FilterDataStatus.StopIterationAndBuffer && !endOfStream) {
      this.reqPending = this.reqBodyBuf; // keep buffering
    } else {
      this.reqPending = null;
    }
    if (status === FilterDataStatus.Continue) this.reqBodyBuf = null;
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
    if (status === FilterTrailersStatus.Continue) this.reqTrailersPtr = null;
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
    this.info.responseCode = Number.isFinite(status) ? status : undefined;
    this.info.responseCodeDetails = 'via_upstream';
    this.info.upstreamAttempts = 1;
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

  /**
   * The upstream failed (Router::onUpstreamAbort / onUpstreamReset). Before the response started,
   * the router answers with a local reply that goes through this filter's response callbacks like
   * any response, and StreamInfo records its flag and details; the reply is returned. Once the
   * response started, the router can only reset the stream: returns null.
   */
  upstreamFailure(failure: UpstreamFailure): RouterLocalReply | null {
    this.assertOpen();
    if (this.responseStarted) {
      this.info.responseFlags |= upstreamResetFlag(failure);
      this.doReset();
      return null;
    }
    const r = routerReply(failure);
    const body = Buffer.from(r.body, 'utf8');
    const headers: HeaderPairs = [[':status', String(r.status)], ['content-length', String(body.length)], ['content-type', 'text/plain']];
    this.responseHeaders(headers, false);
    this.responseBody(body, true);
    // responseHeaders() took it for an upstream response; StreamInfo as the router leaves it.
    this.info.responseFlags |= r.flag;
    this.info.responseCodeDetails = r.details;
    return { status: r.status, headers, body };
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
    this.info.completeTimeNs =
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

  // =========================================================== Envoy Context: stream control hostcalls

  override continueStream(type: number): number {
    if (type === StreamType.Upstream) return WasmResult.Unimplemented;
    if (type === StreamType.Downstream) return WasmResult.Ok;
    if (type === StreamType.Response) this.vm.after.push(() => { if (this.responseStarted) this.responseHeadersEncoded = true; });
    // Envoy clears the request-side pointers for both Request and Response.
    this.reqHeadersPtr = null;
    this.reqBodyBuf = null;
    this.reqTrailersPtr = null;
    return WasmResult.Ok;
  }

  override closeStream(type: number): number {
    if (type === StreamType.Request || type === StreamType.Response) {
      if (this.info.responseCodeDetails === undefined) this.info.responseCodeDetails = 'wasm_close_stream';
      this.vm.after.push(() => this.doReset());
    }
    return WasmResult.Ok;
  }

  override sendLocalResponse(status: number, body: Uint8Array, headers: [string, string][], grpc: number, details: string): void {
    // Deferred until the callback returns (addAfterVmCallAction); whitespace in details → '_'.
    const d = details.replace(/\s/g, '_');
    this.vm.after.push(() => this.hcmLocalReply(status, body, headers, grpc, d, 'plugin'));
  }

  // =========================================================== internals

  private assertOpen(): void {
    if (this.completed) throw new Error('stream already completed');
  }

  /** Context::failStream for Request and Response: one local reply 503 "wasm_fail_stream". */
  protected override failStream(): void {
    if (this.failureLocalReplySent) return;
    this.failureLocalReplySent = true;
    this.hcmLocalReply(503, EMPTY_BYTES, [], GRPC_UNAVAILABLE, 'wasm_fail_stream', 'host');
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
    const status = this.onHeaders(false, map.size, eos);
    if (status === FilterHeadersStatus.Continue) this.respHeadersPtr = null;
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
    const data = this.respPending ? concatBytes(this.respPending, chunk) : chunk;
    this.respBodyBuf = data;
    this.endOfStream = eos;
    const status = this.onBody(false, data.length, eos);
    if (this.isReset || this.respHeaders === null || this.responseComplete) return; // reset or replaced by a local reply
    const out = this.respBodyBuf ?? data;
    if (status === FilterDataStatus.StopIterationAndBuffer && !eos) {
      this.respPending = out;
    } else {
      this.respPending = null;
      this.forwardResponse(out);
      if (eos) this.responseComplete = true;
    }
    if (status === FilterDataStatus.Continue) this.respBodyBuf = null;
  }

  private forwardResponse(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.info.bytesSent += chunk.length;
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
    if (status === FilterTrailersStatus.Continue) this.respTrailersPtr = null;
    if (!this.isReset && this.respTrailers === map) this.responseComplete = true;
  }

  private doReset(): void {
    if (this.isReset || this.completed) return;
    this.isReset = true;
    if (!this.responseStarted) this.info.responseFlags |= ResponseFlag.DC;
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
    this.info.responseCode = status;
    this.info.responseCodeDetails = details;
    this.localReplied = true;
    if (!this.responseStarted) {
      this.encodeHeaders(headers, body.length === 0);
      if (body.length > 0 && !this.isReset) this.encodeData(body, true);
    } else {
      // sendDirectLocalReply: straight to the codec, bypassing the encoder filters.
      this.respHeaders = headers;
      this.respHeadersPtr = null;
      this.respChunks = [];
      this.info.bytesSent = 0;
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
