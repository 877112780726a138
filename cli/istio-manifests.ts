// WasmPlugin and Telemetry manifests for a route configuration (extensions.istio.io/v1alpha1,
// telemetry.istio.io/v1), rendered as YAML with comments where they help. Placement: targetRefs to
// a waypoint Gateway (ambient; a selector is ignored on waypoints), a selector (sidecars), or
// neither (every workload in the namespace).
import { Document, isMap, isSeq } from 'yaml';

export interface Placement {
  namespace?: string;
  /** Waypoint (or gateway) name: targetRefs [{kind: Gateway, group: gateway.networking.k8s.io, name}]. */
  targetGateway?: string;
  /** matchLabels, e.g. {app: 'podinfo'}. */
  selector?: Record<string, string>;
}

export const DEFAULT_PLUGIN_URL = 'oci://registry.example.com/route-metrics:0.1.0';

/** "app=podinfo,version=v1" → {app: 'podinfo', version: 'v1'}. */
export function parseSelector(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*([^=\s]*)\s*$/.exec(part);
    if (!m) throw new Error(`--selector ${JSON.stringify(text)}: expected key=value[,key=value…]`);
    labels[m[1]!] = m[2]!;
  }
  return labels;
}

function placementSpec(p: Placement): Record<string, unknown> {
  if (p.targetGateway) return { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: p.targetGateway }] };
  if (p.selector) return { selector: { matchLabels: p.selector } };
  return {};
}

export interface WasmPluginOptions {
  name?: string;
  url?: string;
  placement: Placement;
}

export function wasmPluginManifest(pluginConfig: object, opts: WasmPluginOptions): Record<string, unknown> {
  return {
    apiVersion: 'extensions.istio.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: opts.name ?? 'route-metrics', ...(opts.placement.namespace ? { namespace: opts.placement.namespace } : {}) },
    spec: {
      ...placementSpec(opts.placement),
      url: opts.url ?? DEFAULT_PLUGIN_URL,
      pluginName: 'route-metrics',
      phase: 'AUTHN',
      failStrategy: 'FAIL_OPEN',
      pluginConfig,
    },
  };
}

export interface TelemetryOptions {
  name?: string;
  placement: Placement;
  /** Label name on Istio's metrics (default route_name). */
  tag?: string;
  /** The plugin's output attribute (default istio_operationId). */
  attribute?: string;
}

export function telemetryManifest(opts: TelemetryOptions): Record<string, unknown> {
  const value = `filter_state['wasm.${opts.attribute ?? 'istio_operationId'}']`;
  const tag = opts.tag ?? 'route_name';
  const override = (metric: string) => ({ match: { metric, mode: 'CLIENT_AND_SERVER' }, tagOverrides: { [tag]: { value } } });
  return {
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: opts.name ?? 'route-metrics', ...(opts.placement.namespace ? { namespace: opts.placement.namespace } : {}) },
    spec: {
      ...placementSpec(opts.placement),
      metrics: [{ providers: [{ name: 'prometheus' }], overrides: [override('REQUEST_COUNT'), override('REQUEST_DURATION')] }],
    },
  };
}

/**
 * Renders documents as one multi-document YAML; `routeNotes` become comments above item i of the
 * WasmPlugin's route list at `routesAt` (spec.pluginConfig.routes, or a service's routes).
 */
export function manifestsYaml(docs: Record<string, unknown>[], routeNotes: Map<number, string> = new Map(),
  routesAt: (string | number)[] = ['spec', 'pluginConfig', 'routes']): string {
  return docs
    .map((obj) => {
      const doc = new Document(obj);
      const spec = doc.get('spec', true);
      const placement = obj.kind === 'WasmPlugin' || obj.kind === 'Telemetry' ? spec : null;
      if (isMap(placement) && !placement.has('targetRefs') && !placement.has('selector')) {
        placement.commentBefore = ' No targetRefs/selector: applies to every workload in the namespace (sidecars).\n' +
          ' Ambient waypoint: targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: <waypoint>}]';
      }
      if (obj.kind === 'WasmPlugin') {
        const routes = doc.getIn(routesAt, true);
        if (isSeq(routes)) {
          for (const [i, note] of routeNotes) {
            const item = routes.items[i] as { commentBefore?: string } | undefined;
            if (item) item.commentBefore = ` ${note}`;
          }
        }
      }
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
