// One Wasm VM (proxy-wasm-cpp-host WasmBase + the V8 runtime glue): instantiation, calls into the
// module with Envoy's context bookkeeping, trap → VM failure, malloc, deferred after-call actions,
// and what every hostcall does first (count, restriction check). The host functions themselves
// (hostcalls/) are built by the host and handed to initialize(): they depend on the VM, not the
// other way round.
import { checkExports, checkImports } from './abi-imports.ts';
import { ContextBase, CTX_ROOT, CTX_STREAM, VmContext, type RootContext } from './context.ts';
import { countsByName, HOSTCALL_COUNT, hostcallIndex, HOSTCALL_NAMES } from './hostcalls/table.ts';
import type { CallTap, HostcallOverride } from './hostcall-hooks.ts';
import { GuestMemory } from './memory.ts';
import { MetricIds, type StatsStore } from './metrics.ts';
import type { AbiVersion } from './module-inspect.ts';
import { PropOut, type PropertyEnv } from './properties.ts';
import type { SharedState } from './shared-state.ts';
import { LOG_LEVELS, type CompiledFilter, type LogEntry, type LogLevelName } from './types.ts';

/** What a VM needs from its host (SimulatedEnvoy). */
export interface HostEnv {
  readonly stats: StatsStore;
  readonly propEnv: PropertyEnv;
  readonly vmConfig: Uint8Array;
  readonly wasiEnv: [string, string][];
  /** Index into LOG_LEVELS of the lowest kept level. */
  readonly minLogLevel: number;
  readonly failOpen: boolean;
  now(): bigint;
  monotonic(): bigint;
  log(level: LogLevelName, message: string, contextId: number, source: LogEntry['source'], vm: WasmVm, stream: ContextBase | null): void;
  readonly shared: SharedState<WasmVm>;
  /** Id of the root context streams of `vm` belong to. */
  rootIdFor(vm: WasmVm): number;
  /** proxy_done on a root waiting for it: run proxy_on_delete. */
  deleteRoot(vm: WasmVm, root: RootContext): void;
  noteProcExit(vm: WasmVm, code: number): void;
  /** A module callback ran on a root context (lifecycle journal). */
  rootCalled(vm: WasmVm, callback: string, contextId: number): void;
}

export type Callback = (a?: number, b?: number, c?: number, d?: number, e?: number) => number | undefined;

const MALLOC_ALLOWED = ['proxy_log', 'fd_write', 'clock_time_get', 'poll_oneoff'];
// wasm.cc startVm(): hostcalls allowed while _initialize/_start run.
const START_ALLOWED = [
  'emscripten_notify_memory_growth', 'proxy_log', 'fd_write', 'args_sizes_get', 'args_get',
  'environ_sizes_get', 'environ_get', 'clock_time_get', 'clock_res_get', 'random_get', 'poll_oneoff',
  'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_advise', 'fd_allocate', 'fd_datasync', 'fd_fdstat_set_rights',
  'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread', 'fd_prestat_dir_name',
  'fd_prestat_get', 'fd_pwrite', 'fd_readdir', 'fd_renumber', 'fd_sync', 'fd_tell', 'path_create_directory',
  'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_readlink', 'path_remove_directory',
  'path_rename', 'path_symlink', 'path_unlink_file', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown',
];

function allowMask(names: string[]): Uint8Array {
  const m = new Uint8Array(HOSTCALL_COUNT);
  for (const n of names) m[hostcallIndex(n)] = 1;
  return m;
}
const MALLOC_MASK = allowMask(MALLOC_ALLOWED);
const START_MASK = allowMask(START_ALLOWED);

/** "Uncaught RuntimeError: unreachable", as V8 words a trap in Envoy's log. */
function describeError(e: unknown): string {
  if (e instanceof Error) return `Uncaught ${e.name}: ${e.message}`;
  return `Uncaught ${String(e)}`;
}

export class WasmVm {
  instance: WebAssembly.Instance | undefined;
  mem!: GuestMemory;
  readonly cb: Record<string, Callback | undefined> = Object.create(null);
  failed = false;
  failMessage: string | undefined;
  /** current_context_ (null outside any call: a hostcall then has no context, as in the start section). */
  current: ContextBase | null = null;
  /** effective_context_id_ (proxy_set_effective_context), reset per call. */
  effectiveId = 0;
  /** The stream whose callback is running (for per-stream counts, logs and trap attribution). */
  activeStream: ContextBase | null = null;
  /** Restricted-callback mask (wasm.cc setRestrictedCallback) or null. */
  allowed: Uint8Array | null = null;
  /** wasm_->stopNextIteration(true) after proxy_send_local_response. */
  stopIteration = false;
  readonly after: (() => void)[] = [];
  readonly contexts = new Map<number, ContextBase>();
  private nextContextId = 1;
  readonly metrics: MetricIds;
  readonly totals = new Int32Array(HOSTCALL_COUNT);
  streamCounts: Int32Array | null = null;
  readonly vmContext: VmContext;
  readonly props = new PropOut();
  /** Compute mode (host/replay/): records what the host answers while set; null otherwise. */
  tap: CallTap | null = null;
  /** Compute mode: answers host calls instead of the hostcalls/ implementations while set. */
  override: HostcallOverride | null = null;
  private mallocFn: Callback | undefined;
  private mallocName = 'malloc';

