import { NameTable } from "./names";
import { MetricSeries, UNMATCHED_SERIES } from "../metrics/series";

// A Classifier decides, per request, which operation (route) it belongs to and writes the
// configured filter-state attribute(s). Two implementations: native routes (a compiled route table)
// and attributegen conditions (CEL). The filter calls them at request headers and at on_log.

/** Per-stream facts the classifier leaves for the rest of the pipeline (metrics). */
export class StreamState {
  /**
   * The request's metric series (Classifier.series): with flat routes and attributegen the index of
   * its operation in Classifier.operations; UNMATCHED_SERIES when nothing took it.
   */
  series: i32 = UNMATCHED_SERIES;
  /** Whether on_request_headers ran (Envoy skips it for e.g. local replies sent by earlier filters). */
  requestSeen: bool = false;

  // The stream object itself (filter/stream.ts extends this class): no second object per stream.
}

/**
 * The base classifies nothing: it is what an empty configuration gets (no class of its own for
 * that: each class costs a constructor and a case in the collector's visitor).
 */
export class Classifier {
  /** Distinct operation names (route names / attribute values), bounded by the configuration. */
  operations: NameTable;
  /** The label sets of the metrics (by default one per operation, plus unmatched). */
  series: MetricSeries;
  debug: bool = false;

  // Both set before `this` is used, so that reading them needs no null check. `operations`: a
  // subclass that needs the table before `this` is usable passes its own.
  constructor(operations: NameTable = new NameTable()) {
    this.operations = operations;
    this.series = new MetricSeries(operations);
  }

  onRequestHeaders(stream: StreamState): void {}
  onLog(stream: StreamState): void {}
}
