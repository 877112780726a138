// The dev proxy's data path: an HTTP/1.1 reverse proxy (node:http) that runs every request through
// ONE long-lived SimulatedEnvoy — as Envoy keeps one Wasm VM per worker thread — with the
// low-level stream API, in the order Envoy's connection manager drives it:
//   requestHeaders → requestBody* → (upstream) → responseHeaders → responseBody* → complete()
// Bodies are streamed (with back-pressure) unless the filter returned a Stop status for the
// headers, in which case that body is buffered first, as Envoy does. A local reply from the filter
// replaces the upstream exchange. Upstream failures become Envoy's router local replies, recorded
// with Envoy's response flags: connect failure 503 UF, reset before headers 503 UC, route timeout
// 504 UT, reset after the headers (downstream reset) UR. Durations and sizes are the real ones.
import { constants as osConstants } from 'node:os';
import { Agent, createServer, request as httpRequest, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { downstreamRequestHeaders, FilterHeadersStatus, type HeaderPairs, type HttpStream, type SimulatedEnvoy, type UpstreamFailure } from '../../host/index.ts';
import { endToEndPairs, flatHeaders, getHeader, rawPairs, requestHasBody, responseHasBody } from './http-headers.ts';
import { listen } from './sample-app.ts';
import { downstreamResponseHeaders, forwardedRequestHeaders, wasReset } from './stream-peek.ts';

export interface StreamRecord {
  method: string;
  path: string;
  /** The route attribute the filter wrote (null: unset, Istio shows "unknown"). */
  route: string | null;
  /** Status the client got; 0 when the stream was reset before a response. */
  status: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  responseFlags: number;
  /** Time spent inside the simulated Envoy + filter for this stream (µs). */
  filterMicros: number;
}

export interface DevProxyOptions {
  envoy: SimulatedEnvoy;
  /** http://host:port[/base] */
  upstream: URL;
  /** Filter-state key of the route name (default "wasm.istio_operationId"). */
  routeAttribute?: string;
  /** Upstream connect timeout (Istio's default connectTimeout is 10 s). */
  connectTimeoutMs?: number;
  /** Route timeout from the end of the request to the end of the response; 0 = none. Envoy's default is 15 s. */
  routeTimeoutMs?: number;
}

const EMPTY = new Uint8Array(0);
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNECT_TIMEOUT', 'EADDRNOTAVAIL']);

class UpstreamError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** A node error on the upstream request, as Envoy's router would have seen it. */
function upstreamFailureOf(e: NodeJS.ErrnoException): UpstreamFailure {
  const code = e instanceof UpstreamError ? e.code : e.code ?? '';
  if (code === 'ROUTE_TIMEOUT') return { reason: 'route_timeout' };
  if (code === 'ECONNECT_TIMEOUT') return { reason: 'connection_timeout' };
  if (CONNECT_FAILURES.has(code)) {
    // Envoy prints the errno number ("delayed connect error: 111" for ECONNREFUSED on Linux).
    const errno = (osConstants.errno as Record<string, number>)[code] ?? code;
    return { reason: 'remote_connection_failure', transportFailure: `delayed connect error: ${errno}` };
  }
  return { reason: 'connection_termination' };
}

export class DevProxy {
  readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly listeners = new Set<(r: StreamRecord) => void>();
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Streams completed since start. */
  completed = 0;

  constructor(readonly opts: DevProxyOptions) {
    this.server = createServer((req, res) => this.handle(req, res));
    // Shorter than the sample app's keep-alive, so the proxy never reuses a socket the upstream is closing.
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(host: string, port: number): Promise<number> {
    await listen(this.server, host, port);
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : port;
  }

  onRecord(fn: (r: StreamRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get activeStreams(): number {
    return this.inFlight;
  }

  /** Stop accepting, let in-flight exchanges finish (at most `graceMs`), then drop what is left. */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= this.drain(graceMs);
    return this.closing;
  }

  private closing: Promise<void> | null = null;

  private async drain(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await this.idle(graceMs);
    // What is left is reset (downstream connection closed): those streams complete with flag DC
    // as their sockets close, still before the VM is stopped.
    this.server.closeAllConnections();
    this.agent.destroy();
    await this.idle(1_000);
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let stream: HttpStream;
    try {
      stream = this.opts.envoy.newStream({ protocol: req.httpVersion === '1.0' ? 'HTTP/1.0' : 'HTTP/1.1' });
    } catch {
      // The VM is gone (shutting down): nothing to record.
      res.writeHead(503, { 'content-type': 'text/plain', connection: 'close' }).end('proxy is shutting down\n');
      return;
    }
    this.inFlight++;
    const exchange = new Exchange(this, stream, req, res);
    exchange.guard(() => exchange.start())();
  }

  private async idle(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((r) => this.idleWaiters.push(r)),
      new Promise<void>((r) => (timer = setTimeout(r, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  /** Called by an Exchange once its stream is complete. */
  finished(r: StreamRecord): void {
    this.completed++;
    this.inFlight--;
    for (const fn of this.listeners) fn(r);
    if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  get upstreamAgent(): Agent {
    return this.agent;
  }
}

/** One downstream request and its upstream exchange. */
class Exchange {
  private readonly t0 = process.hrtime.bigint();
  private filterNs = 0n;
  private readonly method: string;
  private readonly requestPairs: HeaderPairs;
  private upstream: ClientRequest | null = null;
  private upstreamStart = 0n;
  private routeTimer: NodeJS.Timeout | null = null;
  /** The downstream response was decided (headers written, or a local reply is being sent). */
  private responding = false;
  /** The request body is no longer forwarded (a local reply replaced the upstream exchange). */
  private requestStopped = false;
  private done = false;

  constructor(
    private readonly proxy: DevProxy,
    private readonly s: HttpStream,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = req.method ?? 'GET';
    // The header map Envoy's connection manager hands the filters (Host → :authority, no
    // hop-by-hop headers, x-request-id and x-forwarded-proto added when missing).
    this.requestPairs = downstreamRequestHeaders({
      method: this.method,
      path: req.url ?? '/',
      authority: proxy.opts.upstream.host,
      scheme: 'http',
      headers: rawPairs(req.rawHeaders),
    });
  }

  /**
   * Wraps an event handler: an unexpected exception (a bug here or in the host) must not take the
   * whole proxy down — the exchange is aborted and the error logged instead.
   */
  guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (e) {
        console.error(`route-metrics serve: internal error on ${this.method} ${this.req.url}: ${(e as Error).stack ?? e}`);
        this.failed = true;
        try {
          if (!this.s.isComplete) this.s.complete(); // unregister the context if the host still can
        } catch {
          // the host is in a bad state; the record below still balances the in-flight count
        }
        this.upstream?.destroy();
        this.res.destroy();
        this.finishRecord(0);
      }
    };
  }

  private failed = false;

  /** Runs `fn` against the simulated Envoy, accounting the time to the filter. */
  private envoy<T>(fn: () => T): T {
    const t = process.hrtime.bigint();
    try {
      return fn();
    } finally {
      this.filterNs += process.hrtime.bigint() - t;
    }
  }

  start(): void {
    const { req, res, s } = this;
    res.on('finish', this.guard(() => this.complete(false)));
    res.on('close', this.guard(() => this.complete(!res.writableFinished)));
    const hasBody = requestHasBody(req.headers);
    this.envoy(() => s.requestHeaders(this.requestPairs, !hasBody));
    if (this.replyIfFilterDecided()) return;
    if (!hasBody) {
      this.openUpstream();
      this.endUpstream();
      return;
    }
    // A Stop status on the request headers: Envoy buffers the body before the headers go upstream.
    const buffer = s.returnCodes.requestHeaders !== undefined && s.returnCodes.requestHeaders !== FilterHeadersStatus.Continue;
    const buffered: Buffer[] = [];
    if (!buffer) this.openUpstream();
    req.on('data', this.guard((chunk: Buffer) => {
      if (this.requestStopped || this.done) return; // decided already (local reply, upstream failure, finished): drain
      this.envoy(() => s.requestBody(chunk, false));
      if (this.replyIfFilterDecided()) return;
      if (buffer) buffered.push(chunk);
      else if (this.upstream && !this.upstream.write(chunk)) {
        req.pause();
        this.upstream.once('drain', () => req.resume());
      }
    }));
    req.on('end', this.guard(() => {
      if (this.requestStopped || this.done) return;
      this.envoy(() => s.requestBody(EMPTY, true));
      if (this.replyIfFilterDecided()) return;
      if (buffer) {
        this.openUpstream();
        for (const b of buffered) this.upstream!.write(b);
      }
      this.endUpstream();
    }));
  }

  /** If the filter answered by itself (proxy_send_local_response, fail-closed 503) or reset the stream, act on it. */
  private replyIfFilterDecided(): boolean {
    const { s } = this;
    if (s.localReply) {
      this.sendLocalReplyFromStream();
      return true;
    }
    if (wasReset(s)) {
      this.abortAll();
      return true;
    }
    return false;
  }

  private sendLocalReplyFromStream(): void {
    const lr = this.s.localReply!;
    this.requestStopped = true;
    this.upstream?.destroy();
    this.clearTimer();
    if (this.res.headersSent) {
      // Envoy resets a stream whose response already started.
      this.abortAll();
      return;
    }
    this.responding = true;
    const body = Buffer.from(lr.body, 'utf8');
    const status = Number(getHeader(lr.headers, ':status') ?? lr.status);
    this.res.writeHead(status, flatHeaders(lr.headers));
    this.res.end(this.method === 'HEAD' ? undefined : body);
    this.req.resume();
  }

  private openUpstream(): void {
    const { s, proxy } = this;
    const up = proxy.opts.upstream;
    const fwd = forwardedRequestHeaders(s, this.requestPairs);
    const path = (up.pathname === '/' ? '' : up.pathname.replace(/\/$/, '')) + (getHeader(fwd, ':path') ?? '/');
    // Expect: 100-continue is answered by this proxy (node:http), as Envoy does; not forwarded.
    const headers = [...flatHeaders(fwd, new Set(['expect'])), 'host', getHeader(fwd, ':authority') ?? up.host];
    this.upstreamStart = process.hrtime.bigint();
    const ureq = httpRequest({
      host: up.hostname.replace(/^\[|\]$/g, ''),
      port: Number(up.port || 80),
      method: getHeader(fwd, ':method') ?? this.method,
      path,
      headers,
      setHost: false,
      agent: proxy.upstreamAgent,
    });
    this.upstream = ureq;
    const connectTimeout = proxy.opts.connectTimeoutMs ?? 10_000;
    ureq.on('socket', (sock) => {
      if (!sock.connecting) return;
      const t = setTimeout(() => ureq.destroy(new UpstreamError('ECONNECT_TIMEOUT', 'connection timeout')), connectTimeout);
      sock.once('connect', () => clearTimeout(t));
      sock.once('close', () => clearTimeout(t));
    });
    ureq.on('response', this.guard((ures: IncomingMessage) => this.onUpstreamResponse(ures)));
    ureq.on('error', this.guard((e: NodeJS.ErrnoException) => this.onUpstreamError(e)));
  }

  private endUpstream(): void {
    this.upstream?.end();
    const timeout = this.proxy.opts.routeTimeoutMs ?? 15_000;
    if (timeout > 0 && !this.done) {
      this.routeTimer = setTimeout(() => this.upstream?.destroy(new UpstreamError('ROUTE_TIMEOUT', 'upstream request timeout')), timeout);
    }
  }

  private clearTimer(): void {
    if (this.routeTimer) clearTimeout(this.routeTimer);
    this.routeTimer = null;
  }

  private onUpstreamResponse(ures: IncomingMessage): void {
    const { s, res } = this;
    if (this.responding || this.done) {
      ures.resume();
      return;
    }
    const status = ures.statusCode ?? 502;
    const serviceMs = Math.round(Number(process.hrtime.bigint() - this.upstreamStart) / 1e6);
    const pairs: HeaderPairs = [[':status', String(status)], ...endToEndPairs(ures.rawHeaders), ['x-envoy-upstream-service-time', String(serviceMs)]];
    const hasBody = responseHasBody(this.method, status, ures.headers);
    this.envoy(() => s.responseHeaders(pairs, !hasBody));
    if (this.replyIfFilterDecided()) {
      ures.resume();
      return;
    }
    this.responding = true;
    const buffer = hasBody && s.returnCodes.responseHeaders !== undefined && s.returnCodes.responseHeaders !== FilterHeadersStatus.Continue;
    const chunks: Buffer[] = [];
    const writeHead = () => res.writeHead(status, flatHeaders(downstreamResponseHeaders(s, pairs)));
    if (!buffer) writeHead();
    if (!hasBody) {
      ures.resume();
      this.clearTimer();
      res.end();
      return;
    }
    ures.on('data', this.guard((chunk: Buffer) => {
      if (this.done) return;
      this.envoy(() => s.responseBody(chunk, false));
      if (this.replyIfFilterDecided()) return;
      if (buffer) chunks.push(chunk);
      else if (!res.write(chunk)) {
        ures.pause();
        res.once('drain', () => ures.resume());
      }
    }));
    ures.on('end', this.guard(() => {
      if (this.done) return;
      this.clearTimer();
      const trailers = Object.entries(ures.trailers);
      this.envoy(() => (trailers.length > 0 ? s.responseTrailers(trailers as [string, string][]) : s.responseBody(EMPTY, true)));
      if (this.replyIfFilterDecided()) return;
      if (buffer) {
        writeHead();
        for (const c of chunks) res.write(c);
      }
      res.end();
    }));
    ures.on('aborted', this.guard(() => this.onUpstreamError(Object.assign(new Error('upstream reset'), { code: 'ECONNRESET' }))));
    ures.on('error', this.guard((e: NodeJS.ErrnoException) => this.onUpstreamError(e)));
  }

  private onUpstreamError(e: NodeJS.ErrnoException): void {
    if (this.done) return;
    this.clearTimer();
    const { s, res } = this;
    this.upstream?.destroy();
    this.responding = true;
    this.requestStopped = true;
    // Envoy's router answers by itself; its reply goes through the filter's response callbacks like any response.
    const reply = this.envoy(() => s.upstreamFailure(upstreamFailureOf(e)));
    if (!reply) {
      // The response already started downstream: Envoy can only reset the stream.
      this.abortAll();
      return;
    }
    if (s.localReply) {
      this.sendLocalReplyFromStream();
      return;
    }
    if (wasReset(s)) {
      this.abortAll();
      return;
    }
    res.writeHead(reply.status, flatHeaders(downstreamResponseHeaders(s, reply.headers)));
    res.end(this.method === 'HEAD' ? undefined : reply.body);
    this.req.resume();
  }

  private abortAll(): void {
    this.responding = true;
    this.requestStopped = true;
    this.clearTimer();
    this.upstream?.destroy();
    this.res.destroy();
    this.complete(true);
  }

  private complete(reset: boolean): void {
    if (this.done) return;
    this.done = true;
    this.clearTimer();
    const { s } = this;
    if (reset) this.upstream?.destroy();
    const durationMs = Number(process.hrtime.bigint() - this.t0) / 1e6;
    let route: string | null = null;
    let status = 0;
    if (!this.failed && !s.isComplete) {
      const r = this.envoy(() => {
        if (reset && !wasReset(s)) s.reset();
        return s.complete({ durationMs });
      });
      route = r.filterState[this.proxy.opts.routeAttribute ?? 'wasm.istio_operationId'] ?? null;
      // A reset stream has no response; Envoy still logs the code it had (e.g. 200 with UR).
      status = r.response?.status ?? s.responseCode ?? 0;
    }
    this.finishRecord(status, route, durationMs);
  }

  private recorded = false;

  /** Hands the record to the proxy exactly once. */
  private finishRecord(status: number, route: string | null = null, durationMs = Number(process.hrtime.bigint() - this.t0) / 1e6): void {
    if (this.recorded) return;
    this.recorded = true;
    this.done = true;
    const { s } = this;
    this.proxy.finished({
      method: this.method,
      path: this.req.url ?? '/',
      route,
      status,
      durationMs,
      requestBytes: s.bytesReceived,
      responseBytes: s.bytesSent,
      responseFlags: s.responseFlags,
      filterMicros: Number(this.filterNs) / 1e3,
    });
  }
}
