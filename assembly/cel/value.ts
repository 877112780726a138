// Runtime values.
//
// A Value is a mutable slot, not an immutable object: every evaluation node owns one and rewrites it
// on each evaluation, so evaluating a compiled condition allocates nothing. Strings and bytes are
// views (ptr, len) into UTF-8 memory owned by someone else — a compile-time literal buffer, a
// buffer returned by the host (held by the Activation for the round), the round's arena, or a
// node's scratch buffer — so comparing `request.method == 'GET'` is a byte comparison, never a
// decode to an AS string.
//
// `owner` keeps configuration-lifetime bytes alive (literals, folded constants). A view of request
// data has none: the nodes of a condition outlive the request, and a reference from them would
// keep the last request's path or headers reachable until the next request replaced them, so a
// long path was held twice. Such views are valid for their round only — the Activation holds the
// bytes until endRound(), and no collection runs inside a host callback (filter/memory.ts).

import { firstInvalidUtf8 } from "../regex/utf8";
import { EvalNode } from "./eval";
// One out-of-line byte comparison for the whole module: memory.compare inlines ~150 B of code at
// every call site.
import { bytesEqual as sameRange, sameBytes } from "../routes/bytes";

export const enum Kind {
  Error,
  Null,
  Bool,
  Int,
  Uint,
  Double,
  String,
  Bytes,
  Timestamp, // i = ns since the Unix epoch
  Duration, // i = ns
  List,
  Map, // an attribute-backed map (request.headers, filter_state): entries are fetched lazily
}

export const enum ErrorCode {
  None,
  NoSuchAttribute, // attribute absent (Envoy NotFound), e.g. response.code before the response
  NoSuchKey, // map key absent, e.g. request.headers['user'] without the header
  NoMatchingOverload, // operator/function applied to types it does not support
  IntOverflow,
  DivideByZero,
  ModulusByZero,
  BadConversion, // int('abc'), uint(-1), ...
  InvalidUtf8,
  MalformedAttribute, // the host returned bytes that do not decode as the attribute's type
  IndexOutOfRange,
  Unsupported, // e.g. size(filter_state)
  BudgetExceeded, // the round's intermediates would exceed EVAL_BUDGET_BYTES (budget.ts)
}

/** CEL type names of the kinds, indexed by Kind (also the names of the scalar static types). */
const KIND_NAMES: StaticArray<string> = [
  "error", "null_type", "bool", "int", "uint", "double", "string", "bytes",
  "google.protobuf.Timestamp", "google.protobuf.Duration", "list", "map",
];

export function kindName(k: Kind): string {
  return <u32>k < <u32>KIND_NAMES.length ? unchecked(KIND_NAMES[k]) : "?";
}


export class Value {
  // Small on purpose: every evaluation node is its own Value (eval.ts EvalNode), and a
  // configuration may hold 10⁵ conditions. Laid out without padding (the i64 first); fields only
  // one kind uses share storage (`d` is `i`, `mapAttr` and `errCode` are `len`).
  i: i64 = 0; // Bool (0/1), Int, Uint (bit pattern), Timestamp, Duration; Double (bit pattern, see `d`)
  kind: Kind = Kind.Null;
  ptr: usize = 0; // String / Bytes: first byte
  len: i32 = 0; // String / Bytes: byte length; Map: mapAttr; Error: errCode
  owner: ArrayBuffer | null = null; // keeps configuration-lifetime bytes at ptr alive (null for request data)
  list: Value[] | null = null; // List: the slots of its elements (list literals are the only lists)
  errSite: EvalNode | null = null; // Error: the node that raised it (it describes the error on demand)

  /** Double: the value (stored in `i`). */
  @inline get d(): f64 { return reinterpret<f64>(this.i); }
  @inline set d(x: f64) { this.i = reinterpret<i64>(x); }
  /** Map: AttrId of the backing attribute (stored in `len`). */
  @inline get mapAttr(): i32 { return this.len; }
  @inline set mapAttr(attr: i32) { this.len = attr; }
  /** Error: its code (stored in `len`). */
  @inline get errCode(): ErrorCode { return <ErrorCode>this.len; }
  @inline set errCode(code: ErrorCode) { this.len = <i32>code; }

  @inline setNull(): void { this.kind = Kind.Null; }
  @inline setBool(b: bool): void { this.kind = Kind.Bool; this.i = b ? 1 : 0; }
  @inline setInt(v: i64): void { this.kind = Kind.Int; this.i = v; }
  @inline setUint(v: u64): void { this.kind = Kind.Uint; this.i = <i64>v; }
  @inline setDouble(v: f64): void { this.kind = Kind.Double; this.d = v; }
  @inline setTime(kind: Kind, ns: i64): void { this.kind = kind; this.i = ns; }

