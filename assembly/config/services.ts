// `services`: several services on one waypoint, each with its own routes (native form).
//
// { "services": [ { "name": "podinfo", "hosts": ["podinfo", "podinfo.podinfo.svc.cluster.local"],
//                   "default": "podinfo other", "routes": [ … ] },
//                 { "name": "catch-all", "routes": [ … ] } ] }
//
// - `hosts` are Gateway API hostnames (the Listener `hostname` pattern: lower-case labels, an
//   optional leading "*." wildcard label, at most 253 characters), matched against :authority
//   without its port (classify/hosts.ts). A host may be claimed by one service only.
// - A service without `hosts` takes the requests no other service claims; there is at most one.
// - `name` is the service's label (destination_service_name): names are distinct.
// - `default` is written when none of the service's routes match (the top-level `default` when
//   unset); `routes` are read exactly like the flat list, at their own JSON paths.
// Under the accept policy a bad host is left out of its service, a bad route out of its list, and
// a service that cannot be told apart (no usable name, no usable host left, a second fallback) is
// left out whole (config/index.ts).
import { JsonValue } from "./json";
import { Diagnostics, child, index } from "./diagnostics";
import { ObjectReader, kindName, mustBe, dropWrongKind } from "./reader";
import { reportObjectProblems } from "./json-problems";
import { RouteSpec } from "../routes/spec";
import { readRouteList, tooMany, TopKey } from "./native";
import { DeferredRegexes } from "./native-regexes";
import { safeTagValue } from "../metrics/tags";
import { UNKNOWN_SERVICE } from "../metrics/series";
import { asciiLower } from "../text/ascii-case";
import { quoted } from "../text/replace";
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

export const SERVICES_KEY = "services";
export const SERVICE_KEYS: string[] = ["name", "hosts", "routes", "default"];
/** Positions in SERVICE_KEYS: the readers name keys by position (config/reader.ts). */
const enum ServiceKey { Name, Hosts, Routes, Default }
/** Services per configuration: each has its own route table and metric series. */
export const MAX_SERVICES: i32 = 1000;
/** Gateway API: a hostname is at most 253 characters. */
export const MAX_HOST_LENGTH: i32 = 253;
// @ts-ignore: compile-time check (the limit is written out in hostError's message)
if (MAX_HOST_LENGTH != 253) ERROR("MAX_HOST_LENGTH changed: update '253' in hostError");

export class ServiceSpec {
  /** Lower-case hostnames ("*.example.com" for a wildcard); empty for the fallback service. */
  hosts: string[] = [];
  /** Position of each host in the configuration's `hosts` list (some may have been left out). */
  hostPositions: i32[] = [];
  /** No `hosts`: takes the requests no other service claims. */
  isFallback: bool = false;
  routes: RouteSpec[] = [];
  /** Written when none of its routes match; null: the top-level default applies. */
  defaultValue: string | null = null;

  /** `index` is the service's position in `services`: it names the service in logs and errors. */
  constructor(public index: i32, public name: string) {}

  /** JSON path of the service, e.g. `services[1]`. */
  get path(): string {
    return index(SERVICES_KEY, this.index);
  }

  /** JSON path of its route list, e.g. `services[1].routes`. */
  get routesPath(): string {
    return child(this.path, "routes");
  }
}

/** Reads `services` of the top-level object; the services that are usable, in configuration order. */
export function readServices(top: ObjectReader, regexes: DeferredRegexes, diags: Diagnostics): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  const items = top.list(TopKey.Services, true);
  if (items === null) return out;
  let count = items.length;
  if (count == 0) {
    diags.warn(SERVICES_KEY, "no services: every request is unmatched");
    return out;
  }
  if (count > MAX_SERVICES) count = tooMany(diags, SERVICES_KEY, MAX_SERVICES, "services", "", MAX_SERVICES, count);
  // The hosts claimed so far: host -> claim c, whose owner and position are claimed[2c], [2c + 1]
  // (configure time only; one Map instantiation the module has anyway).
  const claims = new Map<string, i32>();
  const claimed: i32[] = [];
  let fallback: ServiceSpec | null = null;
  const r = ObjectReader.forList(items, SERVICES_KEY, diags, SERVICE_KEYS, null);
  while (r.nextObject("an object like {\"name\": \"...\", \"hosts\": [...], \"routes\": [...]}", true, count)) {
    const service = readService(r, out, claims, claimed, regexes, diags);
    if (service === null) continue;
    if (service.isFallback) {
      if (fallback !== null) {
        diags.error(service.path, "a second service without \"hosts\" (" + fallback.path + ", " + quoted(fallback.name) +
          ", already takes the requests no other service claims): give it hosts");
        diags.drop(service.path);
        continue;
      }
      fallback = service;
    }
    out.push(service);
  }
  return out;
}

