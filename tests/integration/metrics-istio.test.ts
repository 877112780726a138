// Istio's standard metrics as the host's stats filter records them, with Telemetry tagOverrides:
// the per-route tutorial (route_name from filter_state['wasm.istio_operationId']) and its pitfalls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { compileCel, loadTelemetry, printCelValue, TelemetryError, type IstioOptions, type SimulatedEnvoy, type StartOptions } from '../../host/index.ts';
import { buckets, scrape, select, sumBy, valueOf, type Labels } from '../fixtures/metrics-queries.ts';
import { PODINFO_ATTRIBUTEGEN, PODINFO_NATIVE, startFilter } from '../support/filter.ts';

const TOTAL = 'istio_requests_total';
const DURATION = 'istio_request_duration_milliseconds';

const MANIFEST = readFileSync(new URL('../fixtures/metrics-podinfo-waypoint.yaml', import.meta.url), 'utf8');
const WASMPLUGIN_CONFIG = parseAllDocuments(MANIFEST).map((d) => d.toJS()).find((d) => d.kind === 'WasmPlugin').spec.pluginConfig;

const PODINFO: IstioOptions = {
  destination: { app: 'podinfo', workload: 'podinfo', namespace: 'podinfo', canonicalService: 'podinfo', service: 'podinfo.podinfo.svc.cluster.local' },
  source: { app: 'curl', workload: 'curl', namespace: 'default' },
};

/** A Telemetry with one override; `tags` as in tagOverrides. */
function telemetry(tags: Record<string, unknown>, match: Record<string, unknown> = { metric: 'REQUEST_COUNT' }, extra: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: 'route-metrics', namespace: 'podinfo' },
    spec: { metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ match, tagOverrides: tags, ...extra }] }] },
  };
}
const ROUTE_NAME = { route_name: { value: "filter_state['wasm.istio_operationId']" } };

/** 3× GET /healthz 200, 2× POST /echo 500, 1× GET /users/1 404. */
function sendMix(host: SimulatedEnvoy): void {
  for (let i = 0; i < 3; i++) host.request({ method: 'GET', path: '/healthz', status: 200, durationMs: 12 });
  for (let i = 0; i < 2; i++) host.request({ method: 'POST', path: '/echo', status: 500, durationMs: 100 });
  host.request({ method: 'GET', path: '/users/1', status: 404, durationMs: 24 });
}

async function startIstio(pluginConfig: unknown, istio: IstioOptions, more: Partial<StartOptions> = {}): Promise<SimulatedEnvoy> {
  const host = await startFilter(pluginConfig, { istio: { ...PODINFO, ...istio }, ...more });
  assert.equal(host.configured, true, host.startError);
  return host;
}

