// Options of SimulatedEnvoy.start(). Kept apart from types.ts because they name the options of the
// stats and Istio modules, which themselves use the basic types: types.ts stays a leaf.
import type { IstioOptions } from './istio-metrics.ts';
import type { StatsOptions } from './prometheus.ts';
import type { CompiledFilter, LogLevelName, PropertyValue } from './types.ts';

export type FailStrategy = 'FAIL_CLOSE' | 'FAIL_OPEN';

export interface StartOptions {
  /** Path to a .wasm file, its bytes, a compiled module, or a CompiledFilter from SimulatedEnvoy.compile(). */
  wasm: string | Uint8Array | WebAssembly.Module | CompiledFilter;
  /** object → JSON.stringify; string passed as-is; undefined → configuration size 0. */
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
   * extraStatTags ['route_name', 'response_class', 'destination_service_name']. Invalid settings throw, as Envoy refuses the bootstrap.
   */
  stats?: StatsOptions;
  /**
   * Istio's standard metrics (istio_requests_total, …) recorded per stream like Istio's stats
   * filter, with optional Telemetry tagOverrides: true or options to turn them on (off by default,
   * as in a plain Envoy; ~0.5 µs per stream when on).
   */
  istio?: IstioOptions | boolean;
}
