// One HTTP stream: classify at request headers, finish at on_log (Envoy's order for HTTP is
// request headers → … → on_log → on_done → on_delete; on_log runs once the stream is complete).
//
// A plain object, not the SDK's Context: filter/dispatch.ts calls it directly, and it is reused
// from stream to stream (filter/stream-pool.ts), so `reset` must return it to its initial state.
import { StreamState } from "../classify/classifier";
import { UNMATCHED_SERIES } from "../metrics/series";
import { ActiveConfig, CompiledConfig } from "./active-config";

/** The stream is its own StreamState (what the classifier leaves for the metrics). */
export class RouteMetricsStream extends StreamState {
  // The root's configuration in force, and the one this stream was classified with (see active-config.ts).
  active: ActiveConfig;
  private config: CompiledConfig | null = null;

  constructor(active: ActiveConfig) {
    super();
    this.active = active;
  }

  onRequestHeaders(): void {
    this.requestSeen = true;
    const config = this.active.current;
    this.config = config;
    config.classifier.onRequestHeaders(this);
  }

  // record: per-route metrics once the stream is complete.
  onLog(): void {
    const classified = this.config;
    const config = classified !== null ? classified : this.active.current;
    config.classifier.onLog(this);
    config.metrics.record(this.series);
  }

  /** Back to a fresh stream's state; drops the configuration so that a pooled stream keeps no old one alive. */
  reset(): void {
    this.config = null;
    this.series = UNMATCHED_SERIES;
    this.requestSeen = false;
  }
}
