// The native configuration form: a list of named routes.
//
// { "output_attribute": "istio_operationId", "default": "other", "debug": false,
//   "routes": [ { "name": "GET /users/{id}", "method": ["GET", "HEAD"], "path": "/users/{id}",
//                 "headers": [{ "name": "x-tenant", "value": "a" }],
//                 "query_params": [{ "name": "analytic", "type": "RegularExpression", "value": "^(true|1)$" }] } ] }
//
// or, for a waypoint that serves several services, the same routes per service (config/services.ts):
// { "services": [ { "name": "podinfo", "hosts": ["podinfo", "*.podinfo.example.com"], "routes": [ … ] }, … ] }
//
// Unknown keys are errors: this form is ours, so a typo must not go unnoticed. Under the default
// accept policy the key is left out and its route kept (config/index.ts).
import { JsonObject, JsonValue, JsonKind } from "./json";
import { Diagnostics, child, index } from "./diagnostics";
import { ObjectReader, kindName, mustBe } from "./reader";
import { reportObjectProblems } from "./json-problems";
import { RouteSpec, PathMatchKind, ValueCondition, ValueMatchKind, NO_CONDITIONS, withMethod } from "../routes/spec";
import { templateError } from "../routes/template";
import { mixedOverflow } from "../routes/mixed";
import { MAX_METHODS } from "../routes/table";
import { beginRegexConfiguration, DEFAULT_MAX_PROGRAM_SIZE, MAX_PROGRAM_SIZE, PROGRAM_SIZE_KEY } from "../regex/index";
import { ServiceSpec, readServices } from "./services";
import { DeferredRegexes, RegexPlace } from "./native-regexes";
import { asciiLower, asciiUpper } from "../text/ascii-case";
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

export const DEFAULT_OUTPUT_ATTRIBUTE = "istio_operationId";

// Limits written out in messages here (no number formatting): the build fails when one changes.
// @ts-ignore: compile-time check
if (MAX_PROGRAM_SIZE != 10000 || DEFAULT_MAX_PROGRAM_SIZE != 100) ERROR("update the limits in readRegexLimit's message");
// @ts-ignore: compile-time check
if (MAX_METHODS != 64) ERROR("MAX_METHODS changed: update 'more than 64' in limitMethodCount");
export const MAX_ROUTES: i32 = 100000;

export class NativeConfig {
  outputAttribute: string = DEFAULT_OUTPUT_ATTRIBUTE;
  /** Value written when no route matches; null leaves the attribute unset (Istio shows `unknown`). */
  defaultValue: string | null = null;
  debug: bool = false;
  /** The flat route list (no `services`). */
  routes: RouteSpec[] = [];
  /** `services` (config/services.ts): when set, each service has its own routes and `routes` is empty. */
  services: ServiceSpec[] = [];
  hasServices: bool = false;
  /**
   * The regexes of every route list (flat or per service), read but not compiled yet: compiled by
   * finishNativeConfig(), once the JSON is garbage (native-regexes.ts).
   */
  regexes: DeferredRegexes = new DeferredRegexes();
}

// SERVICES_KEY and PROGRAM_SIZE_KEY spelt out: a list of literals only is static data (__literalArray).
export const TOP_KEYS: string[] = ["output_attribute", "default", "debug", "routes", "services", "metrics", "strict", "regex_max_program_size"];
export const ROUTE_KEYS: string[] = ["name", "method", "path", "path_prefix", "path_regex", "headers", "query_params"];
export const CONDITION_KEYS: string[] = ["name", "value", "type"];
// Positions in those lists: the readers name keys by position (config/reader.ts).
export const enum TopKey { OutputAttribute, Default, Debug, Routes, Services, Metrics, Strict, RegexMaxProgramSize }
const enum RouteKey { Name, Method, Path, PathPrefix, PathRegex, Headers, QueryParams }
const enum ConditionKey { Name, Value, Type }
// Pairs: accepted alias, canonical key.
export const ROUTE_ALIASES: string[] = ["methods", "method", "queryParams", "query_params", "pathPrefix", "path_prefix",
  "pathRegex", "path_regex"];

/** Validates an output attribute name (a filter-state key suffix). Shared with the attributegen form. */
export function checkAttributeName(name: string, path: string, diags: Diagnostics): void {
  if (name.length == 0) {
    diags.error(path, "must not be empty");
    return;
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c == 0x7f || c == 0) {
      diags.error(path, "must not contain whitespace or control characters (column " + (i + 1).toString() + ")");
      return;
    }
  }
  if (name.includes(".")) {
    diags.warn(path, "contains '.': Telemetry must then reference filter_state['wasm." + name + "'] exactly");
  }
}

