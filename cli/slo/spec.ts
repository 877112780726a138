// The SLO spec `route-metrics slo` reads (YAML):
//   slos:
//   - route: "GET /healthz"          # the route_name label value
//     service: podinfo               # optional: the destination_service_name label value
//     objective: 99.9                # % of requests that are neither 5xx nor reset
//     latency:                       # optional
//       threshold_ms: 250            # must be a histogram bucket boundary (buckets.ts)
//       objective: 99                # % of requests faster than threshold_ms
// Every problem is reported with its path and line (`slos[2].objective: must be between 0 and 100
// exclusive (line 9)`), all at once.
import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { CliError } from '../errors.ts';

export interface LatencyObjective {
  thresholdMs: number;
  /** Percentage, 0 < objective < 100. */
  objective: number;
}

export interface Slo {
  route: string;
  service?: string;
  /** Availability objective, percentage. */
  objective: number;
  latency?: LatencyObjective;
  /** Where it came from: "slos[2]". */
  path: string;
}

const SLO_KEYS = ['route', 'service', 'objective', 'latency'];
const LATENCY_KEYS = ['threshold_ms', 'objective'];

type Problems = { path: string; message: string; node?: Node | null }[];

const kind = (v: unknown) => (v === null || v === undefined ? 'nothing' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`);

function percentage(v: unknown, path: string, problems: Problems, node: Node | null | undefined): number | undefined {
  if (v === undefined) {
    problems.push({ path, message: 'required (a percentage, e.g. 99.9)', node });
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    problems.push({ path, message: `must be a number (a percentage, e.g. 99.9), found ${kind(v)}`, node });
    return undefined;
  }
  if (v <= 0 || v >= 100) {
    problems.push({ path, message: `must be between 0 and 100 exclusive, found ${v}`, node });
    return undefined;
  }
  return v;
}

function text(v: unknown, path: string, problems: Problems, node: Node | null | undefined, required: boolean): string | undefined {
  if (v === undefined) {
    if (required) problems.push({ path, message: 'required', node });
    return undefined;
  }
  if (typeof v !== 'string') {
    problems.push({ path, message: `must be a string, found ${kind(v)}`, node });
    return undefined;
  }
  if (v.trim() === '') {
    problems.push({ path, message: 'must not be empty', node });
    return undefined;
  }
  return v;
}

function unknownKeys(obj: Record<string, unknown>, allowed: string[], path: string, problems: Problems, nodeOf: (k: string) => Node | null | undefined): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) problems.push({ path: `${path}.${k}`, message: `unknown key (expected ${allowed.join(', ')})`, node: nodeOf(k) });
  }
}

/** Parses and validates a spec; throws a CliError listing every problem. */
export function parseSloSpec(source: string, file: string): Slo[] {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = first.linePos?.[0];
    throw new CliError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const root = doc.toJS() as unknown;
  const problems: Problems = [];
  const nodeAt = (path: (string | number)[]) => doc.getIn(path, true) as Node | null | undefined;
  // For a key: the key node's position is where the user looks.
  const keyNode = (path: (string | number)[], key: string) => {
    const parent = doc.getIn(path, true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    return (pair?.key as Node | undefined) ?? undefined;
  };
  const slos: Slo[] = [];
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    problems.push({ path: '(top level)', message: `must be a mapping with a list "slos", found ${kind(root)}`, node: doc.contents as Node | null });
  } else {
    const top = root as Record<string, unknown>;
    unknownKeys(top, ['slos'], '', problems, (k) => keyNode([], k));
    for (const p of problems) p.path = p.path.replace(/^\./, '');
    const list = top.slos;
    if (list === undefined) problems.push({ path: 'slos', message: 'required: a list of SLOs ({route, objective, service?, latency?})' });
    else if (!Array.isArray(list)) problems.push({ path: 'slos', message: `must be a list, found ${kind(list)}`, node: nodeAt(['slos']) });
    else if (list.length === 0) problems.push({ path: 'slos', message: 'must not be empty', node: nodeAt(['slos']) });
    else {
      const seen = new Map<string, string>();
      list.forEach((raw, i) => {
        const path = `slos[${i}]`;
        const at = (...k: (string | number)[]) => nodeAt(['slos', i, ...k]);
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
          problems.push({ path, message: `must be a mapping {route, objective, service?, latency?}, found ${kind(raw)}`, node: at() });
          return;
        }
        const o = raw as Record<string, unknown>;
        unknownKeys(o, SLO_KEYS, path, problems, (k) => keyNode(['slos', i], k));
        const route = text(o.route, `${path}.route`, problems, o.route === undefined ? at() : at('route'), true);
        const service = text(o.service, `${path}.service`, problems, at('service'), false);
        const objective = percentage(o.objective, `${path}.objective`, problems, o.objective === undefined ? at() : at('objective'));
        let latency: LatencyObjective | undefined;
        if (o.latency !== undefined) {
          const lp = `${path}.latency`;
          const l = o.latency;
          if (l === null || typeof l !== 'object' || Array.isArray(l)) {
            problems.push({ path: lp, message: `must be a mapping {threshold_ms, objective}, found ${kind(l)}`, node: at('latency') });
          } else {
            const lo = l as Record<string, unknown>;
            unknownKeys(lo, LATENCY_KEYS, lp, problems, (k) => keyNode(['slos', i, 'latency'], k));
            let threshold: number | undefined;
            if (lo.threshold_ms === undefined) problems.push({ path: `${lp}.threshold_ms`, message: 'required (milliseconds, a histogram bucket boundary)', node: at('latency') });
            else if (typeof lo.threshold_ms !== 'number' || !Number.isFinite(lo.threshold_ms) || lo.threshold_ms <= 0) {
              problems.push({ path: `${lp}.threshold_ms`, message: `must be a number of milliseconds > 0, found ${kind(lo.threshold_ms)}`, node: at('latency', 'threshold_ms') });
            } else threshold = lo.threshold_ms;
            const lobj = percentage(lo.objective, `${lp}.objective`, problems, lo.objective === undefined ? at('latency') : at('latency', 'objective'));
            if (threshold !== undefined && lobj !== undefined) latency = { thresholdMs: threshold, objective: lobj };
          }
        }
        if (route !== undefined) {
          const key = JSON.stringify([route, service ?? null]);
          const first = seen.get(key);
          if (first !== undefined) problems.push({ path, message: `same route and service as ${first} (one SLO per route and service)`, node: at() });
          else seen.set(key, path);
        }
        if (route !== undefined && objective !== undefined && problems.every((p) => !p.path.startsWith(path))) {
          slos.push({ route, ...(service !== undefined ? { service } : {}), objective, ...(latency ? { latency } : {}), path });
        }
      });
    }
  }
  if (problems.length > 0) {
    const where = (n: Node | null | undefined) => {
      const start = n?.range?.[0];
      return start === undefined ? '' : ` (line ${lines.linePos(start).line})`;
    };
    throw new CliError(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the SLO spec`, 1,
      problems.map((p) => `  ${p.path}: ${p.message}${where(p.node)}`));
  }
  return slos;
}
