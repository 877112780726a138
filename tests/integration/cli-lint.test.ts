// `route-metrics lint`: the plugin's own errors (real .wasm, JSON paths), reachability as the real
// .wasm classifies probe requests (each finding confirmed by the filter), and each TypeScript-side
// rule, triggered by a small configuration; exit codes 0 / 1 / 2 and --strict.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLint } from '../../cli/commands/lint.ts';
import { lintConfig, type Finding } from '../../cli/analysis/lint-rules.ts';
import { suggestPathForRegex } from '../../cli/analysis/regex-to-path.ts';
import { conditionToRoute } from '../../cli/analysis/attributegen-to-native.ts';
import { startFilter } from '../support/filter.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rm-lint-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, config: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof config === 'string' ? config : JSON.stringify(config));
  return p;
}

/** Findings for routes (with a default, so only the rule under test fires). */
const lint = (routes: unknown[], extra: object = {}) => lintConfig(JSON.stringify({ default: 'other', routes, ...extra }));
const only = (fs: Finding[], level: Finding['level']) => fs.filter((f) => f.level === level);

describe('lint: the plugin\'s verdict', () => {
  test('config errors with JSON paths → exit 1', () => {
    const p = file('bad.json', { routes: [{ name: 'x', path: '/a/{b' }, { name: 'y' }, { name: 'z', methods: ['get'] }] });
    const r = cli('lint', p);
    assert.equal(r.code, 1);
    // The plugin would run it without the parts at fault: lint fails it all the same.
    assert.match(r.stdout, /errors: the plugin would run it without the parts at fault \("strict": true rejects it\)/);
    assert.match(r.stdout, /configuration accepted with 3 errors; dropped: routes\[0\], routes\[1\], routes\[2\]/);
    assert.match(r.stdout, /error\s+routes\[0\]\.path: unclosed '\{' at column 4/);
    assert.match(r.stdout, /error\s+routes\[1\]: route has no match condition/);
    assert.match(r.stdout, /error\s+routes\[2\]\.method\[0\]: 'get': HTTP methods are case-sensitive; did you mean 'GET'\?/);
  });

  test('invalid JSON is reported by the plugin with its position', async () => {
    const { report, exitCode } = await runLint({ config: [file('broken.json', '{"routes": [')] });
    assert.equal(exitCode, 1);
    assert.equal(report.accepted, true); // as an empty table
    assert.equal(report.verdict, 'degraded');
    assert.ok(report.findings.some((f) => f.level === 'error' && /invalid JSON at line 1 column 13/.test(f.message)), JSON.stringify(report.findings));
    assert.ok(!report.findings.some((f) => /^configuration (accepted|rejected)/.test(f.message)), 'the summary line is not a finding');
  });

  test('"strict": true: rejected by the plugin, exit 1', async () => {
    const p = file('strict.json', { strict: true, default: 'o', routes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b{' }] });
    const r = cli('lint', p);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /rejected by the plugin/);
    const { report } = await runLint({ config: [p] });
    assert.deepEqual([report.accepted, report.verdict, report.counts.error], [false, 'rejected', 1]);
    assert.equal(report.summary, 'configuration rejected (1 error)');
  });

  test('an unknown key: an error (the plugin ignores it), so exit 1 — also the gate for label clashes', async () => {
    const { report, exitCode } = await runLint({ config: [file('clash.json', { default: 'o', routes: [{ name: 'a', path: '/a', mehtod: 'GET' },
      { name: 'x;y', path: '/x' }, { name: 'x_y', path: '/y' }] })] });
    assert.equal(exitCode, 1);
    assert.equal(report.verdict, 'degraded');
    assert.deepEqual(report.findings.filter((f) => f.level === 'error').map((f) => f.path), ['routes[0].mehtod', 'routes[2].name']);
  });

  test("the plugin's warnings are warnings", async () => {
    const { report, exitCode } = await runLint({ config: [file('dup.json', { default: 'o', routes: [{ name: 'a', method: ['GET', 'GET'], path: '/a' }] })] });
    assert.equal(exitCode, 0);
    assert.ok(report.findings.some((f) => f.level === 'warning' && f.path === 'routes[0].method[1]' && /duplicate method 'GET'/.test(f.message)));
  });

  test('a clean configuration → exit 0, also with --strict', () => {
    const p = file('clean.json', { default: 'other', routes: [{ name: 'GET /healthz', method: 'GET', path: '/healthz' }, { name: 'POST /echo', method: 'POST', path: '/echo' }] });
    const r = cli('lint', '--strict', p);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /0 errors, 0 warnings, 0 infos/);
  });

  test('warnings fail only with --strict; --json is machine-readable', () => {
    const p = file('nodefault.json', { routes: [{ name: 'a', path: '/a' }] });
    assert.equal(cli('lint', p).code, 0);
    const strict = cli('lint', '--strict', '--json', p);
    assert.equal(strict.code, 1);
    const report = JSON.parse(strict.stdout);
    assert.deepEqual(report.counts, { error: 0, warning: 1, info: 0 });
    assert.equal(report.findings[0].path, 'default');
  });

  test('usage errors → 2', () => {
    assert.equal(cli('lint').code, 2);
    assert.equal(cli('lint', '--no-such-flag', 'x.json').code, 2);
  });
});

/** lint's findings for routes (with a default and no series budget, so only the rule under test fires), from the real .wasm. */
let seq = 0;
async function lintRoutes(routes: unknown[], extra: object = {}): Promise<Finding[]> {
  const { report } = await runLint({ config: [file(`routes-${seq++}.json`, { default: 'other', routes, ...extra })], maxSeries: Number.MAX_SAFE_INTEGER });
  assert.equal(report.accepted, true, JSON.stringify(report.findings));
  return report.findings;
}
const about = (fs: Finding[], word: RegExp) => fs.filter((f) => word.test(f.message));

/** The request and winner an unreachable / overlap finding names, e.g. "(e.g. GET /users/rm-probe → routes[0])". */
function exampleOf(f: Finding): { method: string; path: string; winner: number } {
  const m = /e\.g\. ([A-Z]+) (\S+) → routes\[(\d+)\]\)$/.exec(f.message) ?? /both match ([A-Z]+) (\S+): the plugin gives it to routes\[(\d+)\]/.exec(f.message);
  assert.ok(m, f.message);
  return { method: m![1]!, path: m![2]!, winner: Number(m![3]) };
}

