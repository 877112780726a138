// RE2-syntax parser: UTF-8 pattern bytes → AST (ast.ts).
//
// Recursive descent. Nesting is capped (MAX_NESTING) so a hostile pattern
// cannot exhaust the wasm stack. Unsupported Perl/PCRE syntax is rejected
// with a byte position rather than silently reinterpreted.

import { Node, NodeKind, newChildList, newNode } from "./ast";
import { CharClass, addPerlClass, addPosixClass, hasCaseVariants, posixClassIndex } from "./charclass";
import { RegexError } from "./errors";
import {
  EMPTY_BEGIN_LINE, EMPTY_BEGIN_TEXT, EMPTY_END_LINE, EMPTY_END_TEXT,
} from "./program";
import { decodeRune, firstInvalidUtf8, hexValue, isWordChar, runeOf, widthOf, MAX_RUNE } from "./utf8";

// Parse flags, changed by (?imsU) and (?imsU:...).
const FLAG_FOLD_CASE: i32 = 1; // i
const FLAG_DOT_NL: i32 = 2; // s
const FLAG_MULTI_LINE: i32 = 4; // m
const FLAG_UNGREEDY: i32 = 8; // U (irrelevant for a boolean match, but accepted)

/** RE2's limit on {n,m} counts (and on the product of nested counts). */
export const MAX_REPEAT: i32 = 1000;
/**
 * Limit on group nesting. RE2 allows 1000, but this parser and the compiler
 * recurse per level and AssemblyScript's shadow stack is only 32 KiB (about
 * 80 bytes per level even at -O3), so 1000 levels would overflow and abort.
 * 100 leaves ample room for callers; real route patterns nest 1–3 deep.
 */
export const MAX_NESTING: i32 = 100;

// parseEscape results besides a code point (>= 0).
const ESC_ERROR: i32 = -1;
const ESC_PERL_CLASS: i32 = -2; // \d \w \s \D \W \S; letter in escapeLetter
const ESC_ASSERT: i32 = -3; // \A \z \b \B; condition in escapeFlags
const ESC_QUOTE: i32 = -4; // \Q

const C_BACKSLASH: i32 = 0x5c;

// What an escaped letter means (ESCAPE_KINDS): a control character's code (7, 9..13), or one of
// these kinds. From K_OUTSIDE_CLASS on, only outside a class (in one, they are invalid).
const K_INVALID: i32 = 0; // \q: an error
const K_SELF: i32 = 1; // escaped punctuation: the character itself
const K_HEX: i32 = 2; // \x
const K_UNICODE: i32 = 3; // \p \P: unsupported
const K_ANY_BYTE: i32 = 4; // \C: unsupported
const K_PERL: i32 = 5; // \d \D \s \S \w \W
const K_OUTSIDE_CLASS: i32 = 0x20;
const K_QUOTE: i32 = 0x20; // \Q
const K_END_Z: i32 = 0x21; // \Z: an error (RE2 has no \Z)
const K_ASSERT: i32 = 0x40; // \A \z \b \B: K_ASSERT | the EMPTY_* condition of program.ts
/** ESCAPE_KINDS[c - 'A'] for c in 'A'..'z'. */
const ESCAPE_KINDS: StaticArray<u8> = [
  // A     B     C  D  E  F  G  H  I  J  K  L  M  N  O  P  Q     R  S  T  U  V  W  X  Y  Z
  0x41, 0x60, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0x20, 0, 5, 0, 0, 0, 5, 0, 0, 0x21,
  // [ \ ] ^ _ `
  1, 1, 1, 1, 1, 1,
  // a b     c  d  e  f   g  h  i  j  k  l  m  n   o  p  q  r   s  t  u  v   w  x  y  z
  7, 0x50, 0, 5, 0, 12, 0, 0, 0, 0, 0, 0, 0, 10, 0, 3, 0, 13, 5, 9, 0, 11, 5, 2, 0, 0x42,
];

