// WasmPlugin and Telemetry manifests for a route configuration (extensions.istio.io/v1alpha1,
// telemetry.istio.io/v1), rendered as YAML with comments where they help. Placement: targetRefs to
// a waypoint Gateway (ambient; a selector is ignored on waypoints), a selector (sidecars), or
// neither (every workload in the namespace).
import { Document, isMap, isScalar, isSeq } from 'yaml';
import type { Placeholder } from './plugin-source.ts';

export interface Placement {
  namespace?: string;
  /** Waypoint (or gateway) name: targetRefs [{kind: Gateway, group: gateway.networking.k8s.io, name}]. */
  targetGateway?: string;
  /** matchLabels, e.g. {app: 'podinfo'}. */
  selector?: Record<string, string>;
}

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
  /** Where the module is fetched from (plugin-source.ts resolves it). */
  url: string;
  /** Hex digest Istio checks the module against; left out when unknown. */
  sha256?: string;
  placement: Placement;
}

export function wasmPluginManifest(pluginConfig: object, opts: WasmPluginOptions): Record<string, unknown> {
  return {
    apiVersion: 'extensions.istio.io/v1alpha1',
    kind: 'WasmPlugin',
    metadata: { name: opts.name ?? 'route-metrics', ...(opts.placement.namespace ? { namespace: opts.placement.namespace } : {}) },
    spec: {
      ...placementSpec(opts.placement),
      url: opts.url,
      ...(opts.sha256 ? { sha256: opts.sha256 } : {}),
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

/** Istio's standard HTTP metrics, as Telemetry names them (istio_requests_total, _duration_, request and response bytes). */
export const ISTIO_HTTP_METRICS = ['REQUEST_COUNT', 'REQUEST_DURATION', 'REQUEST_SIZE', 'RESPONSE_SIZE'] as const;

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
      // Every HTTP metric the PromQL cookbook and the dashboard read by route: count, latency, sizes.
      metrics: [{ providers: [{ name: 'prometheus' }], overrides: ISTIO_HTTP_METRICS.map(override) }],
    },
  };
}

/** Puts comment lines above the key `key` of a YAML map (when the map has it). */
function commentKey(map: unknown, key: string, lines: string[]): void {
  if (!isMap(map)) return;
  const pair = map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = lines.map((l) => ` ${l}`).join('\n');
}

/**
 * Renders documents as one multi-document YAML; `routeNotes` become comments above item i of the
 * WasmPlugin's route list at `routesAt` (spec.pluginConfig.routes, or a service's routes), and
 * each WasmPlugin placeholder a `PLACEHOLDER:` comment above its field (or above `url` when the
 * field was left out).
 */
export function manifestsYaml(docs: Record<string, unknown>[], routeNotes: Map<number, string> = new Map(), placeholders: Placeholder[] = [],
  routesAt: (string | number)[] = ['spec', 'pluginConfig', 'routes']): string {
  return docs
    .map((obj) => {
      const doc = new Document(obj);
      if (obj.kind === 'WasmPlugin') {
        const spec = doc.get('spec', true);
        const byKey = new Map<string, string[]>();
        for (const p of placeholders) {
          const field = p.field.replace(/^spec\./, '');
          const present = isMap(spec) && spec.has(field);
          const key = present ? field : 'url';
          byKey.set(key, [...(byKey.get(key) ?? []), `PLACEHOLDER${present ? '' : ` (${p.field} not set)`}: ${p.fix}`]);
        }
        for (const [key, lines] of byKey) commentKey(spec, key, lines);
      }
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
