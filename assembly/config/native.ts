// The native configuration form: a list of named routes.
//
// { "output_attribute": "istio_operationId", "default": "other", "debug": false,
//   "routes": [ { "name": "GET /users/{id}", "method": ["GET", "HEAD"], "path": "/users/{id}",
//                 "headers": [{ "name": "x-tenant", "value": "a" }],
//                 "query_params": [{ "name": "analytic", "type": "RegularExpression", "value": "^(true|1)$" }] } ] }
//
// Validation is strict (unknown keys are errors): this form is ours, so a typo must not silently
// turn into a route that never matches.
import { JsonObject, JsonValue } from "./json";
import { Diagnostics, child, index } from "./diagnostics";
import { ObjectReader, kindName } from "./reader";
import { RouteSpec, PathMatchKind, ValueCondition, ValueMatchKind, NO_CONDITIONS, ANY_METHOD } from "../routes/spec";
import { parseTemplate } from "../routes/template";
import { MAX_METHODS } from "../routes/table";
import { Regex, lastCompileError, beginRegexConfiguration, DEFAULT_MAX_PROGRAM_SIZE, MAX_PROGRAM_SIZE, PROGRAM_SIZE_KEY } from "../regex/index";

export const DEFAULT_OUTPUT_ATTRIBUTE = "istio_operationId";
export const MAX_ROUTES: i32 = 100000;

export class NativeConfig {
  outputAttribute: string = DEFAULT_OUTPUT_ATTRIBUTE;
  /** Value written when no route matches; null leaves the attribute unset (Istio shows `unknown`). */
  defaultValue: string | null = null;
  debug: bool = false;
  routes: RouteSpec[] = [];
}

export const TOP_KEYS: string[] = ["output_attribute", "default", "debug", "routes", "metrics", PROGRAM_SIZE_KEY];
export const ROUTE_KEYS: string[] = ["name", "method", "path", "path_prefix", "path_regex", "headers", "query_params"];
export const CONDITION_KEYS: string[] = ["name", "value", "type"];
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
 * Reads `regex_max_program_size` (both forms) and starts this configuration's regexes with it
 * (regex/index.ts): must run before any pattern of the configuration is compiled.
 */
export function readRegexLimit(top: ObjectReader, diags: Diagnostics): void {
  let limit = DEFAULT_MAX_PROGRAM_SIZE;
  const v = top.value(PROGRAM_SIZE_KEY);
  if (v !== null && !v.isNull()) {
    const n = v.isNumber() ? v.asNumber() : -1;
    if (n >= 1 && n <= <f64>MAX_PROGRAM_SIZE && n == Math.floor(n)) {
      limit = <i32>n;
    } else {
      diags.error(PROGRAM_SIZE_KEY, "must be a whole number of instructions from 1 to " + MAX_PROGRAM_SIZE.toString() +
        " (default " + DEFAULT_MAX_PROGRAM_SIZE.toString() + "), found " + (v.isNumber() ? numberText(n) : kindName(v)));
    }
  }
  beginRegexConfiguration(limit);
}

function numberText(n: f64): string {
  return n == Math.floor(n) && Math.abs(n) < 1e15 ? (<i64>n).toString() : n.toString();
}

export function readNativeConfig(obj: JsonObject, diags: Diagnostics): NativeConfig {
  const cfg = new NativeConfig();
  const top = new ObjectReader(obj, "", diags, TOP_KEYS);
  readRegexLimit(top, diags);
  const attr = top.string("output_attribute");
  if (attr !== null) {
    cfg.outputAttribute = attr;
    checkAttributeName(attr, "output_attribute", diags);
  }
  const def = top.string("default");
  if (def !== null) {
    if (def.length == 0) diags.error("default", "must not be empty (omit it to leave the attribute unset)");
    cfg.defaultValue = def;
  }
  cfg.debug = top.bool("debug", false);
  const routes = top.array("routes");
  if (routes !== null) {
    if (routes.length > MAX_ROUTES) {
      diags.error("routes", "more than " + MAX_ROUTES.toString() + " routes");
    } else {
      for (let i = 0; i < routes.length; i++) {
        const route = readRoute(routes[i], i, diags);
        if (route !== null) cfg.routes.push(route);
      }
    }
    if (routes.length == 0) diags.warn("routes", "no routes: every request is unmatched");
  }
  top.finish(true);
  checkMethodCount(cfg.routes, diags);
  return cfg;
}

function readRoute(v: JsonValue, i: i32, diags: Diagnostics): RouteSpec | null {
  const path = index("routes", i);
  if (!v.isObject()) {
    diags.error(path, "must be an object, found " + kindName(v));
    return null;
  }
  const errorsBefore = diags.errors.length;
  const r = new ObjectReader(v.asObject(), path, diags, ROUTE_KEYS, ROUTE_ALIASES);

  const name = r.string("name", true);
  if (name !== null && name.length == 0) diags.error(child(path, "name"), "must not be empty");
  const route = new RouteSpec(i, name === null ? "" : name);

  readMethods(r, route, diags);

  const exact = r.string("path");
  const prefix = r.string("path_prefix");
  const regex = r.string("path_regex");
  const pathKeys = (exact !== null ? 1 : 0) + (prefix !== null ? 1 : 0) + (regex !== null ? 1 : 0);
  if (pathKeys > 1) {
    diags.error(path, "set only one of path, path_prefix and path_regex");
  } else if (exact !== null) {
    const t = parseTemplate(exact);
    if (t.template === null) diags.error(child(path, "path"), t.error);
    route.pathKind = PathMatchKind.Template;
    route.pathText = exact;
    route.template = t.template;
  } else if (prefix !== null) {
    if (prefix.length == 0) diags.error(child(path, "path_prefix"), "must not be empty (omit it to match any path)");
    else if (prefix.charCodeAt(0) != 0x2f) diags.error(child(path, "path_prefix"), "must start with '/'");
    route.pathKind = PathMatchKind.Prefix;
    route.pathText = prefix;
  } else if (regex !== null) {
    route.pathKind = PathMatchKind.Regex;
    route.pathText = regex;
    route.regex = compileRegex(regex, child(path, "path_regex"), diags);
  }

  route.headers = readConditions(r, "headers", true, diags);
  route.queryParams = readConditions(r, "query_params", false, diags);
  r.finish(true);

  // Only when the route is otherwise valid: an invalid condition already explains the problem.
  if (diags.errors.length == errorsBefore && route.pathKind == PathMatchKind.Any && route.methods.length == 0 &&
    route.headers.length == 0 && route.queryParams.length == 0 && pathKeys == 0) {
    diags.error(path, "route has no match condition (set path, path_prefix, path_regex, method, headers or query_params)");
  }
  return diags.errors.length == errorsBefore ? route : null;
}

