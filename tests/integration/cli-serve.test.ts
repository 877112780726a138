// `route-metrics serve`: the dev proxy as a child process on ephemeral ports — pass-through of the
// sample app and of a header-echoing upstream, the admin /stats/prometheus (route_* and istio_*
// with the Telemetry override), Envoy's local replies for upstream failures (503 UF, 504 UT),
// configuration errors (served degraded; "strict": true refused before listening), port conflicts,
// SIGTERM, --traffic.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const EPHEMERAL = ['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--app', '127.0.0.1:0'];
const TEST_TIMEOUT = { timeout: 40_000 };

const children = new Set<ChildProcess>();
const servers = new Set<Server>();
const dir = mkdtempSync(join(tmpdir(), 'rm-serve-'));
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

interface Served {
  child: ChildProcess;
  proxy: string;
  admin: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnServe(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), 'serve', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** Starts `serve` and waits for its "ready:" line (the ports it picked). */
async function serve(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const s = spawnServe(args, env);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const m = /^ready: proxy=(\S+) admin=(\S+)/m.exec(s.stdout());
    if (m) return { ...s, proxy: m[1]!, admin: m[2]! };
    if (s.child.exitCode !== null) throw new Error(`serve exited ${s.child.exitCode}: ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`serve did not become ready: ${s.stdout()} ${s.stderr()}`);
}

async function stop(s: Served): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  s.child.kill('SIGTERM');
  return s.exited;
}

async function metrics(s: Served): Promise<string> {
  const r = await fetch(`${s.admin}/stats/prometheus`);
  assert.equal(r.status, 200);
  return r.text();
}

/** The value of the first sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('serve: the built-in sample app', () => {
  test('requests pass through and are recorded; admin shows route_* and istio_* metrics', TEST_TIMEOUT, async () => {
    const s = await serve(EPHEMERAL);
    try {
      const h = await fetch(`${s.proxy}/healthz`);
      assert.equal(h.status, 200);
      assert.deepEqual(await h.json(), { status: 'OK' });
      assert.match(h.headers.get('x-envoy-upstream-service-time') ?? '', /^\d+$/);

      const body = randomBytes(1 << 20); // 1 MiB, streamed both ways
      const e = await fetch(`${s.proxy}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(e.status, 202);
      assert.ok(Buffer.from(await e.arrayBuffer()).equals(body));

      assert.equal((await fetch(`${s.proxy}/users/1`)).status, 200);
      const nf = await fetch(`${s.proxy}/users/999`);
      assert.equal(nf.status, 404);
      assert.equal((await nf.json()).error, 'user not found');
      const head = await fetch(`${s.proxy}/users/2`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal((await head.arrayBuffer()).byteLength, 0);
      assert.equal((await fetch(`${s.proxy}/status/503`)).status, 503);
      assert.equal((await fetch(`${s.proxy}/nowhere`)).status, 404);

      const m = await metrics(s);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /healthz', response_class: '2xx' }), 1);
      assert.ok(m.includes('route_requests_total{route_name="GET /healthz",response_class="2xx"} 1'), m);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'POST /echo', response_class: '2xx' }), 1);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /users/{id}', response_class: '2xx' }), 2);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /users/{id}', response_class: '4xx' }), 1);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /status/{code}', response_class: '5xx' }), 1);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'unknown', response_class: '4xx' }), 1);
      assert.equal(sample(m, 'istio_requests_total', { destination_app: 'podinfo', route_name: 'GET /healthz', response_code: '200', reporter: 'destination' }), 1);
      // No route matched: Istio's label is the WasmPlugin's default, the plugin's own metrics say "unknown".
      assert.equal(sample(m, 'istio_requests_total', { destination_app: 'podinfo', route_name: 'other', response_code: '404' }), 1);
      assert.ok((sample(m, 'route_request_duration_milliseconds_count', { route_name: 'POST /echo' }) ?? 0) >= 1);
      // The 1 MiB body was measured for real (the only 202): istio_request_bytes counts it, to the
      // 2 significant digits of Envoy's histogram sums.
      const bytes = sample(m, 'istio_request_bytes_sum', { response_code: '202' }) ?? 0;
      assert.ok(bytes > 1_000_000 && bytes < 1_100_000, `request bytes ${bytes}`);

      assert.equal((await fetch(`${s.admin}/healthz`)).status, 200);
      const dump = await (await fetch(`${s.admin}/config_dump`)).json();
      assert.match(dump.module.sha256, /^[0-9a-f]{64}$/);
      assert.equal(dump.plugin.rootId, 'route-metrics');
      assert.equal(dump.streams.completed, 7);
      const logs = await (await fetch(`${s.admin}/logs?level=info`)).text();
      assert.match(logs, /route-metrics: configured: native routes/);
      assert.match(s.stdout(), /curl http:\/\/127\.0\.0\.1:\d+\/healthz/);
    } finally {
      const r = await stop(s);
      assert.equal(r.code, 0, s.stderr());
    }
  });
});

