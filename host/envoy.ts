// SimulatedEnvoy: loads a proxy-wasm module and drives it the way Envoy's Wasm HTTP filter does.
// See host/README.md for the API and the list of modelled / not modelled behaviours.
import { toBytes } from './bytes.ts';
import { compileFilter, LoadError } from './compile.ts';
import { downstreamRequestHeaders } from './connection-manager.ts';
import { ContextBase, RootContext } from './context.ts';
import { buildImports } from './hostcalls/index.ts';
import { IstioStandardMetrics } from './istio-metrics.ts';
import { StatsStore, type MetricKind } from './metrics.ts';
import type { AbiVersion } from './module-inspect.ts';
import { toPathKey, type PropertyEnv } from './properties.ts';
import { EnvoyStatsConfig, renderPrometheus, type ExpositionOptions, type PrometheusStat } from './prometheus.ts';
import { SharedState } from './shared-state.ts';
import type { StartOptions } from './start-options.ts';
import { ComputeMode, type ComputeModeOptions } from './replay/compute-mode.ts';
import { HttpStream } from './stream.ts';
import type { FilterMode, NewStreamOptions, StreamHost } from './stream-context.ts';
import type { TelemetryInput } from './telemetry.ts';
import {
  LOG_LEVELS,
  type CompiledFilter,
  type HeaderInput,
  type HeaderPairs,
  type LogEntry,
  type LogLevelName,
  type MetricInfo,
  type PropertyValue,
  type RequestSpec,
  type StreamResult,
} from './types.ts';
import { WasmVm, type HostEnv } from './vm.ts';

const encoder = new TextEncoder();

function now0(): () => bigint {
  const epoch = BigInt(Date.now()) * 1_000_000n;
  const hr0 = process.hrtime.bigint();
  return () => epoch + (process.hrtime.bigint() - hr0);
}
const realClock = now0();

function toPropertyMap(props: Record<string, PropertyValue> | undefined): Map<string, PropertyValue> {
  const m = new Map<string, PropertyValue>();
  if (props) for (const k of Object.keys(props)) m.set(toPathKey(k), props[k]!);
  return m;
}

function configBytes(c: string | object | undefined): Uint8Array {
  if (c === undefined) return new Uint8Array(0);
  if (c instanceof Uint8Array) return c; // raw bytes: invalid UTF-8 reaches the plugin as is
  return encoder.encode(typeof c === 'string' ? c : JSON.stringify(c));
}

function headerPairs(h: HeaderInput | undefined): HeaderPairs {
  if (!h) return [];
  return Array.isArray(h) ? h : Object.entries(h);
}

// ---------------------------------------------------------------- the host

export class SimulatedEnvoy {
  /** true if on_context_create(root) + on_vm_start + on_configure all succeeded. */
  configured = false;
  /** The first (most specific) failure message of start(), Envoy's wording. */
  startError: string | undefined;
  /** The whole chain of start failure messages, as Envoy logs them. */
  startErrors: string[] = [];
  /** Module callbacks run on root contexts of the main VM, in order (lifecycle record). */
  readonly rootCallbacks: { callback: string; contextId: number }[] = [];
  /** Exit code of the last proc_exit call, if any. */
  procExitCode: number | undefined;

  private readonly logBuf: LogEntry[] = [];
  private readonly stats = new StatsStore();
  private vm!: WasmVm;
  private root: RootContext | undefined;
  private stopped = false;
  private readonly env: HostEnv;
  private readonly maxLogs: number;
  private compiled!: CompiledFilter;
  private pluginConfig: Uint8Array;
  /** Bootstrap stats_config: tag extractors + histogram buckets (memoized per stat name). */
  private readonly statsConfig: EnvoyStatsConfig;
  /** Istio's stats filter (null unless the istio option is set). */
  private readonly istio: IstioStandardMetrics | null;
  /** What streams see of the host (HttpStream's StreamHost): clock, fail mode, stats logger. */
  private readonly streamHost: StreamHost;

