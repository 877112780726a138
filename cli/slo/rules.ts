// Prometheus rules for per-route SLOs, multi-window multi-burn-rate in the style of the Google SRE
// workbook ("Alerting on SLOs"): an alert fires when the error budget burns faster than a factor
// over a long window AND over a short window (the short one makes it stop soon after recovery):
//   page   14.4× over 1h and 5m (2% of a 30-day budget in an hour), or 6× over 6h and 30m
//   ticket 3× over 1d and 2h, or 1× over 3d and 6h
// Three groups:
//   route-metrics-aggregate  every route summed across pods, 5m rates: requests by class (code)
//                            and duration buckets by le. Dashboards query these instead of the
//                            per-pod series (see the README's cardinality section).
//   route-metrics-slo-sli    for the SLO routes only: error ratio and slow ratio (share of requests
//                            slower than each threshold_ms, label threshold_ms) over 5m…3d.
//   route-metrics-slo-alerts per SLO: availability and latency burn alerts (page, ticket), and an
//                            alert when its SLI has no data at all (wrong labels, nothing scraped).
// Availability errors are 5xx and resets (sources.ts). Latency uses the bucket le=threshold_ms,
// matched in Envoy's and Prometheus 3's spelling of the bound (promql.ts leMatcher).
import { eq, leMatcher, oneOf, selector } from '../prometheus/promql.ts';
import { ROUTE_LABEL, SERVICE_LABEL, type MetricSource } from '../prometheus/sources.ts';
import type { Slo } from './spec.ts';

export const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
export type Window = (typeof WINDOWS)[number];

export interface BurnCondition {
  factor: number;
  long: Window;
  short: Window;
}

export const BURN_RATES: Record<'page' | 'ticket', BurnCondition[]> = {
  page: [{ factor: 14.4, long: '1h', short: '5m' }, { factor: 6, long: '6h', short: '30m' }],
  ticket: [{ factor: 3, long: '1d', short: '2h' }, { factor: 1, long: '3d', short: '6h' }],
};

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export const ALERTS = {
  availability: 'RouteErrorBudgetBurn',
  latency: 'RouteLatencyBudgetBurn',
  absent: 'RouteSLOMetricsAbsent',
} as const;

/** The names of the recorded series for a source. */
export function recordNames(source: MetricSource) {
  const stem = source.name === 'istio' ? 'istio_' : source.requests.replace(/requests_total$/, '');
  return {
    requests: `route_name:${stem}requests:rate5m`,
    durationBucket: `route_name:${source.duration}_bucket:rate5m`,
    durationCount: `route_name:${source.duration}_count:rate5m`,
    errorRatio: (w: Window) => `route_name:${stem}request_errors:ratio_rate${w}`,
    slowRatio: (w: Window) => `route_name:${stem}request_slow:ratio_rate${w}`,
  };
}

/** (100 − objective) / 100 as a short decimal (99.9 → 0.001, not 0.0009999999999994458). */
export function errorBudget(objective: number): string {
  return String(Number(((100 - objective) / 100).toPrecision(12)));
}

const sloLabel = (s: Slo) => `${s.route}${s.service !== undefined ? ` (${s.service})` : ''}`;

function sliSelector(s: Slo, extra: string[] = []): string {
  return selector([eq(ROUTE_LABEL, s.route), ...(s.service !== undefined ? [eq(SERVICE_LABEL, s.service)] : []), ...extra]);
}

function aggregateGroup(source: MetricSource): RuleGroup {
  const names = recordNames(source);
  const by = source.groupBy.join(', ');
  const base = selector(source.baseMatchers);
  const classLabel = source.name === 'istio' ? 'response_code' : 'response_class';
  return {
    name: 'route-metrics-aggregate',
    rules: [
      { record: names.requests, expr: `sum by (${by}, ${classLabel}) (rate(${source.requests}${base}[5m]))` },
      { record: names.durationBucket, expr: `sum by (${by}, le) (rate(${source.duration}_bucket${base}[5m]))` },
      { record: names.durationCount, expr: `sum by (${by}) (rate(${source.duration}_count${base}[5m]))` },
    ],
  };
}

