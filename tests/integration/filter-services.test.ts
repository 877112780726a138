// `services` end to end: the release .wasm in the simulated Envoy. The request's :authority selects
// the service, the service's routes name the request, and the plugin's metrics carry
// destination_service_name (flat configurations keep their series unchanged).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startFilter, PODINFO_NATIVE } from '../support/filter.ts';
import { scrape, select, valueOf, assertUniqueSeries, buckets } from '../fixtures/metrics-queries.ts';
import { parsePrometheusText } from '../../host/index.ts';

const OP = 'wasm.istio_operationId';
const REQUESTS = 'route_requests_total';
const DURATION = 'route_request_duration_milliseconds';

const HEALTHZ = { name: 'GET /healthz', method: 'GET', path: '/healthz' };

/** A namespace waypoint: two services that both have GET /healthz, a wildcard service, a fallback. */
const WAYPOINT = {
  default: 'other',
  services: [
    { name: 'podinfo', hosts: ['podinfo', 'podinfo.shop', 'podinfo.shop.svc.cluster.local'],
      routes: [HEALTHZ, { name: 'GET /users/{id}', method: 'GET', path: '/users/{id}' }] },
    { name: 'cart', hosts: ['cart', 'cart.shop.svc.cluster.local'], default: 'cart other',
      routes: [HEALTHZ, { name: 'POST /cart', method: 'POST', path: '/cart' }] },
    { name: 'tenants', hosts: ['*.tenants.example.com'], routes: [{ name: 'tenant api', path_prefix: '/api/' }] },
    { name: 'edge', hosts: ['*.example.com'], routes: [HEALTHZ] },
  ],
};

describe('services: requests are named by the routes of the service their host selects', async () => {
  const host = await startFilter(WAYPOINT);

  test('the configuration is accepted clean', () => {
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.gauge('route_config_errors'), 0n);
    assert.ok(host.logs.some((l) => l.message === 'route-metrics: configured: native routes of 4 services, 4 operation names'),
      host.logs.map((l) => l.message).join('\n'));
  });

  const cases: Array<[authority: string, method: string, path: string, expected: string | undefined]> = [
    ['podinfo', 'GET', '/healthz', 'GET /healthz'],
    ['podinfo:9898', 'GET', '/users/7', 'GET /users/{id}'],
    ['PODINFO.Shop.svc.cluster.local:9898', 'GET', '/users/7', 'GET /users/{id}'],
    ['podinfo', 'POST', '/cart', 'other'], // podinfo has no such route: the top-level default
    ['cart', 'POST', '/cart', 'POST /cart'],
    ['cart.shop.svc.cluster.local:80', 'GET', '/users/7', 'cart other'], // the service's own default
    ['acme.tenants.example.com', 'GET', '/api/x', 'tenant api'],
    ['a.b.tenants.example.com:443', 'GET', '/api/x', 'tenant api'], // any depth
    ['tenants.example.com', 'GET', '/api/x', 'other'], // → *.example.com, which has no /api/ route
    ['tenants.example.com', 'GET', '/healthz', 'GET /healthz'],
    ['www.example.com', 'GET', '/healthz', 'GET /healthz'],
    ['example.com', 'GET', '/healthz', 'other'], // a wildcard never matches its own suffix: no service
    ['[::1]:9898', 'GET', '/healthz', 'other'],
    ['unknown-host', 'GET', '/healthz', 'other'],
  ];
  for (const [authority, method, path, expected] of cases) {
    test(`${method} ${authority} ${path} → ${expected ?? '(unset)'}`, () => {
      const r = host.request({ authority, method, path, status: 200, durationMs: 3 });
      assert.equal(r.trapped, false);
      assert.equal(r.filterState[OP], expected);
    });
  }

  test('a host no service claims costs the :authority read only: no route table, so no :method or :path', () => {
    host.request({ authority: 'nobody.invalid', path: '/users/7' }); // defines this series' metrics
    const r = host.request({ authority: 'nobody.invalid', path: '/users/7' });
    assert.equal(r.hostCalls.proxy_get_header_map_value, 1);
  });

  test('a request costs one :authority read more than with flat routes, nothing else', () => {
    host.request({ authority: 'podinfo', path: '/users/7' }); // defines this series' metrics
    const r = host.request({ authority: 'podinfo', path: '/users/7' });
    assert.deepEqual(r.hostCalls, {
      proxy_get_header_map_value: 3, // :authority, :method, :path
      proxy_set_property: 1,
      proxy_get_property: 2,
      proxy_increment_metric: 1,
      proxy_record_metric: 1,
    });
  });
});

