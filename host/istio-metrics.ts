// Istio's standard HTTP metrics, recorded per stream the way Istio's stats filter does in its
// access-log callback (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc,
// IstioStatsFilter::log): istio_requests_total, istio_request_duration_milliseconds,
// istio_request_bytes, istio_response_bytes, named "istiocustom.istio_*" with explicit tags (no tag
// extraction), plus the istio_build gauge.
//
// Tags, in Istio's order: reporter, source_workload, source_canonical_service,
// source_canonical_revision, source_workload_namespace, source_principal, source_app,
// source_version, source_cluster, destination_workload, destination_workload_namespace,
// destination_principal, destination_app, destination_version, destination_service,
// destination_canonical_service, destination_canonical_revision, destination_service_name,
// destination_service_namespace, destination_cluster, request_protocol, response_code,
// grpc_response_status, response_flags, connection_security_policy. Peer/local workload values
// come from host options (the simulator has no peer metadata exchange); the rest from the stream:
// - reporter: "destination" (sidecar inbound), "source" (sidecar outbound), "waypoint";
// - request_protocol "grpc" when content-type is application/grpc[+…|;…], else "http";
// - response_code: StreamInfo's code, 0 when there was no response (reset);
// - grpc_response_status: grpc-status of trailers, else headers, else mapped from the HTTP code
//   (Grpc::Common::getGrpcStatus); "" for plain HTTP;
// - response_flags: ResponseFlagUtils::toShortString ("-" when none, "DC" for a downstream reset);
// - duration: request complete time in whole ms; bytes: header bytes + body (the simulator's
//   stand-in for the downstream wire-bytes meter).
// Telemetry tagOverrides (telemetry.ts) are evaluated once per stream, after the Wasm plugin's
// on_log when the plugin runs before istio.stats (phase AUTHN/AUTHZ/STATS), before it otherwise.
import { WasmResult } from './abi.ts';
import { responseFlagsShortString } from './connection-manager.ts';
import { grpcStatusHeader, httpToGrpcStatus } from './grpc-status.ts';
import type { HeaderMap } from './header-maps.ts';
import { Circllhist } from './histogram.ts';
import type { PrometheusStat } from './prometheus.ts';
import { PK, PropOut, resolveProperty, type PropertyEnv, type StreamView } from './properties.ts';
import type { Tag } from './stat-tags.ts';
import { CelEvalError, printCelValue, type AttributeResolver, type CompiledCel } from './istio-telemetry-cel.ts';
import { HTTP_METRICS, loadTelemetry, type HttpMetric, type TelemetryInput, type TelemetryMetrics } from './telemetry.ts';

export interface IstioWorkloadLabels {
  workload?: string;
  namespace?: string;
  /** SPIFFE identity, e.g. "spiffe://cluster.local/ns/podinfo/sa/podinfo". */
  principal?: string;
  app?: string;
  version?: string;
  canonicalService?: string;
  /** Default "latest" (Istio's default canonical revision). */
  canonicalRevision?: string;
  cluster?: string;
}

export interface IstioDestinationLabels extends IstioWorkloadLabels {
  /** destination_service (host), e.g. "podinfo.podinfo.svc.cluster.local". */
  service?: string;
  serviceName?: string;
  serviceNamespace?: string;
}

export type IstioReporter = 'destination' | 'source' | 'waypoint';
/** WasmPlugin phase: AUTHN/AUTHZ/STATS run before istio.stats, UNSPECIFIED_PHASE after it. */
export type WasmPluginPhase = 'AUTHN' | 'AUTHZ' | 'STATS' | 'UNSPECIFIED_PHASE';

export interface IstioOptions {
  /** Default "destination" (sidecar inbound). "waypoint" for an ambient waypoint, "source" for sidecar outbound. */
  reporter?: IstioReporter;
  source?: IstioWorkloadLabels;
  destination?: IstioDestinationLabels;
  /** Default: "mutual_tls" when both principals are set, else "none" (server side); "unknown" for reporter "source". */
  connectionSecurityPolicy?: string;
  /** Istio version of the proxy (istio_build tag; below 1.24 bare names in tagOverrides read Wasm attributes). Default "1.24". */
  istioVersion?: string;
  /** Where the route-metrics WasmPlugin sits relative to istio.stats. Default "AUTHN". */
  pluginPhase?: WasmPluginPhase;
  /** Telemetry resource(s): YAML text (multi-document; non-Telemetry documents skipped), objects. */
  telemetry?: TelemetryInput;
}

const STAT_PREFIX = 'istiocustom.istio_';

function isGrpcRequest(h: HeaderMap | null): boolean {
  if (!h || h.get(':path') === undefined) return false;
  const ct = h.get('content-type');
  return ct !== undefined && (ct === 'application/grpc' || ct.startsWith('application/grpc+') || ct.startsWith('application/grpc;'));
}

// Per-stream variables a label can refer to; expression values follow at VAR_EXPR + i.
const VAR_PROTOCOL = 0;
const VAR_CODE = 1;
const VAR_GRPC = 2;
const VAR_FLAGS = 3;
const VAR_EXPR = 4;

