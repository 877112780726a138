// Memory and CPU bounded by bytes, whatever the request: long paths and large headers (Envoy
// accepts 60 KiB of request headers by default, up to 8 MiB with max_request_headers_kb) must not
// grow a VM beyond a fixed allowance above its configured size, and a long path must cost one pass.
// Memory is measured in 64 KiB pages, CPU as module steps (function entries + loop iterations,
// tests/support/step-counter.ts) and bytes the host copied in — never with a clock.
// Size: MEMORY_SOAK_ROUNDS scales the repeated phases (default 1).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedEnvoy, type StartOptions } from '../../host/index.ts';
import { RELEASE_WASM } from '../support/filter.ts';
import { instrumentSteps, stepsOf } from '../support/step-counter.ts';

const ROUNDS = Number(process.env.MEMORY_SOAK_ROUNDS ?? 1);
const KiB = 1024;
const MiB = 1024 * KiB;
const PAGE = 64 * KiB;
/** The allowance: steady linear memory at most 8 MiB above the configured baseline. */
const ALLOWANCE_PAGES = (8 * MiB) / PAGE;
const OP = 'wasm.istio_operationId';

const NATIVE = {
  routes: [
    { name: 'items', path: '/api/items' },
    { name: 'item', method: 'GET', path: '/api/items/{id}' },
    { name: 'files', path: '/files/**' },
    { name: 'static', path_prefix: '/static/' },
    { name: 'legacy', path_regex: '^/v[0-9]+/legacy/' },
    { name: 'tenant', path_prefix: '/t/', headers: [{ name: 'x-tenant', value: 'a' }] },
    { name: 'analytic', path: '/q', query_params: [{ name: 'a', value: '1' }] },
  ],
};
const ATTRIBUTEGEN = {
  attributes: [{
    output_attribute: 'istio_operationId',
    match: [
      { value: 'items', condition: "request.method == 'GET' && request.url_path == '/api/items'" },
      { value: 'static', condition: "request.url_path.startsWith('/static/')" },
    ],
  }],
};
const FORMS: [string, object][] = [['native', NATIVE], ['attributegen', ATTRIBUTEGEN]];

const filter = await SimulatedEnvoy.compile(RELEASE_WASM);

async function start(pluginConfig: object): Promise<SimulatedEnvoy> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: pluginConfig as StartOptions['pluginConfig'] });
  assert.equal(host.configured, true, host.startError);
  return host;
}

/** A path of exactly `bytes` bytes under `prefix`, with no further '/' (one long segment). */
function longPath(prefix: string, bytes: number): string {
  return prefix + 'x'.repeat(bytes - prefix.length);
}

function send(host: SimulatedEnvoy, req: Parameters<SimulatedEnvoy['request']>[0], n: number): void {
  for (let i = 0; i < n; i++) {
    const r = host.request(req);
    if (r.trapped) assert.fail(`trap: ${r.trap}`);
  }
}

for (const [form, config] of FORMS) {
  describe(`memory under long paths (${form})`, () => {
    test('1,200 streams with 64 KiB paths: at most 1 MiB above the configured baseline, flat once warm', async () => {
      const host = await start(config);
      const baseline = host.memoryPages();
      send(host, { method: 'GET', path: longPath('/api/', 64 * KiB) }, 10);
      const warm = host.memoryPages();
      send(host, { method: 'GET', path: longPath('/static/', 64 * KiB) }, 1200 * ROUNDS);
      assert.ok(host.memoryPages() <= baseline + 16, `${baseline} → ${host.memoryPages()} pages`);
      assert.equal(host.memoryPages(), warm, 'memory grew after warm-up');
      host.stop();
    });

    test('300 streams with 1 MiB paths: within the 8 MiB allowance, flat once warm', async () => {
      const host = await start(config);
      const baseline = host.memoryPages();
      const path = longPath('/api/', MiB);
      send(host, { method: 'GET', path }, 10);
      const warm = host.memoryPages();
      send(host, { method: 'GET', path }, 290 * ROUNDS);
      assert.ok(host.memoryPages() <= baseline + ALLOWANCE_PAGES, `${baseline} → ${host.memoryPages()} pages`);
      assert.equal(host.memoryPages(), warm, 'memory grew after warm-up');
      host.stop();
    });

    test('small and huge requests interleaved: within the allowance, flat once warm, classified alike', async () => {
      const host = await start(config);
      const baseline = host.memoryPages();
      const huge = longPath('/static/', MiB);
      const round = () => {
        for (let i = 0; i < 40; i++) {
          const small = host.request({ method: 'GET', path: i % 2 ? '/api/items' : `/static/${i}.css` });
          assert.equal(small.filterState[OP], i % 2 ? 'items' : 'static');
        }
        assert.equal(host.request({ method: 'GET', path: huge }).filterState[OP], 'static');
        send(host, { method: 'GET', path: longPath('/api/', 64 * KiB) }, 3);
      };
      for (let i = 0; i < 5; i++) round();
      const warm = host.memoryPages();
      for (let i = 0; i < 20 * ROUNDS; i++) round();
      assert.ok(host.memoryPages() <= baseline + ALLOWANCE_PAGES, `${baseline} → ${host.memoryPages()} pages`);
      assert.equal(host.memoryPages(), warm, 'memory grew after warm-up');
      host.stop();
    });
  });
}

