// /stats/prometheus as Envoy renders it under Istio's bootstrap: tag extraction, name
// sanitization, histogram buckets (circllhist placement, statsHistogramBuckets), escaping, and
// promtool's verdict on the result.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Circllhist,
  DEFAULT_HISTOGRAM_BUCKETS,
  formatG32,
  parsePrometheusText,
  prometheusMetricName,
  renderPrometheus,
  type PrometheusStat,
} from '../../host/index.ts';
import { assertPromtoolAccepts, assertUniqueSeries, buckets, scrape, select, valueOf } from '../fixtures/metrics-queries.ts';
import { PODINFO_NATIVE, startFilter } from '../support/filter.ts';

const REQUESTS = 'route_requests_total';
const DURATION = 'route_request_duration_milliseconds';

/** Route names that must survive the tag encoding, and the label each one gets. */
const AWKWARD_ROUTES: Array<[name: string, label: string]> = [
  ['GET /a b', 'GET /a b'],
  ['GET /users/{id}', 'GET /users/{id}'],
  ['say "hi"', 'say "hi"'],
  ['back\\slash', 'back\\slash'],
  ['ünïcødé ✓ 🚀', 'ünïcødé ✓ 🚀'],
  // Istio's other bootstrap regexes look for these anywhere in a name: the filter replaces the dot.
  ['cache.x.y', 'cache_x.y'],
  ['component.a.b', 'component_a.b'],
  ['wasm_filter.q.r', 'wasm_filter_q.r'],
  ['rbac.allowed', 'rbac_allowed'],
  // The separators themselves, and what would end the lazily matched value early.
  ['a;.;b', 'a_._b'],
  ['tag.v;.', 'tag_v_.'],
  ['new\nline', 'new_line'],
  ['x=.=y', 'x=_=y'],
  ['ends_rq_200', 'ends_rq_200'],
];

