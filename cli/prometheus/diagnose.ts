// Why `routes` found no series: asked of Prometheus step by step, from the outside in —
//   1. is anything scraped and up at all?
//   2. (plugin) are the plugin's metrics there? Under their label-less names (no extraStatTags)?
//      Is the plugin running but has recorded no request (route_config_errors is always there)?
//   2. (istio) is istio_requests_total there? With a route_name label (the Telemetry override)?
//   3. do the --namespace / --service filters exclude everything? Which values exist?
import type { PrometheusClient } from './client.ts';
import { selector } from './promql.ts';
import { ROUTE_LABEL, SERVICE_LABEL, type MetricSource } from './sources.ts';
import type { RouteFilter } from './route-stats.ts';

export interface Diagnosis {
  /** One sentence: what is missing. */
  message: string;
  /** What to check or run next. */
  hints: string[];
}

async function count(client: PrometheusClient, expr: string): Promise<number> {
  const r = await client.query(`count(${expr})`);
  return r.samples.length === 0 ? 0 : r.samples[0]!.value;
}

async function labelValues(client: PrometheusClient, metric: string, label: string): Promise<(string | null)[]> {
  const r = await client.query(`count by (${label}) (${metric})`);
  return r.samples.map((s) => s.metric[label] ?? null).sort((a, b) => String(a).localeCompare(String(b)));
}

const list = (values: (string | null)[]) => values.map((v) => (v === null ? '(no label)' : JSON.stringify(v))).join(', ');

async function scrapeProblem(client: PrometheusClient): Promise<Diagnosis | undefined> {
  const targets = await count(client, 'up');
  if (targets === 0) {
    return {
      message: `Prometheus at ${client.display} has no scrape targets (the series "up" is empty)`,
      hints: ['add a scrape job for the proxies that run the plugin: examples/prometheus/prometheus.yml (:15020/stats/prometheus in Kubernetes)'],
    };
  }
  const up = await count(client, 'up == 1');
  if (up === 0) {
    return {
      message: `none of the ${targets} scrape targets of Prometheus at ${client.display} is up`,
      hints: ['see Status → Targets in the Prometheus UI for the scrape errors'],
    };
  }
  return undefined;
}

async function filterProblem(client: PrometheusClient, source: MetricSource, metric: string, f: RouteFilter): Promise<Diagnosis | undefined> {
  const hints: string[] = [];
  if (f.namespace !== undefined) {
    const values = await labelValues(client, metric, source.namespaceLabel);
    if (!values.includes(f.namespace)) hints.push(`${source.namespaceLabel} values of ${source.requests}: ${list(values)}`);
  }
  if (f.service !== undefined) {
    const values = await labelValues(client, metric, SERVICE_LABEL);
    if (!values.includes(f.service)) {
      hints.push(values.every((v) => v === null)
        ? `the series carry no ${SERVICE_LABEL} label${source.name === 'plugin'
          ? ` (a configuration without "services", or extraStatTags without ${SERVICE_LABEL})`
          : ''}`
        : `${SERVICE_LABEL} values of ${source.requests}: ${list(values)}`);
    }
  }
  const what = [f.namespace !== undefined ? `--namespace ${f.namespace}` : '', f.service !== undefined ? `--service ${f.service}` : ''].filter(Boolean).join(' and ');
  return { message: `${source.requests} exists, but no series matches ${what || 'the filters'}`, hints };
}

