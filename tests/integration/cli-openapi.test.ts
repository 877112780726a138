// `route-metrics openapi`: routes from the OpenAPI 3.0 and Swagger 2.0 fixtures — base paths,
// templates (mixed segments such as {name}.{ext} included), operationId naming, the paths a template
// cannot express as regexes with a note — and the generated
// configuration / manifests checked for real: accepted and matched by the .wasm, valid YAML that
// passes the Istio CRD schemas (../shared/schemas, when present).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import SwaggerParser from '@apidevtools/swagger-parser';
import { runOpenApi } from '../../cli/commands/openapi.ts';
import { pathCondition, serverBasePath } from '../../cli/analysis/openapi-routes.ts';
import { removeExamples } from '../../cli/analysis/openapi-load.ts';
import { startFilter } from '../support/filter.ts';
import { sharedPath } from '../support/shared-data.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PETSTORE = join(REPO, 'tests/fixtures/openapi-petstore-plus.yaml');
const BOOKSTORE = join(REPO, 'tests/fixtures/openapi-swagger2-bookstore.json');
const TEMPLATE_LIMITS = join(REPO, 'tests/fixtures/openapi-template-limits.yaml');
const SCHEMAS = sharedPath('schemas');
const OP = 'wasm.istio_operationId';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Route = { name: string; method: string; path?: string; path_regex?: string };

describe('openapi: OpenAPI 3.0 (petstore-plus)', () => {
  let routes: Route[];
  let warnings: string[];
  before(async () => {
    const r = await runOpenApi(PETSTORE, {});
    routes = JSON.parse(r.text).routes;
    warnings = r.conversion.warnings;
  });

  test('one route per path and method, under the servers\' base path, named "<METHOD> <template>"', () => {
    assert.deepEqual(routes.map((r) => [r.name, r.method, r.path ?? r.path_regex]), [
      ['GET /pets', 'GET', '/api/v1/pets'],
      ['POST /pets', 'POST', '/api/v1/pets'],
      ['GET /pets/{petId}', 'GET', '/api/v1/pets/{petId}'],
      ['PUT /pets/{petId}', 'PUT', '/api/v1/pets/{petId}'],
      ['DELETE /pets/{petId}', 'DELETE', '/api/v1/pets/{petId}'],
      ['GET /pets/{petId}/photos/{photoId}', 'GET', '/api/v1/pets/{petId}/photos/{photoId}'],
      ['DELETE /pets/{petId}/photos/{photoId}', 'DELETE', '/api/v1/pets/{petId}/photos/{photoId}'],
      ['GET /pets/mine', 'GET', '/api/v1/pets/mine'],
      ['GET /files/{name}.{ext}', 'GET', '/api/v1/files/{name}.{ext}'],
      ['GET /health', 'GET', '/health'], // path-level servers override: served at the root
    ]);
  });

  test('a parameter inside a segment stays a template (a mixed segment), without a note', () => {
    assert.equal(routes[8]!.path_regex, undefined);
    assert.ok(!warnings.some((w) => w.startsWith('GET /files/')), warnings.join('\n'));
  });

  test('the generated config is accepted by the plugin and classifies real paths', async () => {
    const host = await startFilter({ routes });
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.gauge('route_config_errors'), 0n, host.logsAtLeast('error').map((l) => l.message).join('\n'));
    const cases: [string, string, string | undefined][] = [
      ['GET', '/api/v1/pets?limit=5', 'GET /pets'],
      ['POST', '/api/v1/pets', 'POST /pets'],
      ['GET', '/api/v1/pets/42', 'GET /pets/{petId}'],
      ['GET', '/api/v1/pets/mine', 'GET /pets/mine'], // the literal segment wins over {petId}
      ['DELETE', '/api/v1/pets/42/photos/7', 'DELETE /pets/{petId}/photos/{photoId}'],
      ['GET', '/api/v1/files/report.csv', 'GET /files/{name}.{ext}'],
      ['GET', '/api/v1/files/report', undefined],
      ['GET', '/health', 'GET /health'],
      ['GET', '/pets', undefined], // without the base path
      ['PATCH', '/api/v1/pets/42', undefined],
    ];
    for (const [method, path, expected] of cases) {
      assert.equal(host.request({ method, path }).filterState[OP], expected, `${method} ${path}`);
    }
  });

  test('--name-style operationId, with the template name where an operation has none', async () => {
    const r = await runOpenApi(PETSTORE, { nameStyle: 'operationId' });
    const names = JSON.parse(r.text).routes.map((x: Route) => x.name);
    assert.deepEqual(names, ['listPets', 'createPet', 'getPet', 'updatePet', 'deletePet', 'getPetPhoto', 'DELETE /pets/{petId}/photos/{photoId}', 'listMyPets', 'downloadFile', 'health']);
    assert.ok(r.conversion.warnings.some((w) => w.includes('no operationId')));
  });

  test('--prefix-base-path puts the base path into the names; --base-path replaces it', async () => {
    const prefixed = JSON.parse((await runOpenApi(PETSTORE, { prefixBasePath: true })).text).routes as Route[];
    assert.equal(prefixed[0]!.name, 'GET /api/v1/pets');
    const rebased = JSON.parse((await runOpenApi(PETSTORE, { basePath: '/petstore' })).text).routes as Route[];
    assert.equal(rebased[2]!.path, '/petstore/pets/{petId}');
    assert.equal(rebased[9]!.path, '/petstore/health');
    const none = JSON.parse((await runOpenApi(PETSTORE, { basePath: '' })).text).routes as Route[];
    assert.equal(none[0]!.path, '/pets');
  });

  test('--default is written', async () => {
    assert.equal(JSON.parse((await runOpenApi(PETSTORE, { default: 'other' })).text).default, 'other');
  });
});

