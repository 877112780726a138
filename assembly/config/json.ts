// A small JSON parser for the plugin configuration.
//
// Why our own: the configuration errors we report must name the JSON path and the position of the
// problem (line/column), the parser must never trap on hostile or truncated input (an abort inside
// proxy_on_configure fails the whole Envoy listener), and it reads the UTF-8 bytes Envoy hands us
// without a detour through a JavaScript-style string. The available AssemblyScript JSON libraries
// give none of that.
//
// Memory: linear memory never shrinks and every Envoy worker has its own VM, so the peak of
// on_configure is paid for the life of the proxy. The document therefore stays what Envoy handed
// us — the UTF-8 bytes — and parsing only records, per value and per object key, one entry of two
// i32 in a flat "tape" sized by a pre-count (no growth, no per-node object). A string is decoded
// when a reader asks for it; a value handle (JsonValue) is a 32-byte object made on access.
//
// Strictness: bad input is refused, never silently changed. Invalid UTF-8 in a string (including
// overlong forms and encoded surrogates), a lone surrogate escape (\ud800 without its low half, a
// lone \udc00) and a repeated key in one object are "problems": the document still parses (first
// key wins, bad bytes read as U+FFFD), and each problem carries its JSON path so that the reader
// of the object it belongs to reports it as a configuration error (config/json-problems.ts).
import { decodeRune, isInvalid, widthOf, runeOf, hexValue } from "../regex/utf8";
import { child, index } from "./diagnostics";
import { sortAscending } from "../sort";
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

export const enum JsonKind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

/** Largest configuration accepted (documented in the README's Configuration reference). */
export const MAX_JSON_BYTES: i32 = 32 << 20;

/** More problems than this and the document is refused as a whole (see JsonProblem). */
export const MAX_JSON_PROBLEMS: i32 = 1000;

// The limits are written out in their messages (no number formatting): these fail the build when
// one changes without them.
// @ts-ignore: compile-time check
if (MAX_JSON_BYTES != 32 << 20) ERROR("MAX_JSON_BYTES changed: update '32 MiB' in parseJson and readConfig (config/index.ts)");
// @ts-ignore: compile-time check
if (MAX_JSON_PROBLEMS != 1000) ERROR("MAX_JSON_PROBLEMS changed: update 'more than 1000' in JsonDocument#problem");

/** Strings of at most this many bytes are shared when repeated (see JsonDocument.shortStrings). */
const SHORT_STRING_BYTES: i32 = 16;
const SHORT_STRING_SLOTS: i32 = 256;

/** Slots of the known-key hash (JsonDocument.keySlots): a power of two, at least twice the keys. */
const KNOWN_KEY_SLOTS: i32 = 256;

/** Nesting deeper than this is rejected rather than risking the wasm stack. */
const MAX_DEPTH: i32 = 64;
// @ts-ignore: compile-time check
if (MAX_DEPTH != 64) ERROR("MAX_DEPTH changed: update 'deeper than 64 levels' in JsonDocument#parseValue");

// Tape entry i is tape[2i], tape[2i + 1]:
//   word 0: byte offset of the value's first byte << START_SHIFT | flags | kind
//   word 1: scalars: byte offset one past the value (strings: past the closing quote);
//           arrays and objects: index of the first entry after the container's last descendant.
// An object's members are (key entry, value entries) pairs; a key is a String entry.
const KIND_MASK: i32 = 7;
/** A string or key with backslash escapes: decoded the slow way. */
const FLAG_ESCAPED: i32 = 8;
/** A string whose content is a problem; an object that owns problems (see JsonProblem.owner). */
const FLAG_PROBLEM: i32 = 16;
const START_SHIFT: i32 = 5;

/**
 * Invalid content found while parsing, tied to the JSON path of the value at fault. `owner` is
 * the tape index of the innermost object containing it (-1: none), whose reader reports it.
 */
export class JsonProblem {
  reported: bool = false;
  message: string = "";
  constructor(
    public path: string,
    public owner: i32,
    /** The message without its position ("invalid UTF-8 (byte 0xff)"). */
    public detail: string,
    /** Byte offset the message points at. */
    public at: i32,
    /** Whether `at` is the first occurrence of a duplicate ("first at …") rather than the fault. */
    public firstAt: bool,
  ) {}
}

/**
 * The parsed document: the input bytes plus the tape; values are handles into it. It is its own
 * parser (parseJson) and the outcome: `value` (the root) or `error`, and `problems`.
 */
export class JsonDocument {
  tape: StaticArray<i32>;
  count: i32 = 0;
  /** Invalid strings and duplicate keys (see JsonProblem); complete only when `error` is null. */
  problems: JsonProblem[] = [];
  /** Why the document is not JSON ("invalid JSON at line 1 column 7: …"); null when it parsed. */
  error: string | null = null;
  /** The root value; null when the document did not parse. */
  value: JsonValue | null = null;