// Message prefixes shared by several errors.
const GROUP_NAME = "invalid named capture group";
const ESCAPE = "invalid escape sequence";
const RANGE = "invalid character class range";

export class Parser {
  private p: usize = 0;
  private n: i32 = 0;
  private pos: i32 = 0;
  private flags: i32 = 0;
  private depth: i32 = 0;
  private escapeLetter: i32 = 0;
  private escapeFlags: i32 = 0;
  error: RegexError | null = null;
  private pattern: ArrayBuffer;

  /** `pattern` holds the pattern's UTF-8 bytes; it must stay alive while parsing. */
  constructor(pattern: ArrayBuffer) {
    this.pattern = pattern;
    this.reset(pattern);
  }

  /** Starts over on another pattern: one parser serves every compilation. */
  reset(pattern: ArrayBuffer): void {
    this.pattern = pattern;
    this.p = changetype<usize>(pattern);
    this.n = pattern.byteLength;
    this.pos = 0;
    this.flags = 0;
    this.depth = 0;
    this.error = null;
    // escapeLetter, escapeFlags, braceMin, braceMax and decimalEnd are always set before use.
    let last = -1;
    for (let i = this.n - 2; i >= 0; i--) {
      if (this.byteAt(i) == 0x3a && this.byteAt(i + 1) == 0x5d) { last = i; break; }
    }
    this.lastPosixClose = last;
  }

  /** Offset of the last ":]" in the pattern (-1 if none): keeps the [:name:] lookahead linear. */
  private lastPosixClose: i32 = -1;

  parse(): Node | null {
    // Validate all UTF-8 up front so the rest of the parser can decode blindly.
    const bad = firstInvalidUtf8(this.p, this.n);
    if (bad >= 0) return this.fail("invalid UTF-8 in pattern", bad);
    const node = this.parseAlternation();
    if (node == null || this.error != null) return null;
    // parseAlternation only stops early at a ')' it has no group for.
    if (this.pos < this.n) return this.fail("unmatched ')': no group to close", this.pos);
    return node;
  }

  // ---- helpers ------------------------------------------------------------

  private fail(message: string, position: i32): Node | null {
    if (this.error == null) this.error = new RegexError(message, position);
    return null;
  }

  /** `prefix` + `rest`: messages of one family share their prefix string. */
  private failWith(prefix: string, rest: string, position: i32): Node | null {
    return this.fail(prefix + rest, position);
  }

  /** "<what> not supported (RE2 syntax)<more>": Perl/PCRE syntax RE2 rejects. */
  private notRE2(what: string, position: i32, more: string = ""): Node | null {
    return this.fail(what + " not supported (RE2 syntax)" + more, position);
  }

  private badRepeat(why: string, position: i32): void {
    this.fail("bad repetition operator: " + why, position);
  }

  /** Byte at offset i, or -1 past the end. */
  private byteAt(i: i32): i32 {
    return i >= 0 && i < this.n ? <i32>load<u8>(this.p + <usize>i) : -1;
  }

  /** Pattern text [from, to) as a string (for messages and group names). */
  private text(from: i32, to: i32): string {
    return String.UTF8.decodeUnsafe(this.p + <usize>from, <usize>(to - from));
  }

  /** Decodes the (already validated) code point at pos and advances past it. */
  private nextRune(): i32 {
    const d = decodeRune(this.p + <usize>this.pos, this.p + <usize>this.n);
    this.pos += widthOf(d);
    return runeOf(d);
  }

  private literal(rune: i32, pos: i32): Node {
    if ((this.flags & FLAG_FOLD_CASE) != 0 && hasCaseVariants(rune)) {
      // Under (?i), a character with case variants is the class of them all.
      const cls = new CharClass();
      cls.addRange(rune, rune);
      cls.addCaseFolds();
      cls.canonicalize();
      return this.classNode(cls, pos);
    }
    const node = newNode(NodeKind.Literal, pos);
    node.rune = rune;
    return node;
  }