describe('lint: unreachable routes, as the plugin classifies them', () => {
  test('same pattern (parameter names aside), method and conditions as an earlier route', async () => {
    const fs = await lintRoutes([{ name: 'a', method: 'GET', path: '/users/{id}' }, { name: 'b', method: 'GET', path: '/users/{uid}' }]);
    const w = only(fs, 'warning');
    assert.equal(w.length, 1, JSON.stringify(fs));
    assert.equal(w[0]!.path, 'routes[1]');
    assert.match(w[0]!.message, /^unreachable: every request routes\[1\] \("b"\) matches \(GET path "\/users\/\{uid\}"\) goes to routes\[0\] \("a"\) in the plugin/);
  });

  test('every finding is confirmed by the filter: its example request classifies as the route it names', async () => {
    const routes = [
      { name: 'a', method: 'GET', path: '/users/{id}' }, { name: 'b', method: 'GET', path: '/users/*' },
      { name: 'me', method: 'GET', path: '/users/me' },
      { name: 'static', path: '/static/**' }, { name: 'js', method: 'GET', path_prefix: '/static/js/' },
      { name: 'r1', path_regex: '^/v[0-9]+/x' }, { name: 'r2', method: 'GET', path_regex: '^/v[0-9]+/x' },
    ];
    const fs = await lintRoutes(routes);
    assert.deepEqual(about(fs, /^unreachable/).map((f) => f.path), ['routes[1]', 'routes[4]', 'routes[6]']);
    const host = await startFilter({ routes });
    try {
      for (const f of [...about(fs, /^unreachable/), ...about(fs, /both match/)]) {
        const { method, path, winner } = exampleOf(f);
        assert.equal(host.request({ method, path }).filterState['wasm.istio_operationId'], routes[winner]!.name, f.message);
      }
    } finally {
      host.stop();
    }
  });

  test('methods covered by several earlier routes together', async () => {
    const fs = await lintRoutes([{ name: 'g', method: 'GET', path: '/a' }, { name: 'h', method: 'HEAD', path: '/a' }, { name: 'gh', method: ['GET', 'HEAD'], path: '/a' }]);
    const w = only(fs, 'warning');
    assert.equal(w.length, 1);
    assert.match(w[0]!.message, /goes to routes\[0\] \("g"\) and routes\[1\] \("h"\) in the plugin, which are tried first/);
  });

  test('a route with MORE conditions is tried first; an any-method route keeps the methods nobody else takes', async () => {
    const fs = await lintRoutes([{ name: 'any', path: '/a' }, { name: 'get', method: 'GET', path: '/a' }, { name: 'beta', path: '/a', headers: [{ name: 'x-user', value: 'b' }] }]);
    assert.equal(only(fs, 'warning').length, 0, JSON.stringify(fs));
  });

  test('an earlier any-method route with the same conditions shadows a later one', async () => {
    const fs = await lintRoutes([{ name: 'q', path: '/a', query_params: [{ name: 'v', value: '1' }] }, { name: 'q2', path: '/a', query_params: [{ name: 'v', value: '1' }] }]);
    assert.deepEqual(about(fs, /^unreachable/).map((f) => f.path), ['routes[1]']);
  });

  test('a prefix inside a catch-all template is never reached; a shorter prefix is', async () => {
    const fs = await lintRoutes([{ name: 'static', path: '/static/**' }, { name: 'js', method: 'GET', path_prefix: '/static/js/' }, { name: 'stat', path_prefix: '/stat' }]);
    assert.deepEqual(only(fs, 'warning').map((f) => f.path), ['routes[1]']);
  });

  test('a regex equal to an earlier template of the same methods is never reached; with other methods it is', async () => {
    const shadowed = await lintRoutes([{ name: 'u', path: '/users/{id}' }, { name: 'r', path_regex: '^/users/[^/]+$' }]);
    assert.deepEqual(about(shadowed, /^unreachable/).map((f) => f.path), ['routes[1]']);
    const reachable = await lintRoutes([{ name: 'u', method: 'GET', path: '/users/{id}' }, { name: 'r', path_regex: '^/users/[^/]+$' }]);
    assert.deepEqual(about(reachable, /^unreachable/), []);
    assert.deepEqual(about(reachable, /both match/).map((f) => f.path), ['routes[1], routes[0]']);
  });

  test('regex routes with the same text are tried in config order, whatever their conditions', async () => {
    const fs = await lintRoutes([{ name: 'r1', path_regex: '^/v[0-9]+/x' }, { name: 'r2', method: 'GET', path_regex: '^/v[0-9]+/x' }]);
    assert.deepEqual(about(fs, /^unreachable/).map((f) => f.path), ['routes[1]']);
  });

  test('header and query conditions are satisfied by the probe requests (exact values and regex examples)', async () => {
    const fs = await lintRoutes([
      { name: 'plain', path: '/app/{x}' },
      { name: 'beta', path: '/app/{x}', headers: [{ name: 'x-user', type: 'RegularExpression', value: '^beta-[0-9]+$' }] },
      { name: 'beta again', path: '/app/{y}', headers: [{ name: 'x-user', type: 'RegularExpression', value: '^beta-[0-9]+$' }] },
      { name: 'host', path: '/app/{x}', headers: [{ name: ':authority', value: 'api.example.com' }], query_params: [{ name: 'v', value: '2' }] },
    ]);
    assert.deepEqual(about(fs, /^unreachable/).map((f) => f.path), ['routes[2]']);
    assert.match(about(fs, /^unreachable/)[0]!.message, /goes to routes\[1\] \("beta"\)/);
  });

  test('a route lint cannot build a request for is reported as not checked', async () => {
    const fs = await lintRoutes([{ name: 'ci', path_regex: '(?i)^/admin' }]);
    assert.deepEqual(fs.map((f) => [f.level, f.path]), [['info', 'routes[0]']]);
    assert.match(fs[0]!.message, /^not checked for reachability: lint could not build a request that routes\[0\] \("ci"\) matches \(path_regex "\(\?i\)\^\/admin"\)/);
  });
});