describe('exposition: tag encoding round trip through the extraction regexes', async () => {
  const host = await startFilter({ routes: AWKWARD_ROUTES.map(([name], i) => ({ name, path: `/r${i}` })) });
  AWKWARD_ROUTES.forEach((_, i) => host.request({ path: `/r${i}`, status: 200, durationMs: 3 }));
  const text = host.prometheus();
  const p = parsePrometheusText(text);

  for (const [name, label] of AWKWARD_ROUTES) {
    test(`${JSON.stringify(name)} → route_name=${JSON.stringify(label)}`, () => {
      assert.equal(valueOf(p, REQUESTS, { route_name: label, response_class: '2xx' }), 1);
      assert.equal(valueOf(p, `${DURATION}_count`, { route_name: label }), 1);
    });
  }

  test('every series lands under the two metric names (and the clean configuration\'s gauge), nothing is mangled', () => {
    assert.deepEqual([...p.types.keys()], [REQUESTS, 'route_config_errors', DURATION]);
    assert.equal(valueOf(p, 'route_config_errors'), 0);
    assert.equal(select(p, REQUESTS).length, AWKWARD_ROUTES.length);
    assertUniqueSeries(p);
    // Series of a metric come sorted by stat name (byte order).
    const order = select(p, REQUESTS).map((s) => s.labels.route_name!);
    assert.deepEqual(order, [...order].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  test('label values are escaped for backslash and double quote only', () => {
    assert.ok(text.includes('route_requests_total{route_name="say \\"hi\\"",response_class="2xx"} 1\n'));
    assert.ok(text.includes('{route_name="back\\\\slash",response_class="2xx"}'));
    assert.ok(text.includes('route_name="ünïcødé ✓ 🚀"'));
  });

  test('promtool check metrics accepts it', () => {
    assertPromtoolAccepts(text);
  });
});

describe('exposition: extraStatTags', () => {
  test('without extraStatTags every route is its own mangled metric name (one name per label value)', async () => {
    const host = await startFilter(PODINFO_NATIVE, { stats: { extraStatTags: [] } });
    host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: 4 });
    host.request({ method: 'POST', path: '/echo', status: 500, durationMs: 4 });
    const p = scrape(host);
    assert.equal(valueOf(p, 'route_name___GET__healthz___response_class___2xx___route_requests_total'), 1);
    assert.equal(valueOf(p, 'route_name___POST__echo___response_class___5xx___route_requests_total'), 1);
    assert.equal(valueOf(p, 'route_name___GET__healthz___route_request_duration_milliseconds_count'), 1);
    assert.equal(p.types.has(REQUESTS), false);
    // A stat without tags prints "name{} value", as Envoy does.
    assert.ok(host.prometheus().includes('route_name___GET__healthz___response_class___2xx___route_requests_total{} 1\n'));
  });

  test('only the listed tags become labels; the rest stays in the name', async () => {
    const host = await startFilter(PODINFO_NATIVE, { stats: { extraStatTags: ['route_name'] } });
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    const p = scrape(host);
    assert.equal(valueOf(p, 'response_class___2xx___route_requests_total', { route_name: 'GET /healthz' }), 1);
  });

  test('an unanchored tag that is a suffix of another one cuts into it (pick distinct tag names)', async () => {
    const host = await startFilter(PODINFO_NATIVE, { stats: { extraStatTags: ['name', 'response_class'] } });
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    const p = scrape(host);
    // "(name=\.=(.*?);\.;)" matches inside "route_name=.=GET /healthz;.;" and leaves "route_" behind.
    assert.equal(valueOf(p, 'route_route_requests_total', { name: 'GET /healthz', response_class: '2xx' }), 1);
  });

  test("a tag name that duplicates one of Istio's bootstrap tags is a bootstrap error", async () => {
    await assert.rejects(startFilter(PODINFO_NATIVE, { stats: { extraStatTags: ['cache'] } }), /Tag name 'cache' specified twice\./);
  });
});

describe("exposition: Envoy's name rules (pure renderer)", () => {
  const counter = (name: string, value = 1): PrometheusStat => ({ type: 'counter', name, value });

  test('wasmcustom. is stripped, no envoy_ prefix, no _total added, other characters → _', () => {
    assert.equal(prometheusMetricName('wasmcustom.my-metric.count'), 'my_metric_count');
    assert.equal(prometheusMetricName('istiocustom.istio_requests_total'), 'istio_requests_total');
    assert.equal(prometheusMetricName('cluster.x.upstream_rq'), 'envoy_cluster_x_upstream_rq');
  });

  test('a name that starts with a digit (or is empty) is silently dropped', () => {
    assert.equal(prometheusMetricName('wasmcustom.9lives'), undefined);
    assert.equal(renderPrometheus([counter('wasmcustom.9lives'), counter('wasmcustom.ok_total')]), '# TYPE ok_total counter\nok_total{} 1\n');
  });

  test("Istio's other bootstrap regexes apply to Wasm names too", () => {
    const text = renderPrometheus([
      counter('wasmcustom.cache.hot.lookups_total'),
      counter('wasmcustom.upstream_rq_503', 2),
      counter('wasmcustom.route_name=.=tag_v;.;.;response_class=.=2xx;.;x_total', 3),
      counter('wasmcustom.route_name=.=new\nline;.;x_total', 4),
    ]);
    const p = parsePrometheusText(text);
    assert.equal(valueOf(p, 'lookups_total', { cache: 'hot' }), 1);
    assert.equal(valueOf(p, 'upstream_rq', { response_code: '503' }), 2);
    // A value ending in ";." ends at the first ";.;" — the rest of the name falls apart.
    assert.equal(valueOf(p, '__x_total', { route_name: 'tag_v', response_class: '2xx' }), 3);
    // std::regex "." stops at a newline: no route_name tag, the whole segment stays in the name.
    assert.equal(valueOf(p, 'route_name___new_line___x_total'), 4);
  });

  test('several define_metric ids of one name are one series', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    for (let i = 0; i < 2; i++) host.request({ method: 'GET', path: '/healthz', status: 200 });
    host.reconfigure(PODINFO_NATIVE); // the new root context defines its metrics again (new ids)
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    const ids = host.metrics.filter((m) => m.name === 'route_name=.=GET /healthz;.;response_class=.=2xx;.;route_requests_total');
    assert.ok(ids.length >= 2, `${ids.length} ids`);
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: '2xx' }), 3);
    assertUniqueSeries(p);
  });

  test('?filter and ?usedonly', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    assert.equal(select(parsePrometheusText(host.prometheus({ filter: 'duration' })), REQUESTS).length, 0);
    assert.equal(select(parsePrometheusText(host.prometheus({ filter: /healthz/, usedOnly: true })), REQUESTS).length, 1);
  });
});

