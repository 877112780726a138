// The dev proxy's admin port, shaped like Envoy's (:15090 in Istio):
//   /stats/prometheus  the host's exposition — the plugin's route_* metrics (tags extracted with the
//                      bootstrap's extraStatTags) and Istio's istio_* metrics with Telemetry overrides
//   /healthz, /ready   200 while the plugin is configured and its VM healthy, else 503
//   /config_dump       a JSON summary: module, plugin configuration, Telemetry, addresses, counters
//   /logs              the plugin's log lines (?level=warn for warnings and errors only)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LOG_LEVELS, type LogLevelName, type SimulatedEnvoy } from '../../host/index.ts';
import { listen } from './sample-app.ts';

export interface AdminSources {
  envoy: SimulatedEnvoy;
  /** Summary for /config_dump (computed on each request). */
  configDump(): unknown;
}

const ENDPOINTS: Record<string, string> = {
  '/stats/prometheus': 'Prometheus exposition (route_* and istio_* metrics)',
  '/healthz': '200 when the plugin is configured and its VM healthy',
  '/config_dump': 'JSON summary of the module, configuration and addresses',
  '/logs': 'plugin log lines (?level=info|warn|error)',
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function handle(src: AdminSources, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://admin');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', 'method not allowed\n');
    return;
  }
  const { envoy } = src;
  switch (url.pathname) {
    case '/stats/prometheus':
      send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', envoy.prometheus());
      return;
    case '/healthz':
    case '/ready': {
      const ok = envoy.configured && !envoy.failed;
      send(res, ok ? 200 : 503, 'text/plain', ok ? 'LIVE\n' : `NOT READY: ${envoy.failMessage ?? 'plugin not configured'}\n`);
      return;
    }
    case '/config_dump':
      send(res, 200, 'application/json', JSON.stringify(src.configDump(), null, 2) + '\n');
      return;
    case '/logs': {
      const level = (url.searchParams.get('level') ?? 'trace') as LogLevelName;
      if (!LOG_LEVELS.includes(level)) {
        send(res, 400, 'text/plain', `unknown level ${level} (one of ${LOG_LEVELS.join(', ')})\n`);
        return;
      }
      const lines = envoy.logsAtLeast(level).map((l) => `[${l.level}]${l.contextId ? ` [ctx ${l.contextId}]` : ''} ${l.message}`);
      send(res, 200, 'text/plain; charset=utf-8', lines.join('\n') + (lines.length ? '\n' : ''));
      return;
    }
    case '/':
      send(res, 200, 'text/plain', Object.entries(ENDPOINTS).map(([p, d]) => `${p.padEnd(18)} ${d}`).join('\n') + '\n');
      return;
    default:
      send(res, 404, 'text/plain', `not found; try ${Object.keys(ENDPOINTS).join(', ')}\n`);
  }
}

export async function startAdminServer(src: AdminSources, host: string, port: number): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => handle(src, req, res));
  await listen(server, host, port);
  const a = server.address();
  return {
    server,
    port: typeof a === 'object' && a ? a.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