/** The service `r` (the services list's reader) points at. */
function readService(r: ObjectReader, kept: ServiceSpec[], claims: Map<string, i32>, claimed: i32[], regexes: DeferredRegexes, diags: Diagnostics): ServiceSpec | null {
  reportObjectProblems(r.obj, diags);
  // What makes the service unusable as a whole: its name, its host list. Errors inside a host
  // or a route only drop that host or route (their readers report and drop them).
  let mark = diags.mark();
  const name = r.nonEmpty(ServiceKey.Name, true, "");
  if (changetype<usize>(name) != 0 && !diags.failedSince(mark)) checkServiceLabel(name, r.pathOf(ServiceKey.Name), kept, diags);
  let usable = !diags.failedSince(mark);
  const service = new ServiceSpec(r.position, changetype<usize>(name) == 0 ? "" : name);

  mark = diags.mark();
  const hosts = r.value(ServiceKey.Hosts);
  if (hosts === null || hosts.isNull()) {
    service.isFallback = true;
  } else if (!hosts.isArray()) {
    diags.error(r.pathOf(ServiceKey.Hosts), mustBe("a list of host names", hosts.kind) +
      " (omit it for the service that takes the requests no other service claims)");
  } else if (hosts.firstItem() < 0) {
    diags.error(r.pathOf(ServiceKey.Hosts), "must not be empty (omit it for the service that takes the requests no other service claims)");
  }
  if (diags.failedSince(mark)) usable = false;

  mark = diags.mark();
  const def = r.nonEmpty(ServiceKey.Default, false, " (omit it to use the top-level default)");
  if (r.keep(mark, ServiceKey.Default)) service.defaultValue = def;

  // Hosts are claimed only by a service that is kept, so a dropped service cannot keep another
  // one's host from it.
  if (usable && hosts !== null && hosts.isArray()) {
    readHosts(hosts, service, r.pathOf(ServiceKey.Hosts), kept, claims, claimed, diags);
    if (service.hosts.length == 0) usable = false; // every host was invalid or claimed: reported
  }

  const routes = r.list(ServiceKey.Routes, true);
  if (usable) service.routes = readRouteList(routes, service.routesPath, regexes, diags);
  r.finish(true);
  if (!usable) {
    diags.drop(r.path);
    return null;
  }
  return service;
}

/**
 * A service name is its destination_service_name label: distinct from the other services' labels
 * (after the tag encoding has made it safe, metrics/tags.ts) and from the label of requests no
 * service claims. Checked whether or not metrics are on: services are few, and a name that
 * changes meaning when metrics are turned on would be a trap.
 */
function checkServiceLabel(name: string, path: string, kept: ServiceSpec[], diags: Diagnostics): void {
  const label = safeTagValue(name);
  if (label == UNKNOWN_SERVICE) {
    diags.error(path, quoted(name) + " is the destination_service_name of requests no service claims: rename the service");
    return;
  }
  for (let k = 0; k < kept.length; k++) {
    const other = kept[k].name;
    if (other == name) {
      diags.error(path, quoted(name) + " is already the name of " + kept[k].path + ": service names are distinct");
      return;
    }
    if (safeTagValue(other) == label) {
      diags.error(path, quoted(name) + " and " + quoted(other) + " (" + kept[k].path + ") give the same label destination_service_name=" +
        quoted(label) + ": their requests would share series");
      return;
    }
  }
}

/**
 * Reads the `hosts` of `service`, claiming them. A claim's owner is a position in `kept`: the
 * service read now comes next there, as a service that claims hosts is always kept.
 */
