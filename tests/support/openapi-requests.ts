// Requests generated from an OpenAPI description, and the operation each should classify to.
//
// The oracle works on the description itself, not on the routes the CLI wrote for it, so that a
// conversion bug cannot hide behind a matching bug. It follows the precedence the README documents,
// extended by issue 12 §1 to segments that mix literal text and parameters:
//   - an operation's path (base path + spec path) is a list of segments; a segment is literal text,
//     one parameter, or a mix (`{name}.{ext}`, `v{major}`, `{id}:cancel`);
//   - a parameter matches any non-empty text without '/'; in a mixed segment, any split that makes
//     every parameter non-empty (the generator never makes that split ambiguous: a value never
//     contains the literal that follows its parameter);
//   - per segment, from the left: literal > mixed > parameter; between mixed segments, more literal
//     bytes, then the longer leading literal, then the longer trailing literal, then the text with
//     parameters as `{}`; the same pattern twice: the first operation in the description;
//   - only operations of the request's method compete; none matching → the configuration's default.
// The match is on the URL path: the query string is not part of it, and nothing is percent-decoded.

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** A method no description here uses: every request with it must fall through to the default. */
export const UNKNOWN_METHOD = 'PURGE';

type Part = { lit: string } | { param: string };
type Segment = Part[];

export interface SpecOperation {
  /** "<METHOD> <spec path>": the route name the CLI's template naming gives it. */
  key: string;
  /** operationId, or the key when the operation has none. */
  id: string;
  method: string;
  specPath: string;
  base: string;
  /** Position in the description (the tie-break between identical patterns). */
  order: number;
  segments: Segment[];
  /** Path parameter name → enum values from its schema. */
  enums: Map<string, string[]>;
}

type Obj = Record<string, any>;

const isParamOnly = (s: Segment) => s.length === 1 && 'param' in s[0]!;
const isLiteral = (s: Segment) => s.every((p) => 'lit' in p);
const isMixed = (s: Segment) => !isParamOnly(s) && !isLiteral(s);
const literalText = (s: Segment) => s.map((p) => ('lit' in p ? p.lit : '')).join('');

export function hasMixedSegment(op: SpecOperation): boolean {
  return op.segments.some(isMixed);
}

function parseSegment(text: string): Segment {
  const parts: Segment = [];
  for (const piece of text.split(/(\{[^{}]+\})/)) {
    if (piece === '') continue;
    const m = /^\{([^{}]+)\}$/.exec(piece);
    parts.push(m ? { param: m[1]! } : { lit: piece });
  }
  return parts.length ? parts : [{ lit: '' }];
}

function normalizeBase(p: string): string {
  const s = p.trim().replace(/\/+$/, '');
  return s === '' ? '' : s.startsWith('/') ? s : '/' + s;
}

/** The path part of each server URL (variables at their defaults), or Swagger's basePath. */
function basePaths(api: Obj, item: Obj, op: Obj): string[] {
  if (typeof api.swagger === 'string') return [normalizeBase(api.basePath ?? '')];
  const servers: Obj[] = op.servers ?? item.servers ?? api.servers ?? [];
  if (servers.length === 0) return [''];
  return [...new Set(servers.map((s) => {
    const url = String(s.url).replace(/\{([^}]+)\}/g, (_, v: string) => String(s.variables?.[v]?.default ?? ''));
    const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(.*)$/i.exec(url);
    return normalizeBase(abs ? abs[1]! : url);
  }))];
}

function pathEnums(item: Obj, op: Obj): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
    if (p?.in !== 'path') continue;
    const values = p.schema?.enum ?? p.enum;
    if (Array.isArray(values) && values.length) enums.set(p.name, values.map(String));
  }
  return enums;
}

/** Every (operation, base path) of a dereferenced description, in description order. */
export function specOperations(api: Obj): SpecOperation[] {
  const ops: SpecOperation[] = [];
  for (const [specPath, item] of Object.entries<Obj>(api.paths ?? {})) {
    for (const m of HTTP_METHODS) {
      const op = item?.[m];
      if (!op) continue;
      const method = m.toUpperCase();
      const key = `${method} ${specPath}`;
      for (const base of basePaths(api, item, op)) {
        const full = base + (specPath.startsWith('/') ? specPath : '/' + specPath);
        ops.push({
          key, id: op.operationId ?? key, method, specPath, base, order: ops.length,
          segments: full.slice(1).split('/').map(parseSegment), enums: pathEnums(item, op),
        });
      }
    }
  }
  return ops;
}

