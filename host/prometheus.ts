// Envoy's /stats/prometheus text output (envoy source/server/admin/prometheus_stats.cc), as a pure
// function of a list of stats, so a dev proxy can serve it without a SimulatedEnvoy.
//
// - Stats are grouped by tag-extracted name; counters first, then gauges, then histograms; groups
//   sorted by name token by token ('.'-separated, byte order), series by their full stat name.
// - Name: a registered custom namespace as first token ("wasmcustom.", "istiocustom.") is removed,
//   no "envoy_" prefix is added; the rest is sanitized ([^a-zA-Z0-9_] → '_'); a name that is empty
//   or starts with a digit is silently dropped. Nothing is appended (no "_total").
// - One "# TYPE <name> counter|gauge|histogram" line per group; no HELP lines. Two groups whose
//   names only sanitize to the same string give two TYPE lines, as in Envoy (invalid exposition).
// - Labels: tag names sanitized like names; values escaped for '\\', '"' and newline only. A stat
//   without tags prints "name{} value".
// - Histograms: cumulative _bucket{…,le="<bound>"} from circllhist (see histogram.ts), le="+Inf",
//   _sum and _count; bounds and _sum printed with "{:.32g}". Envoy shows histogram data as of the
//   last stats flush (5 s); here the merge happens at render time.
import { Circllhist, DEFAULT_HISTOGRAM_BUCKETS, formatG32, HistogramBucketSettings } from './histogram.ts';
import { istioStatsTags, TagProducer, type Tag } from './stat-tags.ts';

export type StatType = 'counter' | 'gauge' | 'histogram';

/** One Envoy stat as the renderer needs it. */
export interface PrometheusStat {
  readonly type: StatType;
  /**
   * Envoy stat name. Without `tags`: the full flat name, which goes through tag extraction
   * (e.g. "wasmcustom.route_name=.=GET /healthz;.;route_requests_total"). With `tags`: the name
   * without tags (e.g. "istiocustom.istio_requests_total").
   */
  readonly name: string;
  /** Tags the stat was created with (skips extraction), in order. */
  readonly tags?: readonly Tag[];
  /** Counter / gauge value (uint64). */
  readonly value?: bigint | number;
  /** Histogram samples. */
  readonly histogram?: Circllhist;
  /** Envoy's used() flag, for `usedOnly`. Default true. */
  readonly used?: boolean;
}

/** Bootstrap-time stats configuration (pods must restart to change it). */
export interface StatsOptions {
  /**
   * Istio extraStatTags: one "(<tag>=\.=(.*?);\.;)" extractor each. Default: route-metrics' three tags,
   * ['route_name', 'response_class', 'destination_service_name'] (the last only appears with `services`).
   */
  extraStatTags?: readonly string[];
  /** sidecar.istio.io/statsHistogramBuckets: {"<full stat name prefix>": [bounds]}. */
  histogramBuckets?: Readonly<Record<string, readonly number[]>>;
}

export const DEFAULT_EXTRA_STAT_TAGS: readonly string[] = Object.freeze(['route_name', 'response_class', 'destination_service_name']);

/** Query parameters of /stats/prometheus. */
export interface ExpositionOptions {
  /** ?usedonly: only stats that were ever updated. */
  usedOnly?: boolean;
  /** ?filter=<regex>: searched in the full stat name. */
  filter?: RegExp | string;
}

/** Registered custom stat namespaces: Wasm ("wasmcustom", stats_handler.h) and Istio's stats filter. */
export const CUSTOM_STAT_NAMESPACES: readonly string[] = ['wasmcustom', 'istiocustom'];

/** The tag producer + histogram settings for one bootstrap; reuse it across renders (memoized). */
export class EnvoyStatsConfig {
  readonly extraStatTags: readonly string[];
  readonly tagProducer: TagProducer;
  readonly histogramSettings: HistogramBucketSettings;

  constructor(options: StatsOptions = {}) {
    this.extraStatTags = [...(options.extraStatTags ?? DEFAULT_EXTRA_STAT_TAGS)];
    this.tagProducer = new TagProducer(istioStatsTags(this.extraStatTags));
    this.histogramSettings = new HistogramBucketSettings(options.histogramBuckets ?? {});
  }
}

/** PrometheusStatsFormatter::metricName for a custom-namespace stat, or undefined when dropped. */
export function prometheusMetricName(tagExtractedName: string, namespaces: readonly string[] = CUSTOM_STAT_NAMESPACES): string | undefined {
  const dot = tagExtractedName.indexOf('.');
  if (dot >= 0 && namespaces.includes(tagExtractedName.slice(0, dot))) {
    const sanitized = sanitizeName(tagExtractedName.slice(dot + 1));
    if (sanitized === '' || (sanitized.charCodeAt(0) >= 0x30 && sanitized.charCodeAt(0) <= 0x39)) return undefined;
    return sanitized;
  }
  return `envoy_${sanitizeName(tagExtractedName)}`;
}