describe('lint: regexes that could be paths', () => {
  test('template, exact path and prefix equivalents are warnings with a suggestion', () => {
    const fs = lint([
      { name: 'u', path_regex: '^/users/[^/]+$' },
      { name: 'h', path_regex: '^/healthz$' },
      { name: 's', path_regex: '^/static/' },
    ]);
    const w = only(fs, 'warning');
    assert.deepEqual(w.map((f) => [f.path, f.suggestion]), [
      ['routes[0].path_regex', { path: '/users/{id}' }],
      ['routes[1].path_regex', { path: '/healthz' }],
      ['routes[2].path_regex', { path_prefix: '/static/' }],
    ]);
    assert.match(w[0]!.message, /is a template/);
    assert.match(w[1]!.message, /is an exact path/);
  });

  test('a stricter character class is only an info (the template would be looser)', () => {
    const fs = lint([{ name: 'r', path_regex: '^/reviews/[[:alnum:]]*$' }]);
    assert.deepEqual(fs.map((f) => [f.level, f.suggestion]), [['info', { path: '/reviews/{id}' }]]);
  });

  test('regexes that are not paths are left alone', () => {
    for (const re of ['^/v[0-9]+/legacy/', '/x', '^/a/.+/b$', '^/files/[^/]+[^/]+$', '^/x|^/y', '^/a/\\*$', '^/a/\\{x\\}$']) {
      assert.equal(suggestPathForRegex(re), null, re);
    }
    assert.deepEqual(suggestPathForRegex('^/static\\*'), { kind: 'path_prefix', value: '/static*', equivalent: true });
    assert.deepEqual(suggestPathForRegex('^/static(/.*)?$'), { kind: 'path', value: '/static/**', equivalent: true });
  });

  test('a parameter inside a segment is a mixed segment of a template', () => {
    assert.deepEqual(suggestPathForRegex('^/files/[^/]+\\.json$'), { kind: 'path', value: '/files/{id}.json', equivalent: true });
    assert.deepEqual(suggestPathForRegex('^/v1/[^/]+:cancel$'), { kind: 'path', value: '/v1/{id}:cancel', equivalent: true });
    assert.deepEqual(suggestPathForRegex('^/api/v[0-9]+/items$'), { kind: 'path', value: '/api/v{id}/items', equivalent: false });
    assert.deepEqual(suggestPathForRegex('^/r/[^/]+/[^/]+\\.[^/]+$'), { kind: 'path', value: '/r/{id}/{id2}.{id3}', equivalent: true });
  });
});

