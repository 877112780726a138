// A small JSON parser for the plugin configuration.
//
// Why our own: the configuration errors we report must name the JSON path and the position of the
// problem (line/column), the parser must never trap on hostile or truncated input (an abort inside
// proxy_on_configure fails the whole Envoy listener), and it reads the UTF-8 bytes Envoy hands us
// without a detour through a JavaScript-style string. The available AssemblyScript JSON libraries
// give none of that.

export const enum JsonKind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

export class JsonValue {
  constructor(public kind: JsonKind, public offset: i32) {}

  isString(): bool { return this.kind == JsonKind.String; }
  isNumber(): bool { return this.kind == JsonKind.Number; }
  isBool(): bool { return this.kind == JsonKind.Bool; }
  isArray(): bool { return this.kind == JsonKind.Array; }
  isObject(): bool { return this.kind == JsonKind.Object; }
  isNull(): bool { return this.kind == JsonKind.Null; }

  asString(): string { return (this as JsonValue as JsonString).value; }
  asNumber(): f64 { return (this as JsonValue as JsonNumber).value; }
  asBool(): bool { return (this as JsonValue as JsonBool).value; }
  asArray(): JsonValue[] { return (this as JsonValue as JsonArray).items; }
  asObject(): JsonObject { return this as JsonValue as JsonObject; }
}

export class JsonNull extends JsonValue {
  constructor(offset: i32) { super(JsonKind.Null, offset); }
}

export class JsonBool extends JsonValue {
  constructor(offset: i32, public value: bool) { super(JsonKind.Bool, offset); }
}

export class JsonNumber extends JsonValue {
  /** `raw` keeps the literal text so integers can be checked exactly. */
  constructor(offset: i32, public value: f64, public raw: string) { super(JsonKind.Number, offset); }
}

export class JsonString extends JsonValue {
  constructor(offset: i32, public value: string) { super(JsonKind.String, offset); }
}

export class JsonArray extends JsonValue {
  items: JsonValue[] = [];
  constructor(offset: i32) { super(JsonKind.Array, offset); }
}

/**
 * Position of `key` in `list`. Keys the parser interned (see Parser.knownKey) and the readers'
 * literals are the same strings, so an identity pass finds them without comparing characters.
 */
export function indexOfKey(list: string[], key: string): i32 {
  const k = changetype<usize>(key);
  for (let i = 0; i < list.length; i++) if (changetype<usize>(unchecked(list[i])) == k) return i;
  for (let i = 0; i < list.length; i++) if (unchecked(list[i]) == key) return i;
  return -1;
}

/** Keys keep their document order (error messages and "first wins" rules depend on it). */
export class JsonObject extends JsonValue {
  keys: string[] = [];
  values: JsonValue[] = [];
  constructor(offset: i32) { super(JsonKind.Object, offset); }

  get(key: string): JsonValue | null {
    const i = indexOfKey(this.keys, key);
    return i < 0 ? null : this.values[i];
  }

  has(key: string): bool {
    return this.get(key) !== null;
  }
}

export class JsonParseError {
  constructor(public message: string, public offset: i32, public line: i32, public column: i32) {}

  toString(): string {
    return "invalid JSON at line " + this.line.toString() + " column " + this.column.toString() + ": " + this.message;
  }
}

/** Nesting deeper than this is rejected rather than risking the wasm stack. */
const MAX_DEPTH: i32 = 64;

class Parser {
  pos: i32 = 0;
  error: JsonParseError | null = null;

  /**
   * Object keys the caller expects. A key equal to one of them is returned as that very string:
   * no allocation for the thousands of repeated keys of a large route list, and later lookups
   * compare by identity first.
   */
  constructor(public bytes: Uint8Array, public knownKeys: string[] | null = null) {}

  /** The known key spelled by bytes [from, to), or null. */
  knownKey(from: i32, to: i32): string | null {
    const keys = this.knownKeys;
    if (keys === null) return null;
    const n = to - from;
    for (let k = 0; k < keys.length; k++) {
      const key = unchecked(keys[k]);
      if (key.length != n) continue;
      let same = true;
      for (let i = 0; i < n; i++) {
        if (<i32>unchecked(this.bytes[from + i]) != key.charCodeAt(i)) {
          same = false;
          break;
        }
      }
      if (same) return key;
    }
    return null;
  }

