// Function-call nodes: size(), startsWith/endsWith/contains, matches, and the type conversions
// (string/int/uint/double/bytes/bool/duration/timestamp). Same rules as eval.ts: results go into
// the node's own slot, no allocation on the normal path, no traps.

import { Activation } from "./activation";
import { AttrId } from "./attributes";
import {
  Value, Kind, ErrorCode, kindName, decodeUtf8, startsWithBytes, endsWithBytes, containsBytes, codePointCount,
  isValidUtf8,
} from "./value";
import { EvalNode, genericMessage, kindsOf } from "./eval";
import { Regex, lastCompileError } from "../regex/index";
import { parseDuration, parseTimestamp } from "./timeparse";

// ---- size / string tests / matches ------------------------------------------------------------------------------

/** size(x) / x.size(): code points of a string, bytes, list elements, map entries. */
export class SizeNode extends EvalNode {
  operand: EvalNode;
  constructor(operand: EvalNode) {
    super();
    this.operand = operand;
  }
  eval(act: Activation): void {
    const o = this.operand;
    o.eval(act);
    if (this.takeError(o)) return;
    const ov = o.v;
    switch (ov.kind) {
      case Kind.String: this.v.setInt(codePointCount(ov.ptr, ov.len)); return;
      case Kind.Bytes: this.v.setInt(ov.len); return;
      case Kind.List: {
        const list = ov.list;
        if (list === null) break; // defensive: never trap
        this.v.setInt(list.count());
        return;
      }
      case Kind.Map: {
        if (ov.mapAttr == AttrId.FilterState) { this.fail(ErrorCode.Unsupported); return; }
        const buf = act.fetch(ov.mapAttr); // pairs serialization: leading u32 = entry count
        if (buf === null) { this.fail(ErrorCode.NoSuchAttribute); return; }
        if (buf.byteLength == 0) { this.v.setInt(0); return; }
        if (buf.byteLength < 4) { this.fail(ErrorCode.MalformedAttribute); return; }
        this.v.setInt(<i64>load<u32>(changetype<usize>(buf)));
        return;
      }
    }
    this.fail(ErrorCode.NoMatchingOverload);
  }
  describe(code: ErrorCode): string {
    if (code == ErrorCode.NoMatchingOverload) return "no matching overload for 'size' applied to " + kindName(this.operand.v.kind);
    if (code == ErrorCode.Unsupported) return "size() of filter_state is not supported";
    return genericMessage(code) + " in size()";
  }
}

export const enum StringTest { StartsWith, EndsWith, Contains }

/** s.startsWith(p) / s.endsWith(p) / s.contains(p): byte comparisons on UTF-8 (valid for code points). */
export class StringTestNode extends EvalNode {
  subject: EvalNode;
  arg: EvalNode;
  test: StringTest;
  fnName: string;
  constructor(subject: EvalNode, arg: EvalNode, test: StringTest, fnName: string) {
    super();
    this.subject = subject;
    this.arg = arg;
    this.test = test;
    this.fnName = fnName;
  }
  eval(act: Activation): void {
    const s = this.subject;
    s.eval(act);
    if (this.takeError(s)) return;
    const p = this.arg;
    p.eval(act);
    if (this.takeError(p)) return;
    if (s.v.kind != Kind.String || p.v.kind != Kind.String) { this.fail(ErrorCode.NoMatchingOverload); return; }
    let r: bool;
    switch (this.test) {
      case StringTest.StartsWith: r = startsWithBytes(s.v, p.v); break;
      case StringTest.EndsWith: r = endsWithBytes(s.v, p.v); break;
      default: r = containsBytes(s.v, p.v);
    }
    this.v.setBool(r);
  }
  describe(code: ErrorCode): string {
    return "no matching overload for '" + this.fnName + "' applied to " + kindsOf(this.subject.v, this.arg.v);
  }
}

/**
 * s.matches(re) / matches(s, re): RE2 partial (unanchored) match. A literal pattern is compiled once
 * by the checker; a computed pattern is compiled at run time and cached while it stays the same.
 */
