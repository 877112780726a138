// The compiled route table: configuration time turns the route list into
//   1. a segment trie for exact paths and templates (literal edges in one hash table),
//   2. a hash table of path prefixes keyed by their bytes,
//   3. the regex routes, in config order,
//   4. routes with no path condition.
// A request is classified by walking these tiers in that order, so the cost depends on the path's
// depth and length, not on the number of routes (only regex routes are tried one by one).
//
// Precedence (documented in the README, tested in tests/unit/table.spec.ts and mixed.spec.ts):
//   exact / template  >  prefix  >  regex  >  no path condition.
//   Templates compare segment by segment from the left: literal > mixed > parameter > catch-all;
//   between mixed segments, the order of mixed.ts (more literal text first).
//   Prefixes: the longest matching prefix first.
//   Among routes with the same path pattern: more conditions (method, headers, query) first, then config order.
//   A route whose method/header/query conditions fail lets the next candidate in precedence order match.
import { RouteSpec, PathMatchKind, ValueCondition, ValueMatchKind } from "./spec";
import { SegmentKind, PathTemplate } from "./template";
import { MixedPatterns, MixedShape, compareShapes, shapeHash, mix, hashKey } from "./mixed";
import { ByteKeyTable, NO_I32, NO_U32, FNV_OFFSET, fnvStep, bytesEqual, equalsBuffer, toInt32Array, minusOnes } from "./bytes";
import { RequestView } from "./request";
import { i32At, setI32At, u64At, refAt } from "../unchecked";
import { sortAscending, sortBy } from "../sort";

export const NO_ROUTE: i32 = -1;

// Kinds of children a trie node has besides its parameter child (the low bits of its nodeInfo).
const LITERAL_CHILDREN: i32 = 1;
const MIXED_CHILDREN: i32 = 2;
export const MAX_METHODS: i32 = 64;

/**
 * Collects (list key, route) pairs at build time and turns them into flat candidate lists, each
 * sorted by precedence: more conditions first, then config order. One sort instead of one array
 * per trie node keeps configuring 10,000 routes fast and light.
 */
class ListBuilder {
  private entries: i64[];

  /** `capacity`: at most one entry per route, reserved at once rather than grown by doubling. */
  constructor(capacity: i32) {
    this.entries = new Array<i64>(capacity);
    this.entries.length = 0;
  }

  add(key: i32, route: RouteSpec, position: i32): void {
    const fewerConditions = 1023 - min(route.conditionCount, 1023);
    this.entries.push(((<i64>key) << 30) | ((<i64>fewerConditions) << 20) | <i64>position);
  }

  /**
   * Writes the route ids into `data` (sized `size`) and list starts into `start` (sized `size + 1`;
   * list k is data[start[k] .. start[k + 1])). Returns the list id per key (-1: no routes).
   */
  build(keyCount: i32, data: Int32Array, start: Int32Array): Int32Array {
    const e = this.entries;
    sortAscending(e);
    const ids = minusOnes(keyCount);
    let list = -1;
    let lastKey: i64 = -1;
    for (let i = 0; i < e.length; i++) {
      const key = e[i] >> 30;
      if (key != lastKey) {
        list++;
        start[list] = i;
        ids[<i32>key] = list;
        lastKey = key;
      }
      data[i] = <i32>(e[i] & 0xfffff);
    }
    start[list + 1] = e.length;
    return ids;
  }

  get size(): i32 {
    return this.entries.length;
  }
}

export class RouteTable {
  /** Number of routes compiled. */
  readonly size: i32;
  /**
   * Only routes with header/query conditions or a regex keep their RouteSpec; everything else is
   * in flat typed arrays, so the live configuration is a handful of objects for the garbage
   * collector to mark, whatever the number of routes.
   */
  private conditioned: RouteSpec[] = [];
  private conditionSlot: Int32Array;
  /** Distinct method names used by any route; a route's method set is a bit mask over this list. */
  methodNames: ArrayBuffer[] = [];
  private methodMasks: Uint64Array;

