// route-metrics: an Envoy proxy-wasm HTTP filter that names the route of every request and
// records per-route metrics. Pipeline: config (config/) → compile (routes/, cel/, classify/) →
// match (per request, classify/) → record (filter state; metrics).
//
// Exports: every proxy-wasm callback is ours (filter/dispatch.ts: why); the SDK,
// @solo-io/proxy-runtime, supplies the host-call declarations (abi/hostcalls.ts wraps them).
// `malloc` is ours too (abi/host-memory.ts: it can copy a host value into a reusable buffer and
// counts the bytes towards garbage collection).
export {
  proxy_abi_version_0_2_0, proxy_on_vm_start, proxy_validate_configuration, proxy_on_configure, proxy_on_tick,
  proxy_on_foreign_function, proxy_on_queue_ready, proxy_on_http_call_response, proxy_on_grpc_receive_initial_metadata,
  proxy_on_grpc_trailing_metadata, proxy_on_grpc_receive, proxy_on_grpc_close,
  proxy_on_context_create, proxy_on_request_headers, proxy_on_request_body, proxy_on_request_trailers, proxy_on_request_metadata,
  proxy_on_response_headers, proxy_on_response_body, proxy_on_response_trailers, proxy_on_response_metadata,
  proxy_on_log, proxy_on_done, proxy_on_delete,
} from "./filter/dispatch";
export { malloc } from "./abi/host-memory";
import "./abi/abort"; // the abort handler named in asconfig.json
import "./text/literals"; // the UTF-8 literal table of the release build (scripts/utf8-literals.ts)
