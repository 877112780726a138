// The Grafana dashboard, examples/prometheus/promql.md and alerts.yml: every PromQL expression parses
// (the Prometheus project's own Lezer grammar, and `promtool check rules` when promtool is installed)
// and uses only metric names the plugin or Istio emits and labels those series have.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARD_FILE = join(REPO, 'examples', 'grafana', 'route-metrics-dashboard.json');
const PROMQL_MD = join(REPO, 'examples', 'prometheus', 'promql.md');
const ALERTS_FILE = join(REPO, 'examples', 'prometheus', 'alerts.yml');

// Labels every scraped series gets from examples/prometheus/prometheus.yml, plus Prometheus' own.
const SCRAPE_LABELS = ['job', 'instance', 'namespace', 'pod', 'app', 'version', 'gateway'];
// Istio's standard metric labels (istio.io "Istio Standard Metrics"), plus route_name from telemetry.yaml.
const ISTIO_LABELS = ['reporter', 'source_workload', 'source_workload_namespace', 'source_principal', 'source_app',
  'source_version', 'source_canonical_service', 'source_canonical_revision', 'source_cluster', 'destination_workload',
  'destination_workload_namespace', 'destination_principal', 'destination_app', 'destination_version', 'destination_service',
  'destination_service_name', 'destination_service_namespace', 'destination_canonical_service', 'destination_canonical_revision',
  'destination_cluster', 'request_protocol', 'response_code', 'grpc_response_status', 'response_flags',
  'connection_security_policy', 'route_name'];

function histogram(name: string, labels: string[]): Record<string, string[]> {
  return { [`${name}_bucket`]: [...labels, 'le'], [`${name}_sum`]: labels, [`${name}_count`]: labels };
}

/** Every series name the examples may query, with its own labels. */
const METRICS: Record<string, string[]> = {
  // destination_service_name: with "services" (a shared waypoint); absent with flat routes.
  route_requests_total: ['route_name', 'response_class', 'destination_service_name'],
  route_config_errors: [],
  ...histogram('route_request_duration_milliseconds', ['route_name', 'destination_service_name']),
  ...histogram('route_request_bytes', ['route_name', 'destination_service_name']),
  ...histogram('route_response_bytes', ['route_name', 'destination_service_name']),
  istio_requests_total: ISTIO_LABELS,
  ...histogram('istio_request_duration_milliseconds', ISTIO_LABELS),
  ...histogram('istio_request_bytes', ISTIO_LABELS),
  ...histogram('istio_response_bytes', ISTIO_LABELS),
};

/** Grafana's variables → values that parse ($__rate_interval → 5m, $namespace → x). */
function substitute(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{?\w+\}?/g, 'x');
}

interface Usage { metrics: string[]; selectorLabels: Array<[metric: string, label: string]>; groupingLabels: string[] }

/** Parses with the Prometheus Lezer grammar; throws on a syntax error. */
function analyse(expr: string): Usage {
  const text = substitute(expr);
  const tree = parser.parse(text);
  const usage: Usage = { metrics: [], selectorLabels: [], groupingLabels: [] };
  const errors: string[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.type.isError) errors.push(`syntax error at ${ref.from}: ${JSON.stringify(text.slice(Math.max(0, ref.from - 20), ref.from + 20))}`);
      const node = ref.node;
      if (ref.name === 'VectorSelector') {
        const id = node.getChild('Identifier');
        usage.metrics.push(id ? text.slice(id.from, id.to) : '(no metric name)');
      }
      if (ref.name === 'LabelName') {
        const label = text.slice(ref.from, ref.to);
        let p = node.parent;
        while (p && p.name !== 'VectorSelector' && p.name !== 'GroupingLabels') p = p.parent;
        if (p?.name === 'VectorSelector') {
          const id = p.getChild('Identifier');
          usage.selectorLabels.push([id ? text.slice(id.from, id.to) : '', label]);
        } else {
          usage.groupingLabels.push(label);
        }
      }
    },
  });
  if (errors.length) throw new Error(`${errors.join('; ')}\n  in: ${expr}`);
  return usage;
}

