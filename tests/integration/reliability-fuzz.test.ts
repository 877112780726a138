// Fuzzing through the simulated host: hostile request bytes never trap the filter, and generated
// configurations are accepted, an invalid one with an error naming a JSON path and its valid part
// in force (reliability-config-policy.test.ts checks that part and "strict": true).
// Sizes: FUZZ_REQUESTS (default 20,000; `npm run fuzz` uses 10^6), FUZZ_CONFIGS (default 400; 10^4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimulatedEnvoy } from '../../host/index.ts';
import { RELEASE_WASM, PODINFO_NATIVE, PODINFO_ATTRIBUTEGEN } from '../support/filter.ts';
import { prng } from '../../cli/mesh/traffic.ts';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20000);
const CONFIGS = Number(process.env.FUZZ_CONFIGS ?? 400);

// Deterministic PRNG, so a failure can be replayed with FUZZ_SEED.
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);

function randomText(rand: () => number, maxLen: number, alphabet: string): string {
  const len = Math.floor(rand() ** 3 * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) {
    const r = rand();
    s += r < 0.8 ? alphabet[Math.floor(rand() * alphabet.length)] : String.fromCharCode(Math.floor(rand() * (r < 0.95 ? 256 : 0xd7ff)));
  }
  return s;
}

const PATH_CHARS = '/abcusers{}*?#&=%.-_0123456789';
const STATUSES = [200, 204, 301, 404, 429, 500, 503, 0, 1, 99, 100, 101, 600, 999, 65535];

const RICH_CONFIG = {
  ...PODINFO_NATIVE,
  default: 'other',
  metrics: { request_bytes: true, response_bytes: true },
  routes: [
    ...PODINFO_NATIVE.routes,
    { name: 'tenant', path_prefix: '/t/', headers: [{ name: 'x-tenant', type: 'RegularExpression', value: '^(a|b)+$' }] },
    { name: 'query', path: '/q', query_params: [{ name: 'mode', value: 'fast' }] },
    { name: 'redos', path_regex: '(a+)+$' },
    // Mixed segments: a leading literal, a trailing one, and a middle one that overlaps itself.
    { name: 'diff', path: '/users/{id}.{ext}' },
    { name: 'cancel', path: '/t/{name}:cancel' },
    { name: 'kmp', path: '/t/v{a}aab{b}' },
  ],
};

test(`${REQUESTS} hostile requests never trap (native and attributegen forms)`, async () => {
  const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
  const attributegen = { attributes: [...PODINFO_ATTRIBUTEGEN.attributes, { output_attribute: 'kind', match: [
    { value: 'x', condition: "request.headers['x-tenant'].matches('^(a|b)+$') && request.url_path.contains('t')" },
    { value: 'y', condition: 'response.code >= 500 || size(request.path) > 100' }] }] };
  for (const config of [RICH_CONFIG, attributegen]) {
    const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: config });
    assert.equal(host.configured, true, host.startError);
    const rand = prng(SEED);
    for (let i = 0; i < REQUESTS; i++) {
      const long = rand() < 0.01;
      const path = long ? '/t/' + 'a'.repeat(Math.floor(rand() * 65536)) + '!' : randomText(rand, 200, PATH_CHARS);
      const omit: string[] = [];
      if (rand() < 0.05) omit.push(':path');
      if (rand() < 0.05) omit.push(':method');
      if (rand() < 0.02) omit.push(':authority');
      const headers: Record<string, string> = {};
      if (rand() < 0.3) headers['x-tenant'] = randomText(rand, 20, 'ab');
      if (rand() < 0.1) headers[randomText(rand, 10, 'abcxyz-').toLowerCase() || 'x'] = randomText(rand, 50, 'abc ;,=');
      const r = host.request({
        method: rand() < 0.9 ? ['GET', 'POST', 'HEAD', 'PUT'][Math.floor(rand() * 4)] : randomText(rand, 12, 'GETPOS'),
        path, headers, omitHeaders: omit,
        status: STATUSES[Math.floor(rand() * STATUSES.length)],
        reset: rand() < 0.03,
        durationMs: Math.floor(rand() * 5000),
      });
      if (r.trapped) assert.fail(`trap on request ${i} (seed ${SEED}): ${r.trap} path=${JSON.stringify(path.slice(0, 80))}`);
    }
    assert.equal(host.failed, false);
    host.stop();
  }
});

// ---- configurations ----------------------------------------------------------------------------