  private constructor(opts: StartOptions) {
    this.maxLogs = opts.maxLogs ?? 100_000;
    this.pluginConfig = configBytes(opts.pluginConfig);
    const clock = opts.clock ?? realClock;
    const propEnv: PropertyEnv = {
      pluginName: opts.pluginName ?? 'default.route-metrics',
      rootId: opts.rootId ?? '',
      vmId: opts.vmId ?? '',
      overrides: toPropertyMap(opts.properties),
      missing: new Set((opts.missingProperties ?? []).map(toPathKey)),
    };
    const self = this;
    const minLogLevel = LOG_LEVELS.indexOf(opts.logLevel ?? 'trace');
    if (minLogLevel < 0) throw new Error(`unknown logLevel ${opts.logLevel}`);
    this.env = {
      stats: this.stats,
      propEnv,
      vmConfig: configBytes(opts.vmConfig),
      wasiEnv: Object.entries(opts.env ?? {}),
      minLogLevel,
      failOpen: opts.failStrategy === 'FAIL_OPEN',
      now: clock,
      monotonic: opts.clock ?? (() => process.hrtime.bigint()),
      shared: new SharedState<WasmVm>(),
      log(level, message, contextId, source, vm, stream) {
        self.pushLog(level, message, contextId, source, vm, stream);
      },
      rootIdFor(vm) {
        return vm === self.vm && self.root ? self.root.id : 1;
      },
      deleteRoot(vm, root) {
        self.deleteRoot(vm, root);
      },
      noteProcExit(_vm, code) {
        self.procExitCode = code;
      },
      rootCalled(vm, callback, contextId) {
        if (!vm.canary) self.rootCallbacks.push({ callback, contextId });
      },
    };
    this.statsConfig = new EnvoyStatsConfig(opts.stats);
    const istio = opts.istio === undefined || opts.istio === false ? null : new IstioStandardMetrics(opts.istio === true ? {} : opts.istio, propEnv);
    this.istio = istio;
    this.streamHost = {
      failOpen: this.env.failOpen,
      now: clock,
      accessLog: istio ? { beforePlugin: istio.beforePlugin, log: (s) => istio.record(s) } : undefined,
    };
  }

  // ============================================================ start / compile

  /** Compile a module once (cached by path + mtime) to start many hosts from it cheaply. */
  static compile(wasm: string | Uint8Array | WebAssembly.Module | CompiledFilter): Promise<CompiledFilter> {
    return compileFilter(wasm);
  }

  /** Load, link, start and configure the plugin as Envoy does. Never rejects for plugin failures (see startError). */
  static async start(opts: StartOptions): Promise<SimulatedEnvoy> {
    const host = new SimulatedEnvoy(opts);
    let compiled: CompiledFilter;
    try {
      compiled = await compileFilter(opts.wasm);
    } catch (e) {
      if (e instanceof LoadError) {
        host.failStart([e.message, 'Failed to load Wasm code']);
        return host;
      }
      throw e;
    }
    host.compiled = compiled;
    host.boot();
    return host;
  }

  private boot(): void {
    const abi = this.compiled.info.abi;
    if (!abi) {
      this.failStart(['Missing or unknown Proxy-Wasm ABI version', 'Failed to load Wasm code']);
      return;
    }
    const [vm, initErrors] = this.createVm(abi, false);
    this.vm = vm;
    if (initErrors.length > 0) {
      this.failStart(initErrors);
      return;
    }
    const root = new RootContext(vm.allocContextId(), this.env.vmConfig, this.pluginConfig);
    this.vm.contexts.set(root.id, root);
    this.root = root;
    const errors = this.startRoot(this.vm, root);
    if (errors.length > 0) {
      this.failStart(errors);
      return;
    }
    this.configured = true;
  }

  /** A VM linked with the host functions and initialized; with its failure messages (empty on success). */
  private createVm(abi: AbiVersion, canary: boolean): [WasmVm, string[]] {
    const vm = new WasmVm(this.env, this.compiled, abi, canary);
    return [vm, vm.initialize(buildImports(vm))];
  }

  private failStart(messages: string[]): void {
    const pluginName = this.env.propEnv.pluginName;
    this.startErrors = [...messages, `Unable to create Wasm HTTP filter ${pluginName}`];
    this.startError = messages[0];
    for (const m of messages) this.pushLog('error', m, 0, 'host', null, null);
    this.configured = false;
  }

