// The module's own HTTP-stream dispatch (assembly/filter/dispatch.ts): context ids → streams,
// pooled stream objects, and the callbacks it answers without work. Observed through the real
// release .wasm in the simulated Envoy: filter state, metrics, return codes, memory pages.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startFilter } from '../support/filter.ts';
import { scrape, sumBy } from '../fixtures/metrics-queries.ts';

const OP = 'wasm.istio_operationId';
const ROUTES = { routes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b/{id}' }, { name: 'c', methods: ['POST'], path: '/c' }] };
const requestHeaders = (method: string, path: string): [string, string][] => [[':method', method], [':path', path], [':authority', 'svc'], [':scheme', 'http']];

/** A deterministic shuffle (xorshift32), so that a failure replays. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('root dispatch', () => {
  test('root callbacks for an unknown root id, and the callbacks the filter does not use, answer without trapping', async () => {
    const host = await startFilter(ROUTES);
    const call = (name: string, ...args: number[]) => (host.moduleExport(name) as (...a: number[]) => number | undefined)(...args);
    // The SDK trapped in Map#get on these for a root it did not know.
    assert.equal(call('proxy_validate_configuration', 99, 0), 1);
    for (const name of ['proxy_on_tick', 'proxy_on_queue_ready', 'proxy_on_foreign_function', 'proxy_on_http_call_response',
      'proxy_on_grpc_receive_initial_metadata', 'proxy_on_grpc_trailing_metadata', 'proxy_on_grpc_receive', 'proxy_on_grpc_close']) {
      assert.equal(call(name, 99, 1, 2, 3, 4), undefined, name);
    }
    // A root created by on_vm_start alone, finished and deleted; the plugin's own root is untouched.
    assert.equal(call('proxy_on_vm_start', 77, 0), 1);
    assert.equal(call('proxy_on_done', 77), 1);
    call('proxy_on_delete', 77);
    call('proxy_on_delete', 78); // never existed
    assert.equal(host.request({ method: 'GET', path: '/b/1' }).filterState[OP], 'b');
    assert.equal(host.failed, false);
    host.stop();
  });
});

describe('stream dispatch', () => {
  test('3,000 concurrent streams, callbacks interleaved at random: each is classified and recorded as its own', async () => {
    const host = await startFilter(ROUTES);
    const kinds: [string, string, string | undefined][] = [['GET', '/a', 'a'], ['GET', '/b/7', 'b'], ['POST', '/c', 'c'], ['GET', '/c', undefined], ['GET', '/nope', undefined]];
    const streams = Array.from({ length: 3000 }, (_, i) => ({ s: host.newStream(), k: kinds[i % kinds.length]! }));
    // Every stream's request headers, in random order (so the table grows with ids out of order) …
    for (const { s, k } of shuffled(streams, 7)) s.requestHeaders(requestHeaders(k[0], k[1]), true);
    for (const { s, k } of streams) assert.equal(s.filterState[OP], k[2], `${k[0]} ${k[1]}`);
    // … then responses and completions in another order: deletes shift table entries back.
    for (const { s } of shuffled(streams, 11)) s.responseHeaders([[':status', '200']], true);
    for (const { s } of shuffled(streams, 13)) s.complete({ durationMs: 1 });
    const byRoute = sumBy(scrape(host), 'route_requests_total', 'route_name');
    assert.deepEqual(byRoute, { a: 600, b: 600, c: 600, unknown: 1200 });
    assert.equal(host.failed, false);
    host.stop();
  });

  test('a reused stream starts fresh: no operation and no "request seen" of the stream before it', async () => {
    const host = await startFilter({ ...ROUTES, debug: true });
    // Matched, then an unmatched request on the pooled object: its filter state stays unset and it is counted unknown.
    assert.equal(host.request({ method: 'GET', path: '/a' }).filterState[OP], 'a');
    assert.equal(host.request({ method: 'GET', path: '/nope' }).filterState[OP], undefined);
    // A stream the plugin never saw request headers for (e.g. reset by an earlier filter) is
    // classified at on_log: the debug line of that decision shows it ran, on a pooled object
    // whose previous stream did see its headers.
    host.clearLogs();
    const s = host.newStream();
    s.complete({ durationMs: 1 });
    assert.ok(host.logs.some((l) => l.message.startsWith('route-metrics: ') && l.message.includes('→ no route matched')),
      host.logs.map((l) => l.message).join('\n'));
    assert.deepEqual(sumBy(scrape(host), 'route_requests_total', 'route_name'), { a: 1, unknown: 2 });
    host.stop();
  });

  test('a pooled stream reads the configuration in force when it opens, not the one of its previous use', async () => {
    const host = await startFilter({ routes: [{ name: 'old', path: '/x' }] });
    assert.equal(host.request({ method: 'GET', path: '/x' }).filterState[OP], 'old');
    assert.equal(host.reconfigure({ routes: [{ name: 'new', path: '/x' }] }, { mode: 'same-root' }), true);
    assert.equal(host.request({ method: 'GET', path: '/x' }).filterState[OP], 'new');
    const byRoute = sumBy(scrape(host), 'route_requests_total', 'route_name');
    assert.equal(byRoute.new, 1);
    host.stop();
  });

  test('a new root context per configuration (as Envoy does): open streams finish under the old one, new ones use the new root', async () => {
    const host = await startFilter({ routes: [{ name: 'old', path: '/x' }] });
    const firstRoot = host.rootContextId;
    const open = host.newStream();
    open.requestHeaders(requestHeaders('GET', '/x'), true);
    assert.equal(open.filterState[OP], 'old');
    assert.equal(host.reconfigure({ routes: [{ name: 'new', path: '/x' }] }), true);
    assert.notEqual(host.rootContextId, firstRoot);
    for (let i = 0; i < 3; i++) assert.equal(host.request({ method: 'GET', path: '/x' }).filterState[OP], 'new');
    open.responseHeaders([[':status', '200']], true);
    open.complete({ durationMs: 1 });
    assert.deepEqual(sumBy(scrape(host), 'route_requests_total', 'route_name'), { old: 1, new: 3 });
    // And once more: the root cache follows the newest root, not the one deleted.
    assert.equal(host.reconfigure({ routes: [{ name: 'newer', path: '/x' }] }), true);
    assert.equal(host.request({ method: 'GET', path: '/x' }).filterState[OP], 'newer');
    assert.equal(host.failed, false);
    host.stop();
  });

  test('callbacks for context ids the module never saw: Continue, no trap, no host call', async () => {
    const host = await startFilter(ROUTES);
    const call = (name: string, ...args: number[]) => (host.moduleExport(name) as (...a: number[]) => number | undefined)(...args);
    const before = { ...host.hostCallCounts };
    for (const id of [0, 999, 0xffffffff]) {
      assert.equal(call('proxy_on_request_headers', id, 3, 1), 0);
      assert.equal(call('proxy_on_request_body', id, 10, 1), 0);
      assert.equal(call('proxy_on_request_trailers', id, 1), 0);
      assert.equal(call('proxy_on_response_headers', id, 3, 1), 0);
      assert.equal(call('proxy_on_response_body', id, 10, 1), 0);
      assert.equal(call('proxy_on_response_trailers', id, 1), 0);
      assert.equal(call('proxy_on_log', id), undefined);
      assert.equal(call('proxy_on_done', id), 1);
      assert.equal(call('proxy_on_delete', id), undefined);
    }
    assert.deepEqual(host.hostCallCounts, before);
    // The filter keeps working afterwards.
    assert.equal(host.request({ method: 'GET', path: '/a' }).filterState[OP], 'a');
    host.stop();
  });

  test('a second on_context_create for an open stream keeps the first (its classification survives)', async () => {
    const host = await startFilter({ ...ROUTES, debug: true });
    const s = host.newStream();
    s.requestHeaders(requestHeaders('GET', '/a'), true);
    const create = host.moduleExport('proxy_on_context_create') as (id: number, root: number) => void;
    create(s.id, host.rootContextId!);
    s.responseHeaders([[':status', '200']], true);
    s.complete({ durationMs: 1 });
    assert.equal(sumBy(scrape(host), 'route_requests_total', 'route_name').a, 1);
    // One decision, at request headers: a replaced (fresh) stream would have decided again at on_log.
    assert.equal(host.logs.filter((l) => l.message.startsWith('route-metrics: GET /a → ')).length, 1);
    host.stop();
  });

  test('the body, trailers and response-headers callbacks do no work: no host call from them', async () => {
    const host = await startFilter(ROUTES);
    const s = host.newStream();
    s.requestHeaders([[':method', 'POST'], [':path', '/c'], [':authority', 'svc'], [':scheme', 'http'], ['content-length', '5']], false);
    const before = { ...host.hostCallCounts };
    s.requestBody('hello', false);
    s.requestTrailers([['t', '1']]);
    s.responseHeaders([[':status', '200']], false);
    s.responseBody('world', false);
    s.responseTrailers([['u', '2']]);
    assert.deepEqual(host.hostCallCounts, before);
    s.complete({ durationMs: 1 });
    assert.equal(sumBy(scrape(host), 'route_requests_total', 'route_name').c, 1);
    host.stop();
  });
});

describe('stream memory', () => {
  // Linear memory never shrinks: after warm-up, small requests must not grow it, in either form.
  const forms: [string, object, { method: string; path: string }[]][] = [
    ['native', ROUTES, [{ method: 'GET', path: '/a' }, { method: 'GET', path: '/b/1' }, { method: 'GET', path: '/nope' }]],
    ['attributegen', {
      attributes: [{
        output_attribute: 'istio_operationId',
        match: [
          { value: 'get-a', condition: "request.method == 'GET' && request.url_path == '/a'" },
          { value: 'item', condition: "request.url_path.matches('^/items/[0-9]+$')" },
          { value: 'by-header', condition: "request.headers['x-kind'] == 'special'" },
        ],
      }],
    }, [{ method: 'GET', path: '/a' }, { method: 'GET', path: '/items/12' }, { method: 'GET', path: '/zz' }]],
  ];
  for (const [name, config, requests] of forms) {
    test(`${name}: 60,000 small requests after warm-up leave the memory size as it was`, async () => {
      const host = await startFilter(config);
      const compute = host.computeMode();
      const recs = requests.map((r) => compute.record(r));
      for (let i = 0; i < 2000; i++) compute.run(recs[i % recs.length]!);
      const warm = host.memoryPages();
      for (let i = 0; i < 60000; i++) compute.run(recs[i % recs.length]!);
      assert.equal(host.memoryPages(), warm);
      assert.equal(host.failed, false);
      host.stop();
    });
  }

  test('after 5,000 concurrent streams close, the next waves reuse their memory', async () => {
    const host = await startFilter(ROUTES);
    const wave = () => {
      const streams = Array.from({ length: 5000 }, () => host.newStream());
      for (const s of streams) s.requestHeaders(requestHeaders('GET', '/a'), true);
      for (const s of streams) { s.responseHeaders([[':status', '200']], true); s.complete({ durationMs: 1 }); }
    };
    wave();
    const after = host.memoryPages();
    for (let i = 0; i < 3; i++) wave();
    assert.equal(host.memoryPages(), after);
    assert.equal(sumBy(scrape(host), 'route_requests_total', 'route_name').a, 20000);
    host.stop();
  });
});
