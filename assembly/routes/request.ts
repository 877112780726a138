// The per-request view the matcher reads: method, path and query as byte ranges of the buffers the
// host returned (no copies, no strings), and header values fetched lazily — only when a candidate
// route has a header condition — and at most once per request. Query parameters are indexed the
// same way: the first query condition a request reaches scans the query string once and records
// the value of every parameter some condition names, so n conditions cost one pass over the query
// plus n lookups, not n passes.

import { ByteKeyTable, NO_I32, FNV_OFFSET, fnvStep, findSegmentEnd, findUrlPathEnd, findQueryEnd, findQueryPairEnd } from "./bytes";
import { i32At, setI32At } from "../unchecked";

/** Where header values come from: the proxy host in the filter, a table in unit tests. */
export abstract class HeaderSource {
  /** The first value of the (lower-case) header, or null when absent. */
  abstract header(name: ArrayBuffer): ArrayBuffer | null;
}

export class RequestView {
  /** The method and the raw `:path` (query and fragment included): bytes owned by the caller. */
  methodPtr: usize = 0;
  methodLen: i32 = 0;
  pathPtr: usize = 0;
  pathLen: i32 = 0;
  /** Index into the route table's method list, computed once per request; -2 = not yet computed. */
  methodId: i32 = -2;

  headers: HeaderSource | null = null;
  private headerValues: Array<ArrayBuffer | null> = [];
  private headerFetched: Int32Array = NO_I32;
  private generation: i32 = 1;

  // The path is read once, left to right, and only as far as the matcher asks: the URL path ends
  // at the first '?' or '#' (found by length, nothing is copied), and the first path segments are
  // delimited and hashed in the same scan.
  /** [0, scanned) holds no '?' or '#'. */
  private scanned: i32 = 0;
  /** Length of the URL path once known, else -1. */
  private urlEnd: i32 = -1;
  /** End of the query string once known (-1: not yet looked for). */
  private queryStop: i32 = -1;
  /** Path segments delimited so far in this request; segment k ends at segs[2k], its hash is segs[2k + 1]. */
  private segments: i32 = 0;
  private segs: Int32Array = new Int32Array(16);
  // Buffers passed to reset(), kept reachable while their bytes are in use.
  private methodBuffer: ArrayBuffer | null = null;
  private pathBuffer: ArrayBuffer | null = null;

  // Query index: per configured parameter name (slot s), queryValues[3s ..] is the value's start
  // and length and the generation that found it (valid when it is the current one; one array, so
  // one object per view); `queryIndexed` is the generation whose query string was scanned.
  private queryNames: ByteKeyTable = new ByteKeyTable();
  private queryValues: Int32Array = NO_I32;
  private queryIndexed: i32 = 0;

  /**
   * Sizes the per-request caches: one slot per distinct header name in the config, and one per
   * distinct query-parameter name (`queryNames`: frozen, name bytes in namespace 0 → slot).
   */
  prepare(headerNames: i32, queryNames: ByteKeyTable): void {
    this.headerValues = new Array<ArrayBuffer | null>(headerNames);
    this.headerFetched = new Int32Array(headerNames);
    this.queryNames = queryNames;
    this.queryValues = new Int32Array(3 * queryNames.size);
  }

  /** Starts a new request from buffers (tests, tools); `path` is the raw `:path`. */
  reset(method: ArrayBuffer, path: ArrayBuffer, headers: HeaderSource | null): void {
    this.methodBuffer = method;
    this.pathBuffer = path;
    this.start(changetype<usize>(method), method.byteLength, changetype<usize>(path), path.byteLength, headers);
  }

  /** Starts a new request on bytes that stay valid until the next one. Nothing is scanned yet. */
  start(methodPtr: usize, methodLen: i32, pathPtr: usize, pathLen: i32, headers: HeaderSource | null): void {
    this.methodPtr = methodPtr;
    this.methodLen = methodLen;
    this.pathPtr = pathPtr;
    this.pathLen = pathLen;
    this.headers = headers;
    this.methodId = -2;
    this.generation++;
    this.scanned = 0;
    this.urlEnd = pathLen == 0 ? 0 : -1;
    this.queryStop = -1;
    this.segments = 0;
  }

  /** Bytes of the path that form the URL path (before '?' or '#'). */
  get urlPathLen(): i32 {
    if (this.urlEnd < 0) this.scanUrl(this.pathLen);
    return this.urlEnd;
  }

  /** min(urlPathLen, limit), reading at most `limit` bytes of the path. */
  urlPrefixLen(limit: i32): i32 {
    const n = min(limit, this.pathLen);
    if (this.urlEnd < 0) this.scanUrl(n);
    return this.urlEnd >= 0 ? min(this.urlEnd, n) : n;
  }

  /** Start of the query string (after '?', before '#'); -1 when there is none. */
  get queryStart(): i32 {
    const end = this.urlPathLen;
    return end < this.pathLen && load<u8>(this.pathPtr + <usize>end) == 0x3f /* ? */ ? end + 1 : -1;
  }

  /** End of the query string; -1 when there is none. */
  get queryEnd(): i32 {
    const start = this.queryStart;
    if (start < 0) return -1;
    if (this.queryStop < 0) this.queryStop = findQueryEnd(this.pathPtr, start, this.pathLen);
    return this.queryStop;
  }

  private scanUrl(limit: i32): void {
    if (this.scanned < limit) {
      const i = findUrlPathEnd(this.pathPtr, this.scanned, limit);
      this.scanned = i;
      if (i < limit) {
        this.urlEnd = i;
        return;
      }
    }
    if (this.scanned >= this.pathLen) this.urlEnd = this.pathLen;
  }

