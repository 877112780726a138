// The part of the compiled configuration a stream reads: the classifier and the metrics in force.
// The root context owns one ActiveConfig and replaces its fields on every accepted configuration;
// each stream holds the same object and reads the fields at every callback, so a reconfiguration
// reaches streams already open. Keeping it in its own module lets the stream depend on this
// alone, not on the root context that creates it.
import { Classifier, NoopClassifier } from "../classify/classifier";
import { RouteMetrics } from "../metrics/route-metrics";
import { MetricsConfig } from "../config/metrics";
import { NameTable } from "../classify/names";

export class ActiveConfig {
  classifier: Classifier = new NoopClassifier();
  metrics: RouteMetrics = new RouteMetrics(new MetricsConfig(), new NameTable());
}
