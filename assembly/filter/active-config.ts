// The compiled configuration streams read: the classifier and the metrics that name its
// operations, as one object per accepted configuration. The root context owns an ActiveConfig and
// replaces `current` on every accepted configuration. A stream takes `current` when it classifies
// (request headers) and keeps it until on_log, so a reconfiguration while it is open cannot pair
// an operation index of the old classifier with the new configuration's names and metrics; a
// stream that never saw its request headers takes the configuration in force at on_log. Keeping
// this in its own module lets the stream depend on it alone, not on the root context.
import { Classifier } from "../classify/classifier";
import { RouteMetrics } from "../metrics/route-metrics";
import { MetricsConfig } from "../config/metrics";
import { NameTable } from "../classify/names";
import { MetricSeries } from "../metrics/series";

export class CompiledConfig {
  constructor(readonly classifier: Classifier, readonly metrics: RouteMetrics) {}
}

export class ActiveConfig {
  current: CompiledConfig = new CompiledConfig(new Classifier(), new RouteMetrics(new MetricsConfig(), new MetricSeries(new NameTable())));
}