describe('openapi: Swagger 2.0 (bookstore)', () => {
  test('basePath honoured; parameter names the template syntax does not allow are sanitized', async () => {
    const r = await runOpenApi(BOOKSTORE, { nameStyle: 'operationId' });
    assert.equal(r.conversion.format, 'Swagger 2.0');
    assert.deepEqual(r.conversion.basePaths, ['/store']);
    const routes = JSON.parse(r.text).routes as Route[];
    assert.deepEqual(routes.map((x) => [x.name, x.method, x.path]), [
      ['ListShelves', 'GET', '/store/shelves'],
      ['CreateShelf', 'POST', '/store/shelves'],
      ['GetShelf', 'GET', '/store/shelves/{shelf}'],
      ['DELETE /shelves/{shelf}', 'DELETE', '/store/shelves/{shelf}'],
      ['GetBook', 'GET', '/store/shelves/{shelf}/books/{book_id}'],
      ['UpdateBook', 'PATCH', '/store/shelves/{shelf}/books/{book_id}'],
    ]);
    const host = await startFilter({ routes });
    assert.equal(host.configured, true, host.startError);
    assert.equal(host.gauge('route_config_errors'), 0n, host.logsAtLeast('error').map((l) => l.message).join('\n'));
    assert.equal(host.request({ method: 'GET', path: '/store/shelves/fiction/books/42' }).filterState[OP], 'GetBook');
  });
});