  constructor(
    readonly host: HostEnv,
    readonly compiled: CompiledFilter,
    readonly abi: AbiVersion,
    readonly canary: boolean,
  ) {
    this.metrics = new MetricIds(host.stats);
    this.vmContext = new VmContext(host.vmConfig);
  }

  /**
   * Link `imports` (the host functions: hostcalls/ buildImports(vm)), instantiate (runs the start section),
   * resolve exports and run _initialize/_start, as wasm.cc initialize() does. Returns the failure
   * messages (empty on success).
   */
  initialize(imports: WebAssembly.Imports): string[] {
    const info = this.compiled.info;
    const linkError = checkImports(info.imports, this.abi, info.typesKnown);
    if (linkError) return this.loadFailure(linkError);
    // Memory/table imports are created by the host from the declared limits (v8.cc link()).
    for (const imp of info.imports) {
      if (imp.kind === 'memory' && imp.limits) {
        const mem = new WebAssembly.Memory({ initial: imp.limits.min, maximum: imp.limits.max });
        (imports[imp.module] ??= {})[imp.name] = mem;
      } else if (imp.kind === 'table' && imp.limits) {
        const t = new WebAssembly.Table({ element: 'anyfunc', initial: imp.limits.min, maximum: imp.limits.max });
        (imports[imp.module] ??= {})[imp.name] = t;
      }
    }
    try {
      this.instance = new WebAssembly.Instance(this.compiled.module, imports);
    } catch (e) {
      return this.loadFailure('Failed to create new Wasm instance', describeError(e));
    }
    const ex = this.instance.exports;
    let memory: WebAssembly.Memory | undefined;
    for (const v of Object.values(ex)) if (v instanceof WebAssembly.Memory) { memory = v; break; }
    if (!memory) {
      for (const imp of info.imports) if (imp.kind === 'memory') memory = (imports[imp.module]![imp.name] as WebAssembly.Memory);
    }
    for (const [name, v] of Object.entries(ex)) if (typeof v === 'function') this.cb[name] = v as Callback;
    const exportErrors = checkExports(info.exports, this.abi, info.typesKnown);
    if (exportErrors.length > 0) return this.loadFailure(...exportErrors);
    if (!memory) return this.loadFailure('Failed to load Wasm module: no memory');
    this.mallocFn = this.cb.malloc ?? this.cb.proxy_on_memory_allocate;
    if (!this.cb.malloc) this.mallocName = 'proxy_on_memory_allocate';
    this.mem = new GuestMemory(memory, (size) => this.malloc(size));

    // startVm(): WASI reactor (_initialize [+ main/__main_void]) or command (_start), restricted.
    this.allowed = START_MASK;
    try {
      if (this.cb._initialize) {
        this.call(this.vmContext, '_initialize', this.cb._initialize, 0, 0, 0);
        if (this.cb.main) this.call(this.vmContext, 'main', this.cb.main, 0, 0, 0);
        else if (this.cb.__main_void) this.call(this.vmContext, '__main_void', this.cb.__main_void, 0, 0, 0);
      } else if (this.cb._start) {
        this.call(this.vmContext, '_start', this.cb._start, 0, 0, 0);
      }
    } finally {
      this.allowed = null;
    }
    this.afterCall();
    if (this.failed) return [this.failMessage!, 'Failed to initialize Wasm code'];
    return [];
  }

  private loadFailure(...messages: string[]): string[] {
    this.failed = true;
    this.failMessage = messages[0];
    return [...messages, 'Failed to initialize Wasm code'];
  }

  allocContextId(): number {
    while (this.contexts.has(this.nextContextId)) this.nextContextId++;
    return this.nextContextId++;
  }

  /** contextOrEffectiveContext(). */
  ctx(): ContextBase {
    const cur = this.current!;
    if (this.effectiveId === 0) return cur;
    return this.contexts.get(this.effectiveId) ?? cur;
  }

  /** The root context of the hostcall's context (itself for a root; the serving root for a stream). */
  rootContext(): RootContext | undefined {
    const ctx = this.ctx();
    return (ctx.kind === CTX_ROOT ? ctx : this.contexts.get(this.host.rootIdFor(this))) as RootContext | undefined;
  }