  /** ContextBase::onStart + onConfigure on a new root context. Returns failure messages. */
  private startRoot(vm: WasmVm, root: RootContext): string[] {
    const cb = vm.cb;
    let ok = true;
    if (cb.proxy_on_context_create) {
      root.configuring = true; // temp_plugin_ is set around the root's on_context_create
      vm.call(root, 'proxy_on_context_create', cb.proxy_on_context_create, root.id, 0, 0);
      root.configuring = false;
      vm.afterCall();
    }
    root.created = true;
    if (vm.failed) return [vm.failMessage!, 'Failed to start base Wasm'];
    if (cb.proxy_on_vm_start) {
      ok = vm.call(root, 'proxy_on_vm_start', cb.proxy_on_vm_start, root.id, this.env.vmConfig.length, 0) !== 0;
      vm.afterCall();
    }
    if (vm.failed) return [vm.failMessage!, 'Failed to start base Wasm'];
    if (!ok) return ['Failed to start base Wasm'];
    return this.configureRoot(vm, root);
  }

  private configureRoot(vm: WasmVm, root: RootContext): string[] {
    const fn = vm.cb.proxy_on_configure;
    let ok = true;
    if (fn) {
      root.configuring = true;
      ok = vm.call(root, 'proxy_on_configure', fn, root.id, root.pluginConfig.length, 0) !== 0;
      root.configuring = false;
      vm.afterCall();
    }
    if (vm.failed) return [vm.failMessage!, 'Failed to configure base Wasm plugin'];
    if (!ok) return ['Failed to configure base Wasm plugin'];
    return [];
  }

  // ============================================================ configuration lifecycle

  /**
   * New plugin configuration. Envoy (mode 'new-root', default) validates it in a throw-away canary
   * VM, then creates a NEW root context in the running VM (on_context_create(newId, 0) →
   * on_vm_start → on_configure) and retires the old root (on_done → on_delete). A rejected config
   * leaves the old root serving. Mode 'same-root' just calls on_configure again on the current root.
   * Returns whether the new configuration was accepted.
   */
  reconfigure(newConfig: string | object | undefined, opts: { mode?: 'new-root' | 'same-root' } = {}): boolean {
    if (!this.vm || !this.root) throw new Error(`plugin not started: ${this.startError}`);
    if (this.stopped) throw new Error('host stopped');
    const bytes = configBytes(newConfig);
    const vm = this.vm;
    if (vm.failed) return false;
    if (opts.mode === 'same-root') {
      const root = this.root;
      const prev = root.pluginConfig;
      root.pluginConfig = bytes;
      const errors = this.configureRoot(vm, root);
      if (errors.length > 0) {
        root.pluginConfig = prev;
        for (const m of errors) this.pushLog('error', m, root.id, 'host', vm, null);
        return false;
      }
      this.pluginConfig = bytes;
      this.configured = true;
      return true;
    }
    // Canary (wasm.cc WasmHandleBase::canary): fresh instance, start + configure, then discarded.
    let [canary, errors] = this.createVm(this.compiled.info.abi!, true);
    if (errors.length === 0) {
      const croot = new RootContext(canary.allocContextId(), this.env.vmConfig, bytes);
      canary.contexts.set(croot.id, croot);
      errors = this.startRoot(canary, croot);
    }
    if (errors.length > 0) {
      for (const m of errors) this.pushLog('error', m, 0, 'host', canary, null);
      return false;
    }
    const old = this.root;
    const root = new RootContext(vm.allocContextId(), this.env.vmConfig, bytes);
    vm.contexts.set(root.id, root);
    errors = this.startRoot(vm, root);
    if (errors.length > 0) {
      for (const m of errors) this.pushLog('error', m, root.id, 'host', vm, null);
      vm.contexts.delete(root.id);
      return false;
    }
    this.root = root;
    this.pluginConfig = bytes;
    const wasConfigured = this.configured;
    this.configured = true;
    // The old plugin goes away once nothing references it; its root only served if it was configured.
    if (wasConfigured) this.retireRoot(vm, old);
    return true;
  }

  /** Plugin removal: proxy_on_done(root), then proxy_on_delete(root) (after proxy_done if on_done returned false). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.root && this.vm) this.retireRoot(this.vm, this.root);
  }

  /** proxy_on_tick on the root context (Envoy fires it every tick period). */
  tick(): void {
    this.assertRunning();
    const fn = this.vm.cb.proxy_on_tick;
    if (!this.vm.failed && fn && this.root) {
      this.vm.call(this.root, 'proxy_on_tick', fn, this.root.id, 0, 0);
      this.vm.afterCall();
    }
  }

