// Candidate requests for each native route, built from its own pattern and conditions, for lint's
// reachability check (reachability.ts sends them through the real .wasm). Building a request is
// not matching: nothing here decides which route wins — the plugin does. A template's parameters
// get a value no route uses as a literal, and, to expose overlaps, a parameter or mixed segment
// (`{name}.{ext}`, filled with that value) also gets what sibling templates have at the same
// position: their literal segments and their mixed segments filled in (`rm-probe.rm-probe` beside
// `{index}`). Candidates a route does not match are dropped by the isolation run (reachability.ts),
// so offering a few too many is harmless. A catch-all gets zero, one and two segments; a prefix
// itself and two longer paths; a regex the examples of regex-example.ts. Header and query
// conditions are satisfied (their value, or a regex example).
import { regexExamples, pathExamples } from './regex-example.ts';

type Obj = Record<string, unknown>;

export interface ProbeCondition {
  name: string;
  value: string;
  regex: boolean;
}

export interface ProbeRoute {
  index: number;
  /** JSON path when the route is not in the top-level list, e.g. services[1].routes[0]. */
  at?: string;
  name: string;
  /** null: any method. */
  methods: string[] | null;
  kind: 'template' | 'prefix' | 'regex' | 'any';
  /** The path condition as written ('' for none). */
  text: string;
  headers: ProbeCondition[];
  query: ProbeCondition[];
}

