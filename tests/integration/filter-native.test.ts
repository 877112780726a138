// Native route config, end to end: the release .wasm in the simulated Envoy host.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter, PODINFO_NATIVE } from '../support/filter.ts';

const OP = 'wasm.istio_operationId';

describe('native routes: the podinfo example', async () => {
  const host = await startFilter(PODINFO_NATIVE);

  test('the configuration is accepted', () => {
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.gauge('route_config_errors'), 0n);
    assert.ok(host.logs.some((l) => l.level === 'info' && l.message.includes('route-metrics: configured: native routes')));
  });

  const cases: Array<[string, string, string | undefined]> = [
    ['GET', '/healthz', 'GET /healthz'],
    ['POST', '/echo', 'POST /echo'],
    ['GET', '/users/42', 'GET /users/{id}'],
    ['HEAD', '/users/42', 'GET /users/{id}'],
    ['GET', '/static/app.js', 'static'],
    ['GET', '/v3/legacy/report', 'legacy'],
    ['GET', '/healthz?full=1', 'GET /healthz'],
    ['POST', '/healthz', undefined],
    ['GET', '/users/42/friends', undefined],
    ['GET', '/nowhere', undefined],
  ];
  for (const [method, path, expected] of cases) {
    test(`${method} ${path} → ${expected ?? '(unset)'}`, async () => {
      const r = await host.request({ method, path, status: 200, durationMs: 12 });
      assert.equal(r.trapped, false);
      assert.equal(r.filterState[OP], expected);
    });
  }

  test('the request headers callback continues the stream', async () => {
    const r = await host.request({ method: 'GET', path: '/healthz' });
    assert.equal(r.returnCodes.requestHeaders, 0);
  });

  test('a request costs only the necessary host calls, and logs nothing', async () => {
    await host.request({ method: 'GET', path: '/users/7' }); // defines this route's metrics
    const r = await host.request({ method: 'GET', path: '/users/7' });
    assert.deepEqual(r.hostCalls, {
      proxy_get_header_map_value: 2, // :method, :path
      proxy_set_property: 1, // istio_operationId
      proxy_get_property: 2, // response.code, request.duration (on_log)
      proxy_increment_metric: 1,
      proxy_record_metric: 1,
    });
  });
});

describe('native routes: unmatched requests', () => {
  test('leave the attribute unset by default', async () => {
    const host = await startFilter({ routes: [{ name: 'a', path: '/a' }] });
    const r = await host.request({ path: '/b' });
    assert.equal(r.filterState[OP], undefined);
    assert.equal(r.hostCalls.proxy_set_property ?? 0, 0);
  });

  test('get the configured default', async () => {
    const host = await startFilter({ default: 'other', routes: [{ name: 'a', path: '/a' }] });
    assert.equal((await host.request({ path: '/b' })).filterState[OP], 'other');
    assert.equal((await host.request({ path: '/a' })).filterState[OP], 'a');
  });

  test('use the configured output attribute', async () => {
    const host = await startFilter({ output_attribute: 'route', routes: [{ name: 'a', path: '/a' }] });
    const r = await host.request({ path: '/a' });
    assert.equal(r.filterState['wasm.route'], 'a');
    assert.equal(r.filterState[OP], undefined);
  });
});

describe('native routes: header and query conditions', async () => {
  const host = await startFilter({
    routes: [
      { name: 'damage-analytic', path: '/v1/damage', query_params: [{ name: 'analytic', value: 'true' }] },
      { name: 'damage', path: '/v1/damage' },
      { name: 'tenant-a', path_prefix: '/t/', headers: [{ name: 'x-tenant', value: 'a' }] },
      { name: 'tenant-re', path_prefix: '/t/', headers: [{ name: 'X-Tenant', type: 'RegularExpression', value: '^b[0-9]+$' }] },
      { name: 'by-host', headers: [{ name: ':authority', value: 'admin.example.com' }] },
    ],
  });

  test('query parameter conditions', async () => {
    assert.equal((await host.request({ path: '/v1/damage?analytic=true' })).filterState[OP], 'damage-analytic');
    assert.equal((await host.request({ path: '/v1/damage?x=1&analytic=true' })).filterState[OP], 'damage-analytic');
    assert.equal((await host.request({ path: '/v1/damage?analytic=false' })).filterState[OP], 'damage');
    assert.equal((await host.request({ path: '/v1/damage' })).filterState[OP], 'damage');
  });

  test('header conditions, exact and regex', async () => {
    assert.equal((await host.request({ path: '/t/x', headers: { 'x-tenant': 'a' } })).filterState[OP], 'tenant-a');
    assert.equal((await host.request({ path: '/t/x', headers: { 'X-Tenant': 'b42' } })).filterState[OP], 'tenant-re');
    assert.equal((await host.request({ path: '/t/x', headers: { 'x-tenant': 'c' } })).filterState[OP], undefined);
    assert.equal((await host.request({ path: '/t/x' })).filterState[OP], undefined);
  });

  test('pseudo-header conditions', async () => {
    assert.equal((await host.request({ path: '/anything', authority: 'admin.example.com' })).filterState[OP], 'by-host');
    assert.equal((await host.request({ path: '/anything', authority: 'www.example.com' })).filterState[OP], undefined);
  });
});

