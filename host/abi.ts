// The proxy-wasm ABI's enums as the host uses them (values: proxy-wasm spec v0.2.1 /
// proxy-wasm-cpp-sdk proxy_wasm_enums.h, proxy-wasm-cpp-host include/proxy-wasm/context_interface.h).
// Plain objects `as const` rather than TypeScript enums, so a value is just its number.

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

/** FilterTrailersStatus (proxy_on_request_trailers / proxy_on_response_trailers). */
export const FilterTrailersStatus = {
  Continue: 0,
  StopIteration: 1,
} as const;

/** WasmStreamType (proxy_continue_stream / proxy_close_stream). */
export const StreamType = {
  Request: 0,
  Response: 1,
  Downstream: 2,
  Upstream: 3,
} as const;

/** LogLevel (proxy_log); names in LOG_LEVELS (types.ts). */
export const LogLevel = {
  Trace: 0,
  Debug: 1,
  Info: 2,
  Warn: 3,
  Error: 4,
  Critical: 5,
} as const;
