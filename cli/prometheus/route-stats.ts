// Per-route golden signals from Prometheus: requests per second, success rate (neither 5xx nor a
// reset) and p50/p90/p99 latency, each summed across pods by (namespace, service, route). Five
// instant queries at one evaluation time, joined on those labels.
import type { PrometheusClient, VectorSample } from './client.ts';
import { selector } from './promql.ts';
import { ROUTE_LABEL, SERVICE_LABEL, filterMatchers, type MetricSource } from './sources.ts';

export interface RouteFilter {
  namespace?: string;
  service?: string;
}

export interface RouteQueryOptions extends RouteFilter {
  source: MetricSource;
  /** A Prometheus duration, e.g. "1m". */
  window: string;
}

export const QUANTILES = [0.5, 0.9, 0.99] as const;

export interface RouteQueries {
  requests: string;
  errors: string;
  quantiles: { q: number; expr: string }[];
}

export function routeQueries(o: RouteQueryOptions): RouteQueries {
  const s = o.source;
  const m = [...s.baseMatchers, ...filterMatchers(s, o)];
  const by = s.groupBy.join(', ');
  return {
    requests: `sum by (${by}) (rate(${s.requests}${selector(m)}[${o.window}]))`,
    errors: `sum by (${by}) (${s.errorRates(m, o.window)})`,
    quantiles: QUANTILES.map((q) => ({
      q,
      expr: `histogram_quantile(${q}, sum by (${by}, le) (rate(${s.duration}_bucket${selector(m)}[${o.window}])))`,
    })),
  };
}

export interface RouteRow {
  namespace?: string;
  service?: string;
  route: string;
  /** Requests per second over the window, all pods. */
  rps: number;
  /** 0–1; null without requests in the window. */
  success_rate: number | null;
  /** null without samples in the window (or without the duration histogram). */
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
}

export interface RouteStats {
  rows: RouteRow[];
  /** Prometheus' warnings, if any. */
  warnings: string[];
  queries: RouteQueries;
  time: Date;
}

type Key = string;

function keyOf(source: MetricSource, metric: Record<string, string>): Key {
  return JSON.stringify(source.groupBy.map((l) => metric[l] ?? null));
}

const finite = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);

/** Joins the five results into rows (one per series of the request rate), busiest first. */
export function joinRouteResults(
  source: MetricSource,
  requests: VectorSample[],
  errors: VectorSample[],
  quantiles: VectorSample[][],
): RouteRow[] {
  const index = (samples: VectorSample[]) => new Map(samples.map((s) => [keyOf(source, s.metric), s.value]));
  const errorsBy = index(errors);
  const qBy = quantiles.map(index);
  const rows = requests.map((s): RouteRow => {
    const key = keyOf(source, s.metric);
    const rps = Number.isFinite(s.value) ? s.value : 0;
    const err = errorsBy.get(key) ?? 0;
    const row: RouteRow = {
      route: s.metric[ROUTE_LABEL] ?? '',
      rps,
      success_rate: rps > 0 ? Math.min(1, Math.max(0, 1 - err / rps)) : null,
      p50_ms: finite(qBy[0]!.get(key)),
      p90_ms: finite(qBy[1]!.get(key)),
      p99_ms: finite(qBy[2]!.get(key)),
    };
    const ns = s.metric[source.namespaceLabel];
    const svc = s.metric[SERVICE_LABEL];
    // Keep the object's keys in a readable order.
    return { ...(ns !== undefined ? { namespace: ns } : {}), ...(svc !== undefined ? { service: svc } : {}), ...row };
  });
  return rows.sort((a, b) => b.rps - a.rps || (a.service ?? '').localeCompare(b.service ?? '') || a.route.localeCompare(b.route));
}

export async function fetchRouteStats(client: PrometheusClient, o: RouteQueryOptions, time = new Date()): Promise<RouteStats> {
  const queries = routeQueries(o);
  const all = [queries.requests, queries.errors, ...queries.quantiles.map((q) => q.expr)];
  const results = await Promise.all(all.map((q) => client.query(q, time)));
  const [requests, errors, ...quantiles] = results.map((r) => r.samples) as [VectorSample[], VectorSample[], ...VectorSample[][]];
  return {
    rows: joinRouteResults(o.source, requests, errors, quantiles),
    warnings: [...new Set(results.flatMap((r) => r.warnings))],
    queries,
    time,
  };
}
