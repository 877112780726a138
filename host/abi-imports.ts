// The functions Envoy links into a proxy-wasm module, with their exact wasm signatures, and the
// module callbacks it looks up.
//
// Source: proxy-wasm-cpp-host `include/proxy-wasm/exports.h` (C++ prototypes; every `Word` is an
// i32 on wasm32, `int64_t`/`uint64_t` are i64, `void` has no result) and `src/wasm.cc
// registerCallbacks()` / `getFunctions()` (which names are registered or looked up per ABI).
import type { AbiVersion, ExportInfo, ImportInfo, ModuleInfo, ValType } from './module-inspect.ts';

export interface Signature {
  params: ValType[];
  results: ValType[];
}

const I = 'i32' as const;
const L = 'i64' as const;
const w = (n: number, ...extra: ValType[]): Signature => ({
  params: [...Array<ValType>(n).fill(I), ...extra],
  results: [I],
});
const sig = (params: ValType[], results: ValType[] = [I]): Signature => ({ params, results });

/** `env.proxy_*` functions registered for every ABI (exports.h FOR_ALL_HOST_FUNCTIONS). */
export const PROXY_FUNCTIONS: Record<string, Signature> = {
  proxy_log: w(3),
  proxy_get_status: w(3),
  proxy_set_property: w(4),
  proxy_get_property: w(4),
  proxy_send_local_response: w(8),
  proxy_get_shared_data: w(5),
  proxy_set_shared_data: w(5),
  proxy_register_shared_queue: w(3),
  proxy_resolve_shared_queue: w(5),
  proxy_dequeue_shared_queue: w(3),
  proxy_enqueue_shared_queue: w(3),
  proxy_get_header_map_value: w(5),
  proxy_add_header_map_value: w(5),
  proxy_replace_header_map_value: w(5),
  proxy_remove_header_map_value: w(3),
  proxy_get_header_map_pairs: w(3),
  proxy_set_header_map_pairs: w(3),
  proxy_get_header_map_size: w(2),
  proxy_get_buffer_status: w(3),
  proxy_get_buffer_bytes: w(5),
  proxy_set_buffer_bytes: w(5),
  proxy_http_call: w(10),
  proxy_grpc_call: w(12),
  proxy_grpc_stream: w(9),
  proxy_grpc_close: w(1),
  proxy_grpc_cancel: w(1),
  proxy_grpc_send: w(4),
  proxy_set_tick_period_milliseconds: w(1),
  proxy_get_current_time_nanoseconds: w(1),
  proxy_define_metric: w(4),
  proxy_increment_metric: sig([I, L]), // (metric_id, int64_t offset)
  proxy_record_metric: sig([I, L]), // (metric_id, uint64_t value)
  proxy_get_metric: w(2),
  proxy_set_effective_context: w(1),
  proxy_done: w(0),
  proxy_call_foreign_function: w(6),
};

/** ABI-specific `env.proxy_*` registrations (wasm.cc registerCallbacks). */
export const PROXY_FUNCTIONS_BY_ABI: Record<AbiVersion, Record<string, Signature>> = {
  '0.1.0': {
    proxy_get_configuration: w(2),
    proxy_continue_request: w(0),
    proxy_continue_response: w(0),
    proxy_clear_route_cache: w(0),
  },
  '0.2.0': {
    proxy_continue_stream: w(1),
    proxy_close_stream: w(1),
  },
  '0.2.1': {
    proxy_continue_stream: w(1),
    proxy_close_stream: w(1),
    proxy_get_log_level: w(1),
  },
};

/** Non-proxy `env` registrations (wasm.cc registerCallbacks, emscripten support). */
export const ENV_FUNCTIONS: Record<string, Signature> = {
  pthread_equal: w(2),
  emscripten_notify_memory_growth: sig([I], []),
};