  private classNode(cls: CharClass, pos: i32): Node {
    const node = newNode(NodeKind.Class, pos);
    node.cls = cls;
    return node;
  }

  private assertNode(flags: i32, pos: i32): Node {
    const node = newNode(NodeKind.Assert, pos);
    node.flags = flags;
    return node;
  }

  // ---- grammar ------------------------------------------------------------

  /** alternation := concat ('|' concat)* */
  private parseAlternation(): Node | null {
    const start = this.pos;
    const branches = newChildList();
    while (true) {
      const branch = this.parseConcat();
      if (branch == null) return null;
      branches.push(branch);
      if (this.byteAt(this.pos) != 0x7c /* | */) break;
      this.pos++;
    }
    return listNode(NodeKind.Alternate, start, branches);
  }

  /** concat := (atom quantifier?)* — stops at '|', ')' or the end. */
  private parseConcat(): Node | null {
    const start = this.pos;
    const items = newChildList();
    // Was the previous token a repetition operator? RE2 rejects stacked ones (a**).
    let lastWasRepeat = false;
    while (this.pos < this.n) {
      const at = this.pos;
      const c = this.byteAt(at);
      if (c == 0x7c /* | */ || c == 0x29 /* ) */) break;
      // The atom to append, or a repetition (min, max) of the last one.
      let item: Node | null = null;
      let isRepeat = false;
      let min = 0, max = -1;
      switch (c) {
        case 0x28: { // (
          item = this.parseGroup(); // null for a flags-only group (?i)
          if (this.error != null) return null;
          break;
        }
        case 0x2a: // *
        case 0x2b: // +
        case 0x3f: { // ?
          this.pos++;
          if (c == 0x2b) min = 1;
          if (c == 0x3f) max = 1;
          isRepeat = true;
          break;
        }
        case 0x7b: { // {
          isRepeat = this.parseBraceRepeat();
          if (this.error != null) return null;
          if (isRepeat) {
            min = this.braceMin;
            max = this.braceMax;
          } else {
            this.pos++;
            item = this.literal(c, at); // RE2: a '{' that starts no valid {n,m} is literal
          }
          break;
        }
        case 0x5b: { // [
          item = this.parseClass();
          if (item == null) return null;
          break;
        }
        case 0x2e: { // .
          this.pos++;
          item = newNode((this.flags & FLAG_DOT_NL) != 0 ? NodeKind.AnyChar : NodeKind.AnyCharNotNL, at);
          break;
        }
        case 0x5e: { // ^
          this.pos++;
          item = this.assertNode((this.flags & FLAG_MULTI_LINE) != 0 ? EMPTY_BEGIN_LINE : EMPTY_BEGIN_TEXT, at);
          break;
        }
        case 0x24: { // $ — without (?m) only at the very end (not before a final '\n')
          this.pos++;
          item = this.assertNode((this.flags & FLAG_MULTI_LINE) != 0 ? EMPTY_END_LINE : EMPTY_END_TEXT, at);
          break;
        }
        case C_BACKSLASH: {
          const r = this.parseEscape(false);
          if (r == ESC_ERROR) return null;
          if (r == ESC_QUOTE) {
            // \Q...\E: everything up to \E (or the end) is literal.
            while (this.pos < this.n) {
              if (this.byteAt(this.pos) == C_BACKSLASH && this.byteAt(this.pos + 1) == 0x45 /* E */) {
                this.pos += 2;
                break;
              }
              const litPos = this.pos;
              items.push(this.literal(this.nextRune(), litPos));
            }
          } else if (r == ESC_PERL_CLASS) {
            const cls = new CharClass();
            addPerlClass(cls, this.escapeLetter, (this.flags & FLAG_FOLD_CASE) != 0);
            cls.canonicalize();
            item = this.classNode(cls, at);
          } else if (r == ESC_ASSERT) {
            item = this.assertNode(this.escapeFlags, at);
          } else {
            item = this.literal(r, at);
          }
          break;
        }
        default: {
          item = this.literal(this.nextRune(), at);
        }
      }
      if (isRepeat) {
        if (!this.applyRepeat(items, min, max, at, lastWasRepeat)) return null;
      } else if (item != null) {
        items.push(item);
      }
      lastWasRepeat = isRepeat;
    }
    return listNode(NodeKind.Concat, start, items);
  }