export class MatchesNode extends EvalNode {
  subject: EvalNode;
  pattern: EvalNode;
  regex: Regex | null; // compiled at configure time for literal patterns
  private cachedPattern: ArrayBuffer | null = null;
  private lastRegexError: string = "";

  constructor(subject: EvalNode, pattern: EvalNode, regex: Regex | null) {
    super();
    this.subject = subject;
    this.pattern = pattern;
    this.regex = regex;
  }

  eval(act: Activation): void {
    const s = this.subject;
    s.eval(act);
    if (this.takeError(s)) return;
    let re = this.regex;
    if (re === null || !this.pattern.isConst()) {
      const p = this.pattern;
      p.eval(act);
      if (this.takeError(p)) return;
      if (p.v.kind != Kind.String) { this.fail(ErrorCode.NoMatchingOverload); return; }
      re = this.runtimeRegex(p.v);
      if (re === null) { this.fail(ErrorCode.InvalidRegex); return; }
    }
    if (s.v.kind != Kind.String) { this.fail(ErrorCode.NoMatchingOverload); return; }
    this.v.setBool(re.matchBytes(s.v.ptr, s.v.len));
  }

  private runtimeRegex(pv: Value): Regex | null {
    const cached = this.cachedPattern;
    if (cached !== null && this.regex !== null && cached.byteLength == pv.len &&
        (pv.len == 0 || memory.compare(changetype<usize>(cached), pv.ptr, <usize>pv.len) == 0)) {
      return this.regex;
    }
    const re = Regex.compile(decodeUtf8(pv.ptr, pv.len));
    if (re === null) {
      const e = lastCompileError();
      this.lastRegexError = e !== null ? e.message + " at offset " + e.position.toString() : "invalid pattern";
      this.regex = null;
      this.cachedPattern = null;
      return null;
    }
    const copy = new ArrayBuffer(pv.len);
    memory.copy(changetype<usize>(copy), pv.ptr, <usize>pv.len);
    this.cachedPattern = copy;
    this.regex = re;
    return re;
  }

  describe(code: ErrorCode): string {
    if (code == ErrorCode.InvalidRegex) return "invalid regular expression " + this.pattern.v.toDisplay() + ": " + this.lastRegexError;
    return "no matching overload for 'matches' applied to " + kindsOf(this.subject.v, this.pattern.v);
  }
}

// ---- conversions ----------------------------------------------------------------------------

export const enum Conv { ToString, ToInt, ToUint, ToDouble, ToBytes, ToBool, ToDuration, ToTimestamp }

const TRUE_TEXT = String.UTF8.encode("true");
const FALSE_TEXT = String.UTF8.encode("false");

const TWO_63: f64 = 9223372036854775808.0;
const TWO_64: f64 = 18446744073709551616.0;

/** Parses optional sign + decimal digits (CEL int('…') is base 10). Returns false on junk/overflow. */
function parseDecimal(ptr: usize, len: i32, out: Value, unsigned: bool): bool {
  if (len <= 0) return false;
  let i = 0;
  let neg = false;
  const c0 = load<u8>(ptr);
  if (!unsigned && (c0 == 0x2d /* - */ || c0 == 0x2b /* + */)) {
    // like Go's strconv.ParseInt / ParseUint (cel-go): a sign only for int
    neg = c0 == 0x2d;
    i = 1;
    if (len == 1) return false;
  }
  let mag: u64 = 0;
  for (; i < len; i++) {
    const c = load<u8>(ptr + <usize>i);
    if (c < 0x30 || c > 0x39) return false;
    const d = <u64>(c - 0x30);
    if (mag > (u64.MAX_VALUE - d) / 10) return false;
    mag = mag * 10 + d;
  }
  if (unsigned) {
    out.setUint(mag);
    return true;
  }
  if (neg) {
    if (mag > 0x8000000000000000) return false;
    out.setInt(-(<i64>mag));
  } else {
    if (mag > <u64>i64.MAX_VALUE) return false;
    out.setInt(<i64>mag);
  }
  return true;
}

