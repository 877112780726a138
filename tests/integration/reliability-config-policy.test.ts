// The configuration policy (issue 11 §1, §4 label collisions): a configuration with errors loads
// without the parts at fault, every error is logged with its JSON path and counted in the gauge
// route_config_errors, and "strict": true rejects instead (Envoy keeps the previous configuration).
// Generated configurations check the central property: a configuration with errors classifies
// every request exactly as the same configuration with the invalid parts removed by hand.
// Sizes: POLICY_CONFIGS (default 200).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimulatedEnvoy } from '../../host/index.ts';
import { RELEASE_WASM, startFilter } from '../support/filter.ts';
import { scrape, valueOf } from '../fixtures/metrics-queries.ts';
import { prng } from '../../cli/mesh/traffic.ts';

const CONFIGS = Number(process.env.POLICY_CONFIGS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const OP = 'wasm.istio_operationId';
const GAUGE = 'route_config_errors';

type Json = Record<string, unknown>;

const configErrors = (host: SimulatedEnvoy) =>
  host.logsAtLeast('error').map((l) => l.message).filter((m) => m.startsWith('route-metrics: config error: '));
const errorLog = (host: SimulatedEnvoy) => host.logsAtLeast('error').map((l) => l.message).join('\n');

// ---- native form: generated routes, one invalid part, and the same routes without it ----------

const REGEXES: Array<[regex: string, sample: string]> = [['^/v[0-9]+/r$', '/v2/r'], ['^/rx/', '/rx/1'], ['z$', '/az']];
const nativeRoute = fc.record({
  name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 /-]{0,12}$/),
  method: fc.option(fc.constantFrom('GET', 'POST', ['GET', 'HEAD']), { nil: undefined }),
  where: fc.oneof(
    fc.array(fc.constantFrom('users', '{p}', '*', 'a', 'v1'), { minLength: 1, maxLength: 3 }).map((s) => {
      let n = 0;
      return { path: '/' + s.map((x) => (x === '{p}' ? `{p${n++}}` : x)).join('/') };
    }),
    fc.constantFrom('/a/', '/users', '/').map((p) => ({ path_prefix: p })),
    fc.constantFrom(...REGEXES.map(([r]) => r)).map((r) => ({ path_regex: r })),
  ),
  tenant: fc.boolean(),
}).map(({ name, method, where, tenant }) => {
  const route: Json = { name, ...where };
  if (method !== undefined) route.method = method;
  if (tenant) route.headers = [{ name: 'x-tenant', value: 'a' }];
  return route;
});

/** A request path each route matches (others may match it too: precedence decides). */
function samplePath(route: Json): string {
  if (typeof route.path === 'string') return route.path.replace(/\{p\d+\}/g, 'v').replace(/\*/g, 'w');
  if (typeof route.path_prefix === 'string') return route.path_prefix + 'z';
  const regex = REGEXES.find(([r]) => r === route.path_regex);
  return regex ? regex[1] : '/';
}

interface RouteMutation {
  /** Changes route i of the configuration; returns the JSON path the error must name. */
  apply(c: { routes: Json[] }, i: number): string;
  /** Whether route i is then left out (else it is kept as it was: an unknown key is ignored). */
  drops: boolean;
}

const ROUTE_MUTATIONS: RouteMutation[] = [
  { drops: true, apply: (c, i) => { c.routes[i].name = ''; return `routes[${i}].name`; } },
  { drops: true, apply: (c, i) => { c.routes[i].method = 'get'; return `routes[${i}].method`; } },
  { drops: true, apply: (c, i) => { c.routes[i].method = ['GET', 'get']; return `routes[${i}].method[1]`; } },
  { drops: true, apply: (c, i) => { c.routes[i] = { name: c.routes[i].name, path: '/x/{id' }; return `routes[${i}].path`; } },
  { drops: true, apply: (c, i) => { c.routes[i] = { name: c.routes[i].name, path_regex: '(a' }; return `routes[${i}].path_regex`; } },
  { drops: true, apply: (c, i) => { c.routes[i] = { name: c.routes[i].name, path_prefix: '/a', path: '/a' }; return `routes[${i}]`; } },
  { drops: true, apply: (c, i) => { c.routes[i] = 42 as unknown as Json; return `routes[${i}]`; } },
  { drops: true, apply: (c, i) => { c.routes[i].headers = [{ name: 'x', value: 'y', type: 'Bogus' }]; return `routes[${i}].headers[0].type`; } },
  { drops: true, apply: (c, i) => { c.routes[i].query_params = [{ name: 'q' }]; return `routes[${i}].query_params[0].value`; } },
  { drops: true, apply: (c, i) => { c.routes[i].name = 'unknown'; return `routes[${i}].name`; } },
  { drops: false, apply: (c, i) => { c.routes[i].colour = 'red'; return `routes[${i}].colour`; } },
];