describe('memory at Envoy limits (native)', () => {
  test("a path close to max_request_headers_kb's 8 MiB ceiling: the path buffer and little else", async () => {
    const host = await start(NATIVE);
    const baseline = host.memoryPages();
    const path = longPath('/static/', 8 * MiB - 4 * KiB); // the other headers take the rest of the 8 MiB
    for (let i = 0; i < 4 * ROUNDS; i++) assert.equal(host.request({ method: 'GET', path }).filterState[OP], 'static');
    const pathPages = Math.ceil(path.length / PAGE);
    assert.ok(host.memoryPages() <= baseline + pathPages + 4, `${baseline} → ${host.memoryPages()} pages for a ${pathPages}-page path`);
    host.stop();
  });

  test('60 KiB header values read by a header condition: at most 1 MiB above the baseline, flat after the first', async () => {
    const host = await start(NATIVE);
    const baseline = host.memoryPages();
    const big = 'a'.repeat(60 * KiB);
    const req = { method: 'GET', path: '/t/x', headers: { 'x-tenant': big } };
    send(host, req, 1);
    const afterFirst = host.memoryPages();
    send(host, req, 1200 * ROUNDS);
    assert.equal(host.request({ method: 'GET', path: '/t/x', headers: { 'x-tenant': 'a' } }).filterState[OP], 'tenant');
    assert.ok(host.memoryPages() <= baseline + 16, `${baseline} → ${host.memoryPages()} pages`);
    assert.equal(host.memoryPages(), afterFirst, 'memory grew after the first large header');
    host.stop();
  });

  test('many small requests after a huge one reuse its memory', async () => {
    const host = await start(NATIVE);
    send(host, { method: 'GET', path: longPath('/static/', MiB) }, 1);
    const afterHuge = host.memoryPages();
    for (let i = 0; i < 20000 * ROUNDS; i++) {
      const r = host.request({ method: 'GET', path: `/api/items/${i}?page=${i % 7}` });
      assert.equal(r.filterState[OP], 'item');
    }
    assert.equal(host.memoryPages(), afterHuge);
    host.stop();
  });
});

