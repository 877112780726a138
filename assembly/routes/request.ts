// The per-request view the matcher reads: method, path and query as byte ranges of the buffers the
// host returned (no copies, no strings), and header values fetched lazily — only when a candidate
// route has a header condition — and at most once per request. Query parameters are indexed the
// same way: the first query condition a request reaches scans the query string once and records
// the value of every parameter some condition names, so n conditions cost one pass over the query
// plus n lookups, not n passes.

import { ByteKeyTable, FNV_OFFSET, fnvStep } from "./bytes";

/** Where header values come from: the proxy host in the filter, a table in unit tests. */
export abstract class HeaderSource {
  /** The first value of the (lower-case) header, or null when absent. */
  abstract header(name: ArrayBuffer): ArrayBuffer | null;
}

export class RequestView {
  method: ArrayBuffer = new ArrayBuffer(0);
  path: ArrayBuffer = new ArrayBuffer(0);
  /** Bytes of `path` that form the URL path (before '?' or '#'). */
  urlPathLen: i32 = 0;
  /** Query string range in `path` (after '?', before '#'); queryStart < 0 when there is none. */
  queryStart: i32 = -1;
  queryEnd: i32 = -1;
  /** Index into the route table's method list, computed once per request; -2 = not yet computed. */
  methodId: i32 = -2;

  headers: HeaderSource | null = null;
  private headerValues: Array<ArrayBuffer | null> = [];
  private headerFetched: Int32Array = new Int32Array(0);
  private generation: i32 = 1;

  // Query index: value range per configured parameter name (slot), valid when stamped with the
  // current generation; `queryIndexed` is the generation whose query string was scanned.
  private queryNames: ByteKeyTable = new ByteKeyTable();
  private queryValueStart: Int32Array = new Int32Array(0);
  private queryValueLen: Int32Array = new Int32Array(0);
  private queryFound: Int32Array = new Int32Array(0);
  private queryIndexed: i32 = 0;

  /**
   * Sizes the per-request caches: one slot per distinct header name in the config, and one per
   * distinct query-parameter name (`queryNames`: frozen, name bytes in namespace 0 → slot).
   */
  prepare(headerNames: i32, queryNames: ByteKeyTable): void {
    this.headerValues = new Array<ArrayBuffer | null>(headerNames);
    this.headerFetched = new Int32Array(headerNames);
    const n = queryNames.size;
    this.queryNames = queryNames;
    this.queryValueStart = new Int32Array(n);
    this.queryValueLen = new Int32Array(n);
    this.queryFound = new Int32Array(n);
  }

  /** Starts a new request; `path` is the raw `:path` (query and fragment are split off here). */
  reset(method: ArrayBuffer, path: ArrayBuffer, headers: HeaderSource | null): void {
    this.method = method;
    this.path = path;
    this.headers = headers;
    this.methodId = -2;
    this.generation++;
    const p = changetype<usize>(path);
    const n = path.byteLength;
    let urlEnd = n;
    let qStart = -1;
    let qEnd = -1;
    for (let i = 0; i < n; i++) {
      const c = load<u8>(p + <usize>i);
      if (c == 0x3f /* ? */) {
        urlEnd = i;
        qStart = i + 1;
        qEnd = n;
        for (let j = i + 1; j < n; j++) {
          if (load<u8>(p + <usize>j) == 0x23 /* # */) {
            qEnd = j;
            break;
          }
        }
        break;
      }
      if (c == 0x23 /* # */) {
        urlEnd = i;
        break;
      }
    }
    this.urlPathLen = urlEnd;
    this.queryStart = qStart;
    this.queryEnd = qEnd;
  }

  get pathPtr(): usize {
    return changetype<usize>(this.path);
  }

  /** Header value by config-assigned id; fetched from the source on first use in this request. */
  header(id: i32, name: ArrayBuffer): ArrayBuffer | null {
    if (id < 0 || id >= this.headerFetched.length) return null;
    if (unchecked(this.headerFetched[id]) == this.generation) return unchecked(this.headerValues[id]);
    const source = this.headers;
    let value: ArrayBuffer | null = null;
    if (source !== null) value = source.header(name);
    unchecked((this.headerValues[id] = value));
    unchecked((this.headerFetched[id] = this.generation));
    return value;
  }

  /**
   * The value of the first query parameter whose (raw, not percent-decoded) name is the config's
   * query name `slot`, packed as (start << 32 | length) in `path`, or -1 when absent. A bare
   * `flag` has an empty value.
   */
  queryParam(slot: i32): i64 {
    if (slot < 0 || slot >= this.queryFound.length) return -1;
    if (this.queryIndexed != this.generation) this.indexQuery();
    if (unchecked(this.queryFound[slot]) != this.generation) return -1;
    return (<i64>unchecked(this.queryValueStart[slot]) << 32) | <i64>unchecked(this.queryValueLen[slot]);
  }

  /** One pass over the query string: records the first value of every configured parameter name. */
  private indexQuery(): void {
    const gen = this.generation;
    this.queryIndexed = gen;
    if (this.queryStart < 0) return;
    const names = this.queryNames;
    const p = changetype<usize>(this.path);
    const end = this.queryEnd;
    let i = this.queryStart;
    while (i <= end) {
      // name: up to '=' or '&' (hashed on the way), value: up to '&'
      let h = FNV_OFFSET;
      let eq = i;
      while (eq < end) {
        const c = load<u8>(p + <usize>eq);
        if (c == 0x3d /* = */ || c == 0x26 /* & */) break;
        h = fnvStep(h, <u32>c);
        eq++;
      }
      let pairEnd = eq;
      while (pairEnd < end && load<u8>(p + <usize>pairEnd) != 0x26 /* & */) pairEnd++;
      const slot = names.find(0, p + <usize>i, eq - i, h);
      if (slot >= 0 && unchecked(this.queryFound[slot]) != gen) {
        const vStart = eq < pairEnd ? eq + 1 : pairEnd;
        unchecked((this.queryValueStart[slot] = vStart));
        unchecked((this.queryValueLen[slot] = pairEnd - vStart));
        unchecked((this.queryFound[slot] = gen));
      }
      i = pairEnd + 1;
    }
  }
}
