// Native routes per service (config/services.ts): the request's :authority selects the service
// (hosts.ts: one header read, one pass over at most 253 bytes, hash lookups, whatever the number
// of services), then that service's route table decides as for flat routes. Route names are one
// operation table across services (the filter-state value is the route's name, as with flat
// routes); the metric series are per (service, route name), labelled destination_service_name.
import { Classifier, StreamState } from "./classifier";
import { NativeConfig } from "../config/native";
import { log, LogLevel, setProperty } from "../abi/hostcalls";
import { LOG_PREFIX } from "../abi/log-prefix";
import { readRequestAuthority, readRequestMethod, readRequestPath, HostRequestHeaders } from "./request-source";
import { RouteSet, requestLine, bounded, defaultDecision } from "./route-set";
import { HostSelector } from "./hosts";
import { NameTable } from "./names";
import { MetricSeries, UNMATCHED_SERIES } from "../metrics/series";
import { noteAllocation } from "../abi/allocations";
import { toInt32Array } from "../routes/bytes";

export class ServicesClassifier extends Classifier {
  private sets: RouteSet[] = [];
  private hosts: HostSelector;
  private serviceNames: NameTable = new NameTable();
  /** Service index → its JSON path (`services[2]`), for debug lines. */
  private servicePaths: string[] = [];
  private headers: HostRequestHeaders = new HostRequestHeaders();
  // Set in the constructor before `this` is used: no placeholder values.
  private attributeName: ArrayBuffer;
  private attributeText: string;
  /** Written for requests no service claims (the top-level default); null leaves the attribute unset. */
  private defaultValue: ArrayBuffer | null = null;
  private defaultText: string | null = null;

  constructor(config: NativeConfig) {
    super();
    this.debug = config.debug;
    this.attributeName = String.UTF8.encode(config.outputAttribute);
    this.attributeText = config.outputAttribute;
    const def = config.defaultValue;
    this.defaultText = def;
    if (changetype<usize>(def) != 0) this.defaultValue = String.UTF8.encode(def);
    const services = config.services;
    this.hosts = new HostSelector(services);
    // Series: per service, one per distinct route name, then its unmatched one; last, no service.
    const sets = this.sets;
    for (let s = 0; s < services.length; s++) {
      const service = services[s];
      this.serviceNames.add(service.name); // distinct (config/services.ts): index s
      this.servicePaths.push(service.path);
      const own = service.defaultValue;
      sets.push(new RouteSet(service.routes, this.operations, service.routesPath, changetype<usize>(own) != 0 ? own : def));
    }
    // Once every name is known: per operation, the last service that used it (s + 1) and that
    // service's series for it. Arrays by operation index rather than a map per service.
    const opCount = this.operations.count;
    const stamp = new Int32Array(opCount);
    const seriesOf = new Int32Array(opCount);
    const seriesOperation: i32[] = [];
    const seriesService: i32[] = [];
    for (let s = 0; s < sets.length; s++) {
      const set = sets[s];
      const routeSeries = new Int32Array(set.size);
      for (let r = 0; r < set.size; r++) {
        const op = set.operationOf(r);
        if (stamp[op] != s + 1) {
          stamp[op] = s + 1;
          seriesOf[op] = seriesOperation.length;
          seriesOperation.push(op);
          seriesService.push(s);
        }
        routeSeries[r] = seriesOf[op];
      }
      set.routeSeries = routeSeries;
      set.unmatchedSeries = seriesOperation.length;
      seriesOperation.push(-1);
      seriesService.push(s);
    }
    seriesOperation.push(-1); // UNMATCHED_SERIES: no service claims the host
    seriesService.push(-1);
    this.operations.freeze();
    this.serviceNames.freeze();
    this.series = MetricSeries.forServices(this.operations, this.serviceNames, toInt32Array(seriesOperation), toInt32Array(seriesService));
  }

  onRequestHeaders(stream: StreamState): void {
    const authority = readRequestAuthority();
    const s = this.hosts.select(authority.ptr, authority.length);
    let outcome = "";
    if (s < 0) {
      // No route table applies: the method and path are read only for the debug line.
      stream.series = UNMATCHED_SERIES;
      const def = this.defaultValue;
      if (def !== null) setProperty(this.attributeName, def);
      if (!this.debug) return;
      outcome = "no service claims the host; " + defaultDecision(this.defaultText, this.attributeText);
    }
    const method = readRequestMethod();
    const path = readRequestPath();
    if (s >= 0) {
      const set = unchecked(this.sets[s]);
      const r = set.classify(stream, method, path, this.headers, this.attributeName);
      if (!this.debug) return;
      outcome = "service \"" + this.serviceNames.text(s) + "\" (" + this.servicePaths[s] + "), " + set.decision(r, this.attributeText);
    }
    const line = requestLine(method, path) + " (host " + bounded(authority) + ") → " + outcome;
    noteAllocation(<usize>(line.length << 3)); // the line, its concatenations and its UTF-8 copy
    log(LogLevel.Info, LOG_PREFIX + line);
  }

  onLog(stream: StreamState): void {
    if (!stream.requestSeen) this.onRequestHeaders(stream);
  }
}