/**
 * Reads `regex_max_program_size` (both forms; `key` is its position in the form's top-level keys)
 * and starts this configuration's regexes with it (regex/index.ts): must run before any pattern
 * of the configuration is compiled.
 */
export function readRegexLimit(top: ObjectReader, key: i32, diags: Diagnostics): void {
  let limit = DEFAULT_MAX_PROGRAM_SIZE;
  const v = top.value(key);
  if (v !== null && !v.isNull()) {
    const n = v.isNumber() ? v.asNumber() : -1;
    if (n >= 1 && n <= <f64>MAX_PROGRAM_SIZE && n == Math.floor(n)) {
      limit = <i32>n;
    } else {
      diags.error(PROGRAM_SIZE_KEY, "must be a whole number of instructions from 1 to 10000 (default 100), found " + // MAX_PROGRAM_SIZE, DEFAULT_MAX_PROGRAM_SIZE
        (v.isNumber() ? numberText(n) : kindName(v)));
    }
  }
  beginRegexConfiguration(limit);
}

function numberText(n: f64): string {
  return n == Math.floor(n) && Math.abs(n) < 1e15 ? (<i64>n).toString() : n.toString();
}

/** Reads and completes the native form: readNativeJson(), then finishNativeConfig(). */
export function readNativeConfig(obj: JsonObject, diags: Diagnostics): NativeConfig {
  const cfg = readNativeJson(obj, diags);
  finishNativeConfig(cfg, diags);
  return cfg;
}

/** The part of reading that needs the JSON; the routes' regexes are compiled by finishNativeConfig(). */
export function readNativeJson(obj: JsonObject, diags: Diagnostics): NativeConfig {
  const cfg = new NativeConfig();
  routesLeft = MAX_ROUTES;
  const top = new ObjectReader(obj, "", diags, TOP_KEYS);
  // An invalid setting falls back to its default; an invalid route is left out (config/index.ts
  // decides whether the configuration is then used or rejected).
  let mark = diags.mark();
  readRegexLimit(top, TopKey.RegexMaxProgramSize, diags); // an invalid limit falls back to the default
  top.keep(mark, TopKey.RegexMaxProgramSize);
  mark = diags.mark();
  const attr = top.string(TopKey.OutputAttribute);
  if (changetype<usize>(attr) != 0) checkAttributeName(attr, "output_attribute", diags);
  if (top.keep(mark, TopKey.OutputAttribute) && changetype<usize>(attr) != 0) cfg.outputAttribute = attr;
  mark = diags.mark();
  const def = top.nonEmpty(TopKey.Default, false, " (omit it to leave the attribute unset)");
  if (top.keep(mark, TopKey.Default)) cfg.defaultValue = def;
  cfg.debug = top.flag(TopKey.Debug, false);
  const services = top.value(TopKey.Services);
  cfg.hasServices = services !== null && !services.isNull();
  if (cfg.hasServices) {
    if (top.value(TopKey.Routes) !== null) {
      diags.error("routes", // One literal: the transform does not join literals, each `+` would be a call.
        "\"routes\" and \"services\" cannot be combined: move these routes into a service (a service without \"hosts\" takes the requests no other service claims)");
      diags.drop("routes");
    }
    cfg.services = readServices(top, cfg.regexes, diags);
  } else {
    const routes = top.list(TopKey.Routes, true);
    cfg.routes = readRouteList(routes, "routes", cfg.regexes, diags);
  }
  top.finish(true);
  return cfg;
}

/**
 * Reports that the list at `base` has `count` items, more than the `max` `noun` allowed (`where`
 * completes the message); those from `kept` on are left out. Returns `kept`.
 */
export function tooMany(diags: Diagnostics, base: string, max: i32, noun: string, where: string, kept: i32, count: i32): i32 {
  const first = index(base, kept);
  diags.error(base, "more than " + max.toString() + " " + noun + where + " (the " + noun + " from " + first + " on are not used)");
  diags.drop(first + "…" + index(base, count - 1));
  return kept;
}

/**
 * What is left of MAX_ROUTES, shared by every route list of one configuration (services
 * included): set by readNativeJson, which reads one configuration at a time.
 */
