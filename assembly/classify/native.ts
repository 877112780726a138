// Native routes: one table lookup per request at request headers, one set_property on a match.
import { Classifier, StreamState } from "./classifier";
import { NativeConfig } from "../config/native";
import { log, LogLevel } from "../abi/hostcalls";
import { LOG_PREFIX } from "../abi/log-prefix";
import { readRequestMethod, readRequestPath, HostRequestHeaders } from "./request-source";
import { RouteSet, requestLine } from "./route-set";
import { noteAllocation } from "../abi/allocations";
import { NameTable } from "./names";

export class NativeClassifier extends Classifier {
  private routes: RouteSet;
  private headers: HostRequestHeaders = new HostRequestHeaders();
  // Set in the constructor before `this` is used: no placeholder values.
  private attributeName: ArrayBuffer;
  private attributeText: string;

  constructor(config: NativeConfig) {
    const operations = new NameTable();
    super(operations);
    this.routes = new RouteSet(config.routes, operations, "routes", config.defaultValue); // before `this` is used: no null checks
    this.debug = config.debug;
    this.attributeName = String.UTF8.encode(config.outputAttribute);
    this.attributeText = config.outputAttribute;
    operations.freeze();
  }

  onRequestHeaders(stream: StreamState): void {
    const method = readRequestMethod();
    const path = readRequestPath();
    const r = this.routes.classify(stream, method, path, this.headers, this.attributeName);
    if (this.debug) {
      const line = requestLine(method, path) + " → ";
      noteAllocation(<usize>(line.length << 3)); // the line, its concatenations and its UTF-8 copy
      log(LogLevel.Info, LOG_PREFIX + line + this.routes.decision(r, this.attributeText));
    }
  }

  // Streams that never reached request headers (e.g. rejected by an earlier filter) are classified
  // at on_log, where Envoy exposes a copy of the request headers.
  onLog(stream: StreamState): void {
    if (!stream.requestSeen) this.onRequestHeaders(stream);
  }
}