  /**
   * Wraps the last item in a repetition. `opPos` is where the operator starts;
   * pos is just past it (and past nothing else yet).
   */
  private applyRepeat(items: Node[], min: i32, max: i32, opPos: i32, lastWasRepeat: bool): bool {
    if (lastWasRepeat) {
      this.badRepeat("repetition operators cannot be stacked (e.g. a**)", opPos);
      return false;
    }
    if (items.length == 0) {
      this.fail("missing argument to repetition operator: nothing to repeat", opPos);
      return false;
    }
    // Lazy suffix: same set of matches, so irrelevant for a boolean match.
    if (this.byteAt(this.pos) == 0x3f /* ? */) this.pos++;
    if (this.byteAt(this.pos) == 0x2b /* + */) {
      this.notRE2("possessive quantifiers are", this.pos);
      return false;
    }
    const sub = items.pop();
    const count = max == -1 ? min : max;
    const product = sub.repeatProduct * (count > 1 ? count : 1);
    if (product > MAX_REPEAT) {
      this.badRepeat("nested repetition counts multiply to more than 1000", opPos);
      return false;
    }
    const node = newNode(NodeKind.Repeat, sub.pos);
    node.sub = sub;
    node.min = min;
    node.max = max;
    node.repeatProduct = product;
    items.push(node);
    return true;
  }

  private braceMin: i32 = 0;
  private braceMax: i32 = 0;

  /**
   * At '{': parses {n}, {n,} or {n,m} into braceMin/braceMax and advances.
   * Returns false (pos unchanged) when the text is not a repetition, in which
   * case RE2 treats the '{' as a literal. Counts above 1000 are an error.
   */
  private parseBraceRepeat(): bool {
    const start = this.pos;
    let i = start + 1;
    const min = this.parseDecimal(i);
    if (min < 0) return false;
    i = this.decimalEnd;
    let max = min;
    if (this.byteAt(i) == 0x2c /* , */) {
      i++;
      if (this.byteAt(i) == 0x7d /* } */) {
        max = -1;
      } else {
        max = this.parseDecimal(i);
        if (max < 0) return false;
        i = this.decimalEnd;
      }
    }
    if (this.byteAt(i) != 0x7d /* } */) return false;
    if (min > MAX_REPEAT || max > MAX_REPEAT) {
      this.badRepeat("repetition count exceeds 1000", start);
      return true;
    }
    if (max >= 0 && min > max) {
      this.badRepeat("minimum exceeds maximum in {n,m}", start);
      return true;
    }
    this.braceMin = min;
    this.braceMax = max;
    this.pos = i + 1;
    return true;
  }

  private decimalEnd: i32 = 0;

  /** Decimal at i (no leading zeros, as RE2), or -1. Sets decimalEnd. */
  private parseDecimal(i: i32): i32 {
    const start = i;
    let value = 0;
    while (true) {
      const d = this.byteAt(i);
      if (d < 0x30 || d > 0x39) break;
      if (value >= 100000000) return -1; // RE2 gives up on absurd counts; '{' becomes literal
      value = value * 10 + (d - 0x30);
      i++;
    }
    if (i == start) return -1;
    if (i - start >= 2 && this.byteAt(start) == 0x30) return -1;
    this.decimalEnd = i;
    return value;
  }

