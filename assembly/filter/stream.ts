// One HTTP stream: classify at request headers, finish at on_log (Envoy's order for HTTP is
// request headers → … → on_log → on_done → on_delete; on_log runs once the stream is complete).
import { Context, FilterHeadersStatusValues } from "@solo-io/proxy-runtime/assembly";
import { StreamState } from "../classify/classifier";
import { RouteMetricsRoot } from "./root";
import { streamFinished } from "./memory";

export class RouteMetricsStream extends Context {
  private state: StreamState = new StreamState();
  private root: RouteMetricsRoot;

  constructor(context_id: u32, root: RouteMetricsRoot) {
    super(context_id, root);
    this.root = root;
  }

  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    this.state.requestSeen = true;
    this.root.classifier.onRequestHeaders(this.state);
    return FilterHeadersStatusValues.Continue;
  }

  // record: per-route metrics once the stream is complete.
  onLog(): void {
    this.root.classifier.onLog(this.state);
    this.root.metrics.record(this.state.operation);
  }

  // Last callback of the stream (after on_log and on_done).
  onDelete(): void {
    streamFinished();
  }
}
