// Conditions cannot make a request expensive (issue 11 §2, §3), through the real .wasm:
//   - CEL intermediates are capped by the per-round budget: a concatenation on a 1 MiB path is an
//     evaluation error (counted), and linear memory stays within a page bound;
//   - matches() patterns are constants: a pattern computed from the request is a configuration
//     error naming its JSON path;
//   - header and query-parameter conditions configure in linear time and cost one pass over the
//     query per request, however many conditions there are.
// Work is compared with a loop-iteration counter (tests/support/op-counter.ts), memory in pages —
// never wall-clock time.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedEnvoy } from '../../host/index.ts';
import type { CompiledFilter } from '../../host/types.ts';
import { RELEASE_WASM } from '../support/filter.ts';
import { countingModule, opsDuring } from '../support/op-counter.ts';

const MIB = 1 << 20;
const PAGE = 1 << 16;
/** The CEL budget (assembly/cel/budget.ts EVAL_BUDGET_BYTES), in pages. */
const BUDGET_PAGES = MIB / PAGE;
const OP = 'wasm.istio_operationId';

function attributegen(match: { value: string; condition: string }[]) {
  return { attributes: [{ output_attribute: 'istio_operationId', match }] };
}

let plain: CompiledFilter;
let counting: CompiledFilter;
before(async () => {
  plain = await SimulatedEnvoy.compile(RELEASE_WASM);
  counting = await SimulatedEnvoy.compile(await countingModule());
});

describe('CEL intermediates: the per-round budget', () => {
  /** Pages after `requests` requests with a path of `pathBytes` under `condition`. */
  async function pagesWith(condition: string, pathBytes: number, requests = 3) {
    const host = await SimulatedEnvoy.start({ wasm: plain, pluginConfig: attributegen([{ value: 'hit', condition }]) });
    assert.equal(host.configured, true, host.startError);
    const path = '/' + 'a'.repeat(pathBytes - 1);
    const results = [];
    for (let i = 0; i < requests; i++) results.push(host.request({ method: 'GET', path }));
    return { host, results, pages: host.memoryPages() };
  }

  test('sixteen copies of a 1 MiB path: an error, counted, and no memory beyond the path', async () => {
    const sum = Array(16).fill('request.url_path').join(' + ');
    const base = await pagesWith('request.url_path.size() > 0', MIB);
    for (const condition of [`(${sum}).size() > 0`, `request.url_path.contains(${sum})`]) {
      const { host, results, pages } = await pagesWith(condition, MIB);
      for (const r of results) {
        assert.equal(r.trapped, false);
        assert.equal(r.filterState[OP], undefined, 'an evaluation error writes nothing');
      }
      assert.equal(host.counter('route_condition_errors_total'), BigInt(results.length));
      // Before the budget: 2 → 2848 pages (178 MiB) after one request.
      assert.ok(pages <= base.pages + BUDGET_PAGES, `${condition}: ${pages} pages, ${base.pages} without concatenation`);
      host.stop();
    }
    base.host.stop();
  });

  test('concatenations within the budget work, and add at most the arena to memory, however many requests', async () => {
    const requests = 60;
    /** Pages after the first, the second and the last request. */
    const run = async (condition: string) => {
      const host = await SimulatedEnvoy.start({ wasm: plain, pluginConfig: attributegen([{ value: 'hit', condition }]) });
      assert.equal(host.configured, true, host.startError);
      const path = '/' + 'a'.repeat(256 * 1024 - 1);
      const pages: number[] = [];
      for (let i = 0; i < requests; i++) {
        assert.equal(host.request({ method: 'GET', path }).filterState[OP], 'hit');
        pages.push(host.memoryPages());
      }
      assert.equal(host.counter('route_condition_errors_total') ?? 0n, 0n);
      host.stop();
      return { first: pages[0]!, second: pages[1]!, last: pages[requests - 1]! };
    };
    const concat = await run('(request.url_path + request.url_path + request.url_path).size() == 786432');
    const base = await run('request.url_path.size() == 262144');
    // What one request needs: at most about twice the budget more than without concatenation (the
    // arena, kept for the VM). Later requests reuse it. The allocator grows memory by at least the
    // current size, so a second request may double the page count once; after that it never grows.
    assert.ok(concat.first <= base.first + 2 * BUDGET_PAGES + 2, `${concat.first} pages after one request, ${base.first} without concatenation`);
    assert.equal(concat.last, concat.second, `grew from ${concat.second} to ${concat.last} pages over ${requests} requests`);
    assert.equal(base.last, base.second);
  });

  test('the budget is per request phase: one over-budget condition does not fail the next request', async () => {
    const host = await SimulatedEnvoy.start({
      wasm: plain,
      pluginConfig: attributegen([{ value: 'hit', condition: "(request.url_path + request.headers['x-pad']).size() > 0" }]),
    });
    const path = '/' + 'a'.repeat(600 * 1024);
    assert.equal(host.request({ method: 'GET', path, headers: { 'x-pad': 'b'.repeat(600 * 1024) } }).filterState[OP], undefined);
    assert.equal(host.request({ method: 'GET', path, headers: { 'x-pad': 'b' } }).filterState[OP], 'hit');
    assert.equal(host.counter('route_condition_errors_total'), 1n);
    host.stop();
  });
});

