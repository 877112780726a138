// The series a configuration creates, per proxy and for N pods (lint's cardinality budget).
//
// The plugin (assembly/metrics/route-metrics.ts) defines, per route label value — each route name,
// plus the unmatched value, per service when there are services — up to:
//   <prefix>requests_total                  one counter per response class (none, 1xx … 5xx): 6
//   <prefix>request_duration_milliseconds   one histogram: bounds + 1 (+Inf) buckets, _sum, _count
//   <prefix>request_bytes / response_bytes  the same, when turned on
// plus route_config_errors (one gauge) and, in the attributegen form, route_condition_errors_total.
// Series exist once a request needs them, so these are upper bounds a busy proxy reaches.
//
// Istio's own series gain the Telemetry's route label: every series of the metrics it overrides
// (istio_requests_total, the duration histogram, …) splits into one per route label value, for
// each combination of Istio's other labels (source workload, response code, …), which this file
// cannot know: the numbers are per such combination. Without a Telemetry the README's override
// (REQUEST_COUNT and REQUEST_DURATION) is assumed.
import type { TelemetryResource } from '../config-files.ts';
import { DEFAULT_HISTOGRAM_BUCKETS } from '../../host/histogram.ts';

export const DEFAULT_MAX_SERIES = 10_000;
const RESPONSE_CLASSES = 6;
const OPERATION_ATTRIBUTE = 'istio_operationId';

export interface SeriesCount {
  metric: string;
  type: 'counter' | 'gauge' | 'histogram';
  /** Series of this metric on one proxy (for Istio: per combination of its other labels). */
  series: number;
  /** How the number comes about, e.g. "7 route values × 6 response classes". */
  formula: string;
}

export interface RouteValueGroup {
  /** destination_service_name, or null for a flat configuration. */
  service: string | null;
  /** Distinct route names (the unmatched value not included). */
  routes: number;
}

export interface CardinalityReport {
  /** Route label values in all, unmatched values included (route × service pairs with services). */
  routeValues: number;
  groups: RouteValueGroup[];
  /** Histogram bucket bounds assumed (Envoy's defaults). */
  buckets: number;
  plugin: SeriesCount[];
  pluginPerProxy: number;
  istio: SeriesCount[];
  /** Whether the Istio metrics with the label were assumed (no Telemetry given). */
  istioAssumed: boolean;
  istioPerLabelSet: number;
  pods: number;
  /** (plugin per proxy + Istio per label combination) × pods. */
  total: number;
  maxSeries: number;
  over: boolean;
}