  // Trie: node 0 is the root ("/" consumed). Candidate lists are ids into `lists` (-1: none).
  /** Per node: (parameter child + 1) << 2 | LITERAL_CHILDREN | MIXED_CHILDREN (one load per node visited). */
  private nodeInfo: Int32Array = NO_I32;
  /**
   * The list id per list key: trie node n's exact-end list at 2n, its catch-all list at 2n + 1
   * (then the "any path" list and the prefix groups', which the constructor reads out).
   */
  private nodeLists: Int32Array = NO_I32;
  private edges: ByteKeyTable = new ByteKeyTable();
  /** Longest literal segment (bytes): a longer path segment cannot match one and is not hashed. */
  private maxEdgeLen: i32 = 0;
  // Mixed children: node n's are mixedChild[mixedStart[n] .. mixedStart[n + 1]), most specific
  // first; entry e is pattern e of `mixed`. At most MAX_MIXED_PER_NODE per node (config validation).
  private mixedStart: Int32Array = NO_I32;
  private mixedChild: Int32Array = NO_I32;
  private mixed: MixedPatterns = new MixedPatterns();
  // Candidate lists, flattened: list k is listData[listStart[k] .. listStart[k + 1]).
  private listData: Int32Array = NO_I32;
  private listStart: Int32Array = NO_I32;

  private prefixes: ByteKeyTable = new ByteKeyTable();
  /** Distinct prefix byte lengths, shortest first (i64: see buildPrefixesAndAny); tried longest first. */
  private prefixLengths: i64[] = [];
  private prefixStates: Uint32Array = NO_U32;
  private maxPrefixLen: i32 = 0;

  private regexRoutes: i32[] = [];
  /** The RouteSpec of each regex route (parallel to regexRoutes): its regex without two lookups. */
  private regexSpecs: RouteSpec[] = [];
  private anyPathList: i32 = -1;
  private templateCount: i32 = 0;

  /** Number of distinct header names used by conditions (size of RequestView's header cache). */
  headerSlots: i32 = 0;
  /** Distinct query-parameter names used by conditions → slot (RequestView's query index). */
  queryNames: ByteKeyTable = new ByteKeyTable();

  constructor(routes: RouteSpec[]) {
    const n = routes.length;
    this.size = n;
    // Set before `this` is used: no placeholder arrays are built first.
    const masks = new Uint64Array(n);
    this.methodMasks = masks;
    const slots = minusOnes(n);
    this.conditionSlot = slots;
    this.assignConditions(routes, masks, slots);
    // List keys: trie node n → 2n (exact end) / 2n + 1 (catch-all), then "any path", then the prefix groups.
    const lists = new ListBuilder(n);
    const anyKey = 2 * this.buildTrie(routes, lists);
    const keyCount = this.buildPrefixesAndAny(routes, lists, anyKey);
    this.listData = new Int32Array(lists.size);
    const starts = new Int32Array(lists.size + 1);
    const ids = lists.build(keyCount, this.listData, starts);
    this.listStart = starts;
    this.nodeLists = ids;
    this.prefixes.freezeWith(ids, anyKey + 1);
    this.anyPathList = ids[anyKey];
  }

  /**
   * Per route, what is not its path pattern, in one pass: its method mask (a bit per distinct
   * method name), the slots of its header and query-parameter names (hash tables: linear in the
   * conditions), its RouteSpec when it has conditions or a regex, and the regex routes in config
   * order.
   */
  private assignConditions(routes: RouteSpec[], masks: Uint64Array, slots: Int32Array): void {
    const n = routes.length;
    const methods: string[] = [];
    const headers = new ByteKeyTable(); // header name → slot, configure time only
    const query = this.queryNames;
    for (let r = 0; r < n; r++) {
      const route = routes[r];
      let mask: u64 = 0;
      for (let m = 0; m < route.methods.length; m++) {
        let id = methods.indexOf(route.methods[m]);
        if (id < 0) {
          id = methods.length;
          methods.push(route.methods[m]);
        }
        // Config validation caps distinct methods at MAX_METHODS; guard anyway.
        if (id < MAX_METHODS) mask |= (<u64>1) << <u64>id;
      }
      masks[r] = mask;
      const hs = route.headers;
      for (let h = 0; h < hs.length; h++) hs[h].slot = headers.add(hs[h].name);
      const qs = route.queryParams;
      for (let q = 0; q < qs.length; q++) qs[q].slot = query.add(qs[q].name);
      if (hs.length > 0 || qs.length > 0 || route.regex !== null) {
        slots[r] = this.conditioned.length;
        this.conditioned.push(route);
      }
      if (route.pathKind == PathMatchKind.Regex) {
        this.regexRoutes.push(r);
        this.regexSpecs.push(route);
      }
    }
    for (let i = 0; i < methods.length; i++) this.methodNames.push(String.UTF8.encode(methods[i]));
    this.headerSlots = headers.size;
    query.freeze();
  }

