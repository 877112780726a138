// Every Telemetry the project ships or writes gives `route_name` to every Istio metric that the
// PromQL recipes and the Grafana dashboard read by route: the README snippets, the examples, the
// one `npm start` loads and the one `route-metrics openapi -o telemetry` prints. A Telemetry that
// overrides only REQUEST_COUNT leaves the latency panels empty. Also the README statements a
// first-time user acts on: url and sha256 change together, extraStatTags, the migration guide.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { telemetryManifest } from '../../cli/istio-manifests.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const FILTER_STATE = "filter_state['wasm.istio_operationId']";

/** Istio's metric families and the Telemetry metric that selects each. */
const TELEMETRY_METRIC: Record<string, string> = {
  istio_requests_total: 'REQUEST_COUNT',
  istio_request_duration_milliseconds: 'REQUEST_DURATION',
  istio_request_bytes: 'REQUEST_SIZE',
  istio_response_bytes: 'RESPONSE_SIZE',
};

/** PromQL expressions of promql.md (```promql blocks) and of the dashboard (every "expr"). */
function queries(): string[] {
  const md = readFileSync(join(REPO, 'examples/prometheus/promql.md'), 'utf8');
  const fromMd = [...md.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const exprs: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === 'expr' && typeof x === 'string' ? exprs.push(x) : walk(x));
  };
  walk(JSON.parse(readFileSync(join(REPO, 'examples/grafana/route-metrics-dashboard.json'), 'utf8')));
  return [...fromMd, ...exprs];
}

/** The Telemetry metrics the queries need `route_name` on. */
function neededByQueries(): string[] {
  const needed = new Set<string>();
  for (const q of queries().filter((x) => x.includes('route_name'))) {
    for (const m of q.matchAll(/\b(istio_[a-z_]+?)(?:_bucket|_sum|_count)?\{/g)) {
      const family = Object.keys(TELEMETRY_METRIC).find((f) => m[1] === f);
      assert.ok(family, `query uses ${m[1]}, which no Telemetry metric covers: ${q}`);
      needed.add(TELEMETRY_METRIC[family]!);
    }
  }
  return [...needed].sort();
}

function overridden(telemetry: Record<string, any>): string[] {
  return (telemetry.spec?.metrics ?? []).flatMap((m: any) => (m.overrides ?? []))
    .filter((o: any) => o.tagOverrides?.route_name?.value === FILTER_STATE)
    .map((o: any) => o.match?.metric)
    .sort();
}

const yamlTelemetries = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Record<string, any>).filter((d) => d?.kind === 'Telemetry');

function exampleFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? exampleFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('Telemetry: route_name on every metric the queries read by route', () => {
  const needed = neededByQueries();

  test('the recipes and the dashboard read count, latency and sizes by route_name', () => {
    for (const m of ['REQUEST_COUNT', 'REQUEST_DURATION']) assert.ok(needed.includes(m), `${m}: ${needed}`);
  });

  test('the README snippets', () => {
    const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const telemetries = blocks.flatMap((b) => {
      try {
        return yamlTelemetries(b);
      } catch {
        return [];
      }
    });
    assert.ok(telemetries.length >= 1, 'the README shows a Telemetry');
    for (const t of telemetries) for (const m of needed) assert.ok(overridden(t).includes(m), `README Telemetry misses ${m}`);
  });

  test('every Telemetry under examples/', () => {
    const found = exampleFiles(join(REPO, 'examples')).flatMap((f) => yamlTelemetries(readFileSync(f, 'utf8')).map((t) => [f, t] as const));
    assert.ok(found.length >= 4);
    for (const [file, t] of found) for (const m of needed) assert.ok(overridden(t).includes(m), `${file} misses ${m}`);
  });

  test('the Telemetry `route-metrics openapi -o telemetry|all` writes', () => {
    const t = telemetryManifest({ placement: {} });
    for (const m of needed) assert.ok(overridden(t).includes(m), `generated Telemetry misses ${m}`);
  });
});

describe('README: what a first-time user acts on', () => {
  test('url and sha256 change together (no "only change the url")', () => {
    assert.doesNotMatch(README, /you only\s+change the WasmPlugin `url`\./);
    assert.match(README, /change the WasmPlugin `url` and its `sha256`/);
    assert.match(README, /`url` and `sha256` go together/);
  });

  test('extraStatTags: deprecated upstream but still rendered and needed; the two annotations', () => {
    const section = README.slice(README.indexOf('**Labels need `extraStatTags`.**'), README.indexOf('## Performance'));
    assert.match(section, /`ProxyConfig\.extraStatTags` is marked deprecated upstream/);
    assert.match(section, /bootstrap still renders every listed tag/);
    assert.match(section, /`proxy\.istio\.io\/config[:`][\s\S]*\*\*replaces\*\* the mesh-wide list/);
    assert.match(section, /`sidecar\.istio\.io\/extraStatTags[:`][\s\S]*\*\*adds\*\* to the list/);
    assert.match(section, /restart the pods/);
  });

  test('a migration guide from attributegen: lint first, url and sha256, the 1.24 filter_state form, the restart', () => {
    const start = README.indexOf('## Migrating from attributegen');
    assert.ok(start > 0);
    const guide = README.slice(start, README.indexOf('\n## ', start + 1));
    const steps = ['**Lint first**', '**Change `url` and `sha256` together.**', '**The Telemetry, from Istio 1.24 on**', '**restart**'].map((s) => guide.indexOf(s));
    assert.ok(steps.every((i) => i > 0), `steps found at ${steps}`);
    assert.deepEqual([...steps].sort((a, b) => a - b), steps, 'in this order');
    assert.ok(guide.includes(FILTER_STATE));
    assert.match(guide, /lint --strict/);
  });

  test('how to reference the released image: by tag and by digest', () => {
    assert.match(README, /url: oci:\/\/ghcr\.io\/<owner>\/route-metrics:0\.1\.0/);
    assert.match(README, /url: oci:\/\/ghcr\.io\/<owner>\/route-metrics@sha256:/);
  });
});