// ─────────────────────────────────────────────────────────────────────────── the oracle

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Compiled {
  op: SpecOperation;
  /** Per segment: a literal to compare, or a regex for a parameter / mixed segment. */
  match: Array<string | RegExp>;
  /** Per segment: [class, -literal bytes, -leading bytes, -trailing bytes, shape]; lower is more specific. */
  rank: Array<number | string>;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function compile(op: SpecOperation): Compiled {
  const match: Array<string | RegExp> = [];
  const rank: Array<number | string> = [];
  for (const s of op.segments) {
    if (isLiteral(s)) {
      match.push(literalText(s));
      rank.push(0, 0, 0, 0, '');
    } else if (!isMixed(s)) {
      match.push(/^[^/]+$/);
      rank.push(2, 0, 0, 0, '');
    } else {
      match.push(new RegExp('^' + s.map((p) => ('lit' in p ? escapeRegex(p.lit) : '[^/]+')).join('') + '$'));
      const lead = 'lit' in s[0]! ? s[0].lit : '';
      const last = s[s.length - 1]!;
      const trail = 'lit' in last ? last.lit : '';
      rank.push(1, -bytes(literalText(s)), -bytes(lead), -bytes(trail), normalizedSegment(s));
    }
  }
  return { op, match, rank };
}

function moreSpecific(a: Compiled, b: Compiled): boolean {
  for (let i = 0; i < a.rank.length; i++) if (a.rank[i] !== b.rank[i]) return a.rank[i]! < b.rank[i]!;
  return a.op.order < b.op.order;
}

/** The operation the precedence rule gives a request, by method and segment count. */
export class SpecOracle {
  private readonly index = new Map<string, Compiled[]>();

  constructor(ops: SpecOperation[]) {
    for (const op of ops) {
      const k = `${op.method} ${op.segments.length}`;
      let list = this.index.get(k);
      if (!list) this.index.set(k, (list = []));
      list.push(compile(op));
    }
  }

  classify(method: string, target: string): SpecOperation | null {
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    if (!path.startsWith('/')) return null;
    const segs = path.slice(1).split('/');
    let best: Compiled | null = null;
    for (const c of this.index.get(`${method} ${segs.length}`) ?? []) {
      let ok = true;
      for (let i = 0; ok && i < segs.length; i++) {
        const m = c.match[i]!;
        ok = typeof m === 'string' ? m === segs[i] : m.test(segs[i]!);
      }
      if (ok && (best === null || moreSpecific(c, best))) best = c;
    }
    return best?.op ?? null;
  }
}

// ─────────────────────────────────────────────────────────────────────────── the requests

export interface GeneratedRequest {
  method: string;
  path: string;
  /** The operation it was built from. */
  from: SpecOperation;
  /** What kind of request: "instance", or the fall-through probe it is. */
  kind: 'instance' | 'unknown method' | 'undeclared method' | 'extra segment' | 'no base path' | 'trailing slash' | 'upper-case literal';
}

// Values for a parameter, in the families the issue names: digits, words, dots, ':', percent-encoded
// bytes. Sibling literals, sibling mixed segments and enum values are added per parameter.
const GENERIC_VALUES = ['42', '7', '000123', 'octocat', 'my-repo_1', 'v1.2.3', 'file.tar.gz', 'sha256:ab12', 'a:b',
  'caf%C3%A9', 'a%2Fb', '%20x', 'A~b!c$d'];
const QUERIES = ['', '?page=2&per_page=100', '', '?q=a%2Fb&flag&x=1:2', '?'];

function normalizedSegment(s: Segment): string {
  return s.map((p) => ('lit' in p ? p.lit : '{}')).join('');
}

/** Prefix key of op's first i segments, parameter names left out. */
function prefixKey(op: SpecOperation, i: number): string {
  return op.base + '\0' + op.segments.slice(0, i).map(normalizedSegment).join('/');
}

/** Text for a segment: literals as they are, parameters from `value(name)`. */
function fill(s: Segment, value: (name: string, following: string) => string): string {
  return s.map((p, k) => {
    if ('lit' in p) return p.lit;
    const next = s[k + 1];
    return value(p.param, next && 'lit' in next ? next.lit : '');
  }).join('');
}

/** Values a parameter takes; inside a mixed segment, none contains the literal after it. */
function valuePool(op: SpecOperation, i: number, name: string, following: string, siblings: Map<string, Set<string>>): string[] {
  const pool = [...(op.enums.get(name) ?? []), ...(siblings.get(prefixKey(op, i) + '\0' + i) ?? []), ...GENERIC_VALUES];
  const usable = pool.filter((v) => v !== '' && !v.includes('/') && (following === '' || !v.includes(following)));
  return [...new Set(usable)];
}

/**
 * Requests for every operation: instances of its template (every value of every parameter's pool
 * at least once, some with a query string), then fall-through probes.
 */
export function generateRequests(ops: SpecOperation[]): GeneratedRequest[] {
  // Segment texts that sit beside a parameter (same prefix, same position): literal siblings as they
  // are, mixed siblings instantiated (`7.diff` next to `{index}`).
  const siblings = new Map<string, Set<string>>();
  for (const op of ops) {
    op.segments.forEach((s, i) => {
      const k = prefixKey(op, i) + '\0' + i;
      let set = siblings.get(k);
      if (!set) siblings.set(k, (set = new Set()));
      if (isLiteral(s)) set.add(literalText(s));
      else if (isMixed(s)) for (const v of ['7', 'abc']) set.add(fill(s, (name) => op.enums.get(name)?.[0] ?? v));
    });
  }
  const methodsAt = new Map<string, Set<string>>();
  for (const op of ops) {
    const k = op.base + op.specPath;
    methodsAt.set(k, (methodsAt.get(k) ?? new Set()).add(op.method));
  }

  const out: GeneratedRequest[] = [];
  for (const op of ops) {
    const pools = op.segments.map((s, i) => new Map(s.flatMap((p, k) => {
      if (!('param' in p)) return [];
      const next = s[k + 1];
      return [[p.param, valuePool(op, i, p.param, next && 'lit' in next ? next.lit : '', siblings)] as const];
    })));
    const variants = Math.max(1, ...pools.flatMap((m) => [...m.values()].map((v) => v.length)));
    const instance = (j: number) => '/' + op.segments.map((s, i) => {
      let q = 0;
      return fill(s, (name) => {
        const pool = pools[i]!.get(name)!;
        return pool[(j + i + q++) % pool.length]!;
      });
    }).join('/');
    for (let j = 0; j < variants; j++) out.push({ method: op.method, path: instance(j) + QUERIES[j % QUERIES.length], from: op, kind: 'instance' });

    const path = instance(0);
    out.push({ method: UNKNOWN_METHOD, path, from: op, kind: 'unknown method' });
    const declared = methodsAt.get(op.base + op.specPath)!;
    const missing = HTTP_METHODS.map((m) => m.toUpperCase()).find((m) => !declared.has(m));
    if (missing) out.push({ method: missing, path, from: op, kind: 'undeclared method' });
    out.push({ method: op.method, path: path + '/zz-not-in-spec', from: op, kind: 'extra segment' });
    if (op.base !== '') out.push({ method: op.method, path: path.slice(op.base.length) || '/', from: op, kind: 'no base path' });
    out.push({ method: op.method, path: path.endsWith('/') ? path.slice(0, -1) || '/' : path + '/', from: op, kind: 'trailing slash' });
    const k = op.segments.findIndex((s) => isLiteral(s) && /[a-z]/.test(literalText(s)));
    if (k >= 0) {
      const segs = path.slice(1).split('/');
      segs[k] = segs[k]!.toUpperCase();
      out.push({ method: op.method, path: '/' + segs.join('/'), from: op, kind: 'upper-case literal' });
    }
  }
  return out;
}