/** Top-level problems: the setting falls back to its default, which the generated configs use anyway. */
const TOP_MUTATIONS: Array<(c: Json) => string> = [
  (c) => { c.output_attribute = ''; return 'output_attribute'; },
  (c) => { c.metrics = { prefix: '9bad' }; return 'metrics.prefix'; },
  (c) => { c.debug = 'yes'; return 'debug'; },
  (c) => { c.strict = 'yes'; return 'strict'; },
  (c) => { c.rouets = []; return 'rouets'; },
];

interface SampleRequest { method: string; path: string; headers: Record<string, string> }

function nativeRequests(routes: Json[]): SampleRequest[] {
  const out: SampleRequest[] = [];
  for (const r of routes) {
    if (typeof r !== 'object' || r === null) continue;
    const path = samplePath(r);
    for (const method of ['GET', 'POST', 'HEAD']) {
      out.push({ method, path, headers: {} }, { method, path, headers: { 'x-tenant': 'a' } });
    }
  }
  out.push({ method: 'GET', path: '/nowhere', headers: {} });
  return out;
}

function assertSameClassification(host: SimulatedEnvoy, reference: SimulatedEnvoy, requests: SampleRequest[], what: string): void {
  for (const req of requests) {
    const got = host.request({ ...req, status: 200, durationMs: 1 }).filterState;
    const want = reference.request({ ...req, status: 200, durationMs: 1 }).filterState;
    assert.deepEqual(got, want, `${what}: ${req.method} ${req.path} ${JSON.stringify(req.headers)}`);
  }
}