describe('CEL matches(): constant patterns only', () => {
  test('a pattern computed from the request is a configuration error naming its JSON path', async () => {
    const host = await SimulatedEnvoy.start({
      wasm: plain,
      pluginConfig: attributegen([
        { value: 'ok', condition: "request.url_path.matches('^/a{3}$')" },
        { value: 'client-chosen', condition: "request.url_path.matches(string(request.headers['x-re']))" },
      ]),
    });
    const errors = host.logsAtLeast('error').map((l) => l.message);
    assert.ok(
      errors.some((m) => m.includes('attributes[0].match[1].condition: matches() needs a constant pattern') && m.endsWith('at column 26')),
      errors.join('\n'),
    );
    // Whatever the acceptance policy keeps, the computed pattern never runs.
    if (host.configured) {
      const r = host.request({ method: 'GET', path: '/' + 'a'.repeat(65535), headers: { 'x-re': 'a{1000}$' } });
      assert.notEqual(r.filterState[OP], 'client-chosen');
    }
    host.stop();
  });

  test('constant patterns keep working', async () => {
    const host = await SimulatedEnvoy.start({
      wasm: plain,
      pluginConfig: attributegen([{ value: 'v', condition: "request.headers['x-v'].matches('^v[0-9]+$')" }]),
    });
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.request({ path: '/', headers: { 'x-v': 'v12' } }).filterState[OP], 'v');
    assert.equal(host.request({ path: '/', headers: { 'x-v': 'x12' } }).filterState[OP], undefined);
    host.stop();
  });
});

