// lint for `services`, asked of the real filter like route reachability (reachability.ts):
//   1. Hosts and services: a request for each host of each service (a name under a wildcard, an
//      IPv6 literal for the service without hosts, which no host can claim) goes through the
//      user's configuration with debug on, and the decision line says which service took it. A
//      host that goes elsewhere (claimed twice, invalid, its service left out) is a warning, and a
//      service none of whose hosts reach it is unreachable.
//   2. Routes, per reachable service: the candidate requests of probe-requests.ts, sent with that
//      service's host, through an isolation configuration (every route needs one more header) and
//      then through the user's configuration; the winner is the decision line's route.
// Host names are only compared here to say which exact hosts a wildcard also covers (an info);
// which one wins is the plugin's answer.
import type { Finding } from './lint-rules.ts';
import { probeRequests, readProbeRoutes, type ProbeRequest } from './probe-requests.ts';
import { PROBE_HEADER, reachabilityFindings, type ProbePlan } from './reachability.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sends one request through the plugin; returns its decision lines. */
export type Probe = (q: ProbeRequest, extraHeaders?: [string, string][]) => { decisions: string[]; operation: string | undefined };

/** Which configuration the probe function runs; false when the plugin refused it. */
export type Configure = (config: Obj) => boolean;

/** An authority only the service without hosts can take: no configured host is an IPv6 literal. */
export const UNCLAIMED_AUTHORITY = '[::1]:8080';

interface ServiceInfo {
  index: number;
  name: string;
  hosts: string[] | null;
  routes: unknown[];
}

function readServices(config: Obj): ServiceInfo[] {
  const list = Array.isArray(config.services) ? config.services : [];
  return list.flatMap((s, index): ServiceInfo[] => {
    if (!isObj(s)) return [];
    const hosts = Array.isArray(s.hosts) ? s.hosts.filter((h): h is string => typeof h === 'string') : s.hosts === undefined ? null : [];
    return [{ index, name: String(s.name ?? ''), hosts, routes: Array.isArray(s.routes) ? s.routes : [] }];
  });
}

/** A request authority for a host: itself, or a name under a wildcard ("*.x.com" → "rm-probe.x.com"). */
const authorityFor = (host: string) => (host.startsWith('*.') ? `rm-probe${host.slice(1)}` : host);

const SERVICE_DECISION = /\) → service "(?:[^"\\]|\\.)*" \(services\[(\d+)\]\)/;
const ROUTE_DECISION = /\(services\[(\d+)\]\.routes\[(\d+)\]\)$/;

/** The service index a decision line names; null when no service took the request. */
function decidedService(decisions: string[]): number | null {
  for (const d of decisions) {
    const m = SERVICE_DECISION.exec(d);
    if (m) return Number(m[1]);
  }
  return null;
}

const describe = (s: ServiceInfo | undefined, index: number | null) =>
  index === null ? 'no service (destination_service_name="unknown")' : `services[${index}]${s ? ` (${JSON.stringify(s.name)})` : ''}`;

/**
 * Findings for a `services` configuration. `configure` switches the plugin to a configuration,
 * `send` runs a request through it (the user's configuration must have debug on when decisions
 * are read). The user's configuration (with debug) is `debugConfig`.
 */
