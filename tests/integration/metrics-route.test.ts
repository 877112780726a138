// Per-route metrics of the release .wasm, read the way Prometheus sees them: through the simulated
// Envoy's /stats/prometheus (tag extraction with extraStatTags route_name, response_class).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SimulatedEnvoy } from '../../host/index.ts';
import { buckets, scrape, select, seriesKeys, valueOf } from '../fixtures/metrics-queries.ts';
import { PODINFO_ATTRIBUTEGEN, PODINFO_NATIVE, startFilter } from '../support/filter.ts';

const REQUESTS = 'route_requests_total';
const DURATION = 'route_request_duration_milliseconds';

/** 3× GET /healthz 200 (12 ms), 2× POST /echo 500 (100 ms), 1× GET /users/1 404 (24 ms). */
function sendMix(host: SimulatedEnvoy): void {
  for (let i = 0; i < 3; i++) host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: 12 });
  for (let i = 0; i < 2; i++) host.request({ method: 'POST', path: '/echo', status: 500, durationMs: 100 });
  host.request({ method: 'GET', path: '/users/1', status: 404, durationMs: 24 });
}

describe('route metrics: a known request mix (native config)', async () => {
  const host = await startFilter(PODINFO_NATIVE);
  sendMix(host);
  const p = scrape(host);

  test('one counter per route and response class', () => {
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: '2xx' }), 3);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'POST /echo', response_class: '5xx' }), 2);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /users/{id}', response_class: '4xx' }), 1);
    assert.equal(select(p, REQUESTS).length, 3, 'no other series');
    assert.equal(p.types.get(REQUESTS), 'counter');
  });

  test('the Envoy stat names carry the labels as tag segments', () => {
    assert.equal(host.counter('route_name=.=GET /healthz;.;response_class=.=2xx;.;route_requests_total'), 3n);
    assert.deepEqual(host.histogram('route_name=.=POST /echo;.;route_request_duration_milliseconds'), [100, 100]);
  });

  test('duration histograms per route, in circllhist buckets', () => {
    assert.equal(p.types.get(DURATION), 'histogram');
    assert.equal(valueOf(p, `${DURATION}_count`, { route_name: 'GET /healthz' }), 3);
    // 12 ms sits in circllhist bin [12, 13): counted from le="25" on; _sum uses the midpoint 12.5.
    assert.equal(valueOf(p, `${DURATION}_sum`, { route_name: 'GET /healthz' }), 37.5);
    const h = buckets(p, DURATION, { route_name: 'GET /healthz' });
    assert.equal(h['10'], 0);
    assert.equal(h['25'], 3);
    assert.equal(h['+Inf'], 3);
    // 100 ms → bin [100, 110): not in le="100", in le="250".
    const e = buckets(p, DURATION, { route_name: 'POST /echo' });
    assert.equal(e['100'], 0);
    assert.equal(e['250'], 2);
    assert.equal(valueOf(p, `${DURATION}_sum`, { route_name: 'POST /echo' }), 210);
    assert.equal(Object.keys(h).length, 20, "Envoy's 19 default buckets + +Inf");
  });

  test('no byte histograms unless enabled', () => {
    assert.deepEqual(host.statNames('histogram').filter((n) => n.includes('bytes')), []);
    assert.equal(p.types.has('route_request_bytes'), false);
    assert.equal(p.types.has('route_response_bytes'), false);
  });

  test('no Istio metrics unless the host is started with the istio option', () => {
    assert.deepEqual([...p.types.keys()].filter((n) => n.startsWith('istio_')), []);
  });
});

describe('route metrics: unmatched requests', () => {
  test('count under route_name="unknown"', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    host.request({ method: 'GET', path: '/nowhere', status: 404, durationMs: 1 });
    host.request({ method: 'DELETE', path: '/healthz', status: 405, durationMs: 1 });
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'unknown', response_class: '4xx' }), 2);
    assert.equal(valueOf(p, `${DURATION}_count`, { route_name: 'unknown' }), 2);
  });

  test('or under metrics.unmatched', async () => {
    const host = await startFilter({ ...PODINFO_NATIVE, metrics: { unmatched: 'other' } });
    host.request({ method: 'GET', path: '/nowhere', status: 200 });
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'other', response_class: '2xx' }), 1);
    assert.equal(select(p, REQUESTS, { route_name: 'unknown' }).length, 0);
  });
});

describe('route metrics: response classes', () => {
  test('1xx…5xx from the response code, "none" for a reset stream', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    for (const status of [101, 204, 302, 429, 503]) host.request({ method: 'GET', path: '/healthz', status });
    const s = host.newStream();
    s.requestHeaders([[':method', 'GET'], [':path', '/healthz'], [':authority', 'podinfo'], [':scheme', 'http']], true);
    s.reset();
    s.complete({ durationMs: 3 });
    host.request({ method: 'GET', path: '/healthz', reset: true });
    const p = scrape(host);
    for (const c of ['1xx', '2xx', '3xx', '4xx', '5xx']) assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: c }), 1, c);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: 'none' }), 2);
    // A reset stream still has a duration.
    assert.equal(valueOf(p, `${DURATION}_count`, { route_name: 'GET /healthz' }), 7);
  });
});

