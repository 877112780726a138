// Every proxy-wasm callback of the module: the VM and root-context half (vm_start, configure,
// tick, callouts, the root's done and delete) and the HTTP-stream half, delivered straight to the
// root's or the stream's object.
//
// Why not the SDK's dispatch: per stream it created an SDK Context (fields we never use),
// inserted it into and removed it from a Map<u32, BaseContext> (allocating), and looked the
// context up twice on every callback, including the four body/trailers/response-headers
// callbacks this filter has nothing to do in. Profiled, that and the garbage it left were a
// larger share of the module's time per request than matching. Patching those paths of the SDK
// would have meant carrying a rewrite of its runtime in the patch; owning these exports is
// smaller and keeps the SDK patch to the defects it fixes. Here: one table lookup per callback
// that has work (abi/context-table.ts, usually a cache hit), pooled streams
// (filter/stream-pool.ts), and no call into the module's logic for the callbacks without work.
// The root half followed (issue 14, module size): with it the module no longer links the SDK's
// runtime (its context and factory maps, root-context class and callout bookkeeping, about 4 KB),
// and a callback for a root it does not know creates that root instead of trapping in a map.
import { ContextTable } from "../abi/context-table";
import { RouteMetricsRoot } from "./root";
import { RouteMetricsStream } from "./stream";
import { releaseStream } from "./stream-pool";
import { endOfCallback, streamFinished } from "./memory";

const CONTINUE: i32 = 0; // FilterHeadersStatus / FilterDataStatus / FilterTrailersStatus Continue

const streams = new ContextTable<RouteMetricsStream>();

// Root contexts: one per plugin configuration in this VM (usually one), so a short list.
// Every root id is served by RouteMetricsRoot, whatever the WasmPlugin's pluginName (Istio passes
// it as the root id, empty when unset); the recommended name is "route-metrics".
const roots = new Array<RouteMetricsRoot>();

// The root of the last stream created: Envoy's streams of one plugin all name the same root.
let lastRoot: RouteMetricsRoot | null = null;

function findRoot(rootId: u32): RouteMetricsRoot | null {
  const cached = lastRoot;
  if (cached !== null && cached.id == rootId) return cached;
  for (let i = 0; i < roots.length; i++) {
    const r = unchecked(roots[i]);
    if (r.id == rootId) return (lastRoot = r);
  }
  return null;
}

/** The root with this id, created on first use (Envoy creates it with on_context_create first). */
function rootOf(rootId: u32): RouteMetricsRoot {
  let root = findRoot(rootId);
  if (root === null) {
    root = new RouteMetricsRoot(rootId);
    roots.push(root);
    lastRoot = root;
  }
  return root;
}

export function proxy_abi_version_0_2_0(): void {}

export function proxy_on_vm_start(root_context_id: u32, vm_configuration_size: u32): u32 {
  rootOf(root_context_id);
  return 1;
}

export function proxy_validate_configuration(root_context_id: u32, configuration_size: u32): u32 {
  return 1; // on_configure validates, and degrades instead of refusing (see root.ts)
}

export function proxy_on_configure(root_context_id: u32, configuration_size: u32): u32 {
  return rootOf(root_context_id).onConfigure(configuration_size) ? 1 : 0;
}

// Timers, shared queues, foreign functions and callouts: the filter uses none. Exported so that
// a host that calls them unconditionally finds them.
export function proxy_on_tick(root_context_id: u32): void {}
export function proxy_on_queue_ready(root_context_id: u32, token: u32): void {}
export function proxy_on_foreign_function(root_context_id: u32, function_id: u32, data_size: u32): void {}
export function proxy_on_http_call_response(context_id: u32, token: u32, headers: u32, body_size: u32, trailers: u32): void {}
export function proxy_on_grpc_receive_initial_metadata(context_id: u32, token: u32, headers: u32): void {}
export function proxy_on_grpc_trailing_metadata(context_id: u32, token: u32, trailers: u32): void {}
export function proxy_on_grpc_receive(context_id: u32, token: u32, response_size: u32): void {}
export function proxy_on_grpc_close(context_id: u32, token: u32, status_code: u32): void {}

export function proxy_on_context_create(context_id: u32, root_context_id: u32): void {
  if (root_context_id == 0) {
    rootOf(context_id);
    return;
  }
  if (streams.get(context_id) !== null) return; // created already: the first one stands
  streams.set(context_id, rootOf(root_context_id).openStream());
}

export function proxy_on_request_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  const s = streams.get(context_id);
  if (s === null) return CONTINUE; // unknown id (a host bug): ignored rather than trapping
  s.onRequestHeaders();
  endOfCallback();
  return CONTINUE;
}

// Nothing to do in these; they exist because Envoy looks them up, and answer without a lookup.
export function proxy_on_request_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  return CONTINUE;
}
export function proxy_on_request_trailers(context_id: u32, trailers: u32): i32 {
  return CONTINUE;
}
export function proxy_on_request_metadata(context_id: u32, nelements: u32): i32 {
  return CONTINUE;
}
export function proxy_on_response_headers(context_id: u32, headers: u32, end_of_stream: u32): i32 {
  return CONTINUE;
}
export function proxy_on_response_body(context_id: u32, body_buffer_length: u32, end_of_stream: u32): i32 {
  return CONTINUE;
}
export function proxy_on_response_trailers(context_id: u32, trailers: u32): i32 {
  return CONTINUE;
}
export function proxy_on_response_metadata(context_id: u32, nelements: u32): i32 {
  return CONTINUE;
}

// Envoy HTTP streams: on_log runs before on_done and on_delete.
export function proxy_on_log(context_id: u32): void {
  const s = streams.get(context_id);
  if (s === null) return;
  s.onLog();
  endOfCallback();
}

export function proxy_on_done(context_id: u32): u32 {
  return 1; // streams and roots alike are done at once (nothing pending)
}

// The context is gone; no further calls will come for it.
export function proxy_on_delete(context_id: u32): void {
  const s = streams.delete(context_id);
  if (s !== null) {
    streamFinished(releaseStream(s));
    return;
  }
  for (let i = 0; i < roots.length; i++) {
    const root = unchecked(roots[i]);
    if (root.id != context_id) continue;
    // Shifted by hand: Array#splice would bring in its copy (and the removed-items array) for this one call.
    const last = roots.length - 1;
    for (let k = i; k < last; k++) unchecked((roots[k] = unchecked(roots[k + 1])));
    roots.length = last;
    if (lastRoot === root) lastRoot = null;
    return;
  }
}