describe('accept policy: generated configurations', () => {
  test(`${CONFIGS} native configurations with an invalid part classify like the same configuration without it`, async () => {
    const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
    const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: { routes: [{ name: 'seed', path: '/' }] } });
    const reference = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: { routes: [{ name: 'seed', path: '/' }] } });
    const rand = prng(SEED + 7);
    const samples = fc.sample(fc.array(nativeRoute, { minLength: 1, maxLength: 8 }), { numRuns: CONFIGS, seed: SEED + 7 });
    for (const routes of samples) {
      const config: Json & { routes: Json[] } = { routes: structuredClone(routes) };
      const i = Math.floor(rand() * routes.length);
      const mutation = ROUTE_MUTATIONS[Math.floor(rand() * ROUTE_MUTATIONS.length)];
      const paths = [mutation.apply(config, i)];
      if (rand() < 0.3) paths.push(TOP_MUTATIONS[Math.floor(rand() * TOP_MUTATIONS.length)](config));
      const valid = { routes: structuredClone(routes).filter((_, k) => !(mutation.drops && k === i)) };
      const what = JSON.stringify(config);

      host.clearLogs();
      assert.equal(host.reconfigure(config, { mode: 'same-root' }), true, `${what}\n${errorLog(host)}`);
      assert.equal(reference.reconfigure(valid, { mode: 'same-root' }), true, `${JSON.stringify(valid)}\n${errorLog(reference)}`);
      const errors = configErrors(host);
      for (const p of paths) assert.ok(errors.some((l) => l.startsWith(`route-metrics: config error: ${p}`)), `no error naming ${p}: ${what}\n${errors.join('\n')}`);
      assert.equal(host.gauge(GAUGE), BigInt(errors.length), what);
      assert.equal(reference.gauge(GAUGE), 0n, `${JSON.stringify(valid)}\n${errorLog(reference)}`);
      const requests = nativeRequests(routes);
      assertSameClassification(host, reference, requests, what);

      // "strict": true: rejected, and the configuration accepted just before keeps serving.
      host.clearLogs();
      assert.equal(host.reconfigure({ ...config, strict: true }, { mode: 'same-root' }), false, what);
      const rejected = configErrors(host).length;
      assert.ok(rejected > 0);
      assert.ok(host.logsAtLeast('error').some((l) => l.message === `route-metrics: configuration rejected (${rejected} error${rejected === 1 ? '' : 's'})`), errorLog(host));
      assert.equal(host.gauge(GAUGE), BigInt(errors.length), 'a rejected configuration leaves the gauge as it was');
      assertSameClassification(host, reference, requests, `after the strict rejection of ${what}`);
      assert.equal(host.failed, false);
    }
  });

  const VALID_CONDITIONS = ["request.url_path == '/a'", "request.url_path.startsWith('/a')", "request.method == 'GET'",
    "request.headers['x-tenant'] == 'a'", 'size(request.url_path) > 3', ''];
  const INVALID_MATCHES: unknown[] = [{ value: 'bad', condition: "request.methd == 'GET'" }, { value: 'bad', condition: "request.method == 'GET' &&" },
    { value: 'bad', condition: "request.url_path.matches('(')" }, { value: 404, condition: '' }, 'not a match', { value: 'bad', condition: 7 }];
  const match = fc.record({ value: fc.constantFrom('a', 'b', 'c', 'd'), condition: fc.constantFrom(...VALID_CONDITIONS) });

  test(`${CONFIGS} attributegen configurations with invalid matches: the first true valid match still wins`, async () => {
    const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
    const seed = { attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'seed', condition: '' }] }] };
    const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: seed });
    const reference = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: seed });
    const rand = prng(SEED + 8);
    const samples = fc.sample(fc.tuple(fc.array(match, { minLength: 1, maxLength: 6 }), fc.array(match, { maxLength: 3 })), { numRuns: CONFIGS, seed: SEED + 8 });
    const tenants: Array<Record<string, string>> = [{}, { 'x-tenant': 'a' }];
    const requests: SampleRequest[] = ['/a', '/ab', '/b', '/abcd', '/'].flatMap((path) => ['GET', 'POST'].flatMap((method) =>
      tenants.map((headers) => ({ method, path, headers }))));
    for (const [ops, kinds] of samples) {
      // Invalid matches go anywhere in the list, the valid ones keep their relative order.
      const withInvalid: unknown[] = [...ops];
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) {
        withInvalid.splice(Math.floor(rand() * (withInvalid.length + 1)), 0, INVALID_MATCHES[Math.floor(rand() * INVALID_MATCHES.length)]);
      }
      // A second attribute, sometimes invalid as a whole (a bad phase): then it is left out.
      const badKind = rand() < 0.3;
      const config = { attributes: [{ output_attribute: 'istio_operationId', match: withInvalid },
        { output_attribute: 'kind', ...(badKind ? { phase: 'LATER' } : {}), match: kinds }] };
      const valid = { attributes: [{ output_attribute: 'istio_operationId', match: ops }, ...(badKind ? [] : [{ output_attribute: 'kind', match: kinds }])] };
      const what = JSON.stringify(config);
      host.clearLogs();
      assert.equal(host.reconfigure(config, { mode: 'same-root' }), true, `${what}\n${errorLog(host)}`);
      assert.equal(reference.reconfigure(valid, { mode: 'same-root' }), true, `${JSON.stringify(valid)}\n${errorLog(reference)}`);
      const errors = configErrors(host);
      assert.equal(errors.length, n + (badKind ? 1 : 0), `${what}\n${errors.join('\n')}`);
      withInvalid.forEach((m, k) => {
        if (ops.includes(m as typeof ops[number])) return;
        assert.ok(errors.some((l) => l.startsWith(`route-metrics: config error: attributes[0].match[${k}]`)), `match[${k}] not named: ${errors.join('\n')}`);
      });
      assert.equal(host.gauge(GAUGE), BigInt(errors.length));
      assertSameClassification(host, reference, requests, what);
    }
  });
});

// ---- explicit cases ---------------------------------------------------------------------------

