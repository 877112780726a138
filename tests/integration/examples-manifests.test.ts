// The deployment examples (examples/waypoint, sidecar, mesh, prometheus): every YAML document
// parses, validates against the Istio / Gateway API CRD schemas (../shared/schemas), passes the
// CRDs' CEL-only rules checked here by hand, and every WasmPlugin's pluginConfig classifies the
// sample requests listed in its comments as documented, in the simulated Envoy.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { startFilter } from '../support/filter.ts';
import { sharedPath } from '../support/shared-data.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(REPO, 'examples');
const SCHEMAS = sharedPath('schemas');
const OPERATION = "filter_state['wasm.istio_operationId']";
const PLACEHOLDER_SHA256 = '0'.repeat(64);

interface Doc { file: string; index: number; text: string; value: Record<string, any> }

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []);
}

const FILES = ['waypoint', 'sidecar', 'mesh', 'prometheus'].flatMap((d) => yamlFiles(join(EXAMPLES, d))).sort();
const DOCS: Doc[] = FILES.flatMap((file) => {
  const text = readFileSync(file, 'utf8');
  return parseAllDocuments(text).map((d, index) => {
    if (d.errors.length || d.warnings.length) throw new Error(`${file}: ${[...d.errors, ...d.warnings].map((e) => e.message).join('; ')}`);
    return { file: relative(REPO, file), index, text, value: d.toJSON() as Record<string, any> };
  });
});
const byKind = (kind: string) => DOCS.filter((d) => d.value?.kind === kind);
const name = (d: Doc) => `${d.file}#${d.index} ${d.value.kind ?? ''}`;

describe('examples: YAML', () => {
  test('every file parses (multi-document) and holds something', () => {
    assert.ok(FILES.length >= 12, `found ${FILES.length} YAML files`);
    for (const d of DOCS) assert.equal(typeof d.value, 'object', `${d.file}#${d.index} is empty`);
  });

  test('the expected files are there', () => {
    const rel = FILES.map((f) => relative(EXAMPLES, f));
    for (const f of ['waypoint/namespace.yaml', 'waypoint/waypoint.yaml', 'waypoint/wasmplugin-native.yaml',
      'waypoint/wasmplugin-attributegen.yaml', 'waypoint/telemetry.yaml', 'sidecar/namespace.yaml', 'sidecar/podinfo.yaml',
      'sidecar/wasmplugin-native.yaml', 'sidecar/wasmplugin-attributegen.yaml', 'sidecar/telemetry.yaml',
      'mesh/istio-operator.yaml', 'mesh/istiod-values.yaml', 'mesh/telemetry-mesh.yaml', 'prometheus/prometheus.yml']) {
      assert.ok(rel.includes(f), `missing examples/${f}`);
    }
  });
});

describe('examples: CRD schemas', { skip: existsSync(SCHEMAS) ? false : `no CRD schemas at ${SCHEMAS} (shared/ is not beside the repo)` }, () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const schemas: Record<string, ValidateFunction> = {};
  const schemaFor = (file: string) => (schemas[file] ??= ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8'))));
  const SCHEMA_OF: Record<string, string> = {
    'extensions.istio.io/v1alpha1 WasmPlugin': 'wasmplugin.v1alpha1.json',
    'telemetry.istio.io/v1 Telemetry': 'telemetry.v1.json',
    'telemetry.istio.io/v1alpha1 Telemetry': 'telemetry.v1alpha1.json',
    'gateway.networking.k8s.io/v1 Gateway': 'gateway.v1.json',
  };
  // Kinds without a schema here: checked by the tests below instead.
  const NO_SCHEMA = new Set(['v1 Namespace', 'apps/v1 Deployment', 'v1 Service', 'install.istio.io/v1alpha1 IstioOperator']);

  for (const d of DOCS.filter((x) => x.value.apiVersion)) {
    const key = `${d.value.apiVersion} ${d.value.kind}`;
    test(`${name(d)} (${key})`, () => {
      if (NO_SCHEMA.has(key)) return;
      const file = SCHEMA_OF[key];
      assert.ok(file, `no schema mapped for ${key}: add one or list the kind in NO_SCHEMA`);
      const validate = schemaFor(file);
      assert.ok(validate(d.value), `${file}: ${ajv.errorsText(validate.errors)}`);
    });
  }

  test('the schemas reject what they should (a bad phase and a sha256 that is not hex)', () => {
    const bad = structuredClone(byKind('WasmPlugin')[0].value);
    bad.spec.phase = 'BEFORE_EVERYTHING';
    bad.spec.sha256 = 'sha256:abc';
    assert.equal(schemaFor('wasmplugin.v1alpha1.json')(bad), false);
  });
});