  // Parsing state. Open containers, outermost first (for JSON paths and problem owners).
  private frameEntry: StaticArray<i32> = new StaticArray<i32>(MAX_DEPTH + 2);
  /** Arrays: items so far; objects: tape index of the current key. */
  private frameAt: StaticArray<i32> = new StaticArray<i32>(MAX_DEPTH + 2);
  private depth: i32 = 0;
  /** Per depth: hash table of an object's keys (duplicate detection, checkDuplicate). */
  private keyTables: StaticArray<StaticArray<i32> | null> = new StaticArray<StaticArray<i32> | null>(MAX_DEPTH + 2);
  pos: i32 = 0;

  /**
   * The known keys by hash of their text (KNOWN_KEY_SLOTS slots, -1 empty, else the index in
   * `knownKeys` of its first spelling): the parser interns a plain key that spells one, storing
   * the index instead of its end offset (word 1 = ~index), so readers compare keys as numbers.
   */
  private keySlots: StaticArray<i32> = new StaticArray<i32>(KNOWN_KEY_SLOTS);

  constructor(public bytes: Uint8Array, public knownKeys: string[] | null, capacity: i32) {
    this.tape = new StaticArray<i32>(capacity * 2);
    const slots = this.keySlots;
    for (let s = 0; s < KNOWN_KEY_SLOTS; s++) unchecked((slots[s] = -1));
    if (knownKeys !== null) this.indexKeys(knownKeys);
  }

  private indexKeys(knownKeys: string[]): void {
    const slots = this.keySlots;
    // At most half full, so a probe ends; keys past that are simply not interned (still found).
    let used = 0;
    for (let k = 0; k < knownKeys.length && used < KNOWN_KEY_SLOTS / 2; k++) {
      const key = unchecked(knownKeys[k]);
      const h = textHash(key);
      if (h < 0) continue; // not ASCII: compared as text
      let s = h & (KNOWN_KEY_SLOTS - 1);
      while (true) {
        const id = unchecked(slots[s]);
        if (id < 0) {
          unchecked((slots[s] = k));
          used++;
          break;
        }
        if (unchecked(knownKeys[id]) == key) break; // a repeated spelling keeps its first index
        s = (s + 1) & (KNOWN_KEY_SLOTS - 1);
      }
    }
  }

  /** Index in `knownKeys` of `key`'s spelling, -1 when it is not one (or not interned). */
  keyIdOf(key: string): i32 {
    const keys = this.knownKeys;
    if (keys === null) return -1;
    const h = textHash(key);
    if (h < 0) return -1;
    const slots = this.keySlots;
    let s = h & (KNOWN_KEY_SLOTS - 1);
    while (true) {
      const id = unchecked(slots[s]);
      if (id < 0) return -1;
      if (unchecked(keys[id]) == key) return id;
      s = (s + 1) & (KNOWN_KEY_SLOTS - 1);
    }
  }

  /** Interns key entry i when it is plain and spells a known key (the parser calls this once per key). */
  internKey(i: i32): void {
    const keys = this.knownKeys;
    if (keys === null || this.hasFlag(i, FLAG_ESCAPED | FLAG_PROBLEM)) return;
    // The known keys are ASCII, and an ASCII key's UTF-8 bytes hash like its text (textHash).
    const slots = this.keySlots;
    let s = foldHash(keyHash(this, i)) & (KNOWN_KEY_SLOTS - 1);
    while (true) {
      const id = unchecked(slots[s]);
      if (id < 0) return;
      if (this.plainCompare(i, unchecked(keys[id])) == 1) {
        unchecked((this.tape[(i << 1) + 1] = ~id));
        return;
      }
      s = (s + 1) & (KNOWN_KEY_SLOTS - 1);
    }
  }

  /** The interned key id of entry i, -1 when it is not an interned key. */
  @inline internedId(i: i32): i32 {
    const w = this.word1(i);
    return w < 0 ? ~w : -1;
  }

  /** One past the closing quote of string entry i (interned keys: computed from the key's length). */
  endAt(i: i32): i32 {
    const w = this.word1(i);
    return w >= 0 ? w : this.startAt(i) + 2 + unchecked(this.knownKeys![~w]).length;
  }

  @inline word0(i: i32): i32 { return unchecked(this.tape[i << 1]); }
  @inline word1(i: i32): i32 { return unchecked(this.tape[(i << 1) + 1]); }
  @inline kindAt(i: i32): JsonKind { return <JsonKind>(this.word0(i) & KIND_MASK); }
  @inline startAt(i: i32): i32 { return this.word0(i) >>> START_SHIFT; }
  @inline hasFlag(i: i32, flag: i32): bool { return (this.word0(i) & flag) != 0; }

  /** Index of the entry after value i and its descendants. */
  @inline after(i: i32): i32 {
    const k = this.kindAt(i);
    return k == JsonKind.Array || k == JsonKind.Object ? this.word1(i) : i + 1;
  }

  handle(i: i32): JsonValue {
    return new JsonValue(this, i);
  }

