// `route-metrics openapi --service NAME --host H… [--merge CONFIG]`: the generated routes as a
// service block of the native form (`services`), and merging them into an existing configuration,
// so that one spec per service builds the configuration of a namespace waypoint:
//
//   route-metrics openapi podinfo.yaml --service podinfo --host podinfo --host podinfo.shop.svc.cluster.local \
//     | route-metrics openapi cart.yaml --service cart --host cart --merge - > shop.json
//
// The rules are the plugin's (config/services.ts): hosts are Gateway API hostnames, a host belongs
// to one service, at most one service has no hosts, a configuration has `routes` or `services`.
// They are checked here so that the command never writes a configuration the plugin would
// degrade; the plugin stays the judge (lint runs the result through the .wasm).
import type { OpenApiRoute } from './openapi-routes.ts';

type Obj = Record<string, unknown>;

/** The Gateway API hostname pattern (Gateway listeners[].hostname, ../shared/schemas/gateway.v1.json), at most 253 characters. */
const GATEWAY_HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A problem with the command's arguments (exit 2). */
export class ServiceArgumentError extends Error {}

/** The merge cannot be done with this configuration (exit 1). */
export class MergeError extends Error {}

export interface ServiceOptions {
  /** The service's name (destination_service_name); undefined: flat routes. */
  service?: string;
  /** Its hosts; none: the service that takes the requests no other service claims. */
  hosts?: string[];
}

/** Checks --service / --host; returns the hosts, de-duplicated, in the order given. */
export function serviceHosts(opts: ServiceOptions): string[] {
  const hosts = opts.hosts ?? [];
  if (opts.service === undefined) {
    if (hosts.length > 0) throw new ServiceArgumentError('--host needs --service NAME (the service the hosts belong to)');
    return [];
  }
  if (opts.service.trim() === '') throw new ServiceArgumentError('--service: the name must not be empty');
  if (opts.service === 'unknown') throw new ServiceArgumentError('--service unknown: "unknown" is the destination_service_name of requests no service claims');
  const out: string[] = [];
  for (const h of hosts) {
    const problem = hostProblem(h);
    if (problem) throw new ServiceArgumentError(`--host ${JSON.stringify(h)}: ${problem}`);
    if (!out.includes(h)) out.push(h);
  }
  return out;
}

function hostProblem(h: string): string | undefined {
  if (/:\d*$/.test(h) && !h.startsWith('[')) return `hosts are matched without the port: use ${JSON.stringify(h.replace(/:\d*$/, '').toLowerCase())}`;
  if (h !== h.toLowerCase() && GATEWAY_HOSTNAME.test(h.toLowerCase())) return `host names are written in lower case (matching ignores case): use ${JSON.stringify(h.toLowerCase())}`;
  if (h === '*') return 'omit --host for the service that takes the requests no other service claims';
  if (h.length > 253 || !GATEWAY_HOSTNAME.test(h)) {
    return 'not a Gateway API hostname (lower-case labels of letters, digits and "-", separated by ".", optionally "*." in front; at most 253 characters)';
  }
  return undefined;
}

/** The service block `{name, hosts?, routes}` (no `hosts` key for the fallback service). */
export function serviceBlock(name: string, hosts: string[], routes: OpenApiRoute[]): Obj {
  return { name, ...(hosts.length > 0 ? { hosts } : {}), routes };
}

export interface MergeResult {
  config: Obj;
  /** What the merge did, for stderr ("replaced services[1] (cart)"). */
  notes: string[];
  /** The JSON path of the list the new routes went to, e.g. ['services', 1, 'routes'] (for comments). */
  routesAt: (string | number)[];
  /** Index in that list of the first new route. */
  firstRoute: number;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const sameRoute = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `base` (a native configuration, or {} for a new one) with the routes added: as the service
 * `service` (replacing a service of that name), or appended to the flat `routes`.
 */
export function mergeRoutes(base: Obj, routes: OpenApiRoute[], opts: ServiceOptions, source: string): MergeResult {
  if ('attributes' in base) throw new MergeError(`${source}: an attributegen configuration cannot take native routes (lint suggests a native form for it)`);
  const config: Obj = structuredClone(base);
  const notes: string[] = [];
  if (opts.service === undefined) {
    if ('services' in config) {
      throw new MergeError(`${source}: the configuration has "services": give --service NAME (and --host …) to add these routes as a service`);
    }
    const list: unknown[] = Array.isArray(config.routes) ? config.routes : [];
    const firstRoute = list.length;
    let same = 0;
    for (const r of routes) {
      if (list.some((x) => sameRoute(x, r))) same++;
      else list.push(r);
    }
    if (same > 0) notes.push(`${same} route(s) already in ${source} were not added again`);
    config.routes = list;
    return { config, notes, routesAt: ['routes'], firstRoute };
  }
  if ('routes' in config) {
    throw new MergeError(`${source}: the configuration has flat "routes", and a configuration has either "routes" or "services": ` +
      'move them into a service first (e.g. regenerate them with --service NAME and no --host: the service for the other hosts)');
  }
  const hosts = serviceHosts(opts);
  const services: unknown[] = Array.isArray(config.services) ? config.services : [];
  const at = services.findIndex((s) => isObj(s) && s.name === opts.service);
  services.forEach((s, i) => {
    if (i === at || !isObj(s)) return;
    const theirs = Array.isArray(s.hosts) ? s.hosts : undefined;
    const shared = hosts.filter((h) => theirs?.includes(h));
    if (shared.length > 0) {
      throw new MergeError(`--host ${shared.join(', ')}: already a host of services[${i}] (${JSON.stringify(s.name)}) in ${source}: a host belongs to one service`);
    }
    if (hosts.length === 0 && theirs === undefined) {
      throw new MergeError(`services[${i}] (${JSON.stringify(s.name)}) in ${source} already takes the requests no other service claims: give --host for ${JSON.stringify(opts.service)}`);
    }
  });
  const block = serviceBlock(opts.service, hosts, routes);
  let index = services.length;
  if (at >= 0) {
    const old = services[at] as Obj;
    if (old.default !== undefined) block.default = old.default; // a setting the command does not write
    services[at] = block;
    index = at;
    notes.push(`replaced services[${at}] (${JSON.stringify(opts.service)}) of ${source}`);
  } else {
    services.push(block);
  }
  config.services = services;
  return { config, notes, routesAt: ['services', index, 'routes'], firstRoute: 0 };
}
