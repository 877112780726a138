// route-metrics: an Envoy proxy-wasm HTTP filter that names the route of every request and
// records per-route metrics. Pipeline: config (config/) → compile (routes/, cel/, classify/) →
// match (per request, classify/) → record (filter state; metrics).
//
// The proxy_on_* exports come from the patched SDK; `malloc` is ours (abi/host-memory.ts: it can
// copy a host value into a reusable buffer and counts the bytes towards garbage collection).
export * from "@solo-io/proxy-runtime/assembly/exports";
export { malloc } from "./abi/host-memory";
import { registerRootContext, RootContext } from "@solo-io/proxy-runtime/assembly";
import { RouteMetricsRoot } from "./filter/root";
import "./text/literals"; // the UTF-8 literal table of the release build (scripts/utf8-literals.ts)

// Recommended WasmPlugin `pluginName`. The patched SDK also serves any other root id (Istio
// passes an empty one when pluginName is unset) with this, the only registered factory.
registerRootContext((context_id: u32): RootContext => new RouteMetricsRoot(context_id), "route-metrics");
