// The per-request view the matcher reads: method, path and query as byte ranges of the buffers the
// host returned (no copies, no strings), and header values fetched lazily — only when a candidate
// route has a header condition — and at most once per request.

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

  /** Sizes the per-request header cache (one slot per distinct header name in the config). */
  prepare(headerNames: i32): void {
    this.headerValues = new Array<ArrayBuffer | null>(headerNames);
    this.headerFetched = new Int32Array(headerNames);
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
   * Finds the first query parameter named `name` (raw bytes, no percent-decoding) and returns its
   * value range packed as (start << 32 | length), or -1 when absent. A bare `flag` has an empty value.
   */
  queryParam(name: ArrayBuffer): i64 {
    if (this.queryStart < 0) return -1;
    const p = changetype<usize>(this.path);
    const nameLen = name.byteLength;
    const namePtr = changetype<usize>(name);
    let i = this.queryStart;
    const end = this.queryEnd;
    while (i <= end) {
      let pairEnd = i;
      while (pairEnd < end && load<u8>(p + <usize>pairEnd) != 0x26 /* & */) pairEnd++;
      let eq = i;
      while (eq < pairEnd && load<u8>(p + <usize>eq) != 0x3d /* = */) eq++;
      if (eq - i == nameLen && memory.compare(p + <usize>i, namePtr, <usize>nameLen) == 0) {
        const vStart = eq < pairEnd ? eq + 1 : pairEnd;
        return (<i64>vStart << 32) | <i64>(pairEnd - vStart);
      }
      i = pairEnd + 1;
    }
    return -1;
  }
}

