// The compiled route table: configuration time turns the route list into
//   1. a segment trie for exact paths and templates (literal edges in one hash table),
//   2. a hash table of path prefixes keyed by (length, bytes),
//   3. the regex routes, in config order,
//   4. routes with no path condition.
// A request is classified by walking these tiers in that order, so the cost depends on the path's
// depth and length, not on the number of routes (only regex routes are tried one by one).
//
// Precedence (documented in the README, tested in tests/unit/table.spec.ts):
//   exact / template  >  prefix  >  regex  >  no path condition.
//   Templates compare segment by segment from the left: literal > parameter > catch-all.
//   Prefixes: the longest matching prefix first.
//   Among routes with the same path pattern: more conditions (method, headers, query) first, then config order.
//   A route whose method/header/query conditions fail lets the next candidate in precedence order match.
import { RouteSpec, PathMatchKind, ValueCondition, ValueMatchKind } from "./spec";
import { SegmentKind } from "./template";
import { ByteKeyTable, FNV_OFFSET, fnvStep, fnvBytes, equalsBuffer } from "./bytes";
import { RequestView } from "./request";

export const NO_ROUTE: i32 = -1;
export const MAX_METHODS: i32 = 64;

/** Sort key for candidates: more conditions first, then config order (position in `routes`). */
function candidateKey(r: RouteSpec, position: i32): i64 {
  return (<i64>(10000 - min(r.conditionCount, 9999)) << 32) | <i64>position;
}

function sortedList(routes: RouteSpec[], ids: i32[]): Int32Array {
  const keys = new Array<i64>(ids.length);
  for (let i = 0; i < ids.length; i++) keys[i] = candidateKey(routes[ids[i]], ids[i]);
  keys.sort((a: i64, b: i64): i32 => (a < b ? -1 : a > b ? 1 : 0));
  const out = new Int32Array(ids.length);
  for (let i = 0; i < keys.length; i++) out[i] = <i32>(keys[i] & 0xffffffff);
  return out;
}

export class RouteTable {
  routes: RouteSpec[];
  /** Distinct method names used by any route; a route's method set is a bit mask over this list. */
  methodNames: ArrayBuffer[] = [];
  private methodMasks: Uint64Array = new Uint64Array(0);

  // Trie: node 0 is the root ("/" consumed). Candidate lists are ids into `lists` (-1: none).
  private paramChild: Int32Array = new Int32Array(0);
  private hasLiteralChild: Uint8Array = new Uint8Array(0);
  private terminalList: Int32Array = new Int32Array(0);
  private catchAllList: Int32Array = new Int32Array(0);
  private edges: ByteKeyTable = new ByteKeyTable();
  private lists: Int32Array[] = [];

  private prefixes: ByteKeyTable = new ByteKeyTable();
  private prefixLengths: Int32Array = new Int32Array(0); // distinct, longest first
  private prefixStates: Uint32Array = new Uint32Array(1);
  private maxPrefixLen: i32 = 0;

  private regexRoutes: Int32Array = new Int32Array(0);
  private anyPathList: i32 = -1;
  private templateCount: i32 = 0;

  /** Number of distinct header names used by conditions (size of RequestView's header cache). */
  headerSlots: i32 = 0;

  constructor(routes: RouteSpec[]) {
    this.routes = routes;
    this.assignMethods();
    this.assignHeaderSlots();
    this.buildTrie();
    this.buildPrefixes();
    this.buildRegexAndAny();
  }

  private assignMethods(): void {
    this.methodMasks = new Uint64Array(this.routes.length);
    const names: string[] = [];
    for (let r = 0; r < this.routes.length; r++) {
      const route = this.routes[r];
      let mask: u64 = 0;
      for (let m = 0; m < route.methods.length; m++) {
        let id = names.indexOf(route.methods[m]);
        if (id < 0) {
          id = names.length;
          names.push(route.methods[m]);
        }
        // Config validation caps distinct methods at MAX_METHODS; guard anyway.
        if (id < MAX_METHODS) mask |= (<u64>1) << <u64>id;
      }
      this.methodMasks[r] = mask;
    }
    for (let i = 0; i < names.length; i++) this.methodNames.push(String.UTF8.encode(names[i]));
  }

  private assignHeaderSlots(): void {
    const names: string[] = [];
    for (let r = 0; r < this.routes.length; r++) {
      const hs = this.routes[r].headers;
      for (let h = 0; h < hs.length; h++) {
        let slot = names.indexOf(hs[h].name);
        if (slot < 0) {
          slot = names.length;
          names.push(hs[h].name);
        }
        hs[h].slot = slot;
      }
    }
    this.headerSlots = names.length;
  }