describe('examples: CEL-only rules of the CRDs, by hand', () => {
  for (const d of [...byKind('WasmPlugin'), ...byKind('Telemetry')]) {
    test(`${name(d)}: at most one of selector / targetRef / targetRefs; no cross-namespace targetRefs`, () => {
      const s = d.value.spec;
      assert.ok(['selector', 'targetRef', 'targetRefs'].filter((k) => k in s).length <= 1);
      for (const ref of s.targetRefs ?? []) assert.equal(ref.namespace ?? '', '', 'targetRefs[].namespace must be empty');
    });
  }

  for (const d of byKind('WasmPlugin')) {
    test(`${name(d)}: url scheme is oci, https, http or file`, () => {
      const m = /^([a-z][a-z0-9+.-]*):\/\//.exec(d.value.spec.url);
      assert.ok(!m || ['oci', 'https', 'http', 'file'].includes(m[1]), d.value.spec.url);
    });
  }

  for (const d of byKind('Telemetry')) {
    test(`${name(d)}: tagOverrides: UPSERT (the default) has a value, REMOVE has none`, () => {
      for (const m of d.value.spec.metrics ?? []) {
        for (const o of m.overrides ?? []) {
          for (const [tag, t] of Object.entries<any>(o.tagOverrides ?? {})) {
            if ((t.operation ?? 'UPSERT') === 'UPSERT') assert.ok(t.value, `${tag}: UPSERT needs a value`);
            else assert.equal(t.value, undefined, `${tag}: REMOVE must not set a value`);
          }
        }
      }
    });
  }
});

