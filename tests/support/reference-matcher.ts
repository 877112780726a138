// A straightforward reference implementation of the native route precedence documented in the
// README, for differential testing of the compiled route table. It scores every route on its own
// and sorts; the filter instead walks a trie, a prefix table and a regex list.

export interface RefCondition { name: string; value: string; type?: 'Exact' | 'RegularExpression' }
export interface RefRoute {
  name: string;
  method?: string | string[];
  path?: string;
  path_prefix?: string;
  path_regex?: string;
  headers?: RefCondition[];
  query_params?: RefCondition[];
}
export interface RefRequest { method: string; path: string; headers: Record<string, string> }

type Seg = { kind: 'lit'; text: string } | { kind: 'param' } | { kind: 'rest' };

function parseTemplate(path: string): Seg[] {
  return path.slice(1).split('/').map((s): Seg => {
    if (s === '*' || /^\{[^.}]+\}$/.test(s)) return { kind: 'param' };
    if (s === '**' || /^\{[^}]+\.\.\.\}$/.test(s)) return { kind: 'rest' };
    return { kind: 'lit', text: s };
  });
}

/** Rank vector of a template against path segments, or null when it does not match. Lower is more specific. */
function templateRank(t: Seg[], segs: string[]): number[] | null {
  const rank: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const s = t[i];
    if (s.kind === 'rest') return [...rank, 3];
    if (i >= segs.length) return null;
    if (s.kind === 'lit') {
      if (s.text !== segs[i]) return null;
      rank.push(0);
    } else {
      if (segs[i] === '') return null;
      rank.push(1);
    }
  }
  return t.length === segs.length ? [...rank, 2] : null; // 2 = exact end, beats a catch-all (3)
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function valueOk(c: RefCondition, v: string | undefined): boolean {
  if (v === undefined) return false;
  return c.type === 'RegularExpression' ? new RegExp(c.value).test(v) : v === c.value;
}

function queryValue(query: string | undefined, name: string): string | undefined {
  if (query === undefined) return undefined;
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    const k = eq < 0 ? pair : pair.slice(0, eq);
    if (k === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

function conditionCount(r: RefRoute): number {
  return (r.method ? 1 : 0) + (r.headers?.length ?? 0) + (r.query_params?.length ?? 0);
}

/** The name of the route the documented precedence selects, or undefined. */
export function referenceMatch(routes: RefRoute[], req: RefRequest): string | undefined {
  const hashAt = req.path.indexOf('#');
  const noFrag = hashAt < 0 ? req.path : req.path.slice(0, hashAt);
  const q = noFrag.indexOf('?');
  const urlPath = q < 0 ? noFrag : noFrag.slice(0, q);
  const query = q < 0 ? undefined : noFrag.slice(q + 1);
  const segs = urlPath.startsWith('/') ? urlPath.slice(1).split('/') : null;
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));

  type Cand = { index: number; tier: number; rank: number[]; cc: number };
  const cands: Cand[] = [];
  routes.forEach((r, index) => {
    const methods = r.method === undefined ? undefined : Array.isArray(r.method) ? r.method : [r.method];
    if (methods && !methods.includes(req.method)) return;
    if (!(r.headers ?? []).every((c) => valueOk(c, headers[c.name.toLowerCase()]))) return;
    if (!(r.query_params ?? []).every((c) => valueOk(c, queryValue(query, c.name)))) return;
    let tier: number;
    let rank: number[] = [];
    if (r.path !== undefined) {
      if (segs === null) return;
      const tr = templateRank(parseTemplate(r.path), segs);
      if (tr === null) return;
      tier = 0;
      rank = tr;
    } else if (r.path_prefix !== undefined) {
      if (!urlPath.startsWith(r.path_prefix)) return;
      tier = 1;
      rank = [-r.path_prefix.length];
    } else if (r.path_regex !== undefined) {
      if (!new RegExp(r.path_regex).test(urlPath)) return;
      tier = 2;
      rank = [index]; // config order only
    } else {
      tier = 3;
    }
    cands.push({ index, tier, rank, cc: conditionCount(r) });
  });
  cands.sort((a, b) => a.tier - b.tier || compareRanks(a.rank, b.rank) || b.cc - a.cc || a.index - b.index);
  return cands.length ? routes[cands[0].index].name : undefined;
}
