// `route-metrics routes` against a fake Prometheus (tests/support/fake-prometheus.ts): the PromQL it
// sends (grouping, filters, windows, the error selectors of both sources — every query parses with
// Prometheus' grammar), how the five answers become rows (JSON and table), the errors a user sees
// (unreachable, a rejected query with Prometheus' message, not a Prometheus, auth, timeout), the
// diagnoses when nothing matches, and --watch (bounded by --count, a failed refresh does not end
// it, Ctrl-C exits 0). The real-Prometheus end-to-end run is tests/e2e/prometheus.sh.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { runRoutes, formatRouteTable, formatSuccess, type RoutesOptions } from '../../cli/commands/routes.ts';
import { CliError } from '../../cli/errors.ts';
import { goFormatFloat, leValues, openMetricsFloat, parseDuration } from '../../cli/prometheus/promql.ts';
import { FakePrometheus, prometheusError, type FakeAnswer, type FakeSeries } from '../support/fake-prometheus.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const fakes: FakePrometheus[] = [];
after(async () => {
  for (const f of fakes) await f.stop();
});

async function fake(answer: (q: string) => FakeAnswer): Promise<FakePrometheus> {
  const f = await new FakePrometheus(answer).start();
  fakes.push(f);
  return f;
}

interface Captured { stdout: string; stderr: string; code: number }

async function routes(o: Partial<RoutesOptions> & { prometheus: string }): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runRoutes({
    ...o,
    stdout: { write: (s: string) => ((stdout += s), true) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => ((stderr += s), true) } as unknown as NodeJS.WritableStream,
  });
  return { stdout, stderr, code };
}

async function routesError(o: Partial<RoutesOptions> & { prometheus: string }): Promise<CliError> {
  try {
    await routes(o);
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return e;
  }
  assert.fail('expected a CliError');
}

const text = (e: CliError) => [e.message, ...e.details].join('\n');

interface RouteData {
  requests?: FakeSeries[];
  errors?: FakeSeries[];
  p50?: FakeSeries[];
  p90?: FakeSeries[];
  p99?: FakeSeries[];
  /** Answers for other queries (diagnostics), by exact query text. */
  other?: Record<string, FakeAnswer>;
}

/** Answers the five route queries by their shape, the rest from `other` (else an empty vector). */
function answerRoutes(d: RouteData): (q: string) => FakeAnswer {
  return (q) => {
    if (d.other && q in d.other) return d.other[q]!;
    if (q.startsWith('histogram_quantile(0.5,')) return d.p50 ?? [];
    if (q.startsWith('histogram_quantile(0.9,')) return d.p90 ?? [];
    if (q.startsWith('histogram_quantile(0.99,')) return d.p99 ?? [];
    if (q.startsWith('sum by') && (q.includes('5xx|none') || q.includes('response_code=~"5..|0"'))) return d.errors ?? [];
    if (q.startsWith('sum by')) return d.requests ?? [];
    return [];
  };
}

const R = (route: string, value: number | string, extra: Record<string, string> = {}): FakeSeries => ({ metric: { route_name: route, ...extra }, value });

function parsesAsPromQL(expr: string): void {
  let bad = -1;
  parser.parse(expr).iterate({ enter: (n) => { if (n.type.isError && bad < 0) bad = n.from; } });
  assert.equal(bad, -1, `syntax error at ${bad}: ${expr}`);
}