  /** String or bytes view over `len` bytes at `ptr` inside `owner`. */
  @inline setBytesView(kind: Kind, owner: ArrayBuffer | null, ptr: usize, len: i32): void {
    this.kind = kind;
    this.owner = owner;
    this.ptr = ptr;
    this.len = len;
  }
  /** String or bytes view over a whole buffer, which it keeps alive (literals, constants). */
  @inline setBuffer(kind: Kind, buf: ArrayBuffer): void {
    this.setBytesView(kind, buf, changetype<usize>(buf), buf.byteLength);
  }
  /** String or bytes view over request data fetched this round: valid for the round, keeps nothing alive. */
  @inline setRequestView(kind: Kind, buf: ArrayBuffer): void {
    this.setBytesView(kind, null, changetype<usize>(buf), buf.byteLength);
  }
  @inline setList(list: Value[]): void { this.kind = Kind.List; this.list = list; }
  @inline setMap(attr: i32): void { this.kind = Kind.Map; this.mapAttr = attr; }
  @inline setError(code: ErrorCode, site: EvalNode | null): void {
    this.kind = Kind.Error;
    this.errCode = code;
    this.errSite = site;
  }
  @inline get isError(): bool { return this.kind == Kind.Error; }
  @inline get asBool(): bool { return this.i != 0; }

  /** Field-by-field copy (no allocation). */
  copyFrom(o: Value): void {
    this.kind = o.kind;
    this.i = o.i;
    this.ptr = o.ptr;
    this.len = o.len;
    this.owner = o.owner;
    this.list = o.list;
    this.errSite = o.errSite;
  }

  /** Debug/message rendering (allocates; never on the evaluation path). */
  toDisplay(): string {
    switch (this.kind) {
      case Kind.Null: return "null";
      case Kind.Bool: return this.i != 0 ? "true" : "false";
      case Kind.Int: return intText(this.i, false);
      case Kind.Uint: return intText(this.i, true) + "u";
      case Kind.Double: return this.d.toString();
      case Kind.String: return "'" + displayText(this.ptr, this.len) + "'";
      case Kind.Bytes: return "b'" + displayText(this.ptr, this.len) + "'";
      case Kind.Timestamp:
      case Kind.Duration: return (this.kind == Kind.Timestamp ? "timestamp(" : "duration(") + intText(this.i, false) + "ns)";
      case Kind.List: return "list";
      case Kind.Map: return "map";
      case Kind.Error: return "error";
    }
    return "?";
  }
}

