// Function-call nodes: size(), startsWith/endsWith/contains, matches, and the type conversions
// (string/int/uint/double/bytes/bool/duration/timestamp). Same rules as eval.ts: results go into
// the node's own slot, no allocation on the normal path, no traps.

import { Activation } from "./activation";
import { AttrId } from "./attributes";
import {
  Value, Kind, ErrorCode, decodeUtf8, occursAt, codePointCount, isValidUtf8, formatInt, TWO_63, TWO_64,
} from "./value";
import { EvalNode, UnaryNode, BinaryNode, genericMessage } from "./eval";
import { Regex } from "../regex/index";
import { parseDuration, parseTimestamp, NO_TIME } from "./timeparse";
import { asciiLower } from "../text/ascii-case";

// ---- size / string tests / matches ------------------------------------------------------------------------------

/** size(x) / x.size(): code points of a string, bytes, list elements, map entries. */
export class SizeNode extends UnaryNode {
  eval(act: Activation): void {
    if (!this.evalOperand(act)) return;
    const ov = this.operand.v;
    switch (ov.kind) {
      case Kind.String: this.v.setInt(codePointCount(ov.ptr, ov.len)); return;
      case Kind.Bytes: this.v.setInt(ov.len); return;
      case Kind.List: {
        const list = ov.list;
        if (list === null) break; // defensive: never trap
        this.v.setInt(list.length);
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
    if (code == ErrorCode.NoMatchingOverload) return super.describe(code);
    if (code == ErrorCode.Unsupported) return "size() of filter_state is not supported";
    return genericMessage(code) + " in size()";
  }
}

/** The string tests, in FUNCTIONS order (planner.ts): startsWith, endsWith, contains, then matches. */
export const enum StringTest { StartsWith, EndsWith, Contains, Matches }

/**
 * s.startsWith(p) / s.endsWith(p) / s.contains(p) (left = s, right = p): byte comparisons on UTF-8
 * (valid for code points). s.matches(re) / matches(s, re) (op Matches, left = s, right = re): RE2
 * partial (unanchored) match. The pattern is a constant, compiled once by the planner into `regex`
 * (the right operand is then only a stand-in, never evaluated): a pattern computed per request is
 * refused at configure time, since it would let a client choose the regex (and its cost).
 */
export class StringTestNode extends BinaryNode {
  // `op` is the StringTest
  regex: Regex | null;

  constructor(subject: EvalNode, arg: EvalNode, name: string, test: StringTest, regex: Regex | null) {
    super(subject, arg, name, test);
    this.regex = regex;
  }

  eval(act: Activation): void {
    const test = this.op;
    const l = this.left;
    l.eval(act);
    if (this.takeError(l)) return;
    const s = l.v;
    if (test == StringTest.Matches) {
      if (s.kind != Kind.String) { this.fail(ErrorCode.NoMatchingOverload); return; }
      this.v.setBool(this.regex!.matchBytes(s.ptr, s.len));
      return;
    }
    const r = this.right;
    r.eval(act);
    if (this.takeError(r)) return;
    const p = r.v;
    if (s.kind != Kind.String || p.kind != Kind.String) { this.fail(ErrorCode.NoMatchingOverload); return; }
    const from = test == StringTest.EndsWith ? s.len - p.len : 0;
    this.v.setBool(occursAt(s.ptr, s.len, p.ptr, p.len, from, test == StringTest.Contains ? s.len : from));
  }
}

// ---- conversions ----------------------------------------------------------------------------

/** "truefalse" in static memory: string(true) is its first 4 bytes, string(false) the last 5 (views need no owner). */
const BOOL_TEXT = memory.data<u8>([0x74, 0x72, 0x75, 0x65, 0x66, 0x61, 0x6c, 0x73, 0x65]);
/** The spellings bool('…') accepts, as cel-go (Go's strconv.ParseBool): BOOL_TRUE_WORDS for true, then those for false. */
const BOOL_WORDS: StaticArray<string> = ["true", "True", "TRUE", "t", "T", "1", "false", "False", "FALSE", "f", "F", "0"];
const BOOL_TRUE_WORDS: i32 = 6;
/** Longest of those spellings, in bytes: anything longer is refused without decoding it. */
const LONGEST_BOOL_WORD: i32 = 5;

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

/** Index of the first non-digit in `s` at or after `i`. */
function skipDigits(s: string, i: i32): i32 {
  while (i < s.length && <u32>(s.charCodeAt(i) - 0x30) <= 9) i++;
  return i;
}

/**
 * double('…'): strict syntax ([+-] digits [. digits] [e [+-] digits], or [+-] inf / infinity / nan
 * in any case) checked before parseFloat. False on junk.
 */
function parseDoubleText(s: string, out: Value): bool {
  const n = s.length;
  if (n == 0) return false;
  let i = 0;
  const sign = s.charCodeAt(0);
  if (sign == 0x2b || sign == 0x2d) i++;
  if (n - i <= 8) {
    // only short texts can spell a special value: no lower-cased copy of a long input
    const rest = asciiLower(s.substring(i));
    if (rest == "inf" || rest == "infinity") { out.setDouble(sign == 0x2d ? -Infinity : Infinity); return true; }
    if (rest == "nan") { out.setDouble(NaN); return true; }
  }
  const intEnd = skipDigits(s, i);
  let digits = intEnd - i;
  i = intEnd;
  if (i < n && s.charCodeAt(i) == 0x2e) {
    const fracEnd = skipDigits(s, i + 1);
    digits += fracEnd - i - 1;
    i = fracEnd;
  }
  if (digits == 0) return false;
  if (i < n && (s.charCodeAt(i) | 0x20) == 0x65) {
    i++;
    if (i < n && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) i++;
    const expEnd = skipDigits(s, i);
    if (expEnd == i) return false;
    i = expEnd;
  }
  if (i != n) return false;
  out.setDouble(parseFloat(s));
  return true;
}

/** string() int() uint() double() bytes() bool() duration() timestamp(): conversion to kind `target`. */
export class ConvertNode extends UnaryNode {
  target: Kind;
  scratch: ArrayBuffer = new ArrayBuffer(24); // string(int) output, reused every evaluation

  constructor(operand: EvalNode, target: Kind, fnName: string) {
    super(operand, fnName);
    this.target = target;
  }

  eval(act: Activation): void {
    if (!this.evalOperand(act)) return;
    const x = this.operand.v;
    const k = x.kind;
    const v = this.v;
    const target = this.target;
    if (k == target) { v.copyFrom(x); return; }
    const n = x.i;
    // Views (string / bytes results) are written and returned where they are made; every other
    // result is `target` with the bits `r` (Value's `i`), stored once at the end, unless `err`.
    let r: i64 = 0;
    let err = ErrorCode.NoMatchingOverload;
    switch (target) {
      case Kind.String: {
        if (k == Kind.Int || k == Kind.Uint) {
          const len = formatInt(changetype<usize>(this.scratch), n, k == Kind.Uint);
          v.setBytesView(Kind.String, this.scratch, changetype<usize>(this.scratch), len);
          return;
        }
        if (k == Kind.Bool) {
          const t = n != 0;
          v.setBytesView(Kind.String, null, BOOL_TEXT + (t ? 0 : 4), t ? 4 : 5);
          return;
        }
        if (k == Kind.Double) { v.setBuffer(Kind.String, String.UTF8.encode(x.d.toString())); return; } // rare: allocates
        if (k == Kind.Bytes) {
          // string(bytes) (valid UTF-8 only): the same view, retyped
          if (!isValidUtf8(x.ptr, x.len)) { err = ErrorCode.InvalidUtf8; break; }
          v.copyFrom(x);
          v.kind = target;
          return;
        }
        break;
      }
      case Kind.Bytes: {
        if (k == Kind.String) { v.copyFrom(x); v.kind = target; return; } // bytes(string): the same view, retyped
        break;
      }
      case Kind.Int:
      case Kind.Uint: {
        const toInt = target == Kind.Int;
        err = ErrorCode.None;
        if (k == Kind.String) {
          // int('…') / uint('…')
          if (parseDecimal(x.ptr, x.len, v, !toInt)) return;
          err = ErrorCode.BadConversion;
        } else if (k == Kind.Double) {
          const d = x.d;
          // CEL: NaN and values outside the range are range errors (also keeps the conversion from trapping)
          if (toInt ? d >= -TWO_63 && d < TWO_63 : d > -1.0 && d < TWO_64) r = toInt ? <i64>Math.trunc(d) : <i64>(<u64>Math.trunc(d));
          else err = ErrorCode.IntOverflow;
        } else if (k == Kind.Timestamp && toInt) {
          // seconds since the epoch, rounded toward negative infinity like CEL
          r = n / 1000000000;
          if (n % 1000000000 < 0) r--;
        } else if (k == Kind.Int || k == Kind.Uint) {
          // int(uint) beyond i64.MAX_VALUE, uint(negative int): the same bits, out of range as a negative i64
          r = n;
          if (n < 0) err = ErrorCode.IntOverflow;
        } else {
          err = ErrorCode.NoMatchingOverload;
        }
        break;
      }
      case Kind.Double: {
        if (k == Kind.Int || k == Kind.Uint) {
          err = ErrorCode.None;
          r = reinterpret<i64>(k == Kind.Int ? <f64>n : <f64>(<u64>n));
        } else if (k == Kind.String) {
          // the decoded text (UTF-16: two bytes per byte) is this conversion's allocation
          if (!act.budget.charge(2 * <i64>x.len)) err = ErrorCode.BudgetExceeded;
          else if (!parseDoubleText(decodeUtf8(x.ptr, x.len), v)) err = ErrorCode.BadConversion;
          else return;
        }
        break;
      }
      case Kind.Bool: {
        if (k == Kind.String) {
          const w = x.len > LONGEST_BOOL_WORD ? -1 : BOOL_WORDS.indexOf(decodeUtf8(x.ptr, x.len));
          err = w >= 0 ? ErrorCode.None : ErrorCode.BadConversion;
          r = w < BOOL_TRUE_WORDS ? 1 : 0;
        }
        break;
      }
      case Kind.Duration:
      case Kind.Timestamp: {
        if (k == Kind.String) {
          // the decoded text and at most one copy of it in the parser
          if (!act.budget.charge(4 * <i64>x.len)) {
            err = ErrorCode.BudgetExceeded;
          } else {
            const text = decodeUtf8(x.ptr, x.len);
            r = target == Kind.Duration ? parseDuration(text) : parseTimestamp(text);
            err = r != NO_TIME ? ErrorCode.None : ErrorCode.BadConversion;
          }
        } else if (target == Kind.Timestamp && k == Kind.Int) {
          // timestamp(seconds since epoch)
          err = n > i64.MAX_VALUE / 1000000000 || n < i64.MIN_VALUE / 1000000000 ? ErrorCode.IntOverflow : ErrorCode.None;
          r = n * 1000000000;
        }
        break;
      }
    }
    if (err != ErrorCode.None) {
      this.fail(err);
      return;
    }
    v.kind = target;
    v.i = r;
  }

  describe(code: ErrorCode): string {
    const arg = this.operand.v;
    const fn = this.name;
    if (code == ErrorCode.NoMatchingOverload) return super.describe(code);
    if (code == ErrorCode.BadConversion) return "cannot convert " + arg.toDisplay() + " to " + fn;
    if (code == ErrorCode.IntOverflow) return fn + "(" + arg.toDisplay() + ") is out of range";
    if (code == ErrorCode.InvalidUtf8) return "string() of bytes that are not valid UTF-8";
    return genericMessage(code);
  }
}
