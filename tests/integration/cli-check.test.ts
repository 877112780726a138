// `route-metrics check`: one request through the real .wasm — the route attribute, the route or
// condition that decided (from the plugin's own debug decision line), the metrics it recorded,
// and the exit codes of --expect / --expect-none / a configuration with errors.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../cli/commands/check.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NATIVE = join(REPO, 'examples/config/native.json');
const ATTRIBUTEGEN = join(REPO, 'examples/config/attributegen.json');
const LOCAL = join(REPO, 'examples/config/wasmplugin-local.yaml');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rm-check-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('check: native routes', () => {
  test('prints the route, the matching route entry, the decision and the metrics', () => {
    const r = cli('check', NATIVE, 'GET', '/users/42?expand=1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /route\s+"GET \/users\/\{id\}"/);
    assert.match(r.stdout, /matched\s+routes\[2\] \{"name":"GET \/users\/\{id\}","method":\["GET","HEAD"\],"path":"\/users\/\{id\}"\}/);
    assert.match(r.stdout, /decision\s+GET \/users\/42\?expand=1 → istio_operationId="GET \/users\/\{id\}" \(routes\[2\]\)/);
    assert.match(r.stdout, /route_requests_total\{route_name="GET \/users\/\{id\}",response_class="2xx"\} 1/);
    assert.match(r.stdout, /route_request_duration_milliseconds\{route_name="GET \/users\/\{id\}"\} histogram: 1 sample\(s\) \[12\]/);
  });

  test('status and duration shape the metrics', async () => {
    const { report, exitCode } = await runCheck({ config: [NATIVE], method: 'POST', path: '/echo', status: 503, durationMs: 250 });
    assert.equal(exitCode, 0);
    assert.equal(report.route, 'POST /echo');
    const counter = report.metrics.find((m) => m.name === 'route_requests_total')!;
    assert.deepEqual(counter.labels, { route_name: 'POST /echo', response_class: '5xx' });
    const hist = report.metrics.find((m) => m.name === 'route_request_duration_milliseconds')!;
    assert.deepEqual(hist.samples, [250]);
  });

  test('headers reach header conditions', async () => {
    const config = join(dir, 'beta.json');
    writeFileSync(config, JSON.stringify({ routes: [{ name: 'beta', path_prefix: '/app/', headers: [{ name: 'x-user', type: 'RegularExpression', value: '^beta-[0-9]+$' }] }] }));
    const hit = await runCheck({ config: [config], method: 'GET', path: '/app/x', headers: ['x-user=beta-7'] });
    assert.equal(hit.report.route, 'beta');
    assert.deepEqual(hit.report.matched, { path: 'routes[0]', entry: { name: 'beta', path_prefix: '/app/', headers: [{ name: 'x-user', type: 'RegularExpression', value: '^beta-[0-9]+$' }] } });
    const miss = await runCheck({ config: [config], method: 'GET', path: '/app/x', headers: ['x-user: alpha'] });
    assert.equal(miss.report.route, null);
  });

  test('an unmatched request: the default ("other") in filter state, the plugin\'s metrics under "unknown"', async () => {
    const { report } = await runCheck({ config: [NATIVE], method: 'DELETE', path: '/users/1' });
    assert.equal(report.route, 'other');
    assert.equal(report.unmatched, true);
    assert.equal(report.matched, null);
    assert.ok(report.decisions.some((d) => d.includes('no route matched') && d.endsWith('(default)')));
    assert.ok(report.metrics.some((m) => m.labels.route_name === 'unknown'));
  });

  test('an unmatched request without a default: attribute unset', async () => {
    const config = join(dir, 'no-default.json');
    writeFileSync(config, JSON.stringify({ routes: [{ name: 'GET /a', method: 'GET', path: '/a' }] }));
    const { report } = await runCheck({ config: [config], method: 'GET', path: '/b' });
    assert.equal(report.route, null);
    assert.equal(report.unmatched, true);
    assert.equal((await runCheck({ config: [config], method: 'GET', path: '/a' })).report.unmatched, false);
  });

  test('a path without the leading "/" or a method that is no token: usage error 2, nothing runs', () => {
    const noSlash = cli('check', NATIVE, 'GET', 'users');
    assert.equal(noSlash.code, 2);
    assert.match(noSlash.stderr, /path "users": a request path starts with "\/" \(did you mean "\/users"\?\)/);
    assert.equal(noSlash.stdout, '');
    const url = cli('check', NATIVE, 'GET', 'http://shop.example.com/users/1?x=1');
    assert.equal(url.code, 2);
    assert.match(url.stderr, /give the path alone, e.g\. "\/users\/1\?x=1"; the host goes in -H host=/);
    assert.equal(cli('check', NATIVE, 'GET /x', '/x').code, 2);
    assert.equal(cli('check', NATIVE, 'OPTIONS', '*').code, 0, 'OPTIONS * is a valid request line');
    assert.equal(cli('check', NATIVE, 'GET', '*').code, 2);
  });

  test('a WasmPlugin YAML works as the config', () => {
    const r = cli('check', LOCAL, 'GET', '/delay/200', '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.route, 'GET /delay/{ms}');
    assert.equal(report.attribute, 'wasm.istio_operationId');
    assert.equal(report.filterState['wasm.istio_operationId'], 'GET /delay/{ms}');
  });
});

describe('check: attributegen', () => {
  test('names the condition that matched', async () => {
    const { report } = await runCheck({ config: [ATTRIBUTEGEN], method: 'POST', path: '/echo' });
    assert.equal(report.route, 'POST /echo');
    assert.equal(report.config.form, 'attributegen');
    assert.equal(report.matched?.path, 'attributes[0].match[1]');
    assert.equal((report.matched?.entry as { condition: string }).condition, "request.method == 'POST' && request.url_path == '/echo'");
  });
});

describe('check: exit codes', () => {
  test('--expect met → 0, mismatch → 1', () => {
    assert.equal(cli('check', NATIVE, 'GET', '/healthz', '--expect', 'GET /healthz').code, 0);
    const miss = cli('check', NATIVE, 'GET', '/nowhere', '--expect', 'GET /healthz');
    assert.equal(miss.code, 1);
    assert.match(miss.stdout, /expectation FAILED: wanted "GET \/healthz", got "other" \(the default: no route matched\)/);
  });

  test('--expect-none: no route matched, also when the default was written', () => {
    assert.equal(cli('check', NATIVE, 'GET', '/nowhere', '--expect-none').code, 0);
    assert.equal(cli('check', NATIVE, 'GET', '/healthz', '--expect-none').code, 1);
    assert.equal(cli('check', ATTRIBUTEGEN, 'GET', '/nowhere', '--expect-none').code, 0, 'the empty-condition match is the default');
    assert.equal(cli('check', ATTRIBUTEGEN, 'POST', '/echo', '--expect-none').code, 1);
  });

  test('a configuration with errors → 1 with the plugin\'s error lines, although a proxy would run its valid part', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"routes":[{"name":"x","path":"/a/{b"},{"name":"a","path":"/a"}]}');
    const r = cli('check', bad, 'GET', '/a');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configuration has errors \(a proxy would run it without the parts at fault\)/);
    assert.match(r.stderr, /route-metrics: config error: routes\[0\]\.path: unclosed '\{' at column 4/);
    assert.match(r.stderr, /route-metrics: configuration accepted with 1 error; dropped: routes\[0\]/);
  });

  test('a configuration the plugin rejects ("strict": true) → 1 with the plugin\'s error lines', () => {
    const bad = join(dir, 'strict.json');
    writeFileSync(bad, '{"strict":true,"routes":[{"name":"x","path":"/a/{b"}]}');
    const r = cli('check', bad, 'GET', '/a');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /configuration rejected/);
    assert.match(r.stderr, /route-metrics: config error: routes\[0\]\.path: unclosed '\{' at column 4/);
  });

  test('usage errors → 2', () => {
    assert.equal(cli('check', NATIVE, 'GET').code, 2); // missing <path>
    assert.equal(cli('check', NATIVE, 'GET', '/x', '--status', 'abc').code, 2);
    assert.equal(cli('check', NATIVE, 'GET', '/x', '--header', 'novalue').code, 2);
  });

  test('a missing file → 1 with its name', () => {
    const r = cli('check', join(dir, 'nope.yaml'), 'GET', '/');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nope\.yaml: no such file/);
  });
});
