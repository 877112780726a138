// A minimal Prometheus HTTP API client (instant queries only) on Node's fetch, with errors a user
// can act on: Prometheus unreachable (and why), not a Prometheus API, authentication, and the
// query errors Prometheus itself reports (errorType + error), shown with the query.
import { CliError } from '../errors.ts';

/** One element of an instant vector. */
export interface VectorSample {
  metric: Record<string, string>;
  /** The sample value; NaN and ±Infinity as Prometheus sends them ("NaN", "+Inf", "-Inf"). */
  value: number;
}

export interface QueryResult {
  samples: VectorSample[];
  warnings: string[];
}

/** Prometheus could not be asked at all (connection refused, DNS, timeout, not an API). */
export class PrometheusUnreachable extends CliError {}
/** Prometheus answered with an error for a query. */
export class PrometheusQueryError extends CliError {}

export interface ClientOptions {
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /** Aborts requests in flight (e.g. Ctrl-C during --watch). */
  signal?: AbortSignal;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

/** Prometheus values: decimal text, "NaN", "+Inf", "-Inf". */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  return Number(text);
}

function causeOf(e: unknown): string {
  let c: unknown = e;
  // fetch wraps the socket error: TypeError("fetch failed", { cause }), sometimes twice.
  for (let i = 0; i < 3 && c instanceof Error && c.cause !== undefined; i++) c = c.cause;
  const err = c as NodeJS.ErrnoException & { code?: string };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code && SYSTEM_ERRORS[code]) return `${SYSTEM_ERRORS[code]} (${code})`;
  if (code) return `${err.message ?? code} (${code})`;
  return c instanceof Error ? c.message : String(c);
}

export class PrometheusClient {
  readonly base: URL;
  private readonly authorization: string | undefined;

  constructor(url: string, private readonly opts: ClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new CliError(`--prometheus ${url}: not a URL (expected e.g. http://127.0.0.1:9090)`, 2);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError(`--prometheus ${url}: expected an http:// or https:// URL`, 2);
    // fetch refuses URLs with credentials: send them as a Basic Authorization header instead.
    if (u.username || u.password) {
      this.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
    }
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    u.search = '';
    u.hash = '';
    this.base = u;
  }

  /** The URL as shown in messages (no credentials). */
  get display(): string {
    return this.base.href.replace(/\/$/, '');
  }

  /** An instant query (POST /api/v1/query, form-encoded: long selectors do not hit URL limits). */
  async query(expr: string, time?: Date): Promise<QueryResult> {
    const url = new URL('api/v1/query', this.base);
    const body = new URLSearchParams({ query: expr });
    if (time) body.set('time', (time.getTime() / 1000).toFixed(3));
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 10_000);
    const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        body,
        headers: { accept: 'application/json', ...(this.authorization ? { authorization: this.authorization } : {}) },
        signal,
      });
      text = await res.text();
    } catch (e) {
      if (this.opts.signal?.aborted) throw e;
      if (timeout.aborted) {
        throw new PrometheusUnreachable(`Prometheus at ${this.display} did not answer within ${(this.opts.timeoutMs ?? 10_000) / 1000} s`, 1, [`  query: ${expr}`]);
      }
      throw new PrometheusUnreachable(`cannot reach Prometheus at ${this.display}: ${causeOf(e)}`, 1,
        ['  (is the URL right? e.g. kubectl -n monitoring port-forward svc/prometheus 9090, then --prometheus http://127.0.0.1:9090)']);
    }
    return this.parse(res, text, expr);
  }

  private parse(res: Response, text: string, expr: string): QueryResult {
    let body: { status?: string; errorType?: string; error?: string; warnings?: string[]; data?: { resultType?: string; result?: unknown } } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.status === 401 || res.status === 403) {
      throw new PrometheusUnreachable(`Prometheus at ${this.display} refused the request: HTTP ${res.status} ${res.statusText} (credentials go in the URL: http://user:password@host:9090)`);
    }
    if (!body || typeof body !== 'object' || typeof body.status !== 'string') {
      const snippet = text.trim().slice(0, 120).replace(/\s+/g, ' ');
      throw new PrometheusUnreachable(
        `${this.display} does not look like a Prometheus API: HTTP ${res.status} for POST /api/v1/query${snippet ? ` (${JSON.stringify(snippet)})` : ''}`, 1,
        ['  give the Prometheus base URL, e.g. http://prometheus.monitoring:9090 (with its --web.route-prefix path, if any)']);
    }
    if (body.status !== 'success') {
      throw new PrometheusQueryError(`Prometheus rejected a query (${body.errorType ?? `HTTP ${res.status}`}): ${body.error ?? 'no error message'}`, 1, [`  query: ${expr}`]);
    }
    const data = body.data;
    if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
      throw new PrometheusQueryError(`unexpected result type ${JSON.stringify(data?.resultType)} (expected an instant vector)`, 1, [`  query: ${expr}`]);
    }
    const samples = (data.result as { metric?: Record<string, string>; value?: [number, string] }[]).map((s) => ({
      metric: s.metric ?? {},
      value: parseSampleValue(String(s.value?.[1] ?? 'NaN')),
    }));
    return { samples, warnings: Array.isArray(body.warnings) ? body.warnings.map(String) : [] };
  }
}