  /**
   * Recently decoded short strings by hash: values repeated across routes ("GET", "Exact",
   * header names) are then one string, not one per route.
   */
  private shortStrings: StaticArray<string | null> = new StaticArray<string | null>(SHORT_STRING_SLOTS);

  /** Text of string entry i (a value or a key), escapes decoded. */
  stringAt(i: i32): string {
    const w = this.word1(i);
    if (w < 0) return unchecked(this.knownKeys![~w]);
    const from = this.startAt(i) + 1;
    const to = w - 1;
    if (to <= from) return "";
    if (this.hasFlag(i, FLAG_ESCAPED | FLAG_PROBLEM)) return decodeSlow(this.bytes, from, to);
    const p = this.bytes.dataStart + <usize>from;
    const n = to - from;
    if (n > SHORT_STRING_BYTES) return String.UTF8.decodeUnsafe(p, <usize>n);
    const h = fnv(p, n);
    const slot = <i32>((h ^ (h >> 16)) & (SHORT_STRING_SLOTS - 1));
    const cached = unchecked(this.shortStrings[slot]);
    if (changetype<usize>(cached) != 0 && this.plainCompare(i, cached) == 1) return cached;
    const text = String.UTF8.decodeUnsafe(p, <usize>n);
    unchecked((this.shortStrings[slot] = text));
    return text;
  }

  /**
   * Whether key entry i spells `text`, whose known-key id is `id` (keyIdOf; -1 if none). An
   * interned key equals exactly its own id; a plain key that is not interned spells no known key.
   */
  keyEquals(i: i32, text: string, id: i32): bool {
    const w = this.word1(i);
    if (w < 0) return ~w == id;
    if (!this.hasFlag(i, FLAG_ESCAPED | FLAG_PROBLEM)) {
      if (id >= 0) return false;
      const r = this.plainCompare(i, text);
      if (r >= 0) return r == 1;
    }
    return this.stringAt(i) == text;
  }

  /**
   * Compares an escape-free, not interned entry with ASCII text: 1 equal, 0 different, -1
   * undecided (non-ASCII).
   */
  private plainCompare(i: i32, text: string): i32 {
    const from = this.startAt(i) + 1;
    const n = this.word1(i) - 1 - from;
    if (n < text.length) return 0;
    const p = this.bytes.dataStart + <usize>from;
    // load<u16> instead of charCodeAt: k < text.length, and the call's bounds check showed up as a
    // large share of configure time (keys are compared per member).
    const t = changetype<usize>(text);
    for (let k = 0; k < text.length; k++) {
      const c = <i32>load<u16>(t + (<usize>k << 1));
      if (c >= 0x80) return -1;
      if (<i32>load<u8>(p + <usize>k) != c) return 0;
    }
    return n == text.length ? 1 : 0;
  }

  // ---- parsing (parseJson) ------------------------------------------------------------------

  fail(message: string, at: i32): void {
    if (changetype<usize>(this.error) != 0) return;
    // 1-based line and column (columns count bytes).
    const bytes = this.bytes;
    let line = 1;
    let column = 1;
    const end = min(at, bytes.length);
    for (let i = 0; i < end; i++) {
      column++;
      if (unchecked(bytes[i]) == 0x0a) {
        line++;
        column = 1;
      }
    }
    this.error = "invalid JSON at line " + line.toString() + " column " + column.toString() + ": " + message;
  }

  // Not inlined: a call is smaller, and numbers and punctuation are a small share of the bytes.
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

  /** Appends an entry; -1 (and a parse error) if the pre-count was exceeded, which valid input never does. */
  entry(kind: JsonKind, start: i32, flags: i32, word1: i32): i32 {
    const doc = this;
    const i = doc.count;
    if ((i << 1) + 1 >= doc.tape.length) {
      this.fail("document structure miscounted", start);
      return -1;
    }
    unchecked((doc.tape[i << 1] = (start << START_SHIFT) | flags | <i32>kind));
    unchecked((doc.tape[(i << 1) + 1] = word1));
    doc.count = i + 1;
    return i;
  }

  // ---- problems ------------------------------------------------------------------------------

  /** JSON path of the value being parsed, e.g. `routes[2].name`. Built only for problems. */
  currentPath(): string {
    let path = "";
    const doc = this;
    for (let d = 0; d < this.depth; d++) {
      const at = unchecked(this.frameAt[d]);
      if (doc.kindAt(unchecked(this.frameEntry[d])) == JsonKind.Array) path = index(path, at);
      else if (at >= 0) path = child(path, doc.stringAt(at));
    }
    return path;
  }

  /** Tape index of the innermost open object, -1 if none. */
  owner(): i32 {
    for (let d = this.depth - 1; d >= 0; d--) {
      const e = unchecked(this.frameEntry[d]);
      if (this.kindAt(e) == JsonKind.Object) return e;
    }
    return -1;
  }

