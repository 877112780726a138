// Segments that mix literal text and parameters (`{index}.{diffType}`, `{name}:cancel`, `v{major}`),
// through the simulated host and the real release .wasm:
//   - precedence in both configuration orders (literal > mixed > parameter > catch-all);
//   - a property test against a small reference matcher written here: the documented matching rule
//     (a mixed segment matches what ^L0[^/]+L1…Lk$ matches) and ranking (more literal bytes, then the
//     longer leading literal, the longer trailing literal, the text with parameters as `{}`);
//   - configuration errors with their JSON paths; hostile and long paths never trap;
//   - cost: per request flat in the number of routes, configuring linear, memory within the bound
//     of other templates (counted operations and pages, never time);
//   - lint, which asks the .wasm, finds a shadowed mixed route and the overlap with `{param}`.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SimulatedEnvoy } from '../../host/index.ts';
import { runLint } from '../../cli/commands/lint.ts';
import { RELEASE_WASM, startFilter } from '../support/filter.ts';
import { prng } from '../../cli/mesh/traffic.ts';
import { countingModule, opsDuring } from '../support/op-counter.ts';

const OP = 'wasm.istio_operationId';
const RUNS = Number(process.env.PROPERTY_RUNS ?? 150);

type Route = { name: string; method?: string; path: string };

/** The route each request gets, with the routes in the order given and reversed. */
async function classifyBothOrders(routes: Route[], requests: Array<[string, string]>): Promise<Array<[string | undefined, string | undefined]>> {
  const forward = await startFilter({ routes });
  const reversed = await startFilter({ routes: [...routes].reverse() });
  try {
    for (const h of [forward, reversed]) assert.equal(h.gauge('route_config_errors'), 0n, h.logsAtLeast('error').map((l) => l.message).join('\n'));
    return requests.map(([method, path]) => [forward.request({ method, path }).filterState[OP], reversed.request({ method, path }).filterState[OP]]);
  } finally {
    forward.stop();
    reversed.stop();
  }
}

async function assertClassifies(routes: Route[], cases: Array<[string, string, string | undefined]>): Promise<void> {
  const got = await classifyBothOrders(routes, cases.map(([m, p]) => [m, p]));
  cases.forEach(([method, path, expected], i) => {
    assert.deepEqual(got[i], [expected, expected], `${method} ${path} (config order, reversed order)`);
  });
}