describe('istio metrics: without Telemetry', async () => {
  const host = await startIstio(PODINFO_NATIVE, {});
  sendMix(host);
  host.request({ method: 'GET', path: '/healthz', reset: true });
  host.request({
    method: 'POST', path: '/grpc.health.v1.Health/Check', headers: { 'content-type': 'application/grpc' }, protocol: 'HTTP/2',
    status: 200, responseHeaders: { 'content-type': 'application/grpc' }, responseTrailers: { 'grpc-status': '5' },
  });
  const text = host.prometheus();
  const p = scrape(host);

  test("the standard labels, in Istio's order", () => {
    const s = select(p, TOTAL, { response_code: '200', request_protocol: 'http' })[0]!;
    assert.deepEqual(Object.keys(s.labels), [
      'reporter', 'source_workload', 'source_canonical_service', 'source_canonical_revision', 'source_workload_namespace',
      'source_principal', 'source_app', 'source_version', 'source_cluster', 'destination_workload',
      'destination_workload_namespace', 'destination_principal', 'destination_app', 'destination_version',
      'destination_service', 'destination_canonical_service', 'destination_canonical_revision', 'destination_service_name',
      'destination_service_namespace', 'destination_cluster', 'request_protocol', 'response_code', 'grpc_response_status',
      'response_flags', 'connection_security_policy',
    ]);
    assert.deepEqual(s.labels, {
      reporter: 'destination', source_workload: 'curl', source_canonical_service: 'unknown', source_canonical_revision: 'latest',
      source_workload_namespace: 'default', source_principal: 'unknown', source_app: 'curl', source_version: 'unknown',
      source_cluster: 'unknown', destination_workload: 'podinfo', destination_workload_namespace: 'podinfo',
      destination_principal: 'unknown', destination_app: 'podinfo', destination_version: 'unknown',
      destination_service: 'podinfo.podinfo.svc.cluster.local', destination_canonical_service: 'podinfo',
      destination_canonical_revision: 'latest', destination_service_name: 'podinfo', destination_service_namespace: 'podinfo',
      destination_cluster: 'unknown', request_protocol: 'http', response_code: '200', grpc_response_status: '',
      response_flags: '-', connection_security_policy: 'none',
    });
    assert.equal(s.value, 3);
  });

  test('no route label without a Telemetry override', () => {
    assert.ok(select(p, TOTAL).every((s) => !('route_name' in s.labels)));
    assert.equal(p.types.get(TOTAL), 'counter');
    assert.equal(p.types.get(DURATION), 'histogram');
    assert.equal(valueOf(p, 'istio_build', { component: 'proxy', tag: '1.24' }), 1);
  });

  test('per response code; a reset stream is response_code="0", response_flags="DC"', () => {
    assert.equal(valueOf(p, TOTAL, { response_code: '500' }), 2);
    assert.equal(valueOf(p, TOTAL, { response_code: '404' }), 1);
    assert.equal(valueOf(p, TOTAL, { response_code: '0', response_flags: 'DC' }), 1);
  });

  test('gRPC requests: request_protocol="grpc" and grpc-status from the trailers', () => {
    assert.equal(valueOf(p, TOTAL, { request_protocol: 'grpc', grpc_response_status: '5', response_code: '200' }), 1);
  });

  test('duration and size histograms per series', () => {
    assert.equal(valueOf(p, `${DURATION}_count`, { response_code: '200', request_protocol: 'http' }), 3);
    assert.equal(buckets(p, DURATION, { response_code: '200', request_protocol: 'http' })['25'], 3);
    assert.equal(valueOf(p, 'istio_request_bytes_count', { response_code: '500' }), 2);
    assert.equal(valueOf(p, 'istio_response_bytes_count', { response_code: '404' }), 1);
    assert.ok(text.includes('# TYPE istio_response_bytes histogram\n'));
  });
});

describe('istio metrics: the per-route tutorial', () => {
  const forms: Array<[string, unknown]> = [
    ['native routes', PODINFO_NATIVE],
    ['attributegen form (the tutorial WasmPlugin)', WASMPLUGIN_CONFIG],
    ['attributegen form (tests/support)', PODINFO_ATTRIBUTEGEN],
  ];
  for (const [form, pluginConfig] of forms) {
    test(`${form} + Telemetry route_name → istio_requests_total{…, route_name="GET /healthz"}`, async () => {
      const host = await startIstio(pluginConfig, { reporter: 'waypoint', telemetry: MANIFEST });
      sendMix(host);
      const text = host.prometheus();
      const p = scrape(host);
      // sum(rate(istio_requests_total{destination_app="podinfo", route_name!="unknown"}[1m])) by (route_name)
      const byRoute = sumBy(p, TOTAL, 'route_name', { destination_app: 'podinfo' }, (l) => l.route_name === 'unknown');
      const expected: Record<string, number> = { 'GET /healthz': 3, 'POST /echo': 2 };
      if (pluginConfig === PODINFO_NATIVE) expected['GET /users/{id}'] = 1;
      assert.deepEqual(byRoute, expected);
      // The added tag comes after the standard ones; the reporter is "waypoint".
      assert.match(text, /istio_requests_total\{reporter="waypoint",.*,response_code="200",grpc_response_status="",response_flags="-",connection_security_policy="none",route_name="GET \/healthz"\} 3\n/);
      // The override matched REQUEST_COUNT only.
      assert.ok(select(p, `${DURATION}_count`).every((s) => !('route_name' in s.labels)));
      assert.deepEqual(host.telemetryWarnings, []);
    });
  }

  test('unmatched requests are route_name="unknown" (no attribute written)', async () => {
    const host = await startIstio(PODINFO_ATTRIBUTEGEN, { telemetry: MANIFEST });
    host.request({ method: 'GET', path: '/users/1', status: 200 });
    assert.equal(valueOf(scrape(host), TOTAL, { route_name: 'unknown' }), 1);
  });

  test('ALL_METRICS puts route_name on every standard metric', async () => {
    const host = await startIstio(PODINFO_NATIVE, { telemetry: telemetry(ROUTE_NAME, { metric: 'ALL_METRICS' }) });
    sendMix(host);
    const p = scrape(host);
    assert.equal(valueOf(p, `${DURATION}_count`, { route_name: 'POST /echo' }), 2);
    assert.equal(valueOf(p, 'istio_request_bytes_count', { route_name: 'GET /healthz' }), 3);
    assert.equal(valueOf(p, 'istio_response_bytes_count', { route_name: 'GET /users/{id}' }), 1);
  });
});