describe('openapi: manifests', () => {
  const validators = existsSync(SCHEMAS)
    ? (() => {
        const ajv = new Ajv({ strict: false, allErrors: true });
        return {
          WasmPlugin: ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'wasmplugin.v1alpha1.json'), 'utf8'))),
          Telemetry: ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'telemetry.v1.json'), 'utf8'))),
        };
      })()
    : null;

  test('-o all: a WasmPlugin and a Telemetry, valid YAML, CRD-valid, targetRefs to the waypoint', () => {
    const r = cli('openapi', PETSTORE, '-o', 'all', '--name-style', 'operationId', '--target-gateway', 'petstore-waypoint', '--namespace', 'pets');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /note: GET \/files\//);
    const docs = parseAllDocuments(r.stdout).map((d) => {
      assert.deepEqual(d.errors, []);
      return d.toJS() as Record<string, any>;
    });
    assert.deepEqual(docs.map((d) => d.kind), ['WasmPlugin', 'Telemetry']);
    const [wp, tel] = docs as [Record<string, any>, Record<string, any>];
    assert.deepEqual(wp.metadata, { name: 'route-metrics', namespace: 'pets' });
    assert.deepEqual(wp.spec.targetRefs, [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'petstore-waypoint' }]);
    assert.equal(wp.spec.pluginName, 'route-metrics');
    assert.equal(wp.spec.phase, 'AUTHN');
    assert.equal(wp.spec.pluginConfig.routes.length, 10);
    assert.deepEqual(tel.spec.targetRefs, wp.spec.targetRefs);
    assert.deepEqual(tel.spec.metrics[0].overrides[0], {
      match: { metric: 'REQUEST_COUNT', mode: 'CLIENT_AND_SERVER' },
      tagOverrides: { route_name: { value: "filter_state['wasm.istio_operationId']" } },
    });
    if (validators) {
      assert.ok(validators.WasmPlugin(wp), JSON.stringify(validators.WasmPlugin.errors));
      assert.ok(validators.Telemetry(tel), JSON.stringify(validators.Telemetry.errors));
    }
  });

  test('-o wasmplugin with a selector; -o telemetry alone', () => {
    const wp = cli('openapi', BOOKSTORE, '-o', 'wasmplugin', '--selector', 'app=bookstore,version=v2');
    assert.equal(wp.code, 0, wp.stderr);
    const [doc] = parseAllDocuments(wp.stdout).map((d) => d.toJS() as Record<string, any>);
    assert.deepEqual(doc!.spec.selector, { matchLabels: { app: 'bookstore', version: 'v2' } });
    if (validators) assert.ok(validators.WasmPlugin(doc), JSON.stringify(validators.WasmPlugin.errors));
    const tel = cli('openapi', BOOKSTORE, '-o', 'telemetry', '--tag', 'request_operation');
    const [t] = parseAllDocuments(tel.stdout).map((d) => d.toJS() as Record<string, any>);
    assert.equal(t!.kind, 'Telemetry');
    assert.ok('request_operation' in t!.spec.metrics[0].overrides[1].tagOverrides);
    assert.match(tel.stdout, /# No targetRefs\/selector: applies to every workload in the namespace/);
    if (validators) assert.ok(validators.Telemetry(t), JSON.stringify(validators.Telemetry.errors));
  });

  test('the default output is JSON that `lint` accepts', () => {
    const r = cli('openapi', PETSTORE);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).routes.length, 10);
  });

  test('usage and input errors', () => {
    assert.equal(cli('openapi', PETSTORE, '--target-gateway', 'w', '--selector', 'app=x').code, 2);
    assert.equal(cli('openapi', PETSTORE, '-o', 'helm').code, 2);
    assert.equal(cli('openapi', PETSTORE, '--selector', 'app').code, 2);
    const missing = cli('openapi', join(REPO, 'tests/fixtures/no-such-spec.yaml'));
    assert.equal(missing.code, 1);
    const notSpec = cli('openapi', join(REPO, 'examples/config/native.json'));
    assert.equal(notSpec.code, 1);
    assert.match(notSpec.stderr, /route-metrics: /);
  });
});

