// A stand-in for Prometheus' HTTP API (POST/GET /api/v1/query) on a loopback port: each test
// decides the answer to each query, and every request is recorded (query, time, method).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSeries {
  metric: Record<string, string>;
  /** Number, or Prometheus' spelling ("NaN", "+Inf"). */
  value: number | string;
}

/** A vector, a raw HTTP answer, or 'hang' (never answers). */
export type FakeAnswer = FakeSeries[] | { status: number; body: string; contentType?: string } | 'hang';

export interface RecordedQuery {
  query: string;
  time?: string;
  method: string;
  path: string;
}

export class FakePrometheus {
  readonly queries: RecordedQuery[] = [];
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();
  url = '';

  constructor(public answer: (query: string) => FakeAnswer) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    const params = new URLSearchParams(req.method === 'POST' ? body : url.search);
    if (url.pathname !== '/api/v1/query') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const query = params.get('query') ?? '';
    this.queries.push({ query, time: params.get('time') ?? undefined, method: req.method ?? '', path: url.pathname });
    const a = this.answer(query);
    if (a === 'hang') {
      this.hanging.add(res);
      return;
    }
    if (!Array.isArray(a)) {
      res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' }).end(a.body);
      return;
    }
    const result = a.map((s) => ({ metric: s.metric, value: [1700000000, String(s.value)] }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  }
}

/** A Prometheus error answer, as the real API shapes it. */
export function prometheusError(status: number, errorType: string, error: string): FakeAnswer {
  return { status, body: JSON.stringify({ status: 'error', errorType, error }) };
}