describe('services: per-service series', async () => {
  const host = await startFilter(WAYPOINT);
  host.request({ authority: 'podinfo', path: '/healthz', status: 200, durationMs: 4 });
  host.request({ authority: 'podinfo:9898', path: '/healthz', status: 200, durationMs: 4 });
  host.request({ authority: 'cart', path: '/healthz', status: 503, durationMs: 30 });
  host.request({ authority: 'cart', path: '/nowhere', status: 404, durationMs: 2 });
  host.request({ authority: 'nobody', path: '/healthz', status: 200, durationMs: 2 });
  host.request({ authority: 'www.example.com', path: '/healthz', status: 200, durationMs: 2 });
  const p = scrape(host);

  test("two services' GET /healthz are two series", () => {
    assert.equal(valueOf(p, REQUESTS, { destination_service_name: 'podinfo', route_name: 'GET /healthz', response_class: '2xx' }), 2);
    assert.equal(valueOf(p, REQUESTS, { destination_service_name: 'cart', route_name: 'GET /healthz', response_class: '5xx' }), 1);
    assert.equal(valueOf(p, `${DURATION}_count`, { destination_service_name: 'podinfo', route_name: 'GET /healthz' }), 2);
    assert.equal(valueOf(p, `${DURATION}_count`, { destination_service_name: 'cart', route_name: 'GET /healthz' }), 1);
    assert.equal(valueOf(p, REQUESTS, { destination_service_name: 'edge', route_name: 'GET /healthz', response_class: '2xx' }), 1);
  });

  test("a service's unmatched requests carry its name; unclaimed hosts are destination_service_name=\"unknown\"", () => {
    assert.equal(valueOf(p, REQUESTS, { destination_service_name: 'cart', route_name: 'unknown', response_class: '4xx' }), 1);
    assert.equal(valueOf(p, REQUESTS, { destination_service_name: 'unknown', route_name: 'unknown', response_class: '2xx' }), 1);
  });

  test('every series has both labels; hosts never become labels', () => {
    for (const s of p.samples.filter((x) => x.name.startsWith('route_') && x.name !== 'route_config_errors')) {
      assert.ok(s.labels.destination_service_name, `${s.name} ${JSON.stringify(s.labels)}`);
      assert.ok(s.labels.route_name, `${s.name} ${JSON.stringify(s.labels)}`);
    }
    const text = host.prometheus();
    for (const h of ['podinfo:9898', 'nobody', 'www.example.com']) assert.ok(!text.includes(h), h);
    assert.equal(select(p, REQUESTS).length, 5);
    assertUniqueSeries(p);
  });

  test('a service with a fallback: unclaimed hosts count under its name', async () => {
    const h = await startFilter({ services: [{ name: 'podinfo', hosts: ['podinfo'], routes: [HEALTHZ] }, { name: 'rest', routes: [HEALTHZ] }] });
    h.request({ authority: 'elsewhere', path: '/healthz' });
    h.request({ authority: '', path: '/healthz' });
    h.request({ path: '/healthz', omitHeaders: [':authority'] });
    const q = scrape(h);
    assert.equal(valueOf(q, REQUESTS, { destination_service_name: 'rest', route_name: 'GET /healthz', response_class: '2xx' }), 3);
    assert.equal(select(q, REQUESTS, { destination_service_name: 'unknown' }).length, 0);
  });

  test('the service label comes first in the stat name: histogram buckets can be set per service', async () => {
    // Envoy takes the first rule in prefix order, so a bare "wasmcustom" rule would win over this one.
    const h = await startFilter(WAYPOINT, { stats: { histogramBuckets: { 'wasmcustom.destination_service_name=.=cart;.;': [10, 100] } } });
    h.request({ authority: 'cart', path: '/healthz', durationMs: 50 });
    h.request({ authority: 'podinfo', path: '/healthz', durationMs: 50 });
    const q = scrape(h);
    assert.deepEqual(Object.keys(buckets(q, DURATION, { destination_service_name: 'cart' })), ['10', '100', '+Inf']);
    assert.equal(Object.keys(buckets(q, DURATION, { destination_service_name: 'podinfo' })).length, 20); // Envoy's default bounds
  });

  test('without destination_service_name in extraStatTags each service becomes part of the metric name', async () => {
    const h = await startFilter(WAYPOINT, { stats: { extraStatTags: ['route_name', 'response_class'] } });
    h.request({ authority: 'cart', path: '/healthz' });
    const q = scrape(h);
    assert.equal(valueOf(q, `destination_service_name___cart___${REQUESTS}`, { route_name: 'GET /healthz', response_class: '2xx' }), 1);
  });
});

