// lint's cardinality budget: the series count it predicts is the number of series the real .wasm
// creates in /stats/prometheus once every route has seen every response class (the upper bound),
// for the plugin's metrics and for Istio's with the Telemetry's route label; the Telemetry decides
// which Istio metrics count; --pods multiplies; above --max-series lint warns (and --strict fails).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cardinality, routeValueGroups } from '../../cli/analysis/cardinality.ts';
import { runLint, formatLint } from '../../cli/commands/lint.ts';
import type { TelemetryResource } from '../../cli/config-files.ts';
import { startFilter } from '../support/filter.ts';

const dir = mkdtempSync(join(tmpdir(), 'rm-cardinality-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;
const file = (name: string, content: unknown) => {
  const p = join(dir, `${seq++}-${name}`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

const ROUTES = {
  output_attribute: 'istio_operationId',
  routes: [
    { name: 'GET /a', method: 'GET', path: '/a' },
    { name: 'GET /b/{id}', method: 'GET', path: '/b/{id}' },
    { name: 'POST /c', method: 'POST', path: '/c' },
  ],
};

const telemetry = (metrics: string[]): TelemetryResource => ({
  apiVersion: 'telemetry.istio.io/v1',
  kind: 'Telemetry',
  metadata: { name: 't', namespace: 'ns' },
  spec: {
    metrics: [{
      providers: [{ name: 'prometheus' }],
      overrides: metrics.map((metric) => ({ match: { metric }, tagOverrides: { route_name: { value: "filter_state['wasm.istio_operationId']" } } })),
    }],
  },
});

/** Series per metric family in a /stats/prometheus text (_bucket/_sum/_count folded into the histogram). */
function seriesByFamily(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)![1]!.replace(/_(bucket|sum|count)$/, '');
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

/** Every route (and an unmatched path) with every response class, one of them a reset. */
function everyClass(host: Awaited<ReturnType<typeof startFilter>>): void {
  const requests = [['GET', '/a'], ['GET', '/b/1'], ['POST', '/c'], ['GET', '/nowhere']] as const;
  for (const [method, path] of requests) {
    for (const status of [101, 200, 302, 404, 503]) host.request({ method, path, status, durationMs: 3 });
    host.request({ method, path, reset: true, durationMs: 3 });
  }
}

describe('the prediction is what the real filter creates', () => {
  test("the plugin's metrics: (routes + unmatched) × 6 classes, one histogram per route value", async () => {
    const r = cardinality(JSON.stringify(ROUTES), undefined)!;
    assert.equal(r.routeValues, 4);
    const host = await startFilter(ROUTES, { istio: false });
    try {
      everyClass(host);
      const families = seriesByFamily(host.prometheus());
      for (const s of r.plugin) assert.equal(families.get(s.metric), s.series, `${s.metric}: predicted ${s.series} (${s.formula})`);
      const routeFamilies = [...families.keys()].filter((k) => k.startsWith('route_'));
      assert.deepEqual(routeFamilies.sort(), r.plugin.map((s) => s.metric).sort(), 'no family left out');
      assert.equal(r.pluginPerProxy, routeFamilies.reduce((n, k) => n + families.get(k)!, 0));
    } finally {
      host.stop();
    }
  });

  test('opt-in byte histograms and a prefix count too; "metrics": false leaves only route_config_errors', async () => {
    const config = { ...ROUTES, metrics: { prefix: 'api_', request_bytes: true, response_bytes: true } };
    const r = cardinality(JSON.stringify(config), undefined)!;
    assert.deepEqual(r.plugin.map((s) => s.metric), ['api_requests_total', 'api_request_duration_milliseconds', 'api_request_bytes', 'api_response_bytes', 'route_config_errors']);
    const host = await startFilter(config, { istio: false });
    try {
      everyClass(host);
      const families = seriesByFamily(host.prometheus());
      for (const s of r.plugin) assert.equal(families.get(s.metric), s.series, s.metric);
    } finally {
      host.stop();
    }
    assert.deepEqual(cardinality(JSON.stringify({ ...ROUTES, metrics: false }), undefined)!.plugin.map((s) => s.metric), ['route_config_errors']);
  });

  test("Istio's metrics: the Telemetry's route label multiplies each of Istio's series by the route values", async () => {
    const t = telemetry(['REQUEST_COUNT', 'REQUEST_DURATION']);
    const r = cardinality(JSON.stringify({ ...ROUTES, default: 'other' }), t)!;
    assert.equal(r.istioAssumed, false);
    assert.deepEqual(r.istio.map((s) => s.metric), ['istio_requests_total', 'istio_request_duration_milliseconds']);
    const host = await startFilter({ ...ROUTES, default: 'other' }, { istio: { telemetry: t } });
    try {
      // One combination of Istio's other labels: one response code, no flags.
      for (const [method, path] of [['GET', '/a'], ['GET', '/b/1'], ['POST', '/c'], ['GET', '/nowhere']] as const) host.request({ method, path, status: 200 });
      const families = seriesByFamily(host.prometheus());
      for (const s of r.istio) assert.equal(families.get(s.metric), s.series, `${s.metric} (${s.formula})`);
    } finally {
      host.stop();
    }
  });

  test('which Istio metrics get the label: the Telemetry decides (ALL_METRICS, REMOVE, other attributes); assumed without one', () => {
    const c = (t?: TelemetryResource) => cardinality(JSON.stringify(ROUTES), t)!;
    assert.deepEqual(c().istio.map((s) => s.metric), ['istio_requests_total', 'istio_request_duration_milliseconds']);
    assert.equal(c().istioAssumed, true);
    assert.equal(c(telemetry(['ALL_METRICS'])).istio.length, 6);
    const removed: TelemetryResource = { kind: 'Telemetry', spec: { metrics: [{ overrides: [{ match: { metric: 'REQUEST_COUNT' }, tagOverrides: { route_name: { operation: 'REMOVE' } } }] }] } };
    assert.deepEqual(c(removed).istio, []);
    const other: TelemetryResource = { kind: 'Telemetry', spec: { metrics: [{ overrides: [{ tagOverrides: { team: { value: "request.headers['x-team']" } } }] }] } };
    assert.deepEqual(c(other).istio, []);
  });
});

describe('route values', () => {
  test('attributegen: the distinct istio_operationId values (+ unmatched)', () => {
    const r = cardinality(JSON.stringify({ attributes: [
      { output_attribute: 'istio_operationId', match: [{ value: 'a', condition: 'true' }, { value: 'b', condition: 'false' }, { value: 'a', condition: '1 == 1' }] },
      { output_attribute: 'other', match: [{ value: 'x', condition: 'true' }] },
    ] }), undefined)!;
    assert.equal(r.routeValues, 3);
    assert.ok(r.plugin.some((s) => s.metric === 'route_condition_errors_total'));
  });

  test('services: per service (names may repeat across services) + unmatched; "unknown" for hosts no service claims', () => {
    const services = [
      { name: 'shop', hosts: ['shop'], routes: [{ name: 'GET /a', path: '/a' }, { name: 'GET /b', path: '/b' }] },
      { name: 'cart', hosts: ['cart'], routes: [{ name: 'GET /a', path: '/a' }] },
    ];
    assert.deepEqual(routeValueGroups({ services }), [{ service: 'shop', routes: 2 }, { service: 'cart', routes: 1 }, { service: 'unknown', routes: 0 }]);
    assert.equal(cardinality(JSON.stringify({ services }), undefined)!.routeValues, 3 + 2 + 1);
    // A service without hosts takes the rest: no "unknown" service.
    assert.deepEqual(routeValueGroups({ services: [...services, { name: 'rest', routes: [] }] }).map((g) => g.service), ['shop', 'cart', 'rest']);
  });

  test('--pods multiplies the per-proxy numbers; buckets come in as bounds + 3 series', () => {
    const one = cardinality(JSON.stringify(ROUTES), undefined, { pods: 1 })!;
    const ten = cardinality(JSON.stringify(ROUTES), undefined, { pods: 10 })!;
    assert.equal(ten.total, one.total * 10);
    const few = cardinality(JSON.stringify(ROUTES), undefined, { buckets: 5 })!;
    assert.equal(few.plugin.find((s) => s.metric.endsWith('duration_milliseconds'))!.series, 4 * (5 + 3));
  });
});

describe('lint reports it and warns above the budget', () => {
  test('the report and text carry the numbers; no warning under the budget', async () => {
    const { report, exitCode } = await runLint({ config: [file('routes.json', { ...ROUTES, default: 'other' })], pods: 3 });
    assert.equal(exitCode, 0);
    assert.equal(report.cardinality!.pods, 3);
    assert.equal(report.cardinality!.total, (report.cardinality!.pluginPerProxy + report.cardinality!.istioPerLabelSet) * 3);
    assert.ok(!report.findings.some((f) => f.message.startsWith('cardinality')));
    const text = formatLint(report);
    assert.match(text, /series: 4 route label values/);
    assert.match(text, /route_requests_total +counter +24 +4 route values × 6 response classes/);
    assert.match(text, new RegExp(`total: ${report.cardinality!.total.toLocaleString('en-US')} series on 3 pods`));
  });

  test('above --max-series: a warning naming the numbers and what to do; --strict fails', async () => {
    const config = file('routes.json', { ...ROUTES, default: 'other' });
    const { report, exitCode } = await runLint({ config: [config], pods: 100, maxSeries: 5000 });
    assert.equal(exitCode, 0);
    const w = report.findings.find((f) => f.message.startsWith('cardinality'));
    assert.equal(w?.level, 'warning');
    assert.match(w!.message, new RegExp(`about ${report.cardinality!.total.toLocaleString('en-US')} series on 100 pods .*above --max-series 5,000: .*route-metrics-aggregate`));
    assert.equal((await runLint({ config: [config], pods: 100, maxSeries: 5000, strict: true })).exitCode, 1);
    assert.equal((await runLint({ config: [config], pods: 100, maxSeries: 1_000_000, strict: true })).exitCode, 0);
  });

  test('with a Telemetry file, its overrides decide the Istio part', async () => {
    const config = file('routes.json', { ...ROUTES, default: 'other' });
    const t = file('telemetry.yaml', stringify(telemetry(['ALL_METRICS'])));
    const { report } = await runLint({ config: [config, t] });
    assert.equal(report.cardinality!.istioAssumed, false);
    assert.equal(report.cardinality!.istio.length, 6);
  });

  test('a Telemetry alone: no plugin numbers', async () => {
    const { report } = await runLint({ config: [file('telemetry.yaml', stringify(telemetry(['REQUEST_COUNT'])))] });
    assert.equal(report.cardinality, null);
  });
});
