// `route-metrics slo`: the spec's validation (paths and lines), latency thresholds against the
// histogram's bucket boundaries (Envoy's defaults, --buckets, statsHistogramBuckets annotations),
// the generated rules (PromQL that parses, `promtool check rules`), and their behaviour under
// `promtool test rules`: a route burning its budget at 15× pages, one at 4× only tickets, one at
// 0.5× stays quiet, a latency regression pages on latency only, resets count as errors (both
// sources), and an SLO whose series do not exist raises the no-data alert. The committed example
// examples/prometheus/slo-rules.yaml must be what the command generates from slos.yaml.
// promtool tests are skipped (with the reason) only when promtool is not installed.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml, stringify } from 'yaml';
import { generateSloRules, type SloOptions } from '../../cli/commands/slo.ts';
import { CliError } from '../../cli/errors.ts';
import { parseSloSpec } from '../../cli/slo/spec.ts';
import { errorBudget, type AlertingRule, type RuleGroup } from '../../cli/slo/rules.ts';
import { findOnPath } from '../support/debian.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rm-slo-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const PROMTOOL = findOnPath('promtool');
const NO_PROMTOOL = PROMTOOL ? false : 'promtool is not installed (apt-get install prometheus; .ci/run installs it)';

let seq = 0;
function file(name: string, content: string): string {
  const p = join(dir, `${seq++}-${name}`);
  writeFileSync(p, content);
  return p;
}

/** The CliError a function throws (its message and details as one text). */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return [e.message, ...e.details].join('\n');
  }
  assert.fail('expected a CliError');
}