type LabelSource = { name: string; value: string } | { name: string; variable: number };

class IstioSeries {
  count = 0;
  readonly hist: Circllhist | null;
  constructor(readonly metric: HttpMetric, readonly tags: readonly Tag[]) {
    this.hist = metric === 'requests_total' ? null : new Circllhist();
  }
}

/** One metric's labels after the Telemetry overrides, and its series by variable values. */
class MetricPlan {
  readonly variables: number[];
  private readonly local = new Map<string, IstioSeries>();
  constructor(
    readonly metric: HttpMetric,
    readonly labels: readonly LabelSource[],
    private readonly store: Map<string, IstioSeries>,
  ) {
    this.variables = labels.flatMap((l) => ('variable' in l ? [l.variable] : []));
  }

  series(vars: readonly string[]): IstioSeries {
    let key = '';
    for (const v of this.variables) key += `${vars[v]}\u0000`;
    let s = this.local.get(key);
    if (s) return s;
    const tags: Tag[] = this.labels.map((l) => [l.name, 'variable' in l ? vars[l.variable]! : l.value] as const);
    // Same name and tags → same Envoy stat, also across Telemetry changes.
    const full = `${this.metric}\u0000${tags.map(([k, v]) => `${k}\u0000${v}`).join('\u0000')}`;
    s = this.store.get(full);
    if (!s) this.store.set(full, (s = new IstioSeries(this.metric, tags)));
    this.local.set(key, s);
    return s;
  }
}

export class IstioStandardMetrics {
  readonly reporter: IstioReporter;
  readonly istioVersion: string;
  /** Whether istio.stats' access log runs before the plugin's on_log (plugin phase UNSPECIFIED_PHASE). */
  readonly beforePlugin: boolean;
  private readonly baseLabels: LabelSource[];
  private readonly store = new Map<string, IstioSeries>();
  private plans: MetricPlan[] = [];
  private exprs: CompiledCel[] = [];
  private telemetry: TelemetryMetrics | undefined;
  private readonly out = new PropOut();
  private readonly vars: string[] = [];
  /** A stats filter config was created once (istio_build is set then and stays). */
  private installed = false;
  /** The stream whose tag expressions are being evaluated. */
  private stream: StreamView | null = null;

  constructor(options: IstioOptions, private readonly propEnv: PropertyEnv) {
    this.reporter = options.reporter ?? 'destination';
    if (!['destination', 'source', 'waypoint'].includes(this.reporter)) {
      throw new Error(`istio.reporter: ${JSON.stringify(this.reporter)} is not destination, source or waypoint`);
    }
    this.istioVersion = options.istioVersion ?? '1.24';
    const phase = options.pluginPhase ?? 'AUTHN';
    if (!['AUTHN', 'AUTHZ', 'STATS', 'UNSPECIFIED_PHASE'].includes(phase)) {
      throw new Error(`istio.pluginPhase: ${JSON.stringify(phase)} is not AUTHN, AUTHZ, STATS or UNSPECIFIED_PHASE`);
    }
    this.beforePlugin = phase === 'UNSPECIFIED_PHASE';
    this.baseLabels = this.standardLabels(options);
    this.setTelemetry(options.telemetry);
  }

  /** Applies Telemetry resources (or none) to later streams; returns the load warnings. */
  setTelemetry(input: TelemetryInput | undefined): readonly string[] {
    this.telemetry = input === undefined ? undefined : loadTelemetry(input, { istioVersion: this.istioVersion });
    this.buildPlans();
    return this.telemetry?.warnings ?? [];
  }

  get telemetryWarnings(): readonly string[] {
    return this.telemetry?.warnings ?? [];
  }

  private standardLabels(o: IstioOptions): LabelSource[] {
    const s = o.source ?? {};
    const d = o.destination ?? {};
    const u = (v: string | undefined): string => (v === undefined || v === '' ? 'unknown' : v);
    const server = this.reporter !== 'source';
    const mtls = o.connectionSecurityPolicy ?? (server ? (s.principal && d.principal ? 'mutual_tls' : 'none') : 'unknown');
    const c = (name: string, value: string): LabelSource => ({ name, value });
    return [
      c('reporter', this.reporter),
      c('source_workload', u(s.workload)),
      c('source_canonical_service', u(s.canonicalService)),
      c('source_canonical_revision', s.canonicalRevision || 'latest'),
      c('source_workload_namespace', u(s.namespace)),
      c('source_principal', u(s.principal)),
      c('source_app', u(s.app)),
      c('source_version', u(s.version)),
      c('source_cluster', u(s.cluster)),
      c('destination_workload', u(d.workload)),
      c('destination_workload_namespace', u(d.namespace)),
      c('destination_principal', u(d.principal)),
      c('destination_app', u(d.app)),
      c('destination_version', u(d.version)),
      c('destination_service', u(d.service ?? d.canonicalService)),
      c('destination_canonical_service', u(d.canonicalService)),
      c('destination_canonical_revision', d.canonicalRevision || 'latest'),
      c('destination_service_name', u(d.serviceName ?? d.canonicalService)),
      c('destination_service_namespace', u(d.serviceNamespace ?? d.namespace)),
      c('destination_cluster', u(d.cluster)),
      { name: 'request_protocol', variable: VAR_PROTOCOL },
      { name: 'response_code', variable: VAR_CODE },
      { name: 'grpc_response_status', variable: VAR_GRPC },
      { name: 'response_flags', variable: VAR_FLAGS },
      c('connection_security_policy', mtls),
    ];
  }