  private retireRoot(vm: WasmVm, root: RootContext): void {
    // WasmBase::startShutdown: onDone() true → onDelete(); false → pending until proxy_done.
    let done = true;
    const fn = vm.cb.proxy_on_done;
    if (!vm.failed && fn) {
      done = vm.call(root, 'proxy_on_done', fn, root.id, 0, 0) !== 0;
      vm.afterCall();
    }
    if (done) this.deleteRoot(vm, root);
    else root.pendingDone = true;
  }

  private deleteRoot(vm: WasmVm, root: RootContext): void {
    if (root.deleted) return;
    root.deleted = true;
    const fn = vm.cb.proxy_on_delete;
    if (root.created && !vm.failed && fn) {
      vm.call(root, 'proxy_on_delete', fn, root.id, 0, 0);
      vm.afterCall();
    }
    vm.contexts.delete(root.id);
  }

  private assertRunning(): void {
    if (!this.configured) throw new Error(`plugin not configured: ${this.startError ?? 'unknown error'}`);
    if (this.stopped) throw new Error('host stopped');
  }

  // ============================================================ streams

  /**
   * A new HTTP stream. Like Envoy, the filter Context is created now (context id allocated) and
   * proxy_on_context_create runs lazily at the request headers.
   */
  newStream(opts: NewStreamOptions = {}): HttpStream {
    if (!this.configured) throw new Error(`plugin not configured: ${this.startError ?? 'unknown error'}`);
    if (this.stopped) throw new Error('host stopped');
    const vm = this.vm;
    let mode: FilterMode = 'active';
    if (vm.failed) mode = this.env.failOpen ? 'skipped' : 'failed';
    const id = mode === 'active' ? vm.allocContextId() : 0;
    const overrides = opts.properties ? toPropertyMap(opts.properties) : null;
    return new HttpStream(vm, id, this.root!.id, mode, this.streamHost, opts, overrides);
  }

  /**
   * One complete request/response exchange. Synchronous: returns the result directly (a plain
   * value, so `await host.request(...)` works too).
   */
  request(spec: RequestSpec = {}): StreamResult {
    const s = this.newStream({ properties: spec.properties, protocol: spec.protocol });
    const body = toBytes(spec.body);
    const headers = downstreamRequestHeaders({
      method: spec.method ?? 'GET',
      path: spec.path ?? '/',
      authority: spec.authority ?? 'example.com',
      scheme: spec.scheme ?? 'http',
      headers: headerPairs(spec.headers),
      bodyLength: body.length,
      requestId: spec.requestId,
      omit: spec.omitHeaders,
    });

    const trailers = spec.trailers ? headerPairs(spec.trailers) : undefined;
    s.requestHeaders(headers, body.length === 0 && !trailers);
    if (body.length > 0) s.requestBody(body, !trailers);
    if (trailers) s.requestTrailers(trailers);

    if (spec.reset) {
      s.reset();
    } else {
      const rbody = toBytes(spec.responseBody);
      const rtrailers = spec.responseTrailers ? headerPairs(spec.responseTrailers) : undefined;
      const rh: HeaderPairs = [[':status', String(spec.status ?? 200)]];
      let rlen = false;
      for (const [k, v] of headerPairs(spec.responseHeaders)) {
        if (k.toLowerCase() === 'content-length') rlen = true;
        rh.push([k, v]);
      }
      if (rbody.length > 0 && !rlen) rh.push(['content-length', String(rbody.length)]);
      s.responseHeaders(rh, rbody.length === 0 && !rtrailers);
      if (rbody.length > 0) s.responseBody(rbody, !rtrailers);
      if (rtrailers) s.responseTrailers(rtrailers);
    }
    return s.complete({ durationMs: spec.durationMs });
  }

  /**
   * The compute mode on this host's VM (replay/compute-mode.ts): requests recorded through this
   * host, replayed with host calls answered from the recording at near-zero cost.
   */
  computeMode(opts: ComputeModeOptions = {}): ComputeMode {
    this.assertRunning();
    const self = this;
    return new ComputeMode({
      vm: this.vm,
      rootContextId: () => self.root?.id,
      request: (spec) => self.request(spec),
    }, opts);
  }

  // ============================================================ observation

  /** All log entries (plugin and host), oldest first. */
  get logs(): readonly LogEntry[] {
    return this.logBuf;
  }

  logsAtLeast(level: LogLevelName): LogEntry[] {
    const min = LOG_LEVELS.indexOf(level);
    return this.logBuf.filter((e) => LOG_LEVELS.indexOf(e.level) >= min);
  }

