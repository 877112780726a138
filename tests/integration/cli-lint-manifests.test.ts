// `route-metrics lint` on the Istio resources themselves (cli/analysis/manifest-rules.ts): the
// rules are held against Istio's CRD schemas (../shared/schemas): same fields, enums, patterns,
// bounds and required lists, and one check per x-kubernetes-validations CEL rule. Bad manifests are
// rejected by Ajv + schema and by lint alike; the CEL-only rules, which a schema validator misses,
// by lint alone. Every example manifest and the openapi command's output lint clean.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { runLint } from '../../cli/commands/lint.ts';
import { checkManifest, goDurationMs, MANIFEST_KINDS, parseRequestUri, resourceRule, type CelCheck } from '../../cli/analysis/manifest-rules.ts';
import type { FieldRule } from '../../cli/analysis/field-rules.ts';
import { sharedPath } from '../support/shared-data.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMAS = sharedPath('schemas');
type Obj = Record<string, any>;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const WASM_PLUGIN: Obj = {
  apiVersion: 'extensions.istio.io/v1alpha1',
  kind: 'WasmPlugin',
  metadata: { name: 'route-metrics', namespace: 'podinfo' },
  spec: {
    targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'podinfo-waypoint' }],
    url: 'oci://ghcr.io/example/route-metrics:v1',
    sha256: 'a'.repeat(64),
    phase: 'AUTHN',
    failStrategy: 'FAIL_OPEN',
    pluginName: 'route-metrics',
    pluginConfig: { default: 'other', routes: [{ name: 'GET /healthz', method: 'GET', path: '/healthz' }] },
  },
};
const TELEMETRY: Obj = {
  apiVersion: 'telemetry.istio.io/v1',
  kind: 'Telemetry',
  metadata: { name: 'route-metrics', namespace: 'podinfo' },
  spec: {
    targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'podinfo-waypoint' }],
    metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ match: { metric: 'REQUEST_COUNT' }, tagOverrides: { route_name: { value: "filter_state['wasm.istio_operationId']" } } }] }],
  },
};

/** `base` with `patch` applied to its spec (undefined deletes a key). */
function withSpec(base: Obj, patch: Obj): Obj {
  const doc = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete doc.spec[k];
    else doc.spec[k] = v;
  }
  return doc;
}