  private buildPlans(): void {
    const t = this.telemetry;
    this.plans = [];
    this.exprs = [];
    if (t?.allDisabled) return; // the stats filter is not installed at all
    this.installed = true; // its config records istio_build (Config::recordVersion)
    const overrides = this.reporter === 'source' ? t?.client : t?.server;
    const exprIndex = new Map<string, number>();
    const variableFor = (e: CompiledCel): number => {
      let i = exprIndex.get(e.source);
      if (i === undefined) {
        i = this.exprs.length;
        this.exprs.push(e);
        exprIndex.set(e.source, i);
      }
      return VAR_EXPR + i;
    };
    for (const metric of HTTP_METRICS) {
      const o = overrides?.get(metric);
      if (o?.disabled) continue;
      let labels = this.baseLabels;
      if (o && o.tags.length > 0) {
        const byName = new Map(o.tags.map((x) => [x.name, x]));
        labels = [];
        for (const l of this.baseLabels) {
          const x = byName.get(l.name);
          if (!x) labels.push(l);
          else if (!x.remove) labels.push({ name: l.name, variable: variableFor(x.value!) });
        }
        const standard = new Set(this.baseLabels.map((l) => l.name));
        for (const x of o.tags) if (!standard.has(x.name) && !x.remove) labels.push({ name: x.name, variable: variableFor(x.value!) });
      }
      this.plans.push(new MetricPlan(metric, labels, this.store));
    }
  }

  /** IstioStatsFilter::log for one completed stream (called in the access-log phase). */
  record(s: StreamView): void {
    if (this.plans.length === 0) return;
    const req = s.activationRequestHeaders();
    const resp = s.activationResponseHeaders();
    const trailers = s.activationResponseTrailers();
    const vars = this.vars;
    const grpc = isGrpcRequest(req);
    const code = s.responseCode ?? 0;
    vars[VAR_PROTOCOL] = grpc ? 'grpc' : 'http';
    vars[VAR_CODE] = String(code);
    let grpcStatus = '';
    if (grpc) {
      grpcStatus = grpcStatusHeader(trailers) ?? grpcStatusHeader(resp) ?? (s.responseCode !== undefined ? String(httpToGrpcStatus(code)) : '');
    }
    vars[VAR_GRPC] = grpcStatus;
    vars[VAR_FLAGS] = responseFlagsShortString(s.responseFlags);
    if (this.exprs.length > 0) {
      this.stream = s;
      for (let i = 0; i < this.exprs.length; i++) {
        let v: string;
        try {
          v = printCelValue(this.exprs[i]!.eval(this.resolve));
        } catch (e) {
          if (!(e instanceof CelEvalError)) throw e;
          v = 'unknown';
        }
        vars[VAR_EXPR + i] = v;
      }
      this.stream = null;
    }
    const durationMs = s.completeTimeNs === undefined ? undefined : Number((s.completeTimeNs - s.startTimeNs) / 1_000_000n);
    for (const plan of this.plans) {
      switch (plan.metric) {
        case 'requests_total':
          plan.series(vars).count++;
          break;
        case 'request_duration_milliseconds':
          if (durationMs !== undefined) plan.series(vars).hist!.record(durationMs < 0 ? 0 : durationMs);
          break;
        case 'request_bytes':
          plan.series(vars).hist!.record((req ? req.byteSize() : 0) + s.bytesReceived);
          break;
        case 'response_bytes':
          plan.series(vars).hist!.record((resp ? resp.byteSize() : 0) + (trailers ? trailers.byteSize() : 0) + s.bytesSent);
          break;
      }
    }
  }

  /** CEL attribute lookup through the host's property resolver (Envoy uses one activation for both). */
  private readonly resolve: AttributeResolver = (_path, key) => {
    const out = this.out;
    if (resolveProperty(key, this.stream, this.propEnv, out) !== WasmResult.Ok) return undefined;
    switch (out.kind) {
      case PK.Str: return out.str;
      case PK.Bytes: return out.bytes;
      case PK.I64: return BigInt(out.num);
      case PK.Bool: return out.bool;
      default: return undefined;
    }
  }

  /** The stats for /stats/prometheus. */
  *prometheusStats(): IterableIterator<PrometheusStat> {
    if (this.installed) yield {
      type: 'gauge',
      name: 'istiocustom.istio_build',
      tags: [['component', 'proxy'], ['tag', this.istioVersion]],
      value: 1,
    };
    for (const s of this.store.values()) {
      if (s.hist) yield { type: 'histogram', name: STAT_PREFIX + s.metric, tags: s.tags, histogram: s.hist };
      else yield { type: 'counter', name: STAT_PREFIX + s.metric, tags: s.tags, value: s.count };
    }
  }
}