/** WASI functions, registered under both `wasi_unstable` and `wasi_snapshot_preview1`. */
export const WASI_FUNCTIONS: Record<string, Signature> = {
  fd_write: w(4),
  fd_read: w(4),
  fd_seek: sig([I, L, I, I]),
  fd_close: w(1),
  fd_fdstat_get: w(2),
  fd_fdstat_set_flags: w(2),
  fd_fdstat_set_rights: sig([I, L, L]),
  environ_get: w(2),
  environ_sizes_get: w(2),
  args_get: w(2),
  args_sizes_get: w(2),
  clock_time_get: sig([I, L, I]),
  clock_res_get: w(2),
  fd_advise: sig([I, L, L, I]),
  fd_allocate: sig([I, L, L]),
  fd_datasync: w(1),
  fd_filestat_set_size: sig([I, L]),
  fd_filestat_set_times: sig([I, L, L, I]),
  fd_pread: sig([I, I, I, L, I]),
  fd_pwrite: sig([I, I, I, L, I]),
  fd_readdir: sig([I, I, I, L, I]),
  fd_renumber: w(2),
  fd_sync: w(1),
  fd_tell: w(2),
  path_create_directory: w(3),
  path_filestat_set_times: sig([I, I, I, I, L, L, I]),
  path_link: w(6),
  path_readlink: w(6),
  path_remove_directory: w(3),
  path_rename: w(6),
  path_symlink: w(4),
  path_unlink_file: w(3),
  sock_accept: w(3),
  sock_recv: w(6),
  sock_send: w(5),
  sock_shutdown: w(2),
  random_get: w(2),
  sched_yield: w(0),
  poll_oneoff: w(4),
  proc_exit: sig([I], []),
  path_open: sig([I, I, I, I, I, L, L, I, I]),
  fd_prestat_get: w(2),
  fd_prestat_dir_name: w(3),
  path_filestat_get: w(5),
  fd_filestat_get: w(2),
};

export const WASI_MODULES = ['wasi_unstable', 'wasi_snapshot_preview1'] as const;

/** Every host function Envoy registers for `abi`, keyed "module.name". */
export function hostFunctionsFor(abi: AbiVersion): Map<string, Signature> {
  const m = new Map<string, Signature>();
  for (const [n, s] of Object.entries(ENV_FUNCTIONS)) m.set(`env.${n}`, s);
  for (const mod of WASI_MODULES) for (const [n, s] of Object.entries(WASI_FUNCTIONS)) m.set(`${mod}.${n}`, s);
  for (const [n, s] of Object.entries(PROXY_FUNCTIONS)) m.set(`env.${n}`, s);
  for (const [n, s] of Object.entries(PROXY_FUNCTIONS_BY_ABI[abi])) m.set(`env.${n}`, s);
  return m;
}

/** Callbacks Envoy looks up in the module, with the signatures it requires (wasm.h WasmCall*). */
export const MODULE_CALLBACKS: Record<string, Signature> = {
  proxy_validate_configuration: w(2),
  proxy_on_vm_start: w(2),
  proxy_on_configure: w(2),
  proxy_on_tick: sig([I], []),
  proxy_on_context_create: sig([I, I], []),
  proxy_on_new_connection: w(1),
  proxy_on_downstream_data: w(3),
  proxy_on_upstream_data: w(3),
  proxy_on_downstream_connection_close: sig([I, I], []),
  proxy_on_upstream_connection_close: sig([I, I], []),
  proxy_on_request_body: w(3),
  proxy_on_request_trailers: w(2),
  proxy_on_request_metadata: w(2),
  proxy_on_response_body: w(3),
  proxy_on_response_trailers: w(2),
  proxy_on_response_metadata: w(2),
  proxy_on_http_call_response: sig([I, I, I, I, I], []),
  proxy_on_grpc_receive: sig([I, I, I], []),
  proxy_on_grpc_close: sig([I, I, I], []),
  proxy_on_grpc_receive_initial_metadata: sig([I, I, I], []),
  proxy_on_grpc_receive_trailing_metadata: sig([I, I, I], []),
  proxy_on_queue_ready: sig([I, I], []),
  proxy_on_done: w(1),
  proxy_on_log: sig([I], []),
  proxy_on_delete: sig([I], []),
};

/** ABI-specific callback lookups (wasm.cc getFunctions). */
export const MODULE_CALLBACKS_BY_ABI: Record<AbiVersion, Record<string, Signature>> = {
  '0.1.0': { proxy_on_request_headers: w(2), proxy_on_response_headers: w(2) },
  '0.2.0': { proxy_on_request_headers: w(3), proxy_on_response_headers: w(3), proxy_on_foreign_function: sig([I, I, I], []) },
  '0.2.1': { proxy_on_request_headers: w(3), proxy_on_response_headers: w(3), proxy_on_foreign_function: sig([I, I, I], []) },
};