describe('mixed segments: precedence in both configuration orders', () => {
  test("Gitea: GET …/pulls/7.patch goes to .{diffType}, …/pulls/7 to {index}", () => assertClassifies([
    { name: 'repoGetPullRequest', method: 'GET', path: '/api/v1/repos/{owner}/{repo}/pulls/{index}' },
    { name: 'repoDownloadPullDiffOrPatch', method: 'GET', path: '/api/v1/repos/{owner}/{repo}/pulls/{index}.{diffType}' },
    { name: 'repoGetPullRequestCommits', method: 'GET', path: '/api/v1/repos/{owner}/{repo}/pulls/{index}/commits' },
  ], [
    ['GET', '/api/v1/repos/a/b/pulls/7.patch', 'repoDownloadPullDiffOrPatch'],
    ['GET', '/api/v1/repos/a/b/pulls/7.diff?whitespace=ignore', 'repoDownloadPullDiffOrPatch'],
    ['GET', '/api/v1/repos/a/b/pulls/7', 'repoGetPullRequest'],
    ['GET', '/api/v1/repos/a/b/pulls/7/commits', 'repoGetPullRequestCommits'],
    ['GET', '/api/v1/repos/a/b/pulls/7.', 'repoGetPullRequest'],
    ['GET', '/api/v1/repos/a/b/pulls/.patch', 'repoGetPullRequest'],
    // The mixed branch has no /commits: the trie backtracks and {index} takes "7.patch".
    ['GET', '/api/v1/repos/a/b/pulls/7.patch/commits', 'repoGetPullRequestCommits'],
    ['POST', '/api/v1/repos/a/b/pulls/7.patch', undefined],
  ]));

  test('custom methods: /v1/x:cancel vs /v1/{name} and the literal /v1/operations', () => assertClassifies([
    { name: 'get', method: 'GET', path: '/v1/{name}' },
    { name: 'cancel', method: 'POST', path: '/v1/{name}:cancel' },
    { name: 'wait', method: 'POST', path: '/v1/{name}:wait' },
    { name: 'list', path: '/v1/operations' },
  ], [
    ['POST', '/v1/x:cancel', 'cancel'],
    ['POST', '/v1/x:wait', 'wait'],
    ['POST', '/v1/ns:op:cancel', 'cancel'],
    ['POST', '/v1/operations:cancel', 'cancel'],
    ['GET', '/v1/x', 'get'],
    ['GET', '/v1/x:cancel', 'get'], // the mixed route is POST only: the next candidate is {name}
    ['POST', '/v1/:cancel', undefined], // {name} must not be empty
    ['GET', '/v1/operations', 'list'],
  ]));

  test('versions: /api/v{major}/items between the literal v1 and {version}', () => assertClassifies([
    { name: 'major', path: '/api/v{major}/items' },
    { name: 'version', path: '/api/{version}/items' },
    { name: 'v1', path: '/api/v1/items' },
    { name: 'rest', path: '/api/{rest...}' },
  ], [
    ['GET', '/api/v2/items', 'major'],
    ['GET', '/api/v1/items', 'v1'],
    ['GET', '/api/2/items', 'version'],
    ['GET', '/api/v/items', 'version'],
    ['GET', '/api/v2/other', 'rest'],
  ]));

  test('files: {name}.{ext} among {name}.json, a literal file and {name}', () => assertClassifies([
    { name: 'any', path: '/files/{name}.{ext}' },
    { name: 'json', path: '/files/{name}.json' },
    { name: 'gz', path: '/files/{name}.tar.{c}' },
    { name: 'index', path: '/files/index.json' },
    { name: 'plain', path: '/files/{name}' },
  ], [
    ['GET', '/files/a.b.c', 'any'],
    ['GET', '/files/a.json', 'json'],
    ['GET', '/files/a.tar.json', 'json'], // five literal bytes each; the trailing literal decides
    ['GET', '/files/a.tar.gz', 'gz'],
    ['GET', '/files/index.json', 'index'],
    ['GET', '/files/a', 'plain'],
    ['GET', '/files/a%2Ejson', 'plain'], // no percent-decoding
  ]));
});

// ───────────────────────────────────────────────────────── property test against a reference

/** A route template segment as the reference reads it. */
type RefSeg = { kind: 'lit'; text: string } | { kind: 'param' } | { kind: 'mixed'; re: RegExp; lits: number; lead: number; trail: number; shape: string } | { kind: 'rest' };

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function refSegments(template: string): RefSeg[] {
  return template.slice(1).split('/').map((s): RefSeg => {
    if (s === '**' || /^\{[^{}]+\.\.\.\}$/.test(s)) return { kind: 'rest' };
    if (s === '*' || /^\{[^{}]+\}$/.test(s)) return { kind: 'param' };
    if (!s.includes('{')) return { kind: 'lit', text: s };
    const lits = s.split(/\{[^{}]+\}/); // L0 … Lk
    return {
      kind: 'mixed', re: new RegExp('^' + lits.map(escapeRegex).join('[^/]+') + '$'),
      lits: bytes(lits.join('')), lead: bytes(lits[0]!), trail: bytes(lits[lits.length - 1]!), shape: lits.join('{}'),
    };
  });
}

/**
 * Rank of a template on a URL path's segments, or null when it does not match: per segment
 * [class, -literal bytes, -leading bytes, -trailing bytes, shape], then how it ends (2 exact,
 * 3 catch-all). Lower is more specific.
 */