  /** Builds the segment trie; returns the number of nodes. */
  private buildTrie(routes: RouteSpec[], lists: ListBuilder): i32 {
    const info: i32[] = []; // nodeInfo, as it grows
    // Literal edges go straight into `edges` ((parent node, segment bytes) → child), which
    // deduplicates them as they are added: no substring and no per-edge object per route.
    const edges = this.edges;
    const mixedEdges = new Map<string, i32>(); // hashKey(mix(node, shape)) → index in `shapes`
    const shapes = new Array<MixedShape>();
    const template = new PathTemplate(); // reused for every route: no per-route template object
    info.push(0); // the root: no parameter child (-1 + 1), no other children

    for (let r = 0; r < routes.length; r++) {
      const route = routes[r];
      if (route.pathKind != PathMatchKind.Template) continue;
      if (template.parse(route.pathText).length != 0) continue; // validation reported it
      this.templateCount++;
      const text = route.pathText;
      let node = 0;
      let endsWithCatchAll = false;
      for (let s = 0; s < template.length; s++) {
        const kind = template.kindAt(s);
        if (kind == SegmentKind.CatchAll) {
          lists.add(2 * node + 1, route, r);
          endsWithCatchAll = true;
          break;
        }
        let next = info.length; // a new node, unless the edge exists
        if (kind == SegmentKind.Param) {
          const bits = info[node];
          if (bits >= 4) next = (bits >> 2) - 1;
          else info[node] = bits | ((next + 1) << 2);
        } else {
          // Mixed segments that differ only in parameter names are one child.
          const mixed = kind == SegmentKind.Mixed;
          const from = template.startAt(s);
          const to = template.endAt(s);
          const found = mixed ? mixedEdge(mixedEdges, shapes, node, text, from, to, next) : edges.intern(node, text, from, to, next);
          if (found >= 0) next = found;
          else info[node] |= mixed ? MIXED_CHILDREN : LITERAL_CHILDREN;
        }
        if (next == info.length) info.push(0);
        node = next;
      }
      if (!endsWithCatchAll) lists.add(2 * node, route, r);
    }

    const n = info.length;
    this.nodeInfo = toInt32Array(info);
    if (shapes.length > 0) this.buildMixed(shapes, n);
    edges.freeze();
    this.maxEdgeLen = edges.maxKeyLength;
    return n;
  }

  /** Orders each node's mixed children by precedence and compiles their patterns. */
  private buildMixed(shapes: MixedShape[], nodes: i32): void {
    const order = sortShapes(shapes);
    const start = new Int32Array(nodes + 1);
    const child = new Int32Array(shapes.length);
    for (let e = 0; e < shapes.length; e++) {
      const shape = shapes[<i32>order[e]];
      start[shape.parent + 1]++;
      child[e] = shape.child;
    }
    for (let i = 0; i < nodes; i++) start[i + 1] += start[i];
    this.mixedStart = start;
    this.mixedChild = child;
    this.mixed.compile(shapes, order);
  }

  /**
   * Lists the routes without a path condition (list key anyKey) and groups the prefix routes by
   * prefix (list keys anyKey + 1 + group); returns the number of list keys.
   */
  private buildPrefixesAndAny(routes: RouteSpec[], lists: ListBuilder, anyKey: i32): i32 {
    // prefix bytes (namespace 0) → group; the value becomes the group's list id once lists are built
    const prefixes = this.prefixes;
    const lengths = this.prefixLengths; // i64: the module sorts only i64 (one sort instantiation)
    for (let r = 0; r < routes.length; r++) {
      const route = routes[r];
      if (route.pathKind == PathMatchKind.Any) lists.add(anyKey, route, r);
      if (route.pathKind != PathMatchKind.Prefix) continue;
      const text = route.pathText;
      let g = prefixes.size;
      const found = prefixes.intern(0, text, 0, text.length, g);
      if (found >= 0) g = found;
      else {
        const len = prefixes.keyLength(g); // its UTF-8 bytes, as just encoded
        if (!lengths.includes(len)) lengths.push(len);
      }
      lists.add(anyKey + 1 + g, route, r);
    }
    this.maxPrefixLen = prefixes.maxKeyLength;
    // Shortest first (the candidate lists' comparator: one function); matchPrefix reads it from the end.
    sortAscending(lengths);
    this.prefixStates = new Uint32Array(this.maxPrefixLen + 1);
    return anyKey + 1 + prefixes.size;
  }