describe('accept policy: partial acceptance keeps order-sensitive semantics', () => {
  test('attributegen: a dropped match does not change which of the others wins; logs name the original index', async () => {
    const host = await startFilter({ debug: true, attributes: [{ output_attribute: 'istio_operationId', match: [
      { value: 'broken', condition: "request.url_path.startsWith('/a') &&" },
      { value: 'first', condition: "request.url_path.startsWith('/a')" },
      { value: 'second', condition: "request.url_path == '/a'" },
      { value: 'other', condition: '' },
    ] }] });
    assert.equal(host.configured, true, host.startError);
    const a = host.request({ path: '/a' });
    assert.equal(a.filterState[OP], 'first');
    assert.ok(a.logs.some((l) => l.message === 'route-metrics: istio_operationId="first" (attributes[0].match[1])'), a.logs.map((l) => l.message).join('\n'));
    const b = host.request({ path: '/b' });
    assert.equal(b.filterState[OP], 'other');
    assert.ok(b.logs.some((l) => l.message === 'route-metrics: istio_operationId="other" (attributes[0].match[3])'));
  });

  test('native: config order still breaks ties among the routes kept; logs name the original index', async () => {
    const host = await startFilter({ debug: true, routes: [
      { name: 'broken', path: '/a', method: 'get' },
      { name: 'first', path: '/a' },
      { name: 'second', path: '/a' },
      { name: 'users', path: '/users/{id' },
      { name: 'user', path: '/users/{id}' },
    ] });
    const a = host.request({ path: '/a' });
    assert.equal(a.filterState[OP], 'first');
    assert.ok(a.logs.some((l) => l.message === 'route-metrics: GET /a → istio_operationId="first" (routes[1])'), a.logs.map((l) => l.message).join('\n'));
    const u = host.request({ path: '/users/7' });
    assert.equal(u.filterState[OP], 'user');
    assert.ok(u.logs.some((l) => l.message.endsWith('istio_operationId="user" (routes[4])')));
  });

  test('an invalid attribute (no output_attribute, bad phase) is left out, the others run', async () => {
    const host = await startFilter({ attributes: [
      { match: [{ value: 'x', condition: '' }] },
      { output_attribute: 'kind', phase: 'SOMETIME', match: [{ value: 'y', condition: '' }] },
      { output_attribute: 'istio_operationId', match: [{ value: 'z', condition: '' }] },
    ] });
    const errors = configErrors(host);
    assert.deepEqual(errors, [
      'route-metrics: config error: attributes[0].output_attribute: is required',
      'route-metrics: config error: attributes[1].phase: must be "AFTER_RESPONSE" or "ON_REQUEST", found "SOMETIME"',
    ]);
    assert.deepEqual(host.request({ path: '/' }).filterState, { [OP]: 'z' });
  });

  test('invalid settings fall back to their defaults; an unknown top-level key is reported and ignored', async () => {
    const host = await startFilter({ output_attribute: 'bad name', metrics: { prefix: 'no-dash', unmatched: '' }, colour: 1,
      routes: [{ name: 'a', path: '/a' }] });
    const errors = configErrors(host);
    assert.deepEqual(errors, [
      'route-metrics: config error: output_attribute: must not contain whitespace or control characters (column 4)',
      'route-metrics: config error: colour: unknown field',
      "route-metrics: config error: metrics.prefix: may only contain letters, digits and '_' (column 3)",
      'route-metrics: config error: metrics.unmatched: must not be empty',
    ]);
    assert.ok(host.logsAtLeast('error').some((l) => l.message === 'route-metrics: configuration accepted with 4 errors; dropped: ' +
      'output_attribute (default used), metrics.prefix (default used), metrics.unmatched (default used); the rest is in force'), errorLog(host));
    assert.equal(host.request({ path: '/a' }).filterState[OP], 'a');
    host.request({ path: '/b' });
    const p = scrape(host);
    assert.equal(valueOf(p, 'route_requests_total', { route_name: 'a', response_class: '2xx' }), 1);
    assert.equal(valueOf(p, 'route_requests_total', { route_name: 'unknown', response_class: '2xx' }), 1);
  });

  test('routes that would bring in a 65th distinct method are left out, the others kept', async () => {
    const routes = Array.from({ length: 70 }, (_, i) => ({ name: `m${i}`, method: `M${i}`, path: '/m' }));
    const host = await startFilter({ routes });
    const errors = configErrors(host);
    assert.equal(errors.length, 6, errors.join('\n'));
    assert.equal(errors[0], 'route-metrics: config error: routes[64].method: more than 64 distinct methods across the routes');
    assert.equal(host.request({ method: 'M63', path: '/m' }).filterState[OP], 'm63');
    assert.equal(host.request({ method: 'M64', path: '/m' }).filterState[OP], undefined);
  });

  test('a "strict" that is not a boolean is an error, and the default policy applies', async () => {
    const host = await startFilter({ strict: 'true', routes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b{' }] });
    assert.equal(host.configured, true);
    const errors = configErrors(host);
    assert.ok(errors.includes('route-metrics: config error: strict: must be true or false, found a string (the default policy, accept, applies)'), errors.join('\n'));
    assert.equal(host.request({ path: '/a' }).filterState[OP], 'a');
  });

  test('"strict": false is the default policy; "strict": true with a clean configuration loads', async () => {
    const lenient = await startFilter({ strict: false, routes: [{ name: 'a', path: '/a' }, { name: '' }] });
    assert.equal(lenient.configured, true);
    const strict = await startFilter({ strict: true, attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'a', condition: '' }] }] });
    assert.equal(strict.configured, true, strict.startError);
    assert.equal(strict.gauge(GAUGE), 0n);
    assert.equal(strict.request({ path: '/' }).filterState[OP], 'a');
  });

  test('"routes" and "attributes" together, or neither: an empty table', async () => {
    for (const config of [{ routes: [{ name: 'a', path: '/a' }], attributes: [] }, { rotues: [{ name: 'a', path: '/a' }] }, [1, 2]]) {
      const host = await startFilter(config);
      assert.equal(host.configured, true, host.startError);
      assert.equal(host.gauge(GAUGE), 1n);
      assert.ok(host.logsAtLeast('error').some((l) => l.message === 'route-metrics: configuration accepted with 1 error; nothing in it is usable: every request is unmatched'));
      assert.deepEqual(host.request({ path: '/a' }).filterState, {});
    }
  });
});

