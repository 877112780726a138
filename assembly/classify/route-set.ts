// One compiled route list and what a match writes: the flat `routes`, or the routes of one
// service. A request costs one table lookup and at most one set_property (the route's name, or
// the list's default when none matched); the metric series is left in the stream state.
import { StreamState } from "./classifier";
import { NameTable } from "./names";
import { RouteSpec } from "../routes/spec";
import { RouteTable, NO_ROUTE } from "../routes/table";
import { RequestView, HeaderSource } from "../routes/request";
import { HostBuffer } from "../abi/host-memory";
import { setProperty, setPropertyBytes } from "../abi/hostcalls";
import { UNMATCHED_SERIES } from "../metrics/series";
import { index } from "../config/diagnostics";
import { i32At } from "../unchecked";

// Debug lines show at most this much of a path or host: a log line is not the place for 1 MiB.
const LOGGED_BYTES: i32 = 1024;

export class RouteSet {
  private table: RouteTable;
  readonly request: RequestView = new RequestView();
  /** Route index → operation (name) index; the value written is that name. */
  private routeOperations: Int32Array;
  /** Route index → metric series (the same array as routeOperations for flat routes). */
  routeSeries: Int32Array;
  /** Series of the requests none of these routes took. */
  unmatchedSeries: i32 = UNMATCHED_SERIES;
  /** Route index → its position in the configuration's list (invalid routes may have been left out). */
  private routePositions: Int32Array;
  private defaultValue: ArrayBuffer | null = null;
  private defaultText: string | null = null;

  /** Adds the route names to `operations` (frozen by the caller once every set is built). */
  constructor(routes: RouteSpec[], private operations: NameTable, readonly routesPath: string, defaultValue: string | null) {
    // Every field is set before `this` is used: no empty placeholder arrays are built first.
    const table = new RouteTable(routes);
    this.table = table;
    const n = routes.length;
    const ops = new Int32Array(n);
    const positions = new Int32Array(n);
    this.routeOperations = ops;
    this.routeSeries = ops;
    this.routePositions = positions;
    this.request.prepare(table.headerSlots, table.queryNames);
    this.defaultText = defaultValue;
    if (changetype<usize>(defaultValue) != 0) this.defaultValue = String.UTF8.encode(defaultValue);
    // Names are encoded once (NameTable); the request path only indexes them.
    for (let i = 0; i < n; i++) {
      ops[i] = operations.add(routes[i].name);
      positions[i] = routes[i].index;
    }
  }

  get size(): i32 {
    return this.routeOperations.length;
  }

  /** The operation index of route r. */
  operationOf(r: i32): i32 {
    return this.routeOperations[r];
  }

  /** Classifies the request, writes `attribute` and the stream's series; returns the route or NO_ROUTE. */
  classify(stream: StreamState, method: HostBuffer, path: HostBuffer, headers: HeaderSource, attribute: ArrayBuffer): i32 {
    const req = this.request;
    req.start(method.ptr, method.length, path.ptr, path.length, headers);
    const r = this.table.match(req);
    if (r >= 0) {
      const op = i32At(this.routeOperations, r);
      stream.series = i32At(this.routeSeries, r);
      setPropertyBytes(attribute, this.operations.ptr(op), this.operations.len(op));
    } else {
      stream.series = this.unmatchedSeries;
      const def = this.defaultValue;
      if (def !== null) setProperty(attribute, def);
    }
    req.finish();
    return r;
  }

  /** For the debug line: `istio_operationId="GET /x" (routes[2])`, or what was written when nothing matched. */
  decision(r: i32, attributeText: string): string {
    if (r != NO_ROUTE) {
      return attributeText + "=\"" + this.operations.text(this.routeOperations[r]) + "\" (" +
        index(this.routesPath, this.routePositions[r]) + ")";
    }
    return "no route matched; " + defaultDecision(this.defaultText, attributeText);
  }
}

/** What an unmatched request gets, for the debug line. */
export function defaultDecision(def: string | null, attributeText: string): string {
  return changetype<usize>(def) != 0 ? attributeText + "=\"" + def + "\" (default)" : "attribute left unset";
}

/** "GET /users/9" of the request a RouteSet last classified, bounded in length. */
export function requestLine(method: HostBuffer, path: HostBuffer): string {
  return bounded(method) + " " + bounded(path);
}

/** The bytes of a host value as text, the first LOGGED_BYTES of them. */
export function bounded(value: HostBuffer): string {
  const shown = min(value.length, LOGGED_BYTES);
  let text = String.UTF8.decodeUnsafe(value.ptr, <usize>shown);
  if (shown < value.length) text += "… (" + value.length.toString() + " bytes)";
  return text;
}
