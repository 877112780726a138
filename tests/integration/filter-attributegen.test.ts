// attributegen-form configurations behave as Istio's attributegen did (see
// ../shared/reference/attributegen.md), run as the release .wasm in the simulated Envoy.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter, PODINFO_ATTRIBUTEGEN } from '../support/filter.ts';

const OP = 'wasm.istio_operationId';
const CLASS = 'wasm.istio_responseClass';

describe('attributegen form: podinfo per-route example', async () => {
  const host = await startFilter(PODINFO_ATTRIBUTEGEN);

  test('is accepted', () => {
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.gauge('route_config_errors'), 0n);
    assert.ok(host.logs.some((l) => l.message.startsWith('route-metrics: configured: attributegen form')));
  });

  const cases: Array<[string, string, string | undefined]> = [
    ['GET', '/healthz', 'GET /healthz'],
    ['POST', '/echo', 'POST /echo'],
    ['GET', '/healthz?probe=1', 'GET /healthz'],
    ['POST', '/healthz', undefined],
    ['GET', '/echo', undefined],
  ];
  for (const [method, path, expected] of cases) {
    test(`${method} ${path} → ${expected ?? '(unset)'}`, async () => {
      const r = await host.request({ method, path, status: 200 });
      assert.equal(r.trapped, false);
      assert.equal(r.filterState[OP], expected);
    });
  }

  test('request-only AFTER_RESPONSE conditions are written at request headers', async () => {
    const s = host.newStream();
    s.requestHeaders([[':method', 'GET'], [':path', '/healthz'], [':authority', 'podinfo'], [':scheme', 'http']], true);
    assert.equal(s.filterState[OP], 'GET /healthz');
    s.responseHeaders([[':status', '200']], true);
    assert.equal(s.complete().filterState[OP], 'GET /healthz');
  });

  test('the YAML of the blog post (unquoted conditions, camelCase names) is the same config', async () => {
    const h = await startFilter({ attributes: [{ outputAttribute: 'istio_operationId', match: [
      { value: 'GET /healthz', condition: "request.method == 'GET' && request.url_path == '/healthz'" }] }] });
    assert.equal((await h.request({ path: '/healthz' })).filterState[OP], 'GET /healthz');
  });
});

describe('attributegen form: istio.io examples', () => {
  test('bookinfo reviews operations', async () => {
    const host = await startFilter({
      attributes: [{
        output_attribute: 'istio_operationId',
        match: [
          { value: 'ListReviews', condition: "request.url_path == '/reviews' && request.method == 'GET'" },
          { value: 'GetReview', condition: "request.url_path.matches('^/reviews/[[:alnum:]]*$') && request.method == 'GET'" },
          { value: 'CreateReview', condition: "request.url_path == '/reviews/' && request.method == 'POST'" },
          { value: 'UpdateReview', condition: "request.url_path.matches('^/reviews/[[:alnum:]]+$') && request.method in ['PUT', 'PATCH']" },
          { value: 'DeleteReview', condition: "request.url_path.startsWith('/reviews/') && request.method == 'DELETE'" },
        ],
      }],
    });
    assert.equal(host.configured, true, host.startError);
    const expect: Array<[string, string, string | undefined]> = [
      ['GET', '/reviews', 'ListReviews'],
      ['GET', '/reviews/0', 'GetReview'],
      ['GET', '/reviews/', 'GetReview'],
      ['GET', '/reviews/a-b', undefined],
      ['POST', '/reviews/', 'CreateReview'],
      ['PUT', '/reviews/7', 'UpdateReview'],
      ['PATCH', '/reviews/7', 'UpdateReview'],
      ['DELETE', '/reviews/7', 'DeleteReview'],
      ['GET', '/ratings/1', undefined],
    ];
    for (const [method, path, value] of expect) {
      assert.equal((await host.request({ method, path })).filterState[OP], value, `${method} ${path}`);
    }
  });

  test('istio_responseClass: specific codes before ranges, evaluated after the response', async () => {
    const host = await startFilter({
      attributes: [{
        output_attribute: 'istio_responseClass',
        match: [
          { value: '2xx', condition: 'response.code >= 200 && response.code <= 299' },
          { value: '3xx', condition: 'response.code >= 300 && response.code <= 399' },
          { value: '404', condition: 'response.code == 404' },
          { value: '429', condition: 'response.code == 429' },
          { value: '503', condition: 'response.code == 503' },
          { value: '5xx', condition: 'response.code >= 500 && response.code <= 599' },
          { value: '4xx', condition: 'response.code >= 400 && response.code <= 499' },
        ],
      }],
    });
    const expect: Array<[number, string]> = [[200, '2xx'], [204, '2xx'], [301, '3xx'], [404, '404'], [429, '429'],
      [503, '503'], [500, '5xx'], [504, '5xx'], [400, '4xx'], [418, '4xx']];
    for (const [status, value] of expect) {
      assert.equal((await host.request({ path: '/productpage', status })).filterState[CLASS], value, `status ${status}`);
    }
    // Not evaluated before the response exists.
    const s = host.newStream();
    s.requestHeaders([[':method', 'GET'], [':path', '/'], [':authority', 'a'], [':scheme', 'http']], true);
    assert.equal(s.filterState[CLASS], undefined);
    s.responseHeaders([[':status', '503']], true);
    assert.equal(s.complete().filterState[CLASS], '503');
  });

  test('several attributes in one config (Istio integration test shape)', async () => {
    const host = await startFilter({
      attributes: [
        { output_attribute: 'istio_responseClass', match: [{ value: '2xx', condition: 'response.code >= 200 && response.code <= 299' }] },
        { output_attribute: 'istio_operationId', match: [{ value: 'getoperation', condition: "request.method == 'GET'" }] },
        { output_attribute: 'istio_grpcResponseStatus', match: [{ value: 'OK', condition: 'response.grpc_status == 0' }] },
      ],
    });
    const ok = await host.request({ method: 'GET', path: '/x', status: 200, responseHeaders: { 'content-type': 'application/grpc', 'grpc-status': '0' } });
    assert.equal(ok.filterState[CLASS], '2xx');
    assert.equal(ok.filterState[OP], 'getoperation');
    assert.equal(ok.filterState['wasm.istio_grpcResponseStatus'], 'OK');
    const post = await host.request({ method: 'POST', path: '/x', status: 500 });
    assert.equal(post.filterState[CLASS], undefined);
    assert.equal(post.filterState[OP], undefined);
  });
});