  problem(detail: string, at: i32, firstAt: bool): void {
    const doc = this;
    if (doc.problems.length >= MAX_JSON_PROBLEMS) {
      this.fail("more than 1000" + // MAX_JSON_PROBLEMS
        " invalid strings and duplicate keys (the first: " + unchecked(doc.problems[0]).path + ": " + unchecked(doc.problems[0]).detail + ")", at);
      return;
    }
    const owner = this.owner();
    if (owner >= 0) unchecked((doc.tape[owner << 1] |= FLAG_PROBLEM));
    doc.problems.push(new JsonProblem(this.currentPath(), owner, detail, at, firstAt));
  }

  // ---- values --------------------------------------------------------------------------------

  parseValue(): bool {
    if (this.depth > MAX_DEPTH) {
      this.fail("nesting deeper than 64 levels" /* MAX_DEPTH */, this.pos);
      return false;
    }
    this.skipWhitespace();
    const c = this.peek();
    const start = this.pos;
    if (c == 0x7b /* { */) return this.parseContainer(JsonKind.Object);
    if (c == 0x5b /* [ */) return this.parseContainer(JsonKind.Array);
    if (c == 0x22 /* " */) return this.parseString(false) >= 0;
    if (c == 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.matchWord("true") || this.matchWord("false")) return this.entry(JsonKind.Bool, start, 0, this.pos) >= 0;
    if (this.matchWord("null")) return this.entry(JsonKind.Null, start, 0, this.pos) >= 0;
    this.fail("expected a value, found " + this.describe(c), start);
    return false;
  }

  matchWord(word: string): bool {
    const n = word.length;
    if (this.pos + n > this.bytes.length) return false;
    for (let i = 0; i < n; i++) {
      if (<i32>unchecked(this.bytes[this.pos + i]) != <i32>load<u16>(changetype<usize>(word) + (<usize>i << 1))) return false;
    }
    this.pos += n;
    return true;
  }

  /**
   * An object or an array (one loop for both: an object's member is a key, ':' and a value).
   * Its entry's word 1 is set when it closes.
   */
  parseContainer(kind: JsonKind): bool {
    const isObject = kind == JsonKind.Object;
    const e = this.entry(kind, this.pos, 0, 0);
    if (e < 0) return false;
    const d = this.depth;
    unchecked((this.frameEntry[d] = e));
    unchecked((this.frameAt[d] = isObject ? -1 : 0));
    this.depth = d + 1;
    this.pos++; // { or [
    const close = isObject ? 0x7d /* } */ : 0x5d /* ] */;
    this.skipWhitespace();
    let members = 0;
    if (this.peek() != close) {
      while (true) {
        if (isObject) {
          this.skipWhitespace();
          if (this.peek() != 0x22) {
            this.fail("expected a quoted key, found " + this.describe(this.peek()), this.pos);
            return false;
          }
          const key = this.parseString(true);
          if (key < 0) return false;
          unchecked((this.frameAt[d] = key));
          this.checkDuplicate(e, key, members++);
          this.skipWhitespace();
          if (this.peek() != 0x3a /* : */) {
            this.fail("expected ':' after key \"" + this.stringAt(key) + "\", found " + this.describe(this.peek()), this.pos);
            return false;
          }
          this.pos++;
        }
        if (!this.parseValue()) return false;
        this.skipWhitespace();
        const c = this.peek();
        if (c == close) break;
        if (c != 0x2c /* , */) {
          this.fail("expected ',' or '" + String.fromCharCode(close) + (isObject ? "' in object, found " : "' in array, found ") +
            this.describe(c), this.pos);
          return false;
        }
        this.pos++;
        if (!isObject) unchecked((this.frameAt[d] = unchecked(this.frameAt[d]) + 1));
      }
    }
    this.depth = d;
    unchecked((this.tape[(e << 1) + 1] = this.count));
    this.pos++; // } or ]
    return true;
  }

  /**
   * Reports key entry `key` (the member-th of object e) if an earlier key of the object is the
   * same text. A hash index of the object's keys keeps hostile objects with many keys linear.
   */
  checkDuplicate(e: i32, key: i32, member: i32): void {
    const doc = this;
    // One table per depth, reused by the objects at that depth: a slot holding an entry <= e is
    // from an earlier object, so empty for this one (no clearing). Rebuilt twice as large, with
    // the object's earlier keys, when half full.
    const d = this.depth - 1;
    let slots = unchecked(this.keyTables[d]);
    if (slots === null || member * 2 >= slots.length) {
      let size = 64;
      while (size <= member * 2) size <<= 1;
      slots = new StaticArray<i32>(size);
      unchecked((this.keyTables[d] = slots));
      for (let m = e + 1; m < key; m = doc.after(m + 1)) insertKey(doc, slots, e, m);
    }
    const first = insertKey(doc, slots, e, key);
    if (first >= 0) {
      this.problem("duplicate key \"" + doc.stringAt(key) + "\"", doc.startAt(first), true);
    }
  }

