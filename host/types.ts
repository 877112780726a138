// Public types and ABI enums of the simulated Envoy host.
// Enum values: proxy-wasm spec v0.2.1 / proxy-wasm-cpp-sdk proxy_wasm_enums.h.

export const WasmResult = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  BadExpression: 5,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  ResultMismatch: 9,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const;

export const HeaderMapType = {
  RequestHeaders: 0,
  RequestTrailers: 1,
  ResponseHeaders: 2,
  ResponseTrailers: 3,
  GrpcReceiveInitialMetadata: 4,
  GrpcReceiveTrailingMetadata: 5,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const;

export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  DownstreamData: 2,
  UpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const;

export const FilterHeadersStatus = {
  Continue: 0,
  StopIteration: 1,
  ContinueAndEndStream: 2,
  StopAllIterationAndBuffer: 3,
  StopAllIterationAndWatermark: 4,
} as const;

export const FilterDataStatus = {
  Continue: 0,
  StopIterationAndBuffer: 1,
  StopIterationAndWatermark: 2,
  StopIterationNoBuffer: 3,
} as const;

export const MetricTypeCode = { Counter: 0, Gauge: 1, Histogram: 2 } as const;

export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';
export const LOG_LEVELS: readonly LogLevelName[] = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];

export interface LogEntry {
  level: LogLevelName;
  message: string;
  /** Context the message was logged from (0 = VM context, e.g. inside malloc). */
  contextId: number;
  /** 'plugin': proxy_log / fd_write from the module; 'host': Envoy's own message (trap, load failure, proc_exit). */
  source: 'plugin' | 'host';
  /** Set for messages from the throw-away canary VM Envoy runs on reconfiguration. */
  vm?: 'canary';
}

export type HeaderPairs = [string, string][];
export type HeaderInput = Record<string, string> | HeaderPairs;

export type PropertyValue = string | number | bigint | boolean | Uint8Array;

export type FailStrategy = 'FAIL_CLOSE' | 'FAIL_OPEN';

export interface StartOptions {
  /** Path to a .wasm file, its bytes, a compiled module, or a CompiledFilter from SimulatedEnvoy.compile(). */
  wasm: string | Uint8Array | WebAssembly.Module | CompiledFilter;
  /** object → JSON.stringify; string passed as-is (UTF-8); Uint8Array: the bytes as-is; undefined → configuration size 0. */
  pluginConfig?: string | object;
  vmConfig?: string;
  /** Envoy root_id (Istio: WasmPlugin.spec.pluginName; '' when unset). */
  rootId?: string;
  /** Envoy plugin name (Istio: "<namespace>.<name>"). */
  pluginName?: string;
  /** plugin_vm_id. */
  vmId?: string;
  failStrategy?: FailStrategy;
  /** Dotted property names that answer NotFound (and everything below them), e.g. ['request.url_path']. */
  missingProperties?: string[];
  /** Dotted property paths overriding or adding values, e.g. {'source.address': '10.1.2.3:5555', 'xds.node.id': 'x'}. */
  properties?: Record<string, PropertyValue>;
  /** ns since the Unix epoch; default: real time (monotonic within the process). */
  clock?: () => bigint;
  /** Lowest level kept in logs (and what proxy_get_log_level reports). Default 'trace'. */
  logLevel?: LogLevelName;
  /** WASI environment variables (Istio vmConfig.env). */
  env?: Record<string, string>;
  /** Cap on host.logs (oldest dropped). Default 100000. */
  maxLogs?: number;
  /**
   * Bootstrap stats config (extraStatTags, histogram buckets) used by host.prometheus(). Default
   * extraStatTags ['route_name', 'response_class']. Invalid settings throw, as Envoy refuses the bootstrap.
   */
  stats?: import('./prometheus.ts').StatsOptions;
  /**
   * Istio's standard metrics (istio_requests_total, …) recorded per stream like Istio's stats
   * filter, with optional Telemetry tagOverrides: true or options to turn them on (off by default,
   * as in a plain Envoy; ~0.5 µs per stream when on).
   */
  istio?: import('./istio-metrics.ts').IstioOptions | boolean;
}

export interface RequestSpec {
  method?: string;
  path?: string;
  authority?: string;
  scheme?: string;
  /** 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2' | 'HTTP/3' (request.protocol). */
  protocol?: string;
  headers?: HeaderInput;
  body?: string | Uint8Array;
  trailers?: HeaderInput;
  status?: number;
  responseHeaders?: HeaderInput;
  responseBody?: string | Uint8Array;
  responseTrailers?: HeaderInput;
  /** Stream reset before any response: no response callbacks, response.code absent; on_log still runs. */
  reset?: boolean;
  /** request.duration in ms (default: measured with the host clock). */
  durationMs?: number;
  /** Pseudo-headers / headers to leave out, e.g. [':path']. */
  omitHeaders?: string[];
  /** x-request-id (default: a random UUID, as Envoy's connection manager generates one). */
  requestId?: string;
  /** Per-request property overrides (same form as StartOptions.properties). */
  properties?: Record<string, PropertyValue>;
}

export interface LocalReply {
  status: number;
  details: string;
  body: string;
  headers: HeaderPairs;
  /** 'plugin': proxy_send_local_response; 'host': Envoy's fail-closed reply after a VM failure. */
  source: 'plugin' | 'host';
}

export interface ReturnCodes {
  requestHeaders?: number;
  requestBody?: number;
  requestTrailers?: number;
  responseHeaders?: number;
  responseBody?: number;
  responseTrailers?: number;
  done?: number;
}

export interface StreamResult {
  contextId: number;
  /** Filter state set by the plugin, UTF-8 decoded, keyed like Envoy ("wasm.<name>"). */
  filterState: Record<string, string>;
  filterStateBytes: Record<string, Uint8Array>;
  logs: LogEntry[];
  trapped: boolean;
  trap?: string;
  localReply?: LocalReply;
  returnCodes: ReturnCodes;
  /** Host functions called while this stream's callbacks ran (by function name). */
  hostCalls: Record<string, number>;
  /** Module callbacks invoked for this stream, in order. */
  callbacks: string[];
  /** True when the filter was not in the chain for this stream (fail-open after a VM failure). */
  skipped: boolean;
  /** True if the stream was reset (requested, or by Envoy after a failure once the response had started). */
  reset: boolean;
  /** What the client would receive (undefined for reset streams). */
  response?: { status: number; headers: HeaderPairs; body: Uint8Array };
  /** Request headers as they would be forwarded upstream (after plugin mutations). */
  requestHeaders: HeaderPairs;
}

export interface MetricInfo {
  id: number;
  type: 'counter' | 'gauge' | 'histogram';
  /** Name as defined (Envoy's stat is "wasmcustom." + name). */
  name: string;
  /** Counter/gauge value as uint64 (bigint). 0n for histograms. */
  value: bigint;
  /** Histogram samples as numbers (the newest 100000; values above 2^53 lose precision). */
  samples: number[];
  /** Histogram: number of samples ever recorded, and their sum. */
  count: number;
  sum: number;
}

/** A compiled module with the parsed import/export info; start many hosts from one cheaply. */
export interface CompiledFilter {
  readonly module: WebAssembly.Module;
  readonly info: import('./module-inspect.ts').ModuleInfo;
  readonly byteLength: number;
}