describe('attributegen form: semantics', () => {
  test('first matching condition wins; an empty condition is the default', async () => {
    const host = await startFilter({ attributes: [{ output_attribute: 'istio_operationId', match: [
      { value: 'health', condition: "request.url_path == '/healthz'" },
      { value: 'health-too', condition: "request.url_path.startsWith('/health')" },
      { value: 'other', condition: '' },
    ] }] });
    assert.equal((await host.request({ path: '/healthz' })).filterState[OP], 'health');
    assert.equal((await host.request({ path: '/health/live' })).filterState[OP], 'health-too');
    assert.equal((await host.request({ path: '/x' })).filterState[OP], 'other');
  });

  test('a runtime error stops that attribute (even its default), counts an error and traps nothing', async () => {
    const host = await startFilter({ attributes: [
      { output_attribute: 'user_kind', match: [
        { value: 'new', condition: "request.headers['user'] == 'new'" },
        { value: 'anonymous', condition: '' },
      ] },
      { output_attribute: 'istio_operationId', match: [{ value: 'any', condition: '' }] },
    ] });
    const withHeader = await host.request({ path: '/', headers: { user: 'new' } });
    assert.equal(withHeader.filterState['wasm.user_kind'], 'new');
    const without = await host.request({ path: '/' });
    assert.equal(without.trapped, false);
    assert.equal(without.filterState['wasm.user_kind'], undefined, 'missing header is an error: default not tried');
    assert.equal(without.filterState[OP], 'any', 'other attributes are unaffected');
    assert.equal(host.counter('route_condition_errors_total'), 1n);
  });

  test('guards with `in` and has() avoid the error', async () => {
    const host = await startFilter({ attributes: [{ output_attribute: 'user_kind', match: [
      { value: 'new', condition: "'user' in request.headers && request.headers['user'] == 'new'" },
      { value: 'coded', condition: 'has(response.code) && response.code == 200' },
      { value: 'anonymous', condition: '' },
    ] }] });
    assert.equal((await host.request({ path: '/', headers: { user: 'new' } })).filterState['wasm.user_kind'], 'new');
    assert.equal((await host.request({ path: '/', status: 200 })).filterState['wasm.user_kind'], 'coded');
    assert.equal((await host.request({ path: '/', status: 201 })).filterState['wasm.user_kind'], 'anonymous');
  });

  test('ON_REQUEST attributes are set at request headers; response attributes there are errors', async () => {
    const host = await startFilter({ attributes: [
      { output_attribute: 'early', phase: 'ON_REQUEST', match: [{ value: 'yes', condition: "request.method == 'GET'" }] },
      { output_attribute: 'early_response', phase: 'ON_REQUEST', match: [{ value: 'never', condition: 'response.code == 200' }, { value: 'default', condition: '' }] },
    ] });
    const s = host.newStream();
    s.requestHeaders([[':method', 'GET'], [':path', '/'], [':authority', 'a'], [':scheme', 'http']], true);
    assert.equal(s.filterState['wasm.early'], 'yes');
    s.responseHeaders([[':status', '200']], true);
    const r = s.complete();
    assert.equal(r.filterState['wasm.early'], 'yes');
    assert.equal(r.filterState['wasm.early_response'], undefined);
  });

  test('the last matching generator of an attribute wins; a later non-match does not clear it', async () => {
    const host = await startFilter({ attributes: [
      { output_attribute: 'istio_operationId', match: [{ value: 'from-request', condition: "request.method == 'GET'" }] },
      { output_attribute: 'istio_operationId', match: [{ value: 'server-error', condition: 'response.code >= 500' }] },
      { output_attribute: 'istio_operationId', match: [{ value: 'never', condition: "request.method == 'PATCH'" }] },
    ] });
    assert.equal((await host.request({ method: 'GET', path: '/', status: 200 })).filterState[OP], 'from-request');
    assert.equal((await host.request({ method: 'GET', path: '/', status: 502 })).filterState[OP], 'server-error');
    assert.equal((await host.request({ method: 'POST', path: '/', status: 200 })).filterState[OP], undefined);
  });

  test('an attribute written by an earlier generator can be read by a later one (bare name, as bytes)', async () => {
    const host = await startFilter({ attributes: [
      { output_attribute: 'istio_operationId', phase: 'ON_REQUEST', match: [{ value: 'GetUser', condition: "request.url_path.startsWith('/users/')" }] },
      { output_attribute: 'op_kind', match: [{ value: 'read', condition: "string(istio_operationId).startsWith('Get')" }] },
    ] });
    assert.equal((await host.request({ path: '/users/1' })).filterState['wasm.op_kind'], 'read');
    assert.equal((await host.request({ path: '/other' })).filterState['wasm.op_kind'], undefined);
  });

  test('debug logs each decision', async () => {
    const host = await startFilter({ debug: true, ...PODINFO_ATTRIBUTEGEN });
    const a = await host.request({ path: '/healthz' });
    assert.ok(a.logs.some((l) => l.message === 'route-metrics: istio_operationId="GET /healthz" (attributes[0].match[0])'),
      a.logs.map((l) => l.message).join('\n'));
    const b = await host.request({ path: '/nope' });
    assert.ok(b.logs.some((l) => l.message === 'route-metrics: attributes[0]: no condition matched; istio_operationId not set'),
      b.logs.map((l) => l.message).join('\n'));
  });
});