describe('exposition: histograms', () => {
  test('circllhist placement: a sample counts in le="b" only when its whole bin fits below b', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    for (const ms of [0, 1, 5, 24, 25, 99, 100, 2400]) host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: ms });
    const p = scrape(host);
    const h = buckets(p, DURATION, { route_name: 'GET /healthz' });
    // bins: 0 → {0}; 1 → [1, 1.1); 5 → [5, 5.1); 24 → [24, 25); 25 → [25, 26); 99 → [99, 100);
    // 100 → [100, 110); 2400 → [2400, 2500)
    assert.deepEqual(
      [h['0.5'], h['1'], h['5'], h['10'], h['25'], h['50'], h['100'], h['250'], h['1000'], h['2500'], h['+Inf']],
      [1, 1, 2, 3, 4, 5, 6, 7, 7, 8, 8],
    );
    assert.equal(valueOf(p, `${DURATION}_count`, { route_name: 'GET /healthz' }), 8);
    // _sum is Σ bin midpoints: 0 + 1.05 + 5.05 + 24.5 + 25.5 + 99.5 + 105 + 2450
    assert.ok(Math.abs(valueOf(p, `${DURATION}_sum`, { route_name: 'GET /healthz' })! - 2710.6) < 1e-9);
    assert.deepEqual(Circllhist.binOf(1234), [1200, 1300]);
  });

  test('bounds and _sum are printed with "{:.32g}"', () => {
    assert.equal(formatG32(0.5), '0.5');
    assert.equal(formatG32(3600000), '3600000');
    assert.equal(formatG32(0.1), '0.10000000000000000555111512312578');
    assert.equal(formatG32(5.05), '5.0499999999999998223643160599750'.replace(/0+$/, ''));
    assert.equal(formatG32(1e-5), '1.0000000000000000818030539140313e-05');
    assert.equal(formatG32(1e40), '1.0000000000000000303786028427004e+40');
    // Checked against C printf("%.32g") on doubles.
    assert.equal(formatG32(1.234e25), '12339999999999999052087296');
    assert.equal(formatG32(0.00015), '0.00014999999999999998685946966947569');
    assert.equal(formatG32(2710.6), '2710.5999999999999090505298227072');
    assert.deepEqual(DEFAULT_HISTOGRAM_BUCKETS.map(formatG32).slice(0, 3), ['0.5', '1', '5']);
  });

  test('statsHistogramBuckets match the full stat name; the shortest prefix sorts first and wins', async () => {
    const host = await startFilter(PODINFO_NATIVE, {
      stats: {
        histogramBuckets: {
          // Does not match: the full name starts with "wasmcustom.route_name=.=…".
          route_request_duration_milliseconds: [7],
          'wasmcustom.route_name=.=POST /echo;.;': [0.1, 30, 10],
        },
      },
    });
    host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: 12 });
    host.request({ method: 'POST', path: '/echo', status: 200, durationMs: 12 });
    const text = host.prometheus();
    const p = parsePrometheusText(text);
    const les = select(p, `${DURATION}_bucket`, { route_name: 'GET /healthz' }).map((s) => s.labels.le);
    assert.deepEqual(les, [...DEFAULT_HISTOGRAM_BUCKETS.map(formatG32), '+Inf']);
    assert.deepEqual(buckets(p, DURATION, { route_name: 'POST /echo' }), { '0.10000000000000000555111512312578': 0, '10': 0, '30': 1, '+Inf': 1 });

    const shortest = await startFilter(PODINFO_NATIVE, { stats: { histogramBuckets: { 'wasmcustom.route_name=': [2], wasmcustom: [1, 1000] } } });
    shortest.request({ method: 'POST', path: '/echo', status: 200, durationMs: 12 });
    assert.deepEqual(buckets(scrape(shortest), DURATION, { route_name: 'POST /echo' }), { '1': 0, '1000': 1, '+Inf': 1 });
  });

  test('invalid bucket settings fail the bootstrap', async () => {
    await assert.rejects(startFilter(PODINFO_NATIVE, { stats: { histogramBuckets: { wasmcustom: [] } } }), /at least one bucket/);
    await assert.rejects(startFilter(PODINFO_NATIVE, { stats: { histogramBuckets: { wasmcustom: [0] } } }), /not a number > 0/);
  });
});

describe('exposition: promtool', () => {
  test('accepts a full exposition: route metrics with every option, Istio metrics, histograms', async () => {
    const host = await startFilter(
      { ...PODINFO_NATIVE, metrics: { request_bytes: true, response_bytes: true } },
      {
        istio: {
          destination: { app: 'podinfo', workload: 'podinfo', namespace: 'podinfo' },
          telemetry: {
            apiVersion: 'telemetry.istio.io/v1',
            kind: 'Telemetry',
            metadata: { name: 'route-metrics' },
            spec: { metrics: [{ overrides: [{ tagOverrides: { route_name: { value: "filter_state['wasm.istio_operationId']" } } }] }] },
          },
        },
        stats: { histogramBuckets: { istiocustom: [1, 5, 10, 50, 100, 500, 1000, 5000, 10000] } },
      },
    );
    for (const [method, path, status] of [['GET', '/healthz', 200], ['POST', '/echo', 500], ['GET', '/users/1', 404], ['GET', '/x', 302]] as const) {
      host.request({ method, path, status, durationMs: 17, body: method === 'POST' ? 'x'.repeat(300) : undefined, responseBody: 'ok' });
    }
    host.request({ method: 'GET', path: '/healthz', reset: true });
    const text = host.prometheus();
    const p = parsePrometheusText(text);
    assertUniqueSeries(p);
    assert.ok(p.types.has('istio_requests_total') && p.types.has('route_response_bytes'));
    assertPromtoolAccepts(text);
  });
});
