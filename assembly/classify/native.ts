// Native routes: one table lookup per request at request headers, one set_property on a match.
import { Classifier, StreamState } from "./classifier";
import { NativeConfig } from "../config/native";
import { RouteTable } from "../routes/table";
import { RequestView } from "../routes/request";
import { setProperty, setPropertyBytes, log, LogLevel } from "../abi/hostcalls";
import { LOG_PREFIX } from "../abi/log-prefix";
import { readRequestMethod, readRequestPath, HostRequestHeaders } from "./request-source";
import { noteAllocation } from "../abi/allocations";

// Debug lines show at most this much of a path: a log line is not the place for a 1 MiB path.
const LOGGED_PATH_BYTES: i32 = 1024;

export class NativeClassifier extends Classifier {
  private table: RouteTable;
  private request: RequestView = new RequestView();
  private headers: HostRequestHeaders = new HostRequestHeaders();
  private attributeName: ArrayBuffer = new ArrayBuffer(0);
  private attributeText: string = "";
  /** Route index → operation (name) index; the value written is that name. */
  private routeOperations: Int32Array = new Int32Array(0);
  /** Route index → its position in the configuration's `routes` (invalid routes may have been left out). */
  private routePositions: Int32Array = new Int32Array(0);
  private defaultValue: ArrayBuffer | null = null;
  private defaultText: string | null = null;

  constructor(config: NativeConfig) {
    super();
    this.debug = config.debug;
    this.table = new RouteTable(config.routes);
    this.request.prepare(this.table.headerSlots, this.table.queryNames);
    this.attributeName = String.UTF8.encode(config.outputAttribute);
    this.attributeText = config.outputAttribute;
    const def = config.defaultValue;
    this.defaultText = def;
    if (def !== null) this.defaultValue = String.UTF8.encode(def);
    // Names are encoded once here; the request path only indexes them.
    this.routeOperations = new Int32Array(config.routes.length);
    this.routePositions = new Int32Array(config.routes.length);
    for (let i = 0; i < config.routes.length; i++) {
      this.routeOperations[i] = this.operations.add(config.routes[i].name);
      this.routePositions[i] = config.routes[i].index;
    }
    this.operations.freeze();
  }

  onRequestHeaders(stream: StreamState): void {
    const req = this.request;
    const method = readRequestMethod();
    const path = readRequestPath();
    req.start(method.ptr, method.length, path.ptr, path.length, this.headers);
    const r = this.table.match(req);
    if (r >= 0) {
      const op = unchecked(this.routeOperations[r]);
      stream.operation = op;
      setPropertyBytes(this.attributeName, this.operations.ptr(op), this.operations.len(op));
    } else {
      const def = this.defaultValue;
      if (def !== null) setProperty(this.attributeName, def);
    }
    if (this.debug) this.logDecision(r);
    req.finish();
  }

  // Streams that never reached request headers (e.g. rejected by an earlier filter) are classified
  // at on_log, where Envoy exposes a copy of the request headers.
  onLog(stream: StreamState): void {
    if (!stream.requestSeen) this.onRequestHeaders(stream);
  }

  private logDecision(r: i32): void {
    const req = this.request;
    const shown = min(req.pathLen, LOGGED_PATH_BYTES);
    let path = String.UTF8.decodeUnsafe(req.pathPtr, <usize>shown);
    if (shown < req.pathLen) path += "… (" + req.pathLen.toString() + " bytes)";
    const line = String.UTF8.decodeUnsafe(req.methodPtr, <usize>min(req.methodLen, LOGGED_PATH_BYTES)) + " " + path + " → ";
    noteAllocation(<usize>(line.length << 3)); // the line, its concatenations and its UTF-8 copy
    if (r >= 0) {
      log(LogLevel.Info, LOG_PREFIX + line + this.attributeText + "=\"" +
        this.operations.text(this.routeOperations[r]) + "\" (routes[" + this.routePositions[r].toString() + "])");
    } else {
      const def = this.defaultText;
      log(LogLevel.Info, LOG_PREFIX + line + "no route matched" +
        (def !== null ? "; " + this.attributeText + "=\"" + def + "\" (default)" : "; attribute left unset"));
    }
  }
}