  fail(message: string, at: i32): void {
    if (this.error !== null) return;
    const lc = lineColumn(this.bytes, at);
    this.error = new JsonParseError(message, at, lc[0], lc[1]);
  }

  peek(): i32 {
    return this.pos < this.bytes.length ? <i32>unchecked(this.bytes[this.pos]) : -1;
  }

  skipWhitespace(): void {
    while (this.pos < this.bytes.length) {
      const c = unchecked(this.bytes[this.pos]);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) this.pos++;
      else break;
    }
  }

  describe(c: i32): string {
    if (c < 0) return "end of input";
    if (c >= 0x20 && c < 0x7f) return "'" + String.fromCharCode(c) + "'";
    return "byte 0x" + (<u32>c).toString(16);
  }

  parseValue(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) {
      this.fail("nesting deeper than " + MAX_DEPTH.toString() + " levels", this.pos);
      return null;
    }
    this.skipWhitespace();
    const c = this.peek();
    const start = this.pos;
    if (c == 0x7b /* { */) return this.parseObject(depth);
    if (c == 0x5b /* [ */) return this.parseArray(depth);
    if (c == 0x22 /* " */) {
      const s = this.parseString();
      return s === null ? null : new JsonString(start, s);
    }
    if (c == 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.matchWord("true")) return new JsonBool(start, true);
    if (this.matchWord("false")) return new JsonBool(start, false);
    if (this.matchWord("null")) return new JsonNull(start);
    this.fail("expected a value, found " + this.describe(c), start);
    return null;
  }

  matchWord(word: string): bool {
    const n = word.length;
    if (this.pos + n > this.bytes.length) return false;
    for (let i = 0; i < n; i++) {
      if (<i32>unchecked(this.bytes[this.pos + i]) != word.charCodeAt(i)) return false;
    }
    this.pos += n;
    return true;
  }

  parseObject(depth: i32): JsonValue | null {
    const obj = new JsonObject(this.pos);
    this.pos++; // {
    this.skipWhitespace();
    if (this.peek() == 0x7d /* } */) {
      this.pos++;
      return obj;
    }
    while (true) {
      this.skipWhitespace();
      if (this.peek() != 0x22) {
        this.fail("expected a quoted key, found " + this.describe(this.peek()), this.pos);
        return null;
      }
      const key = this.parseKey();
      if (key === null) return null;
      this.skipWhitespace();
      if (this.peek() != 0x3a /* : */) {
        this.fail("expected ':' after key \"" + key + "\", found " + this.describe(this.peek()), this.pos);
        return null;
      }
      this.pos++;
      const value = this.parseValue(depth + 1);
      if (value === null) return null;
      obj.keys.push(key);
      obj.values.push(value);
      this.skipWhitespace();
      const c = this.peek();
      if (c == 0x2c /* , */) {
        this.pos++;
        continue;
      }
      if (c == 0x7d /* } */) {
        this.pos++;
        return obj;
      }
      this.fail("expected ',' or '}' in object, found " + this.describe(c), this.pos);
      return null;
    }
  }

  parseArray(depth: i32): JsonValue | null {
    const arr = new JsonArray(this.pos);
    this.pos++; // [
    this.skipWhitespace();
    if (this.peek() == 0x5d /* ] */) {
      this.pos++;
      return arr;
    }
    while (true) {
      const value = this.parseValue(depth + 1);
      if (value === null) return null;
      arr.items.push(value);
      this.skipWhitespace();
      const c = this.peek();
      if (c == 0x2c) {
        this.pos++;
        continue;
      }
      if (c == 0x5d) {
        this.pos++;
        return arr;
      }
      this.fail("expected ',' or ']' in array, found " + this.describe(c), this.pos);
      return null;
    }
  }

  parseHex4(at: i32): i32 {
    if (at + 4 > this.bytes.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const d = hexDigit(<i32>unchecked(this.bytes[at + i]));
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  parseKey(): string | null {
    // Fast path: a known key without escapes.
    const from = this.pos + 1;
    let end = from;
    while (end < this.bytes.length) {
      const c = unchecked(this.bytes[end]);
      if (c == 0x22 || c == 0x5c || c < 0x20) break;
      end++;
    }
    if (end < this.bytes.length && unchecked(this.bytes[end]) == 0x22) {
      const known = this.knownKey(from, end);
      if (known !== null) {
        this.pos = end + 1;
        return known;
      }
    }
    return this.parseString();
  }

  parseString(): string | null {
    const start = this.pos;
    this.pos++; // opening quote
    let out = "";
    let runStart = this.pos;
    while (true) {
      if (this.pos >= this.bytes.length) {
        this.fail("unterminated string", start);
        return null;
      }
      const c = <i32>unchecked(this.bytes[this.pos]);
      if (c == 0x22) {
        // Common case (no escapes): one decode, no concatenation.
        const tail = decodeUtf8(this.bytes, runStart, this.pos);
        this.pos++;
        return out.length == 0 ? tail : out + tail;
      }
      if (c < 0x20) {
        this.fail("control character in string (escape it)", this.pos);
        return null;
      }
      if (c != 0x5c /* \ */) {
        this.pos++;
        continue;
      }
      out += decodeUtf8(this.bytes, runStart, this.pos);
      const escAt = this.pos;
      this.pos++;
      const e = this.peek();
      this.pos++;
      if (e == 0x22) out += "\"";
      else if (e == 0x5c) out += "\\";
      else if (e == 0x2f) out += "/";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else if (e == 0x6e) out += "\n";
      else if (e == 0x72) out += "\r";
      else if (e == 0x74) out += "\t";
      else if (e == 0x75 /* u */) {
        const cp = this.parseHex4(this.pos);
        if (cp < 0) {
          this.fail("invalid \\u escape", escAt);
          return null;
        }
        this.pos += 4;
        out += String.fromCharCode(cp);
      } else {
        this.fail("invalid escape \\" + (e < 0 ? "" : String.fromCharCode(e)), escAt);
        return null;
      }
      runStart = this.pos;
    }
  }

  parseNumber(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    const intStart = this.pos;
    if (this.peek() == 0x30) {
      this.pos++;
    } else {
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    }
    if (this.pos == intStart) {
      this.fail("invalid number", start);
      return null;
    }
    if (this.peek() == 0x2e /* . */) {
      this.pos++;
      const fracStart = this.pos;
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
      if (this.pos == fracStart) {
        this.fail("invalid number: digits expected after '.'", start);
        return null;
      }
    }
    if (this.peek() == 0x65 || this.peek() == 0x45 /* e E */) {
      this.pos++;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++;
      const expStart = this.pos;
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
      if (this.pos == expStart) {
        this.fail("invalid number: digits expected in exponent", start);
        return null;
      }
    }
    const raw = decodeUtf8(this.bytes, start, this.pos);
    return new JsonNumber(start, F64.parseFloat(raw), raw);
  }
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function decodeUtf8(bytes: Uint8Array, from: i32, to: i32): string {
  if (to <= from) return "";
  return String.UTF8.decodeUnsafe(bytes.dataStart + <usize>from, <usize>(to - from));
}

/** 1-based [line, column] of a byte offset (column counts bytes). */
export function lineColumn(bytes: Uint8Array, offset: i32): i32[] {
  let line = 1;
  let col = 1;
  const end = min(offset, bytes.length);
  for (let i = 0; i < end; i++) {
    if (unchecked(bytes[i]) == 0x0a) {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  return [line, col];
}

export class JsonResult {
  constructor(public value: JsonValue | null, public error: JsonParseError | null) {}
}

/**
 * Parses one JSON document; trailing non-whitespace is an error. Never throws. Keys found in
 * `knownKeys` are returned as those strings (see Parser).
 */
export function parseJson(bytes: Uint8Array, knownKeys: string[] | null = null): JsonResult {
  const p = new Parser(bytes, knownKeys);
  // A UTF-8 byte order mark is tolerated (some editors add one).
  if (bytes.length >= 3 && bytes[0] == 0xef && bytes[1] == 0xbb && bytes[2] == 0xbf) p.pos = 3;
  const value = p.parseValue(0);
  if (value !== null) {
    p.skipWhitespace();
    if (p.pos < bytes.length) {
      p.fail("unexpected " + p.describe(p.peek()) + " after the end of the document", p.pos);
    }
  }
  if (p.error !== null) return new JsonResult(null, p.error);
  return new JsonResult(value, null);
}

export function parseJsonString(text: string): JsonResult {
  return parseJson(Uint8Array.wrap(String.UTF8.encode(text)));
}
