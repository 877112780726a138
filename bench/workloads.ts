// Benchmark workloads: generated route tables and request mixes.
// Native tables mix templates (most), exact paths, prefixes and a few regexes; request mixes hit
// early, late and no routes, so "cost independent of the number of routes" is measured honestly.

export interface RequestSpec { method: string; path: string; status: number; durationMs: number }

export interface Workload {
  name: string;
  /** Number of routes / conditions (x axis of the chart). */
  size: number;
  kind: 'null' | 'floor' | 'native' | 'attributegen';
  config: unknown;
  requests: RequestSpec[];
}

const req = (method: string, path: string, status = 200): RequestSpec => ({ method, path, status, durationMs: 3 });

/** Route i of a generated native table (deterministic). */
function nativeRoute(i: number, regexBudget: { left: number }): Record<string, unknown> {
  const k = i % 10;
  if (k === 9 && regexBudget.left > 0) {
    regexBudget.left--;
    return { name: `legacy ${i}`, path_regex: `^/legacy/v[0-9]+/item${i}$` };
  }
  if (k === 7) return { name: `page ${i}`, method: 'GET', path: `/static/page${i}.html` };
  if (k === 8) return { name: `assets ${i}`, path_prefix: `/assets${i}/` };
  const method = i % 2 === 0 ? 'GET' : ['POST', 'PUT'];
  return { name: `svc${i % 97} res${i}`, method, path: `/api/v1/svc${i % 97}/res${i}/{id}` };
}

/** A request that matches native route i. */
function nativeRequest(i: number, routes: Record<string, unknown>[]): RequestSpec {
  const r = routes[i];
  if (r.path_regex) return req('GET', `/legacy/v2/item${i}`);
  if (r.path_prefix) return req('GET', `/assets${i}/app.js`);
  if (typeof r.path === 'string' && r.path.startsWith('/static/')) return req('GET', `/static/page${i}.html?v=3`);
  return req(i % 2 === 0 ? 'GET' : 'PUT', `/api/v1/svc${i % 97}/res${i}/42`);
}

export function nativeWorkload(n: number): Workload {
  const budget = { left: Math.max(1, Math.min(5, Math.floor(n / 20))) };
  const routes = Array.from({ length: n }, (_, i) => nativeRoute(i, budget));
  const picks = [0, 1, 2, 3, Math.floor(n / 2), n - 3, n - 2, n - 1].filter((i) => i >= 0 && i < n);
  const requests = picks.map((i) => nativeRequest(i, routes));
  requests.push(req('GET', '/nothing/here'), req('DELETE', '/api/v1/svc1/res1/1'), req('GET', '/api/v1/svc3/unknown/1/2', 404));
  return { name: `native ${n} routes`, size: n, kind: 'native', config: { routes }, requests };
}

export function attributegenWorkload(n: number): Workload {
  const match = Array.from({ length: n }, (_, i) => i % 5 === 4
    ? { value: `GetItem ${i}`, condition: `request.url_path.matches('^/users/[[:alnum:]]+/item${i}$') && request.method == 'GET'` }
    : { value: `op ${i}`, condition: `request.method == '${i % 2 === 0 ? 'GET' : 'POST'}' && request.url_path == '/path${i}'` });
  const hit = (i: number): RequestSpec => i % 5 === 4 ? req('GET', `/users/u${i}/item${i}`) : req(i % 2 === 0 ? 'GET' : 'POST', `/path${i}`);
  const requests = [0, 1, Math.floor(n / 2), n - 2, n - 1].map(hit);
  requests.push(req('GET', '/nothing/here'), req('PATCH', '/path0'));
  return {
    name: `attributegen ${n} conditions`, size: n, kind: 'attributegen',
    config: { attributes: [{ output_attribute: 'istio_operationId', match }] }, requests,
  };
}

export function floorWorkload(): Workload {
  return { name: 'floor', size: 0, kind: 'floor', config: undefined,
    requests: [req('GET', '/healthz'), req('POST', '/echo'), req('GET', '/users/42?x=1'), req('GET', '/nothing/here', 404)] };
}

/** The null filter's workload: the floor's requests, no configuration. */
export function nullWorkload(): Workload {
  return { ...floorWorkload(), name: 'null filter', kind: 'null' };
}