const SEGMENTS = ['users', '{id}', '*', 'a', 'v1', '', '{rest...}', '**'];
const validRoute = fc.record({
  name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 /{}-]{0,20}$/),
  method: fc.option(fc.constantFrom('GET', 'POST', ['GET', 'HEAD']), { nil: undefined }),
  path: fc.array(fc.constantFrom(...SEGMENTS.slice(0, 6)), { minLength: 1, maxLength: 4 }).map((s) => {
    let n = 0;
    return '/' + s.map((x) => (x === '{id}' ? `{p${n++}}` : x)).join('/');
  }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

/** Mutations that make a valid config invalid, with the JSON path the error must name. */
const MUTATIONS: Array<(c: { routes: Record<string, unknown>[] }, i: number) => string> = [
  (c, i) => { c.routes[i].name = ''; return `routes[${i}].name`; },
  (c, i) => { c.routes[i].method = 'get'; return `routes[${i}].method`; },
  (c, i) => { c.routes[i].method = []; return `routes[${i}].method`; },
  (c, i) => { c.routes[i].path = '/x/{id'; return `routes[${i}].path`; },
  (c, i) => { c.routes[i].path = 'nope'; return `routes[${i}].path`; },
  (c, i) => { c.routes[i].path = '/a/**/b'; return `routes[${i}].path`; },
  (c, i) => { delete c.routes[i].path; c.routes[i].path_regex = '(a'; return `routes[${i}].path_regex`; },
  (c, i) => { c.routes[i].colour = 'red'; return `routes[${i}].colour`; },
  (c, i) => { c.routes[i] = 42 as unknown as Record<string, unknown>; return `routes[${i}]`; },
  (c, i) => { c.routes[i].headers = [{ name: 'x', value: 'y', type: 'Bogus' }]; return `routes[${i}].headers[0].type`; },
  (c, i) => { c.routes[i].query_params = [{ name: 'q' }]; return `routes[${i}].query_params[0].value`; },
  (c, i) => { c.routes[i].path_prefix = '/p'; return `routes[${i}]`; },
  (c) => { (c as Record<string, unknown>).output_attribute = ''; return 'output_attribute'; },
  (c) => { (c as Record<string, unknown>).metrics = { prefix: '9bad' }; return 'metrics.prefix'; },
  (c) => { (c as Record<string, unknown>).debug = 'yes'; return 'debug'; },
];

test(`${CONFIGS} generated configurations: valid ones accepted clean, invalid ones accepted with an error naming the JSON path`, async () => {
  const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: PODINFO_NATIVE });
  const rand = prng(SEED + 1);
  const samples = fc.sample(fc.array(validRoute, { minLength: 1, maxLength: 8 }), { numRuns: CONFIGS, seed: SEED });
  let reported = 0;
  for (let k = 0; k < samples.length; k++) {
    const config = { routes: structuredClone(samples[k]) };
    const invalid = k % 2 === 1;
    let path = '';
    if (invalid) path = MUTATIONS[Math.floor(rand() * MUTATIONS.length)](config, Math.floor(rand() * config.routes.length));
    host.clearLogs();
    const ok = host.reconfigure(config, { mode: 'same-root' });
    assert.equal(host.failed, false, `trap configuring ${JSON.stringify(config)}`);
    const errors = host.logsAtLeast('error').map((l) => l.message);
    const errorLines = errors.filter((l) => l.startsWith('route-metrics: config error: '));
    assert.equal(ok, true, `config not accepted: ${JSON.stringify(config)}\n${errors.join('\n')}`);
    assert.equal(host.gauge('route_config_errors'), BigInt(errorLines.length), errors.join('\n'));
    if (!invalid) {
      assert.deepEqual(errors, [], `valid config reported errors: ${JSON.stringify(config)}`);
      continue;
    }
    reported++;
    assert.ok(errorLines.some((l) => l.startsWith(`route-metrics: config error: ${path}`)), `no error naming ${path}:\n${errors.join('\n')}`);
    assert.ok(errors.some((l) => l.startsWith(`route-metrics: configuration accepted with ${errorLines.length} error`)), errors.join('\n'));
  }
  assert.ok(reported > 0);
});

test('arbitrary JSON and bytes as configuration never trap and are answered clearly', async () => {
  const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: PODINFO_NATIVE });
  const jsons = fc.sample(fc.oneof(fc.json({ depthSize: 'medium' }), fc.string({ unit: 'binary', maxLength: 200 })), { numRuns: CONFIGS, seed: SEED });
  for (const text of jsons) {
    host.clearLogs();
    const ok = host.reconfigure(text, { mode: 'same-root' });
    assert.equal(host.failed, false, `trap configuring ${JSON.stringify(text).slice(0, 200)}`);
    const errorLines = host.logsAtLeast('error').filter((l) => l.message.startsWith('route-metrics: config error: '));
    // Only a configuration that asks for "strict": true may be rejected, and never silently.
    if (!ok) assert.ok(errorLines.length > 0 && /"strict"\s*:\s*true/.test(text), text);
    else assert.equal(host.gauge('route_config_errors'), BigInt(errorLines.length), text);
  }
  // Still serving (the last accepted configuration).
  assert.equal(host.request({ path: '/healthz' }).trapped, false);
});
