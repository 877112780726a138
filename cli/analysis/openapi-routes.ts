// OpenAPI 3.x / Swagger 2.0 → native routes (the document as openapi-load.ts loads it). One route
// per (path, method):
//   - the matched path is the server base path + the spec path (OAS3 servers[].url path part,
//     with server variables at their defaults; Swagger basePath), since that is what the proxy sees;
//   - parameters are template parameters, whole segments ({id}) or inside one (/files/{name}.{ext},
//     /v{major}/x, /v1/{name}:cancel: the plugin's mixed segments). What a template cannot say —
//     two parameters with no text between them ({a}{b}), or literal text the template grammar
//     reads otherwise ('*', '?', '#', braces, spaces) — becomes an anchored path_regex, with a note;
//   - the name is "<METHOD> <spec path>" (base path included with prefixBasePath) or the
//     operationId (falling back to the template name, with a note, when an operation has none).
import type { OpenAPI, OpenAPIV2, OpenAPIV3 } from 'openapi-types';

export interface OpenApiRoute {
  name: string;
  method: string;
  path?: string;
  path_regex?: string;
}

export interface OpenApiConversion {
  title: string;
  version: string;
  /** "OpenAPI 3.0.3" / "Swagger 2.0". */
  format: string;
  basePaths: string[];
  routes: OpenApiRoute[];
  /** Per route index: why it is written the way it is (becomes a YAML comment). */
  routeNotes: Map<number, string>;
  warnings: string[];
}

export interface OpenApiOptions {
  nameStyle?: 'template' | 'operationId';
  /** Put the base path into template-style names too ("GET /api/v1/pets"). */
  prefixBasePath?: boolean;
  /** Replaces the spec's base path(s); '' or '/' = none. */
  basePath?: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type ServerList = OpenAPIV3.ServerObject[] | undefined;

/** Path part of a server URL with its variables at their defaults: "https://x/api/v1/" → "/api/v1". */
export function serverBasePath(server: OpenAPIV3.ServerObject): string {
  let url = server.url.replace(/\{([^}]+)\}/g, (_, v: string) => String(server.variables?.[v]?.default ?? ''));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) url = new URL(url).pathname;
  else if (url.startsWith('//')) url = new URL(`http:${url}`).pathname;
  return normalizeBase(url);
}

function normalizeBase(p: string): string {
  let s = p.trim();
  if (s === '' || s === '/') return '';
  if (!s.startsWith('/')) s = '/' + s;
  return s.replace(/\/+$/, '');
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PARAM = /^\{[^{}]+\}$/;

/** Why `text` cannot be literal text of a template segment, or null when it can. */
function literalProblem(text: string): string | null {
  const c = /[*?#{}\s\x00-\x1f\x7f]/.exec(text)?.[0];
  if (c === undefined) return null;
  return c === '*' || c === '?' || c === '#' || c === '{' || c === '}' ? `'${c}' is not literal text in a template` : 'a space or control character is not literal text in a template';
}

/**
 * One spec path segment as a template segment: literal text and parameters (names made valid and
 * unique across the path with `used`), or the reason a template cannot express it.
 */
function templateSegment(seg: string, used: Set<string>): { text: string } | { problem: string } {
  if (seg === '*' || seg === '**') return { problem: `the literal segment '${seg}' would be a wildcard in a template` };
  const pieces = seg.split(/(\{[^{}]+\})/).filter((p) => p !== '');
  let text = '';
  let afterParam = false;
  for (const piece of pieces) {
    if (!PARAM.test(piece)) {
      const problem = literalProblem(piece);
      if (problem) return { problem };
      text += piece;
      afterParam = false;
      continue;
    }
    if (afterParam) return { problem: `two parameters with no text between them ('${seg}') cannot be told apart in a template` };
    // Template parameter names are [A-Za-z0-9_-]; OpenAPI allows more.
    let name = piece.slice(1, -1).replace(/[^A-Za-z0-9_-]/g, '_');
    while (used.has(name)) name += '_';
    used.add(name);
    text += `{${name}}`;
    afterParam = true;
  }
  return { text };
}

/** The route's path condition for base + spec path; a note when it had to be a regex. */
export function pathCondition(base: string, specPath: string): { path?: string; path_regex?: string; note?: string } {
  const full = base + (specPath.startsWith('/') ? specPath : '/' + specPath);
  const segments = full.slice(1).split('/');
  const used = new Set<string>();
  const templ: string[] = [];
  for (const seg of segments) {
    const s = templateSegment(seg, used);
    if ('problem' in s) {
      const regex = '^/' + segments.map((g) => g.split(/(\{[^{}]+\})/).map((part) => (PARAM.test(part) ? '[^/]+' : escapeRegex(part))).join('')).join('/') + '$';
      return { path_regex: regex, note: `${full}: ${s.problem}; matched with a regex` };
    }
    templ.push(s.text);
  }
  return { path: '/' + templ.join('/') };
}

function isV2(api: OpenAPI.Document): api is OpenAPIV2.Document {
  return 'swagger' in api;
}

export function convertOpenApi(api: OpenAPI.Document, opts: OpenApiOptions = {}): OpenApiConversion {
  const warnings: string[] = [];
  const routes: OpenApiRoute[] = [];
  const routeNotes = new Map<number, string>();
  const allBases = new Set<string>();
  const v2 = isV2(api);
  const docServers: ServerList = v2 ? undefined : (api as OpenAPIV3.Document).servers;

  const basesFor = (servers: ServerList): string[] => {
    if (opts.basePath !== undefined) return [normalizeBase(opts.basePath)];
    if (v2) return [normalizeBase((api as OpenAPIV2.Document).basePath ?? '')];
    const list = servers && servers.length > 0 ? servers : [{ url: '/' }];
    return [...new Set(list.map(serverBasePath))];
  };

  for (const [specPath, item] of Object.entries(api.paths ?? {})) {
    if (!item) continue;
    const pathServers = v2 ? undefined : (item as OpenAPIV3.PathItemObject).servers;
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method] as (OpenAPIV3.OperationObject & OpenAPIV2.OperationObject) | undefined;
      if (!op) continue;
      const upper = method.toUpperCase();
      const bases = basesFor((op as OpenAPIV3.OperationObject).servers ?? pathServers ?? docServers);
      for (const base of bases) {
        allBases.add(base);
        const cond = pathCondition(base, specPath);
        let name = `${upper} ${opts.prefixBasePath ? base + specPath : specPath}`;
        if (opts.nameStyle === 'operationId') {
          if (op.operationId) name = op.operationId;
          else if (base === bases[0]) warnings.push(`${upper} ${specPath}: no operationId; named ${JSON.stringify(name)}`);
        }
        const route: OpenApiRoute = { name, method: upper, ...(cond.path !== undefined ? { path: cond.path } : { path_regex: cond.path_regex! }) };
        if (cond.note) {
          routeNotes.set(routes.length, cond.note);
          if (base === bases[0]) warnings.push(`${upper} ${specPath}: ${cond.note.replace(/^\S*: /, '')} (${cond.path_regex})`);
        }
        routes.push(route);
      }
    }
  }
  if (routes.length === 0) warnings.push('the spec has no operations');
  const format = v2 ? `Swagger ${(api as OpenAPIV2.Document).swagger}` : `OpenAPI ${(api as OpenAPIV3.Document).openapi}`;
  return { title: api.info?.title ?? '', version: api.info?.version ?? '', format, basePaths: [...allBases], routes, routeNotes, warnings };
}