export function sanitizeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

const LABEL_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '"': '\\"' };
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\\n"]/g, (c) => LABEL_ESCAPES[c]!);
}

function formatTags(tags: readonly Tag[]): string {
  let s = '';
  for (const [k, v] of tags) s += `${s === '' ? '' : ','}${sanitizeName(k)}="${escapeLabelValue(v)}"`;
  return s;
}

/** SymbolTable::lessThan: '.'-separated tokens compared as bytes, then by token count. */
function compareStatNames(a: string, b: string): number {
  if (a === b) return 0;
  const ta = a.split('.');
  const tb = b.split('.');
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    if (ta[i] !== tb[i]) return Buffer.compare(Buffer.from(ta[i]!), Buffer.from(tb[i]!));
  }
  return ta.length - tb.length;
}

interface Series {
  stat: PrometheusStat;
  fullName: string;
  tags: readonly Tag[];
}

/** Full stat name of a stat created with explicit tags (TagStatNameJoiner: name.k1.v1.k2.v2). */
function joinedName(name: string, tags: readonly Tag[]): string {
  let s = name;
  for (const [k, v] of tags) s += `.${k}.${v}`;
  return s;
}

/** Renders the /stats/prometheus text for `stats`. */
export function renderPrometheus(
  stats: Iterable<PrometheusStat>,
  config: EnvoyStatsConfig | StatsOptions = {},
  options: ExpositionOptions = {},
): string {
  const cfg = config instanceof EnvoyStatsConfig ? config : new EnvoyStatsConfig(config);
  const filter = options.filter === undefined ? undefined : typeof options.filter === 'string' ? new RegExp(options.filter) : options.filter;
  const groups: Record<StatType, Map<string, Series[]>> = { counter: new Map(), gauge: new Map(), histogram: new Map() };
  for (const stat of stats) {
    if (options.usedOnly && stat.used === false) continue;
    let extracted: string;
    let tags: readonly Tag[];
    let fullName: string;
    if (stat.tags) {
      extracted = stat.name;
      tags = stat.tags;
      fullName = joinedName(stat.name, stat.tags);
    } else {
      const x = cfg.tagProducer.produce(stat.name);
      extracted = x.name;
      tags = x.tags;
      fullName = stat.name;
    }
    if (filter && !filter.test(fullName)) continue;
    const byName = groups[stat.type];
    let g = byName.get(extracted);
    if (!g) byName.set(extracted, (g = []));
    g.push({ stat, fullName, tags });
  }
  let out = '';
  for (const type of ['counter', 'gauge', 'histogram'] as const) {
    const names = [...groups[type].keys()].sort(compareStatNames);
    for (const extracted of names) {
      const promName = prometheusMetricName(extracted);
      if (promName === undefined) continue;
      out += `# TYPE ${promName} ${type}\n`;
      const series = groups[type].get(extracted)!.sort((a, b) => compareStatNames(a.fullName, b.fullName));
      for (const s of series) {
        out += type === 'histogram' ? histogramLines(promName, s, cfg) : `${promName}{${formatTags(s.tags)}} ${s.stat.value ?? 0}\n`;
      }
    }
  }
  return out;
}

function histogramLines(name: string, s: Series, cfg: EnvoyStatsConfig): string {
  const tags = formatTags(s.tags);
  const histTags = tags === '' ? '' : `${tags},`;
  const h = s.stat.histogram ?? new Circllhist();
  const bounds = cfg.histogramSettings.bucketsFor(s.fullName);
  const counts = h.countsBelow(bounds);
  let out = '';
  for (let i = 0; i < bounds.length; i++) out += `${name}_bucket{${histTags}le="${formatG32(bounds[i]!)}"} ${counts[i]}\n`;
  out += `${name}_bucket{${histTags}le="+Inf"} ${h.count}\n`;
  out += `${name}_sum{${tags}} ${formatG32(h.approxSum())}\n`;
  out += `${name}_count{${tags}} ${h.count}\n`;
  return out;
}

// ---------------------------------------------------------------- reading an exposition back

export interface Sample {
  /** Sample name as printed (histograms: name_bucket / name_sum / name_count). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  /** "# TYPE" per metric name. */
  types: Map<string, string>;
  samples: Sample[];
}

/** Parses the text format Envoy emits (TYPE lines, name{labels} value). For tests and tools. */
export function parsePrometheusText(text: string): ParsedExposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable exposition line: ${line}`);
    samples.push({ name: m[1]!, labels: parseLabels(m[2] ?? '', line), value: Number(m[3]) });
  }
  return { types, samples };
}

function parseLabels(s: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`unparsable labels in: ${line}`);
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    pos = re.lastIndex;
  }
  return labels;
}

export { DEFAULT_HISTOGRAM_BUCKETS };
