// The built-in upstream of `route-metrics serve` without --upstream: a few podinfo-like endpoints
// (https://github.com/stefanprodan/podinfo), enough to see every kind of route and response class.
//   GET  /               info
//   GET  /healthz        200 {"status":"OK"}          GET /readyz  the same
//   POST /echo           echoes the body (and its content-type)
//   GET  /users/{id}     a user as JSON, 404 for unknown ids
//   GET  /delay/{ms}     answers after min(ms, 10000) ms
//   GET  /status/{code}  answers with that status code (100–599)
// Anything else is 404.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';

export const SAMPLE_APP_NAME = 'podinfo';
export const MAX_DELAY_MS = 10_000;

const USERS: Record<string, { id: number; name: string; email: string }> = {
  '1': { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' },
  '2': { id: 2, name: 'Alan Turing', email: 'alan@example.com' },
  '3': { id: 3, name: 'Grace Hopper', email: 'grace@example.com' },
  '4': { id: 4, name: 'Edsger Dijkstra', email: 'edsger@example.com' },
  '5': { id: 5, name: 'Barbara Liskov', email: 'barbara@example.com' },
};

export const SAMPLE_USER_IDS = Object.keys(USERS);

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function handle(req: IncomingMessage, res: ServerResponse, timers: Set<NodeJS.Timeout>): void {
  const path = (req.url ?? '/').split('?')[0]!;
  const method = req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';
  let m: RegExpExecArray | null;
  if (path === '/' && read) {
    json(res, 200, { hostname: hostname(), version: '6.0.0-route-metrics', message: 'greetings from the route-metrics sample app (podinfo-like)' });
  } else if ((path === '/healthz' || path === '/readyz') && read) {
    json(res, 200, { status: 'OK' });
  } else if (path === '/echo' && (method === 'POST' || method === 'PUT')) {
    const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' };
    if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
    res.writeHead(202, headers);
    req.pipe(res); // streams: a large body is never held in memory
    return;
  } else if ((m = /^\/users\/([^/]+)$/.exec(path)) && read) {
    const user = USERS[decodeURIComponent(m[1]!)];
    if (user) json(res, 200, user);
    else json(res, 404, { error: 'user not found', id: m[1] });
  } else if ((m = /^\/delay\/(\d+)$/.exec(path)) && read) {
    const ms = Math.min(Number(m[1]), MAX_DELAY_MS);
    const t = setTimeout(() => {
      timers.delete(t);
      json(res, 200, { delay: ms });
    }, ms);
    timers.add(t);
    res.on('close', () => {
      clearTimeout(t);
      timers.delete(t);
    });
  } else if ((m = /^\/status\/(\d{3})$/.exec(path))) {
    const code = Number(m[1]);
    if (code < 100 || code > 599) json(res, 400, { error: 'status code must be 100-599' });
    else if (code < 200) json(res, 200, { status: code, note: 'informational codes are not sent as final responses' });
    else json(res, code, { status: code });
  } else {
    json(res, 404, { error: 'not found', path });
  }
  req.resume(); // drain any unread request body
}

/** Starts the sample app; resolves once it listens. `port` 0 picks a free one. */
export async function startSampleApp(host: string, port: number): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => handle(req, res, timers));
  server.keepAliveTimeout = 65_000; // longer than the proxy's idle timeout, as Envoy recommends for upstreams
  await listen(server, host, port);
  const addr = server.address();
  return {
    server,
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** server.listen as a promise that rejects with a clear message (EADDRINUSE, EACCES, …). */
/** A failed listen, with the system error code (EADDRINUSE, EACCES, …) kept for the caller. */
export class ListenError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly host: string, readonly port: number) {
    super(message);
    this.name = 'ListenError';
  }
}

export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'address not available' : e.message;
      reject(new ListenError(`cannot listen on ${host}:${port}: ${why}${e.code ? ` (${e.code})` : ''}`, e.code, host, port));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