  /**
   * Scans a string (value or key) and records its entry; returns the entry index or -1. Checks,
   * without decoding, that it is valid UTF-8 and that \u escapes pair their surrogates (scanString).
   */
  parseString(isKey: bool): i32 {
    const start = this.pos;
    const close = scanString(this.bytes, start + 1, 0);
    if (close < 0) {
      this.fail(scanError, scanAt);
      return -1;
    }
    // Taken before anything else runs: decoding a string (stringAt) scans too.
    const bad = scanBad;
    const badDetail = scanDetail;
    let flags = scanEscaped ? FLAG_ESCAPED : 0;
    this.pos = close + 1;
    if (bad >= 0) flags |= FLAG_PROBLEM;
    const entry = this.entry(JsonKind.String, start, flags, this.pos);
    if (isKey && entry >= 0 && flags == 0) this.internKey(entry);
    if (entry >= 0 && bad >= 0) {
      // A bad key is named by the path of its own member.
      if (isKey) unchecked((this.frameAt[this.depth - 1] = entry));
      this.problem(badDetail + (isKey ? " in key" : ""), bad, false);
    }
    return entry;
  }

  /** Skips the digits at pos; whether there was one. */
  digits(): bool {
    const from = this.pos;
    while (true) {
      const c = this.peek();
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos > from;
  }

  parseNumber(): bool {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    let error: string | null = null;
    if (this.peek() == 0x30) this.pos++;
    else if (!this.digits()) error = "invalid number";
    if (changetype<usize>(error) == 0 && this.peek() == 0x2e /* . */) {
      this.pos++;
      if (!this.digits()) error = "invalid number: digits expected after '.'";
    }
    if (changetype<usize>(error) == 0 && (this.peek() | 0x20) == 0x65 /* e E */) {
      this.pos++;
      const c = this.peek();
      if (c == 0x2b || c == 0x2d) this.pos++;
      if (!this.digits()) error = "invalid number: digits expected in exponent";
    }
    if (changetype<usize>(error) != 0) {
      this.fail(error, start);
      return false;
    }
    return this.entry(JsonKind.Number, start, 0, this.pos) >= 0;
  }
}

export class JsonValue {
  constructor(public doc: JsonDocument, public index: i32) {}

  get kind(): JsonKind { return this.doc.kindAt(this.index); }
  /** Byte offset of the value in the document. */
  get offset(): i32 { return this.doc.startAt(this.index); }

  isString(): bool { return this.kind == JsonKind.String; }
  isNumber(): bool { return this.kind == JsonKind.Number; }
  isBool(): bool { return this.kind == JsonKind.Bool; }
  isArray(): bool { return this.kind == JsonKind.Array; }
  isObject(): bool { return this.kind == JsonKind.Object; }
  isNull(): bool { return this.kind == JsonKind.Null; }

  /** The text of a string ("" for any other kind). */
  asString(): string { return this.itemString(this.index); }
  /** The literal text of a number (integers can be checked exactly); "" for a list or an object. */
  get raw(): string {
    const k = this.kind;
    if (k == JsonKind.Array || k == JsonKind.Object) return "";
    const from = this.offset;
    return String.UTF8.decodeUnsafe(this.doc.bytes.dataStart + <usize>from, <usize>(this.doc.word1(this.index) - from));
  }
  asNumber(): f64 { return F64.parseFloat(this.raw); }
  asBool(): bool { return unchecked(this.doc.bytes[this.offset]) == 0x74; /* t */ }
  asObject(): JsonObject { return this; }

  /** Number of items of an array, without making handles. */
  get length(): i32 {
    let n = 0;
    for (let it = this.firstItem(); it >= 0; it = this.nextItem(it)) n++;
    return n;
  }

  // Array items without handles: `for (let it = v.firstItem(); it >= 0; it = v.nextItem(it))`.
  firstItem(): i32 {
    return this.firstChild(JsonKind.Array);
  }

  /** The first entry inside this value if it is a container of `kind`; -1 if none. */
  firstChild(kind: JsonKind): i32 {
    if (this.kind != kind) return -1;
    const i = this.index + 1;
    return i < this.doc.word1(this.index) ? i : -1;
  }

  /** The entry after entry `it` (and its descendants) inside this container; -1 past its end. */
  nextItem(it: i32): i32 {
    const i = this.doc.after(it);
    return i < this.doc.word1(this.index) ? i : -1;
  }

  itemIsString(it: i32): bool { return this.doc.kindAt(it) == JsonKind.String; }
  itemString(it: i32): string { return this.itemIsString(it) ? this.doc.stringAt(it) : ""; }
  item(it: i32): JsonValue { return this.doc.handle(it); }

  asArray(): JsonValue[] {
    if (this.kind != JsonKind.Array) return [];
    const doc = this.doc;
    const out = new Array<JsonValue>(this.length);
    const end = doc.word1(this.index);
    let k = 0;
    for (let i = this.index + 1; i < end; i = doc.after(i)) unchecked((out[k++] = doc.handle(i)));
    return out;
  }

  // ---- objects --------------------------------------------------------------------------------
  // Members keep their document order (error messages and "first wins" rules depend on it).
  // Iterate them with `firstMember()` / `nextMember(m)` (m is the key's tape index, -1 at the end).

