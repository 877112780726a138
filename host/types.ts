// Public value and result types of the simulated Envoy host (the ABI enums are in abi.ts, the
// start options in start-options.ts). It imports nothing but module-inspect's types, so every
// module in host/ may import it without a cycle.
import type { ModuleInfo } from './module-inspect.ts';

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
  readonly info: ModuleInfo;
  readonly byteLength: number;
}