describe('serve: a custom upstream', () => {
  test('headers as Envoy forwards them; bodies are streamed, not buffered', TEST_TIMEOUT, async () => {
    const upstream = createServer((req, res) => {
      if (req.url === '/slow-stream') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first\n');
        setTimeout(() => res.end('second\n'), 400);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes', connection: 'keep-alive' });
      res.end(JSON.stringify({ url: req.url, method: req.method, headers: req.headers }));
    });
    servers.add(upstream);
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as { port: number }).port;
    const s = await serve(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${port}`]);
    try {
      // fetch() refuses a Connection header, so this one goes through node:http.
      const r = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = httpRequest(`${s.proxy}/users/7?x=1`, { headers: { 'x-custom': 'a', connection: 'keep-alive, x-hop', 'x-hop': 'drop me' } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-upstream'], 'yes');
      const seen = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
      assert.equal(seen.url, '/users/7?x=1');
      assert.equal(seen.headers['x-custom'], 'a');
      assert.equal(seen.headers['x-hop'], undefined, 'a header named in Connection is hop-by-hop');
      assert.match(seen.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(seen.headers['x-forwarded-proto'], 'http');
      assert.equal(seen.headers.host, new URL(s.proxy).host);
      const given = await (await fetch(`${s.proxy}/x`, { headers: { 'x-request-id': 'my-id' } })).json() as { headers: Record<string, string> };
      assert.equal(given.headers['x-request-id'], 'my-id');

      const t0 = performance.now();
      const slow = await fetch(`${s.proxy}/slow-stream`);
      const reader = slow.body!.getReader();
      const first = await reader.read();
      const firstAt = performance.now() - t0;
      assert.equal(Buffer.from(first.value!).toString(), 'first\n');
      assert.ok(firstAt < 350, `first chunk after ${firstAt} ms: the proxy buffered the response`);
      while (!(await reader.read()).done);
      const m = await metrics(s);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /users/{id}', response_class: '2xx' }), 1);
      const hist = sample(m, 'route_request_duration_milliseconds_bucket', { route_name: 'unknown', le: '250' });
      assert.ok(hist !== undefined && hist <= 2, 'the 400 ms stream is not under 250 ms');
    } finally {
      assert.equal((await stop(s)).code, 0);
    }
  });

  test('upstream down → Envoy\'s 503 UF local reply, recorded', TEST_TIMEOUT, async () => {
    const s = await serve(['--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--upstream', `http://127.0.0.1:${await freePort()}`]);
    try {
      const r = await fetch(`${s.proxy}/healthz`);
      assert.equal(r.status, 503);
      assert.match(await r.text(), /^upstream connect error or disconnect\/reset before headers\. reset reason: remote connection failure/);
      const m = await metrics(s);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /healthz', response_class: '5xx' }), 1);
      assert.equal(sample(m, 'istio_requests_total', { route_name: 'GET /healthz', response_code: '503', response_flags: 'UF' }), 1);
    } finally {
      assert.equal((await stop(s)).code, 0);
    }
  });

  test('route timeout → 504 UT, recorded', TEST_TIMEOUT, async () => {
    const s = await serve([...EPHEMERAL, '--upstream-timeout', '200']);
    try {
      const r = await fetch(`${s.proxy}/delay/2000`);
      assert.equal(r.status, 504);
      assert.equal(await r.text(), 'upstream request timeout');
      const m = await metrics(s);
      assert.equal(sample(m, 'istio_requests_total', { route_name: 'GET /delay/{ms}', response_code: '504', response_flags: 'UT' }), 1);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'GET /delay/{ms}', response_class: '5xx' }), 1);
    } finally {
      assert.equal((await stop(s)).code, 0);
    }
  });
});