/** Strict double syntax check ([+-] digits [. digits] [e [+-] digits], or inf/nan forms) before parseFloat. */
function looksLikeDouble(s: string): bool {
  const n = s.length;
  if (n == 0) return false;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c == 0x2b || c == 0x2d) i++;
  const rest = s.substring(i).toLowerCase();
  if (rest == "inf" || rest == "infinity" || rest == "nan") return true;
  let digits = 0;
  while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) { i++; digits++; }
  if (i < n && s.charCodeAt(i) == 0x2e) {
    i++;
    while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) { i++; digits++; }
  }
  if (digits == 0) return false;
  if (i < n && (s.charCodeAt(i) | 0x20) == 0x65) {
    i++;
    if (i < n && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) i++;
    let exp = 0;
    while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) { i++; exp++; }
    if (exp == 0) return false;
  }
  return i == n;
}

function parseDoubleText(s: string, out: Value): bool {
  if (!looksLikeDouble(s)) return false;
  const lower = s.toLowerCase();
  if (lower.endsWith("inf") || lower.endsWith("infinity")) {
    out.setDouble(s.charCodeAt(0) == 0x2d ? -Infinity : Infinity);
    return true;
  }
  if (lower.endsWith("nan")) { out.setDouble(NaN); return true; }
  out.setDouble(parseFloat(s));
  return true;
}