describe('lint: infos and defaults', () => {
  test('one name on different paths is an info', () => {
    const fs = lint([{ name: 'users', path: '/users' }, { name: 'users', path: '/people' }]);
    assert.deepEqual(fs.map((f) => [f.level, f.path]), [['info', 'routes[0], routes[1]']]);
  });

  test('overlapping templates: an info naming the route the plugin gives the shared request to', async () => {
    const fs = await lintRoutes([{ name: 'by id', method: 'GET', path: '/users/{id}' }, { name: 'me', method: 'GET', path: '/users/me' }]);
    const i = only(fs, 'info');
    assert.equal(i.length, 1, JSON.stringify(fs));
    assert.match(i[0]!.message, /^routes\[0\] \("by id"\) and routes\[1\] \("me"\) both match GET \/users\/me: the plugin gives it to routes\[1\]/);
  });

  test('disjoint method sets do not overlap', async () => {
    assert.deepEqual(await lintRoutes([{ name: 'a', method: 'GET', path: '/users/{id}' }, { name: 'b', method: 'POST', path: '/users/me' }]), []);
  });

  test('missing default is a warning', () => {
    const fs = lintConfig(JSON.stringify({ routes: [{ name: 'a', path: '/a' }] }));
    assert.deepEqual(fs.map((f) => [f.level, f.path]), [['warning', 'default']]);
  });
});