describe('native routes: invalid configuration', () => {
  const INVALID = {
    routes: [
      { name: 'ok', path: '/ok' },
      { name: '', path: '/a' },
      { name: 'b', method: 'get', path: '/b' },
      { name: 'c', path: '/users/{id' },
      { name: 'd', path_regex: 'a(b' },
      { name: 'e' },
      { name: 'f', path: '/f', colour: 'red' },
    ],
  };

  test('one error line per problem naming the JSON path; accepted without the invalid routes', async () => {
    const host = await startFilter(INVALID);
    assert.equal(host.configured, true, host.startError);
    const errors = host.logsAtLeast('error').map((l) => l.message);
    const expected = [
      'route-metrics: config error: routes[1].name: must not be empty',
      "route-metrics: config error: routes[2].method: 'get': HTTP methods are case-sensitive; did you mean 'GET'?",
      "route-metrics: config error: routes[3].path: unclosed '{' at column 8",
      'route-metrics: config error: routes[5]: route has no match condition (set path, path_prefix, path_regex, method, headers or query_params)',
      'route-metrics: config error: routes[6].colour: unknown field',
    ];
    for (const line of expected) assert.ok(errors.includes(line), `missing log line: ${line}\n got:\n${errors.join('\n')}`);
    assert.ok(errors.some((l) => l.startsWith('route-metrics: config error: routes[4].path_regex: ') && /at column \d+/.test(l)), errors.join('\n'));
    // The unknown key is ignored, its route kept; every other route with an error is left out.
    assert.ok(errors.includes('route-metrics: configuration accepted with 6 errors; dropped: routes[1], routes[2], routes[3], ' +
      'routes[4], routes[5]; the rest is in force'), errors.join('\n'));
    assert.equal((await host.request({ path: '/ok' })).filterState[OP], 'ok');
    assert.equal((await host.request({ path: '/f' })).filterState[OP], 'f');
    for (const path of ['/a', '/b', '/users/{id', '/ab', '/anything']) {
      assert.equal((await host.request({ method: 'GET', path })).filterState[OP], undefined, path);
    }
  });

  test('"strict": true rejects it, with the same lines', async () => {
    const host = await startFilter({ strict: true, ...INVALID });
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Failed to configure base Wasm plugin');
    const errors = host.logsAtLeast('error').map((l) => l.message);
    assert.ok(errors.includes("route-metrics: config error: routes[3].path: unclosed '{' at column 8"), errors.join('\n'));
    assert.ok(errors.includes('route-metrics: configuration rejected (6 errors)'), errors.join('\n'));
  });

  test('bad JSON is reported with line and column and gives an empty table', async () => {
    const host = await startFilter('{"routes": [ {"name": "a" "path": "/a"} ]}');
    assert.equal(host.configured, true, host.startError);
    const errors = host.logsAtLeast('error').map((l) => l.message);
    assert.ok(errors.some((l) => l.includes('invalid JSON at line 1 column 27')), errors.join('\n'));
    assert.ok(errors.includes('route-metrics: configuration accepted with 1 error; nothing in it is usable: every request is unmatched'), errors.join('\n'));
    assert.equal((await host.request({ path: '/a' })).filterState[OP], undefined);
  });

  test('under "strict": true a rejected update keeps the previous configuration serving', async () => {
    const host = await startFilter({ routes: [{ name: 'a', path: '/a' }] });
    assert.equal(host.reconfigure({ strict: true, routes: [{ name: 'b', path: '/b{' }] }), false);
    assert.equal((await host.request({ path: '/a' })).filterState[OP], 'a');
    assert.equal((await host.request({ path: '/b' })).filterState[OP], undefined);
    assert.equal(host.reconfigure({ strict: true, routes: [{ name: 'b', path: '/b' }] }), true);
    assert.equal((await host.request({ path: '/b' })).filterState[OP], 'b');
    assert.equal((await host.request({ path: '/a' })).filterState[OP], undefined);
  });

  test('without "strict" an update with errors replaces the configuration by its valid part', async () => {
    const host = await startFilter({ routes: [{ name: 'a', path: '/a' }] });
    assert.equal(host.reconfigure({ routes: [{ name: 'b', path: '/b{' }, { name: 'c', path: '/c' }] }), true);
    assert.equal((await host.request({ path: '/a' })).filterState[OP], undefined);
    assert.equal((await host.request({ path: '/c' })).filterState[OP], 'c');
  });

  test('an empty configuration loads with a warning and classifies nothing', async () => {
    const host = await startFilter(undefined);
    assert.equal(host.configured, true, host.startError);
    assert.ok(host.logsAtLeast('warn').some((l) => l.message.includes('no pluginConfig')));
    const r = await host.request({ path: '/a' });
    assert.equal(r.trapped, false);
    assert.equal(r.filterState[OP], undefined);
  });
});