describe('openapi: base paths and path conditions', () => {
  test('server URLs: absolute, relative, with variables, root', () => {
    assert.equal(serverBasePath({ url: 'https://x.example.com/api/v1/' }), '/api/v1');
    assert.equal(serverBasePath({ url: '/v2' }), '/v2');
    assert.equal(serverBasePath({ url: 'v2' }), '/v2');
    assert.equal(serverBasePath({ url: 'https://x.example.com' }), '');
    assert.equal(serverBasePath({ url: '{scheme}://x/{base}', variables: { scheme: { default: 'https' }, base: { default: 'api' } } }), '/api');
  });

  test('templates, partial segments, literal wildcards', () => {
    assert.deepEqual(pathCondition('/api', '/users/{id}'), { path: '/api/users/{id}' });
    assert.deepEqual(pathCondition('', '/v{major}/items'), { path: '/v{major}/items' });
    assert.deepEqual(pathCondition('/api', '/files/{file.name}.{ext}'), { path: '/api/files/{file_name}.{ext}' });
    assert.deepEqual(pathCondition('', '/v1/{name}:cancel'), { path: '/v1/{name}:cancel' });
    assert.deepEqual(pathCondition('', '/r/{id}/x{id}y'), { path: '/r/{id}/x{id_}y' });
    assert.deepEqual(pathCondition('', '/a/{x}{y}'), { path_regex: '^/a/[^/]+[^/]+$',
      note: "/a/{x}{y}: two parameters with no text between them ('{x}{y}') cannot be told apart in a template; matched with a regex" });
    assert.deepEqual(pathCondition('', '/a/*'), { path_regex: '^/a/\\*$', note: "/a/*: the literal segment '*' would be a wildcard in a template; matched with a regex" });
    assert.equal(pathCondition('', '/a/{x}.*').note, "/a/{x}.*: '*' is not literal text in a template; matched with a regex");
    assert.equal(pathCondition('', '/a/b c').path_regex, '^/a/b c$');
    assert.deepEqual(pathCondition('', '/a/{x}/{x}'), { path: '/a/{x}/{x_}' });
  });
});

