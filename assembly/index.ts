// route-metrics: an Envoy proxy-wasm HTTP filter that names the route of every request and
// records per-route metrics. Pipeline: config (config/) → compile (routes/, cel/, classify/) →
// match (per request, classify/) → record (filter state; metrics).
//
// Exports: the VM and root-context callbacks come from the patched SDK; the HTTP-stream callbacks
// are ours (filter/dispatch.ts: why); `malloc` is ours too (abi/host-memory.ts: it can copy a host
// value into a reusable buffer and counts the bytes towards garbage collection).
export {
  proxy_abi_version_0_2_0, proxy_on_vm_start, proxy_validate_configuration, proxy_on_configure, proxy_on_tick,
  proxy_on_foreign_function, proxy_on_queue_ready, proxy_on_http_call_response, proxy_on_grpc_receive_initial_metadata,
  proxy_on_grpc_trailing_metadata, proxy_on_grpc_receive, proxy_on_grpc_close,
} from "@solo-io/proxy-runtime/assembly/exports";
export {
  proxy_on_context_create, proxy_on_request_headers, proxy_on_request_body, proxy_on_request_trailers, proxy_on_request_metadata,
  proxy_on_response_headers, proxy_on_response_body, proxy_on_response_trailers, proxy_on_response_metadata,
  proxy_on_log, proxy_on_done, proxy_on_delete,
} from "./filter/dispatch";
export { malloc } from "./abi/host-memory";
import { registerRootContext, RootContext } from "@solo-io/proxy-runtime/assembly";
import { RouteMetricsRoot } from "./filter/root";
import "./text/literals"; // the UTF-8 literal table of the release build (scripts/utf8-literals.ts)

// Recommended WasmPlugin `pluginName`. The patched SDK also serves any other root id (Istio
// passes an empty one when pluginName is unset) with this, the only registered factory.
registerRootContext((context_id: u32): RootContext => new RouteMetricsRoot(context_id), "route-metrics");