describe('attributegen form: configuration problems', () => {
  const BAD_CONDITIONS = { attributes: [{ output_attribute: 'istio_operationId', match: [
    { value: 'a', condition: "request.method == 'GET'" },
    { value: 'b', condition: "request.method == 'GET' &&" },
    { value: 'c', condition: "request.methd == 'GET'" },
    { value: 'd', condition: "request.url_path.matches('^/(a')" },
  ] }] };

  test('a bad condition is an error naming attribute, match and column; only the matches at fault are dropped', async () => {
    const host = await startFilter(BAD_CONDITIONS);
    assert.equal(host.configured, true, host.startError);
    const errors = host.logsAtLeast('error').map((l) => l.message);
    for (const m of [1, 2, 3]) {
      assert.ok(errors.some((l) => l.startsWith(`route-metrics: config error: attributes[0].match[${m}].condition: `) && /at column \d+$/.test(l)),
        `match[${m}]:\n${errors.join('\n')}`);
    }
    assert.ok(errors.some((l) => l.includes('match[2].condition') && l.includes('request.method')), 'suggests the attribute');
    assert.ok(errors.includes('route-metrics: configuration accepted with 3 errors; dropped: attributes[0].match[1], ' +
      'attributes[0].match[2], attributes[0].match[3]; the rest is in force'), errors.join('\n'));
    assert.equal((await host.request({ method: 'GET', path: '/a' })).filterState[OP], 'a');
    assert.equal((await host.request({ method: 'POST', path: '/a' })).filterState[OP], undefined);
  });

  test('"strict": true rejects it', async () => {
    const host = await startFilter({ strict: true, ...BAD_CONDITIONS });
    assert.equal(host.configured, false);
    assert.ok(host.logsAtLeast('error').some((l) => l.message === 'route-metrics: configuration rejected (3 errors)'));
  });

  test('unknown fields are ignored with a warning, as attributegen ignored them', async () => {
    const host = await startFilter({ attributes: [{ output_attribute: 'istio_operationId', typo: 1,
      match: [{ value: 'x', condition: '', comment: 'default' }] }] });
    assert.equal(host.configured, true, host.startError);
    const warnings = host.logsAtLeast('warn').map((l) => l.message);
    assert.ok(warnings.includes('route-metrics: config warning: attributes[0].typo: unknown field; ignored'), warnings.join('\n'));
    assert.ok(warnings.includes('route-metrics: config warning: attributes[0].match[0].comment: unknown field; ignored'), warnings.join('\n'));
  });

  test('invalid JSON is an error (attributegen silently did nothing), and an empty table', async () => {
    const host = await startFilter('attributes:\n- output_attribute: x');
    assert.equal(host.configured, true, host.startError);
    assert.ok(host.logsAtLeast('error').some((l) => l.message.includes('invalid JSON at line 1 column 1')));
    assert.deepEqual((await host.request({ path: '/x' })).filterState, {});
  });
});
