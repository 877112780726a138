// The "metrics" section, shared by both configuration forms:
//   "metrics": { "enabled": true, "prefix": "route_", "requests": true, "duration": true,
//                "request_bytes": false, "response_bytes": false, "unmatched": "unknown" }
import { JsonValue } from "./json";
import { Diagnostics } from "./diagnostics";
import { ObjectReader, kindName, mustBe } from "./reader";
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

// An invalid setting here falls back to its default (and is recorded as dropped), so the metrics
// of a configuration with a typo in this section keep their usual names.

export class MetricsConfig {
  enabled: bool = true;
  /** Prepended to every metric name: route_requests_total, route_request_duration_milliseconds, … */
  prefix: string = "route_";
  requests: bool = true;
  duration: bool = true;
  requestBytes: bool = false;
  responseBytes: bool = false;
  /** route_name of requests no route matched. */
  unmatched: string = "unknown";
}

export const METRICS_ALIASES: string[] = ["requestBytes", "request_bytes", "responseBytes", "response_bytes"];
export const METRICS_KEYS: string[] = ["enabled", "prefix", "requests", "duration", "request_bytes", "response_bytes", "unmatched"];
/** Positions in METRICS_KEYS: the readers name keys by position (config/reader.ts). */
const enum MetricsKey { Enabled, Prefix, Requests, Duration, RequestBytes, ResponseBytes, Unmatched }

export function readMetricsConfig(v: JsonValue | null, diags: Diagnostics, unknownIsError: bool): MetricsConfig {
  const cfg = new MetricsConfig();
  if (v === null || v.isNull()) return cfg;
  if (v.isBool()) {
    cfg.enabled = v.asBool();
    return cfg;
  }
  if (!v.isObject()) {
    diags.error("metrics", mustBe("an object or a boolean", v.kind));
    diags.dropSetting("metrics");
    return cfg;
  }
  const r = new ObjectReader(v.asObject(), "metrics", diags, METRICS_KEYS, METRICS_ALIASES);
  cfg.enabled = r.flag(MetricsKey.Enabled, true);
  let mark = diags.mark();
  const prefix = r.string(MetricsKey.Prefix);
  if (changetype<usize>(prefix) != 0) checkMetricNamePrefix(prefix, r.pathOf(MetricsKey.Prefix), diags);
  if (r.keep(mark, MetricsKey.Prefix) && changetype<usize>(prefix) != 0) cfg.prefix = prefix;
  cfg.requests = r.flag(MetricsKey.Requests, true);
  cfg.duration = r.flag(MetricsKey.Duration, true);
  cfg.requestBytes = r.flag(MetricsKey.RequestBytes, false);
  cfg.responseBytes = r.flag(MetricsKey.ResponseBytes, false);
  mark = diags.mark();
  const unmatched = r.nonEmpty(MetricsKey.Unmatched, false, "");
  if (r.keep(mark, MetricsKey.Unmatched) && changetype<usize>(unmatched) != 0) cfg.unmatched = unmatched;
  r.finish(unknownIsError);
  return cfg;
}

/** Prometheus drops names that start with a digit; Envoy turns anything outside [a-zA-Z0-9_] into '_'. */
function checkMetricNamePrefix(prefix: string, path: string, diags: Diagnostics): void {
  if (prefix.length > 0) {
    const c0 = prefix.charCodeAt(0);
    if (c0 >= 0x30 && c0 <= 0x39) {
      diags.error(path, "must not start with a digit (Envoy would drop the metrics from /stats/prometheus)");
      return;
    }
  }
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f;
    if (!ok) {
      diags.error(path, "may only contain letters, digits and '_' (column " + (i + 1).toString() + ")");
      return;
    }
  }
}