describe('istio metrics: the bare-name pitfall', () => {
  const bare = telemetry({ route_name: { value: 'istio_operationId' } });

  test('Istio ≥ 1.24: the bare istio_operationId is "unknown" for every request (with a warning)', async () => {
    const host = await startIstio(PODINFO_NATIVE, { telemetry: bare });
    sendMix(host);
    const p = scrape(host);
    assert.deepEqual(sumBy(p, TOTAL, 'route_name'), { unknown: 6 });
    assert.match(host.telemetryWarnings.join('\n'), /'istio_operationId' is not an attribute in Istio >= 1\.24.*filter_state\['wasm\.istio_operationId'\]/);
  });

  test('Istio 1.23 resolved the bare name to the Wasm attribute', async () => {
    const host = await startIstio(PODINFO_NATIVE, { telemetry: bare, istioVersion: '1.23' });
    sendMix(host);
    assert.deepEqual(sumBy(scrape(host), TOTAL, 'route_name'), { 'GET /healthz': 3, 'POST /echo': 2, 'GET /users/{id}': 1 });
    assert.equal(valueOf(scrape(host), 'istio_build', {}), 1);
  });

  test('filter_state["wasm.X"] with double quotes is the same attribute', async () => {
    const host = await startIstio(PODINFO_NATIVE, { telemetry: telemetry({ route_name: { value: 'filter_state["wasm.istio_operationId"]' } }) });
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    assert.equal(valueOf(scrape(host), TOTAL, { route_name: 'GET /healthz' }), 1);
  });
});