  /**
   * At '(': a group, a named group, or a flag group. Returns the group's
   * content; for a flags-only group `(?i)` it changes the current flags,
   * returns null (with no error set).
   */
  private parseGroup(): Node | null {
    const start = this.pos;
    if (this.byteAt(start + 1) != 0x3f /* ? */) {
      this.pos++;
      return this.parseGroupBody(start, this.flags);
    }
    const c2 = this.byteAt(start + 2);
    if (c2 == 0x50 /* P */ || c2 == 0x3c /* < */) {
      let nameStart: i32;
      if (c2 == 0x50) {
        const c3 = this.byteAt(start + 3);
        if (c3 == 0x3d /* = */) return this.notRE2("backreferences are", start, ": (?P=name)");
        if (c3 == 0x3e /* > */) return this.notRE2("recursion (?P>name) is", start);
        if (c3 != 0x3c) return this.failWith(GROUP_NAME, ": expected (?P<name>", start);
        nameStart = start + 4;
      } else {
        const c3 = this.byteAt(start + 3);
        if (c3 == 0x3d || c3 == 0x21 /* ! */) {
          return this.notRE2("lookbehind assertions (?<= (?<! are", start);
        }
        nameStart = start + 3;
      }
      let end = nameStart;
      while (end < this.n && this.byteAt(end) != 0x3e /* > */) end++;
      if (end >= this.n) return this.failWith(GROUP_NAME, ": missing '>'", start);
      if (end == nameStart) return this.failWith(GROUP_NAME, ": empty name", nameStart);
      for (let i = nameStart; i < end; i++) {
        if (!isWordChar(this.byteAt(i))) return this.failWith(GROUP_NAME, " name (use letters, digits, _)", nameStart);
      }
      // Duplicate names are accepted, as RE2 does (it maps a name to its leftmost group);
      // groups do not capture here anyway.
      this.pos = end + 1;
      return this.parseGroupBody(start, this.flags);
    }
    if (c2 == 0x3d /* = */ || c2 == 0x21 /* ! */) {
      return this.notRE2("lookahead assertions (?= (?! are", start);
    }
    if (c2 == 0x3e /* > */) return this.notRE2("atomic groups (?>...) are", start);
    if (c2 == 0x23 /* # */) return this.notRE2("comments (?#...) are", start);

    // Flags: (?flags) or (?flags:re), flags = [imsU]* optionally followed by -[imsU]+.
    let flags = this.flags;
    let negated = false;
    let sawFlag = false;
    let i = start + 2;
    while (true) {
      const c = this.byteAt(i);
      if (c < 0) return this.fail("missing closing ) in flag group", start);
      i++;
      let bit = 0;
      if (c == 0x69) bit = FLAG_FOLD_CASE;
      else if (c == 0x6d) bit = FLAG_MULTI_LINE;
      else if (c == 0x73) bit = FLAG_DOT_NL;
      else if (c == 0x55) bit = FLAG_UNGREEDY;
      if (bit != 0) {
        flags = negated ? flags & ~bit : flags | bit;
        sawFlag = true;
        continue;
      }
      if (c == 0x2d /* - */) {
        if (negated) return this.fail("invalid flag group: more than one '-'", start);
        negated = true;
        sawFlag = false;
        continue;
      }
      if (c == 0x3a /* : */ || c == 0x29 /* ) */) {
        if (negated && !sawFlag) return this.fail("invalid flag group: '-' must be followed by a flag", start);
        if (c == 0x29) {
          // (?flags): applies to the rest of the enclosing group.
          this.flags = flags;
          this.pos = i;
          return null;
        }
        this.pos = i;
        return this.parseGroupBody(start, flags);
      }
      const bad = decodeRune(this.p + <usize>(i - 1), this.p + <usize>this.n);
      return this.fail("invalid or unsupported group syntax: unknown flag '" + this.text(i - 1, i - 1 + widthOf(bad)) +
        "' (RE2 flags are i, m, s, U)", start);
    }
  }