function refRank(t: RefSeg[], segs: string[]): Array<number | string> | null {
  const rank: Array<number | string> = [];
  for (let i = 0; i < t.length; i++) {
    const s = t[i]!;
    if (s.kind === 'rest') return [...rank, 3];
    if (i >= segs.length) return null;
    const seg = segs[i]!;
    if (s.kind === 'lit') {
      if (s.text !== seg) return null;
      rank.push(0, 0, 0, 0, '');
    } else if (s.kind === 'mixed') {
      if (!s.re.test(seg)) return null;
      rank.push(1, -s.lits, -s.lead, -s.trail, s.shape);
    } else {
      if (seg === '') return null;
      rank.push(2, 0, 0, 0, '');
    }
  }
  return t.length === segs.length ? [...rank, 2] : null;
}

function compareRanks(a: Array<number | string>, b: Array<number | string>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

function referenceMatch(routes: Route[], method: string, target: string): string | undefined {
  const end = target.search(/[?#]/);
  const segs = (end < 0 ? target : target.slice(0, end)).slice(1).split('/');
  let best: { rank: Array<number | string>; cond: number; index: number } | null = null;
  routes.forEach((r, index) => {
    if (r.method !== undefined && r.method !== method) return;
    const rank = refRank(refSegments(r.path), segs);
    if (rank === null) return;
    const cond = r.method === undefined ? 0 : 1;
    const c = best === null ? -1 : compareRanks(rank, best.rank) || best.cond - cond || index - best.index;
    if (c < 0) best = { rank, cond, index };
  });
  return best === null ? undefined : routes[(best as { index: number }).index]!.name;
}

// Small alphabets, so that generated requests often hit (and nearly hit) the generated patterns.
// Few, short literals make ties on literal bytes common, so the lead/trail/text tie-breaks are tested.
const LITS = ['a', 'b', 'ab', '.', 'v', 'aab'];
const PIECES = [...LITS, 'x', 'abab'];

const mixedSegment = fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...LITS), { minLength: 1, maxLength: 2 }), fc.boolean())
  .map(([leadParam, lits, trailParam]) => {
    // Literals with a parameter between each two; a parameter before the first and after the last as drawn.
    let s = leadParam ? '{}' : '';
    lits.forEach((l, i) => {
      s += l;
      if (i < lits.length - 1 || trailParam) s += '{}';
    });
    return s.includes('{}') ? s : s + '{}';
  });
const templateSegment = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('a', 'x.b') },
  { weight: 1, arbitrary: fc.constant('{}') },
  { weight: 5, arbitrary: mixedSegment },
);
// Half the templates are one mixed segment under /m/: siblings at one trie node, where ranking decides.
const template = fc.oneof(fc.tuple(fc.array(templateSegment, { minLength: 1, maxLength: 2 }), fc.constantFrom('', '', '/**')),
  fc.tuple(mixedSegment.map((m) => ['m', m]), fc.constant('')))
  .map(([segs, tail]) => {
    let n = 0;
    return '/' + segs.join('/').replace(/\{\}/g, () => `{p${n++}}`) + tail;
  });
const routeList = fc.array(fc.record({ method: fc.constantFrom(undefined, 'GET', 'POST'), path: template }), { minLength: 1, maxLength: 12 })
  .map((rs) => rs.map((r, i): Route => ({ name: `r${i}`, path: r.path, ...(r.method ? { method: r.method } : {}) })));