describe('header and query-parameter conditions: linear', () => {
  const pad = (i: number) => String(i).padStart(6, '0'); // equal lengths: no comparison ends early

  /** Operations to configure `config` (on the running root, as Envoy's same-root reconfigure). */
  async function configureOps(config: object): Promise<bigint> {
    const host = await SimulatedEnvoy.start({ wasm: counting, pluginConfig: { routes: [{ name: 'x', path: '/x' }] } });
    let ok = false;
    const ops = opsDuring(host, () => { ok = host.reconfigure(config, { mode: 'same-root' }); });
    assert.equal(ok, true, host.logsAtLeast('error').map((l) => l.message).join('\n'));
    host.stop();
    return ops;
  }

  const shapes: [string, (n: number) => object][] = [
    ['one route with n query conditions', (n) => ({ routes: [{ name: 'q', path: '/q', query_params: Array.from({ length: n }, (_, i) => ({ name: `p${pad(i)}`, value: 'v' })) }] })],
    ['one route with n header conditions', (n) => ({ routes: [{ name: 'h', path: '/h', headers: Array.from({ length: n }, (_, i) => ({ name: `x-h${pad(i)}`, value: 'v' })) }] })],
    ['n routes with a header condition each', (n) => ({ routes: Array.from({ length: n }, (_, i) => ({ name: `r${i}`, path: `/r${i}`, headers: [{ name: `x-h${pad(i)}`, value: 'v' }] })) })],
    ['n routes with a query condition each', (n) => ({ routes: Array.from({ length: n }, (_, i) => ({ name: `r${i}`, path: `/r${i}`, query_params: [{ name: `p${pad(i)}`, value: 'v' }] })) })],
  ];
  for (const [name, config] of shapes) {
    test(`configuring ${name} is linear in n`, async () => {
      const small = await configureOps(config(2000));
      const large = await configureOps(config(8000));
      // 4× the conditions: linear is ~4×; the quadratic duplicate/slot searches were ~16×.
      const ratio = Number(large) / Number(small);
      assert.ok(ratio < 5.5, `${name}: ${small} → ${large} operations (×${ratio.toFixed(2)})`);
    });
  }

  test('configuring a route with many methods is linear (the route past the method limit is dropped, quickly)', async () => {
    const ops = async (n: number) => {
      const host = await SimulatedEnvoy.start({ wasm: counting, pluginConfig: { routes: [{ name: 'x', path: '/x' }] } });
      const config = { routes: [{ name: 'm', path: '/m', method: Array.from({ length: n }, (_, i) => `M${pad(i)}`) }] };
      let ok = true;
      const spent = opsDuring(host, () => { ok = host.reconfigure(config, { mode: 'same-root' }); });
      // Accepted without the route at fault (the accept policy), with the limit named in the log.
      assert.equal(ok, true);
      assert.ok(host.logsAtLeast('error').some((l) => l.message.includes('more than 64 distinct methods')), 'more than 64 distinct methods');
      host.stop();
      return spent;
    };
    const small = await ops(2000);
    const large = await ops(8000);
    assert.ok(Number(large) / Number(small) < 5.5, `${small} → ${large} operations`);
  });

  /** Operations of one request (after a warm-up request) with `query` under `config`. */
  async function requestOps(config: object, path: string, headers: Record<string, string> = {}) {
    const host = await SimulatedEnvoy.start({ wasm: counting, pluginConfig: config });
    assert.equal(host.configured, true, host.startError);
    host.request({ method: 'GET', path, headers });
    let op: string | undefined;
    let calls: Record<string, number> = {};
    const ops = opsDuring(host, () => {
      const r = host.request({ method: 'GET', path, headers });
      op = r.filterState[OP];
      calls = r.hostCalls;
    });
    host.stop();
    return { ops, op, calls };
  }

  const queryRoute = (n: number) => ({
    routes: [{ name: 'q', path: '/q', query_params: Array.from({ length: n }, (_, i) => ({ name: `p${pad(i)}`, value: 'v' })) }],
  });
  /** A query of about `bytes` bytes of unrelated parameters, then p000000=v … for n conditions. */
  const queryPath = (bytes: number, n: number) =>
    '/q?' + 'zz=1&'.repeat(Math.floor(bytes / 5)) + Array.from({ length: n }, (_, i) => `p${pad(i)}=v`).join('&');

  test('a request costs one pass over the query, not one per condition', async () => {
    const ten = await requestOps(queryRoute(10), queryPath(64 * 1024, 10));
    const hundred = await requestOps(queryRoute(100), queryPath(64 * 1024, 100));
    assert.equal(ten.op, 'q');
    assert.equal(hundred.op, 'q');
    // 10× the conditions on a 64 KiB query: before, ~10× the work (each condition rescanned the query)
    const ratio = Number(hundred.ops) / Number(ten.ops);
    assert.ok(ratio < 1.5, `10 → 100 conditions: ${ten.ops} → ${hundred.ops} operations (×${ratio.toFixed(2)})`);
  });

  test('and that pass is linear in the query length', async () => {
    const short = await requestOps(queryRoute(100), queryPath(1024, 100));
    const long = await requestOps(queryRoute(100), queryPath(64 * 1024, 100));
    assert.equal(short.op, 'q');
    assert.equal(long.op, 'q');
    const ratio = Number(long.ops) / Number(short.ops);
    assert.ok(ratio < 70, `1 KiB → 64 KiB query: ${short.ops} → ${long.ops} operations (×${ratio.toFixed(1)})`);
  });

  test('CEL header lookups: linear in the conditions, each header fetched once', async () => {
    const config = (n: number) => attributegen(Array.from({ length: n }, (_, i) => (
      { value: `v${i}`, condition: `request.headers['x-h${pad(i)}'] == 'w' || request.headers['x-h${pad(i)}'] == 'u'` })));
    const headers = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${pad(i)}`, 'v']));
    const small = await requestOps(config(100), '/', headers(100));
    const large = await requestOps(config(1000), '/', headers(1000));
    assert.equal(large.op, undefined, 'no condition matches');
    assert.equal(small.calls.proxy_get_header_map_value, 100);
    assert.equal(large.calls.proxy_get_header_map_value, 1000);
    // 10× the lookups: linear is ~10×; the linear search of the round's cache was ~100×.
    const ratio = Number(large.ops) / Number(small.ops);
    assert.ok(ratio < 14, `100 → 1000 header conditions: ${small.ops} → ${large.ops} operations (×${ratio.toFixed(1)})`);
  });

  test('native header conditions: one fetch per distinct header, whatever the number of routes', async () => {
    const config = { routes: Array.from({ length: 200 }, (_, i) => ({ name: `r${i}`, path: '/h', headers: [{ name: `x-h${i % 5}`, value: `${i}` }] })) };
    const r = await requestOps(config, '/h', { 'x-h0': 'none', 'x-h1': 'none', 'x-h2': 'none', 'x-h3': 'none', 'x-h4': '199' });
    assert.equal(r.op, 'r199');
    assert.equal(r.calls.proxy_get_header_map_value, 5 + 2); // + :method and :path
  });
});