function readHosts(items: JsonValue, service: ServiceSpec, base: string, kept: ServiceSpec[], claims: Map<string, i32>,
  claimed: i32[], diags: Diagnostics): void {
  let h = -1;
  for (let it = items.firstItem(); it >= 0; it = items.nextItem(it)) {
    h++;
    const path = index(base, h);
    if (!items.itemIsString(it)) {
      dropWrongKind(diags, path, "a host name", items.doc.kindAt(it));
      continue;
    }
    const host = items.itemString(it);
    const error = hostError(host);
    if (changetype<usize>(error) != 0) {
      diags.error(path, error);
      diags.drop(path);
      continue;
    }
    if (claims.has(host)) {
      const c = claims.get(host) << 1;
      const k = claimed[c];
      const owner = k < kept.length ? kept[k] : service;
      const ownerPath = index(child(owner.path, "hosts"), claimed[c + 1]);
      if (owner === service) {
        diags.warn(path, quoted(host) + " is listed twice (first at " + ownerPath + ")");
      } else {
        diags.error(path, quoted(host) + " is already a host of " + owner.path + " (" + quoted(owner.name) + ", at " +
          ownerPath + "): a host belongs to one service");
        diags.drop(path);
      }
      continue;
    }
    claims.set(host, claimed.length >> 1);
    claimed.push(kept.length);
    claimed.push(h);
    service.hosts.push(host);
    service.hostPositions.push(h);
  }
}


@inline
function isLowerAlnum(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/**
 * Why `host` is not a Gateway API hostname, or null when it is. The rule is the pattern of the
 * Gateway `listeners[].hostname` schema (/work/shared/schemas/gateway.v1.json), 1–253 characters:
 *   ^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
 * The messages name the usual mistakes: upper case, a port, a bare or misplaced '*', an IP literal.
 */
export function hostError(host: string): string | null {
  const n = host.length;
  if (n == 0) return "must not be empty";
  if (n > MAX_HOST_LENGTH) return "is " + n.toString() + " characters long, more than the 253 of a host name" /* MAX_HOST_LENGTH */;
  // (Before the checks below, which "*" passes.)
  if (n == 1 && host.charCodeAt(0) == 0x2a) return "\"*\" alone is not a host: omit \"hosts\" for the service that takes the requests no other service claims";
  const why = hostProblem(host, n);
  return changetype<usize>(why) == 0 ? null : quoted(host) + why;
}

/** hostError's other messages, which all start with the quoted host: the rest of the message, or null. */
function hostProblem(host: string, n: i32): string | null {
  if (host.charCodeAt(0) == 0x5b /* [ */ || host.includes("::")) {
    return ": an IPv6 address is not a host name (requests by address are taken by the service without hosts)";
  }
  const colon = host.indexOf(":");
  if (colon >= 0) {
    return ": hosts are matched without the port (the port of :authority is ignored): use " + quoted(host.substring(0, colon));
  }
  const lower = asciiLower(host);
  if (host != lower) {
    return ": host names are written in lower case (Gateway API hostname; matching ignores case): use " + quoted(lower);
  }
  let i = 0;
  if (host.charCodeAt(0) == 0x2a /* * */) {
    if (host.charCodeAt(1) != 0x2e) return ": a wildcard is a whole first label, \"*.\" followed by a host name";
    i = 2;
    if (i == n) return ": \"*.\" must be followed by a host name";
  }
  // labels: [a-z0-9] ([-a-z0-9]* [a-z0-9])?, separated by '.'
  let labelStart = i;
  for (; i <= n; i++) {
    const c = i < n ? host.charCodeAt(i) : 0x2e;
    if (c == 0x2e) {
      if (i == labelStart) return ": empty label at column " + (i + 1).toString();
      if (!isLowerAlnum(host.charCodeAt(i - 1))) return ": a label must end with a letter or digit (column " + i.toString() + ")";
      labelStart = i + 1;
      continue;
    }
    if (c == 0x2a) return ": '*' only as the whole first label (\"*.example.com\"), at column " + (i + 1).toString();
    if (i == labelStart && !isLowerAlnum(c)) return ": a label must start with a letter or digit (column " + (i + 1).toString() + ")";
    if (!isLowerAlnum(c) && c != 0x2d) {
      return ": invalid character at column " + (i + 1).toString() + " (host names have letters, digits, '-' and '.')";
    }
  }
  return null;
}

