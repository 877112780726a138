// attributegen-form configuration: the podinfo per-route example works unchanged.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter, PODINFO_ATTRIBUTEGEN } from '../support/filter.ts';

const OP = 'wasm.istio_operationId';

describe('attributegen form: podinfo per-route example', async () => {
  const host = await startFilter(PODINFO_ATTRIBUTEGEN);

  test('is accepted', () => {
    assert.equal(host.configured, true, host.startError);
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

  test('request-only conditions are written at request headers (visible to earlier-running filters)', async () => {
    const s = host.newStream();
    s.requestHeaders([[':method', 'GET'], [':path', '/healthz'], [':authority', 'podinfo'], [':scheme', 'http']], true);
    assert.equal(s.filterState[OP], 'GET /healthz');
    s.responseHeaders([[':status', '200']], true);
    const r = s.complete();
    assert.equal(r.filterState[OP], 'GET /healthz');
  });
});

describe('attributegen form: regex conditions and errors', () => {
  test('bookinfo reviews operations', async () => {
    const host = await startFilter({
      attributes: [{
        output_attribute: 'istio_operationId',
        match: [
          { value: 'ListReviews', condition: "request.url_path == '/reviews' && request.method == 'GET'" },
          { value: 'GetReview', condition: "request.url_path.matches('^/reviews/[[:alnum:]]*$') && request.method == 'GET'" },
          { value: 'CreateReview', condition: "request.url_path == '/reviews/' && request.method == 'POST'" },
        ],
      }],
    });
    assert.equal(host.configured, true, host.startError);
    assert.equal((await host.request({ path: '/reviews' })).filterState[OP], 'ListReviews');
    assert.equal((await host.request({ path: '/reviews/0' })).filterState[OP], 'GetReview');
    assert.equal((await host.request({ path: '/reviews/a-b' })).filterState[OP], undefined);
    assert.equal((await host.request({ method: 'POST', path: '/reviews/' })).filterState[OP], 'CreateReview');
  });

  test('a bad condition rejects the configuration naming attribute, match and column', async () => {
    const host = await startFilter({
      attributes: [{ output_attribute: 'istio_operationId', match: [
        { value: 'a', condition: "request.method == 'GET'" },
        { value: 'b', condition: "request.method == 'GET' &&" },
      ] }],
    });
    assert.equal(host.configured, false);
    const errors = host.logsAtLeast('error').map((l) => l.message);
    assert.ok(errors.some((l) => l.startsWith('route-metrics: config error: attributes[0].match[1].condition: ') && /column \d+/.test(l)),
      errors.join('\n'));
  });
});
