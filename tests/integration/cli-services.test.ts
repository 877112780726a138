// The CLI with `services`: `openapi --service/--host` writes a service block and `--merge` adds
// one spec per service into one configuration (usage errors exit 2, impossible merges exit 1);
// `check --host` selects the service; `lint` asks the .wasm which service each host reaches and
// which route wins within a service, and every finding is confirmed by the filter.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runOpenApi } from '../../cli/commands/openapi.ts';
import { runCheck } from '../../cli/commands/check.ts';
import { runLint } from '../../cli/commands/lint.ts';
import { startFilter } from '../support/filter.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PETSTORE = join(REPO, 'tests/fixtures/openapi-petstore-plus.yaml');
const TEMPLATE_LIMITS = join(REPO, 'tests/fixtures/openapi-template-limits.yaml');
const BOOKSTORE = join(REPO, 'tests/fixtures/openapi-swagger2-bookstore.json');
const SERVICES = join(REPO, 'examples/config/services.json');
const OP = 'wasm.istio_operationId';

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', input, timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rm-services-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

type Config = { default?: string; routes?: unknown[]; services?: Array<{ name: string; hosts?: string[]; default?: string; routes: Array<{ name: string }> }> };

describe('openapi --service / --host / --merge', () => {
  test('--service NAME --host H… writes one service block with the spec\'s routes', async () => {
    const flat = JSON.parse((await runOpenApi(PETSTORE, {})).text) as Config;
    const r = await runOpenApi(PETSTORE, { service: 'pets', hosts: ['pets', 'pets.shop.svc.cluster.local', 'pets'] });
    const c = JSON.parse(r.text) as Config;
    assert.deepEqual(Object.keys(c), ['output_attribute', 'services']);
    assert.equal(c.services!.length, 1);
    assert.deepEqual(c.services![0]!.name, 'pets');
    assert.deepEqual(c.services![0]!.hosts, ['pets', 'pets.shop.svc.cluster.local']); // de-duplicated
    assert.deepEqual(c.services![0]!.routes, flat.routes);
  });

  test('--service without --host: the service for the hosts no other service claims', async () => {
    const c = JSON.parse((await runOpenApi(PETSTORE, { service: 'rest' })).text) as Config;
    assert.equal('hosts' in c.services![0]!, false);
  });

  test('one spec per service, merged through a pipe, is one configuration the plugin takes clean', async () => {
    const first = cli(['openapi', PETSTORE, '--service', 'pets', '--host', 'pets', '--host', '*.pets.example.com', '--default', 'other']);
    assert.equal(first.code, 0, first.stderr);
    const second = cli(['openapi', BOOKSTORE, '--service', 'books', '--host', 'books', '--merge', '-'], first.stdout);
    assert.equal(second.code, 0, second.stderr);
    const c = JSON.parse(second.stdout) as Config;
    assert.equal(c.default, 'other'); // kept from the first configuration
    assert.deepEqual(c.services!.map((s) => [s.name, s.hosts]), [['pets', ['pets', '*.pets.example.com']], ['books', ['books']]]);
    const host = await startFilter(c);
    try {
      assert.equal(host.gauge('route_config_errors'), 0n, host.logsAtLeast('warn').map((l) => l.message).join('\n'));
      assert.equal(host.request({ authority: 'pets:8080', method: 'GET', path: '/api/v1/pets/42' }).filterState[OP], 'GET /pets/{petId}');
      assert.equal(host.request({ authority: 'eu.pets.example.com', method: 'GET', path: '/api/v1/pets/42' }).filterState[OP], 'GET /pets/{petId}');
      assert.equal(host.request({ authority: 'books', method: 'GET', path: '/api/v1/pets/42' }).filterState[OP], 'other');
      assert.equal(host.request({ authority: 'elsewhere', method: 'GET', path: '/api/v1/pets/42' }).filterState[OP], 'other');
    } finally {
      host.stop();
    }
  });

  test('merging a service of the same name replaces it (regenerating is idempotent) and keeps its default', async () => {
    const base = file('base.json', { default: 'x', services: [{ name: 'pets', hosts: ['pets'], default: 'pets other', routes: [{ name: 'old', path: '/old' }] }, { name: 'b', hosts: ['b'], routes: [] }] });
    const r = await runOpenApi(PETSTORE, { service: 'pets', hosts: ['pets'], merge: base });
    const c = JSON.parse(r.text) as Config;
    assert.deepEqual(c.services!.map((s) => s.name), ['pets', 'b']);
    assert.equal(c.services![0]!.default, 'pets other');
    assert.ok(!c.services![0]!.routes.some((x) => x.name === 'old'));
    assert.ok(r.conversion.warnings.some((w) => w === `replaced services[0] ("pets") of ${base}`), r.conversion.warnings.join('\n'));
  });

  test('several specs without --service give one flat list; --merge appends to flat routes without duplicates', async () => {
    const both = JSON.parse((await runOpenApi([PETSTORE, BOOKSTORE], {})).text) as Config;
    const pets = JSON.parse((await runOpenApi(PETSTORE, {})).text) as Config;
    const books = JSON.parse((await runOpenApi(BOOKSTORE, {})).text) as Config;
    assert.deepEqual(both.routes, [...pets.routes!, ...books.routes!]);
    const base = file('flat.json', pets);
    const again = JSON.parse((await runOpenApi([PETSTORE, BOOKSTORE], { merge: base })).text) as Config;
    assert.deepEqual(again.routes, both.routes);
  });

  test('-o wasmplugin with --service: the pluginConfig holds the services, notes above the service\'s routes', async () => {
    const r = await runOpenApi(TEMPLATE_LIMITS, { service: 'pets', hosts: ['pets'], output: 'wasmplugin', targetGateway: 'shop-waypoint', namespace: 'shop' });
    const [doc] = parseAllDocuments(r.text).map((d) => d.toJS());
    assert.equal(doc.spec.pluginConfig.services[0].name, 'pets');
    assert.match(r.text, /^# Generated by route-metrics openapi from .* for the service "pets"$/m);
    assert.match(r.text, /# \/archives\/\{name\}\{format\}: two parameters with no text between them/);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['--host without --service', ['--host', 'pets'], /--host needs --service NAME/],
    ['a host with a port', ['--service', 'pets', '--host', 'pets:8080'], /--host "pets:8080": hosts are matched without the port: use "pets"/],
    ['an upper-case host', ['--service', 'pets', '--host', 'Pets.Example.com'], /use "pets.example.com"/],
    ['a bare *', ['--service', 'pets', '--host', '*'], /omit --host for the service that takes the requests no other service claims/],
    ['not a hostname', ['--service', 'pets', '--host', 'a_b'], /not a Gateway API hostname/],
    ['the unknown service name', ['--service', 'unknown'], /"unknown" is the destination_service_name of requests no service claims/],
  ];
  for (const [what, args, message] of usage) {
    test(`usage error (exit 2): ${what}`, () => {
      const r = cli(['openapi', PETSTORE, ...args]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }

  const impossible: Array<[string, unknown, string[], RegExp]> = [
    ['a host another service has', { services: [{ name: 'b', hosts: ['pets'], routes: [] }] }, ['--service', 'pets', '--host', 'pets'],
      /--host pets: already a host of services\[0\] \("b"\)/],
    ['a second service without hosts', { services: [{ name: 'b', routes: [] }] }, ['--service', 'pets'], /services\[0\] \("b"\) .* already takes the requests no other service claims/],
    ['a service into flat routes', { routes: [{ name: 'a', path: '/a' }] }, ['--service', 'pets', '--host', 'pets'], /has flat "routes", and a configuration has either "routes" or "services"/],
    ['flat routes into services', { services: [{ name: 'b', hosts: ['b'], routes: [] }] }, [], /has "services": give --service NAME/],
    ['routes into an attributegen configuration', { attributes: [] }, ['--service', 'pets'], /an attributegen configuration cannot take native routes/],
  ];
  for (const [what, base, args, message] of impossible) {
    test(`--merge refuses (exit 1): ${what}`, () => {
      const r = cli(['openapi', PETSTORE, ...args, '--merge', file('merge.json', base)]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
    });
  }

  test('--merge reads a WasmPlugin too, and reports a missing file', async () => {
    const wp = file('wp.yaml', 'apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: x}\nspec:\n  url: oci://r/x:1\n  pluginConfig:\n    services: [{name: b, hosts: [b], routes: []}]\n');
    const c = JSON.parse((await runOpenApi(PETSTORE, { service: 'pets', hosts: ['pets'], merge: wp })).text) as Config;
    assert.deepEqual(c.services!.map((s) => s.name), ['b', 'pets']);
    const r = cli(['openapi', PETSTORE, '--merge', join(dir, 'nope.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--merge .*nope\.json: no such file/);
  });
});

describe('check --host', () => {
  test('selects the service; the report names it and the route by JSON path', async () => {
    const { report } = await runCheck({ config: [SERVICES], method: 'GET', path: '/status/503', host: 'httpbin.podinfo:8000', status: 503 });
    assert.equal(report.route, 'GET /status/{code}');
    assert.deepEqual(report.service, { name: 'httpbin', path: 'services[1]' });
    assert.deepEqual(report.matched, { path: 'services[1].routes[3]', entry: { name: 'GET /status/{code}', method: 'GET', path: '/status/{code}' } });
    const counter = report.metrics.find((m) => m.name === 'route_requests_total')!;
    assert.deepEqual(counter.labels, { destination_service_name: 'httpbin', route_name: 'GET /status/{code}', response_class: '5xx' });
  });

  test('the same path on another host is another service\'s route; an unclaimed host is no service', async () => {
    const podinfo = await runCheck({ config: [SERVICES], method: 'GET', path: '/healthz', host: 'podinfo' });
    assert.deepEqual(podinfo.report.service, { name: 'podinfo', path: 'services[0]' });
    assert.equal(podinfo.report.matched!.path, 'services[0].routes[0]');
    const none = await runCheck({ config: [SERVICES], method: 'GET', path: '/healthz', host: 'nowhere', expect: 'other' });
    assert.equal(none.report.service, null);
    assert.equal(none.exitCode, 0);
  });

  test('text output, and a usage error for --host together with a host header', () => {
    const r = cli(['check', SERVICES, '--host', 'a.preview.example.com', 'GET', '/healthz']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^service\s+"podinfo-preview" \(services\[2\]\)$/m);
    assert.match(r.stdout, /^request\s+GET \/healthz on a\.preview\.example\.com/m);
    const both = cli(['check', SERVICES, '--host', 'podinfo', '-H', 'host=httpbin', 'GET', '/healthz']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--host and a host \/ :authority header both set the request's authority/);
  });
});

describe('lint with services', () => {
  const BAD = {
    default: 'other',
    services: [
      { name: 'a', hosts: ['a', 'shared', 'x.example.com'], routes: [{ name: 'users', path: '/users/{id}' }, { name: 'me', path: '/users/{uid}' }] },
      { name: 'b', hosts: ['shared', '*.example.com'], routes: [{ name: 'users', path: '/users/{id}' }] },
      { name: 'a', hosts: ['c'], routes: [] },
      { name: 'rest', routes: [{ name: 'any', path_prefix: '/' }] },
    ],
  };

  test('duplicate hosts, unreachable services and shadowed routes, as the plugin decides them', async () => {
    const { report, exitCode } = await runLint({ config: [file('bad.json', BAD)] });
    assert.equal(exitCode, 1);
    const by = (level: string) => report.findings.filter((f) => f.level === level).map((f) => `${f.path}: ${f.message}`);
    assert.deepEqual(by('error'), [
      'services[1].hosts[0]: "shared" is already a host of services[0] ("a", at services[0].hosts[1]): a host belongs to one service',
      'services[2].name: "a" is already the name of services[0]: service names are distinct',
    ]);
    assert.deepEqual(by('warning'), [
      'services[1].hosts[0]: "shared": a request for shared goes to services[0] ("a") in the plugin, not to services[1] ("b")',
      'services[2].hosts[0]: "c": a request for c goes to services[3] ("rest") in the plugin, not to services[2] ("a")',
      'services[2]: unreachable: no request reaches services[2] ("a") in the plugin (see its config errors)',
      'services[0].routes[1]: unreachable: every request services[0].routes[1] ("me") matches (any method path "/users/{uid}") goes to services[0].routes[0] ("users") in the plugin, which is tried first (e.g. GET /users/rm-probe → services[0].routes[0])',
    ]);
    assert.deepEqual(by('info'), [
      'services[1], services[0]: "*.example.com" of services[1] ("b") also covers "x.example.com" of services[0] ("a"): an exact host wins over a wildcard',
    ]);
  });

  test('the findings are confirmed by the filter', async () => {
    const host = await startFilter({ ...BAD, debug: true });
    try {
      const service = (authority: string) => /→ service "([^"]*)" \((services\[\d+\])\)/.exec(host.request({ authority, path: '/' }).logs[0]!.message)?.[2];
      assert.equal(service('shared'), 'services[0]');
      assert.equal(service('c'), 'services[3]');
      assert.equal(service('x.example.com'), 'services[0]');
      assert.equal(host.request({ authority: 'a', path: '/users/rm-probe' }).filterState[OP], 'users');
    } finally {
      host.stop();
    }
  });

  test('a route name used by two services is no finding; a missing default is, and so is a service without its own', async () => {
    const ok = { default: 'other', services: [{ name: 'a', hosts: ['a'], routes: [{ name: 'GET /x', path: '/x' }] }, { name: 'b', routes: [{ name: 'GET /x', path: '/x' }] }] };
    const clean = await runLint({ config: [file('ok.json', ok)], strict: true });
    assert.deepEqual(clean.report.findings, []);
    assert.equal(clean.exitCode, 0);
    const { default: _d, ...noDefault } = ok;
    const w = (await runLint({ config: [file('nodefault.json', noDefault)] })).report.findings.filter((f) => f.level === 'warning');
    assert.deepEqual(w.map((f) => [f.path, f.message]), [['default',
      'not set: unmatched requests of services[0], services[1] leave istio_operationId unset and Istio labels them "unknown" (set "default", e.g. "other", to name them)']]);
  });

  test('the services example lints clean under --strict but for the info about unclaimed hosts', async () => {
    const { report, exitCode } = await runLint({ config: [SERVICES], strict: true });
    assert.equal(exitCode, 0);
    assert.deepEqual(report.findings.map((f) => f.level), ['info']);
    assert.match(report.findings[0]!.message, /no service without "hosts": requests for other hosts are counted as destination_service_name="unknown"/);
  });
});
