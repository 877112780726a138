// route-metrics: an Envoy proxy-wasm HTTP filter that names the route of every request and
// records per-route metrics. Pipeline: config (config/) → compile (routes/, cel/, classify/) →
// match (per request, classify/) → record (filter state; metrics).
//
// The proxy-wasm exports (malloc, proxy_on_*) come from the patched SDK.
export * from "@solo-io/proxy-runtime/assembly/proxy";
import { registerRootContext, RootContext } from "@solo-io/proxy-runtime/assembly";
import { RouteMetricsRoot } from "./filter/root";

// Recommended WasmPlugin `pluginName`. The patched SDK also serves any other root id (Istio
// passes an empty one when pluginName is unset) with this, the only registered factory.
registerRootContext((context_id: u32): RootContext => new RouteMetricsRoot(context_id), "route-metrics");
