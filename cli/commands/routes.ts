// `route-metrics routes --prometheus URL`: per-route requests/s, success rate and p50/p90/p99 from a
// real Prometheus (the plugin's metrics, or Istio's with --source istio), once or with --watch.
// When nothing matches, it says what is missing (diagnose.ts) instead of printing an empty table.
// --watch refreshes every --interval, one refresh at a time (the next waits for the previous one),
// until Ctrl-C or --count refreshes; a failed refresh is shown and the next one tries again.
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../errors.ts';
import { PrometheusClient } from '../prometheus/client.ts';
import { allUnknownNote, diagnoseNoSeries } from '../prometheus/diagnose.ts';
import { parseDuration } from '../prometheus/promql.ts';
import { fetchRouteStats, type RouteRow, type RouteStats } from '../prometheus/route-stats.ts';
import { metricSource, type MetricSource, type SourceName } from '../prometheus/sources.ts';
import { err as e, out as c, table } from '../terminal.ts';

export interface RoutesOptions {
  prometheus: string;
  window?: string;
  namespace?: string;
  service?: string;
  source?: SourceName;
  /** The plugin's metrics.prefix (default "route_"). */
  prefix?: string;
  json?: boolean;
  watch?: boolean;
  /** Between refreshes with --watch (a Prometheus duration). Default 5s. */
  interval?: string;
  /** Stop after this many refreshes (--watch). */
  count?: number;
  /** Per request, a Prometheus duration. Default 10s. */
  timeout?: string;
  /** Test hooks. */
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream;
  signal?: AbortSignal;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new CliError(`${flag} ${text}: expected a Prometheus duration such as 30s, 1m or 1h`, 2);
  return ms;
}

const fixed = (v: number, digits: number) => v.toFixed(digits);

export function formatRate(v: number): string {
  if (v === 0) return '0';
  if (v < 0.01) return '<0.01';
  return v < 10 ? fixed(v, 2) : v < 1000 ? fixed(v, 1) : fixed(v, 0);
}

export function formatSuccess(v: number | null): string {
  if (v === null) return '-';
  const pct = v * 100;
  // 99.999% must not round up to 100.00%.
  const shown = Math.floor(pct * 100) / 100;
  return `${shown.toFixed(2)}%`;
}

export function formatMs(v: number | null): string {
  if (v === null) return '-';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v < 10 ? fixed(v, 2) : v < 100 ? fixed(v, 1) : fixed(v, 0);
}

/** The table `routes` prints (namespace and service columns only when the series have them). */
export function formatRouteTable(rows: RouteRow[]): string {
  const withNs = rows.some((r) => r.namespace !== undefined);
  const withSvc = rows.some((r) => r.service !== undefined);
  const header = [...(withNs ? ['NAMESPACE'] : []), ...(withSvc ? ['SERVICE'] : []), 'ROUTE', 'RPS', 'SUCCESS', 'P50 ms', 'P90 ms', 'P99 ms'];
  const body = rows.map((r) => [
    ...(withNs ? [r.namespace ?? '-'] : []),
    ...(withSvc ? [r.service ?? '-'] : []),
    r.route,
    formatRate(r.rps),
    r.success_rate !== null && r.success_rate < 0.99 ? c.red(formatSuccess(r.success_rate)) : formatSuccess(r.success_rate),
    formatMs(r.p50_ms),
    formatMs(r.p90_ms),
    formatMs(r.p99_ms),
  ]);
  const fixedCols = (withNs ? 1 : 0) + (withSvc ? 1 : 0) + 1;
  return table(header, body, header.map((_, i) => (i < fixedCols ? 'l' : 'r')));
}

function heading(source: MetricSource, o: RoutesOptions, client: PrometheusClient, stats: RouteStats): string {
  const filters = [o.namespace !== undefined ? `namespace ${o.namespace}` : '', o.service !== undefined ? `service ${o.service}` : ''].filter(Boolean);
  return c.dim(`${source.describe} from ${client.display}, window ${o.window ?? '1m'}${filters.length ? `, ${filters.join(', ')}` : ''}, at ${stats.time.toISOString()}`);
}

/** One refresh: the stats, or a CliError explaining why there are none. */
async function collect(client: PrometheusClient, source: MetricSource, o: RoutesOptions): Promise<RouteStats> {
  const stats = await fetchRouteStats(client, { source, window: o.window ?? '1m', namespace: o.namespace, service: o.service });
  if (stats.rows.length === 0) {
    const d = await diagnoseNoSeries(client, source, { namespace: o.namespace, service: o.service });
    throw new CliError(`no per-route series: ${d.message}`, 1, d.hints.map((h) => `  ${h}`));
  }
  return stats;
}

function render(stats: RouteStats, source: MetricSource, client: PrometheusClient, o: RoutesOptions, watching: boolean): string {
  if (o.json) return watching ? JSON.stringify(stats.rows) : JSON.stringify(stats.rows, null, 2);
  const lines = [heading(source, o, client, stats), formatRouteTable(stats.rows)];
  const note = allUnknownNote(source, stats.rows.map((r) => r.route));
  if (note) lines.push(c.yellow(`note: ${note}`));
  lines.push(c.dim('(success = neither 5xx nor a reset; latency quantiles are estimated within Envoy\'s histogram buckets)'));
  return lines.join('\n');
}

export async function runRoutes(o: RoutesOptions): Promise<number> {
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  duration('--window', o.window ?? '1m');
  const intervalMs = duration('--interval', o.interval ?? '5s');
  const timeoutMs = duration('--timeout', o.timeout ?? '10s');
  const source = metricSource(o.source ?? 'plugin', o.prefix);

  if (!o.watch) {
    const client = new PrometheusClient(o.prometheus, { timeoutMs, signal: o.signal });
    const stats = await collect(client, source, o);
    for (const w of stats.warnings) stderr.write(e.yellow(`Prometheus warning: ${w}\n`));
    stdout.write(`${render(stats, source, client, o, false)}\n`);
    return 0;
  }

  // --watch: Ctrl-C aborts the sleep or the queries in flight, and the command ends with 0.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const client = new PrometheusClient(o.prometheus, { timeoutMs, signal });
  const clear = stdout.isTTY === true && !o.json;
  let failures = 0;
  let refreshes = 0;
  try {
    for (let i = 0; o.count === undefined || i < o.count; i++) {
      if (i > 0) {
        try {
          await sleep(intervalMs, undefined, { signal });
        } catch {
          break; // aborted
        }
      }
      if (signal.aborted) break;
      refreshes++;
      try {
        const stats = await collect(client, source, o);
        const text = render(stats, source, client, o, true);
        stdout.write(`${clear ? '\x1b[H\x1b[2J' : i > 0 && !o.json ? '\n' : ''}${text}\n`);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (!(err instanceof CliError)) throw err;
        failures++;
        stderr.write(e.red(`route-metrics: ${err.message}${failures > 1 ? ` (${failures} refreshes in a row)` : ''}\n`));
        for (const d of err.details) stderr.write(`${d}\n`);
      }
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  // With --count, the exit code says whether the last refresh worked.
  return refreshes > 0 && failures > 0 && !signal.aborted ? 1 : 0;
}