  /** Number of members (a repeated key counts each time). */
  get size(): i32 {
    let n = 0;
    for (let m = this.firstMember(); m >= 0; m = this.nextMember(m)) n++;
    return n;
  }

  firstMember(): i32 {
    return this.firstChild(JsonKind.Object);
  }

  nextMember(m: i32): i32 {
    return this.nextItem(m + 1); // past the member's value
  }

  keyOf(m: i32): string { return this.doc.stringAt(m); } // an interned key: the known string itself
  valueOf(m: i32): JsonValue { return this.doc.handle(m + 1); }
  // Member m's value without a handle:
  kindOf(m: i32): JsonKind { return this.doc.kindAt(m + 1); }
  stringOf(m: i32): string { return this.itemString(m + 1); }
  boolOf(m: i32): bool { return unchecked(this.doc.bytes[this.doc.startAt(m + 1)]) == 0x74; /* t */ }

  /** Whether this object owns problems (see JsonProblem.owner). */
  get hasProblems(): bool { return this.doc.hasFlag(this.index, FLAG_PROBLEM); }

  /** The keys in document order (allocates; readers iterate members instead). */
  get keys(): string[] {
    const out: string[] = [];
    for (let m = this.firstMember(); m >= 0; m = this.nextMember(m)) out.push(this.keyOf(m));
    return out;
  }

  /** The value of the first member named `key`. */
  get(key: string): JsonValue | null {
    const m = this.memberOf(key);
    return m < 0 ? null : this.valueOf(m);
  }

  has(key: string): bool {
    return this.memberOf(key) >= 0;
  }

