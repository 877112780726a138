// destination_service_name in /stats/prometheus as Envoy renders it under Istio's bootstrap: the
// tag segment the plugin writes is extracted by the extraStatTags regex like route_name, awkward
// service names survive (or are made safe like route names), every metric of the plugin carries
// it, and promtool accepts the result.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertPromtoolAccepts, assertUniqueSeries, scrape, select, valueOf } from '../fixtures/metrics-queries.ts';
import { startFilter } from '../support/filter.ts';

const REQUESTS = 'route_requests_total';
const DURATION = 'route_request_duration_milliseconds';
const EXTRA_STAT_TAGS = ['route_name', 'response_class', 'destination_service_name'];

/** Service names and the label each one gets (the same safety rules as route names). */
const AWKWARD_SERVICES: Array<[name: string, label: string]> = [
  ['podinfo', 'podinfo'],
  ['payments API', 'payments API'],
  ['ünïcødé ✓', 'ünïcødé ✓'],
  ['say "hi"', 'say "hi"'],
  ['cache.x', 'cache_x'],
  ['a;.;b', 'a_._b'],
];

describe('exposition: destination_service_name', async () => {
  const config = {
    metrics: { request_bytes: true, response_bytes: true },
    services: AWKWARD_SERVICES.map(([name], i) => ({ name, hosts: [`s${i}.example.com`], routes: [{ name: 'GET /healthz', path: '/healthz' }] })),
  };
  const host = await startFilter(config, { stats: { extraStatTags: EXTRA_STAT_TAGS } });
  AWKWARD_SERVICES.forEach((_, i) => host.request({ authority: `s${i}.example.com`, path: '/healthz', status: 200, durationMs: 3, body: 'x' }));
  host.request({ authority: 'nobody.example.org', path: '/healthz', status: 404, durationMs: 1 });
  const text = host.prometheus();
  const p = scrape(host);

  for (const [name, label] of AWKWARD_SERVICES) {
    test(`service ${JSON.stringify(name)} → destination_service_name=${JSON.stringify(label)} on every metric`, () => {
      const labels = { destination_service_name: label, route_name: 'GET /healthz' };
      assert.equal(valueOf(p, REQUESTS, { ...labels, response_class: '2xx' }), 1);
      assert.equal(valueOf(p, `${DURATION}_count`, labels), 1);
      assert.equal(valueOf(p, 'route_request_bytes_count', labels), 1);
      assert.equal(valueOf(p, 'route_response_bytes_count', labels), 1);
    });
  }

  test('requests no service claims: destination_service_name="unknown", route_name="unknown"', () => {
    assert.equal(valueOf(p, REQUESTS, { destination_service_name: 'unknown', route_name: 'unknown', response_class: '4xx' }), 1);
  });

  test('labels come in extraStatTags order; the metric names are the usual ones', () => {
    assert.deepEqual([...p.types.keys()], [REQUESTS, 'route_config_errors', 'route_request_bytes', DURATION, 'route_response_bytes']);
    for (const s of select(p, REQUESTS)) assert.deepEqual(Object.keys(s.labels), EXTRA_STAT_TAGS);
    assert.ok(text.includes('route_requests_total{route_name="GET /healthz",response_class="2xx",destination_service_name="say \\"hi\\""} 1\n'));
    assertUniqueSeries(p);
  });

  test('promtool check metrics accepts it', () => {
    assertPromtoolAccepts(text);
  });
});