async function pluginProblem(client: PrometheusClient, source: MetricSource, f: RouteFilter): Promise<Diagnosis> {
  const upCount = await count(client, 'up == 1');
  if ((await count(client, source.requests)) > 0) return (await filterProblem(client, source, source.requests, f))!;
  // Without extraStatTags every route is its own metric name, ending in _<prefix>requests_total.
  const unlabelled = await client.query(`count by (__name__) ({__name__=~${JSON.stringify(`.+_${source.requests}`)}})`);
  if (unlabelled.samples.length > 0) {
    const example = unlabelled.samples[0]!.metric.__name__ ?? '';
    return {
      message: `the plugin's metrics are scraped without labels (${unlabelled.samples.length} names like ${example}): the proxies lack extraStatTags`,
      hints: [
        `add extraStatTags: [${ROUTE_LABEL}, response_class] (and ${SERVICE_LABEL} with "services"), mesh-wide or in the proxy.istio.io/config annotation, and restart the pods`,
        'see "Labels need extraStatTags" in the README',
      ],
    };
  }
  const configGauge = await count(client, 'route_config_errors');
  if (configGauge > 0) {
    return {
      message: `the plugin runs on ${configGauge} scraped prox${configGauge === 1 ? 'y' : 'ies'} (route_config_errors is there) but there is no ${source.requests}`,
      hints: [
        'no request has completed through those proxies yet, or the configuration turns the metrics off ("metrics": false / "requests": false)',
        `or the configuration sets another metrics.prefix than ${JSON.stringify(source.requests.replace(/requests_total$/, ''))}: pass it with --prefix`,
      ],
    };
  }
  const istio = await count(client, 'istio_requests_total');
  return {
    message: `no metrics of the plugin in Prometheus (neither ${source.requests} nor route_config_errors) although ${upCount} target${upCount === 1 ? ' is' : 's are'} up`,
    hints: [
      'is the WasmPlugin applied to these proxies (kubectl get wasmplugin -A), and are the proxies scraped (:15020/stats/prometheus)?',
      ...(istio > 0 ? ["Istio's own istio_requests_total is there: the plugin is not running on the scraped proxies (or use --source istio)"] : []),
    ],
  };
}

async function istioProblem(client: PrometheusClient, source: MetricSource, f: RouteFilter): Promise<Diagnosis> {
  const base = source.baseMatchers.filter((m) => !m.startsWith(`${ROUTE_LABEL}`));
  const all = `${source.requests}${selector(base)}`;
  if ((await count(client, all)) === 0) {
    const any = await count(client, source.requests);
    return {
      message: any > 0
        ? `istio_requests_total has no series reported by reporter="destination" or "waypoint" (only client-side ones)`
        : 'no istio_requests_total in Prometheus: Istio\'s proxies are not scraped, or no request went through them yet',
      hints: ['scrape the sidecars / waypoints on :15020/stats/prometheus (examples/prometheus/prometheus.yml)'],
    };
  }
  const withRoute = `${source.requests}${selector(source.baseMatchers)}`;
  if ((await count(client, withRoute)) === 0) {
    return {
      message: `istio_requests_total is there but has no ${ROUTE_LABEL} label: the Telemetry tag override is missing`,
      hints: [
        `apply a Telemetry with tagOverrides ${ROUTE_LABEL}: {value: "filter_state['wasm.istio_operationId']"} for REQUEST_COUNT and REQUEST_DURATION (examples/*/telemetry.yaml)`,
        'waypoints need the Telemetry to target the Gateway with targetRefs; selectors are ignored there',
      ],
    };
  }
  return (await filterProblem(client, source, withRoute, f))!;
}

/** Why the request-rate query found no series. */
export async function diagnoseNoSeries(client: PrometheusClient, source: MetricSource, f: RouteFilter): Promise<Diagnosis> {
  const scrape = await scrapeProblem(client);
  if (scrape) return scrape;
  return source.name === 'istio' ? istioProblem(client, source, f) : pluginProblem(client, source, f);
}

/** A note for results that exist but say nothing per route (every request "unknown"). */
export function allUnknownNote(source: MetricSource, routes: string[]): string | undefined {
  if (source.name !== 'istio' || routes.length === 0 || routes.some((r) => r !== 'unknown')) return undefined;
  return `every request is labelled ${ROUTE_LABEL}="unknown": the Telemetry reads the attribute but finds none. `
    + "On Istio ≥ 1.24 it must be filter_state['wasm.istio_operationId'], and the WasmPlugin must run before istio.stats (phase AUTHN, AUTHZ or STATS)";
}