/** Writes the decimal form of v (as unsigned when `unsigned`) at `base` (>= 21 bytes); returns the length. */
export function formatInt(base: usize, v: i64, unsigned: bool): i32 {
  let mag: u64 = unsigned ? <u64>v : (v < 0 ? <u64>0 - <u64>v : <u64>v);
  const neg = !unsigned && v < 0;
  // write digits backwards at the end of the buffer, then move them to the front
  let p = 21;
  do {
    p--;
    store<u8>(base + <usize>p, <u8>(0x30 + <i32>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  if (neg) {
    p--;
    store<u8>(base + <usize>p, 0x2d);
  }
  const len = 21 - p;
  memory.copy(base, base + <usize>p, <usize>len);
  return len;
}

/** Scratch for intText. */
const INT_TEXT = memory.data(24);

/** The decimal text of an int (or, when `unsigned`, of a uint's bits): for messages. */
function intText(v: i64, unsigned: bool): string {
  return decodeUtf8(INT_TEXT, formatInt(INT_TEXT, v, unsigned));
}

/** Longest text a message quotes; a message about a 1 MiB value must not cost MiBs. */
const DISPLAY_BYTES: i32 = 64;

/** The first DISPLAY_BYTES of UTF-8 text (cut at a character boundary), with "…" when cut. */
function displayText(ptr: usize, len: i32): string {
  if (len <= DISPLAY_BYTES) return decodeUtf8(ptr, len);
  let n = DISPLAY_BYTES;
  while (n > 0 && (load<u8>(ptr + <usize>n) & 0xc0) == 0x80) n--; // do not split a character
  return decodeUtf8(ptr, n) + "…";
}

export function decodeUtf8(ptr: usize, len: i32): string {
  if (len <= 0) return "";
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

// ---- byte-level string helpers (UTF-8 in, no allocation) ------------------------------------

@inline export function bytesEqual(a: Value, b: Value): bool {
  return sameRange(a.ptr, a.len, b.ptr, b.len);
}

/** Lexicographic byte order; for valid UTF-8 this is code-point order, which is CEL's string order. */
export function bytesCompare(a: Value, b: Value): i32 {
  const n = min(a.len, b.len);
  if (n > 0) {
    const c = memory.compare(a.ptr, b.ptr, <usize>n);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

/**
 * True when the `n` bytes at `pp` occur in the `len` bytes at `sp` at some byte offset in
 * [from, to] (from < 0: never). startsWith is [0, 0], endsWith [len - n, same], contains [0, len].
 * Shared by StringTestNode and the fast form (fast.ts).
 */
export function occursAt(sp: usize, len: i32, pp: usize, n: i32, from: i32, to: i32): bool {
  if (n == 0) return true;
  if (from < 0) return false;
  const last = min(to, len - n);
  const first = load<u8>(pp);
  for (let i = from; i <= last; i++) {
    const at = sp + <usize>i;
    if (load<u8>(at) == first && sameBytes(at, pp, n)) return true;
  }
  return false;
}

/** A fresh copy of `len` bytes at `ptr`, with ASCII letters lower-cased when `lower` (header names). */
export function copyBytes(ptr: usize, len: i32, lower: bool): ArrayBuffer {
  const out = new ArrayBuffer(len);
  const o = changetype<usize>(out);
  memory.copy(o, ptr, <usize>len);
  if (lower) {
    for (let i = 0; i < len; i++) {
      const c = load<u8>(o + <usize>i);
      if (c >= 0x41 && c <= 0x5a) store<u8>(o + <usize>i, c | 0x20);
    }
  }
  return out;
}

/** Number of code points in UTF-8 text (= count of non-continuation bytes). */
export function codePointCount(ptr: usize, len: i32): i32 {
  let n = 0;
  for (let i = 0; i < len; i++) {
    if ((load<u8>(ptr + <usize>i) & 0xc0) != 0x80) n++;
  }
  return n;
}

/** Strict UTF-8 validation (no overlongs, no surrogates, max U+10FFFF). */
export function isValidUtf8(ptr: usize, len: i32): bool {
  return firstInvalidUtf8(ptr, len) < 0;
}

// ---- numeric comparison across int / uint / double (CEL: one number line) ------------------

/** -1 / 0 / 1, or 2 when unordered (NaN involved). Both values must be numeric. */
export function compareNumeric(a: Value, b: Value): i32 {
  const ka = a.kind;
  const kb = b.kind;
  if (ka == kb && ka != Kind.Double) {
    // int with int, uint with uint (the common case first)
    if (ka == Kind.Int) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    return <u64>a.i < <u64>b.i ? -1 : <u64>a.i > <u64>b.i ? 1 : 0;
  }
  if (ka == Kind.Double) {
    if (kb != Kind.Double) return negateOrdering(compareNumeric(b, a)); // the double on the right
    if (isNaN(a.d) || isNaN(b.d)) return 2;
    return a.d < b.d ? -1 : a.d > b.d ? 1 : 0;
  }
  if (kb == Kind.Double) return ka == Kind.Int ? compareIntDouble(a.i, b.d) : compareUintDouble(<u64>a.i, b.d);
  // int with uint, either way round
  return ka == Kind.Int ? compareIntUint(a.i, <u64>b.i) : -compareIntUint(b.i, <u64>a.i);
}

@inline function negateOrdering(c: i32): i32 { return c == 2 ? 2 : -c; }

function compareIntUint(a: i64, b: u64): i32 {
  if (a < 0) return -1;
  const ua = <u64>a;
  return ua < b ? -1 : ua > b ? 1 : 0;
}

// 2^63 and 2^64 as doubles (exact).
export const TWO_63: f64 = 9223372036854775808.0;
export const TWO_64: f64 = 18446744073709551616.0;

/**
 * Exact comparison of an int64 with a double (no rounding of the int through f64): a negative
 * int compares as its magnitude against -d, the other way round.
 */
function compareIntDouble(a: i64, d: f64): i32 {
  if (a >= 0) return compareUintDouble(<u64>a, d);
  return negateOrdering(compareUintDouble(<u64>0 - <u64>a, -d)); // |i64.MIN_VALUE| = 2^63 fits a u64
}

function compareUintDouble(a: u64, d: f64): i32 {
  if (isNaN(d)) return 2;
  if (d >= TWO_64) return -1;
  if (d < 0) return 1;
  const t = Math.trunc(d); // in [0, 2^64): exactly representable as u64
  const tu = <u64>t;
  if (a < tu) return -1;
  if (a > tu) return 1;
  return d - t > 0 ? -1 : 0;
}

@inline export function isNumericKind(k: Kind): bool {
  return k == Kind.Int || k == Kind.Uint || k == Kind.Double;
}

/**
 * CEL equality (heterogeneous): numbers compare on one number line, values of different types
 * are unequal (false, not an error), lists compare element-wise. Neither operand may be an error.
 * Returns 1 equal, 0 not equal, -1 when equality is not supported (attribute maps).
 */
export function valuesEqual(a: Value, b: Value): i32 {
  const ka = a.kind;
  const kb = b.kind;
  if (isNumericKind(ka) && isNumericKind(kb)) return compareNumeric(a, b) == 0 ? 1 : 0;
  if (ka != kb) return 0;
  switch (ka) {
    case Kind.Null: return 1;
    case Kind.Bool:
    case Kind.Timestamp:
    case Kind.Duration:
      return a.i == b.i ? 1 : 0;
    case Kind.String:
    case Kind.Bytes:
      return bytesEqual(a, b) ? 1 : 0;
    case Kind.List: {
      const la = a.list;
      const lb = b.list;
      if (la === null || lb === null) return -1; // defensive: never trap
      const n = la.length;
      if (n != lb.length) return 0;
      for (let i = 0; i < n; i++) {
        const r = valuesEqual(unchecked(la[i]), unchecked(lb[i]));
        if (r != 1) return r;
      }
      return 1;
    }
    case Kind.Map:
      return a.mapAttr == b.mapAttr ? 1 : -1;
  }
  return -1;
}