describe('memory at Envoy limits (attributegen): a finished request leaves nothing reachable', () => {
  // Conditions evaluated at request headers, and at on_log (they read response.code). Each phase
  // drops what it fetched (cel/activation.ts, endRound), so only the current request's path is
  // live: with the previous request's path still referenced, every long path was held twice,
  // and the heap grew to four times the path (an 8 MiB path: 536 pages, a 1 MiB one: 80).
  const conditions = (items: string) => ({
    attributes: [{
      output_attribute: 'istio_operationId',
      match: [
        { value: 'items', condition: `${items} && request.url_path == '/api/items'` },
        { value: 'static', condition: "request.url_path.startsWith('/static/') && request.headers['x-tenant'] != 'b'" },
      ],
    }],
  });
  const phases: [string, object][] = [
    ['request headers', conditions("request.method == 'GET'")], ['on_log', conditions('response.code == 200')],
  ];
  for (const [phase, config] of phases) {
    test(`conditions at ${phase}, a path close to the 8 MiB ceiling: the path once and a few pages, request after request`, async () => {
      const host = await start(config);
      const baseline = host.memoryPages();
      const path = longPath('/static/', 8 * MiB - 4 * KiB);
      const pathPages = Math.ceil(path.length / PAGE);
      const pages: number[] = [];
      for (let i = 0; i < 4 * ROUNDS; i++) {
        assert.equal(host.request({ method: 'GET', path, headers: { 'x-tenant': 'a' } }).filterState[OP], 'static');
        pages.push(host.memoryPages());
      }
      assert.ok(host.memoryPages() <= baseline + pathPages + 4, `${baseline} → ${pages.join(', ')} pages for a ${pathPages}-page path`);
      assert.deepEqual(pages, pages.map(() => pages[0]), 'memory grew after the first request');
      host.stop();
    });

    test(`conditions at ${phase}, 1 MiB paths with 60 KiB headers: one path live, flat from the first request`, async () => {
      const host = await start(config);
      const baseline = host.memoryPages();
      const req = { method: 'GET', path: longPath('/static/', MiB), headers: { 'x-tenant': 'a'.repeat(60 * KiB) } };
      send(host, req, 1);
      const first = host.memoryPages();
      send(host, req, 100 * ROUNDS);
      assert.equal(host.request({ method: 'GET', path: '/static/x', headers: { 'x-tenant': 'b' } }).filterState[OP], undefined);
      assert.ok(host.memoryPages() <= baseline + MiB / PAGE + 4, `${baseline} → ${host.memoryPages()} pages`);
      assert.equal(host.memoryPages(), first, 'memory grew after the first request');
      host.stop();
    });
  }
});

describe('CPU for long paths: one pass, one copy', async () => {
  const counted = await SimulatedEnvoy.compile(instrumentSteps(RELEASE_WASM));
  const cases: [string, object, string][] = [
    ['exact and template routes, unmatched long segment', { routes: [{ name: 'a', path: '/api/items' }, { name: 'b', path: '/api/users/{id}' }] }, '/api/'],
    ['template parameter, matched', { routes: [{ name: 'b', path: '/api/{id}' }] }, '/api/'],
    ['catch-all template', { routes: [{ name: 'f', path: '/api/**' }] }, '/api/'],
    ['prefix routes', { routes: [{ name: 'p', path_prefix: '/api/' }, { name: 'q', path_prefix: '/other/' }] }, '/api/'],
    ['query condition after a long path', NATIVE, '/q?a=1&b='],
  ];
  /** Steps, host calls and bytes copied in for one request (after one warm-up with the same shape). */
  function measure(host: SimulatedEnvoy, path: string) {
    host.request({ method: 'GET', path });
    const steps = stepsOf(host);
    const copied = host.bytesCopiedIn;
    const r = host.request({ method: 'GET', path });
    assert.equal(r.trapped, false);
    return { steps: stepsOf(host) - steps, copied: host.bytesCopiedIn - copied, hostCalls: r.hostCalls, op: r.filterState[OP] };
  }

  for (const [name, config, prefix] of cases) {
    test(`${name}: 64 KiB costs the 1 KiB steps plus at most one step per 4 extra bytes, and one copy`, async () => {
      const host = await SimulatedEnvoy.start({ wasm: counted, pluginConfig: config as StartOptions['pluginConfig'] });
      assert.equal(host.configured, true, host.startError);
      const small = measure(host, longPath(prefix, KiB));
      const large = measure(host, longPath(prefix, 64 * KiB));
      assert.equal(large.op, small.op, 'classified differently');
      assert.deepEqual(large.hostCalls, small.hostCalls);
      // The host copies the path in once; everything else it copies does not depend on the path.
      assert.equal(large.copied - 64 * KiB, small.copied - KiB);
      const extra = large.steps - small.steps;
      assert.ok(extra <= (63 * KiB) / 4, `${small.steps} → ${large.steps} steps`);
      host.stop();
    });
  }

  test('many slashes: only the segments the route trie can use are looked at', async () => {
    const host = await SimulatedEnvoy.start({ wasm: counted, pluginConfig: { routes: [{ name: 'b', path: '/api/users/{id}' }] } });
    const small = measure(host, '/api/' + 'a/'.repeat(KiB / 2));
    const large = measure(host, '/api/' + 'a/'.repeat(32 * KiB));
    assert.ok(large.steps - small.steps <= (63 * KiB) / 4, `${small.steps} → ${large.steps} steps`);
    host.stop();
  });
});