describe('istio metrics: tagOverrides', () => {
  test('REMOVE drops a standard tag; REMOVE of a non-standard tag is ignored', async () => {
    const host = await startIstio(PODINFO_NATIVE, {
      telemetry: telemetry({ destination_principal: { operation: 'REMOVE' }, route_name: { operation: 'REMOVE' }, source_principal: { operation: 'REMOVE' } }),
    });
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    const labels = Object.keys(select(scrape(host), TOTAL)[0]!.labels);
    assert.equal(labels.length, 23);
    assert.ok(!labels.includes('destination_principal') && !labels.includes('source_principal') && !labels.includes('route_name'));
  });

  test('UPSERT of a standard tag replaces it in place; new tags follow in name order', async () => {
    const host = await startIstio(PODINFO_NATIVE, {
      telemetry: telemetry({
        z_method: { value: 'request.method' },
        request_protocol: { operation: 'UPSERT', value: "'h1'" },
        a_code: { value: 'response.code' },
        a_user: { value: "has(request.headers.x_user) ? request.headers['x_user'] : 'anonymous'" },
        a_missing: { value: "request.headers['x-missing']" },
        a_probe: { value: "string(filter_state['wasm.istio_operationId']) == 'GET /healthz' ? 'probe' : 'app'" },
        a_bytes_vs_string: { value: "filter_state['wasm.istio_operationId'] == 'GET /healthz'" },
      }),
    });
    host.request({ method: 'GET', path: '/healthz', status: 200, headers: { x_user: 'ann' } });
    host.request({ method: 'POST', path: '/echo', status: 201 });
    const p = scrape(host);
    const s = select(p, TOTAL, { z_method: 'GET' })[0]!;
    const keys = Object.keys(s.labels);
    assert.equal(keys[20], 'request_protocol');
    assert.equal(s.labels.request_protocol, 'h1');
    assert.deepEqual(keys.slice(25), ['a_bytes_vs_string', 'a_code', 'a_missing', 'a_probe', 'a_user', 'z_method']);
    assert.deepEqual(
      { code: s.labels.a_code, user: s.labels.a_user, missing: s.labels.a_missing, probe: s.labels.a_probe, mixed: s.labels.a_bytes_vs_string },
      { code: '200', user: 'ann', missing: 'unknown', probe: 'probe', mixed: 'false' }, // bytes == string is false
    );
    const post = select(p, TOTAL, { z_method: 'POST' })[0]!.labels;
    assert.deepEqual([post.a_code, post.a_user, post.a_probe], ['201', 'anonymous', 'app']);
  });

  test('disabled drops one metric; ALL_METRICS disabled drops them all', async () => {
    const noBytes = await startIstio(PODINFO_NATIVE, { telemetry: telemetry({}, { metric: 'REQUEST_SIZE' }, { disabled: true }) });
    sendMix(noBytes);
    const p = scrape(noBytes);
    assert.equal(p.types.has('istio_request_bytes'), false);
    assert.equal(p.types.has('istio_response_bytes'), true);
    const none = await startIstio(PODINFO_NATIVE, { telemetry: telemetry({}, { metric: 'ALL_METRICS' }, { disabled: true }) });
    sendMix(none);
    assert.deepEqual([...scrape(none).types.keys()].filter((n) => n.startsWith('istio_')), []);
  });

  test('mode: CLIENT overrides apply to reporter "source", SERVER ones to "destination" and "waypoint"', async () => {
    const client = telemetry(ROUTE_NAME, { metric: 'REQUEST_COUNT', mode: 'CLIENT' });
    const labelled = async (reporter: 'source' | 'destination' | 'waypoint', t: object): Promise<Labels> => {
      const host = await startIstio(PODINFO_NATIVE, { reporter, telemetry: t });
      host.request({ method: 'GET', path: '/healthz', status: 200 });
      return select(scrape(host), TOTAL)[0]!.labels;
    };
    assert.equal((await labelled('source', client)).route_name, 'GET /healthz');
    assert.equal((await labelled('destination', client)).route_name, undefined);
    const server = telemetry(ROUTE_NAME, { metric: 'REQUEST_COUNT', mode: 'SERVER' });
    const w = await labelled('waypoint', server);
    assert.deepEqual([w.reporter, w.route_name], ['waypoint', 'GET /healthz']);
    const src = await labelled('source', server);
    assert.deepEqual([src.reporter, src.route_name, src.connection_security_policy], ['source', undefined, 'unknown']);
  });

  test('a Telemetry pushed at run time applies to later streams; existing series stay', async () => {
    const host = await startIstio(PODINFO_NATIVE, {});
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    assert.deepEqual(host.loadTelemetry(MANIFEST), []);
    host.request({ method: 'GET', path: '/healthz', status: 200 });
    const p = scrape(host);
    assert.equal(select(p, TOTAL).length, 2);
    assert.equal(valueOf(p, TOTAL, { route_name: 'GET /healthz' }), 1);
  });

  test("the istio_responseClass example: response_code from the plugin's attribute", async () => {
    const host = await startIstio({
      attributes: [{
        output_attribute: 'istio_responseClass',
        match: [
          { value: '2xx', condition: 'response.code >= 200 && response.code <= 299' },
          { value: '404', condition: 'response.code == 404' },
          { value: '5xx', condition: 'response.code >= 500 && response.code <= 599' },
        ],
      }],
    }, { telemetry: telemetry({ response_code: { value: "filter_state['wasm.istio_responseClass']" } }) });
    for (const status of [200, 201, 404, 503, 302]) host.request({ path: '/x', status });
    const p = scrape(host);
    assert.deepEqual(sumBy(p, TOTAL, 'response_code'), { '2xx': 2, '404': 1, '5xx': 1, unknown: 1 });
    assert.equal(Object.keys(select(p, TOTAL)[0]!.labels)[21], 'response_code');
  });
});

describe('istio metrics: where the plugin sits', () => {
  const onLogConfig = {
    attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'failing', condition: 'response.code >= 500' }, { value: 'ok', condition: '' }] }],
  };
  const requestOnlyConfig = PODINFO_ATTRIBUTEGEN;

  test('AUTHN (before istio.stats): attributes written in on_log are visible', async () => {
    const host = await startIstio(onLogConfig, { telemetry: MANIFEST, pluginPhase: 'AUTHN' });
    host.request({ path: '/a', status: 503 });
    assert.deepEqual(sumBy(scrape(host), TOTAL, 'route_name'), { failing: 1 });
  });

  test('UNSPECIFIED_PHASE (after istio.stats): on_log attributes come too late, request-time ones do not', async () => {
    const late = await startIstio(onLogConfig, { telemetry: MANIFEST, pluginPhase: 'UNSPECIFIED_PHASE' });
    late.request({ path: '/a', status: 503 });
    const p = scrape(late);
    assert.deepEqual(sumBy(p, TOTAL, 'route_name'), { unknown: 1 });
    assert.equal(valueOf(p, 'route_requests_total', { route_name: 'failing' }), 1, "the plugin's own metrics are right");
    const early = await startIstio(requestOnlyConfig, { telemetry: MANIFEST, pluginPhase: 'UNSPECIFIED_PHASE' });
    early.request({ method: 'GET', path: '/healthz', status: 200 });
    assert.deepEqual(sumBy(scrape(early), TOTAL, 'route_name'), { 'GET /healthz': 1 });
  });
});

