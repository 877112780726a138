// Per-route metrics recorded at on_log:
//   <prefix>requests_total{route_name, response_class}          counter
//   <prefix>request_duration_milliseconds{route_name}            histogram (ms, Envoy's default buckets fit)
//   <prefix>request_bytes{route_name}, <prefix>response_bytes{route_name}   histograms, opt-in
// With `services`, every one of them also carries destination_service_name (series.ts), as the
// first tag segment, so a histogram bucket rule can key on
// "wasmcustom.destination_service_name=.=<service>;.;".
// Metrics are defined lazily, on the first request of each (series, class), and then addressed by
// index: the per-request path never builds a name. The number of series is bounded by the
// configuration: (series) × 6 response classes counters, and one histogram each.
import { MetricsConfig } from "../config/metrics";
import { defineMetric, incrementMetric, recordMetric, getPropertyI64, propertyPath, nowNanos, MetricType, NO_METRIC } from "../abi/hostcalls";
import { tagSegment } from "./tags";
import { MetricSeries } from "./series";
import { i32At, setI32At } from "../unchecked";

export const ROUTE_TAG = "route_name";
export const CLASS_TAG = "response_class";
export const SERVICE_TAG = "destination_service_name";

const CLASS_NAMES: string[] = ["none", "1xx", "2xx", "3xx", "4xx", "5xx"];
const CLASS_COUNT: i32 = 6;

// The histograms, by what they measure (their names are needed only to define them: a name
// passed on every request would be a literal fetched on every request).
const enum Histogram { Duration, RequestBytes, ResponseBytes }
const HISTOGRAM_NAMES: string[] = ["request_duration_milliseconds", "request_bytes", "response_bytes"];

const RESPONSE_CODE = propertyPath("response.code");
const REQUEST_DURATION = propertyPath("request.duration");
const REQUEST_TIME = propertyPath("request.time");
const REQUEST_TOTAL_SIZE = propertyPath("request.total_size");
const REQUEST_SIZE = propertyPath("request.size");
const RESPONSE_TOTAL_SIZE = propertyPath("response.total_size");
const RESPONSE_SIZE = propertyPath("response.size");

// Metric id slots: 0 = not defined yet (Envoy ids are never 0); REFUSED = the host refused the
// definition, so it is not retried on every request.
const UNDEFINED: u32 = 0;
const REFUSED: u32 = u32.MAX_VALUE;

function defineOrMark(type: MetricType, name: string): u32 {
  const id = defineMetric(type, name);
  return id == NO_METRIC ? REFUSED : id;
}

/** 0 = none (no response: reset, or a code outside 100–599), 1..5 = 1xx..5xx. */
export function responseClass(code: i64): i32 {
  if (code < 100 || code > 599) return 0;
  return <i32>(code / 100);
}

export class RouteMetrics {
  /** Slots are the series; the last one is the unmatched series (of no service). */
  // Set once by the constructor (no initializers: those would allocate four arrays it replaces).
  private slots: i32;
  private counters: Uint32Array;
  private durations: Uint32Array;
  private requestBytes: Uint32Array;
  private responseBytes: Uint32Array;

  constructor(public config: MetricsConfig, private series: MetricSeries) {
    const slots = series.count;
    this.slots = slots;
    // Only for the metrics recorded (record() checks the same flags): with 10^5 routes each slot
    // array is 400 KB, and configure-time memory stays reserved for the life of the VM.
    const on = config.enabled;
    this.counters = new Uint32Array(on && config.requests ? slots * CLASS_COUNT : 0);
    this.durations = new Uint32Array(on && config.duration ? slots : 0);
    this.requestBytes = new Uint32Array(on && config.requestBytes ? slots : 0);
    this.responseBytes = new Uint32Array(on && config.responseBytes ? slots : 0);
  }

  /** Records one completed stream; `series` is UNMATCHED_SERIES (-1) for a request nothing took. */
  record(series: i32): void {
    const cfg = this.config;
    if (!cfg.enabled) return;
    const slot = series >= 0 && series < this.slots - 1 ? series : this.slots - 1;
    if (cfg.requests) {
      const cls = responseClass(getPropertyI64(RESPONSE_CODE, 0));
      const index = slot * CLASS_COUNT + cls;
      let id = <u32>i32At(this.counters, index);
      if (id == UNDEFINED) {
        id = defineOrMark(MetricType.Counter, this.labels(slot) + tagSegment(CLASS_TAG, CLASS_NAMES[cls]) + cfg.prefix + "requests_total");
        setI32At(this.counters, index, <i32>id);
      }
      if (id != REFUSED) incrementMetric(id, 1);
    }
    if (cfg.duration) {
      const ms = durationMillis();
      if (ms >= 0) this.observe(this.durations, slot, Histogram.Duration, ms);
    }
    if (cfg.requestBytes) {
      const bytes = sizeOf(REQUEST_TOTAL_SIZE, REQUEST_SIZE);
      if (bytes >= 0) this.observe(this.requestBytes, slot, Histogram.RequestBytes, bytes);
    }
    if (cfg.responseBytes) {
      const bytes = sizeOf(RESPONSE_TOTAL_SIZE, RESPONSE_SIZE);
      if (bytes >= 0) this.observe(this.responseBytes, slot, Histogram.ResponseBytes, bytes);
    }
  }

  /** The tag segments of a series: destination_service_name (with services), then route_name. */
  private labels(slot: i32): string {
    const series = this.series;
    const route = tagSegment(ROUTE_TAG, series.routeLabel(slot, this.config.unmatched));
    return series.hasServices ? tagSegment(SERVICE_TAG, series.serviceLabel(slot)) + route : route;
  }

  private observe(ids: Uint32Array, slot: i32, histogram: Histogram, value: i64): void {
    let id = <u32>i32At(ids, slot);
    if (id == UNDEFINED) {
      id = defineOrMark(MetricType.Histogram, this.labels(slot) + this.config.prefix + HISTOGRAM_NAMES[histogram]);
      setI32At(ids, slot, <i32>id);
    }
    if (id != REFUSED) recordMetric(id, <u64>value);
  }
}

/** request.duration (ns) in whole milliseconds; fallback now − request.time; -1 when unknown. */
function durationMillis(): i64 {
  let ns = getPropertyI64(REQUEST_DURATION, -1);
  if (ns < 0) {
    const start = getPropertyI64(REQUEST_TIME, -1);
    const now = <i64>nowNanos();
    if (start <= 0 || now <= 0 || now < start) return -1;
    ns = now - start;
  }
  return ns / 1000000;
}

function sizeOf(primary: ArrayBuffer, fallback: ArrayBuffer): i64 {
  let v = getPropertyI64(primary, -1);
  if (v < 0) v = getPropertyI64(fallback, -1);
  return v;
}