  /** The first member named `key`, -1 if none (first key wins over a repeated one). */
  memberOf(key: string): i32 {
    const doc = this.doc;
    const id = doc.keyIdOf(key);
    for (let m = this.firstMember(); m >= 0; m = this.nextMember(m)) {
      if (doc.keyEquals(m, key, id)) return m;
    }
    return -1;
  }
}

/**
 * Position of `key` in `list`. Keys the parser interned (see JsonDocument.internKey) and the readers'
 * literals are the same strings, so an identity pass finds them without comparing characters.
 */
export function indexOfKey(list: string[], key: string): i32 {
  const k = changetype<usize>(key);
  for (let i = 0; i < list.length; i++) if (changetype<usize>(unchecked(list[i])) == k) return i;
  for (let i = 0; i < list.length; i++) if (unchecked(list[i]) == key) return i;
  return -1;
}

/**
 * A value known to be an object (asObject()). One class serves every kind of value (the object
 * methods are JsonValue's): one handle class, no subclass to construct, visit and describe.
 */
export type JsonObject = JsonValue;

/**
 * Upper bound of the tape entries a document needs: one per key (':'), one for the root, one per
 * ',' and one per first item of a container, counting outside strings only.
 */
function countEntries(bytes: Uint8Array, from: i32): i32 {
  const p = bytes.dataStart;
  const n = bytes.length;
  let count = 1;
  let i = from;
  while (i < n) {
    const c = load<u8>(p + <usize>i);
    i++;
    if (c == 0x22 /* " */) {
      while (i < n) {
        const s = load<u8>(p + <usize>i);
        i++;
        if (s == 0x22) break;
        if (s == 0x5c /* \ */) i++;
      }
    } else if (c == 0x2c /* , */ || c == 0x3a /* : */ || c == 0x5b /* [ */ || c == 0x7b /* { */) {
      count++;
    }
  }
  return count;
}

function sameKey(doc: JsonDocument, a: i32, b: i32): bool {
  if (doc.hasFlag(a, FLAG_ESCAPED | FLAG_PROBLEM) || doc.hasFlag(b, FLAG_ESCAPED | FLAG_PROBLEM)) {
    return doc.stringAt(a) == doc.stringAt(b);
  }
  // Interned keys are equal when their ids are; one interned and one not are different keys.
  const wa = doc.word1(a);
  const wb = doc.word1(b);
  if (wa < 0 || wb < 0) return wa == wb;
  const aFrom = doc.startAt(a);
  const n = wa - aFrom;
  const bFrom = doc.startAt(b);
  if (n != wb - bFrom) return false;
  // A byte loop, not memory.compare: that one is inlined, several times larger, and keys are short.
  const pa = doc.bytes.dataStart + <usize>aFrom;
  const pb = doc.bytes.dataStart + <usize>bFrom;
  for (let k = 0; k < n; k++) if (load<u8>(pa + <usize>k) != load<u8>(pb + <usize>k)) return false;
  return true;
}

/** FNV-1a of n bytes at p. */
function fnv(p: usize, n: i32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 0x01000193;
  return h;
}

function keyHash(doc: JsonDocument, k: i32): u32 {
  if (!doc.hasFlag(k, FLAG_ESCAPED | FLAG_PROBLEM)) {
    const from = doc.startAt(k) + 1;
    return fnv(doc.bytes.dataStart + <usize>from, doc.endAt(k) - 1 - from);
  }
  // Escaped keys hash their decoded text, so "a" and "\u0061" meet; only their UTF-8 bytes count.
  const utf8 = String.UTF8.encode(doc.stringAt(k));
  return fnv(changetype<usize>(utf8), utf8.byteLength);
}

/**
 * Adds key entry k of object e to a key table (see JsonDocument.checkDuplicate); returns the entry of
 * an equal key already there (k is then not added), else -1.
 */
function insertKey(doc: JsonDocument, slots: StaticArray<i32>, e: i32, k: i32): i32 {
  const mask = slots.length - 1;
  let s = <i32>keyHash(doc, k) & mask;
  while (true) {
    const x = unchecked(slots[s]);
    if (x <= e) break;
    if (sameKey(doc, x, k)) return x;
    s = (s + 1) & mask;
  }
  unchecked((slots[s] = k));
  return -1;
}

function hex4(v: i32): string {
  const s = (<u32>v).toString(16);
  return "0000".substring(s.length) + s;
}

/**
 * Decodes string content bytes [from, to) that hold escapes or problems straight into one string
 * (no concatenation: a long regex full of `\\` stays linear), with scanString.
 */
function decodeSlow(bytes: Uint8Array, from: i32, to: i32): string {
  // Every input byte gives at most one UTF-16 unit (4-byte sequences give 2; escapes shrink).
  const out = __new(<usize>(to - from) << 1, idof<String>());
  scanString(bytes, from, out);
  return changetype<string>(__renew(out, scanOut - out));
}

// What scanString found besides the closing quote. Module state: one scan at a time, and
// parseString takes them before anything can scan again.
/** Why the scan failed, and at which byte (parsing only). */
let scanError: string = "";
let scanAt: i32 = 0;
/** Offset of the string's first problem (-1: none), and its message without the position. */
let scanBad: i32 = -1;
let scanDetail: string = "";
/** Whether the string has a backslash escape. */
let scanEscaped: bool = false;
/** Decoding: one past the last UTF-16 unit written. */
let scanOut: usize = 0;

/**
 * Scans string content from byte `i` (just past the opening quote) to the closing quote and
 * returns the quote's offset. One scanner for both uses, so parsing and decoding cannot disagree:
 * - out == 0 (parsing): checks, without decoding, that the content is valid UTF-8 and that \u
 *   escapes pair their surrogates. The first problem is recorded (scanBad, scanDetail) and the
 *   scan goes on; an error (unterminated, control character, bad escape) returns -1, with
 *   scanError and scanAt.
 * - out != 0 (decoding content the parser accepted): also writes the text as UTF-16 from `out`
 *   (scanOut: the end). Invalid UTF-8 bytes and lone surrogate escapes become U+FFFD: the value
 *   is reported as an error anyway, and it can then never equal a valid string nor put invalid
 *   UTF-8 into a name.
 */
function scanString(bytes: Uint8Array, i: i32, out: usize): i32 {
  const n = bytes.length;
  const p = bytes.dataStart;
  const from = i;
  let bad = -1;
  let detail = "";
  let escaped = false;
  let w = out;
  while (true) {
    // A run of printable ASCII other than '"' and '\\' (the bulk of a configuration): copied
    // per run, so parsing pays no test per byte for decoding.
    const run = i;
    let c = 0;
    while (i < n) {
      c = <i32>load<u8>(p + <usize>i);
      if (<u32>(c - 0x20) >= 0x60 || c == 0x22 || c == 0x5c) break;
      i++;
    }
    if (w != 0) {
      for (let k = run; k < i; k++) {
        store<u16>(w, <u16>load<u8>(p + <usize>k));
        w += 2;
      }
    }
    if (i >= n) {
      scanError = "unterminated string";
      scanAt = from - 1;
      return -1;
    }
    if (c == 0x22) break;
    if (c < 0x20) {
      scanError = "control character in string (escape it)";
      scanAt = i;
      return -1;
    }
    let u = 0xfffd; // the code point to write
    if (c >= 0x80) {
      const r = decodeRune(p + <usize>i, p + <usize>n);
      if (isInvalid(r)) {
        if (bad < 0) {
          bad = i;
          detail = "invalid UTF-8 (byte 0x" + (<u32>c).toString(16) + ")";
        }
        i++;
      } else {
        u = runeOf(r);
        i += widthOf(r);
      }
    } else {
      // backslash
      escaped = true;
      const escAt = i;
      const e = i + 1 < n ? <i32>load<u8>(p + <usize>(i + 1)) : -1;
      i += 2;
      u = e; // " \\ /
      if (e == 0x62) u = 0x08;
      else if (e == 0x66) u = 0x0c;
      else if (e == 0x6e) u = 0x0a;
      else if (e == 0x72) u = 0x0d;
      else if (e == 0x74) u = 0x09;
      else if (e == 0x75 /* u */) {
        u = hexAt(bytes, i);
        if (u < 0) {
          scanError = "invalid \\u escape";
          scanAt = escAt;
          return -1;
        }
        i += 4;
        let lone: string | null = null;
        if (u >= 0xd800 && u <= 0xdbff) {
          // A high surrogate must be followed by an escaped low one.
          const lo = i + 1 < n && load<u8>(p + <usize>i) == 0x5c && load<u8>(p + <usize>(i + 1)) == 0x75 ? hexAt(bytes, i + 2) : -1;
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
          } else {
            lone = " (not followed by a low surrogate \\udc00-\\udfff)";
          }
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          lone = " (not preceded by a high surrogate \\ud800-\\udbff)";
        }
        if (changetype<usize>(lone) != 0) {
          if (bad < 0) {
            bad = escAt;
            detail = "lone surrogate \\u" + hex4(u) + lone;
          }
          u = 0xfffd;
        }
      } else if (!(e == 0x22 || e == 0x5c || e == 0x2f)) {
        scanError = "invalid escape \\" + (e < 0 ? "" : String.fromCharCode(e));
        scanAt = escAt;
        return -1;
      }
    }
    if (w != 0) w = storeCodePoint(w, u);
  }
  scanBad = bad;
  scanDetail = detail;
  scanEscaped = escaped;
  scanOut = w;
  return i;
}

