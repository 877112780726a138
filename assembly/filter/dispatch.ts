// The HTTP-stream half of the proxy-wasm ABI: the proxy_on_* callbacks Envoy makes for every
// stream, delivered straight to the stream's object. The VM and root-context half (vm_start,
// configure, tick, timers, http/grpc callouts, the root's done and delete) stays with the SDK.
//
// Why not the SDK's dispatch: per stream it created an SDK Context (fields we never use),
// inserted it into and removed it from a Map<u32, BaseContext> (allocating), and looked the
// context up twice on every callback, including the four body/trailers/response-headers
// callbacks this filter has nothing to do in. Profiled, that and the garbage it left were a
// larger share of the module's time per request than matching. Patching those paths of the SDK
// would have meant carrying a rewrite of its runtime in the patch; owning these dozen exports is
// smaller and keeps the SDK patch to the defects it fixes. Here: one table lookup per callback
// that has work (abi/context-table.ts, usually a cache hit), pooled streams
// (filter/stream-pool.ts), and no call into the module's logic for the callbacks without work.
import { ensureRootContext, hasContext, getBaseContext, deleteContext } from "@solo-io/proxy-runtime/assembly/runtime";
import { ContextTable } from "../abi/context-table";
import { RouteMetricsRoot } from "./root";
import { RouteMetricsStream } from "./stream";
import { releaseStream } from "./stream-pool";
import { endOfCallback, streamFinished } from "./memory";

const CONTINUE: i32 = 0; // FilterHeadersStatus / FilterDataStatus / FilterTrailersStatus Continue

const streams = new ContextTable<RouteMetricsStream>();

// The root of the last stream created: Envoy's streams of one plugin all name the same root.
let lastRootId: u32 = 0;
let lastRoot: RouteMetricsRoot | null = null;

function rootOf(rootId: u32): RouteMetricsRoot | null {
  const cached = lastRoot;
  if (cached !== null && rootId == lastRootId) return cached;
  // The SDK's lookup, creating the root on first use as it always did.
  const root = ensureRootContext(rootId);
  if (!(root instanceof RouteMetricsRoot)) return null;
  lastRootId = rootId;
  lastRoot = <RouteMetricsRoot>root;
  return <RouteMetricsRoot>root;
}

export function proxy_on_context_create(context_id: u32, root_context_id: u32): void {
  if (root_context_id == 0) {
    ensureRootContext(context_id);
    return;
  }
  if (streams.get(context_id) !== null) return; // created already: the first one stands
  const root = rootOf(root_context_id);
  if (root === null) return;
  streams.set(context_id, root.openStream());
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
  if (streams.get(context_id) !== null) return 1; // a stream's on_done has nothing to do (and its result is ignored)
  if (!hasContext(context_id)) return 1;
  return getBaseContext(context_id).onDone() ? 1 : 0; // a root context: the SDK's
}

// The context is gone; no further calls will come for it.
export function proxy_on_delete(context_id: u32): void {
  const s = streams.delete(context_id);
  if (s !== null) {
    streamFinished(releaseStream(s));
    return;
  }
  if (!hasContext(context_id)) return;
  getBaseContext(context_id).onDelete();
  deleteContext(context_id);
  if (context_id == lastRootId) lastRoot = null;
}