function sliGroup(source: MetricSource, slos: readonly Slo[]): RuleGroup {
  const names = recordNames(source);
  const by = source.groupBy.join(', ');
  const routes = [...new Set(slos.map((s) => s.route))].sort();
  const m = [...source.baseMatchers, oneOf(ROUTE_LABEL, routes)];
  const rules: Rule[] = [];
  for (const w of WINDOWS) {
    const all = `sum by (${by}) (rate(${source.requests}${selector(m)}[${w}]))`;
    // Without any error series the numerator would be empty: `or … * 0` makes the ratio 0 instead.
    rules.push({
      record: names.errorRatio(w),
      expr: `(\n  sum by (${by}) (${source.errorRates(m, w)})\n  or\n  ${all} * 0\n)\n/\n${all}\n`,
    });
  }
  const thresholds = [...new Set(slos.flatMap((s) => (s.latency ? [s.latency.thresholdMs] : [])))].sort((a, b) => a - b);
  for (const t of thresholds) {
    const tRoutes = [...new Set(slos.filter((s) => s.latency?.thresholdMs === t).map((s) => s.route))].sort();
    const tm = [...source.baseMatchers, oneOf(ROUTE_LABEL, tRoutes)];
    for (const w of WINDOWS) {
      rules.push({
        record: names.slowRatio(w),
        expr: `1 - (\n  sum by (${by}) (rate(${source.duration}_bucket${selector([...tm, leMatcher(t)])}[${w}]))\n  /\n  sum by (${by}) (rate(${source.duration}_count${selector(tm)}[${w}]))\n)\n`,
        labels: { threshold_ms: String(t) },
      });
    }
  }
  return { name: 'route-metrics-slo-sli', rules };
}

/** "Route X (service)" from the alert's own labels (Go template). */
const WHO = `{{ $labels.${ROUTE_LABEL} }}{{ with $labels.${SERVICE_LABEL} }} ({{ . }}){{ end }}`;

const conditionsText = (severity: 'page' | 'ticket') =>
  `${BURN_RATES[severity].map((c) => `${c.factor}× the budget rate over ${c.long} and ${c.short}`).join(', or ')}`;

function burnExpr(series: (w: Window) => string, sel: string, budget: string, conditions: BurnCondition[]): string {
  return conditions.map((c) => `(\n  ${series(c.long)}${sel} > (${c.factor} * ${budget})\nand\n  ${series(c.short)}${sel} > (${c.factor} * ${budget})\n)`).join('\nor\n') + '\n';
}

function identity(s: Slo): Record<string, string> {
  return { [ROUTE_LABEL]: s.route, ...(s.service !== undefined ? { [SERVICE_LABEL]: s.service } : {}) };
}

function alertGroup(source: MetricSource, slos: readonly Slo[]): RuleGroup {
  const names = recordNames(source);
  const rules: Rule[] = [];
  for (const s of slos) {
    const sel = sliSelector(s);
    const budget = errorBudget(s.objective);
    for (const severity of ['page', 'ticket'] as const) {
      const speed = severity === 'page' ? 'fast' : 'slowly';
      const [first] = BURN_RATES[severity];
      rules.push({
        alert: ALERTS.availability,
        expr: burnExpr(names.errorRatio, sel, budget, BURN_RATES[severity]),
        labels: { severity, slo: 'availability', ...identity(s) },
        annotations: {
          summary: `${sloLabel(s)} burns its error budget ${speed} (objective ${s.objective}% of requests without 5xx or reset)`,
          description: `${WHO}: error ratio {{ $value | humanizePercentage }} over ${first!.long} (budget ${budget}; alerts at ${conditionsText(severity)}).`,
        },
      });
    }
    if (s.latency) {
      const lsel = sliSelector(s, [eq('threshold_ms', String(s.latency.thresholdMs))]);
      const lbudget = errorBudget(s.latency.objective);
      for (const severity of ['page', 'ticket'] as const) {
        const speed = severity === 'page' ? 'fast' : 'slowly';
        const [first] = BURN_RATES[severity];
        rules.push({
          alert: ALERTS.latency,
          expr: burnExpr(names.slowRatio, lsel, lbudget, BURN_RATES[severity]),
          labels: { severity, slo: 'latency', ...identity(s) },
          annotations: {
            summary: `${sloLabel(s)} burns its latency budget ${speed} (objective ${s.latency.objective}% of requests within ${s.latency.thresholdMs} ms)`,
            description: `${WHO}: {{ $value | humanizePercentage }} of requests slower than ${s.latency.thresholdMs} ms over ${first!.long} (budget ${lbudget}; alerts at ${conditionsText(severity)}).`,
          },
        });
      }
    }
    rules.push({
      alert: ALERTS.absent,
      expr: `absent(${names.errorRatio('1h')}${sel})\n`,
      for: '1h',
      labels: { severity: 'ticket', slo: 'availability', ...identity(s) },
      annotations: {
        summary: `no data for the SLO of ${sloLabel(s)}`,
        description: `No ${source.requests} series with ${ROUTE_LABEL}="${s.route}"${s.service !== undefined ? ` and ${SERVICE_LABEL}="${s.service}"` : ''} for an hour: the route is not called, is named differently, or the labels are missing (extraStatTags, the Telemetry override, the services block).`,
      },
    });
  }
  return { name: 'route-metrics-slo-alerts', rules };
}

export function sloRuleGroups(source: MetricSource, slos: readonly Slo[]): RuleGroup[] {
  return [aggregateGroup(source), sliGroup(source, slos), alertGroup(source, slos)];
}
