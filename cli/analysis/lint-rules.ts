// Lint rules computed in TypeScript from a plugin configuration the plugin itself accepts (its
// errors come from running the real .wasm, see commands/lint.ts). They follow the plugin's precedence
// (README "Precedence", assembly/routes/table.ts):
//   exact / template > prefix > regex > no path; templates literal > parameter > catch-all from
//   the left; same pattern: more conditions first, then config order (regexes: config order only).
import { conditionToRoute, type NativeRouteSuggestion } from './attributegen-to-native.ts';
import { compareSpecificity, overlapExample, parseTemplate, templateKey, TemplateTrie, type Segment } from './path-patterns.ts';
import { suggestPathForRegex } from './regex-to-path.ts';

export type Level = 'error' | 'warning' | 'info';

export interface Finding {
  level: Level;
  /** JSON path into the configuration, e.g. "routes[3].path_regex" ('' for the whole config). */
  path: string;
  message: string;
  /** A replacement the user may paste (a route or a whole configuration). */
  suggestion?: unknown;
}

type PathKind = 'template' | 'prefix' | 'regex' | 'any';

interface Route {
  index: number;
  name: string;
  /** null = any method. */
  methods: string[] | null;
  kind: PathKind;
  text: string;
  segs: Segment[] | null;
  /** Header and query conditions in a canonical form, for subset checks. */
  conds: Set<string>;
  condCount: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (o: Obj, ...keys: string[]) => keys.map((k) => o[k]).find((v) => v !== undefined);

function readRoutes(config: Obj): Route[] {
  const list = Array.isArray(config.routes) ? config.routes : [];
  const routes: Route[] = [];
  list.forEach((raw, index) => {
    if (!isObj(raw)) return;
    const m = field(raw, 'method', 'methods');
    const methods = typeof m === 'string' ? [m] : Array.isArray(m) ? m.filter((x): x is string => typeof x === 'string') : null;
    let kind: PathKind = 'any';
    let text = '';
    let segs: Segment[] | null = null;
    const path = field(raw, 'path');
    const prefix = field(raw, 'path_prefix', 'pathPrefix');
    const regex = field(raw, 'path_regex', 'pathRegex');
    if (typeof path === 'string') {
      kind = 'template';
      text = path;
      segs = parseTemplate(path);
      if (!segs) return; // the plugin reports it
    } else if (typeof prefix === 'string') {
      kind = 'prefix';
      text = prefix;
    } else if (typeof regex === 'string') {
      kind = 'regex';
      text = regex;
    }
    const conds = new Set<string>();
    const addConds = (tag: string, v: unknown) => {
      if (!Array.isArray(v)) return;
      for (const c of v) {
        if (!isObj(c)) continue;
        const name = String(c.name ?? '');
        conds.add(`${tag}\0${tag === 'h' ? name.toLowerCase() : name}\0${String(c.type ?? 'Exact')}\0${String(c.value ?? '')}`);
      }
    };
    addConds('h', raw.headers);
    addConds('q', field(raw, 'query_params', 'queryParams'));
    const condCount = (methods ? 1 : 0) + (Array.isArray(raw.headers) ? raw.headers.length : 0) +
      (Array.isArray(field(raw, 'query_params', 'queryParams')) ? (field(raw, 'query_params', 'queryParams') as unknown[]).length : 0);
    routes.push({ index, name: String(raw.name ?? ''), methods, kind, text, segs, conds, condCount });
  });
  return routes;
}

const label = (r: Route) => `routes[${r.index}]`;
const describe = (r: Route) => `${label(r)} (${JSON.stringify(r.name)})`;
const methodText = (r: Route) => (r.methods ? r.methods.join(',') : 'any method');

function subset(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Template t matches every path template s matches. */
function templateCovers(t: Segment[], s: Segment[]): boolean {
  for (let i = 0; i < t.length; i++) {
    const ts = t[i]!;
    if (ts.kind === 'catchAll') return true;
    const ss = s[i];
    if (ss === undefined || ss.kind === 'catchAll') return false;
    if (ts.kind === 'literal' && (ss.kind !== 'literal' || ss.text !== ts.text)) return false;
    if (ts.kind === 'param' && ss.kind === 'literal' && ss.text === '') return false;
  }
  return t.length === s.length;
}

/** Template t (ending in a catch-all) matches every path that starts with `prefix`. */
function templateCoversPrefix(t: Segment[], prefix: string): boolean {
  if (t[t.length - 1]?.kind !== 'catchAll') return false;
  const complete = prefix.slice(1).split('/').slice(0, -1); // segments closed by a '/'
  if (t.length - 1 > complete.length) return false;
  return templateCovers(t, [...complete.slice(0, t.length - 1).map((text) => ({ kind: 'literal' as const, text })), { kind: 'catchAll', name: '' }]);
}

const groupKey = (r: Route) => `${r.kind}:${r.kind === 'template' ? templateKey(r.segs!) : r.text}`;

/**
 * Routes tried before `j` whose path set contains j's: the same pattern earlier in trial order,
 * or an earlier tier that covers it (a catch-all template over a prefix; a template or prefix over
 * a regex that is really a template or prefix). Indexed so 10,000 routes lint quickly.
 */
class CoverageIndex {
  private readonly groups = new Map<string, Route[]>();
  private readonly catchAllTemplates: Route[] = [];
  private readonly prefixes: Route[] = [];
  private readonly templates: Route[] = [];
  private readonly trie = new TemplateTrie();

  constructor(routes: Route[]) {
    for (const r of routes) {
      const k = groupKey(r);
      let g = this.groups.get(k);
      if (!g) this.groups.set(k, (g = []));
      g.push(r);
      if (r.kind === 'template') {
        this.trie.insert(r.segs!, this.templates.length);
        this.templates.push(r);
        if (r.segs![r.segs!.length - 1]?.kind === 'catchAll') this.catchAllTemplates.push(r);
      } else if (r.kind === 'prefix') this.prefixes.push(r);
    }
  }

  earlierCovering(j: Route, trialBefore: (i: Route, j: Route) => boolean): Route[] {
    const out = this.groups.get(groupKey(j))!.filter((i) => i !== j && trialBefore(i, j));
    if (j.kind === 'prefix') out.push(...this.catchAllTemplates.filter((i) => templateCoversPrefix(i.segs!, j.text)));
    if (j.kind === 'regex') {
      const s = suggestPathForRegex(j.text);
      if (s?.equivalent && s.kind === 'path') {
        const segs = parseTemplate(s.value);
        if (segs) for (const k of this.trie.overlapping(segs)) if (templateCovers(this.templates[k]!.segs!, segs)) out.push(this.templates[k]!);
      } else if (s?.equivalent) {
        out.push(...this.catchAllTemplates.filter((i) => templateCoversPrefix(i.segs!, s.value)));
        out.push(...this.prefixes.filter((i) => s.value.startsWith(i.text)));
      }
    }
    return out;
  }
}

function unreachable(routes: Route[]): Finding[] {
  const findings: Finding[] = [];
  const index = new CoverageIndex(routes);
  // Same pattern: more conditions first, then config order — except regexes, tried in config order.
  const trialBefore = (i: Route, j: Route) =>
    i.kind === 'regex' ? i.index < j.index : i.condCount > j.condCount || (i.condCount === j.condCount && i.index < j.index);
  for (const j of routes) {
    const before = index.earlierCovering(j, trialBefore).filter((i) => subset(i.conds, j.conds));
    if (before.length === 0) continue;
    const anyMethod = before.find((i) => i.methods === null);
    let covering: Route[] = [];
    if (anyMethod) covering = [anyMethod];
    else if (j.methods) {
      const byMethod = new Map<string, Route>();
      for (const i of before) for (const m of i.methods!) if (!byMethod.has(m)) byMethod.set(m, i);
      if (j.methods.every((m) => byMethod.has(m))) covering = [...new Set(j.methods.map((m) => byMethod.get(m)!))];
    }
    if (covering.length === 0) continue;
    const who = covering.map(describe).join(' and ');
    findings.push({
      level: 'warning',
      path: label(j),
      message: `unreachable: ${who} ${covering.length > 1 ? 'are' : 'is'} tried first and match${covering.length > 1 ? '' : 'es'} every request ${describe(j)} would (${methodText(j)} ${j.text || '(any path)'})`,
    });
  }
  return findings;
}

function duplicateNames(routes: Route[]): Finding[] {
  const byName = new Map<string, Route[]>();
  for (const r of routes) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const findings: Finding[] = [];
  for (const [name, rs] of byName) {
    const patterns = new Set(rs.map((r) => `${r.kind}:${r.segs ? templateKey(r.segs) : r.text}`));
    if (patterns.size < 2) continue;
    findings.push({
      level: 'info',
      path: rs.map(label).join(', '),
      message: `the name ${JSON.stringify(name)} is used for different paths (${rs.map((r) => r.text || '(any path)').join(', ')}): one operation with several paths (allowed)`,
    });
  }
  return findings;
}

const MAX_OVERLAP_FINDINGS = 20;

function overlappingTemplates(routes: Route[]): Finding[] {
  const templates = routes.filter((r) => r.kind === 'template');
  const trie = new TemplateTrie();
  templates.forEach((r, k) => trie.insert(r.segs!, k));
  const findings: Finding[] = [];
  const reported = new Set<string>(); // one finding per pair of patterns, not per pair of routes
  let more = 0;
  templates.forEach((b, kb) => {
    for (const ka of trie.overlapping(b.segs!)) {
      if (ka >= kb) continue;
      const a = templates[ka]!;
      const pair = `${templateKey(a.segs!)}\0${templateKey(b.segs!)}`;
      if (templateKey(a.segs!) === templateKey(b.segs!) || reported.has(pair)) continue;
      if (a.methods && b.methods && !a.methods.some((m) => b.methods!.includes(m))) continue;
      const example = overlapExample(a.segs!, b.segs!);
      if (example === null) continue;
      if (findings.length >= MAX_OVERLAP_FINDINGS) {
        more++;
        continue;
      }
      reported.add(pair);
      const [win, lose] = compareSpecificity(a.segs!, b.segs!) <= 0 ? [a, b] : [b, a];
      findings.push({
        level: 'info',
        path: `${label(a)}, ${label(b)}`,
        message: `${JSON.stringify(a.text)} and ${JSON.stringify(b.text)} both match e.g. ${example}: ${label(win)} is tried first (more specific from the left: literal > parameter > catch-all), ${label(lose)} gets it only if ${label(win)}'s other conditions fail`,
      });
    }
  });
  if (more > 0) findings.push({ level: 'info', path: 'routes', message: `${more} more overlapping template pair(s) not shown` });
  return findings;
}

function regexesAsPaths(routes: Route[]): Finding[] {
  const findings: Finding[] = [];
  for (const r of routes) {
    if (r.kind !== 'regex') continue;
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
  const routes = readRoutes(config);
  const findings = [...unreachable(routes), ...regexesAsPaths(routes), ...duplicateNames(routes), ...overlappingTemplates(routes)];
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
    findings.push({
      level: 'warning',
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