let routesLeft: i32 = MAX_ROUTES;

/**
 * The routes of one route list found at JSON path `base` ("routes", "services[1].routes") that
 * read without error; invalid ones are left out and reported. Their regexes go to `regexes`, and
 * finishNativeConfig() completes the list once they are compiled. `items` null: no list.
 */
export function readRouteList(list: JsonValue | null, base: string, regexes: DeferredRegexes, diags: Diagnostics): RouteSpec[] {
  const out: RouteSpec[] = [];
  if (list === null) return out;
  const total = list.length;
  let count = total;
  if (count > routesLeft) {
    count = tooMany(diags, base, MAX_ROUTES, "routes", base == "routes" ? "" : " in the configuration", routesLeft, count);
  }
  routesLeft -= count;
  regexes.beginList(base);
  // One reader for the whole list, pointed at each route in turn: nothing of the JSON is kept
  // past readRoute().
  const r = ObjectReader.forList(list, base, diags, ROUTE_KEYS, ROUTE_ALIASES);
  while (r.nextObject("an object", true, count)) {
    const route = readRoute(r, regexes, diags);
    if (route !== null) out.push(route);
  }
  if (total == 0) {
    diags.warn(base, base == "routes" ? "no routes: every request is unmatched" : "no routes: every request of this service is unmatched");
  }
  return out;
}

/**
 * The second half of reading the native form, which needs no JSON: compiles the regexes of every
 * route list in one pass (a route whose regex does not compile is left out, its error and drop
 * placed where reading would have reported them), then applies each list's table limits (distinct
 * methods, mixed segments per position). Run it after the collection that frees the JSON
 * (filter/root.ts), so the compiled programs reuse the JSON's memory.
 */
export function finishNativeConfig(cfg: NativeConfig, diags: Diagnostics): void {
  if (cfg.regexes.count > 0) {
    cfg.regexes.compile(diags);
    cfg.regexes = new DeferredRegexes(); // releases the entries
  }
  if (cfg.hasServices) {
    const services = cfg.services;
    for (let s = 0; s < services.length; s++) {
      const service = services[s];
      service.routes = finishRouteList(service.routes, service.routesPath, diags);
    }
  } else {
    cfg.routes = finishRouteList(cfg.routes, "routes", diags);
  }
}

function finishRouteList(routes: RouteSpec[], base: string, diags: Diagnostics): RouteSpec[] {
  return limitMixedSegments(limitMethodCount(withoutFailedRegexes(routes), base, diags), base, diags);
}

/** `routes` without those whose regex did not compile (DeferredRegexes.compile marked them), in place. */
function withoutFailedRegexes(routes: RouteSpec[]): RouteSpec[] {
  let kept = 0;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    if (!route.regexFailed) routes[kept++] = route;
  }
  routes.length = kept;
  return routes;
}

/** The route `r` (a route list's reader) points at. */
function readRoute(r: ObjectReader, regexes: DeferredRegexes, diags: Diagnostics): RouteSpec | null {
  const mark = diags.mark();
  const errorsBefore = diags.errors.length;
  reportObjectProblems(r.obj, diags); // errors of this route

  const name = r.nonEmpty(RouteKey.Name, true, "");
  const route = new RouteSpec(r.position, changetype<usize>(name) == 0 ? "" : name);

  readMethods(r, route, diags);

  const exact = r.string(RouteKey.Path);
  const prefix = r.string(RouteKey.PathPrefix);
  const regex = r.string(RouteKey.PathRegex);
  const pathKeys = (changetype<usize>(exact) != 0 ? 1 : 0) + (changetype<usize>(prefix) != 0 ? 1 : 0) + (changetype<usize>(regex) != 0 ? 1 : 0);
  if (pathKeys > 1) {
    diags.error(r.path, "set only one of path, path_prefix and path_regex");
  } else if (changetype<usize>(exact) != 0) {
    const error = templateError(exact);
    if (changetype<usize>(error) != 0) diags.error(r.pathOf(RouteKey.Path), error);
    route.pathKind = PathMatchKind.Template;
    route.pathText = exact;
  } else if (changetype<usize>(prefix) != 0) {
    if (prefix.length == 0) diags.error(r.pathOf(RouteKey.PathPrefix), "must not be empty (omit it to match any path)");
    else if (prefix.charCodeAt(0) != 0x2f) diags.error(r.pathOf(RouteKey.PathPrefix), "must start with '/'");
    route.pathKind = PathMatchKind.Prefix;
    route.pathText = prefix;
  } else if (changetype<usize>(regex) != 0) {
    route.pathKind = PathMatchKind.Regex;
    route.pathText = regex;
    regexes.add(route, null, RegexPlace.Path, -1, diags);
  }

  route.headers = readConditions(r, RouteKey.Headers, route, regexes, diags);
  route.queryParams = readConditions(r, RouteKey.QueryParams, route, regexes, diags);
  r.finish(true);

  const failed = diags.failedSince(mark);
  // A route with no condition would match every request: never kept, even when the only problem
  // reported is an unknown key (a misspelt "path" is the usual cause, and already explains it).
  const matchesAll = route.pathKind == PathMatchKind.Any && route.methods.length == 0 &&
    route.headers.length == 0 && route.queryParams.length == 0 && pathKeys == 0;
  if (!failed && matchesAll && diags.errors.length == errorsBefore) {
    diags.error(r.path, "route has no match condition (set path, path_prefix, path_regex, method, headers or query_params)");
  }
  const dropped = failed || matchesAll;
  regexes.routeRead(!dropped, diags);
  if (dropped) {
    diags.drop(r.path);
    return null;
  }
  return route;
}

