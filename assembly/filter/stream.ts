// One HTTP stream: classify at request headers, finish at on_log (Envoy's order for HTTP is
// request headers → … → on_log → on_done → on_delete; on_log runs once the stream is complete).
import { Context, FilterHeadersStatusValues, RootContext } from "@solo-io/proxy-runtime/assembly";
import { StreamState } from "../classify/classifier";
import { ActiveConfig, CompiledConfig } from "./active-config";
import { endOfCallback, streamFinished } from "./memory";

export class RouteMetricsStream extends Context {
  private state: StreamState = new StreamState();
  // The root's configuration in force, and the one this stream was classified with (see active-config.ts).
  private active: ActiveConfig;
  private config: CompiledConfig | null = null;

  constructor(context_id: u32, root: RootContext, active: ActiveConfig) {
    super(context_id, root);
    this.active = active;
  }

  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    this.state.requestSeen = true;
    const config = this.active.current;
    this.config = config;
    config.classifier.onRequestHeaders(this.state);
    endOfCallback();
    return FilterHeadersStatusValues.Continue;
  }

  // record: per-route metrics once the stream is complete.
  onLog(): void {
    const classified = this.config;
    const config = classified !== null ? classified : this.active.current;
    config.classifier.onLog(this.state);
    config.metrics.record(this.state.series);
    endOfCallback();
  }

  // Last callback of the stream (after on_log and on_done).
  onDelete(): void {
    streamFinished();
  }
}