describe('serve: configuration', () => {
  test('a WasmPlugin and a Telemetry given separately (here through ROUTE_METRICS_CONFIG)', TEST_TIMEOUT, async () => {
    const wp = join(dir, 'wp.yaml');
    writeFileSync(wp, `apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: rm, namespace: shop}
spec:
  url: oci://x/y:1
  pluginName: route-metrics
  pluginConfig:
    attributes:
    - output_attribute: istio_operationId
      match:
      - {value: Health, condition: "request.url_path == '/healthz'"}
`);
    const tel = join(dir, 'tel.yaml');
    writeFileSync(tel, `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: t, namespace: shop}
spec:
  metrics:
  - providers: [{name: prometheus}]
    overrides:
    - match: {metric: REQUEST_COUNT}
      tagOverrides:
        request_operation: {value: "filter_state['wasm.istio_operationId']"}
`);
    const s = await serve(EPHEMERAL, { ROUTE_METRICS_CONFIG: `${wp},${tel}` });
    try {
      assert.match(s.stdout(), /plugin\s+.*wp\.yaml: attributegen form/);
      await (await fetch(`${s.proxy}/healthz`)).text();
      const m = await metrics(s);
      assert.equal(sample(m, 'istio_requests_total', { request_operation: 'Health', destination_workload_namespace: 'shop' }), 1);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'Health', response_class: '2xx' }), 1);
    } finally {
      assert.equal((await stop(s)).code, 0);
    }
  });

  test('a configuration with errors: served without the invalid routes, the errors on stderr, DEGRADED, the gauge', TEST_TIMEOUT, async () => {
    const bad = join(dir, 'degraded.json');
    writeFileSync(bad, '{"routes":[{"name":"x","path":"/a/{b"},{"name":"y"},{"name":"ok","path":"/healthz"}]}');
    const s = await serve(['--config', bad, ...EPHEMERAL]);
    try {
      assert.match(s.stderr(), /route-metrics: config error: routes\[0\]\.path: unclosed '\{' at column 4/);
      assert.match(s.stderr(), /route-metrics: config error: routes\[1\]: route has no match condition/);
      assert.match(s.stderr(), /route-metrics: configuration accepted with 2 errors; dropped: routes\[0\], routes\[1\]/);
      assert.match(s.stdout(), /DEGRADED\s+2 config error\(s\)/);
      assert.equal((await fetch(`${s.proxy}/healthz`)).status, 200);
      const m = await metrics(s);
      assert.equal(sample(m, 'route_requests_total', { route_name: 'ok', response_class: '2xx' }), 1);
      assert.equal(sample(m, 'route_config_errors', {}), 2);
    } finally {
      assert.equal((await stop(s)).code, 0);
    }
  });

  test('"strict": true and errors: the plugin rejects it; its errors and exit 1, before listening', TEST_TIMEOUT, async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"strict":true,"routes":[{"name":"x","path":"/a/{b"},{"name":"y"}]}');
    const port = await freePort();
    const s = spawnServe(['--config', bad, '--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0', '--app', '127.0.0.1:0']);
    const { code } = await s.exited;
    assert.equal(code, 1);
    assert.match(s.stderr(), /route-metrics: config error: routes\[0\]\.path: unclosed '\{' at column 4/);
    assert.match(s.stderr(), /route-metrics: config error: routes\[1\]: route has no match condition/);
    assert.match(s.stderr(), /route-metrics: configuration rejected \(2 errors\)/);
    assert.match(s.stderr(), /not listening/);
    assert.doesNotMatch(s.stdout(), /ready:/);
  });

  test('a Telemetry Istio would refuse: its file, the field, exit 1', TEST_TIMEOUT, async () => {
    const tel = join(dir, 'bad-telemetry.yaml');
    writeFileSync(tel, `apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: t}
spec:
  metrics:
  - providers: [{name: prometheus}]
    overrides:
    - match: {metric: REQUEST_COUNT}
      tagOverrides:
        route_name: {value: "filter_state['wasm.istio_operationId'"}
`);
    const s = spawnServe(['-c', join(REPO, 'examples/config/wasmplugin-local.yaml'), '-c', tel, ...EPHEMERAL]);
    assert.equal((await s.exited).code, 1);
    assert.match(s.stderr(), /bad-telemetry\.yaml: rejected: .*tagOverrides\.route_name\.value/);
    assert.doesNotMatch(s.stdout(), /ready:/);
  });

  test('a port in use: the error names the option that owns it and suggests port 0; exit 1', TEST_TIMEOUT, async () => {
    const busy = createServer();
    servers.add(busy);
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    for (const [flag, env] of [['--listen', 'ROUTE_METRICS_LISTEN'], ['--admin', 'ROUTE_METRICS_ADMIN'], ['--app', 'ROUTE_METRICS_APP']]) {
      const others = ['--listen', '--admin', '--app'].filter((f) => f !== flag).flatMap((f) => [f, '127.0.0.1:0']);
      const s = spawnServe([flag, `127.0.0.1:${port}`, ...others]);
      const { code } = await s.exited;
      assert.equal(code, 1, flag);
      const line = s.stderr().split('\n').find((l) => l.includes('EADDRINUSE')) ?? '';
      assert.ok(line.startsWith(`route-metrics: ${flag} 127.0.0.1:${port}: address already in use (EADDRINUSE)`), line);
      assert.ok(line.includes(`or ${env})`), `${flag}: names its environment variable: ${line}`);
      assert.ok(line.includes(`use ${flag} 127.0.0.1:0 for any free port`), `${flag}: suggests port 0: ${line}`);
      assert.doesNotMatch(s.stdout(), /ready:/);
    }
  });

  test('non-loopback addresses need --allow-remote (usage error 2)', TEST_TIMEOUT, async () => {
    const s = spawnServe(['--listen', '0.0.0.0:0', '--admin', '127.0.0.1:0', '--app', '127.0.0.1:0']);
    assert.equal((await s.exited).code, 2);
    assert.match(s.stderr(), /refusing to listen on a non-loopback address without --allow-remote/);
  });
});

