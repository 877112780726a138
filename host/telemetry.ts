// Telemetry resources (telemetry.istio.io/v1 or v1alpha1) → the metric overrides Istio's stats
// filter applies, per workload mode.
//
// Istio (pilot/pkg/model/telemetry.go mergeMetrics + generateStatsConfig) merges spec.metrics of
// every applicable Telemetry in order (root namespace, namespace, workload; later wins), flattens
// ALL_METRICS (or a missing match) into every standard metric, and splits the overrides by mode
// (CLIENT_AND_SERVER → both). Per metric it sends {name, drop, tags_to_remove, dimensions} to the
// stats filter (istio/proxy istio_stats.cc Config), which:
// - drops the metric when `disabled: true`; drops ALL metrics when an ALL_METRICS override is
//   disabled (the filter is not installed at all);
// - REMOVE: removes a standard tag (a non-standard one is ignored: "Tag is not standard");
// - UPSERT on a standard tag: replaces its value in place; on any other tag: appends it after the
//   standard tags, in tag-name order.
// Sidecar inbound listeners and waypoints use the SERVER overrides, sidecar outbound and gateways
// the CLIENT ones. selector / targetRefs are not evaluated: every resource given applies.
import { parseAllDocuments } from 'yaml';
import { CelCompileError, compileCel, type CompiledCel } from './istio-telemetry-cel.ts';

/** The Istio standard HTTP metrics the host records (stat names without "istio_"). */
export const HTTP_METRICS = ['requests_total', 'request_duration_milliseconds', 'request_bytes', 'response_bytes'] as const;
export type HttpMetric = (typeof HTTP_METRICS)[number];

const METRIC_ENUM: Record<string, string> = {
  REQUEST_COUNT: 'requests_total',
  REQUEST_DURATION: 'request_duration_milliseconds',
  REQUEST_SIZE: 'request_bytes',
  RESPONSE_SIZE: 'response_bytes',
  TCP_OPENED_CONNECTIONS: 'tcp_connections_opened_total',
  TCP_CLOSED_CONNECTIONS: 'tcp_connections_closed_total',
  TCP_SENT_BYTES: 'tcp_sent_bytes_total',
  TCP_RECEIVED_BYTES: 'tcp_received_bytes_total',
  GRPC_REQUEST_MESSAGES: 'request_messages_total',
  GRPC_RESPONSE_MESSAGES: 'response_messages_total',
};
const ALL_METRIC_ENUMS = Object.keys(METRIC_ENUM).sort();
const MODES = ['CLIENT_AND_SERVER', 'CLIENT', 'SERVER'];
const API_VERSIONS = ['telemetry.istio.io/v1', 'telemetry.istio.io/v1alpha1'];

export type WorkloadMode = 'CLIENT' | 'SERVER';

export interface TagOverride {
  /** Tag (label) name. */
  readonly name: string;
  /** REMOVE: drop the tag. */
  readonly remove: boolean;
  /** UPSERT: the compiled value expression. */
  readonly value?: CompiledCel;
}

export interface MetricOverride {
  readonly disabled: boolean;
  /** Sorted by tag name (Istio keeps the order deterministic). */
  readonly tags: readonly TagOverride[];
}

/** What one workload's stats filter gets: per mode, per stat name ("requests_total", …). */
export interface TelemetryMetrics {
  /** An ALL_METRICS override with disabled: true, or no prometheus provider in scope. */
  readonly allDisabled: boolean;
  readonly client: ReadonlyMap<string, MetricOverride>;
  readonly server: ReadonlyMap<string, MetricOverride>;
  /** Accepted but suspicious settings (always-"unknown" tags, ignored fields). */
  readonly warnings: readonly string[];
}

export interface TelemetryLoadOptions {
  /** Istio minor version the proxy runs; below "1.24" a bare name X reads filter_state['wasm.X']. Default "1.24". */
  istioVersion?: string;
}

/** A Telemetry that cannot be applied: the message names the offending field. */
export class TelemetryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelemetryError';
  }
}

export type TelemetryInput = string | object | readonly object[];