describe('services: flat configurations keep their series', () => {
  test('no destination_service_name label, the same stat names as before, no :authority read', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    host.request({ authority: 'podinfo', path: '/healthz' });
    const r = host.request({ authority: 'cart', path: '/healthz' });
    assert.equal(r.hostCalls.proxy_get_header_map_value, 2); // :method, :path
    const names = host.metrics.map((m) => m.name);
    assert.ok(names.includes('route_name=.=GET /healthz;.;response_class=.=2xx;.;route_requests_total'), names.join('\n'));
    assert.ok(!names.some((n) => n.includes('destination_service_name')));
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: '2xx' }), 2);
    assert.deepEqual(Object.keys(select(p, REQUESTS)[0]!.labels), ['route_name', 'response_class']);
  });

  test('the stat names with services', async () => {
    const host = await startFilter(WAYPOINT);
    host.request({ authority: 'cart', path: '/healthz' });
    const names = host.metrics.map((m) => m.name);
    assert.ok(names.includes('destination_service_name=.=cart;.;route_name=.=GET /healthz;.;response_class=.=2xx;.;route_requests_total'), names.join('\n'));
    assert.ok(names.includes('destination_service_name=.=cart;.;route_name=.=GET /healthz;.;route_request_duration_milliseconds'), names.join('\n'));
  });

  test('reconfiguring between flat routes and services switches the series', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    host.request({ authority: 'cart', path: '/healthz' });
    assert.equal(host.reconfigure(WAYPOINT), true);
    host.request({ authority: 'cart', path: '/healthz' });
    assert.equal(host.reconfigure(PODINFO_NATIVE), true);
    host.request({ authority: 'cart', path: '/healthz' });
    const p = scrape(host);
    assert.equal(valueOf(p, REQUESTS, { route_name: 'GET /healthz', response_class: '2xx', destination_service_name: 'cart' }), 1);
    const flat = select(p, REQUESTS).filter((s) => s.labels.destination_service_name === undefined);
    assert.deepEqual(flat.map((s) => s.value), [2]);
  });
});

describe('services: debug decision lines', async () => {
  const host = await startFilter({ ...WAYPOINT, debug: true });

  test('name the host, the service and the route by JSON path', () => {
    const r = host.request({ authority: 'cart:80', method: 'POST', path: '/cart' });
    assert.deepEqual(r.logs.map((l) => l.message),
      ['route-metrics: POST /cart (host cart:80) → service "cart" (services[1]), istio_operationId="POST /cart" (services[1].routes[1])']);
    const u = host.request({ authority: 'cart', path: '/x' });
    assert.deepEqual(u.logs.map((l) => l.message),
      ['route-metrics: GET /x (host cart) → service "cart" (services[1]), no route matched; istio_operationId="cart other" (default)']);
    const n = host.request({ authority: 'nobody', path: '/x' });
    assert.deepEqual(n.logs.map((l) => l.message),
      ['route-metrics: GET /x (host nobody) → no service claims the host; istio_operationId="other" (default)']);
  });

  test('a long host is shown shortened', () => {
    const r = host.request({ authority: 'h'.repeat(5000), path: '/x' });
    assert.match(r.logs[0]!.message, /\(host h{1024}… \(5000 bytes\)\) → no service claims the host/);
  });
});

