// Per-route summary of what the dev proxy measured: request count, error rate and latency
// percentiles (nearest rank) from the real durations of each stream, client-visible (from the
// first request byte to the last response byte).
import type { StreamRecord } from './dev-proxy.ts';
import { table } from '../terminal.ts';

export interface RouteStats {
  route: string;
  count: number;
  /** 5xx responses and resets (no response). */
  errors: number;
  status4xx: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Nearest-rank percentile of ascending `sorted` (p in 0..1). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The label Istio would show for a route: the attribute, or "unknown" when it is unset. */
export const routeLabel = (r: StreamRecord) => r.route ?? 'unknown';

export function summarize(records: StreamRecord[]): RouteStats[] {
  const groups = new Map<string, StreamRecord[]>();
  for (const r of records) {
    const k = routeLabel(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const stats = [...groups].map(([route, rs]) => statsOf(route, rs));
  return stats.sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
}

function statsOf(route: string, rs: StreamRecord[]): RouteStats {
  const d = rs.map((r) => r.durationMs).sort((a, b) => a - b);
  return {
    route,
    count: rs.length,
    errors: rs.filter((r) => r.status >= 500 || r.status === 0).length,
    status4xx: rs.filter((r) => r.status >= 400 && r.status < 500).length,
    p50: percentile(d, 0.5),
    p90: percentile(d, 0.9),
    p99: percentile(d, 0.99),
  };
}

const ms = (v: number) => (Number.isNaN(v) ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const pct = (n: number, total: number) => (total === 0 ? '-' : `${((100 * n) / total).toFixed(1)}%`);

export function formatSummary(records: StreamRecord[]): string {
  const rows = summarize(records);
  const all = statsOf('all routes', records);
  const body = [...rows, all].map((s) => [s.route, String(s.count), pct(s.errors, s.count), pct(s.status4xx, s.count), ms(s.p50), ms(s.p90), ms(s.p99)]);
  return (
    table(['route', 'count', 'error %', '4xx %', 'p50 ms', 'p90 ms', 'p99 ms'], body, ['l', 'r', 'r', 'r', 'r', 'r', 'r']) +
    '\n(error = 5xx or reset; durations measured by the proxy, first request byte to last response byte; "unknown" = attribute unset: no route matched and no default)'
  );
}

/** Time spent in the simulated Envoy + Wasm filter per stream (µs): p50 / p99. */
export function filterOverhead(records: StreamRecord[]): { p50: number; p99: number; mean: number } {
  const us = records.map((r) => r.filterMicros).sort((a, b) => a - b);
  const mean = us.reduce((a, b) => a + b, 0) / Math.max(1, us.length);
  return { p50: percentile(us, 0.5), p99: percentile(us, 0.99), mean };
}