const problems = (doc: Obj) => checkManifest(doc).map((p) => `${p.level} ${p.path}: ${p.message}`);
const errorPaths = (doc: Obj) => checkManifest(doc).filter((p) => p.level === 'error').map((p) => p.path);

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rm-lint-manifests-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('lint: WasmPlugin fields', () => {
  test('the issue\'s manifest: selector + targetRefs, AUTHZZ, FAIL_OPENN, sha256 "abc" → four errors with field paths, exit 1', async () => {
    const bad = withSpec(WASM_PLUGIN, { selector: { matchLabels: { app: 'podinfo' } }, phase: 'AUTHZZ', failStrategy: 'FAIL_OPENN', sha256: 'abc' });
    const p = join(dir, 'bad.yaml');
    writeFileSync(p, stringify(bad));
    const r = cli('lint', p);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /error {3}WasmPlugin podinfo\/route-metrics spec\.phase: "AUTHZZ" is not one of UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS; did you mean AUTHZ\?/);
    assert.match(r.stdout, /spec\.failStrategy: "FAIL_OPENN" is not one of FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD; did you mean FAIL_OPEN\?/);
    assert.match(r.stdout, /spec\.sha256: "abc" is not a SHA-256 checksum \(64 lower-case hex digits, or empty\)/);
    assert.match(r.stdout, /spec: selector and targetRefs are both set \(only one of targetRefs or selector can be set\)/);
    const { report } = await runLint({ config: [p] });
    assert.deepEqual(report.findings.filter((f) => f.level === 'error').map((f) => [f.source, f.path]), [
      ['WasmPlugin podinfo/route-metrics', 'spec.sha256'], ['WasmPlugin podinfo/route-metrics', 'spec.phase'],
      ['WasmPlugin podinfo/route-metrics', 'spec.failStrategy'], ['WasmPlugin podinfo/route-metrics', 'spec'],
    ]);
    assert.equal(report.accepted, true, 'the pluginConfig itself is fine');
  });

  test('a valid WasmPlugin has no problems', () => {
    assert.deepEqual(problems(WASM_PLUGIN), []);
  });

  test('required fields, types, unknown fields (with a suggestion), lengths and bounds', () => {
    assert.deepEqual(problems(withSpec(WASM_PLUGIN, { url: undefined, priority: 'high', phasee: 'AUTHN', match: [{ mode: 'SERVER', ports: [{ number: 0 }, { number: 8080 }, { number: 8080 }] }] })), [
      'error spec.url: required',
      'error spec.priority: must be an integer, found the string "high"',
      'error spec.phasee: unknown field; did you mean phase? (kubectl\'s strict field validation rejects it)',
      'error spec.match[0].ports[0].number: must be at least 1 (found 0)',
      'error spec.match[0].ports[2]: duplicate number (same as spec.match[0].ports[1]): each item must have its own',
    ]);
    const noName = structuredClone(WASM_PLUGIN);
    delete noName.metadata.name;
    noName.metadata.namespace = 'Pod_Info';
    assert.deepEqual(errorPaths(noName), ['metadata.namespace', 'metadata.name']);
    assert.deepEqual(errorPaths({ ...WASM_PLUGIN, apiVersion: 'extensions.istio.io/v1beta1' }), ['apiVersion']);
  });

  test('url: the CRD\'s scheme rule (isURL, scheme in http, https, oci, file; no scheme = oci)', () => {
    for (const url of ['oci://ghcr.io/a/b:1', 'OCI://ghcr.io/a/b:1', 'https://example.com/x.wasm', 'file:///opt/x.wasm', 'ghcr.io/a/b:1', '/opt/x.wasm', 'http://10.0.0.1:8080/x.wasm']) {
      assert.deepEqual(errorPaths(withSpec(WASM_PLUGIN, { url })), [], url);
    }
    // (Like the CRD rule, an unparseable scheme://host is retried as http://scheme://…, which parses: not caught.)
    for (const url of ['ftp://example.com/x.wasm', 'localhost:5000/route-metrics:1', 's3://bucket/x.wasm', 'a b']) {
      assert.deepEqual(errorPaths(withSpec(WASM_PLUGIN, { url })), ['spec.url'], url);
    }
    assert.match(problems(withSpec(WASM_PLUGIN, { url: 'localhost:5000/rm:1' }))[0]!, /a registry with a port needs oci:\/\/, e\.g\. oci:\/\/localhost:5000\/rm:1/);
    assert.deepEqual(parseRequestUri('ghcr.io/a:1'), null);
    assert.deepEqual(parseRequestUri('localhost:5000/a'), { scheme: 'localhost' });
  });

  test('targetRefs: kinds and groups Istio accepts, no namespace, at most 16; selector labels without wildcards', () => {
    const refs = (targetRefs: Obj[]) => errorPaths(withSpec(WASM_PLUGIN, { targetRefs }));
    assert.deepEqual(refs([{ kind: 'Service', group: '', name: 'podinfo' }, { kind: 'Service', name: 'x' }, { kind: 'ServiceEntry', group: 'networking.istio.io', name: 'e' },
      { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }]), []);
    assert.deepEqual(refs([{ kind: 'Gateway', name: 'w' }]), ['spec.targetRefs[0].group']);
    assert.deepEqual(refs([{ kind: 'Deployment', group: 'apps', name: 'd' }]), ['spec.targetRefs[0].kind']);
    assert.deepEqual(refs([{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'w', namespace: 'other' }]), ['spec.targetRefs[0].namespace']);
    assert.deepEqual(refs([{ group: 'gateway.networking.k8s.io', name: 'w' }]), ['spec.targetRefs[0].kind']);
    assert.deepEqual(refs(Array.from({ length: 17 }, (_, i) => ({ kind: 'Service', name: `s${i}` }))), ['spec.targetRefs']);
    const sel = withSpec(WASM_PLUGIN, { targetRefs: undefined, selector: { matchLabels: { 'app*': 'x', version: 'v*' } } });
    assert.deepEqual(errorPaths(sel), ['spec.selector.matchLabels.version', 'spec.selector.matchLabels["app*"]']);
  });

  test('vmConfig.env: value only with INLINE; names unique', () => {
    const env = (list: Obj[]) => errorPaths(withSpec(WASM_PLUGIN, { vmConfig: { env: list } }));
    assert.deepEqual(env([{ name: 'A', value: '1' }, { name: 'B', valueFrom: 'HOST' }]), []);
    assert.deepEqual(env([{ name: 'A', valueFrom: 'HOST', value: '1' }, { name: 'A' }]), ['spec.vmConfig.env[0].value', 'spec.vmConfig.env[1]']);
  });
});