// RFC 9110 tchar (digits, letters and !#$%&'*+-.^_`|~) as two 64-bit masks: bit c of TCHAR_LOW
// for c < 64, bit c - 64 of TCHAR_HIGH for 64 <= c < 128 (no string per character tested).
const TCHAR_LOW: u64 = 0x03ff6cfa00000000;
const TCHAR_HIGH: u64 = 0x57ffffffc7fffffe;

function isTokenChar(c: i32): bool {
  if (<u32>c >= 128) return false;
  return (((c < 64 ? TCHAR_LOW : TCHAR_HIGH) >> <u64>(c & 63)) & 1) != 0;
}

function readMethods(r: ObjectReader, route: RouteSpec, diags: Diagnostics): void {
  // The usual single method is read from its member, without a value handle.
  const member = r.memberIndex(RouteKey.Method);
  if (member < 0) return;
  const kind = r.obj.kindOf(member);
  if (kind == JsonKind.Null) return;
  if (kind == JsonKind.String) {
    addMethod(r.obj.doc.stringAt(member + 1), r, -1, route, diags);
    return;
  }
  const v = r.obj.valueOf(member);
  if (v.isArray()) {
    if (v.firstItem() < 0) diags.error(r.pathOf(RouteKey.Method), "must not be an empty list (omit it to match any method)");
    let i = 0;
    for (let it = v.firstItem(); it >= 0; it = v.nextItem(it)) {
      if (!v.itemIsString(it)) diags.error(methodPath(r, i), mustBe("a string", v.doc.kindAt(it)));
      else addMethod(v.itemString(it), r, i, route, diags);
      i++;
    }
  } else {
    diags.error(r.pathOf(RouteKey.Method), mustBe("a method name or a list of them", v.kind));
  }
}

/** `routes[3].method` or, for item i of a list, `routes[3].method[i]`; built only to report. */
function methodPath(r: ObjectReader, i: i32): string {
  return i < 0 ? r.pathOf(RouteKey.Method) : index(r.pathOf(RouteKey.Method), i);
}

function hasLowerCase(m: string): bool {
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return true;
  }
  return false;
}

function addMethod(m: string, r: ObjectReader, item: i32, route: RouteSpec, diags: Diagnostics): void {
  if (m.length == 0) {
    diags.error(methodPath(r, item), "must not be empty");
    return;
  }
  for (let i = 0; i < m.length; i++) {
    if (!isTokenChar(m.charCodeAt(i))) {
      diags.error(methodPath(r, item), "'" + m + "' is not a valid HTTP method (character at column " + (i + 1).toString() + ")");
      return;
    }
  }
  if (hasLowerCase(m)) {
    diags.error(methodPath(r, item), "'" + m + "': HTTP methods are case-sensitive; did you mean '" + asciiUpper(m) + "'?");
    return;
  }
  // Past MAX_METHODS the configuration is refused anyway (checkMethodCount): stop collecting, so
  // the duplicate check stays bounded however many methods a route lists.
  if (route.methods.length > MAX_METHODS) return;
  if (route.methods.includes(m)) {
    diags.warn(methodPath(r, item), "duplicate method '" + m + "'");
    return;
  }
  route.methods = withMethod(route.methods, m);
}