describe('openapi: paths at the edge of templates', () => {
  test('mixed segments are templates; what a template cannot say is a regex, with a note in the YAML and on stderr', async () => {
    const r = cli('openapi', TEMPLATE_LIMITS, '-o', 'wasmplugin', '--name-style', 'operationId');
    assert.equal(r.code, 0, r.stderr);
    const [doc] = parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, any>);
    const routes = doc!.spec.pluginConfig.routes as Route[];
    assert.deepEqual(routes.map((x) => [x.name, x.path ?? x.path_regex]), [
      ['getFile', '/files/{name}'],
      ['getFileAs', '/files/{name}.{ext}'],
      ['cancelOperation', '/v1/{name}:cancel'],
      ['listItems', '/api/v{major}/items'],
      ['getArchive', '^/archives/[^/]+[^/]+$'],
      ['getGlob', '^/glob/\\*$'],
    ]);
    assert.match(r.stderr, /note: GET \/archives\/\{name\}\{format\}: two parameters with no text between them/);
    assert.match(r.stdout, /# \/archives\/\{name\}\{format\}: two parameters with no text between them \('\{name\}\{format\}'\) cannot be told apart in a template; matched with a regex/);
    assert.match(r.stdout, /# \/glob\/\*: the literal segment '\*' would be a wildcard in a template/);
    assert.doesNotMatch(r.stderr, /note: (GET|POST) \/(files|v1|api)\//);

    const host = await startFilter({ routes });
    try {
      assert.equal(host.configured, true, host.startError);
      const cases: [string, string, string | undefined][] = [
        ['GET', '/files/report.csv', 'getFileAs'],
        ['GET', '/files/report', 'getFile'],
        ['GET', '/files/.csv', 'getFile'],
        ['POST', '/v1/operations/7:cancel', undefined], // a parameter never spans '/'
        ['POST', '/v1/op-7:cancel', 'cancelOperation'],
        ['GET', '/api/v2/items', 'listItems'],
        ['GET', '/api/2/items', undefined],
        ['GET', '/archives/repo.zip', 'getArchive'],
        ['GET', '/glob/*', 'getGlob'],
      ];
      for (const [method, path, expected] of cases) {
        assert.equal(host.request({ method, path }).filterState[OP], expected, `${method} ${path}`);
      }
    } finally {
      host.stop();
    }
  });
});

describe('openapi: real-world descriptions', () => {
  const EXAMPLE_REFS = join(REPO, 'tests/fixtures/openapi-example-refs.yaml');
  const UNDECLARED = join(REPO, 'tests/fixtures/openapi-swagger2-undeclared-param.json');
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-openapi-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('"$ref" members inside example values are data: the library alone fails on them, openapi converts', async () => {
    await assert.rejects(SwaggerParser.validate(EXAMPLE_REFS, { resolve: { http: false } }), /Unable to resolve \$ref pointer "https:\/\/scim\.example\.com\//);
    const r = await runOpenApi(EXAMPLE_REFS, { nameStyle: 'operationId' });
    assert.deepEqual(JSON.parse(r.text).routes, [
      { name: 'getGroup', method: 'GET', path: '/scim/v2/Groups/{id}' },
      { name: 'getExample', method: 'GET', path: '/scim/v2/example' },
    ]);
  });

  test('only example / examples keywords are removed, not schemas or properties named "example"', () => {
    const doc = parseAllDocuments(readFileSync(EXAMPLE_REFS, 'utf8'))[0]!.toJS() as Record<string, any>;
    assert.equal(removeExamples(doc), 5);
    assert.deepEqual(Object.keys(doc.components), ['schemas']);
    assert.deepEqual(doc.components.schemas.Group.properties.example, { $ref: '#/components/schemas/example' });
    assert.deepEqual(Object.keys(doc.components.schemas), ['Group', 'example']);
    assert.equal(doc.paths['/Groups/{id}'].get.parameters[0].example, undefined);
    assert.deepEqual(Object.keys(doc.paths), ['/Groups/{id}', '/example']);
  });

  test('a .gz file is read as it is', () => {
    const gz = join(dir, 'petstore.yaml.gz');
    writeFileSync(gz, gzipSync(readFileSync(PETSTORE)));
    const plain = cli('openapi', PETSTORE);
    const zipped = cli('openapi', gz);
    assert.equal(zipped.code, 0, zipped.stderr);
    assert.equal(zipped.stdout, plain.stdout);
  });

  test('a URL is a usage error: local files only', () => {
    const r = cli('openapi', 'https://raw.githubusercontent.com/example/api/main/openapi.yaml');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /openapi\.yaml: openapi reads local files only \(download the description first/);
    assert.doesNotMatch(r.stderr, /\$ref/);
  });

  test('OpenAPI 3 validation errors name the format and the file, with the library\'s details', () => {
    const bad = join(dir, 'bad3.yaml');
    writeFileSync(bad, 'openapi: 3.0.3\ninfo: {title: Bad, version: "1"}\npaths:\n  /pets:\n    get:\n      responses: {"200": {descripton: ok}}\n');
    const r = cli('openapi', bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`route-metrics: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a valid OpenAPI 3\\.0\\.3 document \\(checked against the OpenAPI 3\\.0 schema\\):`));
    assert.match(r.stderr, /#\/paths\/~1pets\/get\/responses\/200 must have required property 'description'/);
    assert.doesNotMatch(r.stderr, /Swagger/);
    assert.match(r.stderr, /--no-validate/);
  });

  test('--no-validate converts a Swagger 2.0 description with an undeclared path parameter', () => {
    const strict = cli('openapi', UNDECLARED);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /not a valid Swagger 2\.0 document: \/paths\/items\/\{itemId\}\/get is missing path parameter\(s\) for \{itemId\}/);
    const loose = cli('openapi', UNDECLARED, '--no-validate', '--name-style', 'operationId');
    assert.equal(loose.code, 0, loose.stderr);
    assert.deepEqual(JSON.parse(loose.stdout).routes, [
      { name: 'listItems', method: 'GET', path: '/inventory/items' },
      { name: 'getItem', method: 'GET', path: '/inventory/items/{itemId}' },
    ]);
  });

  test('--no-validate still resolves path items that are references, and still needs a version field', async () => {
    const items = join(dir, 'items.yaml');
    writeFileSync(items, 'get: {operationId: listThings, responses: {"200": {description: ok}}}\n');
    const main = join(dir, 'main.yaml');
    writeFileSync(main, 'openapi: 3.0.3\ninfo: {title: Split, version: "1"}\npaths:\n  /things: {$ref: "./items.yaml"}\n');
    for (const validate of [true, false]) {
      const r = await runOpenApi(main, { nameStyle: 'operationId', validate });
      assert.deepEqual(JSON.parse(r.text).routes, [{ name: 'listThings', method: 'GET', path: '/things' }], `validate: ${validate}`);
    }
    const none = join(dir, 'none.json');
    writeFileSync(none, '{"info": {}, "paths": {}}');
    const r = cli('openapi', none, '--no-validate');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not an OpenAPI or Swagger document \(no "openapi" or "swagger" version field\)/);
  });
});