  /** Id of rootContext(), without the lookup. */
  rootContextId(): number {
    const ctx = this.ctx();
    return ctx.kind === CTX_ROOT ? ctx.id : this.host.rootIdFor(this);
  }

  /** The module's memory with views current (memory may have grown since the last call). */
  memory(): GuestMemory {
    this.mem.refresh();
    return this.mem;
  }

  /**
   * What every host function does first: count the call (cumulative and for the running stream),
   * then trap like V8 would where Envoy restricts hostcalls or has no current context.
   */
  enterHostcall(index: number): void {
    this.totals[index]!++;
    const s = this.streamCounts;
    if (s !== null) s[index]!++;
    if (this.allowed !== null && this.allowed[index] === 0) throw new WebAssembly.RuntimeError('restricted_callback');
    if (this.current === null) {
      // Envoy has no current context here (e.g. the module's start section) and would crash.
      throw new WebAssembly.RuntimeError(`${HOSTCALL_NAMES[index]} called with no current context (module start section?); Envoy would crash`);
    }
  }

  /** A message from the module (proxy_log, fd_write), at a proxy_log level number. */
  logFromPlugin(level: number, message: string): void {
    this.host.log(LOG_LEVELS[level]!, message, this.ctx().id, 'plugin', this, this.activeStream);
  }

  /** Envoy's own message about a hostcall (Context::error → trace, e.g. "wasi_unstable proc_exit"). */
  logFromHost(message: string): void {
    this.host.log('trace', message, this.ctx().id, 'host', this, this.activeStream);
  }

  /**
   * Call a module export on behalf of `ctx` (V8 getModuleFunctionImpl + SaveRestoreContext).
   * A trap (or any exception) fails the VM and returns 0, like V8 returning R{}.
   * The caller runs afterCall() once it has converted the result (DeferAfterCallActions order).
   */
  call(ctx: ContextBase, name: string, fn: Callback, a: number, b: number, c: number): number {
    const prevCurrent = this.current;
    const prevEffective = this.effectiveId;
    const prevStream = this.activeStream;
    const prevCounts = this.streamCounts;
    this.current = ctx;
    this.effectiveId = 0;
    if (ctx.kind === CTX_STREAM) {
      this.activeStream = ctx;
      this.streamCounts = ctx.counts;
    } else if (ctx.kind === CTX_ROOT) {
      this.host.rootCalled(this, name, ctx.id);
    }
    ctx.callbacks.push(name);
    const tap = this.tap;
    if (tap !== null) tap.callback(ctx.kind, name, a, b, c);
    let r = 0;
    try {
      r = (fn(a, b, c) as number) >>> 0;
    } catch (e) {
      this.fail(name, e);
      r = 0;
    } finally {
      this.current = prevCurrent;
      this.effectiveId = prevEffective;
      this.activeStream = prevStream;
      this.streamCounts = prevCounts;
    }
    if (tap !== null) tap.callbackDone(r);
    return r;
  }

  /** Envoy's DeferAfterCallActions destructor: reset the stop flag, run deferred actions. */
  afterCall(): void {
    this.stopIteration = false;
    while (this.after.length > 0) this.after.shift()!();
  }

  /** A trap or host error inside a call: the VM is failed for good (FailState::RuntimeError). */
  fail(fnName: string, e: unknown): void {
    const msg = `Function: ${fnName} failed: ${describeError(e)}`;
    this.failed = true;
    this.failMessage ??= msg;
    const stream = this.activeStream;
    this.host.log('error', msg, this.current?.id ?? 0, 'host', this, stream);
    stream?.noteTrap(msg);
  }

  /** allocMemory(): malloc on the VM context with restricted callbacks; 0 on failure. */
  malloc(size: number): number {
    const fn = this.mallocFn;
    if (!fn) return 0;
    const prevAllowed = this.allowed;
    const prevCurrent = this.current;
    const prevEffective = this.effectiveId;
    this.allowed = MALLOC_MASK;
    this.current = this.vmContext;
    this.effectiveId = 0;
    try {
      return (fn(size) as number) >>> 0;
    } catch (e) {
      this.fail(this.mallocName, e);
      return 0;
    } finally {
      this.allowed = prevAllowed;
      this.current = prevCurrent;
      this.effectiveId = prevEffective;
    }
  }

  /** The module's allocator export (malloc or proxy_on_memory_allocate), called without the VM's bookkeeping. */
  get rawMalloc(): Callback | undefined {
    return this.mallocFn;
  }

  /** Cumulative host call counts by name (non-zero only). */
  countsRecord(counts: Int32Array = this.totals): Record<string, number> {
    return countsByName(counts);
  }
}
