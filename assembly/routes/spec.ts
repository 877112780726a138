// What a configured route asks of a request, after validation. Produced by the config readers
// (native routes, or attributegen conditions lowered to routes) and compiled by RouteTable.
import { Regex } from "../regex/index";

export const enum PathMatchKind {
  /** No path condition: the route matches any path (method/header/query conditions only). */
  Any = 0,
  /** "path": exact, or a template with parameters / catch-all. */
  Template = 1,
  /** "path_prefix": raw byte prefix of the URL path. */
  Prefix = 2,
  /** "path_regex": RE2 syntax, unanchored search on the URL path (anchor with ^ and $). */
  Regex = 3,
}

export const enum ValueMatchKind {
  Exact = 0,
  Regex = 1,
}

/** A header or query-parameter condition (Gateway API HTTPRouteMatch style). */
export class ValueCondition {
  /** Header names are lower-cased; query parameter names are case-sensitive and raw. */
  nameBytes: ArrayBuffer;
  valueBytes: ArrayBuffer;
  /** Per-request cache slot of the name (RequestView's header cache or query index). */
  slot: i32 = -1;

  constructor(public name: string, public kind: ValueMatchKind, public value: string, public regex: Regex | null) {
    this.nameBytes = String.UTF8.encode(name);
    this.valueBytes = String.UTF8.encode(value);
  }
}

// Shared empty lists: most routes have no conditions, and configure time allocates per route.
export const NO_CONDITIONS: ValueCondition[] = [];

export const ANY_METHOD: string[] = [];

// Routes name one or two methods out of a handful, so their method lists are shared instead of
// allocated per route. A shared list is never changed in place (see withMethod).
const methodLists: string[][] = [];
const SHARED_METHOD_LISTS: i32 = 32;

/** `methods` plus `m` (not in it yet), as a shared list when one is known. */
export function withMethod(methods: string[], m: string): string[] {
  const n = methods.length;
  for (let i = 0; i < methodLists.length; i++) {
    const list = unchecked(methodLists[i]);
    if (list.length != n + 1 || unchecked(list[n]) != m) continue;
    let same = true;
    for (let k = 0; k < n && same; k++) same = unchecked(list[k]) == unchecked(methods[k]);
    if (same) return list;
  }
  const out = new Array<string>(n + 1);
  for (let k = 0; k < n; k++) unchecked((out[k] = unchecked(methods[k])));
  unchecked((out[n] = m));
  if (methodLists.length < SHARED_METHOD_LISTS) methodLists.push(out);
  return out;
}

export class RouteSpec {
  /** Methods this route accepts; empty (the shared ANY_METHOD) = any method. */
  methods: string[] = ANY_METHOD;
  pathKind: PathMatchKind = PathMatchKind.Any;
  /** The path, prefix or regex as written; a template is parsed again when the table is built. */
  pathText: string = "";
  regex: Regex | null = null;
  /** One of its regexes did not compile (config/native-regexes.ts): left out of its route list. */
  regexFailed: bool = false;
  headers: ValueCondition[] = NO_CONDITIONS;
  queryParams: ValueCondition[] = NO_CONDITIONS;

  /** `index` is the route's position in the config: it breaks ties and names the route in logs. */
  constructor(public index: i32, public name: string) {}

  /**
   * How many conditions beyond the path this route states. Among routes with equally specific
   * paths, the one that states more (method, headers, query parameters) is tried first.
   */
  get conditionCount(): i32 {
    return (this.methods.length > 0 ? 1 : 0) + this.headers.length + this.queryParams.length;
  }
}