describe('services: configuration errors through the .wasm', () => {
  const BAD = {
    services: [
      { name: 'podinfo', hosts: ['podinfo', 'Cart', 'shared'], routes: [HEALTHZ, { name: 'x', path: '/users/{id' }] },
      { name: 'cart', hosts: ['shared', 'cart'], routes: [HEALTHZ] },
      { name: 'podinfo', hosts: ['other'], routes: [HEALTHZ] },
      { name: 'rest', routes: [HEALTHZ] },
      { name: 'rest2', routes: [HEALTHZ] },
    ],
  };

  test('each error is logged with its JSON path and counted; the valid parts are in force', async () => {
    const host = await startFilter(BAD);
    assert.equal(host.configured, true);
    const errors = host.logs.filter((l) => l.message.startsWith('route-metrics: config error: ')).map((l) => l.message.slice('route-metrics: config error: '.length));
    assert.deepEqual(errors, [
      'services[0].hosts[1]: "Cart": host names are written in lower case (Gateway API hostname; matching ignores case): use "cart"',
      'services[0].routes[1].path: unclosed \'{\' at column 8',
      'services[1].hosts[0]: "shared" is already a host of services[0] ("podinfo", at services[0].hosts[2]): a host belongs to one service',
      'services[2].name: "podinfo" is already the name of services[0]: service names are distinct',
      'services[4]: a second service without "hosts" (services[3], "rest", already takes the requests no other service claims): give it hosts',
    ]);
    assert.ok(host.logs.some((l) => l.message === 'route-metrics: configuration accepted with 5 errors; dropped: services[0].hosts[1], ' +
      'services[0].routes[1], services[1].hosts[0], services[2], services[4]; the rest is in force'), host.logs.map((l) => l.message).join('\n'));
    assert.equal(host.gauge('route_config_errors'), 5n);
    /** The destination_service_name whose count one request to `authority` increments. */
    const name = (authority: string) => {
      const count = () => new Map(select(scrape(host), REQUESTS).map((s) => [s.labels.destination_service_name, s.value]));
      const before = count();
      host.request({ authority, path: '/healthz' });
      const after = count();
      return [...after].find(([k, v]) => v !== (before.get(k) ?? 0))?.[0];
    };
    assert.equal(name('shared'), 'podinfo');
    assert.equal(name('cart'), 'cart');
    assert.equal(name('other'), 'rest'); // services[2] was left out: its host goes to the fallback
    assert.equal(name('Cart'), 'cart'); // the invalid "Cart" host was dropped; "cart" matches any case
  });

  test('a regex that does not compile drops its route in its own service only, named by its service path; first match holds for the rest', async () => {
    const host = await startFilter({
      default: 'other',
      services: [
        { name: 'a', hosts: ['a'], routes: [{ name: 'A broken', path_regex: '^/x(' }, { name: 'A x', path: '/x' }] },
        { name: 'b', hosts: ['b'], routes: [{ name: 'B digits', path_regex: '^/y[0-9]+$' }, { name: 'B broken', headers: [{ name: 'x', value: '(', type: 'RegularExpression' }] }, { name: 'B yz', path: '/yz' }] },
      ],
    });
    const errors = host.logs.filter((l) => l.message.startsWith('route-metrics: config error: ')).map((l) => l.message.slice('route-metrics: config error: '.length));
    assert.deepEqual(errors, [
      "services[0].routes[0].path_regex: missing closing ): unmatched '(' at column 4",
      "services[1].routes[1].headers[0].value: missing closing ): unmatched '(' at column 1",
    ]);
    assert.ok(host.logs.some((l) => l.message.includes('dropped: services[0].routes[0], services[1].routes[1];')), host.logs.map((l) => l.message).join('\n'));
    assert.equal(host.gauge('route_config_errors'), 2n);
    assert.equal(host.request({ authority: 'a', path: '/x' }).filterState[OP], 'A x');
    assert.equal(host.request({ authority: 'b', path: '/y12' }).filterState[OP], 'B digits');
    assert.equal(host.request({ authority: 'b', path: '/yz', headers: { x: '(' } }).filterState[OP], 'B yz');
    assert.equal(host.request({ authority: 'a', path: '/y12' }).filterState[OP], 'other');
  });

  test('"strict": true rejects it, and the configuration in force keeps serving', async () => {
    const host = await startFilter(WAYPOINT);
    assert.equal(host.reconfigure({ ...BAD, strict: true }), false);
    assert.ok(host.logs.some((l) => l.message === 'route-metrics: configuration rejected (5 errors)'));
    assert.equal(host.request({ authority: 'cart', method: 'POST', path: '/cart' }).filterState[OP], 'POST /cart');
    assert.equal(host.gauge('route_config_errors'), 0n);
  });

  test('routes and services together: the flat routes are left out', async () => {
    const host = await startFilter({ routes: [HEALTHZ], services: [{ name: 'a', hosts: ['a'], routes: [{ name: 'a health', path: '/healthz' }] }] });
    assert.ok(host.logs.some((l) => l.message.startsWith('route-metrics: config error: routes: "routes" and "services" cannot be combined')));
    assert.equal(host.request({ authority: 'a', path: '/healthz' }).filterState[OP], 'a health');
    assert.equal(host.request({ authority: 'b', path: '/healthz' }).filterState[OP], undefined);
  });

  test('route names are checked per service: the same name in two services is fine, two labels clashing in one is not', async () => {
    const host = await startFilter({ services: [
      { name: 'a', hosts: ['a'], routes: [{ name: 'x;y', path: '/1' }, { name: 'x_y', path: '/2' }] },
      { name: 'b', hosts: ['b'], routes: [{ name: 'x;y', path: '/1' }] },
    ] });
    const errors = host.logs.filter((l) => l.message.startsWith('route-metrics: config error: ')).map((l) => l.message);
    assert.deepEqual(errors, ['route-metrics: config error: services[0].routes[1].name: "x_y" and "x;y" (services[0].routes[0].name) give the same label route_name="x_y": their requests would share one series']);
  });
});