  // ---- path segments, for the route trie. The path must start with '/'. ----

  /** Whether segment k exists: segment 0 follows the leading '/', segment k > 0 a '/' ending segment k - 1 (already delimited). */
  hasSegment(k: i32): bool {
    if (k == 0) return true;
    const end = i32At(this.segs, 2 * k - 2);
    return end < this.pathLen && load<u8>(this.pathPtr + <usize>end) == 0x2f /* / */;
  }

  @inline segmentStart(k: i32): i32 {
    return k == 0 ? 1 : i32At(this.segs, 2 * k - 2) + 1;
  }

  /**
   * End of segment k, delimiting it on first use (segments are delimited in order: k is at most
   * the number delimited so far). Its FNV-1a hash (segmentHash) is computed in the same pass when
   * it is at most `hashLimit` bytes long — longer segments cannot equal any configured literal.
   */
  segmentEnd(k: i32, hashLimit: i32): i32 {
    if (k < this.segments) return i32At(this.segs, 2 * k);
    return this.delimit(k, hashLimit);
  }

  /** Hash of segment k's bytes (valid when its length is at most the hashLimit it was delimited with). */
  segmentHash(k: i32): u32 {
    return <u32>i32At(this.segs, 2 * k + 1);
  }

  private delimit(k: i32, hashLimit: i32): i32 {
    if (2 * k >= this.segs.length) this.growSegments(k + 1);
    const p = this.pathPtr;
    const n = this.pathLen;
    const start = this.segmentStart(k);
    const hashEnd = min(n, start + max(hashLimit, 0));
    let h = FNV_OFFSET;
    let i = start;
    while (i < hashEnd) {
      const c = load<u8>(p + <usize>i);
      if (c == 0x2f /* / */ || c == 0x3f /* ? */ || c == 0x23 /* # */) break;
      h = fnvStep(h, <u32>c);
      i++;
    }
    if (i == hashEnd) i = findSegmentEnd(p, i, n);
    const segs = this.segs;
    setI32At(segs, 2 * k, i);
    setI32At(segs, 2 * k + 1, <i32>h);
    this.segments = k + 1;
    if (i > this.scanned) this.scanned = i;
    if (i == n || load<u8>(p + <usize>i) != 0x2f) this.urlEnd = i;
    return i;
  }

  private growSegments(needed: i32): void {
    const segs = new Int32Array(max(2 * needed, this.segs.length << 1));
    memory.copy(segs.dataStart, this.segs.dataStart, <usize>this.segments << 3);
    this.segs = segs;
  }

  /** Ends the request: drops the header values fetched, so they do not outlive it (a 60 KiB header each). */
  finish(): void {
    const values = this.headerValues;
    for (let i = 0; i < values.length; i++) unchecked((values[i] = null));
  }

  /** Header value by config-assigned id; fetched from the source on first use in this request. */
  header(id: i32, name: ArrayBuffer): ArrayBuffer | null {
    if (id < 0 || id >= this.headerFetched.length) return null;
    if (i32At(this.headerFetched, id) == this.generation) return unchecked(this.headerValues[id]);
    const source = this.headers;
    let value: ArrayBuffer | null = null;
    if (source !== null) value = source.header(name);
    unchecked((this.headerValues[id] = value));
    setI32At(this.headerFetched, id, this.generation);
    return value;
  }

  /**
   * The value of the first query parameter whose (raw, not percent-decoded) name is the config's
   * query name `slot`, packed as (start << 32 | length) in `path`, or -1 when absent. A bare
   * `flag` has an empty value.
   */
  queryParam(slot: i32): i64 {
    const at = 3 * slot;
    if (slot < 0 || at >= this.queryValues.length) return -1;
    if (this.queryIndexed != this.generation) this.indexQuery();
    const values = this.queryValues;
    if (i32At(values, at + 2) != this.generation) return -1;
    return (<i64>i32At(values, at) << 32) | <i64>i32At(values, at + 1);
  }

  /** One pass over the query string: records the first value of every configured parameter name. */
  private indexQuery(): void {
    const gen = this.generation;
    this.queryIndexed = gen;
    const start = this.queryStart;
    if (start < 0) return;
    const names = this.queryNames;
    const values = this.queryValues;
    const p = this.pathPtr;
    const n = this.pathLen;
    // One pass to the end of the query: each pair's end ('&', or '#' / the end of the path, which
    // ends the query too) is found eight bytes per step, since a value can be long (a client's choice).
    let i = start;
    while (true) {
      // name: up to '=', '&' or '#' (hashed on the way)
      let h = FNV_OFFSET;
      let eq = i;
      while (eq < n) {
        const c = load<u8>(p + <usize>eq);
        if (c == 0x3d /* = */ || c == 0x26 /* & */ || c == 0x23 /* # */) break;
        h = fnvStep(h, <u32>c);
        eq++;
      }
      const pairEnd = findQueryPairEnd(p, eq, n);
      const at = 3 * names.find(0, p + <usize>i, eq - i, h);
      if (at >= 0 && i32At(values, at + 2) != gen) {
        const vStart = eq < pairEnd ? eq + 1 : pairEnd;
        setI32At(values, at, vStart);
        setI32At(values, at + 1, pairEnd - vStart);
        setI32At(values, at + 2, gen);
      }
      if (pairEnd >= n || load<u8>(p + <usize>pairEnd) == 0x23 /* # */) {
        this.queryStop = pairEnd; // the query's end, found on the way (see queryEnd)
        return;
      }
      i = pairEnd + 1;
    }
  }
}
