// Unreachable and shadowed native routes, as the real filter decides them. For every route,
// probe-requests.ts builds candidate requests from its pattern; two questions go to the plugin:
//   1. Does the candidate match this route at all? Asked of an "isolation" configuration: the same
//      routes, each with one more header condition (x-route-metrics-probe: <index>), so a request
//      carrying that header can match only that route, by its own path, method and conditions.
//   2. Which route does the user's configuration give it? Asked of that configuration.
// A route none of whose matching candidates it wins is unreachable: the routes that did win shadow
// it. A reachable route that loses some candidate overlaps with the winner (an info). No precedence
// rule is computed here: it is whatever the .wasm does (commands/lint.ts asks it).
import type { Finding } from './lint-rules.ts';
import { probeRequests, readProbeRoutes, type ProbeRequest, type ProbeRoute } from './probe-requests.ts';

type Obj = Record<string, unknown>;

export const PROBE_HEADER = 'x-route-metrics-probe';

/** The requests built for each route (same order as the routes). */
export interface ProbePlan {
  routes: ProbeRoute[];
  candidates: ProbeRequest[][];
}

export function planProbes(config: Obj): ProbePlan {
  const routes = readProbeRoutes(config);
  return { routes, candidates: probeRequests(routes) };
}

/** The header that makes a candidate able to match only its own route in the isolation configuration. */
export const probeHeader = (q: ProbeRequest): [string, string] => [PROBE_HEADER, String(q.route)];

/** The isolation configuration: route i is named "i" and needs header x-route-metrics-probe: i. */
export function isolationConfig(config: Obj): Obj {
  const routes = (Array.isArray(config.routes) ? config.routes : []).map((r, i) => {
    const route: Obj = { ...(r as Obj), name: String(i) };
    route.headers = [...(Array.isArray(route.headers) ? route.headers : []), { name: PROBE_HEADER, value: String(i) }];
    return route;
  });
  return { output_attribute: 'istio_operationId', routes };
}

const MAX_OVERLAP_FINDINGS = 20;

const label = (r: ProbeRoute) => r.at ?? `routes[${r.index}]`;
const describe = (r: ProbeRoute) => `${label(r)} (${JSON.stringify(r.name)})`;
const requestText = (q: ProbeRequest) => `${q.method} ${q.path}`;
const patternText = (r: ProbeRoute) => (r.kind === 'any' ? '(any path)' : `${r.kind === 'template' ? 'path' : r.kind === 'prefix' ? 'path_prefix' : 'path_regex'} ${JSON.stringify(r.text)}`);

/**
 * Findings from the plugin's answers: `matches[k]` are the candidates of route k that matched it in
 * the isolation configuration, `winners[k][j]` the route index the user's configuration gave
 * matches[k][j] (null: none).
 */
export function reachabilityFindings(plan: ProbePlan, matches: ProbeRequest[][], winners: Array<Array<number | null>>): Finding[] {
  const { routes } = plan;
  const byIndex = new Map(routes.map((r) => [r.index, r]));
  const findings: Finding[] = [];
  const overlaps: Finding[] = [];
  const reported = new Set<string>();
  let moreOverlaps = 0;
  routes.forEach((r, k) => {
    const own = matches[k] ?? [];
    if (own.length === 0) {
      findings.push({
        level: 'info',
        path: label(r),
        message: `not checked for reachability: lint could not build a request that ${describe(r)} matches (${patternText(r)})`,
      });
      return;
    }
    const lost: Array<{ q: ProbeRequest; winner: ProbeRoute }> = [];
    let won = false;
    own.forEach((q, j) => {
      const w = winners[k]?.[j];
      if (w === r.index) won = true;
      else if (w !== null && w !== undefined && byIndex.has(w)) lost.push({ q, winner: byIndex.get(w)! });
    });
    if (!won && lost.length > 0) {
      const shadowing = [...new Set(lost.map((l) => l.winner))];
      const example = lost[0]!;
      findings.push({
        level: 'warning',
        path: label(r),
        message: `unreachable: every request ${describe(r)} matches (${r.methods ? r.methods.join(',') : 'any method'} ${patternText(r)}) goes to ` +
          `${shadowing.map(describe).join(' and ')} in the plugin, which ${shadowing.length > 1 ? 'are' : 'is'} tried first (e.g. ${requestText(example.q)} → ${label(example.winner)})`,
      });
      return;
    }
    for (const { q, winner: w } of lost) {
      const pair = [Math.min(r.index, w.index), Math.max(r.index, w.index)].join(',');
      if (reported.has(pair)) continue;
      reported.add(pair);
      if (overlaps.length >= MAX_OVERLAP_FINDINGS) {
        moreOverlaps++;
        continue;
      }
      overlaps.push({
        level: 'info',
        path: `${label(r)}, ${label(w)}`,
        message: `${describe(r)} and ${describe(w)} both match ${requestText(q)}: the plugin gives it to ${label(w)} (${label(r)} still gets other requests)`,
      });
    }
  });
  if (moreOverlaps > 0) overlaps.push({ level: 'info', path: 'routes', message: `${moreOverlaps} more overlapping route pair(s) not shown` });
  return [...findings, ...overlaps];
}