  private buildTrie(): void {
    const param = new Array<i32>();
    const hasLiteral = new Array<u8>();
    const terminal = new Array<Array<i32>>();
    const catchAll = new Array<Array<i32>>();
    const edgeIndex = new Map<string, i32>();
    const edgeKeys = new Array<string>();
    const edgeParents = new Array<i32>();
    const edgeChildren = new Array<i32>();
    // root
    param.push(-1);
    hasLiteral.push(0);
    terminal.push([]);
    catchAll.push([]);

    for (let r = 0; r < this.routes.length; r++) {
      const route = this.routes[r];
      if (route.pathKind != PathMatchKind.Template) continue;
      const template = route.template;
      if (template === null) continue;
      this.templateCount++;
      let node = 0;
      let endsWithCatchAll = false;
      for (let s = 0; s < template.segments.length; s++) {
        const seg = template.segments[s];
        if (seg.kind == SegmentKind.CatchAll) {
          catchAll[node].push(r);
          endsWithCatchAll = true;
          break;
        }
        let next = -1;
        if (seg.kind == SegmentKind.Param) {
          next = param[node];
          if (next < 0) {
            next = param.length;
            param[node] = next;
          }
        } else {
          const key = node.toString() + "/" + seg.text;
          if (edgeIndex.has(key)) {
            next = edgeIndex.get(key);
          } else {
            next = param.length;
            edgeIndex.set(key, next);
            edgeKeys.push(seg.text);
            edgeParents.push(node);
            edgeChildren.push(next);
            hasLiteral[node] = 1;
          }
        }
        if (next == param.length) {
          param.push(-1);
          hasLiteral.push(0);
          terminal.push([]);
          catchAll.push([]);
        }
        node = next;
      }
      if (!endsWithCatchAll) terminal[node].push(r);
    }

    const n = param.length;
    this.paramChild = new Int32Array(n);
    this.hasLiteralChild = new Uint8Array(n);
    this.terminalList = new Int32Array(n);
    this.catchAllList = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.paramChild[i] = param[i];
      this.hasLiteralChild[i] = hasLiteral[i];
      this.terminalList[i] = this.addList(terminal[i]);
      this.catchAllList[i] = this.addList(catchAll[i]);
    }
    for (let e = 0; e < edgeKeys.length; e++) {
      this.edges.add(edgeParents[e], Uint8Array.wrap(String.UTF8.encode(edgeKeys[e])), edgeChildren[e]);
    }
    this.edges.freeze();
  }

  private addList(ids: i32[]): i32 {
    if (ids.length == 0) return -1;
    this.lists.push(sortedList(this.routes, ids));
    return this.lists.length - 1;
  }

  private buildPrefixes(): void {
    const byPrefix = new Map<string, i32>(); // prefix → index into groups
    const groups = new Array<Array<i32>>();
    const texts = new Array<string>();
    for (let r = 0; r < this.routes.length; r++) {
      const route = this.routes[r];
      if (route.pathKind != PathMatchKind.Prefix) continue;
      let g = -1;
      if (byPrefix.has(route.pathText)) {
        g = byPrefix.get(route.pathText);
      } else {
        g = groups.length;
        byPrefix.set(route.pathText, g);
        groups.push([]);
        texts.push(route.pathText);
      }
      groups[g].push(r);
    }
    const lengths = new Array<i32>();
    for (let g = 0; g < groups.length; g++) {
      const bytes = Uint8Array.wrap(String.UTF8.encode(texts[g]));
      this.prefixes.add(bytes.length, bytes, this.addList(groups[g]));
      if (!lengths.includes(bytes.length)) lengths.push(bytes.length);
      if (bytes.length > this.maxPrefixLen) this.maxPrefixLen = bytes.length;
    }
    this.prefixes.freeze();
    lengths.sort((a: i32, b: i32): i32 => b - a);
    this.prefixLengths = new Int32Array(lengths.length);
    for (let i = 0; i < lengths.length; i++) this.prefixLengths[i] = lengths[i];
    this.prefixStates = new Uint32Array(this.maxPrefixLen + 1);
  }

  private buildRegexAndAny(): void {
    const regexIds = new Array<i32>();
    const anyIds = new Array<i32>();
    for (let r = 0; r < this.routes.length; r++) {
      const kind = this.routes[r].pathKind;
      if (kind == PathMatchKind.Regex) regexIds.push(r);
      else if (kind == PathMatchKind.Any) anyIds.push(r);
    }
    this.regexRoutes = new Int32Array(regexIds.length);
    for (let i = 0; i < regexIds.length; i++) this.regexRoutes[i] = regexIds[i];
    this.anyPathList = this.addList(anyIds);
  }

  // ---- per request -------------------------------------------------------------------------

  /** The index of the route this request belongs to, or NO_ROUTE. */
  match(req: RequestView): i32 {
    const ptr = req.pathPtr;
    const urlLen = req.urlPathLen;
    if (this.templateCount > 0 && urlLen > 0 && load<u8>(ptr) == 0x2f /* / */) {
      const r = this.matchNode(req, 0, 1);
      if (r >= 0) return r;
    }
    if (this.prefixLengths.length > 0) {
      const r = this.matchPrefix(req);
      if (r >= 0) return r;
    }
    const regexRoutes = this.regexRoutes;
    for (let i = 0; i < regexRoutes.length; i++) {
      const id = unchecked(regexRoutes[i]);
      const regex = unchecked(this.routes[id]).regex;
      if (regex !== null && regex.matchBytes(ptr, urlLen) && this.accepts(id, req)) return id;
    }
    return this.firstAccepted(this.anyPathList, req);
  }

  /**
   * Depth-first search of the trie in precedence order (literal, then parameter, then catch-all);
   * the first accepted candidate is the most specific match. `pos` is the start of the next path
   * segment, or -1 once the path is used up. Each trie node is visited at most once per request.
   */
  private matchNode(req: RequestView, node: i32, pos: i32): i32 {
    if (pos < 0) {
      const r = this.firstAccepted(unchecked(this.terminalList[node]), req);
      if (r >= 0) return r;
      return this.firstAccepted(unchecked(this.catchAllList[node]), req);
    }
    const ptr = req.pathPtr;
    const urlLen = req.urlPathLen;
    let end = pos;
    while (end < urlLen && load<u8>(ptr + <usize>end) != 0x2f) end++;
    const next = end < urlLen ? end + 1 : -1;
    const segLen = end - pos;
    if (unchecked(this.hasLiteralChild[node]) != 0) {
      const segPtr = ptr + <usize>pos;
      const child = this.edges.find(node, segPtr, segLen, fnvBytes(segPtr, segLen));
      if (child >= 0) {
        const r = this.matchNode(req, child, next);
        if (r >= 0) return r;
      }
    }
    const param = unchecked(this.paramChild[node]);
    if (param >= 0 && segLen > 0) {
      const r = this.matchNode(req, param, next);
      if (r >= 0) return r;
    }
    return this.firstAccepted(unchecked(this.catchAllList[node]), req);
  }

  private matchPrefix(req: RequestView): i32 {
    const ptr = req.pathPtr;
    const n = min(req.urlPathLen, this.maxPrefixLen);
    const states = this.prefixStates;
    let h = FNV_OFFSET;
    unchecked((states[0] = h));
    for (let i = 0; i < n; i++) {
      h = fnvStep(h, <u32>load<u8>(ptr + <usize>i));
      unchecked((states[i + 1] = h));
    }
    const lengths = this.prefixLengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = unchecked(lengths[i]);
      if (len > n) continue;
      const list = this.prefixes.find(len, ptr, len, unchecked(states[len]));
      if (list >= 0) {
        const r = this.firstAccepted(list, req);
        if (r >= 0) return r;
      }
    }
    return NO_ROUTE;
  }

  private firstAccepted(list: i32, req: RequestView): i32 {
    if (list < 0) return NO_ROUTE;
    const ids = unchecked(this.lists[list]);
    for (let i = 0; i < ids.length; i++) {
      const id = unchecked(ids[i]);
      if (this.accepts(id, req)) return id;
    }
    return NO_ROUTE;
  }

  /** Method, header and query-parameter conditions of one route. */
  accepts(id: i32, req: RequestView): bool {
    const mask = unchecked(this.methodMasks[id]);
    if (mask != 0) {
      let m = req.methodId;
      if (m == -2) {
        m = this.methodIndex(req.method);
        req.methodId = m;
      }
      if (m < 0 || (mask & ((<u64>1) << <u64>m)) == 0) return false;
    }
    const route = unchecked(this.routes[id]);
    const headers = route.headers;
    for (let i = 0; i < headers.length; i++) {
      const cond = unchecked(headers[i]);
      const value = req.header(cond.slot, cond.nameBytes);
      if (value === null) return false;
      if (!valueMatches(cond, changetype<usize>(value), value.byteLength)) return false;
    }
    const query = route.queryParams;
    for (let i = 0; i < query.length; i++) {
      const cond = unchecked(query[i]);
      const range = req.queryParam(cond.nameBytes);
      if (range < 0) return false;
      const start = <i32>(range >> 32);
      const len = <i32>(range & 0xffffffff);
      if (!valueMatches(cond, req.pathPtr + <usize>start, len)) return false;
    }
    return true;
  }

  private methodIndex(method: ArrayBuffer): i32 {
    const names = this.methodNames;
    for (let i = 0; i < names.length; i++) {
      if (equalsBuffer(changetype<usize>(method), method.byteLength, unchecked(names[i]))) return i;
    }
    return -1;
  }
}

function valueMatches(cond: ValueCondition, ptr: usize, len: i32): bool {
  if (cond.kind == ValueMatchKind.Exact) return equalsBuffer(ptr, len, cond.valueBytes);
  const regex = cond.regex;
  return regex !== null && regex.matchBytes(ptr, len);
}
