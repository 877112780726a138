// The fast form of a condition (assembly/cel/fast.ts: &&/|| chains of string-attribute tests
// against literals, decided without the evaluation tree) must answer exactly as CEL does. Random
// conditions of the supported shapes run in the release .wasm against random requests (attributes
// present and absent, url_path from the proxy or derived from request.path), and the attribute
// written is compared with a TypeScript evaluator of CEL semantics for those shapes — error
// absorption by && / ||, an error ending attributegen's evaluation — and with the same conditions
// wrapped as `(c) == true`, a shape the fast form does not take (so the tree decides).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startFilter } from '../support/filter.ts';

const OP = 'wasm.istio_operationId';

type Attr = 'request.method' | 'request.url_path' | 'request.path' | 'request.host' | 'request.useragent' | 'request.referer';
type TestKind = '==' | '!=' | 'startsWith' | 'endsWith' | 'contains' | 'matches';
interface Check { attr: Attr; test: TestKind; lit: string; literalFirst: boolean }
interface Cond { checks: Check[]; and: boolean }
interface Req { method: string; path: string; host?: string; ua?: string; referer?: string }

const ATTRS: Attr[] = ['request.method', 'request.url_path', 'request.path', 'request.host', 'request.useragent', 'request.referer'];
// A small alphabet so that tests hit as often as they miss; regex patterns from a fixed safe set.
const word = fc.string({ unit: fc.constantFrom('a', 'b', '/', 'G', 'E', 'T', '?', '.'), maxLength: 4 });
const PATTERNS = ['^/a', 'b$', 'a.b', '^$', '[ab]+', '^G', '\\?'];

const check: fc.Arbitrary<Check> = fc.record({
  attr: fc.constantFrom(...ATTRS),
  test: fc.constantFrom<TestKind>('==', '!=', 'startsWith', 'endsWith', 'contains', 'matches'),
  lit: word,
  literalFirst: fc.boolean(),
}).chain((c) => (c.test === 'matches' ? fc.constantFrom(...PATTERNS).map((p) => ({ ...c, lit: p })) : fc.constant(c)));
const cond: fc.Arbitrary<Cond> = fc.record({ checks: fc.array(check, { minLength: 1, maxLength: 4 }), and: fc.boolean() });
const maybe = fc.option(word, { nil: undefined });
const req: fc.Arbitrary<Req> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'GE', ''),
  path: word.map((w) => '/' + w),
  host: maybe, ua: maybe, referer: maybe,
});

const quote = (s: string) => "'" + s.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
function checkText(c: Check): string {
  if (c.test === '==' || c.test === '!=') return c.literalFirst ? `${quote(c.lit)} ${c.test} ${c.attr}` : `${c.attr} ${c.test} ${quote(c.lit)}`;
  return `${c.attr}.${c.test}(${quote(c.lit)})`;
}
const condText = (c: Cond) => c.checks.map(checkText).join(c.and ? ' && ' : ' || ');

function attrValue(r: Req, a: Attr): string | undefined {
  switch (a) {
    case 'request.method': return r.method;
    case 'request.path': return r.path;
    case 'request.url_path': { const q = r.path.indexOf('?'); return q < 0 ? r.path : r.path.slice(0, q); }
    case 'request.host': return r.host;
    case 'request.useragent': return r.ua;
    case 'request.referer': return r.referer;
  }
}

/** CEL: true, false, or 'error' (an absent attribute), with && / || absorbing errors when another operand decides. */
function evalCond(c: Cond, r: Req): boolean | 'error' {
  let err = false;
  for (const k of c.checks) {
    const v = attrValue(r, k.attr);
    if (v === undefined) { err = true; continue; }
    let b: boolean;
    switch (k.test) {
      case '==': b = v === k.lit; break;
      case '!=': b = v !== k.lit; break;
      case 'startsWith': b = v.startsWith(k.lit); break;
      case 'endsWith': b = v.endsWith(k.lit); break;
      case 'contains': b = v.includes(k.lit); break;
      case 'matches': b = new RegExp(k.lit).test(v); break;
    }
    if (b === !c.and) return b;
  }
  return err ? 'error' : c.and;
}

/** attributegen: the first true condition's value; an error ends the attribute (nothing written). */
function expected(conds: Cond[], r: Req): string | undefined {
  for (let i = 0; i < conds.length; i++) {
    const v = evalCond(conds[i], r);
    if (v === 'error') return undefined;
    if (v) return 'm' + i;
  }
  return 'none';
}