describe('route_config_errors', () => {
  const gaugeOf = (host: SimulatedEnvoy) => valueOf(scrape(host), GAUGE);

  test('0 when clean, N with N errors, back to 0 after a clean reconfiguration (on /stats/prometheus)', async () => {
    const host = await startFilter({ routes: [{ name: 'a', path: '/a' }] });
    assert.equal(gaugeOf(host), 0);
    assert.match(host.prometheus(), /^# TYPE route_config_errors gauge\nroute_config_errors\{\} 0$/m);
    assert.equal(host.reconfigure({ routes: [{ name: 'a', path: '/a' }, { name: '', path: '/b' }, { name: 'c', path: '/c{' }, { name: 'd', path: '/d', x: 1 }] }), true);
    assert.equal(gaugeOf(host), 3);
    assert.equal(host.reconfigure({ routes: [{ name: 'a', path: '/a' }] }), true);
    assert.equal(gaugeOf(host), 0);
    // Same-root reconfiguration (the VM's one gauge is reused).
    assert.equal(host.reconfigure({ attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'x', condition: 'nope(' }] }] }, { mode: 'same-root' }), true);
    assert.equal(gaugeOf(host), 1);
    assert.equal(host.reconfigure({ routes: [{ name: 'a', path: '/a' }] }, { mode: 'same-root' }), true);
    assert.equal(gaugeOf(host), 0);
    assert.equal(host.statNames('gauge').filter((n) => n === GAUGE).length, 1);
  });

  test('invalid JSON: an empty table and the gauge at 1', async () => {
    const host = await startFilter('{"routes": [');
    assert.equal(host.configured, true, host.startError);
    assert.equal(gaugeOf(host), 1);
    assert.deepEqual(host.request({ path: '/a' }).filterState, {});
    assert.equal(valueOf(scrape(host), 'route_requests_total', { route_name: 'unknown', response_class: '2xx' }), 1);
  });

  test('a strict rejection leaves the gauge (and the configuration) of the configuration in force', async () => {
    const host = await startFilter({ routes: [{ name: 'a', path: '/a' }, { name: 'b' }] });
    assert.equal(gaugeOf(host), 1);
    assert.equal(host.reconfigure({ strict: true, routes: [{ name: 'c', path: '/c{' }, { name: '' }] }), false);
    assert.equal(gaugeOf(host), 1);
    assert.equal(host.request({ path: '/a' }).filterState[OP], 'a');
    assert.equal(host.request({ path: '/c' }).filterState[OP], undefined);
  });

  test('a proxy that starts with a strict configuration that has errors does not load it (and has no gauge)', async () => {
    const host = await startFilter({ strict: true, routes: [{ name: 'c', path: '/c{' }] });
    assert.equal(host.configured, false);
    assert.equal(host.gauge(GAUGE), undefined);
  });
});