function isTokenChar(c: i32): bool {
  // RFC 9110 tchar
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

function readMethods(r: ObjectReader, route: RouteSpec, diags: Diagnostics): void {
  const v = r.value("method");
  if (v === null || v.isNull()) return;
  const path = r.pathOf("method");
  if (v.isString()) {
    addMethod(v.asString(), path, route, diags);
  } else if (v.isArray()) {
    const items = v.asArray();
    if (items.length == 0) diags.error(path, "must not be an empty list (omit it to match any method)");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!item.isString()) diags.error(index(path, i), "must be a string, found " + kindName(item));
      else addMethod(item.asString(), index(path, i), route, diags);
    }
  } else {
    diags.error(path, "must be a method name or a list of them, found " + kindName(v));
  }
}

function addMethod(m: string, path: string, route: RouteSpec, diags: Diagnostics): void {
  if (m.length == 0) {
    diags.error(path, "must not be empty");
    return;
  }
  for (let i = 0; i < m.length; i++) {
    if (!isTokenChar(m.charCodeAt(i))) {
      diags.error(path, "'" + m + "' is not a valid HTTP method (character at column " + (i + 1).toString() + ")");
      return;
    }
  }
  if (m != m.toUpperCase()) {
    diags.error(path, "'" + m + "': HTTP methods are case-sensitive; did you mean '" + m.toUpperCase() + "'?");
    return;
  }
  if (route.methods === ANY_METHOD) route.methods = [];
  if (route.methods.includes(m)) {
    diags.warn(path, "duplicate method '" + m + "'");
    return;
  }
  route.methods.push(m);
}

function checkMethodCount(routes: RouteSpec[], diags: Diagnostics): void {
  const seen: string[] = [];
  for (let i = 0; i < routes.length; i++) {
    for (let k = 0; k < routes[i].methods.length; k++) {
      if (!seen.includes(routes[i].methods[k])) seen.push(routes[i].methods[k]);
    }
  }
  if (seen.length > MAX_METHODS) {
    diags.error("routes", "more than " + MAX_METHODS.toString() + " distinct methods");
  }
}

export function compileRegex(pattern: string, path: string, diags: Diagnostics): Regex | null {
  if (pattern.length == 0) {
    diags.error(path, "must not be empty");
    return null;
  }
  const re = Regex.compile(pattern);
  if (re === null) {
    const err = lastCompileError();
    if (err !== null) diags.error(path, err.message + " at column " + (err.position + 1).toString());
    else diags.error(path, "invalid regular expression");
  }
  return re;
}

function readConditions(r: ObjectReader, key: string, isHeader: bool, diags: Diagnostics): ValueCondition[] {
  const items = r.array(key);
  if (items === null || items.length == 0) return NO_CONDITIONS;
  const out: ValueCondition[] = [];
  const base = r.pathOf(key);
  const names: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const path = index(base, i);
    const item = items[i];
    if (!item.isObject()) {
      diags.error(path, "must be an object like {\"name\": \"...\", \"value\": \"...\"}, found " + kindName(item));
      continue;
    }
    const c = new ObjectReader(item.asObject(), path, diags, CONDITION_KEYS);
    let name = c.string("name", true);
    const value = c.string("value", true);
    const type = c.string("type");
    c.finish(true);
    if (name === null || value === null) continue;
    if (name.length == 0) {
      diags.error(child(path, "name"), "must not be empty");
      continue;
    }
    if (isHeader) {
      for (let k = 0; k < name.length; k++) {
        const ch = name.charCodeAt(k);
        if (!(isTokenChar(ch) || (k == 0 && ch == 0x3a /* : pseudo-header */))) {
          diags.error(child(path, "name"), "invalid character in header name at column " + (k + 1).toString());
          name = null;
          break;
        }
      }
      if (name === null) continue;
      name = name.toLowerCase(); // Envoy header keys are lower-case
    }
    // Gateway API: only the first entry for a name counts; a second is almost certainly a mistake.
    if (names.includes(name)) {
      diags.error(child(path, "name"), "duplicate condition on '" + name + "'");
      continue;
    }
    names.push(name);
    let kind = ValueMatchKind.Exact;
    let regex: Regex | null = null;
    if (type !== null && type != "Exact") {
      if (type == "RegularExpression") {
        kind = ValueMatchKind.Regex;
        regex = compileRegex(value, child(path, "value"), diags);
        if (regex === null) continue;
      } else {
        diags.error(child(path, "type"), "must be \"Exact\" or \"RegularExpression\", found \"" + type + "\"");
        continue;
      }
    }
    out.push(new ValueCondition(name, kind, value, regex));
  }
  return out;
}