/** "1.23" < "1.24"; "1.24.2", "1.30-alpha" are fine. */
export function istioVersionBefore(version: string, major: number, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) throw new TelemetryError(`istioVersion: ${JSON.stringify(version)} is not a version like "1.24"`);
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a < major || (a === major && b < minor);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Telemetry documents from YAML text (multi-document; other kinds are skipped) or objects. */
function documents(input: TelemetryInput): { doc: Json; label: string }[] {
  let raw: unknown[];
  if (typeof input === 'string') {
    raw = [];
    for (const d of parseAllDocuments(input)) {
      if (d.errors.length > 0) throw new TelemetryError(`Telemetry YAML: ${d.errors[0]!.message}`);
      const js: unknown = d.toJS();
      if (js !== null && js !== undefined) raw.push(js);
    }
  } else {
    raw = Array.isArray(input) ? [...input] : [input];
  }
  const out: { doc: Json; label: string }[] = [];
  raw.forEach((d, i) => {
    if (!isObject(d)) throw new TelemetryError(`document ${i}: not an object`);
    if (d.kind !== undefined && d.kind !== 'Telemetry') return; // e.g. the WasmPlugin in the same manifest
    const meta = isObject(d.metadata) ? d.metadata : {};
    const label = typeof meta.name === 'string' ? `Telemetry "${meta.name}"` : `Telemetry #${i}`;
    if (d.apiVersion !== undefined && !API_VERSIONS.includes(String(d.apiVersion))) {
      throw new TelemetryError(`${label}: apiVersion ${JSON.stringify(d.apiVersion)} is not one of ${API_VERSIONS.join(', ')}`);
    }
    if (!isObject(d.spec)) throw new TelemetryError(`${label}: spec is required`);
    out.push({ doc: d, label });
  });
  if (out.length === 0) throw new TelemetryError('no Telemetry resource found');
  return out;
}

interface Merged {
  disabled?: boolean;
  tags: Map<string, { operation: 'UPSERT' | 'REMOVE'; value: string; path: string }>;
}