describe('services: hostile authorities never trap', () => {
  test('random bytes, long values, ports, brackets and dots in :authority', async () => {
    const host = await startFilter(WAYPOINT);
    const hostish = fc.stringMatching(/^[a-zA-Z0-9.:\[\]*-]{0,300}$/);
    const suffixed = fc.tuple(fc.stringMatching(/^[a-z.]{0,40}$/), fc.constantFrom('.example.com', '.tenants.example.com', 'podinfo', ''),
      fc.constantFrom('', ':80', ':', '.', '.:1')).map(([a, b, c]) => a + b + c);
    const bytes = fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b).toString('latin1'));
    fc.assert(fc.property(fc.oneof(hostish, suffixed, bytes), (authority) => {
      const r = host.request({ authority, path: '/healthz' });
      assert.equal(r.trapped, false);
      assert.ok(['GET /healthz', 'other'].includes(r.filterState[OP]!), `${JSON.stringify(authority)} → ${r.filterState[OP]}`);
    }), { numRuns: 2000, seed: 12 });
    for (const n of [253, 254, 255, 4096, 65536]) {
      const r = host.request({ authority: 'a'.repeat(n - 12) + '.example.com', path: '/healthz' });
      assert.equal(r.trapped, false);
      assert.equal(r.filterState[OP], n <= 253 ? 'GET /healthz' : 'other', String(n));
    }
    const p = parsePrometheusText(host.prometheus());
    assert.ok(select(p, REQUESTS).every((s) => ['podinfo', 'cart', 'tenants', 'edge', 'unknown'].includes(s.labels.destination_service_name!)));
  });
});