/** The four hex digits at `at` as a number, -1 when they are not (or the input ends first). */
function hexAt(bytes: Uint8Array, at: i32): i32 {
  if (at + 4 > bytes.length) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexValue(<i32>unchecked(bytes[at + i]));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

function storeCodePoint(w: usize, cp: i32): usize {
  if (cp < 0x10000) {
    store<u16>(w, <u16>cp);
    return w + 2;
  }
  const v = cp - 0x10000;
  store<u16>(w, <u16>(0xd800 | (v >> 10)));
  store<u16>(w, <u16>(0xdc00 | (v & 0x3ff)), 2);
  return w + 4;
}

/** "column 7" on a one-line document (Istio's compact JSON), else "line 3 column 7". */
function position(line: i32, column: i32): string {
  return (line == 1 ? "" : "line " + line.toString() + " ") + "column " + column.toString();
}

/** Writes every problem's message, with line/column from one pass over the document. */
function finishProblems(doc: JsonDocument): void {
  const problems = doc.problems;
  const n = problems.length;
  if (n == 0) return;
  // (offset, problem) pairs in offset order.
  const order = new Array<i64>(n);
  for (let i = 0; i < n; i++) unchecked((order[i] = ((<i64>unchecked(problems[i]).at) << 32) | <i64>i));
  sortAscending(order);
  const bytes = doc.bytes;
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (let k = 0; k < n; k++) {
    const pr = unchecked(problems[<i32>(unchecked(order[k]) & 0xffffffff)]);
    for (; scanned < pr.at; scanned++) {
      if (unchecked(bytes[scanned]) == 0x0a) {
        line++;
        lineStart = scanned + 1;
      }
    }
    const where = position(line, pr.at - lineStart + 1);
    pr.message = pr.firstAt ? pr.detail + " (first at " + where + ")" : pr.detail + " at " + where;
  }
}

/**
 * Parses one JSON document; trailing non-whitespace is an error. Never throws. Keys found in
 * `knownKeys` are returned as those strings (see JsonDocument.internKey).
 */
export function parseJson(bytes: Uint8Array, knownKeys: string[] | null = null): JsonDocument {
  const n = bytes.length;
  const tooLarge = n > MAX_JSON_BYTES;
  // A UTF-8 byte order mark is tolerated (some editors add one).
  const from = n >= 3 && unchecked(bytes[0]) == 0xef && unchecked(bytes[1]) == 0xbb && unchecked(bytes[2]) == 0xbf ? 3 : 0;
  const p = new JsonDocument(bytes, knownKeys, tooLarge ? 1 : countEntries(bytes, from));
  p.pos = from;
  if (tooLarge) {
    p.fail("larger than the 32 MiB limit (" /* MAX_JSON_BYTES */ + n.toString() + " bytes)", 0);
  } else if (p.parseValue()) {
    p.skipWhitespace();
    if (p.pos < n) p.fail("unexpected " + p.describe(p.peek()) + " after the end of the document", p.pos);
  }
  if (changetype<usize>(p.error) == 0) {
    finishProblems(p);
    p.value = p.handle(0);
  }
  return p;
}

export function parseJsonString(text: string): JsonDocument {
  return parseJson(Uint8Array.wrap(String.UTF8.encode(text)));
}

/** The FNV-1a hash of ASCII text folded to a non-negative i32, -1 when `text` is not ASCII. */
function textHash(text: string): i32 {
  let h: u32 = 0x811c9dc5;
  const t = changetype<usize>(text);
  for (let k = 0; k < text.length; k++) {
    const c = <u32>load<u16>(t + (<usize>k << 1));
    if (c >= 0x80) return -1;
    h = (h ^ c) * 0x01000193;
  }
  return foldHash(h);
}

// @ts-ignore: decorator
@inline function foldHash(h: u32): i32 {
  return <i32>((h ^ (h >> 16)) & 0x7fffffff);
}