const pieces = (min: number) => fc.array(fc.constantFrom(...PIECES), { minLength: min, maxLength: 3 }).map((p) => p.join(''));
const suffix = fc.constantFrom('', '', '?q=a.b', '#:c');
/** Free-form requests from the same pieces. */
const anyRequest = fc.record({
  method: fc.constantFrom('GET', 'POST'),
  path: fc.tuple(fc.array(pieces(0), { minLength: 1, maxLength: 3 }), suffix).map(([s, q]) => '/' + s.join('/') + q),
});
/** A request built from one of the routes: its literals kept, each parameter filled with 0–3 pieces (0: a near miss). */
const requestFor = (routes: Route[]) => fc.record({
  method: fc.constantFrom('GET', 'POST'),
  route: fc.nat({ max: routes.length - 1 }),
  fills: fc.array(pieces(0), { minLength: 12, maxLength: 12 }),
  rest: fc.array(pieces(1), { maxLength: 2 }),
  q: suffix,
}).map(({ method, route, fills, rest, q }) => {
  let k = 0;
  const path = routes[route]!.path.replace(/\/\*\*$/, rest.map((r) => '/' + r).join('')).replace(/\{[^{}]+\}/g, () => fills[k++ % fills.length]!);
  return { method, path: path + q };
});
const scenario = routeList.chain((routes) => fc.tuple(fc.constant(routes), fc.array(fc.oneof({ weight: 3, arbitrary: requestFor(routes) }, { weight: 1, arbitrary: anyRequest }), { minLength: 1, maxLength: 40 })));

test('the route table agrees with a reference matcher on generated mixed templates and requests', async () => {
  const filter = await SimulatedEnvoy.compile(RELEASE_WASM);
  await fc.assert(
    fc.asyncProperty(scenario, async ([routes, reqs]) => {
      const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: { routes } });
      try {
        assert.equal(host.gauge('route_config_errors'), 0n, host.logsAtLeast('error').map((l) => l.message).join('\n'));
        for (const r of reqs) {
          const got = host.request({ method: r.method, path: r.path }).filterState[OP];
          assert.equal(got, referenceMatch(routes, r.method, r.path), `${r.method} ${r.path}\nroutes: ${JSON.stringify(routes)}`);
        }
      } finally {
        host.stop();
      }
    }),
    { numRuns: RUNS },
  );
});

// ───────────────────────────────────────────────────────── errors and hostile input

describe('mixed segments: configuration errors name the JSON path', () => {
  test('bad mixed templates are reported on routes[i].path with a column, and only those routes are left out', async () => {
    const host = await startFilter({ routes: [
      { name: 'ok', path: '/files/{name}.{ext}' },
      { name: 'adjacent', path: '/files/{name}{ext}' },
      { name: 'catch-all inside', path: '/files/x{rest...}' },
      { name: 'duplicate', path: '/v1/{name}/{name}:cancel' },
      { name: 'star', path: '/v1/{name}:*' },
    ] });
    const errors = host.logsAtLeast('error').map((l) => l.message);
    for (const line of [
      "routes[1].path: '{name}{ext}': two parameters need literal text between them at column 14",
      "routes[2].path: '{rest...}' (a catch-all) must be a whole segment at column 9",
      "routes[3].path: duplicate parameter name 'name' at column 12",
      "routes[4].path: '*' must be a whole segment (use path_prefix or path_regex) at column 12",
    ]) assert.ok(errors.includes(`route-metrics: config error: ${line}`), `missing: ${line}\n${errors.join('\n')}`);
    assert.equal(host.gauge('route_config_errors'), 4n);
    assert.equal(host.request({ method: 'GET', path: '/files/a.txt' }).filterState[OP], 'ok');
    host.stop();
  });

  test('more than 64 different mixed shapes at one position: the route that brings the 65th is left out', async () => {
    const routes = [
      ...Array.from({ length: 64 }, (_, i) => ({ name: `verb${i}`, method: 'POST', path: `/v1/{name}:verb${i}` })),
      { name: 'renamed', method: 'GET', path: '/v1/{resource}:verb7' }, // a shape already there
      { name: 'too many', method: 'POST', path: '/v1/{name}:verb64' },
    ];
    const host = await startFilter({ routes });
    const errors = host.logsAtLeast('error').map((l) => l.message);
    assert.ok(errors.includes("route-metrics: config error: routes[65].path: '{name}:verb64': more than 64 different segments " +
      "that mix text and parameters at one position (after '/v1/')"), errors.join('\n'));
    assert.equal(host.gauge('route_config_errors'), 1n);
    assert.equal(host.request({ method: 'POST', path: '/v1/x:verb63' }).filterState[OP], 'verb63');
    assert.equal(host.request({ method: 'GET', path: '/v1/x:verb7' }).filterState[OP], 'renamed');
    assert.equal(host.request({ method: 'POST', path: '/v1/x:verb64' }).filterState[OP], undefined);
    host.stop();
  });
});