function generate(spec: string, o: Partial<SloOptions> = {}) {
  return generateSloRules({ spec: file('slos.yaml', spec), ...o });
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'cli/route-metrics.mjs'), ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('slo spec validation', () => {
  test('a valid spec: route, optional service, objective, optional latency', () => {
    const slos = parseSloSpec('slos:\n- {route: "GET /a", objective: 99.9}\n- {route: "GET /b", service: shop, objective: 99, latency: {threshold_ms: 250, objective: 95}}\n', 's.yaml');
    assert.deepEqual(slos, [
      { route: 'GET /a', objective: 99.9, path: 'slos[0]' },
      { route: 'GET /b', service: 'shop', objective: 99, latency: { thresholdMs: 250, objective: 95 }, path: 'slos[1]' },
    ]);
  });

  test('every problem at once, each with its path and line', () => {
    const text = [
      'slos:',
      '  - route: "GET /a"',
      '    objective: 99.9',
      '  - route: "GET /b"',
      '    objective: "99"',
      '  - route: "GET /c"',
      '    objective: 100',
      '  - route: ""',
      '    objective: 99',
      '    latency: {threshold_ms: -1, objective: 0}',
      '  - objective: 99',
      '    sevice: x',
      '  - route: "GET /a"',
      '    objective: 99',
      '  - "GET /d"',
    ].join('\n');
    const msg = failure(() => parseSloSpec(text, 'slos.yaml'));
    assert.match(msg, /^slos\.yaml: 9 problems in the SLO spec/);
    for (const line of [
      'slos[1].objective: must be a number (a percentage, e.g. 99.9), found string "99" (line 5)',
      'slos[2].objective: must be between 0 and 100 exclusive, found 100 (line 7)',
      'slos[3].route: must not be empty (line 8)',
      'slos[3].latency.threshold_ms: must be a number of milliseconds > 0, found number -1 (line 10)',
      'slos[3].latency.objective: must be between 0 and 100 exclusive, found 0 (line 10)',
      'slos[4].sevice: unknown key (expected route, service, objective, latency) (line 12)',
      'slos[4].route: required (line 11)',
      'slos[5]: same route and service as slos[0] (one SLO per route and service) (line 13)',
      'slos[6]: must be a mapping {route, objective, service?, latency?}, found string "GET /d" (line 15)',
    ]) assert.ok(msg.includes(`  ${line}`), `missing: ${line}\n${msg}`);
  });

  test('the top level, an empty list, YAML syntax and duplicate keys', () => {
    assert.match(failure(() => parseSloSpec('- route: x\n', 'a.yaml')), /\(top level\): must be a mapping with a list "slos", found a list/);
    assert.match(failure(() => parseSloSpec('slo: []\n', 'a.yaml')), /slo: unknown key \(expected slos\)[\s\S]*slos: required/);
    assert.match(failure(() => parseSloSpec('slos: []\n', 'a.yaml')), /slos: must not be empty/);
    assert.match(failure(() => parseSloSpec('slos: [\n', 'a.yaml')), /^a\.yaml:\d+:\d+: YAML: /);
    assert.match(failure(() => parseSloSpec('slos:\n- route: a\n  route: b\n  objective: 9\n', 'a.yaml')), /^a\.yaml:3:\d+: YAML: .*unique/i);
    assert.match(failure(() => parseSloSpec('slos:\n- {route: a, objective: 99, latency: {objective: 99}}\n', 'a.yaml')), /slos\[0\]\.latency\.threshold_ms: required/);
  });

  test('the CLI: problems on stderr, exit 1; a bad --format is a usage error (2)', () => {
    const bad = file('bad.yaml', 'slos:\n- {route: x, objective: 120}\n');
    const r = cli(['slo', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /slos\[0\]\.objective: must be between 0 and 100 exclusive, found 120 \(line 2\)/);
    assert.equal(r.stdout, '');
    assert.equal(cli(['slo', bad, '--format', 'json']).code, 2);
    assert.equal(cli(['slo', join(dir, 'missing.yaml')]).code, 1);
    const help = cli(['slo', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+\$ route-metrics slo /);
  });
});

describe('latency thresholds are bucket boundaries', () => {
  const spec = (t: number) => `slos:\n- {route: "GET /a", objective: 99, latency: {threshold_ms: ${t}, objective: 99}}\n`;

  test("Envoy's defaults: 250 is one, 300 is not (the error lists the boundaries)", () => {
    assert.ok(generate(spec(250)).text.includes('le=~"250|250\\\\.0"'));
    const msg = failure(() => generate(spec(300)));
    assert.match(msg, /slos\[0\]\.latency\.threshold_ms: 300 is not a bucket boundary of route_request_duration_milliseconds \(Envoy's default buckets\); boundaries: 0\.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000/);
  });

  test('--buckets replaces them', () => {
    assert.doesNotThrow(() => generate(spec(300), { buckets: '100,300,1000' }));
    assert.match(failure(() => generate(spec(250), { buckets: '100,300,1000' })), /\(--buckets\); boundaries: 100, 300, 1000/);
  });

  test('--config: statsHistogramBuckets annotations of the manifests (every proxy must have the bound)', () => {
    const podinfo = join(REPO, 'examples/sidecar/podinfo.yaml');
    assert.doesNotThrow(() => generate(spec(250), { config: [podinfo] }));
    // 0.5 is an Envoy default but not in the example's wasmcustom buckets.
    assert.match(failure(() => generate(spec(0.5), { config: [podinfo] })), /0\.5 is not a bucket boundary .*podinfo\.yaml Deployment podinfo\/podinfo\); boundaries: 1, 5, 10/);
    const other = file('gw.yaml', stringify({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'w', namespace: 'shop' },
      spec: { infrastructure: { annotations: { 'sidecar.istio.io/statsHistogramBuckets': '{"wasmcustom.route_name=":[250,2000]}' } } },
    }));
    assert.doesNotThrow(() => generate(spec(250), { config: [podinfo, other] }));
    assert.match(failure(() => generate(spec(1000), { config: [podinfo, other] })), /gw\.yaml Gateway shop\/w\); boundaries: 250, 2000/);
    // Istio's histogram has its own prefix.
    const istioOnly = file('pod.yaml', stringify({ kind: 'Pod', metadata: { annotations: { 'sidecar.istio.io/statsHistogramBuckets': '{"istiocustom":[7,70]}' } } }));
    assert.doesNotThrow(() => generate(spec(70), { config: [istioOnly], source: 'istio' }));
    assert.match(failure(() => generate(spec(70), { config: [istioOnly] })), /Envoy's default buckets \(no prefix of .*pod\.yaml Pod matches\)/);
  });

  test("--config: the plugin's metrics.prefix and a duration histogram turned off", () => {
    const plugin = file('plugin.json', JSON.stringify({ routes: [{ name: 'GET /a', path: '/a' }], metrics: { prefix: 'api_' } }));
    const r = generate(spec(250), { config: [plugin] });
    assert.ok(r.text.includes('rate(api_requests_total{') && r.text.includes('api_request_duration_milliseconds_bucket{'));
    assert.ok(!r.text.includes('route_requests_total'));
    const off = file('off.json', JSON.stringify({ routes: [], metrics: { duration: false } }));
    assert.match(failure(() => generate(spec(250), { config: [off] })), /turns the duration histogram off/);
  });
});

// ------------------------------------------------------------------ the rules themselves

const allRules = (groups: RuleGroup[]) => groups.flatMap((g) => g.rules);

function parsesAsPromQL(expr: string): void {
  const tree = parser.parse(expr);
  let bad = -1;
  tree.iterate({ enter: (n) => { if (n.type.isError && bad < 0) bad = n.from; } });
  assert.equal(bad, -1, `syntax error at ${bad} in ${expr}`);
}

describe('generated rules', () => {
  const SPEC = 'slos:\n- {route: "GET /users/{id}", objective: 99.9, latency: {threshold_ms: 250, objective: 99}}\n- {route: "POST /echo", service: podinfo, objective: 99.5}\n';

  test('budget arithmetic is exact in decimal', () => {
    assert.equal(errorBudget(99.9), '0.001');
    assert.equal(errorBudget(99.95), '0.0005');
    assert.equal(errorBudget(99), '0.01');
    assert.equal(errorBudget(50), '0.5');
  });

  for (const source of ['plugin', 'istio'] as const) {
    test(`${source}: windows 5m…3d, multi-window alerts with severity and identity labels; every expression parses`, () => {
      const { groups } = generate(SPEC, { source });
      assert.deepEqual(groups.map((g) => g.name), ['route-metrics-aggregate', 'route-metrics-slo-sli', 'route-metrics-slo-alerts']);
      const records = allRules(groups).filter((r) => 'record' in r).map((r) => (r as { record: string }).record);
      for (const w of ['5m', '30m', '1h', '2h', '6h', '1d', '3d']) {
        assert.ok(records.some((r) => r.endsWith(`request_errors:ratio_rate${w}`)), `errors ${w}`);
        assert.ok(records.some((r) => r.endsWith(`request_slow:ratio_rate${w}`)), `slow ${w}`);
      }
      const alerts = allRules(groups).filter((r): r is AlertingRule => 'alert' in r);
      const burn = alerts.filter((a) => a.alert !== 'RouteSLOMetricsAbsent');
      assert.deepEqual(burn.map((a) => [a.alert, a.labels.severity, a.labels.route_name, a.labels.destination_service_name]), [
        ['RouteErrorBudgetBurn', 'page', 'GET /users/{id}', undefined],
        ['RouteErrorBudgetBurn', 'ticket', 'GET /users/{id}', undefined],
        ['RouteLatencyBudgetBurn', 'page', 'GET /users/{id}', undefined],
        ['RouteLatencyBudgetBurn', 'ticket', 'GET /users/{id}', undefined],
        ['RouteErrorBudgetBurn', 'page', 'POST /echo', 'podinfo'],
        ['RouteErrorBudgetBurn', 'ticket', 'POST /echo', 'podinfo'],
      ]);
      const sel = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const users = sel('{route_name="GET /users/{id}"}');
      const echo = sel('{route_name="POST /echo", destination_service_name="podinfo"}');
      const both = (long: string, short: string, factor: string, budget: string, s = users) =>
        new RegExp(`ratio_rate${long}${s} > \\(${factor} \\* ${budget}\\)\nand\n.*ratio_rate${short}${s} > \\(${factor} \\* ${budget}\\)`);
      assert.match(burn[0]!.expr, both('1h', '5m', '14\\.4', '0\\.001'));
      assert.match(burn[0]!.expr, both('6h', '30m', '6', '0\\.001'));
      assert.match(burn[1]!.expr, both('1d', '2h', '3', '0\\.001'));
      assert.match(burn[1]!.expr, both('3d', '6h', '1', '0\\.001'));
      assert.match(burn[2]!.expr, both('1h', '5m', '14\\.4', '0\\.01', sel('{route_name="GET /users/{id}", threshold_ms="250"}')));
      assert.match(burn[4]!.expr, both('1h', '5m', '14\\.4', '0\\.005', echo));
      assert.doesNotMatch(burn[0]!.expr, /ratio_rate1d|ratio_rate3d/, 'page uses the short windows only');
      for (const r of allRules(groups)) parsesAsPromQL(r.expr);
      const text = JSON.stringify(groups);
      if (source === 'plugin') assert.ok(text.includes('response_class=~\\"5xx|none\\"'), 'resets (none) are errors');
      else assert.ok(text.includes('response_flags=~\\"(.*,)?(UC|UR|LR|DC|DR)(,.*)?\\"') && text.includes('reporter=~\\"destination|waypoint\\"'));
    });
  }

  test('PrometheusRule: the Operator CRD around the same groups, with metadata from the flags', () => {
    const plain = parseYaml(generate(SPEC).text);
    const crd = parseYaml(generate(SPEC, { format: 'prometheusrule', name: 'shop-slos', namespace: 'monitoring', labels: ['release=prometheus'] }).text);
    assert.equal(crd.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(crd.kind, 'PrometheusRule');
    assert.deepEqual(crd.metadata, { name: 'shop-slos', namespace: 'monitoring', labels: { release: 'prometheus' } });
    assert.deepEqual(crd.spec.groups, plain.groups);
  });

  test('promtool check rules accepts both formats', { skip: NO_PROMTOOL }, () => {
    for (const source of ['plugin', 'istio'] as const) {
      const rules = file('rules.yaml', generate(SPEC, { source }).text);
      const r = spawnSync(PROMTOOL!, ['check', 'rules', rules], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS: \d+ rules found/);
    }
    const crd = parseYaml(generate(SPEC, { format: 'prometheusrule' }).text);
    const extracted = file('from-crd.yaml', stringify({ groups: crd.spec.groups }));
    const r = spawnSync(PROMTOOL!, ['check', 'rules', extracted], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});

// ------------------------------------------------------------------ promtool test rules

/** "a+bxn" segments from per-minute increments: [[perMinute, minutes], …] → a counter's values. */
function counter(...segments: [perMinute: number, minutes: number][]): string {
  const parts: string[] = [];
  let value = 0;
  let first = true;
  for (const [inc, minutes] of segments) {
    // The first segment starts at 0 (t=0); each later one at the next minute.
    if (first) {
      parts.push(`0+${inc}x${minutes}`);
      value = inc * minutes;
      first = false;
    } else {
      parts.push(`${value + inc}+${inc}x${minutes - 1}`);
      value += inc * minutes;
    }
  }
  return parts.join(' ');
}

interface Series { series: string; values: string }
interface AlertCheck { at: string; alert: string; expect: Record<string, string>[] }

function labelsText(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/** Runs `promtool test rules` on the generated rules (annotations left out: they are templates of $value). */
function promtoolTest(rulesText: string, series: Series[], checks: AlertCheck[]): void {
  const rules = parseYaml(rulesText);
  for (const g of rules.groups) for (const r of g.rules) delete r.annotations;
  const rulesFile = file('rules.yaml', stringify(rules));
  const testFile = file('test.yaml', stringify({
    rule_files: [rulesFile],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: series,
      alert_rule_test: checks.map((c) => ({ eval_time: c.at, alertname: c.alert, exp_alerts: c.expect.map((l) => ({ exp_labels: l })) })),
    }],
  }));
  const r = spawnSync(PROMTOOL!, ['test', 'rules', testFile], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `promtool test rules:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /SUCCESS/);
}

const pluginRequests = (labels: Record<string, string>, values: string): Series =>
  ({ series: `route_requests_total${labelsText(labels)}`, values });

describe('promtool test rules: the alerts fire when they should, and only then', { skip: NO_PROMTOOL }, () => {
  const SPEC = 'slos:\n- {route: "GET /checkout", objective: 99.9, latency: {threshold_ms: 250, objective: 99}}\n';
  const ROUTE = { route_name: 'GET /checkout', namespace: 'shop' };
  const availability = (severity: string) => ({ ...ROUTE, severity, slo: 'availability' });
  const latency = (severity: string) => ({ ...ROUTE, severity, slo: 'latency', threshold_ms: '250' });
  /** Two pods; `errorsPerMinute` of each pod's 1000 requests a minute are 5xx (or `errorClass`). */
  const traffic = (errorsPerMinute: number, minutes: number, errorClass = '5xx'): Series[] => ['a', 'b'].flatMap((pod) => [
    pluginRequests({ ...ROUTE, pod, response_class: '2xx' }, counter([1000 - errorsPerMinute, minutes])),
    pluginRequests({ ...ROUTE, pod, response_class: errorClass }, counter([errorsPerMinute, minutes])),
  ]);

  test('burning the budget at 15× (1.5% errors, objective 99.9%) pages, and tickets', () => {
    promtoolTest(generate(SPEC).text, traffic(15, 240), [
      { at: '2h', alert: 'RouteErrorBudgetBurn', expect: [availability('page'), availability('ticket')] },
      { at: '2h', alert: 'RouteLatencyBudgetBurn', expect: [] },
      { at: '2h', alert: 'RouteSLOMetricsAbsent', expect: [] },
    ]);
  });

  test('at 4× (0.4% errors) it only tickets: below both page rates (14.4× and 6×), above 3×', () => {
    promtoolTest(generate(SPEC).text, traffic(4, 240), [
      { at: '3h', alert: 'RouteErrorBudgetBurn', expect: [availability('ticket')] },
    ]);
  });

  test('at 0.5× (0.05% errors) it stays quiet on every window', () => {
    promtoolTest(generate(SPEC).text, traffic(0.5, 240), [
      { at: '10m', alert: 'RouteErrorBudgetBurn', expect: [] },
      { at: '2h', alert: 'RouteErrorBudgetBurn', expect: [] },
      { at: '4h', alert: 'RouteErrorBudgetBurn', expect: [] },
    ]);
  });

  test('resets (response_class none) count as errors', () => {
    promtoolTest(generate(SPEC).text, traffic(15, 120, 'none'), [
      { at: '1h', alert: 'RouteErrorBudgetBurn', expect: [availability('page'), availability('ticket')] },
    ]);
  });

  for (const le of ['250', '250.0']) {
    test(`a latency regression pages on latency only (le="${le}", as Prometheus ${le === '250' ? 2 : 3} stores the bound)`, () => {
      // 2 h with every request under 250 ms, then half of them slower: 50× the 1% budget.
      const series: Series[] = [
        ...traffic(0, 180),
        { series: `route_request_duration_milliseconds_bucket${labelsText({ ...ROUTE, pod: 'a', le })}`, values: counter([1000, 120], [500, 60]) },
        { series: `route_request_duration_milliseconds_bucket${labelsText({ ...ROUTE, pod: 'a', le: '+Inf' })}`, values: counter([1000, 180]) },
        { series: `route_request_duration_milliseconds_count${labelsText({ ...ROUTE, pod: 'a' })}`, values: counter([1000, 180]) },
      ];
      promtoolTest(generate(SPEC).text, series, [
        { at: '110m', alert: 'RouteLatencyBudgetBurn', expect: [] },
        { at: '140m', alert: 'RouteLatencyBudgetBurn', expect: [latency('page'), latency('ticket')] },
        { at: '140m', alert: 'RouteErrorBudgetBurn', expect: [] },
      ]);
    });
  }

  test('istio source: 5xx, response_code 0 and reset flags are errors; client-side (reporter=source) series are not counted', () => {
    const base = { route_name: 'GET /checkout', destination_service_name: 'shop', destination_service_namespace: 'shop', reporter: 'destination' };
    const istio = (labels: Record<string, string>, perMinute: number, minutes = 120): Series =>
      ({ series: `istio_requests_total${labelsText({ ...base, ...labels })}`, values: counter([perMinute, minutes]) });
    const expectAvail = (severity: string) => ({ route_name: 'GET /checkout', destination_service_name: 'shop', destination_service_namespace: 'shop', severity, slo: 'availability' });
    const text = generate(SPEC, { source: 'istio' }).text;
    // 0.5% of each kind: 5xx, no response (0), a response cut by an upstream reset (200 + UC) → 1.5% = 15×.
    promtoolTest(text, [
      istio({ response_code: '200', response_flags: '-' }, 985),
      istio({ response_code: '503', response_flags: 'UF' }, 5),
      istio({ response_code: '0', response_flags: 'DC' }, 5),
      istio({ response_code: '200', response_flags: 'UC' }, 5),
      // The client side of the same requests must not dilute or double the ratio.
      istio({ reporter: 'source', response_code: '200', response_flags: '-' }, 100000),
    ], [{ at: '1h', alert: 'RouteErrorBudgetBurn', expect: [expectAvail('page'), expectAvail('ticket')] }]);
    // Without the resets (only the 5xx share: 0.5% = 5×) it does not page.
    promtoolTest(text, [
      istio({ response_code: '200', response_flags: '-' }, 995),
      istio({ response_code: '503', response_flags: 'UF' }, 5),
    ], [{ at: '1h', alert: 'RouteErrorBudgetBurn', expect: [expectAvail('ticket')] }]);
  });

  test('an SLO for a service label the series do not carry: no burn alert can fire, the no-data alert does', () => {
    const text = generate('slos:\n- {route: "GET /checkout", service: shop, objective: 99.9}\n').text;
    promtoolTest(text, traffic(15, 180), [
      { at: '2h', alert: 'RouteErrorBudgetBurn', expect: [] },
      { at: '30m', alert: 'RouteSLOMetricsAbsent', expect: [] }, // pending during `for: 1h`
      { at: '2h', alert: 'RouteSLOMetricsAbsent', expect: [{ route_name: 'GET /checkout', destination_service_name: 'shop', severity: 'ticket', slo: 'availability' }] },
    ]);
  });
});

describe('examples/prometheus', () => {
  test('slo-rules.yaml is what `route-metrics slo examples/prometheus/slos.yaml` generates', () => {
    const committed = readFileSync(join(REPO, 'examples/prometheus/slo-rules.yaml'), 'utf8');
    const fresh = generateSloRules({ spec: join(REPO, 'examples/prometheus/slos.yaml') }).text;
    assert.equal(committed, fresh, 'regenerate: node cli/route-metrics.mjs slo examples/prometheus/slos.yaml -o examples/prometheus/slo-rules.yaml');
  });

  test('promtool check rules accepts slo-rules.yaml', { skip: NO_PROMTOOL }, () => {
    const r = spawnSync(PROMTOOL!, ['check', 'rules', join(REPO, 'examples/prometheus/slo-rules.yaml')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test('-o writes the file and says what it holds', () => {
    const out = join(dir, 'out.yaml');
    const r = cli(['slo', join(REPO, 'examples/prometheus/slos.yaml'), '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /out\.yaml: 3 SLOs, \d+ recording rules, \d+ alerts/);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(REPO, 'examples/prometheus/slo-rules.yaml'), 'utf8'));
  });
});