  // ---- per request -------------------------------------------------------------------------

  /**
   * The index of the route this request belongs to, or NO_ROUTE. The path is read in one pass
   * (RequestView): the trie delimits and hashes the segments it needs, the prefixes read at most
   * the longest configured prefix, and only regex routes need the whole URL path.
   */
  match(req: RequestView): i32 {
    const ptr = req.pathPtr;
    if (this.templateCount > 0 && req.pathLen > 0 && load<u8>(ptr) == 0x2f /* / */) {
      const r = this.matchNode(req, 0, 0);
      if (r >= 0) return r;
    }
    if (this.prefixLengths.length > 0) {
      const r = this.matchPrefix(req);
      if (r >= 0) return r;
    }
    // Regex routes one by one, in config order. Raw loads, and a literal-prefix test before the
    // call: a regex route that cannot match costs a few loads, so many of them stay cheap.
    const regexCount = this.regexRoutes.length;
    if (regexCount > 0) {
      const urlLen = req.urlPathLen;
      const ids = this.regexRoutes.dataStart;
      const specs = this.regexSpecs.dataStart;
      for (let i = 0; i < regexCount; i++) {
        const regex = changetype<RouteSpec>(load<usize>(specs + (<usize>i << alignof<usize>()))).regex;
        if (regex === null || regex.rejectsQuickly(ptr, urlLen)) continue;
        const id = load<i32>(ids + (<usize>i << 2));
        if (regex.matchBytes(ptr, urlLen) && this.accepts(id, req)) return id;
      }
    }
    return this.firstAccepted(this.anyPathList, req);
  }

  /**
   * Depth-first search of the trie in precedence order (literal, then the mixed children most
   * specific first, then parameter, then catch-all); the first accepted candidate is the most
   * specific match. `depth` is the path segment the node's children consume. Each trie node is
   * visited at most once per request, each segment delimited once, and a node without children
   * does not look at the rest of the path at all. A node tries at most MAX_MIXED_PER_NODE mixed
   * patterns, each in time linear in the segment (mixed.ts).
   */
  private matchNode(req: RequestView, node: i32, depth: i32): i32 {
    if (!req.hasSegment(depth)) {
      const r = this.firstAccepted(i32At(this.nodeLists, 2 * node), req);
      if (r >= 0) return r;
    } else {
      const bits = i32At(this.nodeInfo, node);
      if (bits != 0) { // some child
        const kinds = bits & 3;
        const param = (bits >> 2) - 1;
        const start = req.segmentStart(depth);
        const end = req.segmentEnd(depth, this.maxEdgeLen);
        const segLen = end - start;
        if ((kinds & LITERAL_CHILDREN) != 0 && segLen <= this.maxEdgeLen) {
          const child = this.edges.find(node, req.pathPtr + <usize>start, segLen, req.segmentHash(depth));
          if (child >= 0) {
            const r = this.matchNode(req, child, depth + 1);
            if (r >= 0) return r;
          }
        }
        if ((kinds & MIXED_CHILDREN) != 0) {
          const mixed = this.mixed;
          const last = i32At(this.mixedStart, node + 1);
          for (let e = i32At(this.mixedStart, node); e < last; e++) {
            if (!mixed.matches(e, req.pathPtr, start, end)) continue;
            const r = this.matchNode(req, i32At(this.mixedChild, e), depth + 1);
            if (r >= 0) return r;
          }
        }
        if (param >= 0 && segLen > 0) {
          const r = this.matchNode(req, param, depth + 1);
          if (r >= 0) return r;
        }
      }
    }
    return this.firstAccepted(i32At(this.nodeLists, 2 * node + 1), req);
  }

  private matchPrefix(req: RequestView): i32 {
    const ptr = req.pathPtr;
    const n = req.urlPrefixLen(this.maxPrefixLen);
    const states = this.prefixStates;
    let h = FNV_OFFSET;
    setI32At(states, 0, <i32>h);
    for (let i = 0; i < n; i++) {
      h = fnvStep(h, <u32>load<u8>(ptr + <usize>i));
      setI32At(states, i + 1, <i32>h);
    }
    const lengths = this.prefixLengths.dataStart; // ascending: walked from the end, longest first
    for (let i = this.prefixLengths.length - 1; i >= 0; i--) {
      const len = <i32>load<i64>(lengths + (<usize>i << 3));
      if (len > n) continue;
      const list = this.prefixes.find(0, ptr, len, <u32>i32At(states, len));
      if (list >= 0) {
        const r = this.firstAccepted(list, req);
        if (r >= 0) return r;
      }
    }
    return NO_ROUTE;
  }