test('long and hostile paths against mixed templates never trap, and long ones still classify', async () => {
  const host = await startFilter({ routes: [
    { name: 'kmp', path: '/k/{a}aaab{b}.json' },
    { name: 'dots', path: '/k/{a}.{b}.{c}' },
    { name: 'cancel', path: '/k/{name}:cancel' },
    { name: 'lead', path: '/k/v{n}' },
    { name: 'param', path: '/k/{x}' },
  ] });
  const a = 'a'.repeat(200_000);
  const cases: Array<[string, string | undefined]> = [
    [`/k/${a}`, 'param'],
    [`/k/${a}b.json`, 'param'], // "aaab" ends where ".json" starts: {b} would be empty
    [`/k/${a}bx.json`, 'kmp'],
    [`/k/${'.'.repeat(100_000)}`, 'dots'],
    [`/k/${'a.'.repeat(50_000)}`, 'dots'],
    [`/k/${':'.repeat(100_000)}cancel`, 'cancel'],
    [`/k/v${a}`, 'lead'],
    [`/k/${a}/x`, undefined],
  ];
  for (const [path, expected] of cases) {
    const r = host.request({ method: 'GET', path });
    assert.equal(r.trapped, false, path.slice(0, 40));
    assert.equal(r.filterState[OP], expected, `${path.slice(0, 20)}… (${path.length} bytes)`);
  }
  const rand = prng(1212);
  const alphabet = '/k.:vab{}*?#%&=';
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(rand() ** 2 * 300);
    let path = '/k/';
    for (let j = 0; j < len; j++) path += rand() < 0.7 ? alphabet[Math.floor(rand() * alphabet.length)] : String.fromCharCode(Math.floor(rand() * 256));
    const r = host.request({ method: 'GET', path });
    assert.equal(r.trapped, false, JSON.stringify(path));
  }
  assert.equal(host.failed, false);
  host.stop();
});

// ───────────────────────────────────────────────────────── cost

