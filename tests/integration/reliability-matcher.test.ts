// Property test: the compiled route table (trie + prefix table + regex list, inside the real
// .wasm) agrees with a straightforward reference implementation of the documented precedence
// (tests/support/reference-matcher.ts) on generated route tables and requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SimulatedEnvoy } from '../../host/index.ts';
import { RELEASE_WASM } from '../support/filter.ts';
import { referenceMatch, type RefRoute, type RefRequest } from '../support/reference-matcher.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);
const SEG = fc.constantFrom('a', 'b', 'users', 'me', 'v1', '');
const METHODS = ['GET', 'POST', 'PUT'];

const templateSegment = fc.oneof(
  { weight: 5, arbitrary: SEG.filter((s) => s !== '') },
  { weight: 2, arbitrary: fc.constantFrom('{id}', '*') },
  { weight: 1, arbitrary: fc.constant('') },
);
const template = fc.tuple(fc.array(templateSegment, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '/**', '/{rest...}'))
  .map(([segs, tail]) => {
    // A parameter name may appear once per template.
    let n = 0;
    return '/' + segs.map((s) => (s === '{id}' ? `{p${n++}}` : s)).join('/') + tail;
  });
const condition = fc.record({
  name: fc.constantFrom('x-a', 'x-b'),
  value: fc.constantFrom('1', '2'),
}, { requiredKeys: ['name', 'value'] });

const route = fc.record({
  method: fc.option(fc.oneof(fc.constantFrom(...METHODS), fc.subarray(METHODS, { minLength: 1 })), { nil: undefined }),
  kind: fc.constantFrom('path', 'path', 'path', 'prefix', 'regex', 'none'),
  template,
  prefix: fc.array(SEG, { minLength: 1, maxLength: 3 }).chain((s) => fc.constantFrom('/' + s.join('/'), '/' + s.join('/') + '/')),
  regex: fc.array(SEG.filter((s) => s !== ''), { minLength: 1, maxLength: 2 }).chain((s) => fc.constantFrom(`^/${s.join('/')}$`, `^/${s[0]}/`, s[0])),
  headers: fc.array(condition, { maxLength: 1 }),
  query: fc.array(condition.map((c) => ({ name: c.name.slice(2), value: c.value })), { maxLength: 1 }),
});

type GenRoute = typeof route extends fc.Arbitrary<infer T> ? T : never;

function toRoutes(gen: GenRoute[]): RefRoute[] {
  return gen.map((g, i) => {
    const r: RefRoute = { name: `r${i}` };
    if (g.method !== undefined) r.method = g.method;
    if (g.kind === 'path') r.path = g.template;
    if (g.kind === 'prefix') r.path_prefix = g.prefix;
    if (g.kind === 'regex') r.path_regex = g.regex;
    if (g.headers.length) r.headers = g.headers;
    if (g.query.length) r.query_params = g.query;
    if (g.kind === 'none' && !r.method && !r.headers && !r.query_params) r.method = 'GET';
    return r;
  });
}

const request = fc.record({
  method: fc.constantFrom(...METHODS, 'DELETE'),
  path: fc.tuple(fc.array(SEG, { minLength: 0, maxLength: 5 }), fc.constantFrom('', '?a=1', '?b=2&a=2', '#f')).map(([s, q]) => '/' + s.join('/') + q),
  headers: fc.record({ 'x-a': fc.constantFrom('1', '2'), 'x-b': fc.constantFrom('1', '2') }, { requiredKeys: [] }),
});

test('compiled route table agrees with the reference matcher', async () => {
  const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
  await fc.assert(
    fc.asyncProperty(fc.array(route, { minLength: 1, maxLength: 12 }), fc.array(request, { minLength: 1, maxLength: 25 }), async (gen, reqs) => {
      const routes = toRoutes(gen);
      const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: { routes } });
      assert.equal(host.configured, true, host.logsAtLeast('error').map((l) => l.message).join('\n'));
      assert.equal(host.gauge('route_config_errors'), 0n, host.logsAtLeast('error').map((l) => l.message).join('\n'));
      for (const r of reqs as RefRequest[]) {
        const got = host.request({ method: r.method, path: r.path, headers: r.headers }).filterState['wasm.istio_operationId'];
        const want = referenceMatch(routes, r);
        assert.equal(got, want, `${r.method} ${r.path} ${JSON.stringify(r.headers)}\nroutes: ${JSON.stringify(routes)}`);
      }
      host.stop();
    }),
    { numRuns: RUNS },
  );
});
