// Lint rules computed in TypeScript from a plugin configuration (the plugin's own errors come from
// running the real .wasm, see commands/lint.ts): regexes that could be paths, one name on several
// paths, a missing default, attributegen conditions that could be native routes (an info). None of them
// depends on the plugin's precedence; which route wins a request is asked of the .wasm
// (reachability.ts).
import { conditionToRoute, type NativeRouteSuggestion } from './attributegen-to-native.ts';
import { suggestPathForRegex } from './regex-to-path.ts';

export type Level = 'error' | 'warning' | 'info';

export interface Finding {
  level: Level;
  /** JSON path into the configuration, e.g. "routes[3].path_regex" ('' for the whole config). */
  path: string;
  message: string;
  /** A replacement the user may paste (a route or a whole configuration). */
  suggestion?: unknown;
  /** The resource the finding is about when it is not the plugin configuration, e.g. "WasmPlugin podinfo/route-metrics". */
  source?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (o: Obj, ...keys: string[]) => keys.map((k) => o[k]).find((v) => v !== undefined);

interface Route {
  /** JSON path of the route: routes[3], services[1].routes[0]. */
  at: string;
  index: number;
  name: string;
  kind: 'path' | 'path_prefix' | 'path_regex' | 'any';
  text: string;
}

function readRoutes(owner: Obj, base = 'routes'): Route[] {
  const list = Array.isArray(owner.routes) ? owner.routes : [];
  return list.flatMap((raw, index): Route[] => {
    if (!isObj(raw)) return [];
    const path = field(raw, 'path');
    const prefix = field(raw, 'path_prefix', 'pathPrefix');
    const regex = field(raw, 'path_regex', 'pathRegex');
    const [kind, text]: [Route['kind'], string] =
      typeof path === 'string' ? ['path', path] : typeof prefix === 'string' ? ['path_prefix', prefix] : typeof regex === 'string' ? ['path_regex', regex] : ['any', ''];
    return [{ at: `${base}[${index}]`, index, name: String(raw.name ?? ''), kind, text }];
  });
}

const label = (r: Route) => r.at;

/** Two templates that differ only in parameter names (or `*` for `{x}`, `**` for `{x...}`) are one pattern. */
function patternKey(r: Route): string {
  if (r.kind !== 'path') return `${r.kind}:${r.text}`;
  const segs = r.text.split('/').map((s) => (s === '**' ? '{...}' : s === '*' ? '{}' : s.replace(/\{[^{}]*?(\.\.\.)?\}/g, (_, rest) => (rest ? '{...}' : '{}'))));
  return `path:${segs.join('/')}`;
}

function duplicateNames(routes: Route[]): Finding[] {
  const byName = new Map<string, Route[]>();
  for (const r of routes) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const findings: Finding[] = [];
  for (const [name, rs] of byName) {
    if (new Set(rs.map(patternKey)).size < 2) continue;
    findings.push({
      level: 'info',
      path: rs.map(label).join(', '),
      message: `the name ${JSON.stringify(name)} is used for different paths (${rs.map((r) => r.text || '(any path)').join(', ')}): one operation with several paths (allowed)`,
    });
  }
  return findings;
}

function regexesAsPaths(routes: Route[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of routes) {
    if (r.kind !== 'path_regex') continue;
    const s = suggestPathForRegex(r.text);
    if (!s) continue;
    const what = s.kind === 'path' ? (s.value.includes('{') || s.value.includes('*') ? 'a template' : 'an exact path') : 'a prefix';
    findings.push({
      level: s.equivalent ? 'warning' : 'info',
      path: `${label(r)}.path_regex`,
      message: s.equivalent
        ? `${JSON.stringify(r.text)} is ${what}: use "${s.kind}": ${JSON.stringify(s.value)} (same matches; looked up in the route trie instead of running a regex on every request)`
        : `${JSON.stringify(r.text)} could be "${s.kind}": ${JSON.stringify(s.value)} if any value is fine there (a template parameter takes any non-empty segment; the regex is stricter)`,
      suggestion: { [s.kind]: s.value },
    });
  }
  return findings;
}

function nativeFindings(config: Obj): Finding[] {
  if (Array.isArray(config.services)) return servicesFindings(config, config.services);
  const routes = readRoutes(config);
  const findings = [...regexesAsPaths(routes), ...duplicateNames(routes)];
  if (config.default === undefined && routes.length > 0) {
    const attr = typeof config.output_attribute === 'string' ? config.output_attribute : 'istio_operationId';
    findings.push({
      level: 'warning',
      path: 'default',
      message: `not set: requests no route matches leave ${attr} unset and Istio labels them "unknown" (set "default", e.g. "other", to name them)`,
    });
  }
  return findings;
}

/**
 * `services`: the route rules per service (a name may be used again in another service: it is
 * another series there), the default, and where requests for other hosts go. Which service a host
 * selects, duplicate hosts and unreachable services are the plugin's answers (config errors, and
 * the probes of service-reachability.ts).
 */
function servicesFindings(config: Obj, services: unknown[]): Finding[] {
  const findings: Finding[] = [];
  let fallback = false;
  const unset: string[] = [];
  services.forEach((s, i) => {
    if (!isObj(s)) return;
    const routes = readRoutes(s, `services[${i}].routes`);
    findings.push(...regexesAsPaths(routes), ...duplicateNames(routes));
    if (s.hosts === undefined) fallback = true;
    if (s.default === undefined) unset.push(`services[${i}]`);
  });
  const attr = typeof config.output_attribute === 'string' ? config.output_attribute : 'istio_operationId';
  if (config.default === undefined && (unset.length > 0 || !fallback)) {
    const who = [...(fallback ? [] : ['requests for hosts no service claims']), ...(unset.length > 0 ? [`unmatched requests of ${unset.join(', ')}`] : [])];
    findings.push({
      level: 'warning',
      path: 'default',
      message: `not set: ${who.join(' and ')} leave ${attr} unset and Istio labels them "unknown" (set "default", e.g. "other", to name them)`,
    });
  }
  if (!fallback && services.length > 0) {
    findings.push({
      level: 'info',
      path: 'services',
      message: 'no service without "hosts": requests for other hosts are counted as destination_service_name="unknown" (add a service without hosts to name them)',
    });
  }
  return findings;
}

/** attributegen: conditions that are plain request matches and could be native routes. */
function attributegenFindings(config: Obj): Finding[] {
  const findings: Finding[] = [];
  const attrs = Array.isArray(config.attributes) ? config.attributes : [];
  attrs.forEach((a, ai) => {
    if (!isObj(a)) return;
    const output = String(field(a, 'output_attribute', 'outputAttribute') ?? '');
    const matches = Array.isArray(a.match) ? a.match : [];
    const routes: NativeRouteSuggestion[] = [];
    let defaultValue: string | undefined;
    let convertible = 0;
    let conditions = 0;
    matches.forEach((m) => {
      if (!isObj(m)) return;
      const condition = String(m.condition ?? '').trim();
      const value = String(m.value ?? '');
      if (condition === '') {
        defaultValue ??= value;
        return;
      }
      conditions++;
      const route = conditionToRoute(value, condition);
      if (!route) return;
      convertible++;
      if (route.path_regex) {
        const s = suggestPathForRegex(route.path_regex);
        if (s?.equivalent) {
          delete route.path_regex;
          route[s.kind] = s.value;
        }
      }
      routes.push(route);
    });
    if (convertible === 0) {
      if (output === 'istio_operationId' && defaultValue === undefined && conditions > 0) {
        findings.push({ level: 'warning', path: `attributes[${ai}]`, message: `no default (a match with an empty condition): unmatched requests are labelled "unknown"` });
      }
      return;
    }
    const all = convertible === conditions;
    const suggestion = all
      ? { output_attribute: output || 'istio_operationId', ...(defaultValue !== undefined ? { default: defaultValue } : {}), routes }
      : undefined;
    // An info, not a warning: the attributegen form is supported as it is (a WasmPlugin that ran
    // attributegen.wasm only changes its url and sha256), so `lint --strict` must pass it. The
    // native form is faster, which is worth saying, not worth failing a CI gate over.
    findings.push({
      level: 'info',
      path: `attributes[${ai}]`,
      message: `${convertible} of ${conditions} condition(s) are plain request matches that could be native routes (looked up in a trie instead of evaluated one by one)` +
        (all ? '. Suggested native form below (native routes are ordered by specificity, not list position; a missing header is "no match" there, not an evaluation error)' : ''),
      suggestion,
    });
    if (output === 'istio_operationId' && defaultValue === undefined) {
      findings.push({ level: 'warning', path: `attributes[${ai}]`, message: `no default (a match with an empty condition): unmatched requests are labelled "unknown"` });
    }
  });
  return findings;
}

/** All TypeScript-side findings for a configuration (JSON text). Invalid JSON yields none: the plugin reports it. */
export function lintConfig(json: string | undefined): Finding[] {
  if (json === undefined) return [];
  let config: unknown;
  try {
    config = JSON.parse(json);
  } catch {
    return [];
  }
  if (!isObj(config) || Object.keys(config).length === 0) return [];
  return Array.isArray(config.attributes) ? attributegenFindings(config) : nativeFindings(config);
}
