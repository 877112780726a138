// What `slo --config FILE…` learns from the files a user deploys:
//   - histogram bucket boundaries: every `sidecar.istio.io/statsHistogramBuckets` annotation found
//     anywhere in the documents (a Deployment's pod template, a waypoint Gateway's
//     spec.infrastructure.annotations, a Pod), applied as Envoy would (host/histogram.ts: rules
//     sorted by prefix, first prefix of the full stat name wins; Envoy's defaults otherwise);
//   - the plugin's metrics settings (prefix, duration on/off) from a WasmPlugin's pluginConfig or a
//     plugin configuration file.
// A latency threshold must be a boundary on every proxy, so each annotation is a separate source.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_HISTOGRAM_BUCKETS, HistogramBucketSettings } from '../../host/histogram.ts';
import { CliError } from '../errors.ts';

export const BUCKETS_ANNOTATION = 'sidecar.istio.io/statsHistogramBuckets';

export interface BucketSource {
  /** Where the bounds come from, for messages: "podinfo.yaml Deployment podinfo/podinfo". */
  label: string;
  settings: HistogramBucketSettings;
}

export interface PluginMetricsSettings {
  prefix?: string;
  /** false when the configuration turns the duration histogram off. */
  duration?: boolean;
  from: string;
}

export interface DeploymentFacts {
  buckets: BucketSource[];
  plugin?: PluginMetricsSettings;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function documentLabel(file: string, doc: Obj): string {
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  const ns = typeof meta.namespace === 'string' ? `${meta.namespace}/` : '';
  return typeof doc.kind === 'string' ? `${file} ${doc.kind}${name ? ` ${ns}${name}` : ''}` : file;
}

/** Every value of the annotation key anywhere in `v`. */
function findAnnotations(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) findAnnotations(x, out);
  else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === BUCKETS_ANNOTATION && typeof x === 'string') out.push(x);
      else findAnnotations(x, out);
    }
  }
  return out;
}

function pluginConfigOf(doc: Obj): unknown {
  if (doc.kind === 'WasmPlugin') return isObj(doc.spec) ? doc.spec.pluginConfig : undefined;
  if (doc.kind === 'TrafficExtension') return isObj(doc.spec) && isObj(doc.spec.wasm) ? doc.spec.wasm.pluginConfig : undefined;
  if (doc.kind === undefined && ('routes' in doc || 'services' in doc || 'attributes' in doc || 'metrics' in doc)) return doc;
  return undefined;
}

function readDocuments(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--config ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (extname(file).toLowerCase() === '.json') {
    try {
      return [JSON.parse(text)];
    } catch (e) {
      throw new CliError(`--config ${file}: not JSON: ${(e as Error).message}`);
    }
  }
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((d) => {
    if (d.errors.length > 0) throw new CliError(`--config ${file}: YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    return d.toJS();
  });
}

export function readDeploymentFacts(files: readonly string[]): DeploymentFacts {
  const facts: DeploymentFacts = { buckets: [] };
  for (const file of files) {
    for (const doc of readDocuments(file)) {
      if (!isObj(doc)) continue;
      const label = documentLabel(file, doc);
      for (const raw of findAnnotations(doc)) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch (e) {
          throw new CliError(`--config ${label}: ${BUCKETS_ANNOTATION} is not JSON: ${(e as Error).message}`);
        }
        if (!isObj(parsed)) throw new CliError(`--config ${label}: ${BUCKETS_ANNOTATION} must be a JSON object {"<stat prefix>": [bounds]}`);
        try {
          facts.buckets.push({ label, settings: new HistogramBucketSettings(parsed as Record<string, number[]>) });
        } catch (e) {
          throw new CliError(`--config ${label}: ${BUCKETS_ANNOTATION}: ${(e as Error).message.replace(/^stats\.histogramBuckets/, '')}`);
        }
      }
      const config = pluginConfigOf(doc);
      if (isObj(config)) {
        if (facts.plugin) throw new CliError(`--config ${file}: a second plugin configuration (the first came from ${facts.plugin.from})`);
        const m = config.metrics;
        facts.plugin = {
          from: label,
          ...(isObj(m) && typeof m.prefix === 'string' ? { prefix: m.prefix } : {}),
          ...(m === false || (isObj(m) && (m.enabled === false || m.duration === false)) ? { duration: false } : {}),
        };
      }
    }
  }
  return facts;
}

/** Bucket sources from --buckets "1,5,10,…" (all stats). */
export function explicitBuckets(list: string): BucketSource {
  const bounds = list.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (bounds.length === 0 || bounds.some((b) => !Number.isFinite(b) || b <= 0)) {
    throw new CliError(`--buckets ${list}: expected comma-separated bucket bounds > 0, e.g. 5,10,25,50,100,250`, 2);
  }
  return { label: '--buckets', settings: new HistogramBucketSettings({ '': bounds }) };
}

export interface BoundaryCheck {
  ok: boolean;
  /** The boundaries of each source that lacks the threshold. */
  missing: { label: string; bounds: readonly number[] }[];
}

/** Whether `threshold` is a bucket bound of `statName` on every source (Envoy's defaults without sources). */
export function checkBoundary(threshold: number, statName: string, sources: readonly BucketSource[]): BoundaryCheck {
  const list = sources.length > 0
    ? sources.map((s) => ({ label: s.label, bounds: s.settings.bucketsFor(statName) }))
    : [{ label: "Envoy's default buckets", bounds: DEFAULT_HISTOGRAM_BUCKETS }];
  const missing = list.filter((s) => !s.bounds.includes(threshold));
  return { ok: missing.length === 0, missing };
}