describe('root id (WasmPlugin pluginName)', () => {
  for (const rootId of ['route-metrics', '', 'something-else']) {
    test(`works with root id ${JSON.stringify(rootId)}`, async () => {
      const host = await startFilter(PODINFO_NATIVE, { rootId });
      assert.equal(host.configured, true, host.startError);
      assert.equal((await host.request({ path: '/healthz' })).filterState[OP], 'GET /healthz');
    });
  }
});

describe('robustness', () => {
  test('missing request properties and pseudo-headers do not trap', async () => {
    const host = await startFilter(PODINFO_NATIVE, { missingProperties: ['request.url_path', 'request.path', 'request.method'] });
    assert.equal((await host.request({ path: '/healthz' })).filterState[OP], 'GET /healthz');
    const r = await host.request({ path: '/healthz', omitHeaders: [':path', ':method'] });
    assert.equal(r.trapped, false);
    assert.equal(r.filterState[OP], undefined);
  });

  test('falls back to request.path when :path is missing', async () => {
    const host = await startFilter({ routes: [{ name: 'a', path: '/a' }] });
    const r = await host.request({ path: '/a?x=1', omitHeaders: [':path'] });
    assert.equal(r.trapped, false);
  });

  test('odd bytes in the request line never trap', async () => {
    const host = await startFilter(PODINFO_NATIVE);
    const odd = ['', '*', '//', '/users/%00', '/\u00ff\u00fe', '?', '#', '/users/' + 'x/'.repeat(5000), '/static/' + 'a'.repeat(65536)];
    for (const path of odd) {
      const r = await host.request({ method: 'G\u00e9T', path });
      assert.equal(r.trapped, false, `trapped on ${JSON.stringify(path.slice(0, 40))}`);
    }
    assert.equal((await host.request({ path: '/healthz' })).filterState[OP], 'GET /healthz');
  });

  test('debug mode logs each decision', async () => {
    const host = await startFilter({ ...PODINFO_NATIVE, debug: true, default: 'other' });
    const a = await host.request({ method: 'GET', path: '/users/9?x=1' });
    assert.ok(a.logs.some((l) => l.message === 'route-metrics: GET /users/9?x=1 → istio_operationId="GET /users/{id}" (routes[2])'),
      a.logs.map((l) => l.message).join('\n'));
    const b = await host.request({ method: 'GET', path: '/zzz' });
    assert.ok(b.logs.some((l) => l.message === 'route-metrics: GET /zzz → no route matched; istio_operationId="other" (default)'));
  });
});

describe('reconfiguration while streams are open', () => {
  // Envoy gives every plugin configuration a new root context, and open streams keep the old one.
  // A host that calls on_configure again on the same root (older Envoy, other proxies) must not
  // pair an operation of the old configuration with the new one's names and metrics.
  test('a stream is recorded under the configuration it was classified with, also when the same root is reconfigured', async () => {
    // Config A names /a "a-route" (operation 0); B names operation 0 "b-route", for another path.
    const host = await startFilter({ routes: [{ name: 'a-route', path: '/a' }] });
    const s = host.newStream();
    s.requestHeaders([[':method', 'GET'], [':path', '/a'], [':authority', 'svc'], [':scheme', 'http']], true);
    assert.equal(s.filterState[OP], 'a-route');
    assert.equal(host.reconfigure({ routes: [{ name: 'b-route', path: '/b' }] }, { mode: 'same-root' }), true);
    s.responseHeaders([[':status', '200']], true);
    s.complete({ durationMs: 3 });
    const text = host.prometheus();
    assert.match(text, /route_requests_total\{[^}]*route_name="a-route"[^}]*\} 1\b/);
    assert.doesNotMatch(text, /route_name="b-route"[^}]*\} [1-9]/);
    // A stream opened after the update is classified and recorded under B.
    assert.equal(host.request({ method: 'GET', path: '/b' }).filterState[OP], 'b-route');
    assert.match(host.prometheus(), /route_requests_total\{[^}]*route_name="b-route"[^}]*\} 1\b/);
    host.stop();
  });
});
