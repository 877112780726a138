// Recognises attributegen conditions that are plain request matches and can be written as a
// native route: a conjunction (&&) of
//   request.method == 'GET'            request.method in ['GET', 'HEAD']
//   request.url_path == '/x'           request.url_path.startsWith('/x/')      request.url_path.matches('^…$')
//   request.headers['x-user'] == 'v'   request.headers['x-user'].matches('…')  request.host == 'h'
// Anything else (||, !, response.*, request.path with its query string, functions) is left alone.
// Native routes are matched by specificity, not in list order, so a converted list behaves the
// same only when no earlier condition relied on coming first; lint says so.

export interface NativeRouteSuggestion {
  name: string;
  method?: string | string[];
  path?: string;
  path_prefix?: string;
  path_regex?: string;
  headers?: { name: string; value: string; type?: 'RegularExpression' }[];
}

type Tok = { t: 'id' | 'str' | 'op'; v: string };

function tokenize(src: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      let v = '';
      while (j < src.length && src[j] !== ch) {
        if (src[j] === '\\') {
          const n = src[j + 1];
          // CEL escapes that matter in paths/regexes; others are not recognised here.
          if (n === '\\' || n === "'" || n === '"') v += n;
          else return null;
          j += 2;
        } else v += src[j++];
      }
      if (j >= src.length) return null;
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      out.push({ t: 'id', v: src.slice(i, j) });
      i = j;
    } else {
      const two = src.slice(i, i + 2);
      if (two === '&&' || two === '==' || two === '||' || two === '!=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('.()[],!'.includes(ch)) {
        out.push({ t: 'op', v: ch });
        i++;
      } else return null;
    }
  }
  return out;
}

const text = (toks: Tok[]) => toks.map((t) => (t.t === 'str' ? `'${t.v}'` : t.v)).join('');

/** Splits on top-level && (returns null on a top-level ||). Strips parentheses around a whole term. */
function conjuncts(toks: Tok[]): Tok[][] | null {
  const terms: Tok[][] = [];
  let depth = 0;
  let cur: Tok[] = [];
  for (const t of toks) {
    if (t.t === 'op' && (t.v === '(' || t.v === '[')) depth++;
    if (t.t === 'op' && (t.v === ')' || t.v === ']')) depth--;
    if (depth === 0 && t.t === 'op' && t.v === '||') return null;
    if (depth === 0 && t.t === 'op' && t.v === '&&') {
      terms.push(cur);
      cur = [];
    } else cur.push(t);
  }
  terms.push(cur);
  const out: Tok[][] = [];
  for (const term of terms) {
    let inner = term;
    while (inner.length >= 2 && inner[0]!.v === '(' && inner[inner.length - 1]!.v === ')' && balancedInside(inner)) inner = inner.slice(1, -1);
    if (inner === term) {
      out.push(term);
      continue;
    }
    const parts = conjuncts(inner); // "(a && b)" as a term
    if (parts === null) return null;
    out.push(...parts);
  }
  return out;
}

function balancedInside(term: Tok[]): boolean {
  let depth = 0;
  for (let k = 1; k < term.length - 1; k++) {
    if (term[k]!.v === '(') depth++;
    if (term[k]!.v === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

type Term =
  | { kind: 'method'; methods: string[] }
  | { kind: 'path' | 'path_prefix' | 'path_regex'; value: string }
  | { kind: 'header'; name: string; value: string; regex: boolean };

function readTerm(toks: Tok[]): Term | null {
  const s = text(toks);
  let m = /^request\.method==('([^']*)')$|^('([^']*)')==request\.method$/.exec(s);
  if (m) return { kind: 'method', methods: [m[2] ?? m[4]!] };
  m = /^request\.methodin\[((?:'[^']*',?)+)\]$/.exec(s);
  if (m) return { kind: 'method', methods: [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!) };
  m = /^request\.url_path==('([^']*)')$|^('([^']*)')==request\.url_path$/.exec(s);
  if (m) return { kind: 'path', value: m[2] ?? m[4]! };
  m = /^request\.url_path\.startsWith\('([^']*)'\)$/.exec(s);
  if (m) return { kind: 'path_prefix', value: m[1]! };
  m = /^request\.url_path\.matches\('([^']*)'\)$/.exec(s);
  if (m) return { kind: 'path_regex', value: m[1]! };
  m = /^request\.headers\['([^']*)'\]==('([^']*)')$/.exec(s);
  if (m) return { kind: 'header', name: m[1]!.toLowerCase(), value: m[3]!, regex: false };
  m = /^request\.headers\['([^']*)'\]\.matches\('([^']*)'\)$/.exec(s);
  if (m) return { kind: 'header', name: m[1]!.toLowerCase(), value: m[2]!, regex: true };
  m = /^request\.host==('([^']*)')$/.exec(s);
  if (m) return { kind: 'header', name: ':authority', value: m[2]!, regex: false };
  return null;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A native route equivalent to `condition`, or null. The empty condition is the default, not a route. */
export function conditionToRoute(value: string, condition: string): NativeRouteSuggestion | null {
  const toks = tokenize(condition);
  if (!toks || toks.length === 0) return null;
  const terms = conjuncts(toks);
  if (!terms) return null;
  const route: NativeRouteSuggestion = { name: value };
  for (const t of terms) {
    const term = readTerm(t);
    if (!term) return null;
    if (term.kind === 'method') {
      if (route.method !== undefined) return null;
      route.method = term.methods.length === 1 ? term.methods[0]! : term.methods;
    } else if (term.kind === 'header') {
      (route.headers ??= []).push(term.regex ? { name: term.name, value: term.value, type: 'RegularExpression' } : { name: term.name, value: term.value });
    } else {
      if (route.path !== undefined || route.path_prefix !== undefined || route.path_regex !== undefined) return null;
      if (term.kind === 'path') {
        // An exact path that the template syntax would read as a pattern (a '{' anywhere starts a
        // parameter, '*' is a wildcard) or refuse ('?', '#', spaces) becomes an anchored regex.
        const pattern = /[{}*?#\s\x00-\x1f\x7f]/.test(term.value);
        if (pattern) route.path_regex = `^${escapeRegex(term.value)}$`;
        else route.path = term.value;
      } else route[term.kind] = term.value;
    }
  }
  return route;
}