describe('lint: Telemetry fields', () => {
  test('a valid Telemetry has no problems; v1alpha1 is accepted too', () => {
    assert.deepEqual(problems(TELEMETRY), []);
    assert.deepEqual(problems({ ...TELEMETRY, apiVersion: 'telemetry.istio.io/v1alpha1' }), []);
  });

  test('metric enum, metric vs customMetric, tagOverrides UPSERT / REMOVE, reportingInterval ≥ 1ms', () => {
    const doc = withSpec(TELEMETRY, {
      metrics: [{
        reportingInterval: '500us',
        overrides: [{ match: { metric: 'REQUEST_COUNTT', customMetric: 'x' }, tagOverrides: { a: { operation: 'UPSERT' }, b: { operation: 'REMOVE', value: 'x' }, c: {} } }],
      }],
    });
    assert.deepEqual(problems(doc), [
      'error spec.metrics[0].reportingInterval: "500us" (must be a valid duration greater than 1ms)',
      'error spec.metrics[0].overrides[0].match.metric: "REQUEST_COUNTT" is not one of ALL_METRICS, REQUEST_COUNT, REQUEST_DURATION, REQUEST_SIZE, RESPONSE_SIZE, TCP_OPENED_CONNECTIONS, TCP_CLOSED_CONNECTIONS, TCP_SENT_BYTES, TCP_RECEIVED_BYTES, GRPC_REQUEST_MESSAGES, GRPC_RESPONSE_MESSAGES; did you mean REQUEST_COUNT?',
      'error spec.metrics[0].overrides[0].match: metric and customMetric exclude each other: set one of metric, customMetric',
      'error spec.metrics[0].overrides[0].tagOverrides.a.value: value must be set when operation is UPSERT',
      'error spec.metrics[0].overrides[0].tagOverrides.b.value: value must not be set when operation is REMOVE',
      'warning spec.metrics[0].overrides[0].tagOverrides.c.value: not set: the operation defaults to UPSERT, which needs a CEL expression (e.g. filter_state[\'wasm.istio_operationId\'])',
    ]);
  });

  test('Go durations as CEL reads them', () => {
    assert.equal(goDurationMs('10s'), 10_000);
    assert.equal(goDurationMs('1m30.5s'), 90_500);
    assert.equal(goDurationMs('1ms'), 1);
    assert.equal(goDurationMs('0'), 0);
    assert.equal(goDurationMs('10'), null);
    assert.equal(goDurationMs('1d'), null);
  });

  test('a Telemetry alone lints (no plugin configuration); several files are linted together', async () => {
    const tel = join(dir, 'telemetry.yaml');
    writeFileSync(tel, stringify(withSpec(TELEMETRY, { selector: { matchLabels: { app: 'x' } } })));
    const alone = await runLint({ config: [tel] });
    assert.equal(alone.report.accepted, null);
    assert.deepEqual(alone.report.findings.map((f) => [f.source, f.path]), [['Telemetry podinfo/route-metrics', 'spec']]);
    assert.equal(alone.exitCode, 1);
    const wp = join(dir, 'wasmplugin.yaml');
    writeFileSync(wp, stringify(WASM_PLUGIN));
    const both = cli('lint', wp, tel);
    assert.equal(both.code, 1);
    assert.match(both.stdout, /: accepted by the plugin/);
    assert.match(both.stdout, /Telemetry podinfo\/route-metrics \(.*telemetry\.yaml\) spec: selector and targetRefs are both set/);
  });
});

/** Every node of a CRD schema next to the rule for it, with the schema path. */
function* pairs(schema: Obj, rule: FieldRule | undefined, path: string): Generator<[Obj, FieldRule | undefined, string]> {
  yield [schema, rule, path];
  const r = rule as Obj | undefined;
  for (const [k, sub] of Object.entries<Obj>(schema.properties ?? {})) yield* pairs(sub, r?.fields?.[k], `${path}.${k}`);
  if (schema.items) yield* pairs(schema.items, r?.items, `${path}[]`);
  if (typeof schema.additionalProperties === 'object') yield* pairs(schema.additionalProperties, r?.values, `${path}{}`);
}