/**
 * The route table has a method bit mask of MAX_METHODS bits: a route that would bring in one
 * distinct method too many is left out (with its path named), the routes before it are kept.
 */
function limitMethodCount(routes: RouteSpec[], base: string, diags: Diagnostics): RouteSpec[] {
  const seen: string[] = [];
  let kept = 0;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    const methods = route.methods;
    const before = seen.length;
    for (let k = 0; k < methods.length; k++) if (!seen.includes(methods[k])) seen.push(methods[k]);
    if (seen.length > MAX_METHODS) {
      seen.length = before; // the route's methods are not taken
      const path = index(base, route.index);
      diags.error(child(path, "method"), "more than 64 distinct methods across the routes" + // MAX_METHODS
        (base == "routes" ? "" : " of the service"));
      diags.drop(path);
      continue;
    }
    routes[kept++] = route;
  }
  routes.length = kept;
  return routes;
}

/** Routes past the route table's bound on mixed segments at one position are left out (routes/mixed.ts). */
function limitMixedSegments(routes: RouteSpec[], base: string, diags: Diagnostics): RouteSpec[] {
  const over = mixedOverflow(routes);
  if (over.length == 0) return routes;
  let kept = 0;
  let next = 0;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    if (next < over.length && over[next].route == i) {
      const path = index(base, route.index);
      diags.error(child(path, "path"), over[next].message);
      diags.drop(path);
      next++;
      continue;
    }
    routes[kept++] = route;
  }
  routes.length = kept;
  return routes;
}

/** The conditions at route key `key` (headers or query_params). */
function readConditions(r: ObjectReader, key: i32, route: RouteSpec, regexes: DeferredRegexes, diags: Diagnostics): ValueCondition[] {
  const isHeader = key == RouteKey.Headers;
  const list = r.list(key);
  if (list === null || list.firstItem() < 0) return NO_CONDITIONS;
  const out: ValueCondition[] = [];
  const base = r.pathOf(key);
  const names = new Map<string, i32>(); // a set (keys only): a route may carry thousands of conditions; a Map to share its instantiation
  // One reader for the list, as for routes (readRouteList).
  const c = ObjectReader.forList(list, base, diags, CONDITION_KEYS, null);
  while (c.nextObject("an object like {\"name\": \"...\", \"value\": \"...\"}", false, i32.MAX_VALUE)) {
    const i = c.position;
    reportObjectProblems(c.obj, diags);
    let name = c.string(ConditionKey.Name, true);
    const value = c.string(ConditionKey.Value, true);
    const type = c.string(ConditionKey.Type);
    c.finish(true);
    if (changetype<usize>(name) == 0 || changetype<usize>(value) == 0) continue;
    if (name.length == 0) {
      diags.error(c.pathOf(ConditionKey.Name), "must not be empty");
      continue;
    }
    if (isHeader) {
      for (let k = 0; k < name.length; k++) {
        const ch = name.charCodeAt(k);
        if (!(isTokenChar(ch) || (k == 0 && ch == 0x3a /* : pseudo-header */))) {
          diags.error(c.pathOf(ConditionKey.Name), "invalid character in header name at column " + (k + 1).toString());
          name = null;
          break;
        }
      }
      if (changetype<usize>(name) == 0) continue;
      name = asciiLower(name); // Envoy header keys are lower-case
    }
    // Gateway API: only the first entry for a name counts; a second is almost certainly a mistake.
    if (names.has(name)) {
      diags.error(c.pathOf(ConditionKey.Name), "duplicate condition on '" + name + "'");
      continue;
    }
    names.set(name, 0);
    let kind = ValueMatchKind.Exact;
    if (changetype<usize>(type) != 0 && type != "Exact") {
      if (type == "RegularExpression") {
        kind = ValueMatchKind.Regex;
      } else {
        diags.error(c.pathOf(ConditionKey.Type), "must be \"Exact\" or \"RegularExpression\", found \"" + type + "\"");
        continue;
      }
    }
    const condition = new ValueCondition(name, kind, value, null);
    // The pattern is compiled later (finishNativeConfig); one that does not compile drops the route then.
    if (kind == ValueMatchKind.Regex) regexes.add(route, condition, isHeader ? RegexPlace.Header : RegexPlace.Query, i, diags);
    out.push(condition);
  }
  return out;
}