  /** Group content after its opening syntax, up to and including ')'. */
  private parseGroupBody(start: i32, flags: i32): Node | null {
    if (++this.depth > MAX_NESTING) return this.fail("expression nests too deeply (more than " + MAX_NESTING.toString() + " nested groups)", start);
    const saved = this.flags;
    this.flags = flags;
    const sub = this.parseAlternation();
    if (sub == null || this.error != null) return null;
    if (this.byteAt(this.pos) != 0x29 /* ) */) return this.fail("missing closing ): unmatched '('", start);
    this.pos++;
    this.flags = saved;
    this.depth--;
    return sub;
  }

  /** At '[': a bracket expression. */
  private parseClass(): Node | null {
    const start = this.pos;
    const fold = (this.flags & FLAG_FOLD_CASE) != 0;
    const cls = new CharClass();
    this.pos++;
    let negated = false;
    if (this.byteAt(this.pos) == 0x5e /* ^ */) {
      negated = true;
      this.pos++;
    }
    let first = true; // a ']' right after '[' or '[^' is a literal
    while (true) {
      if (this.pos >= this.n) return this.fail("missing closing ]: unclosed character class", start);
      const c = this.byteAt(this.pos);
      if (c == 0x5d /* ] */ && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c == 0x5b /* [ */ && this.byteAt(this.pos + 1) == 0x3a /* : */) {
        // [:name:] — only if a ':]' follows somewhere; otherwise '[' is literal (as RE2).
        let close = this.pos + 2;
        if (close > this.lastPosixClose) {
          close = this.n; // no ':]' ahead: skip the scan
        } else {
          while (!(this.byteAt(close) == 0x3a && this.byteAt(close + 1) == 0x5d)) close++;
        }
        if (close + 1 < this.n) {
          let nameStart = this.pos + 2;
          let posixNegated = false;
          if (this.byteAt(nameStart) == 0x5e /* ^ */) {
            posixNegated = true;
            nameStart++;
          }
          const index = posixClassIndex(this.text(nameStart, close));
          if (index < 0) {
            return this.fail("invalid POSIX character class " + this.text(this.pos, close + 2), this.pos);
          }
          addPosixClass(cls, index, posixNegated, fold);
          this.pos = close + 2;
          continue;
        }
      }
      const loPos = this.pos;
      const lo = this.parseClassChar();
      if (lo == ESC_PERL_CLASS) {
        addPerlClass(cls, this.escapeLetter, fold);
        continue;
      }
      if (lo < 0) return null;
      let hi = lo;
      // '-' makes a range unless it is last ([a-]); elsewhere it is literal (Perl/RE2).
      if (this.byteAt(this.pos) == 0x2d && this.pos + 1 < this.n && this.byteAt(this.pos + 1) != 0x5d) {
        this.pos++;
        const hiPos = this.pos;
        hi = this.parseClassChar();
        if (hi == ESC_PERL_CLASS) return this.failWith(RANGE, ": a class escape cannot be a range endpoint", hiPos);
        if (hi < 0) return null;
        if (hi < lo) return this.failWith(RANGE, " " + this.text(loPos, this.pos) + ": end before start", loPos);
      }
      cls.addRange(lo, hi);
    }
    if (fold) cls.addCaseFolds();
    if (negated) cls.negate();
    else cls.canonicalize();
    return this.classNode(cls, start);
  }

  /**
   * One class member: a character (literal or escape), ESC_PERL_CLASS for \d \w \s \D \W \S
   * (the letter in escapeLetter), or ESC_ERROR (in a class, parseEscape returns nothing else).
   */
  private parseClassChar(): i32 {
    if (this.byteAt(this.pos) != C_BACKSLASH) return this.nextRune();
    return this.parseEscape(true);
  }