export interface ProbeRequest {
  route: number;
  method: string;
  /** :path, query string included. */
  path: string;
  authority?: string;
  scheme?: string;
  headers: [string, string][];
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const field = (o: Obj, ...keys: string[]) => keys.map((k) => o[k]).find((v) => v !== undefined);

function conditions(v: unknown): ProbeCondition[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((c) => ({ name: String(c.name ?? ''), value: String(c.value ?? ''), regex: c.type === 'RegularExpression' }));
}

/** The routes of a native configuration the plugin accepted, as the probes need them. */
export function readProbeRoutes(config: Obj): ProbeRoute[] {
  const list = Array.isArray(config.routes) ? config.routes : [];
  return list.flatMap((raw, index): ProbeRoute[] => {
    if (!isObj(raw)) return [];
    const m = field(raw, 'method', 'methods');
    const methods = typeof m === 'string' ? [m] : Array.isArray(m) ? m.filter((x): x is string => typeof x === 'string') : null;
    const path = field(raw, 'path');
    const prefix = field(raw, 'path_prefix', 'pathPrefix');
    const regex = field(raw, 'path_regex', 'pathRegex');
    const [kind, text]: [ProbeRoute['kind'], string] =
      typeof path === 'string' ? ['template', path] : typeof prefix === 'string' ? ['prefix', prefix] : typeof regex === 'string' ? ['regex', regex] : ['any', ''];
    return [{ index, name: String(raw.name ?? ''), methods, kind, text, headers: conditions(raw.headers), query: conditions(field(raw, 'query_params', 'queryParams')) }];
  });
}

type Part = { kind: 'literal'; text: string } | { kind: 'param' } | { kind: 'mixed'; text: string } | { kind: 'rest' };

/** Template segments, as far as building requests needs them. */
function segmentsOf(template: string): Part[] {
  const parts = template.slice(1).split('/');
  return parts.map((s, i): Part => {
    const last = i === parts.length - 1;
    if (s === '*' || /^\{[^{}]*\}$/.test(s)) return last && (s.endsWith('...}')) ? { kind: 'rest' } : { kind: 'param' };
    if (s === '**' && last) return { kind: 'rest' };
    if (s.includes('{')) return { kind: 'mixed', text: s };
    return { kind: 'literal', text: s };
  });
}

const MAX_SIBLINGS = 3;

/** A token no route uses (as a path literal or method), so a request with it hits no literal. */
function fresh(base: string, used: Set<string>): string {
  let v = base;
  for (let k = 1; used.has(v); k++) v = `${base}-${k}`;
  return v;
}

/** Candidate requests for every route; a route whose conditions cannot be satisfied gets none. */
export function probeRequests(routes: ProbeRoute[]): ProbeRequest[][] {
  const templates = routes.filter((r) => r.kind === 'template').map((r) => ({ r, parts: segmentsOf(r.text) }));
  const literals = new Set(templates.flatMap((t) => t.parts.flatMap((p) => (p.kind === 'literal' ? [p.text] : []))));
  const value = fresh('rm-probe', literals);
  const method = fresh('PROBE', new Set(routes.flatMap((r) => r.methods ?? [])));
  const fillMixed = (text: string, v: string) => text.replace(/\{[^{}]*\}/g, v);
  // Segments by (normalized prefix, position): what a parameter or mixed segment there could collide
  // with — sibling literals, and sibling mixed segments filled in (each capped at MAX_SIBLINGS).
  const siblings = new Map<string, { literals: string[]; mixed: string[] }>();
  const shapeOf = (p: Part) => (p.kind === 'literal' ? p.text : p.kind === 'mixed' ? fillMixed(p.text, '{}') : `{${p.kind}}`);
  const keyOf = (parts: Part[], i: number) => parts.slice(0, i).map(shapeOf).join('/') + `\0${i}`;
  for (const { parts } of templates) {
    parts.forEach((p, i) => {
      if ((p.kind !== 'literal' || p.text === '') && p.kind !== 'mixed') return;
      const k = keyOf(parts, i);
      const entry = siblings.get(k) ?? { literals: [], mixed: [] };
      const [list, text] = p.kind === 'literal' ? [entry.literals, p.text] : [entry.mixed, fillMixed(p.text, value)];
      if (list.length < MAX_SIBLINGS && !list.includes(text)) list.push(text);
      siblings.set(k, entry);
    });
  }

  const templatePaths = (parts: Part[]): string[] => {
    const fill = (at: number, v: string, restSegments: number) => '/' + parts.flatMap((p, i): string[] => {
      if (p.kind === 'literal') return [p.text];
      if (p.kind === 'mixed') return [i === at ? v : fillMixed(p.text, value)];
      if (p.kind === 'rest') return Array(restSegments).fill(value);
      return [i === at ? v : value];
    }).join('/');
    const paths = [fill(-1, value, 1)];
    if (parts[parts.length - 1]?.kind === 'rest') {
      paths.push(fill(-1, value, 0).replace(/\/$/, '') || '/', fill(-1, value, 2));
    }
    parts.forEach((p, i) => {
      if (p.kind !== 'param' && p.kind !== 'mixed') return;
      const s = siblings.get(keyOf(parts, i));
      for (const text of [...(s?.literals ?? []), ...(s?.mixed ?? [])]) paths.push(fill(i, text, 1));
    });
    return [...new Set(paths)];
  };

  const satisfy = (c: ProbeCondition): string | null => (c.regex ? regexExamples(c.value)?.[0] ?? null : c.value);

  return routes.map((r) => {
    const paths =
      r.kind === 'template' ? templatePaths(segmentsOf(r.text)) :
      r.kind === 'prefix' ? [r.text, r.text + value, r.text + value + '/' + value] :
      r.kind === 'regex' ? pathExamples(r.text) :
      ['/' + value, '/'];
    const headers: [string, string][] = [];
    let authority: string | undefined;
    let scheme: string | undefined;
    let methodHeader: string | undefined;
    for (const c of r.headers) {
      const v = satisfy(c);
      if (v === null) return [];
      const name = c.name.toLowerCase();
      if (name === ':authority' || name === 'host') authority = v;
      else if (name === ':scheme') scheme = v;
      else if (name === ':method') methodHeader = v;
      else if (name === ':path') return []; // the path decides this one; not built
      else headers.push([name, v]);
    }
    const query: string[] = [];
    for (const c of r.query) {
      const v = satisfy(c);
      if (v === null) return [];
      query.push(`${c.name}=${v}`);
    }
    const qs = query.length ? '?' + query.join('&') : '';
    const methods = methodHeader !== undefined ? [methodHeader] : r.methods ?? ['GET', method];
    return methods.flatMap((m) => paths.map((p) => ({ route: r.index, method: m, path: p + qs, authority, scheme, headers })));
  });
}