describe('istio metrics: Telemetry the host rejects, naming the field', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'an unsupported CEL function',
      telemetry({ route_name: { value: "request.url_path.matches('^/users/')" } }),
      /Telemetry "route-metrics": spec\.metrics\[0\]\.overrides\[0\]\.tagOverrides\.route_name\.value: .*method matches\(\) is not supported/,
    ],
    ['a CEL syntax error', telemetry({ route_name: { value: "filter_state['wasm.x'" } }), /tagOverrides\.route_name\.value: .*expected '\]' at column \d+/],
    ['an unmodelled attribute', telemetry({ d: { value: 'request.duration' } }), /tagOverrides\.d\.value: .*request\.duration is not modelled/],
    ['an unknown metric', telemetry(ROUTE_NAME, { metric: 'REQUEST_TOTAL' }), /overrides\[0\]\.match\.metric: "REQUEST_TOTAL" is not one of ALL_METRICS/],
    ['REMOVE with a value', telemetry({ route_name: { operation: 'REMOVE', value: 'x' } }), /tagOverrides\.route_name\.value: must not be set when operation is REMOVE/],
    ['UPSERT without a value', telemetry({ route_name: { operation: 'UPSERT' } }), /tagOverrides\.route_name\.value: a CEL expression is required/],
    ['a bad mode', telemetry(ROUTE_NAME, { mode: 'BOTH' }), /match\.mode: "BOTH" is not one of/],
    ['a wrong apiVersion', { apiVersion: 'telemetry.istio.io/v2', kind: 'Telemetry', spec: {} }, /apiVersion "telemetry\.istio\.io\/v2"/],
    ['no Telemetry at all', 'kind: WasmPlugin\nspec: {}\n', /no Telemetry resource found/],
    ['broken YAML', 'kind: Telemetry\nspec: [unclosed\n', /Telemetry YAML/],
  ];
  for (const [what, input, message] of cases) {
    test(what, async () => {
      assert.throws(() => loadTelemetry(input as object), (e: unknown) => e instanceof TelemetryError && message.test((e as Error).message));
      await assert.rejects(startFilter(PODINFO_NATIVE, { istio: { telemetry: input as object } }), message);
    });
  }

  test('v1alpha1 is accepted too; other kinds in the same manifest are skipped', () => {
    const t = loadTelemetry([{ apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', spec: {} }, { ...telemetry(ROUTE_NAME), apiVersion: 'telemetry.istio.io/v1alpha1' }]);
    assert.deepEqual([...t.server.keys()], ['requests_total']);
    assert.deepEqual(t.server.get('requests_total')!.tags.map((x) => x.name), ['route_name']);
  });
});

describe('istio metrics: the CEL subset of tagOverrides', () => {
  const attrs: Record<string, unknown> = {
    'request\0method': 'GET',
    'request\0headers\0x-user': 'ann',
    'response\0code': 404n,
    'filter_state\0wasm.istio_operationId': Buffer.from('GET /users/{id}'),
  };
  const evaluate = (src: string): string => {
    try {
      return printCelValue(compileCel(src).eval((_p, key) => attrs[key] as never));
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  const cases: Array<[string, string]> = [
    ["'lit'", 'lit'],
    ["filter_state['wasm.istio_operationId']", 'GET /users/{id}'],
    ['response.code', '404'],
    ['response.code >= 400 && response.code < 500', 'true'],
    ["request.method + ' ' + string(response.code)", 'GET 404'],
    ["'x-user' in request.headers ? request.headers['x-user'] : 'anonymous'", 'ann'],
    ["has(request.headers.x_other) ? 'y' : 'n'", 'n'],
    ["request.headers['x-other'] == 'a' || true", 'true'], // CEL: error || true = true
    ["request.headers['x-other'] == 'a' && false", 'false'],
    ["size(request.method) == 3 && request.method.startsWith('G')", 'true'],
    ["int('42') + 1", '43'],
    ['null', 'NULL'],
    ['1u == 1', 'true'],
    ["!(request.method == 'GET')", 'false'],
  ];
  for (const [src, want] of cases) test(`${src} → ${want}`, () => assert.equal(evaluate(src), want));

  test('a missing attribute is an evaluation error (the label reads "unknown")', () => {
    assert.match(evaluate("request.headers['x-other']"), /^error: no such attribute/);
    assert.match(evaluate("request.method < 1"), /^error: no matching overload/);
  });
});