  /**
   * At '\'. Returns a code point, or ESC_PERL_CLASS / ESC_ASSERT / ESC_QUOTE
   * (outside classes only), or ESC_ERROR.
   */
  private parseEscape(inClass: bool): i32 {
    const start = this.pos;
    const c = this.byteAt(start + 1);
    if (c < 0) {
      this.fail("trailing backslash at end of expression", start);
      return ESC_ERROR;
    }
    this.pos = start + 2;
    // Octal: \0, \0N, \0NN; \1-\7 only when another octal digit follows (RE2).
    if (c >= 0x31 && c <= 0x39) {
      const d = this.byteAt(this.pos);
      if (c > 0x37 || d < 0x30 || d > 0x37) {
        this.notRE2("backreferences are", start);
        return ESC_ERROR;
      }
    }
    if (c >= 0x30 && c <= 0x37) {
      let code = c - 0x30;
      for (let k = 0; k < 2; k++) {
        const d = this.byteAt(this.pos);
        if (d < 0x30 || d > 0x37) break;
        code = code * 8 + (d - 0x30);
        this.pos++;
      }
      return code;
    }
    // What the letter means (ESCAPE_KINDS); any other ASCII character but a digit is itself.
    let kind = c >= 0x41 && c <= 0x7a ? <i32>unchecked(ESCAPE_KINDS[c - 0x41]) : c < 0x80 ? K_SELF : K_INVALID;
    if (inClass && kind >= K_OUTSIDE_CLASS) kind = K_INVALID; // \A \z \b \B \Q \Z: not in a class
    if (kind >= K_ASSERT) {
      this.escapeFlags = kind & 0x3f;
      return ESC_ASSERT;
    }
    switch (kind) {
      case K_SELF: return c;
      case K_HEX: return this.parseHexEscape(start);
      case K_UNICODE: {
        this.fail("Unicode character classes \\p and \\P are not supported", start);
        return ESC_ERROR;
      }
      case K_ANY_BYTE: {
        this.fail("\\C (any single byte) is not supported", start);
        return ESC_ERROR;
      }
      case K_PERL: {
        this.escapeLetter = c;
        return ESC_PERL_CLASS;
      }
      case K_QUOTE: return ESC_QUOTE;
      case K_END_Z: {
        this.notRE2("\\Z is", start, "; use \\z or $");
        return ESC_ERROR;
      }
      case K_INVALID: break;
      default: return kind; // a control character (\a \f \t \n \r \v)
    }
    // Show the whole escaped character, even if it is multi-byte.
    this.pos = start + 1;
    this.nextRune();
    this.failWith(ESCAPE, " " + this.text(start, this.pos), start);
    return ESC_ERROR;
  }

  /** After "\x": \xHH or \x{H...} (at most U+10FFFF). */
  private parseHexEscape(start: i32): i32 {
    const braced = this.byteAt(this.pos) == 0x7b /* { */;
    let i = braced ? this.pos + 1 : this.pos;
    let value = 0;
    let digits = 0;
    // Any number of digits in braces, else exactly two.
    while (braced || digits < 2) {
      const h = hexValue(this.byteAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      if (value > MAX_RUNE) {
        this.failWith(ESCAPE, ": \\x{...} beyond U+10FFFF", start);
        return ESC_ERROR;
      }
      digits++;
      i++;
    }
    if (braced) {
      if (digits == 0 || this.byteAt(i) != 0x7d /* } */) {
        this.failWith(ESCAPE, ": malformed \\x{...}", start);
        return ESC_ERROR;
      }
      i++;
    } else if (digits < 2) {
      this.failWith(ESCAPE, ": \\x needs two hex digits or {...}", start);
      return ESC_ERROR;
    }
    this.pos = i;
    return value;
  }
}

/**
 * The node for a list of items: Empty for none, the item itself for one, else a `kind` node
 * (Concat or Alternate) over them, with the largest repetition product among them.
 */
function listNode(kind: NodeKind, start: i32, items: Node[]): Node {
  if (items.length == 0) return newNode(NodeKind.Empty, start);
  if (items.length == 1) return unchecked(items[0]);
  const node = newNode(kind, start);
  node.children = items;
  for (let i = 0; i < items.length; i++) node.repeatProduct = max(node.repeatProduct, unchecked(items[i]).repeatProduct);
  return node;
}