describe('examples: WasmPlugin', () => {
  const plugins = byKind('WasmPlugin');

  test('one native and one attributegen WasmPlugin per deployment mode, and one with services for the waypoint', () => {
    assert.deepEqual(plugins.map((d) => d.file).sort(), ['examples/sidecar/wasmplugin-attributegen.yaml', 'examples/sidecar/wasmplugin-native.yaml',
      'examples/waypoint/wasmplugin-attributegen.yaml', 'examples/waypoint/wasmplugin-native.yaml', 'examples/waypoint/wasmplugin-services.yaml']);
  });

  for (const d of plugins) {
    const s = d.value.spec;
    test(`${d.file}: recommended fields`, () => {
      assert.equal(d.value.metadata.name, 'route-metrics', 'both forms share one name, so one replaces the other');
      assert.equal(s.pluginName, 'route-metrics');
      assert.equal(s.phase, 'AUTHN');
      assert.equal(typeof s.priority, 'number');
      assert.equal(s.failStrategy, 'FAIL_OPEN');
      assert.match(d.text, /failStrategy: FAIL_OPEN\n/);
      assert.match(d.text, /# FAIL_OPEN: .*\n/, 'a comment says why FAIL_OPEN');
      assert.equal(s.imagePullPolicy, 'IfNotPresent');
    });

    test(`${d.file}: oci:// url with a marked sha256 placeholder and a commented https alternative`, () => {
      assert.match(s.url, /^oci:\/\/[^/]+\/route-metrics:\d+\.\d+\.\d+$/);
      assert.equal(s.sha256, PLACEHOLDER_SHA256);
      assert.match(d.text, /sha256: "0{64}"\n/, 'quoted, so YAML never reads a digest as a number');
      assert.match(d.text, /REPLACE url and sha256/);
      assert.match(d.text, /build\/oci\/DIGEST/);
      assert.match(d.text, /# url: https:\/\/\S+\/route-metrics\.wasm\n/);
      assert.match(d.text, /build\/route-metrics\.wasm\.sha256/);
    });

    test(`${d.file}: waypoint → targetRefs to podinfo-waypoint; sidecar → selector app=podinfo`, () => {
      if (d.file.includes('/waypoint/')) {
        assert.deepEqual(s.targetRefs, [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'podinfo-waypoint' }]);
      } else {
        assert.deepEqual(s.selector, { matchLabels: { app: 'podinfo' } });
        assert.deepEqual(s.match, [{ mode: 'SERVER' }]);
      }
    });
  }
});

/**
 * "#   GET    /healthz   → "GET /healthz"", "#   GET /x → "other" (…)" and "#   GET /x → (unset…)" lines
 * of a file's comments; a services example has the :authority as a third column
 * ("#   GET /healthz podinfo:9898 → …").
 */
function samples(text: string): Array<{ method: string; path: string; authority?: string; expected: string | undefined }> {
  const out: Array<{ method: string; path: string; authority?: string; expected: string | undefined }> = [];
  for (const line of text.split('\n')) {
    const m = /^#\s+([A-Z]+)\s+(\/\S*)\s+(?:([^\s→]+)\s+)?→\s+(?:"([^"]*)"(?:\s+\(.*\))?|\(unset\b.*\))\s*$/.exec(line);
    if (m) out.push({ method: m[1], path: m[2], ...(m[3] !== undefined ? { authority: m[3] } : {}), expected: m[4] });
  }
  return out;
}

describe('examples: pluginConfig in the simulated Envoy', () => {
  for (const d of byKind('WasmPlugin')) {
    test(`${d.file}: accepted without warnings; every sample request classified as documented`, async () => {
      const list = samples(d.text);
      assert.ok(list.length >= 5, `only ${list.length} sample lines`);
      // (method, path) pairs repeat in a services example: another host, another service
      assert.ok(list.some((x) => x.method === 'GET' && x.path === '/healthz' && x.expected === 'GET /healthz'));
      assert.ok(list.some((x) => x.method === 'POST' && x.path === '/echo' && x.expected === 'POST /echo'));
      const config = d.value.spec.pluginConfig;
      const fallback = config.default ?? config.attributes?.[0]?.match?.find((m: { condition?: string }) => !m.condition)?.value;
      assert.equal(fallback, 'other', 'a default, so that lint --strict passes and "unknown" keeps meaning "not labelled by the plugin"');
      assert.ok(list.some((x) => x.expected === fallback), 'at least one sample no route matches');
      const host = await startFilter(d.value.spec.pluginConfig);
      try {
        assert.equal(host.configured, true, host.startError);
        assert.deepEqual(host.logsAtLeast('warn').map((l) => l.message), []);
        for (const x of list) {
          const r = host.request({ method: x.method, path: x.path, authority: x.authority, status: 200, durationMs: 4 });
          assert.equal(r.trapped, false);
          assert.equal(r.filterState['wasm.istio_operationId'], x.expected, `${x.method} ${x.path} ${x.authority ?? ''}`);
        }
      } finally {
        host.stop();
      }
    });
  }

  test('examples/waypoint/wasmplugin-services.yaml: one series per service for the same route name', async () => {
    const d = byKind('WasmPlugin').find((x) => x.file === 'examples/waypoint/wasmplugin-services.yaml')!;
    const host = await startFilter(d.value.spec.pluginConfig);
    try {
      for (const authority of ['podinfo', 'httpbin:8000', 'httpbin.podinfo.svc.cluster.local', 'a.preview.example.com']) {
        host.request({ authority, path: '/healthz', status: 200, durationMs: 4 });
      }
      const text = host.prometheus();
      for (const [service, n] of [['podinfo', 1], ['httpbin', 2], ['podinfo-preview', 1]] as const) {
        assert.ok(text.includes(`route_requests_total{route_name="GET /healthz",response_class="2xx",destination_service_name="${service}"} ${n}\n`), `${service}\n${text}`);
      }
    } finally {
      host.stop();
    }
  });

  test('the native and attributegen forms document the same samples', () => {
    for (const mode of ['waypoint', 'sidecar']) {
      const native = samples(readFileSync(join(EXAMPLES, mode, 'wasmplugin-native.yaml'), 'utf8'));
      const attributegen = samples(readFileSync(join(EXAMPLES, mode, 'wasmplugin-attributegen.yaml'), 'utf8'));
      assert.deepEqual(attributegen, native, mode);
    }
  });
});

describe('examples: Telemetry', () => {
  const telemetries = byKind('Telemetry');

  test('waypoint, sidecar and mesh-wide Telemetry', () => {
    assert.deepEqual(telemetries.map((d) => d.file).sort(),
      ['examples/mesh/telemetry-mesh.yaml', 'examples/sidecar/telemetry.yaml', 'examples/waypoint/telemetry.yaml']);
  });

  for (const d of telemetries) {
    test(`${d.file}: route_name = ${OPERATION} on REQUEST_COUNT, REQUEST_DURATION, REQUEST_SIZE, RESPONSE_SIZE`, () => {
      assert.equal(d.value.apiVersion, 'telemetry.istio.io/v1');
      const overrides = d.value.spec.metrics.flatMap((m: any) => m.overrides ?? []);
      assert.deepEqual(overrides.map((o: any) => o.match.metric).sort(), ['REQUEST_COUNT', 'REQUEST_DURATION', 'REQUEST_SIZE', 'RESPONSE_SIZE']);
      for (const o of overrides) assert.deepEqual(o.tagOverrides, { route_name: { value: OPERATION } });
      assert.ok(d.value.spec.metrics.every((m: any) => m.providers?.some((p: any) => p.name === 'prometheus')));
      if (d.file.includes('/waypoint/')) {
        assert.deepEqual(d.value.spec.targetRefs, [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'podinfo-waypoint' }]);
      }
      if (d.file.includes('/sidecar/')) assert.deepEqual(d.value.spec.selector, { matchLabels: { app: 'podinfo' } });
      if (d.file.includes('/mesh/')) assert.equal(d.value.metadata.namespace, 'istio-system');
    });
  }

  test('no example uses the bare istio_operationId (it yields "unknown" from Istio 1.24 on)', () => {
    for (const d of telemetries) {
      for (const m of d.text.matchAll(/value: "([^"]*)"/g)) assert.equal(m[1], OPERATION, d.file);
    }
  });
});