describe('mixed segments: cost', () => {
  /** Route i: a resource with a plain, a mixed or a custom-method template. */
  const routesOf = (n: number): Route[] => Array.from({ length: n }, (_, i) => {
    const base = `/api/svc${i % 97}/res${i}`;
    return i % 3 === 0 ? { name: `get ${i}`, path: `${base}/{id}` }
      : i % 3 === 1 ? { name: `file ${i}`, path: `${base}/{id}.{ext}` }
      : { name: `cancel ${i}`, method: 'POST', path: `${base}/{id}:cancel` };
  });

  test('a request costs the same with 10,000 routes as with 100 (counted loop iterations)', async (t) => {
    const counting = await SimulatedEnvoy.compile(await countingModule());
    const perRequest = async (n: number) => {
      const host = await SimulatedEnvoy.start({ wasm: counting, pluginConfig: { routes: routesOf(n) } });
      const requests = [['GET', '/api/svc1/res1/42.json'], ['POST', '/api/svc2/res2/op-7:cancel'], ['GET', '/api/svc0/res0/42'],
        ['GET', '/api/svc1/res1/42.json.' + 'x'.repeat(1000)], ['GET', '/api/svc5/res5/nothing/here']];
      let ops = 0n;
      for (const [method, path] of requests) ops += opsDuring(host, () => host.request({ method, path }));
      assert.equal(host.request({ method: 'GET', path: '/api/svc1/res1/42.json' }).filterState[OP], 'file 1');
      assert.equal(host.request({ method: 'POST', path: '/api/svc2/res2/x:cancel' }).filterState[OP], 'cancel 2');
      host.stop();
      return ops;
    };
    const small = await perRequest(100);
    const large = await perRequest(10_000);
    t.diagnostic(`${small} → ${large} operations for the same requests`);
    assert.ok(Number(large) <= 1.2 * Number(small), `${small} → ${large} operations for the same requests`);
  });

  test('configuring n mixed routes is linear in n, and its memory stays within 16 × the JSON size', async (t) => {
    const counting = await SimulatedEnvoy.compile(await countingModule());
    const configureOps = async (n: number) => {
      const host = await SimulatedEnvoy.start({ wasm: counting, pluginConfig: { routes: [{ name: 'x', path: '/x' }] } });
      let ok = false;
      const ops = opsDuring(host, () => { ok = host.reconfigure({ routes: routesOf(n) }, { mode: 'same-root' }); });
      assert.equal(ok, true);
      host.stop();
      return ops;
    };
    const ratio = Number(await configureOps(8000)) / Number(await configureOps(2000));
    assert.ok(ratio < 5.5, `4× the routes: ×${ratio.toFixed(2)} the operations`);
    // The bound of the configure-memory tests (reliability-config-memory.test.ts): 16 pages per page of JSON, plus 4 MiB.
    const text = JSON.stringify({ routes: routesOf(10_000) });
    const host = await startFilter(text);
    assert.equal(host.configured, true, host.startError);
    const bound = 16 * Math.ceil(text.length / 65536) + 64;
    t.diagnostic(`configure ×${ratio.toFixed(2)} for 4× the routes; ${host.memoryPages()} pages for ${text.length} bytes of JSON (bound ${bound})`);
    assert.ok(host.memoryPages() <= bound, `${host.memoryPages()} pages for ${text.length} bytes of JSON (bound ${bound})`);
    host.stop();
  });
});

// ───────────────────────────────────────────────────────── lint asks the .wasm

describe('lint on mixed segments (reachability from the real filter)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-mixed-lint-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const lintRoutes = async (routes: Route[]) => {
    const p = join(dir, `routes-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(p, JSON.stringify({ default: 'other', routes }));
    const { report } = await runLint({ config: [p] });
    assert.equal(report.accepted, true);
    return report.findings;
  };

  test('a mixed route beside {index} is reachable; the requests they share are shown as an overlap', async () => {
    for (const routes of [
      [{ name: 'pull', method: 'GET', path: '/pulls/{index}' }, { name: 'diff', method: 'GET', path: '/pulls/{index}.{diffType}' }],
      [{ name: 'diff', method: 'GET', path: '/pulls/{index}.{diffType}' }, { name: 'pull', method: 'GET', path: '/pulls/{index}' }],
    ]) {
      const findings = await lintRoutes(routes);
      const diff = routes.findIndex((r) => r.name === 'diff');
      const pull = 1 - diff;
      assert.deepEqual(findings.filter((f) => /unreachable/.test(f.message)), []);
      const overlap = findings.find((f) => f.level === 'info' && /both match/.test(f.message));
      assert.ok(overlap, JSON.stringify(findings));
      assert.match(overlap!.message, new RegExp(`both match GET /pulls/[^ ]+\\.[^ ]+: the plugin gives it to routes\\[${diff}\\] \\(routes\\[${pull}\\] still gets other requests\\)`));
    }
  });

  test('a mixed route shadowed by another of the same shape is unreachable', async () => {
    const findings = await lintRoutes([
      { name: 'cancel', method: 'POST', path: '/v1/{name}:cancel' },
      { name: 'cancel again', method: 'POST', path: '/v1/{operation}:cancel' },
      { name: 'get', method: 'GET', path: '/v1/{name}' },
    ]);
    const unreachable = findings.filter((f) => /^unreachable/.test(f.message));
    assert.deepEqual(unreachable.map((f) => f.path), ['routes[1]'], JSON.stringify(findings));
    assert.match(unreachable[0]!.message, /goes to routes\[0\] \("cancel"\) in the plugin/);
  });
});