function config(conds: Cond[], wrap: boolean) {
  const match = conds.map((c, i) => ({ value: 'm' + i, condition: wrap ? `(${condText(c)}) == true` : condText(c) }));
  return { attributes: [{ output_attribute: 'istio_operationId', match: [...match, { value: 'none' }] }] };
}

async function run(host: Awaited<ReturnType<typeof startFilter>>, r: Req): Promise<string | undefined> {
  const headers: Array<[string, string]> = [[':method', r.method], [':path', r.path], [':scheme', 'http']];
  if (r.host !== undefined) headers.push([':authority', r.host]);
  if (r.ua !== undefined) headers.push(['user-agent', r.ua]);
  if (r.referer !== undefined) headers.push(['referer', r.referer]);
  const s = host.newStream();
  s.requestHeaders(headers, true);
  const v = s.filterState[OP];
  s.responseHeaders([[':status', '200']], true);
  s.complete();
  return v;
}

/**
 * The conditions as written (`name`: fast form, index) and wrapped so that the tree decides both
 * answer every request as the model does.
 */
async function agreesWithModel(conds: Cond[], reqs: Req[], missing: string[], name: string): Promise<void> {
  const plain = await startFilter(config(conds, false), { missingProperties: missing });
  const tree = await startFilter(config(conds, true), { missingProperties: missing });
  assert.equal(plain.configured, true, plain.startError);
  assert.equal(tree.configured, true, tree.startError);
  for (const r of reqs) {
    const want = expected(conds, r);
    const label = `${conds.map(condText).join(' ; ')} on ${JSON.stringify(r)}`;
    assert.equal(await run(plain, r), want, `${name}: ${label}`);
    assert.equal(await run(tree, r), want, 'tree: ' + label);
  }
}

for (const missing of [[], ['request.url_path']]) {
  describe(`fast form = CEL semantics${missing.length ? ' (proxy without request.url_path)' : ''}`, () => {
    test('random conditions and requests', async () => {
      await fc.assert(fc.asyncProperty(fc.array(cond, { minLength: 1, maxLength: 4 }), fc.array(req, { minLength: 1, maxLength: 6 }),
        (conds, reqs) => agreesWithModel(conds, reqs, missing, 'fast')), { numRuns: 60 });
    });
  });
}

// The condition index (assembly/classify/condition-index.ts): lists with at least four conditions
// requiring `A == 'literal'` of one attribute are evaluated through a lookup of A's value. Lists
// mostly of such conditions (several literals, the key's test first or last, on either side of
// ==), mixed with the random shapes above, must answer as evaluating every condition in order.
const KEYS: Attr[] = ['request.url_path', 'request.method', 'request.host'];
const literal = fc.constantFrom('/a', '/b', '/a/b', 'GET', 'POST', 'a', '');
const keyed = (key: Attr): fc.Arbitrary<Cond> => fc.record({
  lit: literal, literalFirst: fc.boolean(), last: fc.boolean(), rest: fc.array(check, { maxLength: 2 }),
}).map(({ lit, literalFirst, last, rest }) => {
  const k: Check = { attr: key, test: '==', lit, literalFirst };
  return { checks: last ? [...rest, k] : [k, ...rest], and: true };
});
const indexedList = fc.constantFrom(...KEYS).chain((key) =>
  fc.array(fc.oneof({ weight: 4, arbitrary: keyed(key) }, { weight: 1, arbitrary: cond }), { minLength: 4, maxLength: 14 }));
const indexedReq: fc.Arbitrary<Req> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'a'),
  path: fc.constantFrom('/a', '/b', '/a/b', '/a?x', '/b?', '/c', '/'),
  host: fc.option(fc.constantFrom('a', '/a', 'b'), { nil: undefined }), ua: maybe, referer: maybe,
});

for (const missing of [[], ['request.url_path']]) {
  describe(`condition index = every condition in order${missing.length ? ' (proxy without request.url_path)' : ''}`, () => {
    test('random lists of mostly attribute == literal conditions', async () => {
      await fc.assert(fc.asyncProperty(indexedList, fc.array(indexedReq, { minLength: 1, maxLength: 8 }),
        (conds, reqs) => agreesWithModel(conds, reqs, missing, 'indexed')), { numRuns: 80 });
    });
  });
}