  private firstAccepted(list: i32, req: RequestView): i32 {
    if (list < 0) return NO_ROUTE;
    const data = this.listData;
    const end = i32At(this.listStart, list + 1);
    for (let i = i32At(this.listStart, list); i < end; i++) {
      const id = i32At(data, i);
      if (this.accepts(id, req)) return id;
    }
    return NO_ROUTE;
  }

  /** Method, header and query-parameter conditions of one route. */
  accepts(id: i32, req: RequestView): bool {
    const mask = u64At(this.methodMasks, id);
    if (mask != 0) {
      let m = req.methodId;
      if (m == -2) {
        m = this.methodIndex(req);
        req.methodId = m;
      }
      if (m < 0 || (mask & ((<u64>1) << <u64>m)) == 0) return false;
    }
    const slot = i32At(this.conditionSlot, id);
    if (slot < 0) return true;
    const route = refAt(this.conditioned, slot);
    const headers = route.headers;
    for (let i = 0; i < headers.length; i++) {
      const cond = refAt(headers, i);
      const value = req.header(cond.slot, cond.nameBytes);
      if (value === null) return false;
      if (!valueMatches(cond, changetype<usize>(value), value.byteLength)) return false;
    }
    const query = route.queryParams;
    for (let i = 0; i < query.length; i++) {
      const cond = refAt(query, i);
      const range = req.queryParam(cond.slot);
      if (range < 0) return false;
      const start = <i32>(range >> 32);
      const len = <i32>(range & 0xffffffff);
      if (!valueMatches(cond, req.pathPtr + <usize>start, len)) return false;
    }
    return true;
  }

  private methodIndex(req: RequestView): i32 {
    const names = this.methodNames;
    for (let i = 0; i < names.length; i++) {
      const name = unchecked(names[i]);
      if (bytesEqual(req.methodPtr, req.methodLen, changetype<usize>(name), name.byteLength)) return i;
    }
    return -1;
  }
}

/**
 * The child of `node` for the mixed segment text[from, to), by shape; when there is none, records
 * `child` as that child (a new MixedShape) and returns -1. Keyed by a 64-bit hash of (node, shape) (hashKey);
 * a hit is confirmed against the shape it names, and a collision moves on to the next key.
 */
function mixedEdge(edges: Map<string, i32>, shapes: MixedShape[], node: i32, text: string, from: i32, to: i32, child: i32): i32 {
  let hash = mix(<u64>node, shapeHash(text, from, to));
  let key = hashKey(hash);
  while (edges.has(key)) {
    const known = shapes[edges.get(key)];
    if (known.parent == node && compareShapes(known.text, known.from, known.to, text, from, to) == 0) return known.child;
    key = hashKey(++hash);
  }
  edges.set(key, shapes.length);
  shapes.push(new MixedShape(node, child, text, from, to));
  return -1;
}

function valueMatches(cond: ValueCondition, ptr: usize, len: i32): bool {
  if (cond.kind == ValueMatchKind.Exact) return equalsBuffer(ptr, len, cond.valueBytes);
  const regex = cond.regex;
  return regex !== null && regex.matchBytes(ptr, len);
}

/** The shapes being sorted by sortShapes (a comparator cannot capture them). */
let shapesInSort: MixedShape[] | null = null;

/**
 * The order of `shapes` by MixedShape.compare, ties in their current order: shapes[order[0]] is
 * first. An i64 index array, so that the module's one sort (sort.ts) serves here too, and no
 * sorted copy of the shapes.
 */
function sortShapes(shapes: MixedShape[]): i64[] {
  const n = shapes.length;
  const order = new Array<i64>(n);
  for (let i = 0; i < n; i++) unchecked((order[i] = i));
  shapesInSort = shapes;
  sortBy(order, (a: i64, b: i64): i32 => {
    const all = shapesInSort!;
    const c = MixedShape.compare(unchecked(all[<i32>a]), unchecked(all[<i32>b]));
    return c != 0 ? c : (a < b ? -1 : 1);
  });
  shapesInSort = null;
  return order;
}