describe('label collisions (§4): distinct names, one label', () => {
  const PAIRS: Array<[first: string, second: string, label: string]> = [
    ['a;b', 'a_b', 'a_b'], ['cache.x', 'cache_x', 'cache_x'], ['x=.=y', 'x=_=y', 'x=_=y'], ['l\nm', 'l_m', 'l_m'],
  ];
  const quote = (s: string) => JSON.stringify(s);

  for (const [first, second, label] of PAIRS) {
    test(`native: ${quote(first)} then ${quote(second)}: an error naming both routes; the later one is dropped`, async () => {
      const host = await startFilter({ routes: [{ name: first, path: '/1' }, { name: 'other', path: '/o' }, { name: second, path: '/2' }] });
      assert.deepEqual(configErrors(host), [`route-metrics: config error: routes[2].name: ${quote(second)} and ${quote(first)} (routes[0].name) ` +
        `give the same label route_name=${quote(label)}: their requests would share one series`]);
      assert.equal(host.request({ path: '/1' }).filterState[OP], first);
      assert.equal(host.request({ path: '/2' }).filterState[OP], undefined);
      const p = scrape(host);
      assert.equal(valueOf(p, 'route_requests_total', { route_name: label, response_class: '2xx' }), 1);
      assert.equal(valueOf(p, 'route_requests_total', { route_name: 'unknown', response_class: '2xx' }), 1);
    });
  }

  test('attributegen: values of istio_operationId that clash; the later match is dropped', async () => {
    const host = await startFilter({ attributes: [{ output_attribute: 'istio_operationId', match: [
      { value: 'cache.x', condition: "request.url_path == '/1'" },
      { value: 'cache.x', condition: "request.url_path == '/1b'" },
      { value: 'cache_x', condition: "request.url_path == '/2'" },
    ] }, { output_attribute: 'kind', match: [{ value: 'a;b', condition: '' }, { value: 'a_b', condition: '' }] }] });
    assert.deepEqual(configErrors(host), ['route-metrics: config error: attributes[0].match[2].value: "cache_x" and "cache.x" ' +
      '(attributes[0].match[0].value) give the same label route_name="cache_x": their requests would share one series']);
    assert.equal(host.request({ path: '/1b' }).filterState[OP], 'cache.x');
    assert.equal(host.request({ path: '/2' }).filterState[OP], undefined);
  });

  test('a route named like the unmatched label (default "unknown", or metrics.unmatched)', async () => {
    const host = await startFilter({ routes: [{ name: 'unknown', path: '/u' }, { name: 'a', path: '/a' }] });
    assert.deepEqual(configErrors(host), ['route-metrics: config error: routes[0].name: "unknown" gives the label route_name="unknown", ' +
      'the one of unmatched requests (metrics.unmatched is "unknown"): rename it or set metrics.unmatched']);
    assert.equal(host.request({ path: '/u' }).filterState[OP], undefined);
    const custom = await startFilter({ metrics: { unmatched: 'none;' }, routes: [{ name: 'unknown', path: '/u' }, { name: 'none_', path: '/n' }] });
    assert.deepEqual(configErrors(custom), ['route-metrics: config error: routes[1].name: "none_" gives the label route_name="none_", ' +
      'the one of unmatched requests (metrics.unmatched is "none;"): rename it or set metrics.unmatched']);
    assert.equal(custom.request({ path: '/u' }).filterState[OP], 'unknown');
  });

  test('not a collision: one name on several routes (one operation by design), or metrics off', async () => {
    const shared = await startFilter({ routes: [{ name: 'users', path: '/users' }, { name: 'users', path: '/people' }] });
    assert.deepEqual(configErrors(shared), []);
    assert.equal(shared.request({ path: '/people' }).filterState[OP], 'users');
    const off = await startFilter({ metrics: false, routes: [{ name: 'a;b', path: '/1' }, { name: 'a_b', path: '/2' }, { name: 'unknown', path: '/3' }] });
    assert.deepEqual(configErrors(off), []);
    assert.equal(off.request({ path: '/3' }).filterState[OP], 'unknown');
  });

  test('"strict": true rejects a collision', async () => {
    const host = await startFilter({ strict: true, routes: [{ name: 'a;b', path: '/1' }, { name: 'a_b', path: '/2' }] });
    assert.equal(host.configured, false);
  });
});