/** Start-up exports (wasm.cc getFunctions): WASI reactor/command entry points and the allocator. */
export const STARTUP_EXPORTS: Record<string, Signature> = {
  _initialize: sig([], []),
  main: w(2),
  __main_void: w(0),
  _start: sig([], []),
  malloc: w(1),
  proxy_on_memory_allocate: w(1),
};

/** v8.cc printValTypes: "void" for none, else space separated. */
export function printValTypes(types: readonly ValType[]): string {
  return types.length === 0 ? 'void' : types.join(' ');
}

function sameTypes(a: readonly ValType[], b: readonly ValType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Link check as v8.cc `link()` does it, in import order; returns the first failure message.
 * Function imports must be registered with the same signature; global imports are "missing";
 * memory and table imports are satisfied by the host.
 */
export function checkImports(imports: readonly ImportInfo[], abi: AbiVersion, typesKnown = true): string | undefined {
  const host = hostFunctionsFor(abi);
  for (const imp of imports) {
    const key = `${imp.module}.${imp.name}`;
    if (imp.kind === 'function') {
      const want = host.get(key);
      if (!want) return `Failed to load Wasm module due to a missing import: ${key}`;
      if (typesKnown && (!sameTypes(imp.params, want.params) || !sameTypes(imp.results, want.results))) {
        return (
          `Failed to load Wasm module due to an import type mismatch: ${key}, ` +
          `want: ${printValTypes(imp.params)} -> ${printValTypes(imp.results)}, ` +
          `but host exports: ${printValTypes(want.params)} -> ${printValTypes(want.results)}`
        );
      }
    } else if (imp.kind === 'global' || imp.kind === 'tag') {
      return `Failed to load Wasm module due to a missing import: ${key}`;
    }
  }
  return undefined;
}

/**
 * Export checks as wasm.cc `getFunctions()` + v8.cc `getModuleFunctionImpl()` do them: an
 * exported callback with the wrong signature fails the VM ("Bad function signature for: ...");
 * a missing one is simply not called. A missing allocator fails with Envoy's message.
 * Returns all failure messages in Envoy's order (the first is the one Envoy reports first).
 */
export function checkExports(exports: readonly ExportInfo[], abi: AbiVersion, typesKnown = true): string[] {
  const byName = new Map<string, ExportInfo>();
  for (const e of exports) if (e.kind === 'function') byName.set(e.name, e);
  const errors: string[] = [];
  const check = (name: string, want: Signature): boolean => {
    const e = byName.get(name);
    if (!e) return false;
    if (typesKnown && (!sameTypes(e.params, want.params) || !sameTypes(e.results, want.results))) {
      errors.push(
        `Bad function signature for: ${name}, want: ${printValTypes(want.params)} -> ` +
          `${printValTypes(want.results)}, but the module exports: ${printValTypes(e.params)} -> ` +
          `${printValTypes(e.results)}`,
      );
    }
    return true;
  };
  if (check('_initialize', STARTUP_EXPORTS._initialize!)) {
    check('main', STARTUP_EXPORTS.main!);
    check('__main_void', STARTUP_EXPORTS.__main_void!);
  } else {
    check('_start', STARTUP_EXPORTS._start!);
  }
  if (!check('malloc', STARTUP_EXPORTS.malloc!) && !check('proxy_on_memory_allocate', STARTUP_EXPORTS.proxy_on_memory_allocate!)) {
    errors.push('Wasm module is missing malloc function.');
  }
  for (const [name, s] of Object.entries(MODULE_CALLBACKS)) check(name, s);
  for (const [name, s] of Object.entries(MODULE_CALLBACKS_BY_ABI[abi])) check(name, s);
  return errors;
}

/** Convenience for tooling/tests: does `info` link against Envoy, and if not, why. */
export function envoyLinkErrors(info: ModuleInfo): string[] {
  if (!info.abi) return ['Missing or unknown Proxy-Wasm ABI version'];
  const imp = checkImports(info.imports, info.abi, info.typesKnown);
  return imp ? [imp] : checkExports(info.exports, info.abi, info.typesKnown);
}