describe('lint: attributegen', () => {
  test('plain request conditions could be native routes (an info: --strict passes); the suggestion is a complete native config', async () => {
    const { report, exitCode } = await runLint({ config: [join(REPO, 'examples/config/attributegen.json')], strict: true });
    assert.equal(exitCode, 0, 'the attributegen form as it is passes the strict gate');
    const f = report.findings.find((x) => x.path === 'attributes[0]' && /could be native routes/.test(x.message))!;
    assert.equal(f.level, 'info');
    assert.deepEqual(f.suggestion, {
      output_attribute: 'istio_operationId',
      default: 'other',
      routes: [
        { name: 'GET /healthz', method: 'GET', path: '/healthz' },
        { name: 'POST /echo', method: 'POST', path: '/echo' },
      ],
    });
  });

  test('the suggested native config is accepted by the plugin and lints clean of conversions', async () => {
    const bookinfo = {
      attributes: [{
        output_attribute: 'istio_operationId',
        match: [
          { value: 'ListReviews', condition: "request.url_path == '/reviews' && request.method == 'GET'" },
          { value: 'GetReview', condition: "request.url_path.matches('^/reviews/[[:alnum:]]*$') && request.method == 'GET'" },
          { value: 'CreateReview', condition: "request.url_path == '/reviews/' && request.method == 'POST'" },
          { value: 'Other', condition: '' },
        ],
      }],
    };
    const fs = lintConfig(JSON.stringify(bookinfo));
    const f = fs.find((x) => /could be native routes/.test(x.message))!;
    assert.match(f.message, /^3 of 3 condition/);
    const suggestion = f.suggestion as { default: string; routes: unknown[] };
    assert.equal(suggestion.default, 'Other');
    assert.deepEqual(suggestion.routes[1], { name: 'GetReview', method: 'GET', path_regex: '^/reviews/[[:alnum:]]*$' });
    const { report } = await runLint({ config: [file('suggested.json', suggestion)] });
    assert.equal(report.accepted, true);
  });

  test('conditions that are not plain matches are not converted', () => {
    for (const c of ["response.code >= 500", "request.method == 'GET' || request.method == 'HEAD'", "request.path == '/x'", "!(request.method == 'GET')", "request.headers['x'].startsWith('a')"]) {
      assert.equal(conditionToRoute('v', c), null, c);
    }
    assert.deepEqual(conditionToRoute('v', "(request.method in ['GET', 'HEAD']) && request.url_path.startsWith('/static/') && request.headers['X-User'] == 'a'"), {
      name: 'v', method: ['GET', 'HEAD'], path_prefix: '/static/', headers: [{ name: 'x-user', value: 'a' }],
    });
  });

  test('an exact url_path the template syntax would read as a pattern becomes an anchored regex', () => {
    assert.deepEqual(conditionToRoute('v', "request.url_path == '/files/a{b}.json'"), { name: 'v', path_regex: '^/files/a\\{b\\}\\.json$' });
    assert.deepEqual(conditionToRoute('v', "request.url_path == '/a/x*'"), { name: 'v', path_regex: '^/a/x\\*$' });
    assert.deepEqual(conditionToRoute('v', "request.url_path == '/files/a.json'"), { name: 'v', path: '/files/a.json' });
  });

  test('missing default on istio_operationId is a warning', () => {
    const fs = lintConfig(JSON.stringify({ attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'x', condition: 'response.code >= 500' }] }] }));
    assert.deepEqual(fs.map((f) => [f.level, f.path]), [['warning', 'attributes[0]']]);
  });
});

describe('lint: scale', () => {
  test('10,000 templated routes: every route probed through the plugin, none reported', async () => {
    const routes = Array.from({ length: 10_000 }, (_, i) => ({ name: `op${i}`, method: 'GET', path: `/api/v1/res${i % 500}/{id}/sub${i}` }));
    const fs = await lintRoutes(routes);
    assert.deepEqual(fs, []);
  });
});
