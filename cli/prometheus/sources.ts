// Where per-route numbers come from in Prometheus, for `routes` and `slo`:
//   plugin  the plugin's own series (assembly/metrics/route-metrics.ts):
//             <prefix>requests_total{route_name, response_class, [destination_service_name]}
//             <prefix>request_duration_milliseconds_bucket{route_name, [destination_service_name], le}
//           labels extracted by Istio for the tags in extraStatTags; `namespace` is a scrape label
//           (examples/prometheus/prometheus.yml). response_class "none" = no response (a reset).
//   istio   Istio's standard series with the Telemetry's route_name tag override:
//             istio_requests_total{reporter, response_code, response_flags, destination_service_name, …, route_name}
//             istio_request_duration_milliseconds_bucket{…, route_name, le}
//           counted once per request: reporter "destination" (sidecar) or "waypoint", never "source".
//           A reset is response_code "0" (no response) or a reset response flag (a response that
//           started and was then cut: UC, UR, LR, DC, DR — Envoy's ResponseFlagUtils short strings).
// destination_service_name is absent from the plugin's series of a flat configuration (no
// `services`); grouping by an absent label simply yields series without it.
import { eq, oneOf, selector } from './promql.ts';

export type SourceName = 'plugin' | 'istio';

export const ROUTE_LABEL = 'route_name';
export const SERVICE_LABEL = 'destination_service_name';
/** The plugin's default metrics.prefix (assembly/config/metrics.ts). */
export const DEFAULT_PREFIX = 'route_';

/** Envoy response flags that mean the stream was reset (counted as errors with 5xx). */
export const RESET_FLAGS = ['UC', 'UR', 'LR', 'DC', 'DR'] as const;

export interface MetricSource {
  name: SourceName;
  /** The request counter. */
  requests: string;
  /** The duration histogram's base name (…_bucket, …_count). */
  duration: string;
  /** The namespace label of these series. */
  namespaceLabel: string;
  /** Labels a per-route aggregate keeps: namespace, service, route. */
  groupBy: readonly string[];
  /** Matchers every query of this source carries. */
  baseMatchers: readonly string[];
  /** The per-series error rates (5xx and resets) over `window`, to be summed. */
  errorRates(matchers: readonly string[], window: string): string;
  /** The full Envoy stat name of the duration histogram (bucket settings match on it). */
  durationStatName(route: string, service?: string): string;
  /** Human description for headers and messages. */
  describe: string;
}

export function pluginSource(prefix = DEFAULT_PREFIX): MetricSource {
  const requests = `${prefix}requests_total`;
  const duration = `${prefix}request_duration_milliseconds`;
  return {
    name: 'plugin',
    requests,
    duration,
    namespaceLabel: 'namespace',
    groupBy: ['namespace', SERVICE_LABEL, ROUTE_LABEL],
    baseMatchers: [],
    errorRates: (m, w) => `rate(${requests}${selector([...m, oneOf('response_class', ['5xx', 'none'])])}[${w}])`,
    // Tag segments come first in the plugin's names (assembly/metrics/tags.ts).
    durationStatName: (route, service) =>
      `wasmcustom.${service !== undefined ? `${SERVICE_LABEL}=.=${service};.;` : ''}${ROUTE_LABEL}=.=${route};.;${duration}`,
    describe: `the plugin's metrics (${requests}, ${duration})`,
  };
}

const ISTIO_ERROR_CODES = ['5..', '0'];
const RESET_FLAG_REGEX = `(.*,)?(${RESET_FLAGS.join('|')})(,.*)?`;

export function istioSource(): MetricSource {
  const requests = 'istio_requests_total';
  return {
    name: 'istio',
    requests,
    duration: 'istio_request_duration_milliseconds',
    namespaceLabel: 'destination_service_namespace',
    groupBy: ['destination_service_namespace', SERVICE_LABEL, ROUTE_LABEL],
    baseMatchers: [oneOf('reporter', ['destination', 'waypoint']), `${ROUTE_LABEL}!=""`],
    // 5xx or no response, plus responses with a reset flag; the two sets have different
    // response_code values, so `or` is their union.
    errorRates: (m, w) => {
      const codes = `response_code=~${JSON.stringify(ISTIO_ERROR_CODES.join('|'))}`;
      const others = `response_code!~${JSON.stringify(ISTIO_ERROR_CODES.join('|'))}`;
      return `(rate(${requests}${selector([...m, codes])}[${w}]) or rate(${requests}${selector([...m, others, `response_flags=~${JSON.stringify(RESET_FLAG_REGEX)}`])}[${w}]))`;
    },
    durationStatName: () => 'istiocustom.istio_request_duration_milliseconds',
    describe: "Istio's metrics (istio_requests_total, istio_request_duration_milliseconds with the Telemetry's route_name)",
  };
}

export function metricSource(name: SourceName, prefix?: string): MetricSource {
  return name === 'istio' ? istioSource() : pluginSource(prefix);
}

/** Matchers for the optional --namespace / --service filters. */
export function filterMatchers(source: MetricSource, f: { namespace?: string; service?: string }): string[] {
  const m: string[] = [];
  if (f.namespace !== undefined) m.push(eq(source.namespaceLabel, f.namespace));
  if (f.service !== undefined) m.push(eq(SERVICE_LABEL, f.service));
  return m;
}
