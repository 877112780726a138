// The label sets the plugin's metrics can have, numbered: a stream ends with one series index
// (StreamState.series) and the metrics are addressed by it (route-metrics.ts).
//
// Flat routes and the attributegen form: series k is operation k, and one more series for the
// requests no route matched; no service label — the metric names are the ones they always had.
// With `services`: one series per (service, route name) and per service one for its unmatched
// requests, each labelled destination_service_name=<service name>, and a last series for the
// requests no service claims (destination_service_name="unknown"). A route name used by several
// services is one operation (one filter-state value) and one series per service. The number of
// series is bounded by the configuration: routes + services + 1.
import { NameTable } from "../classify/names";

/** destination_service_name of requests no service claims (Istio's word for an unknown service). */
export const UNKNOWN_SERVICE = "unknown";

/** StreamState.series of a request that no route (and, with services, no service) took. */
export const UNMATCHED_SERIES: i32 = -1;

export class MetricSeries {
  // null: flat (series k = operation k, the last series = unmatched, no service label).
  private operationOf: Int32Array | null = null;
  private serviceOf: Int32Array | null = null;
  private services: NameTable | null = null;

  constructor(readonly operations: NameTable) {}

  /** With services: series k is (serviceOf[k], operationOf[k]); -1 = unmatched / no service. The last one is (-1, -1). */
  static forServices(operations: NameTable, services: NameTable, operationOf: Int32Array, serviceOf: Int32Array): MetricSeries {
    const series = new MetricSeries(operations);
    series.operationOf = operationOf;
    series.serviceOf = serviceOf;
    series.services = services;
    return series;
  }

  /** Number of series, the unmatched one(s) included. */
  get count(): i32 {
    const ops = this.operationOf;
    return ops === null ? this.operations.count + 1 : ops.length;
  }

  /** Whether the series carry destination_service_name. */
  get hasServices(): bool {
    return this.services !== null;
  }

  /** Number of configured services (0 without `services`). */
  get serviceCount(): i32 {
    const services = this.services;
    return services === null ? 0 : services.count;
  }

  /** The route_name of series k (`unmatched` for an unmatched series); k in [0, count). */
  routeLabel(k: i32, unmatched: string): string {
    const ops = this.operationOf;
    const op = ops === null ? (k < this.operations.count ? k : -1) : ops[k];
    return op >= 0 ? this.operations.text(op) : unmatched;
  }

  /** The destination_service_name of series k; only when hasServices. */
  serviceLabel(k: i32): string {
    const services = this.services;
    const owners = this.serviceOf;
    if (services === null || owners === null) return UNKNOWN_SERVICE;
    const s = owners[k];
    return s >= 0 ? services.text(s) : UNKNOWN_SERVICE;
  }
}