/** Loads and merges Telemetry resources (in the order given) into the stats filter overrides. */
export function loadTelemetry(input: TelemetryInput, options: TelemetryLoadOptions = {}): TelemetryMetrics {
  const bareNames = istioVersionBefore(options.istioVersion ?? '1.24', 1, 24);
  const warnings: string[] = [];
  const docs = documents(input);
  type Entry = { m: Json; path: string };
  const entries: Entry[] = [];
  for (const { doc, label } of docs) {
    const spec = doc.spec as Json;
    if (spec.metrics === undefined) continue;
    if (!Array.isArray(spec.metrics)) throw new TelemetryError(`${label}: spec.metrics must be a list`);
    spec.metrics.forEach((m, i) => {
      const path = `${label}: spec.metrics[${i}]`;
      if (!isObject(m)) throw new TelemetryError(`${path}: must be an object`);
      entries.push({ m, path });
    });
  }

  const providerNames = (e: Entry): string[] | undefined => {
    const p = e.m.providers;
    if (p === undefined) return undefined;
    if (!Array.isArray(p)) throw new TelemetryError(`${e.path}.providers: must be a list`);
    const names = p.map((x, j) => {
      if (!isObject(x) || typeof x.name !== 'string' || x.name === '') throw new TelemetryError(`${e.path}.providers[${j}].name: required`);
      return x.name;
    });
    return names.length > 0 ? names : undefined;
  };
  // The last non-empty providers list decides which providers are configured (mesh default:
  // prometheus); an entry without providers inherits the previous entry's.
  let inScope = ['prometheus'];
  for (const e of entries) inScope = providerNames(e) ?? inScope;
  const isProm = (names: string[]): boolean => names.some((n) => n.toLowerCase() === 'prometheus');

  let allDisabled = !isProm(inScope);
  const byMode: Record<WorkloadMode, Map<string, Merged>> = { CLIENT: new Map(), SERVER: new Map() };
  let parent = ['prometheus'];
  for (const e of entries) {
    const names = providerNames(e) ?? parent;
    parent = names;
    const overrides = e.m.overrides;
    for (const key of Object.keys(e.m)) {
      if (!['providers', 'overrides', 'reportingInterval'].includes(key)) warnings.push(`${e.path}.${key}: unknown field (pruned by the API server)`);
    }
    if (overrides === undefined || !isProm(names) || !isProm(inScope)) continue;
    if (!Array.isArray(overrides)) throw new TelemetryError(`${e.path}.overrides: must be a list`);
    overrides.forEach((o, j) => {
      const opath = `${e.path}.overrides[${j}]`;
      if (!isObject(o)) throw new TelemetryError(`${opath}: must be an object`);
      for (const key of Object.keys(o)) {
        if (!['match', 'disabled', 'tagOverrides'].includes(key)) warnings.push(`${opath}.${key}: unknown field (pruned by the API server)`);
      }
      const match = o.match === undefined ? {} : o.match;
      if (!isObject(match)) throw new TelemetryError(`${opath}.match: must be an object`);
      if (match.metric !== undefined && match.customMetric !== undefined) {
        throw new TelemetryError(`${opath}.match: set either metric or customMetric, not both`);
      }
      if (match.metric !== undefined && match.metric !== 'ALL_METRICS' && !(String(match.metric) in METRIC_ENUM)) {
        throw new TelemetryError(`${opath}.match.metric: ${JSON.stringify(match.metric)} is not one of ALL_METRICS, ${ALL_METRIC_ENUMS.join(', ')}`);
      }
      if (match.customMetric !== undefined && (typeof match.customMetric !== 'string' || match.customMetric === '')) {
        throw new TelemetryError(`${opath}.match.customMetric: must be a non-empty string`);
      }
      if (match.mode !== undefined && !MODES.includes(String(match.mode))) {
        throw new TelemetryError(`${opath}.match.mode: ${JSON.stringify(match.mode)} is not one of ${MODES.join(', ')}`);
      }
      if (o.disabled !== undefined && o.disabled !== null && typeof o.disabled !== 'boolean') {
        throw new TelemetryError(`${opath}.disabled: must be a boolean`);
      }
      const disabled = typeof o.disabled === 'boolean' ? o.disabled : undefined;
      if (match.metric === 'ALL_METRICS' && disabled === true) {
        allDisabled = true;
        return;
      }
      allDisabled = false; // a later override re-enables what a root-namespace one disabled
      const tagOverrides = o.tagOverrides === undefined || o.tagOverrides === null ? {} : o.tagOverrides;
      if (!isObject(tagOverrides)) throw new TelemetryError(`${opath}.tagOverrides: must be a map`);
      const tags = Object.keys(tagOverrides).map((tag) => readTagOverride(tagOverrides[tag], `${opath}.tagOverrides.${tag}`));
      const metrics =
        typeof match.customMetric === 'string'
          ? [match.customMetric]
          : match.metric === undefined || match.metric === 'ALL_METRICS'
            ? ALL_METRIC_ENUMS.map((m) => METRIC_ENUM[m]!)
            : [METRIC_ENUM[String(match.metric)]!];
      const modes: WorkloadMode[] = match.mode === 'CLIENT' || match.mode === 'SERVER' ? [match.mode] : ['CLIENT', 'SERVER'];
      for (const mode of modes) {
        for (const metric of metrics) {
          let merged = byMode[mode].get(metric);
          if (!merged) byMode[mode].set(metric, (merged = { tags: new Map() }));
          if (disabled !== undefined) merged.disabled = disabled;
          Object.keys(tagOverrides).forEach((tag, k) => merged.tags.set(tag, tags[k]!));
        }
      }
    });
  }

  // Compile each distinct expression once (the stats filter dedupes them by text as well).
  const compiled = new Map<string, CompiledCel>();
  const compile = (value: string, path: string): CompiledCel => {
    let c = compiled.get(value);
    if (!c) {
      try {
        c = compileCel(value, { bareNamesAreWasmAttributes: bareNames });
      } catch (e) {
        if (e instanceof CelCompileError) throw new TelemetryError(`${path}.value: ${JSON.stringify(value)}: ${e.message}`);
        throw e;
      }
      compiled.set(value, c);
      for (const w of c.warnings) warnings.push(`${path}.value: ${w}`);
    }
    return c;
  };
  const finish = (m: Map<string, Merged>): Map<string, MetricOverride> => {
    const out = new Map<string, MetricOverride>();
    for (const [metric, merged] of m) {
      const tags = [...merged.tags.keys()].sort().map((name): TagOverride => {
        const t = merged.tags.get(name)!;
        return t.operation === 'REMOVE' ? { name, remove: true } : { name, remove: false, value: compile(t.value, t.path) };
      });
      out.set(metric, { disabled: merged.disabled ?? false, tags });
    }
    return out;
  };
  return { allDisabled, client: finish(byMode.CLIENT), server: finish(byMode.SERVER), warnings };
}

function readTagOverride(raw: unknown, path: string): { operation: 'UPSERT' | 'REMOVE'; value: string; path: string } {
  if (!isObject(raw)) throw new TelemetryError(`${path}: must be an object {operation, value}`);
  const op = raw.operation ?? 'UPSERT';
  if (op !== 'UPSERT' && op !== 'REMOVE') throw new TelemetryError(`${path}.operation: ${JSON.stringify(op)} is not UPSERT or REMOVE`);
  if (op === 'REMOVE') {
    // CRD rule: "value must not be set when operation is REMOVE".
    if (raw.value !== undefined) throw new TelemetryError(`${path}.value: must not be set when operation is REMOVE`);
    return { operation: op, value: '', path };
  }
  if (typeof raw.value !== 'string' || raw.value === '') {
    // The CRD rejects an explicit UPSERT without value; Istio would drop the tag for an empty one.
    throw new TelemetryError(`${path}.value: a CEL expression is required for UPSERT`);
  }
  return { operation: op, value: raw.value, path };
}
