// Splits the plugin's Istio-style tag-encoded metric names into a name and labels:
//   "route_name=.=GET /healthz;.;response_class=.=2xx;.;route_requests_total"
//   → route_requests_total {route_name="GET /healthz", response_class="2xx"}
// (Istio's bootstrap extracts each extraStatTags tag with the regex (<tag>=\.=(.*?);\.;)).
import type { MetricInfo } from '../host/index.ts';

export interface TaggedName {
  name: string;
  labels: Record<string, string>;
}

const TAG = /^([^=;]+)=\.=(.*?);\.;/;

export function splitTaggedName(encoded: string): TaggedName {
  const labels: Record<string, string> = {};
  let rest = encoded;
  for (let m = TAG.exec(rest); m; m = TAG.exec(rest)) {
    labels[m[1]!] = m[2]!;
    rest = rest.slice(m[0].length);
  }
  return { name: rest, labels };
}

export function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

export interface MetricSample extends TaggedName {
  type: MetricInfo['type'];
  /** Counter/gauge value, or the histogram's sample count. */
  value: number;
  /** Histogram samples (as recorded, e.g. whole milliseconds). */
  samples?: number[];
}

/** One entry per stat (the host lists every defined id; ids of one name share a stat). */
export function metricSamples(metrics: MetricInfo[]): MetricSample[] {
  const seen = new Set<string>();
  const out: MetricSample[] = [];
  for (const m of metrics) {
    const key = `${m.type} ${m.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const t = splitTaggedName(m.name);
    if (m.type === 'histogram') out.push({ ...t, type: m.type, value: m.count, samples: [...m.samples] });
    else out.push({ ...t, type: m.type, value: Number(m.value) });
  }
  return out;
}