describe('PromQL helpers', () => {
  test('durations', () => {
    assert.equal(parseDuration('1m'), 60_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    for (const bad of ['', '1', 'm', '1x', '-1m', '0s', '1m1h']) assert.equal(parseDuration(bad), undefined, bad);
  });

  test("bounds as Prometheus 3 stores them (Go's shortest 'g' + \".0\") and as Envoy prints them", () => {
    assert.deepEqual([250, 0.5, 1, 100000, 600000, 1800000, 3600000, 0.1, 1e-5].map(openMetricsFloat),
      ['250.0', '0.5', '1.0', '100000.0', '600000.0', '1.8e+06', '3.6e+06', '0.1', '1e-05']);
    assert.equal(goFormatFloat(123456.5), '123456.5');
    assert.deepEqual(leValues(250), ['250', '250.0']);
    assert.deepEqual(leValues(0.5), ['0.5']);
    assert.deepEqual(leValues(0.1), ['0.10000000000000000555111512312578', '0.1']);
  });

  test('success rates never round up to 100%', () => {
    assert.equal(formatSuccess(0.99999), '99.99%');
    assert.equal(formatSuccess(1), '100.00%');
    assert.equal(formatSuccess(null), '-');
  });
});

describe('queries', () => {
  test('plugin: rate, errors (5xx and resets) and three quantiles by (namespace, service, route), one evaluation time', async () => {
    const f = await fake(answerRoutes({ requests: [R('GET /a', 1)] }));
    await routes({ prometheus: f.url, json: true });
    const q = f.queries.map((x) => x.query);
    assert.deepEqual(q, [
      'sum by (namespace, destination_service_name, route_name) (rate(route_requests_total[1m]))',
      'sum by (namespace, destination_service_name, route_name) (rate(route_requests_total{response_class=~"5xx|none"}[1m]))',
      'histogram_quantile(0.5, sum by (namespace, destination_service_name, route_name, le) (rate(route_request_duration_milliseconds_bucket[1m])))',
      'histogram_quantile(0.9, sum by (namespace, destination_service_name, route_name, le) (rate(route_request_duration_milliseconds_bucket[1m])))',
      'histogram_quantile(0.99, sum by (namespace, destination_service_name, route_name, le) (rate(route_request_duration_milliseconds_bucket[1m])))',
    ]);
    assert.equal(new Set(f.queries.map((x) => x.time)).size, 1, 'one evaluation time for all five');
    assert.ok(f.queries.every((x) => x.method === 'POST'));
    for (const x of q) parsesAsPromQL(x);
  });

  test('filters, window and prefix; istio: reporter, route_name present, response_code 0 and reset flags', async () => {
    const f = await fake(answerRoutes({ requests: [R('GET /a', 1)] }));
    await routes({ prometheus: f.url, json: true, namespace: 'shop', service: 'cart', window: '5m', prefix: 'api_' });
    assert.equal(f.queries[0]!.query, 'sum by (namespace, destination_service_name, route_name) (rate(api_requests_total{namespace="shop", destination_service_name="cart"}[5m]))');
    f.queries.length = 0;
    await routes({ prometheus: f.url, json: true, source: 'istio', namespace: 'shop' });
    const [requests, errors, p50] = f.queries.map((x) => x.query);
    const sel = 'reporter=~"destination|waypoint", route_name!="", destination_service_namespace="shop"';
    assert.equal(requests, `sum by (destination_service_namespace, destination_service_name, route_name) (rate(istio_requests_total{${sel}}[1m]))`);
    assert.equal(errors, `sum by (destination_service_namespace, destination_service_name, route_name) ((rate(istio_requests_total{${sel}, response_code=~"5..|0"}[1m]) or rate(istio_requests_total{${sel}, response_code!~"5..|0", response_flags=~"(.*,)?(UC|UR|LR|DC|DR)(,.*)?"}[1m])))`);
    assert.match(p50!, /^histogram_quantile\(0\.5, sum by \(.*, le\) \(rate\(istio_request_duration_milliseconds_bucket\{reporter/);
    for (const x of f.queries) parsesAsPromQL(x.query);
  });

  test('a base URL with a path prefix and credentials (sent as Basic auth)', async () => {
    let auth: string | undefined;
    let path: string | undefined;
    // The fake serves /api/v1/query only: the prefix is kept in front of it, not dropped.
    const prefixed = await fake(() => []);
    const r = await routesError({ prometheus: `${prefixed.url}/prom` });
    assert.match(r.message, /does not look like a Prometheus API: HTTP 404/);
    const server = (await import('node:http')).createServer((req, res) => {
      auth = req.headers.authorization;
      path = req.url;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: { route_name: 'x' }, value: [0, '1'] }] } }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as { port: number }).port;
      await routes({ prometheus: `http://me:s%40cret@127.0.0.1:${port}/prom/`, json: true });
      assert.equal(auth, `Basic ${Buffer.from('me:s@cret').toString('base64')}`);
      assert.equal(path, '/prom/api/v1/query');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('rows', () => {
  const ns = { namespace: 'shop' };
  const data: RouteData = {
    requests: [R('GET /a', 10, ns), R('POST /b', 40, ns), R('unknown', 0.005, ns), R('GET /idle', 0, ns)],
    errors: [R('POST /b', 2, ns)],
    p50: [R('GET /a', 4.2, ns), R('POST /b', 12, ns), R('GET /idle', 'NaN', ns)],
    p90: [R('GET /a', 9.5, ns), R('POST /b', 80, ns)],
    p99: [R('GET /a', 24, ns), R('POST /b', '+Inf', ns)],
  };

  test('--json: route, rps, success_rate (0–1), p50/p90/p99 ms; null where there is no data; busiest first', async () => {
    const f = await fake(answerRoutes(data));
    const rows = JSON.parse((await routes({ prometheus: f.url, json: true })).stdout);
    assert.deepEqual(rows, [
      { namespace: 'shop', route: 'POST /b', rps: 40, success_rate: 0.95, p50_ms: 12, p90_ms: 80, p99_ms: null },
      { namespace: 'shop', route: 'GET /a', rps: 10, success_rate: 1, p50_ms: 4.2, p90_ms: 9.5, p99_ms: 24 },
      { namespace: 'shop', route: 'unknown', rps: 0.005, success_rate: 1, p50_ms: null, p90_ms: null, p99_ms: null },
      { namespace: 'shop', route: 'GET /idle', rps: 0, success_rate: null, p50_ms: null, p90_ms: null, p99_ms: null },
    ]);
  });

  test('service when the series carry destination_service_name; the same route in two services stays two rows', async () => {
    const f = await fake(answerRoutes({
      requests: [R('GET /healthz', 2, { destination_service_name: 'cart' }), R('GET /healthz', 1, { destination_service_name: 'shop' })],
      errors: [R('GET /healthz', 1, { destination_service_name: 'shop' })],
    }));
    const rows = JSON.parse((await routes({ prometheus: f.url, json: true })).stdout);
    assert.deepEqual(rows.map((r: any) => [r.service, r.route, r.success_rate]), [['cart', 'GET /healthz', 1], ['shop', 'GET /healthz', 0]]);
  });

  test('the table: a heading, columns only for the labels present, units', async () => {
    const f = await fake(answerRoutes(data));
    const out = (await routes({ prometheus: f.url })).stdout;
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^the plugin's metrics \\(route_requests_total, route_request_duration_milliseconds\\) from ${f.url}, window 1m, at \\d{4}-`));
    assert.match(lines[1]!, /^NAMESPACE +ROUTE +RPS +SUCCESS +P50 ms +P90 ms +P99 ms$/);
    assert.match(lines[3]!, /^shop +POST \/b +40\.0 +95\.00% +12\.0 +80\.0 +\+Inf$/);
    assert.match(lines[5]!, /^shop +unknown +<0\.01 +100\.00% +- +- +-$/);
    assert.match(out, /success = neither 5xx nor a reset/);
    assert.doesNotMatch(formatRouteTable([{ route: 'a', rps: 1, success_rate: 1, p50_ms: 1, p90_ms: 1, p99_ms: 1 }]), /NAMESPACE|SERVICE/);
  });

  test("Prometheus' warnings go to stderr", async () => {
    const f = await fake(answerRoutes({ requests: [R('GET /a', 1)] }));
    const orig = f.answer;
    f.answer = (q) => (q.startsWith('sum by') && !q.includes('5xx') ? { status: 200, body: JSON.stringify({ status: 'success', warnings: ['partial response'], data: { resultType: 'vector', result: [{ metric: { route_name: 'GET /a' }, value: [0, '1'] }] } }) } : orig(q));
    const r = await routes({ prometheus: f.url, json: true });
    assert.match(r.stderr, /Prometheus warning: partial response/);
  });
});

describe('errors', () => {
  test('unreachable: connection refused, named', async () => {
    const f = await fake(() => []);
    const url = f.url;
    await f.stop();
    const e = await routesError({ prometheus: url });
    assert.match(e.message, new RegExp(`^cannot reach Prometheus at ${url}: connection refused \\(ECONNREFUSED\\)$`));
  });

  test("a rejected query: Prometheus' errorType and message, and the query", async () => {
    const f = await fake((q) => (q.startsWith('histogram_quantile(0.9') ? prometheusError(400, 'bad_data', 'invalid parameter "query": 1:2: parse error: unexpected') : answerRoutes({ requests: [R('a', 1)] })(q)));
    const e = await routesError({ prometheus: f.url });
    assert.equal(e.message, 'Prometheus rejected a query (bad_data): invalid parameter "query": 1:2: parse error: unexpected');
    assert.match(e.details.join('\n'), /query: histogram_quantile\(0\.9, /);
    const g = await fake(() => prometheusError(422, 'execution', 'query processing would load too many samples into memory'));
    assert.match((await routesError({ prometheus: g.url })).message, /\(execution\): query processing would load too many samples/);
  });

  test('not a Prometheus, authentication, a timeout', async () => {
    const html = await fake(() => ({ status: 200, body: '<html>Grafana</html>', contentType: 'text/html' }));
    assert.match((await routesError({ prometheus: html.url })).message, /does not look like a Prometheus API: HTTP 200 for POST \/api\/v1\/query \("<html>Grafana<\/html>"\)/);
    const denied = await fake(() => ({ status: 401, body: 'Unauthorized', contentType: 'text/plain' }));
    assert.match((await routesError({ prometheus: denied.url })).message, /refused the request: HTTP 401/);
    const slow = await fake(() => 'hang');
    assert.match((await routesError({ prometheus: slow.url, timeout: '200ms' })).message, /did not answer within 0\.2 s/);
  });

  test('usage errors exit 2: no --prometheus, not a URL, not http, a bad duration', () => {
    const cli = (args: string[]) => spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), 'routes', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', ROUTE_METRICS_PROMETHEUS: undefined } });
    assert.equal(cli([]).status, 2);
    assert.equal(cli(['--prometheus', 'localhost 9090']).status, 2);
    const ftp = cli(['--prometheus', 'ftp://x']);
    assert.equal(ftp.status, 2);
    assert.match(ftp.stderr, /expected an http:\/\/ or https:\/\/ URL/);
    const w = cli(['--prometheus', 'http://127.0.0.1:9', '--window', '1 minute']);
    assert.equal(w.status, 2);
    assert.match(w.stderr, /--window 1 minute: expected a Prometheus duration/);
    assert.equal(cli(['--prometheus', 'http://127.0.0.1:9', '--source', 'linkerd']).status, 2);
    const help = cli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Examples:\n\s+\$ route-metrics routes --prometheus/);
  });
});

describe('when nothing matches, it says what is missing', () => {
  const none = (other: Record<string, FakeAnswer>) => answerRoutes({ other });
  const one = [{ metric: {}, value: 1 }];

  test('no scrape target at all; targets all down', async () => {
    let f = await fake(none({}));
    assert.match((await routesError({ prometheus: f.url })).message, /no per-route series: Prometheus at .* has no scrape targets/);
    f = await fake(none({ 'count(up)': [{ metric: {}, value: 3 }] }));
    assert.match((await routesError({ prometheus: f.url })).message, /none of the 3 scrape targets .* is up/);
  });

  const up = { 'count(up)': one, 'count(up == 1)': one };

  test('plugin metrics without labels: extraStatTags is missing', async () => {
    const f = await fake(none({ ...up, 'count by (__name__) ({__name__=~".+_route_requests_total"})': [{ metric: { __name__: 'route_name___GET__a___response_class___2xx___route_requests_total' }, value: 1 }] }));
    const e = await routesError({ prometheus: f.url });
    assert.match(e.message, /scraped without labels \(1 names like route_name___GET__a___response_class___2xx___route_requests_total\): the proxies lack extraStatTags/);
    assert.match(text(e), /extraStatTags: \[route_name, response_class\]/);
  });

  test('the plugin runs (route_config_errors) but no request was recorded, or another prefix', async () => {
    const f = await fake(none({ ...up, 'count(route_config_errors)': [{ metric: {}, value: 2 }] }));
    const e = await routesError({ prometheus: f.url });
    assert.match(e.message, /the plugin runs on 2 scraped proxies \(route_config_errors is there\) but there is no route_requests_total/);
    assert.match(text(e), /--prefix/);
  });

  test("no plugin metrics at all; Istio's there → suggests --source istio", async () => {
    const f = await fake(none({ ...up, 'count(istio_requests_total)': one }));
    const e = await routesError({ prometheus: f.url });
    assert.match(e.message, /no metrics of the plugin in Prometheus \(neither route_requests_total nor route_config_errors\) although 1 target is up/);
    assert.match(text(e), /--source istio/);
  });

  test('filters that match nothing: the values that exist (or that the label is absent)', async () => {
    const f = await fake(none({
      ...up,
      'count(route_requests_total)': one,
      'count by (namespace) (route_requests_total)': [{ metric: { namespace: 'a' }, value: 1 }, { metric: { namespace: 'b' }, value: 1 }],
      'count by (destination_service_name) (route_requests_total)': [{ metric: {}, value: 1 }],
    }));
    const e = await routesError({ prometheus: f.url, namespace: 'c', service: 'cart' });
    assert.match(e.message, /route_requests_total exists, but no series matches --namespace c and --service cart/);
    assert.match(text(e), /namespace values of route_requests_total: "a", "b"/);
    assert.match(text(e), /no destination_service_name label \(a configuration without "services"/);
  });

  test('istio: no istio_requests_total; only client-side series; no route_name label (the Telemetry)', async () => {
    let f = await fake(none(up));
    assert.match((await routesError({ prometheus: f.url, source: 'istio' })).message, /no istio_requests_total in Prometheus/);
    f = await fake(none({ ...up, 'count(istio_requests_total)': one }));
    assert.match((await routesError({ prometheus: f.url, source: 'istio' })).message, /only client-side ones/);
    f = await fake(none({ ...up, 'count(istio_requests_total{reporter=~"destination|waypoint"})': one }));
    const e = await routesError({ prometheus: f.url, source: 'istio' });
    assert.match(e.message, /istio_requests_total is there but has no route_name label: the Telemetry tag override is missing/);
    assert.match(text(e), /filter_state\['wasm\.istio_operationId'\]/);
  });

  test('istio: every request "unknown" → a note on the attribute name and the phase', async () => {
    const f = await fake(answerRoutes({ requests: [R('unknown', 3)] }));
    const out = (await routes({ prometheus: f.url, source: 'istio' })).stdout;
    assert.match(out, /note: every request is labelled route_name="unknown".*filter_state\['wasm\.istio_operationId'\].*phase AUTHN/);
  });
});

describe('--watch', () => {
  test('--count bounds it; one array per line with --json; a failed refresh is shown and the next one runs', async () => {
    let n = 0;
    const f = await fake((q) => {
      if (q.startsWith('sum by') && !q.includes('5xx')) n++;
      if (n === 2) return prometheusError(503, 'unavailable', 'TSDB not ready');
      return answerRoutes({ requests: [R('GET /a', n)] })(q);
    });
    const r = await routes({ prometheus: f.url, json: true, watch: true, count: 3, interval: '10ms' });
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => JSON.parse(l)[0].rps), [1, 3]);
    assert.match(r.stderr, /Prometheus rejected a query \(unavailable\): TSDB not ready/);
    assert.equal(r.code, 0, 'the last refresh worked');
  });

  test('the exit code says whether the last refresh worked', async () => {
    const f = await fake(() => prometheusError(400, 'bad_data', 'nope'));
    const r = await routes({ prometheus: f.url, watch: true, count: 2, interval: '10ms' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(2 refreshes in a row\)/);
  });

  let child: ReturnType<typeof spawn> | undefined;
  after(() => child?.kill('SIGKILL'));

  test('Ctrl-C (SIGINT) ends it cleanly with 0, also while a query hangs', async () => {
    const f = await fake(answerRoutes({ requests: [R('GET /a', 1)] }));
    let hang = false;
    const orig = f.answer;
    f.answer = (q) => (hang ? 'hang' : orig(q));
    child = spawn(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), 'routes', '--prometheus', f.url, '--watch', '--interval', '100ms', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    while (out.split('\n').length < 3) await new Promise((r) => setTimeout(r, 50));
    hang = true;
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    assert.equal(await exited, 0, err);
    assert.equal(err, '');
    for (const l of out.trim().split('\n')) assert.equal(JSON.parse(l)[0].route, 'GET /a');
  });
});