describe('lint: the rules match the CRD schemas', { skip: existsSync(SCHEMAS) ? false : `no CRD schemas at ${SCHEMAS}` }, () => {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validators: Record<string, ValidateFunction> = {};
  const load = (file: string) => JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Obj;
  const validate = (file: string, doc: Obj) => (validators[file] ??= ajv.compile(load(file)))(doc);

  for (const [kind, k] of Object.entries(MANIFEST_KINDS)) {
    for (const file of k.schemaFiles) {
      test(`${kind} (${file}): same fields, types, enums, patterns, bounds, required lists and CEL rules`, () => {
        const spec = load(file).properties.spec as Obj;
        let nodes = 0;
        let cels = 0;
        for (const [s, rule, path] of pairs(spec, k.spec, 'spec')) {
          nodes++;
          assert.ok(rule, `${path}: no rule`);
          const r = rule as Obj;
          const type = s.type === 'integer' ? 'integer' : s.type;
          assert.equal(r.type, type, `${path}: type`);
          assert.deepEqual(r.enum, s.enum, `${path}: enum`);
          assert.deepEqual(r.pattern?.source, s.pattern, `${path}: pattern`);
          for (const key of ['minLength', 'maxLength', 'maxItems', 'maxProperties', 'minimum', 'maximum']) assert.equal(r[key], s[key], `${path}: ${key}`);
          assert.deepEqual([...(r.required ?? [])].sort(), [...(s.required ?? [])].sort(), `${path}: required`);
          assert.deepEqual(Object.keys(r.fields ?? {}).sort(), Object.keys(s.properties ?? {}).sort(), `${path}: fields`);
          assert.equal(Boolean(r.preserveUnknown), Boolean(s['x-kubernetes-preserve-unknown-fields']), `${path}: preserve unknown fields`);
          assert.deepEqual(r.mapKeys, s['x-kubernetes-list-map-keys'], `${path}: list-map keys`);
          const celRules = (s['x-kubernetes-validations'] ?? []).map((v: Obj) => v.message).sort();
          const celChecks = (r.checks ?? []).filter((c: CelCheck<unknown>) => c.cel).map((c: CelCheck<unknown>) => c.cel).sort();
          assert.deepEqual(celChecks, celRules, `${path}: CEL rules`);
          cels += celRules.length;
        }
        assert.ok(nodes > 20 && cels >= 5, `${nodes} nodes, ${cels} CEL rules compared`);
      });
    }
  }

  // Each: what is wrong, the patch, the paths lint reports; `schema: true` when a plain schema validator sees it too.
  const BAD: Array<{ kind: 'WasmPlugin' | 'Telemetry'; what: string; spec: Obj; paths: string[]; schema: boolean }> = [
    { kind: 'WasmPlugin', what: 'phase AUTHZZ', spec: { phase: 'AUTHZZ' }, paths: ['spec.phase'], schema: true },
    { kind: 'WasmPlugin', what: 'failStrategy FAIL_OPENN', spec: { failStrategy: 'FAIL_OPENN' }, paths: ['spec.failStrategy'], schema: true },
    { kind: 'WasmPlugin', what: 'sha256 "abc"', spec: { sha256: 'abc' }, paths: ['spec.sha256'], schema: true },
    { kind: 'WasmPlugin', what: 'no url', spec: { url: undefined }, paths: ['spec.url'], schema: true },
    { kind: 'WasmPlugin', what: 'a targetRef without name', spec: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io' }] }, paths: ['spec.targetRefs[0].name'], schema: true },
    { kind: 'WasmPlugin', what: 'imagePullPolicy Never', spec: { imagePullPolicy: 'Never' }, paths: ['spec.imagePullPolicy'], schema: true },
    { kind: 'WasmPlugin', what: 'port 70000', spec: { match: [{ ports: [{ number: 70000 }] }] }, paths: ['spec.match[0].ports[0].number'], schema: true },
    { kind: 'WasmPlugin', what: 'selector and targetRefs', spec: { selector: { matchLabels: { app: 'x' } } }, paths: ['spec'], schema: false },
    { kind: 'WasmPlugin', what: 'an ftp:// url', spec: { url: 'ftp://example.com/x.wasm' }, paths: ['spec.url'], schema: false },
    { kind: 'WasmPlugin', what: 'a cross-namespace targetRef', spec: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'w', namespace: 'x' }] }, paths: ['spec.targetRefs[0].namespace'], schema: false },
    { kind: 'WasmPlugin', what: 'a wildcard label', spec: { targetRefs: undefined, selector: { matchLabels: { app: '*' } } }, paths: ['spec.selector.matchLabels.app'], schema: false },
    { kind: 'WasmPlugin', what: 'an env value with valueFrom HOST', spec: { vmConfig: { env: [{ name: 'A', valueFrom: 'HOST', value: 'x' }] } }, paths: ['spec.vmConfig.env[0].value'], schema: false },
    { kind: 'Telemetry', what: 'metric REQUEST_COUNTT', spec: { metrics: [{ overrides: [{ match: { metric: 'REQUEST_COUNTT' } }] }] }, paths: ['spec.metrics[0].overrides[0].match.metric'], schema: true },
    { kind: 'Telemetry', what: 'metric and customMetric', spec: { metrics: [{ overrides: [{ match: { metric: 'REQUEST_COUNT', customMetric: 'x' } }] }] }, paths: ['spec.metrics[0].overrides[0].match'], schema: true },
    { kind: 'Telemetry', what: 'sampling 101 %', spec: { tracing: [{ randomSamplingPercentage: 101 }] }, paths: ['spec.tracing[0].randomSamplingPercentage'], schema: true },
    { kind: 'Telemetry', what: 'REMOVE with a value', spec: { metrics: [{ overrides: [{ tagOverrides: { a: { operation: 'REMOVE', value: 'x' } } }] }] }, paths: ['spec.metrics[0].overrides[0].tagOverrides.a.value'], schema: false },
    { kind: 'Telemetry', what: 'UPSERT without a value', spec: { metrics: [{ overrides: [{ tagOverrides: { a: { operation: 'UPSERT' } } }] }] }, paths: ['spec.metrics[0].overrides[0].tagOverrides.a.value'], schema: false },
    { kind: 'Telemetry', what: 'selector and targetRefs', spec: { selector: { matchLabels: { app: 'x' } } }, paths: ['spec'], schema: false },
    { kind: 'Telemetry', what: 'reportingInterval 0s', spec: { metrics: [{ reportingInterval: '0s' }] }, paths: ['spec.metrics[0].reportingInterval'], schema: false },
  ];

  for (const b of BAD) {
    test(`${b.kind} with ${b.what}: lint reports ${b.paths.join(', ')}; ${b.schema ? 'the schema rejects it too' : 'the schema alone accepts it (a CEL rule)'}`, () => {
      const doc = withSpec(b.kind === 'WasmPlugin' ? WASM_PLUGIN : TELEMETRY, b.spec);
      assert.deepEqual(errorPaths(doc), b.paths);
      for (const file of MANIFEST_KINDS[b.kind]!.schemaFiles) assert.equal(validate(file, doc), !b.schema, file);
    });
  }

  test('the valid samples pass both', () => {
    assert.equal(validate('wasmplugin.v1alpha1.json', WASM_PLUGIN), true);
    assert.equal(validate('telemetry.v1.json', TELEMETRY), true);
    assert.deepEqual(problems(WASM_PLUGIN), []);
    assert.deepEqual(problems(TELEMETRY), []);
  });

  test('resourceRule covers apiVersion, kind, metadata, spec and status', () => {
    assert.deepEqual(Object.keys(resourceRule('WasmPlugin').fields!).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });
});

describe('lint: what the repository ships lints clean', () => {
  const yamlFiles = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [join(d, e.name)] : []);

  test('every WasmPlugin and Telemetry under examples/', () => {
    let checked = 0;
    for (const file of yamlFiles(join(REPO, 'examples'))) {
      for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const doc = d.toJS() as Obj;
        if (doc?.kind !== 'WasmPlugin' && doc?.kind !== 'Telemetry') continue;
        checked++;
        assert.deepEqual(problems(doc), [], file);
      }
    }
    assert.ok(checked >= 7, `${checked} manifests`);
  });

  test('openapi -o all output (targetRefs and selector placements)', () => {
    for (const placement of [['--target-gateway', 'w'], ['--selector', 'app=x'], []]) {
      const r = cli('openapi', join(REPO, 'tests/fixtures/openapi-petstore-plus.yaml'), '-o', 'all', '--namespace', 'pets', ...placement);
      assert.equal(r.code, 0, r.stderr);
      for (const d of parseAllDocuments(r.stdout)) assert.deepEqual(problems(d.toJS() as Obj), [], placement.join(' '));
    }
  });
});