export function serviceFindings(config: Obj, debugConfig: Obj, configure: Configure, send: Probe): Finding[] {
  const services = readServices(config);
  if (services.length === 0) return [];
  const findings: Finding[] = [];
  const byIndex = new Map(services.map((s) => [s.index, s]));

  // 1. hosts → services, as the plugin selects them
  if (!configure(debugConfig)) return [];
  const reachedBy = new Map<number, string>(); // service → an authority that reaches it
  for (const s of services) {
    const authorities = s.hosts === null ? [UNCLAIMED_AUTHORITY] : s.hosts.map(authorityFor);
    authorities.forEach((authority, j) => {
      const winner = decidedService(send({ route: -1, method: 'GET', path: '/', authority, headers: [] }).decisions);
      if (winner === s.index) {
        if (!reachedBy.has(s.index)) reachedBy.set(s.index, authority);
        return;
      }
      if (s.hosts !== null) {
        findings.push({
          level: 'warning',
          path: `services[${s.index}].hosts[${j}]`,
          message: `${JSON.stringify(s.hosts[j])}: a request for ${authority} goes to ${describe(byIndex.get(winner ?? -1), winner)} in the plugin, not to services[${s.index}] (${JSON.stringify(s.name)})`,
        });
      }
    });
    if (!reachedBy.has(s.index)) {
      findings.push({
        level: 'warning',
        path: `services[${s.index}]`,
        message: `unreachable: no request reaches services[${s.index}] (${JSON.stringify(s.name)}) in the plugin` +
          (s.hosts === null ? ' (requests for unclaimed hosts go elsewhere)' : ' (see its config errors)'),
      });
    }
  }
  findings.push(...wildcardOverlaps(services));

  // 2. routes of each reachable service
  const reachable = services.filter((s) => reachedBy.has(s.index));
  const plans = reachable.map((s) => {
    const routes = readProbeRoutes({ routes: s.routes }).map((r) => ({ ...r, at: `services[${s.index}].routes[${r.index}]` }));
    const authority = reachedBy.get(s.index)!;
    // A route that sets :authority itself keeps it (the plugin then selects by that host).
    const candidates = probeRequests(routes).map((list) => list.map((q) => ({ ...q, authority: q.authority ?? authority })));
    return { service: s, plan: { routes, candidates } as ProbePlan };
  });
  if (plans.every((p) => p.plan.routes.length === 0)) return findings;
  const tag = (s: number, r: number) => `${s}:${r}`;
  if (!configure(isolationConfig(config, tag))) {
    findings.push({ level: 'info', path: 'services', message: 'route reachability not checked: the plugin rejected the probe configuration (one more header condition per route)' });
    return findings;
  }
  const matches = plans.map(({ service, plan }) => plan.candidates.map((list) =>
    list.filter((q) => send(q, [[PROBE_HEADER, tag(service.index, q.route)]]).operation === tag(service.index, q.route))));
  if (!configure(debugConfig)) return findings;
  plans.forEach(({ service, plan }, k) => {
    const winners = matches[k]!.map((list) => list.map((q) => {
      for (const d of send(q).decisions) {
        const m = ROUTE_DECISION.exec(d);
        if (m) return Number(m[1]) === service.index ? Number(m[2]) : null;
      }
      return null;
    }));
    findings.push(...reachabilityFindings(plan, matches[k]!, winners));
  });
  return findings;
}

/** The services, each route named "<service>:<route>" and needing the probe header with that value. */
function isolationConfig(config: Obj, tag: (s: number, r: number) => string): Obj {
  const services = (Array.isArray(config.services) ? config.services : []).map((raw, s) => {
    if (!isObj(raw)) return raw;
    const { default: _unused, ...service } = raw;
    const routes = (Array.isArray(raw.routes) ? raw.routes : []).map((r, i) => {
      if (!isObj(r)) return r;
      return { ...r, name: tag(s, i), headers: [...(Array.isArray(r.headers) ? r.headers : []), { name: PROBE_HEADER, value: tag(s, i) }] };
    });
    return { ...service, routes };
  });
  return { output_attribute: 'istio_operationId', services };
}

/** Exact hosts of one service that another service's wildcard also covers (the exact host wins). */
function wildcardOverlaps(services: ServiceInfo[]): Finding[] {
  const findings: Finding[] = [];
  for (const s of services) {
    for (const w of s.hosts ?? []) {
      if (!w.startsWith('*.')) continue;
      const suffix = w.slice(1);
      for (const t of services) {
        if (t === s) continue;
        const covered = (t.hosts ?? []).filter((h) => !h.startsWith('*.') && h.endsWith(suffix) && h.length > suffix.length);
        if (covered.length === 0) continue;
        findings.push({
          level: 'info',
          path: `services[${s.index}], services[${t.index}]`,
          message: `${JSON.stringify(w)} of services[${s.index}] (${JSON.stringify(s.name)}) also covers ${covered.map((h) => JSON.stringify(h)).join(', ')} of ` +
            `services[${t.index}] (${JSON.stringify(t.name)}): an exact host wins over a wildcard`,
        });
      }
    }
  }
  return findings;
}
