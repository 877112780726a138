import { NameTable } from "./names";

// A Classifier decides, per request, which operation (route) it belongs to and writes the
// configured filter-state attribute(s). Two implementations: native routes (a compiled route table)
// and attributegen conditions (CEL). The filter calls them at request headers and at on_log.

/** Per-stream facts the classifier leaves for the rest of the pipeline (metrics). */
export class StreamState {
  /** Index into Classifier.operations of the request's operation, or -1 when unmatched. */
  operation: i32 = -1;
  /** Whether on_request_headers ran (Envoy skips it for e.g. local replies sent by earlier filters). */
  requestSeen: bool = false;
}

export abstract class Classifier {
  /** Distinct operation names (route names / attribute values), bounded by the configuration. */
  operations: NameTable = new NameTable();
  debug: bool = false;

  abstract onRequestHeaders(stream: StreamState): void;
  abstract onLog(stream: StreamState): void;
}

/** Used when the configuration is empty: classifies nothing. */
export class NoopClassifier extends Classifier {
  onRequestHeaders(stream: StreamState): void {}
  onLog(stream: StreamState): void {}
}