/** Writes the decimal form of v into scratch (>= 21 bytes); returns the length. */
function formatInt(buf: ArrayBuffer, v: i64, unsigned: bool): i32 {
  const base = changetype<usize>(buf);
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

export class ConvertNode extends EvalNode {
  operand: EvalNode;
  conv: Conv;
  fnName: string;
  scratch: ArrayBuffer = new ArrayBuffer(24); // string(int) output, reused every evaluation

  constructor(operand: EvalNode, conv: Conv, fnName: string) {
    super();
    this.operand = operand;
    this.conv = conv;
    this.fnName = fnName;
  }

  eval(act: Activation): void {
    const o = this.operand;
    o.eval(act);
    if (this.takeError(o)) return;
    const x = o.v;
    const k = x.kind;
    const v = this.v;
    switch (this.conv) {
      case Conv.ToString: {
        if (k == Kind.String) { v.copyFrom(x); return; }
        if (k == Kind.Bytes) {
          if (!isValidUtf8(x.ptr, x.len)) { this.fail(ErrorCode.InvalidUtf8); return; }
          v.copyFrom(x);
          v.kind = Kind.String;
          return;
        }
        if (k == Kind.Int || k == Kind.Uint) {
          const len = formatInt(this.scratch, x.i, k == Kind.Uint);
          v.setBytesView(Kind.String, this.scratch, changetype<usize>(this.scratch), len);
          return;
        }
        if (k == Kind.Bool) { v.setBuffer(Kind.String, x.i != 0 ? TRUE_TEXT : FALSE_TEXT); return; }
        if (k == Kind.Double) { v.setBuffer(Kind.String, String.UTF8.encode(x.d.toString())); return; } // rare: allocates
        break;
      }
      case Conv.ToInt: {
        if (k == Kind.Int) { v.copyFrom(x); return; }
        if (k == Kind.Uint) {
          if (<u64>x.i > <u64>i64.MAX_VALUE) { this.fail(ErrorCode.IntOverflow); return; }
          v.setInt(x.i);
          return;
        }
        if (k == Kind.Double) {
          const d = x.d;
          // CEL: NaN and values outside int64 are range errors (also keeps the conversion from trapping)
          if (!(d >= -TWO_63 && d < TWO_63)) { this.fail(ErrorCode.IntOverflow); return; }
          v.setInt(<i64>Math.trunc(d));
          return;
        }
        if (k == Kind.String) {
          if (!parseDecimal(x.ptr, x.len, v, false)) { this.fail(ErrorCode.BadConversion); return; }
          return;
        }
        if (k == Kind.Timestamp) {
          // seconds since the epoch, rounded toward negative infinity like CEL
          let s = x.i / 1000000000;
          if (x.i % 1000000000 < 0) s--;
          v.setInt(s);
          return;
        }
        break;
      }
      case Conv.ToUint: {
        if (k == Kind.Uint) { v.copyFrom(x); return; }
        if (k == Kind.Int) {
          if (x.i < 0) { this.fail(ErrorCode.IntOverflow); return; }
          v.setUint(<u64>x.i);
          return;
        }
        if (k == Kind.Double) {
          const d = x.d;
          if (!(d > -1.0 && d < TWO_64)) { this.fail(ErrorCode.IntOverflow); return; }
          v.setUint(<u64>Math.trunc(d));
          return;
        }
        if (k == Kind.String) {
          if (!parseDecimal(x.ptr, x.len, v, true)) { this.fail(ErrorCode.BadConversion); return; }
          return;
        }
        break;
      }
      case Conv.ToDouble: {
        if (k == Kind.Double) { v.copyFrom(x); return; }
        if (k == Kind.Int) { v.setDouble(<f64>x.i); return; }
        if (k == Kind.Uint) { v.setDouble(<f64>(<u64>x.i)); return; }
        if (k == Kind.String) {
          if (!parseDoubleText(decodeUtf8(x.ptr, x.len), v)) { this.fail(ErrorCode.BadConversion); return; }
          return;
        }
        break;
      }
      case Conv.ToBytes: {
        if (k == Kind.Bytes || k == Kind.String) { v.copyFrom(x); v.kind = Kind.Bytes; return; }
        break;
      }
      case Conv.ToBool: {
        if (k == Kind.Bool) { v.copyFrom(x); return; }
        if (k == Kind.String) {
          const s = decodeUtf8(x.ptr, x.len);
          if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "T" || s == "1") { v.setBool(true); return; }
          if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "F" || s == "0") { v.setBool(false); return; }
          this.fail(ErrorCode.BadConversion);
          return;
        }
        break;
      }
      case Conv.ToDuration: {
        if (k == Kind.Duration) { v.copyFrom(x); return; }
        if (k == Kind.String) {
          const ns = parseDuration(decodeUtf8(x.ptr, x.len));
          if (ns.ok) { v.setTime(Kind.Duration, ns.value); return; }
          this.fail(ErrorCode.BadConversion);
          return;
        }
        break;
      }
      case Conv.ToTimestamp: {
        if (k == Kind.Timestamp) { v.copyFrom(x); return; }
        if (k == Kind.String) {
          const ns = parseTimestamp(decodeUtf8(x.ptr, x.len));
          if (ns.ok) { v.setTime(Kind.Timestamp, ns.value); return; }
          this.fail(ErrorCode.BadConversion);
          return;
        }
        if (k == Kind.Int) {
          // timestamp(seconds since epoch)
          if (x.i > i64.MAX_VALUE / 1000000000 || x.i < i64.MIN_VALUE / 1000000000) { this.fail(ErrorCode.IntOverflow); return; }
          v.setTime(Kind.Timestamp, x.i * 1000000000);
          return;
        }
        break;
      }
    }
    this.fail(ErrorCode.NoMatchingOverload);
  }

  describe(code: ErrorCode): string {
    const arg = this.operand.v;
    if (code == ErrorCode.NoMatchingOverload) return "no matching overload for '" + this.fnName + "' applied to " + kindName(arg.kind);
    if (code == ErrorCode.BadConversion) return "cannot convert " + arg.toDisplay() + " to " + this.fnName;
    if (code == ErrorCode.IntOverflow) return this.fnName + "(" + arg.toDisplay() + ") is out of range";
    if (code == ErrorCode.InvalidUtf8) return "string() of bytes that are not valid UTF-8";
    return genericMessage(code);
  }
}