export interface CardinalityOptions {
  pods?: number;
  maxSeries?: number;
  /** Bucket bounds per histogram; default Envoy's 19. */
  buckets?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function routeNames(routes: unknown): Set<string> {
  const names = new Set<string>();
  if (Array.isArray(routes)) for (const r of routes) if (isObj(r) && typeof r.name === 'string') names.add(r.name);
  return names;
}

/** Route label values per service (or one flat group), as the plugin would label them. */
export function routeValueGroups(config: Obj): RouteValueGroup[] {
  if (Array.isArray(config.attributes)) {
    const values = new Set<string>();
    for (const a of config.attributes) {
      if (!isObj(a) || (a.output_attribute ?? a.outputAttribute) !== OPERATION_ATTRIBUTE || !Array.isArray(a.match)) continue;
      for (const m of a.match) if (isObj(m) && typeof m.value === 'string') values.add(m.value);
    }
    return [{ service: null, routes: values.size }];
  }
  if (Array.isArray(config.services) && config.services.length > 0) {
    const groups: RouteValueGroup[] = config.services.filter(isObj).map((s) => ({
      service: typeof s.name === 'string' ? s.name : '',
      routes: routeNames(s.routes).size,
    }));
    // Requests no service claims are labelled destination_service_name="unknown" (route_name
    // unmatched only: top-level routes cannot be combined with services, the plugin leaves them
    // out), unless the service without hosts takes them ("hosts": [] is an error, not that service).
    const catchAll = config.services.some((s) => isObj(s) && s.hosts === undefined);
    if (!catchAll) groups.push({ service: 'unknown', routes: 0 });
    return groups;
  }
  return [{ service: null, routes: routeNames(config.routes).size }];
}

interface MetricsSettings {
  enabled: boolean;
  prefix: string;
  requests: boolean;
  duration: boolean;
  requestBytes: boolean;
  responseBytes: boolean;
}

function metricsSettings(config: Obj): MetricsSettings {
  const m = config.metrics;
  const s: MetricsSettings = { enabled: true, prefix: 'route_', requests: true, duration: true, requestBytes: false, responseBytes: false };
  if (m === false) s.enabled = false;
  if (!isObj(m)) return s;
  const flag = (v: unknown, fallback: boolean) => (typeof v === 'boolean' ? v : fallback);
  s.enabled = flag(m.enabled, true);
  if (typeof m.prefix === 'string') s.prefix = m.prefix;
  s.requests = flag(m.requests, true);
  s.duration = flag(m.duration, true);
  s.requestBytes = flag(m.request_bytes ?? m.requestBytes, false);
  s.responseBytes = flag(m.response_bytes ?? m.responseBytes, false);
  return s;
}

const ISTIO_METRICS: Record<string, { metric: string; type: 'counter' | 'histogram' }> = {
  REQUEST_COUNT: { metric: 'istio_requests_total', type: 'counter' },
  REQUEST_DURATION: { metric: 'istio_request_duration_milliseconds', type: 'histogram' },
  REQUEST_SIZE: { metric: 'istio_request_bytes', type: 'histogram' },
  RESPONSE_SIZE: { metric: 'istio_response_bytes', type: 'histogram' },
  GRPC_REQUEST_MESSAGES: { metric: 'istio_request_messages_total', type: 'counter' },
  GRPC_RESPONSE_MESSAGES: { metric: 'istio_response_messages_total', type: 'counter' },
};

/** The Istio metrics whose tag overrides read the plugin's attribute (tag name → metric kinds). */
function istioMetricsWithRouteLabel(telemetry: TelemetryResource | undefined, attribute: string): { kinds: string[]; assumed: boolean } {
  if (!telemetry) return { kinds: ['REQUEST_COUNT', 'REQUEST_DURATION'], assumed: true };
  const kinds = new Set<string>();
  const metrics = isObj(telemetry.spec) && Array.isArray(telemetry.spec.metrics) ? telemetry.spec.metrics : [];
  for (const m of metrics) {
    if (!isObj(m) || !Array.isArray(m.overrides)) continue;
    for (const o of m.overrides) {
      if (!isObj(o) || o.disabled === true || !isObj(o.tagOverrides)) continue;
      const readsAttribute = Object.values(o.tagOverrides).some((t) =>
        isObj(t) && (t.operation ?? 'UPSERT') === 'UPSERT' && typeof t.value === 'string' && t.value.includes(attribute));
      if (!readsAttribute) continue;
      const metric = isObj(o.match) && typeof o.match.metric === 'string' ? o.match.metric : 'ALL_METRICS';
      if (metric === 'ALL_METRICS') for (const k of Object.keys(ISTIO_METRICS)) kinds.add(k);
      else if (ISTIO_METRICS[metric]) kinds.add(metric);
    }
  }
  return { kinds: Object.keys(ISTIO_METRICS).filter((k) => kinds.has(k)), assumed: false };
}

/** The report for a plugin configuration (JSON text); undefined when it is not a JSON object. */
export function cardinality(pluginConfig: string | undefined, telemetry: TelemetryResource | undefined, opts: CardinalityOptions = {}): CardinalityReport | undefined {
  let config: unknown;
  try {
    config = JSON.parse(pluginConfig ?? '');
  } catch {
    return undefined;
  }
  if (!isObj(config)) return undefined;
  const buckets = opts.buckets ?? DEFAULT_HISTOGRAM_BUCKETS.length;
  const perHistogram = buckets + 3;
  const groups = routeValueGroups(config);
  const routeValues = groups.reduce((n, g) => n + g.routes + 1, 0);
  const settings = metricsSettings(config);
  const valuesText = `${routeValues} route value${routeValues === 1 ? '' : 's'}`;
  const histogram = `${valuesText} × (${buckets} buckets + le="+Inf" + _sum + _count)`;

  const plugin: SeriesCount[] = [];
  if (settings.enabled) {
    if (settings.requests) plugin.push({ metric: `${settings.prefix}requests_total`, type: 'counter', series: routeValues * RESPONSE_CLASSES, formula: `${valuesText} × ${RESPONSE_CLASSES} response classes` });
    if (settings.duration) plugin.push({ metric: `${settings.prefix}request_duration_milliseconds`, type: 'histogram', series: routeValues * perHistogram, formula: histogram });
    if (settings.requestBytes) plugin.push({ metric: `${settings.prefix}request_bytes`, type: 'histogram', series: routeValues * perHistogram, formula: histogram });
    if (settings.responseBytes) plugin.push({ metric: `${settings.prefix}response_bytes`, type: 'histogram', series: routeValues * perHistogram, formula: histogram });
  }
  if (Array.isArray(config.attributes)) plugin.push({ metric: 'route_condition_errors_total', type: 'counter', series: 1, formula: 'one counter' });
  plugin.push({ metric: 'route_config_errors', type: 'gauge', series: 1, formula: 'one gauge' });

  const attribute = typeof config.output_attribute === 'string' ? config.output_attribute : OPERATION_ATTRIBUTE;
  const { kinds, assumed } = istioMetricsWithRouteLabel(telemetry, attribute);
  const istio = kinds.map((k): SeriesCount => {
    const { metric, type } = ISTIO_METRICS[k]!;
    return type === 'counter'
      ? { metric, type, series: routeValues, formula: `${valuesText} × each series` }
      : { metric, type, series: routeValues * perHistogram, formula: `${valuesText} × ${perHistogram} series per histogram` };
  });

  const pluginPerProxy = plugin.reduce((n, s) => n + s.series, 0);
  const istioPerLabelSet = istio.reduce((n, s) => n + s.series, 0);
  const pods = opts.pods ?? 1;
  const maxSeries = opts.maxSeries ?? DEFAULT_MAX_SERIES;
  const total = (pluginPerProxy + istioPerLabelSet) * pods;
  return { routeValues, groups, buckets, plugin, pluginPerProxy, istio, istioAssumed: assumed, istioPerLabelSet, pods, total, maxSeries, over: total > maxSeries };
}

const n = (x: number) => x.toLocaleString('en-US');

/** The lines lint prints. */
export function formatCardinality(r: CardinalityReport): string[] {
  const services = r.groups.filter((g) => g.service !== null);
  const lines = [`series: ${n(r.routeValues)} route label value${r.routeValues === 1 ? '' : 's'}${services.length > 0
    ? ` over ${services.length} service${services.length === 1 ? '' : 's'} (${services.map((g) => `${g.service}: ${g.routes} + unmatched`).join(', ')})`
    : ' (routes + the unmatched value)'}, ${r.buckets} histogram buckets (Envoy's defaults)`];
  const width = Math.max(...[...r.plugin, ...r.istio].map((s) => s.metric.length)) + 2;
  const row = (s: SeriesCount, indent = '  ') => `    ${(indent.slice(2) + s.metric).padEnd(width)}  ${s.type.padEnd(9)}  ${n(s.series).padStart(8)}  ${s.formula}`;
  for (const s of r.plugin) lines.push(row(s));
  lines.push(`  the plugin: ${n(r.pluginPerProxy)} series per proxy${r.pods > 1 ? `, ${n(r.pluginPerProxy * r.pods)} on ${r.pods} pods` : ''}`);
  if (r.istio.length > 0) {
    lines.push(`  Istio's metrics with the route label${r.istioAssumed ? ' (assumed: REQUEST_COUNT and REQUEST_DURATION; give the Telemetry to check)' : ' (from the Telemetry)'}, per combination of Istio's other labels:`);
    for (const s of r.istio) lines.push(row(s, '    '));
  }
  lines.push(`  total: ${n(r.total)} series${r.pods > 1 ? ` on ${r.pods} pods` : ' per proxy'}${r.istio.length > 0 ? ' (Istio counted once per label combination)' : ''}; budget --max-series ${n(r.maxSeries)}`);
  return lines;
}

/** lint's warning text when the budget is exceeded. */
export function overBudgetMessage(r: CardinalityReport): string {
  return `about ${n(r.total)} series on ${r.pods} pod${r.pods === 1 ? '' : 's'} (the plugin ${n(r.pluginPerProxy)} per proxy`
    + `${r.istio.length > 0 ? `, Istio's route label ${n(r.istioPerLabelSet)} per label combination` : ''}), above --max-series ${n(r.maxSeries)}: `
    + 'query the aggregated series of `route-metrics slo` (group route-metrics-aggregate) in dashboards and keep per-pod series short-lived, '
    + 'use fewer histogram buckets (sidecar.istio.io/statsHistogramBuckets), leave request_bytes/response_bytes off, or merge routes';
}
