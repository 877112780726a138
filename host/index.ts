// Simulated Envoy proxy-wasm host: public entry point. See host/README.md.
export { SimulatedEnvoy } from './envoy.ts';
export { LoadError } from './compile.ts';
export { HttpStream, type RouterLocalReply } from './stream.ts';
export { ComputeMode, ReplayDivergence, type ComputeModeOptions, type RecordedStream, type ReplayedMetric } from './replay/compute-mode.ts';
export type { NewStreamOptions } from './stream-context.ts';
export type { StartOptions, FailStrategy } from './start-options.ts';
export { inspectModule, inspectCompiledModule, ModuleParseError, type ModuleInfo, type ImportInfo, type ExportInfo, type AbiVersion, type ValType } from './module-inspect.ts';
export { checkImports, checkExports, envoyLinkErrors, hostFunctionsFor, printValTypes } from './abi-imports.ts';
export { decodePairs, encodePairs } from './header-maps.ts';
export * from './types.ts';
export * from './abi.ts';
export {
  renderPrometheus,
  parsePrometheusText,
  prometheusMetricName,
  escapeLabelValue,
  EnvoyStatsConfig,
  DEFAULT_EXTRA_STAT_TAGS,
  CUSTOM_STAT_NAMESPACES,
  type PrometheusStat,
  type StatsOptions,
  type ExpositionOptions,
  type ParsedExposition,
  type Sample,
} from './prometheus.ts';
export { Circllhist, DEFAULT_HISTOGRAM_BUCKETS, HistogramBucketSettings, formatG32 } from './histogram.ts';
export { TagProducer, istioStatsTags, type Tag, type TagSpecifier } from './stat-tags.ts';
export {
  ResponseFlag,
  responseFlagsShortString,
  HOP_BY_HOP_HEADERS,
  withoutHopByHop,
  downstreamRequestHeaders,
  routerReply,
  type DownstreamRequest,
  type UpstreamFailure,
  type RouterReply,
} from './connection-manager.ts';
export { IstioStandardMetrics, type IstioOptions, type IstioReporter, type IstioWorkloadLabels, type IstioDestinationLabels, type WasmPluginPhase } from './istio-metrics.ts';
export { loadTelemetry, TelemetryError, type TelemetryInput, type TelemetryMetrics, type TelemetryLoadOptions } from './telemetry.ts';
export { compileCel, printCelValue, CelCompileError, CelEvalError } from './istio-telemetry-cel.ts';