function checkExpression(where: string, expr: string): void {
  const u = analyse(expr);
  assert.ok(u.metrics.length > 0, `${where}: no metric in ${expr}`);
  const available = new Set(SCRAPE_LABELS);
  for (const m of u.metrics) {
    assert.ok(METRICS[m], `${where}: ${m} is not a metric the plugin or Istio emits`);
    for (const l of METRICS[m]) available.add(l);
  }
  for (const [m, l] of u.selectorLabels) {
    assert.ok(SCRAPE_LABELS.includes(l) || METRICS[m].includes(l), `${where}: ${m} has no label ${l}`);
  }
  for (const l of u.groupingLabels) assert.ok(available.has(l), `${where}: no series in the expression has the label ${l}`);
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8'));
const panels: any[] = dashboard.panels.flatMap((p: any) => [p, ...(p.panels ?? [])]);
const targets: Array<{ where: string; expr: string }> = panels.flatMap((p) =>
  (p.targets ?? []).map((t: any) => ({ where: `dashboard panel "${p.title}" ${t.refId}`, expr: t.expr as string })));
const variables: any[] = dashboard.templating.list;
const promqlBlocks = [...readFileSync(PROMQL_MD, 'utf8').matchAll(/```promql\n([\s\S]*?)```/g)].map((m, i) => ({ where: `promql.md block ${i + 1}`, expr: m[1].trim() }));

describe('the metric names and labels allowed here are the plugin\'s', () => {
  test('route-metrics.ts defines these names and tags', () => {
    const src = readFileSync(join(REPO, 'assembly', 'metrics', 'route-metrics.ts'), 'utf8');
    for (const s of ['"requests_total"', '"request_duration_milliseconds"', '"request_bytes"', '"response_bytes"',
      'ROUTE_TAG = "route_name"', 'CLASS_TAG = "response_class"', 'SERVICE_TAG = "destination_service_name"']) assert.ok(src.includes(s), s);
    assert.ok(readFileSync(join(REPO, 'assembly', 'config', 'metrics.ts'), 'utf8').includes('prefix: string = "route_"'));
  });
});

describe('examples/grafana/route-metrics-dashboard.json', () => {
  test('importable dashboard: schemaVersion >= 36, uid, unique panel ids, grid positions', () => {
    assert.ok(dashboard.schemaVersion >= 36);
    assert.equal(typeof dashboard.uid, 'string');
    assert.equal(dashboard.id, undefined, 'no instance-specific id');
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of panels) assert.ok(p.gridPos && p.gridPos.w > 0 && p.gridPos.h > 0, `${p.title}: gridPos`);
  });

  test('data source variable DS_PROMETHEUS used by every panel and query; namespace / app / route_name variables', () => {
    const ds = variables.find((v) => v.name === 'DS_PROMETHEUS');
    assert.equal(ds?.type, 'datasource');
    assert.equal(ds.query, 'prometheus');
    for (const p of panels.filter((x) => x.type !== 'row')) {
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${DS_PROMETHEUS}' }, p.title);
      for (const t of p.targets) assert.deepEqual(t.datasource, p.datasource, `${p.title} ${t.refId}`);
    }
    for (const name of ['namespace', 'app', 'service', 'route_name']) {
      const v = variables.find((x) => x.name === name);
      assert.equal(v?.type, 'query', name);
      assert.deepEqual(v.datasource, { type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    }
    // Every $variable used in an expression is defined.
    const defined = new Set(variables.map((v) => v.name));
    for (const { where, expr } of targets) {
      for (const m of expr.matchAll(/\$\{?(\w+)\}?/g)) assert.ok(m[1].startsWith('__') || defined.has(m[1]), `${where}: $${m[1]} undefined`);
    }
  });

  test('panels: request rate, error ratio, p50/p90/p99, duration heatmap, top routes table', () => {
    const exprs = (type: string) => panels.filter((p) => p.type === type).flatMap((p) => p.targets.map((t: any) => t.expr as string));
    const series = exprs('timeseries');
    assert.ok(series.some((e) => /rate\(route_requests_total\{/.test(e) && !e.includes('5xx')));
    assert.ok(series.some((e) => e.includes('response_class="5xx"') && e.includes('/')));
    for (const q of ['0.5', '0.9', '0.99']) {
      assert.ok(series.some((e) => e.startsWith(`histogram_quantile(${q}, `) && e.includes('route_request_duration_milliseconds_bucket')), `p${q}`);
      assert.ok(series.some((e) => e.startsWith(`histogram_quantile(${q}, `) && e.includes('istio_request_duration_milliseconds_bucket')), `istio p${q}`);
    }
    assert.ok(series.some((e) => e.includes('destination_version')), 'canary vs prod');
    const heatmap = panels.find((p) => p.type === 'heatmap');
    assert.ok(heatmap.targets[0].expr.includes('route_request_duration_milliseconds_bucket'));
    assert.equal(heatmap.targets[0].format, 'heatmap');
    assert.ok(exprs('table').some((e) => e.startsWith('topk(10, ')));
  });

  test('the service variable: destination_service_name values, used by every panel, and route_name follows it', () => {
    const service = variables.find((v) => v.name === 'service');
    assert.match(service.query.query, /^label_values\(route_requests_total\{[^}]*\}, destination_service_name\)$/);
    assert.equal(service.allValue, '.*', 'All also matches series without the label (flat routes)');
    assert.match(variables.find((v) => v.name === 'route_name').query.query, /destination_service_name=~"\$service"/);
    for (const { where, expr } of targets) assert.match(expr, /destination_service_name=~"\$service"/, where);
    const grouped = panels.filter((p) => p.type === 'timeseries' && p.targets.some((t: any) => /^(histogram_quantile\([0-9.]+, )?sum by \(destination_service_name, route_name/.test(t.expr)));
    assert.ok(grouped.length >= 4, 'request rate, error ratio and latency per service and route');
  });

  for (const { where, expr } of targets) {
    test(`${where}: parses; known metrics and labels`, () => checkExpression(where, expr));
  }

  for (const v of variables.filter((x) => x.type === 'query')) {
    test(`variable ${v.name}: label_values over a known metric and label`, () => {
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query.query ?? v.query);
      assert.ok(m, v.definition);
      checkExpression(`variable ${v.name}`, m[1]);
      const metric = analyse(m[1]).metrics[0];
      assert.ok(METRICS[metric].includes(m[2]) || SCRAPE_LABELS.includes(m[2]), `${metric} has no label ${m[2]}`);
    });
  }
});

describe('examples/prometheus/promql.md', () => {
  test('has the queries it promises', () => {
    const all = promqlBlocks.map((b) => b.expr).join('\n');
    assert.ok(promqlBlocks.length >= 10);
    for (const s of ['histogram_quantile(0.5, ', 'histogram_quantile(0.9, ', 'histogram_quantile(0.99, ', 'topk(10, ',
      'response_class="5xx"', 'response_code=~"5.."', 'destination_version', 'route_request_duration_milliseconds_bucket',
      'istio_request_duration_milliseconds_bucket', 'sum by (destination_service_name, route_name)', 'destination_service_name="unknown"'])
      assert.ok(all.includes(s), s);
  });

  for (const { where, expr } of promqlBlocks) {
    test(`${where}: parses; known metrics and labels`, () => checkExpression(where, expr));
  }
});

const alerts = parseYaml(readFileSync(ALERTS_FILE, 'utf8'));
const alertRules: Array<{ alert: string; expr: string; for?: string }> = alerts.groups.flatMap((g: { rules: unknown[] }) => g.rules);

describe('examples/prometheus/alerts.yml', () => {
  test('alerts on route_config_errors, per pod', () => {
    const rule = alertRules.find((r) => r.alert === 'RouteMetricsConfigErrors');
    assert.ok(rule, 'RouteMetricsConfigErrors');
    assert.equal(rule.expr, 'max by (namespace, pod) (route_config_errors) > 0');
    assert.match(readFileSync(join(REPO, 'README.md'), 'utf8'), /expr: max by \(namespace, pod\) \(route_config_errors\) > 0/, 'the README shows the same rule');
    assert.ok(readFileSync(join(REPO, 'assembly', 'metrics', 'config-errors.ts'), 'utf8').includes('CONFIG_ERRORS_METRIC = "route_config_errors"'));
  });

  for (const r of alertRules) {
    test(`alert ${r.alert}: parses; known metrics and labels`, () => checkExpression(`alert ${r.alert}`, r.expr));
  }

  test('promtool check rules accepts the file as it is', (t) => {
    const version = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (version.error) return t.skip('promtool is not installed (apt-get install prometheus)');
    const r = spawnSync('promtool', ['check', 'rules', ALERTS_FILE], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`SUCCESS: ${alertRules.length} rules found`));
  });
});

test('promtool check rules accepts every expression', (t) => {
  const version = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (version.error) return t.skip('promtool is not installed (apt-get install prometheus); the Lezer grammar check above still ran');
  const exprs = [...targets, ...promqlBlocks].map((x) => substitute(x.expr));
  const dir = mkdtempSync(join(tmpdir(), 'route-metrics-promql-'));
  try {
    const rules = ['groups:', '- name: route-metrics-examples', '  rules:',
      ...exprs.map((e, i) => `  - record: route_metrics:example_${i}\n    expr: ${JSON.stringify(e)}`)].join('\n');
    writeFileSync(join(dir, 'rules.yml'), rules + '\n');
    const r = spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