describe('route metrics: byte histograms', () => {
  test('request and response bytes (headers + body) when enabled', async () => {
    const host = await startFilter({ ...PODINFO_NATIVE, metrics: { request_bytes: true, response_bytes: true } });
    const r = host.request({ method: 'POST', path: '/echo', body: 'hello', status: 200, responseBody: 'hello back', requestId: 'req-1' });
    const reqBytes = r.requestHeaders.reduce((n, [k, v]) => n + k.length + v.length, 0) + 5;
    const respBytes = r.response!.headers.reduce((n, [k, v]) => n + k.length + v.length, 0) + 10;
    assert.deepEqual(host.histogram('route_name=.=POST /echo;.;route_request_bytes'), [reqBytes]);
    assert.deepEqual(host.histogram('route_name=.=POST /echo;.;route_response_bytes'), [respBytes]);
    const p = scrape(host);
    assert.equal(p.types.get('route_request_bytes'), 'histogram');
    assert.equal(valueOf(p, 'route_request_bytes_count', { route_name: 'POST /echo' }), 1);
    assert.equal(valueOf(p, 'route_response_bytes_count', { route_name: 'POST /echo' }), 1);
  });
});

describe('route metrics: configuration', () => {
  test('metrics.prefix renames every metric', async () => {
    const host = await startFilter({ ...PODINFO_NATIVE, metrics: { prefix: 'podinfo_route_' } });
    host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: 5 });
    const p = scrape(host);
    assert.equal(valueOf(p, 'podinfo_route_requests_total', { route_name: 'GET /healthz', response_class: '2xx' }), 1);
    assert.equal(valueOf(p, 'podinfo_route_request_duration_milliseconds_count', { route_name: 'GET /healthz' }), 1);
    assert.equal(p.types.has(REQUESTS), false);
  });

  test('metrics: false defines no route metric; route_config_errors still watches the configuration', async () => {
    const host = await startFilter({ ...PODINFO_NATIVE, metrics: false });
    assert.equal(host.configured, true, host.startError);
    sendMix(host);
    assert.deepEqual(host.metrics.map((m) => [m.type, m.name, m.value]), [['gauge', 'route_config_errors', 0n]]);
    assert.equal(host.prometheus(), '# TYPE route_config_errors gauge\nroute_config_errors{} 0\n');
  });
});

describe('route metrics: attributegen form', () => {
  test('the route is the istio_operationId value', async () => {
    const host = await startFilter(PODINFO_ATTRIBUTEGEN);
    sendMix(host);
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: '2xx' }), 3);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'POST /echo', response_class: '5xx' }), 2);
    // GET /users/1 has no match in the attributegen example.
    assert.equal(valueOf(p, REQUESTS, { route_name: 'unknown', response_class: '4xx' }), 1);
  });

  test('AFTER_RESPONSE attributes that read the response are classified at on_log', async () => {
    const host = await startFilter({
      attributes: [{
        output_attribute: 'istio_operationId',
        match: [
          { value: 'failing', condition: 'response.code >= 500' },
          { value: 'healthy', condition: "request.url_path == '/healthz'" },
        ],
      }],
    });
    host.request({ path: '/healthz', status: 200 });
    host.request({ path: '/healthz', status: 503 });
    host.request({ path: '/other', status: 502 });
    host.request({ path: '/other', status: 200 });
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'healthy', response_class: '2xx' }), 1);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'failing', response_class: '5xx' }), 2);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'unknown', response_class: '2xx' }), 1);
  });

  test('only istio_operationId names routes; other attributes do not', async () => {
    const host = await startFilter({
      attributes: [
        { output_attribute: 'istio_responseClass', match: [{ value: '2xx', condition: 'response.code >= 200 && response.code <= 299' }] },
        { output_attribute: 'istio_operationId', match: [{ value: 'getoperation', condition: "request.method == 'GET'" }] },
      ],
    });
    host.request({ method: 'GET', path: '/x', status: 200 });
    const p = scrape(host);
    assert.deepEqual(seriesKeys(p, REQUESTS), [JSON.stringify([['route_name', 'getoperation'], ['response_class', '2xx']])]);
  });
});

describe('route metrics: the number of series is bounded by the configuration', () => {
  test('random paths, methods and codes never add series beyond (routes + unmatched) × classes', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const methods = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE'];
    const prefixes = ['/healthz', '/echo', '/users/', '/static/', '/v1/legacy/', '/x/', '/'];
    for (let i = 0; i < 3000; i++) {
      const path = prefixes[rnd(prefixes.length)]! + (rnd(3) === 0 ? '' : `${rnd(1_000_000).toString(36)}${rnd(2) ? '/deep' : ''}`);
      host.request({ method: methods[rnd(methods.length)]!, path, status: [0, 101, 200, 304, 404, 503][rnd(6)] || undefined, reset: rnd(50) === 0, durationMs: rnd(5000) });
    }
    const p = scrape(host);
    const routes = new Set(PODINFO_NATIVE.routes.map((r) => r.name));
    const counters = select(p, REQUESTS);
    const histograms = select(p, `${DURATION}_count`);
    assert.ok(counters.length <= (routes.size + 1) * 6, `${counters.length} counter series`);
    assert.ok(histograms.length <= routes.size + 1, `${histograms.length} histogram series`);
    for (const s of counters) assert.ok(routes.has(s.labels.route_name!) || s.labels.route_name === 'unknown', s.labels.route_name);
    assert.equal(counters.reduce((n, s) => n + s.value, 0), 3000);
    assert.equal(host.statNames('counter').length, counters.length);
  });
});