/** The tag names the plugin writes (assembly/metrics/route-metrics.ts). */
function pluginTags(): string[] {
  const src = readFileSync(join(REPO, 'assembly', 'metrics', 'route-metrics.ts'), 'utf8');
  return [...src.matchAll(/export const (?:ROUTE|CLASS|SERVICE)_TAG = "([a-z_]+)"/g)].map((m) => m[1]).sort();
}

function checkProxyAnnotations(where: string, annotations: Record<string, string>): void {
  const config = JSON.parse(annotations['proxy.istio.io/config']);
  assert.deepEqual([...config.extraStatTags].sort(), pluginTags(), `${where}: extraStatTags = the plugin's tags`);
  const buckets = JSON.parse(annotations['sidecar.istio.io/statsHistogramBuckets']) as Record<string, number[]>;
  assert.ok(buckets.wasmcustom, `${where}: buckets for the plugin's histograms (prefix wasmcustom)`);
  for (const [prefix, bounds] of Object.entries(buckets)) {
    assert.ok(bounds.length > 0 && bounds.every((b, i) => b > 0 && (i === 0 || b > bounds[i - 1])), `${where}: ${prefix} bounds ascend`);
  }
}

describe('examples: namespaces, waypoint, workloads, mesh config', () => {
  test('waypoint namespace: ambient, using podinfo-waypoint', () => {
    const ns = byKind('Namespace').find((d) => d.file.includes('/waypoint/'))!;
    assert.deepEqual(ns.value.metadata, { name: 'podinfo', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'podinfo-waypoint' } });
  });

  test('sidecar namespace: istio-injection enabled', () => {
    const ns = byKind('Namespace').find((d) => d.file.includes('/sidecar/'))!;
    assert.equal(ns.value.metadata.labels['istio-injection'], 'enabled');
  });

  test('waypoint Gateway: istio-waypoint class, HBONE on 15008, proxy annotations in spec.infrastructure', () => {
    const [gw] = byKind('Gateway');
    assert.equal(gw.value.metadata.name, 'podinfo-waypoint');
    assert.equal(gw.value.spec.gatewayClassName, 'istio-waypoint');
    assert.deepEqual(gw.value.spec.listeners, [{ name: 'mesh', port: 15008, protocol: 'HBONE' }]);
    checkProxyAnnotations('waypoint', gw.value.spec.infrastructure.annotations);
  });

  test('sidecar Deployment: pod template annotations and the labels the WasmPlugin / Telemetry select', () => {
    const [dep] = byKind('Deployment');
    const tpl = dep.value.spec.template;
    assert.equal(tpl.metadata.labels.app, 'podinfo');
    assert.ok(tpl.metadata.labels.version, 'a version label, for destination_version');
    checkProxyAnnotations('sidecar', tpl.metadata.annotations);
  });

  test('mesh-wide extraStatTags (IstioOperator and istiod Helm values) with restart notes', () => {
    const [op] = byKind('IstioOperator');
    assert.deepEqual([...op.value.spec.meshConfig.defaultConfig.extraStatTags].sort(), pluginTags());
    const values = DOCS.find((d) => d.file === 'examples/mesh/istiod-values.yaml')!;
    assert.deepEqual([...values.value.meshConfig.defaultConfig.extraStatTags].sort(), pluginTags());
    for (const d of [op, values]) assert.match(d.text, /Restart needed/);
  });

  test('prometheus.yml: the Istio pod job (annotations, :15020 merged endpoint) and the local dev proxy', () => {
    const prom = DOCS.find((d) => d.file === 'examples/prometheus/prometheus.yml')!.value;
    const jobs = Object.fromEntries(prom.scrape_configs.map((j: any) => [j.job_name, j]));
    const pods = jobs['istio-proxies'];
    assert.deepEqual(pods.kubernetes_sd_configs, [{ role: 'pod' }]);
    assert.ok(pods.relabel_configs.some((r: any) => r.action === 'keep' && r.source_labels[0] === '__meta_kubernetes_pod_annotation_prometheus_io_scrape'));
    for (const label of ['namespace', 'pod', 'app', 'version']) {
      assert.ok(pods.relabel_configs.some((r: any) => r.target_label === label), `sets ${label}`);
    }
    const dev = jobs['route-metrics-dev'];
    assert.equal(dev.metrics_path, '/stats/prometheus');
    assert.deepEqual(dev.static_configs, [{ targets: ['127.0.0.1:15090'] }]);
  });
});

test('examples/README.md names every example file', () => {
  const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
  const files = [...FILES, ...readdirSync(join(EXAMPLES, 'grafana')).map((f) => join(EXAMPLES, 'grafana', f)), join(EXAMPLES, 'prometheus', 'promql.md')];
  for (const f of files) assert.ok(readme.includes(relative(EXAMPLES, f)), `README does not mention ${relative(EXAMPLES, f)}`);
});