describe('serve: lifecycle', () => {
  test('SIGTERM: in-flight requests finish, then exit 0', TEST_TIMEOUT, async () => {
    const s = await serve(EPHEMERAL);
    const slow = fetch(`${s.proxy}/delay/600`);
    await new Promise((r) => setTimeout(r, 150));
    s.child.kill('SIGTERM');
    const r = await slow;
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { delay: 600 });
    const { code } = await s.exited;
    assert.equal(code, 0, s.stderr());
    assert.match(s.stdout(), /received SIGTERM: stopping \(1 request\(s\) in flight\)/);
    assert.match(s.stdout(), /stopped after 1 request\(s\)/);
  });

  test('--traffic N --exit: sample requests, a per-route summary, exit 0', TEST_TIMEOUT, async () => {
    const s = spawnServe([...EPHEMERAL, '--traffic', '80', '--exit']);
    const { code } = await s.exited;
    assert.equal(code, 0, s.stderr());
    const out = s.stdout();
    assert.match(out, /sent 80 requests in/);
    assert.match(out, /^route\s+count\s+error %\s+4xx %\s+p50 ms\s+p90 ms\s+p99 ms$/m);
    assert.match(out, /^GET \/healthz\s+\d+\s+0\.0%/m);
    assert.match(out, /^other\s+\d+/m, 'requests no route matched, under the default');
    assert.match(out, /^all routes\s+80\s/m);
    assert.match(s.stderr(), /traffic: 80\/80/); // plain progress lines when not a TTY
  });

  test('--traffic with a services configuration: Host headers reach every service, and one host no service claims', TEST_TIMEOUT, async () => {
    const s = spawnServe([...EPHEMERAL, '-c', join(REPO, 'examples/config/services.json'), '--traffic', '200', '--exit']);
    const { code } = await s.exited;
    assert.equal(code, 0, s.stderr());
    const out = s.stdout();
    assert.match(out, /Host headers in turn: podinfo, httpbin, sample\.preview\.example\.com, unclaimed\.invalid/);
    assert.match(out, /^GET \/users\/\{id\}\s+\d+/m, 'podinfo\'s own route: the podinfo host reached its service');
    assert.match(out, /^preview other\s+\d+/m, 'the wildcard service\'s default: sample.preview.example.com reached it');
    assert.match(out, /^all routes\s+200\s/m);
  });
});