  clearLogs(): void {
    this.logBuf.length = 0;
  }

  /** The VM failed (trap) — Envoy's Wasm::isFailed(). */
  get failed(): boolean {
    return this.vm?.failed ?? true;
  }

  get failMessage(): string | undefined {
    return this.vm?.failMessage ?? this.startError;
  }

  /** Id of the current root context. */
  get rootContextId(): number | undefined {
    return this.root?.id;
  }

  /** Every metric id defined in the main VM, with its (shared) stat. */
  get metrics(): MetricInfo[] {
    const out: MetricInfo[] = [];
    if (!this.vm) return out;
    for (const [id, s] of this.vm.metrics.byId) {
      out.push({ id, type: s.type, name: s.name, value: s.value, samples: s.samples, count: s.count, sum: s.sum });
    }
    return out;
  }

  /** Counter value by name (Envoy: same name → same stat), or undefined if never defined. */
  counter(name: string): bigint | undefined {
    return this.stats.find('counter', name)?.value;
  }

  gauge(name: string): bigint | undefined {
    return this.stats.find('gauge', name)?.value;
  }

  /** Histogram samples by name, or undefined if never defined. */
  histogram(name: string): number[] | undefined {
    return this.stats.find('histogram', name)?.samples;
  }

  /**
   * Envoy's /stats/prometheus text: the Wasm metrics (tag-extracted with the bootstrap's
   * extraStatTags), Istio's standard metrics and istio_build. Rendered on demand from aggregated
   * counters and histogram bins (see host/prometheus.ts).
   */
  prometheus(options: ExpositionOptions = {}): string {
    return renderPrometheus(this.prometheusStats(), this.statsConfig, options);
  }

  /** The stats behind prometheus(), e.g. for a dev proxy's own renderPrometheus() call. */
  *prometheusStats(): IterableIterator<PrometheusStat> {
    yield* this.stats.prometheusStats();
    if (this.istio) yield* this.istio.prometheusStats();
  }

  /**
   * Applies Telemetry resource(s) to the following streams, as an xDS push would (existing series
   * stay). Throws a TelemetryError naming the field for a resource Istio or the host cannot apply;
   * returns warnings (e.g. tags that always read "unknown").
   */
  loadTelemetry(telemetry: TelemetryInput | undefined): readonly string[] {
    if (!this.istio) throw new Error('Istio metrics are off: start the host with the istio option');
    return this.istio.setTelemetry(telemetry);
  }

  /** Warnings of the Telemetry in force (see loadTelemetry). */
  get telemetryWarnings(): readonly string[] {
    return this.istio?.telemetryWarnings ?? [];
  }

  /** Names of all defined stats of a type. */
  statNames(type: MetricKind): string[] {
    return [...this.stats.byType[type].keys()];
  }

  /** Linear memory size in 64 KiB pages. */
  memoryPages(): number {
    return this.vm?.mem ? this.vm.mem.memory.buffer.byteLength / 65536 : 0;
  }

  /** Bytes the host has copied into the module (through its malloc) so far. */
  get bytesCopiedIn(): number {
    return this.vm?.mem ? this.vm.mem.bytesCopiedIn : 0;
  }

  /** An export of the module instance (e.g. a counter added by instrumentation), for inspection. */
  moduleExport(name: string): unknown {
    return this.vm?.instance?.exports[name];
  }

  /** Cumulative host call counts by function name. */
  get hostCallCounts(): Record<string, number> {
    return this.vm ? this.vm.countsRecord() : {};
  }

  /** Shared data (proxy_get/set_shared_data), for inspection. */
  sharedData(key: string): Uint8Array | undefined {
    return this.env.shared.getData(key)?.value;
  }

  private pushLog(level: LogLevelName, message: string, contextId: number, source: LogEntry['source'], vm: WasmVm | null, stream: ContextBase | null): void {
    if (LOG_LEVELS.indexOf(level) < this.env.minLogLevel) return;
    const e: LogEntry = { level, message, contextId, source };
    if (vm?.canary) e.vm = 'canary';
    const buf = this.logBuf;
    buf.push(e);
    if (buf.length > this.maxLogs) buf.splice(0, buf.length - Math.floor(this.maxLogs / 2));
    if (stream instanceof HttpStream) stream.logs.push(e);
  }
}
