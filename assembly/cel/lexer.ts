// Lexer for the CEL subset (https://github.com/google/cel-spec/blob/master/doc/langdef.md#syntax).
//
// Runs once per condition at configure time, on demand: the parser asks for one token at a time
// (no token objects, no token list). Literal values are decoded here (escapes, number bases)
// so the parser and planner never look at raw literal text again. String and bytes literals are
// decoded straight to UTF-8 bytes: that is the representation the evaluator compares against.

import { hexValue, isWordChar } from "../regex/utf8";

// Order matters: LParen…Or follow OPERATORS below, and the parser maps Plus…Percent and
// Eq…Ge to ast.ts Op by offset (keep those runs in Op's order).
export const enum Tok {
  EOF,
  Ident,
  Int, // magnitude in `u` (the parser applies a leading '-')
  Uint,
  Double,
  String, // UTF-8 in `bytes`, decoded text in `text`
  Bytes, // raw bytes in `bytes`
  True,
  False,
  Null,
  In,
  // punctuation / operators
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Dot,
  Comma,
  Colon,
  Question,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  Eq, // ==
  Ne, // !=
  Lt,
  Le,
  Gt,
  Ge,
  And, // &&
  Or, // ||
}

/** A token as a value, for lex() (the lexer's tests); the parser reads the Lexer's fields instead. */
export class Token {
  kind: Tok = Tok.EOF;
  pos: i32 = 0;
  end: i32 = 0;
  text: string = "";
  u: u64 = 0;
  intOverflow: bool = false;
  d: f64 = 0;
  bytes: ArrayBuffer | null = null;
}

/** Scratch for the bytes of the literal being read. */
const literalBytes: u8[] = [];

/** Result of lex(): either tokens (ending with EOF) or an error with its offset. */
export class LexResult {
  tokens: Token[] = [];
  error: string = "";
  errorPos: i32 = -1;
}

// CEL reserves these words: they can be neither identifiers nor function names.
const RESERVED: string[] = [
  "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
  "package", "namespace", "return", "var", "void", "while",
];

export function isReservedWord(name: string): bool {
  return RESERVED.includes(name);
}

@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }
@inline function isIdentStart(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f;
}
@inline function isIdentPart(c: i32): bool { return isWordChar(c); } // [A-Za-z0-9_]

/** Appends the UTF-8 encoding of a code point. */
export function pushUtf8(out: u8[], cp: i32): void {
  if (cp < 0x80) {
    out.push(<u8>cp);
    return;
  }
  // n continuation bytes of 6 bits each, after a lead byte 110xxxxx, 1110xxxx or 11110xxx
  const n = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
  out.push(<u8>((0xff80 >> n) | (cp >> (6 * n))));
  for (let k = n - 1; k >= 0; k--) out.push(<u8>(0x80 | ((cp >> (6 * k)) & 0x3f)));
}

export function bytesToBuffer(bytes: u8[]): ArrayBuffer {
  const buf = new ArrayBuffer(bytes.length);
  for (let i = 0; i < bytes.length; i++) store<u8>(changetype<usize>(buf) + <usize>i, unchecked(bytes[i]));
  return buf;
}

/**
 * The operators and punctuation in Tok order from LParen, two characters each (a space pads the
 * one-character ones). Where a one-character token is a prefix of a two-character one ('<' of
 * '<='), the longer comes later in this list, so the last match is the longest.
 */
const OPERATORS = "( ) [ ] { } . , : ? + - * / % ! ==!=< <=> >=&&||";
/** The keywords, in Tok order from True. */
const KEYWORDS: string[] = ["true", "false", "null", "in"];
/** Pairs of a character that may follow '\' and the byte that escape stands for. */
const SIMPLE_ESCAPES = "\\\\''\"\"``??a\x07b\bf\fn\nr\rt\tv\v";

/**
 * Lexes on demand: scan() reads the next token into the fields below (the current token), so the
 * parser (which extends this class) pulls tokens one at a time and no token objects or token list
 * are built. The first lex error is kept in `lexError` / `errorPos` and the token is then EOF.
 */
export class Lexer {
  src: string;
  n: i32;
  i: i32 = 0;
  // the current token
  kind: Tok = Tok.EOF;
  pos: i32 = 0; // 0-based offset (UTF-16 code units) in the source
  end: i32 = 0;
  text: string = ""; // Ident: the name; String: the decoded value; else ""
  u: u64 = 0; // Int / Uint magnitude
  intOverflow: bool = false; // the literal does not fit in 64 bits at all
  d: f64 = 0; // Double
  bytes: ArrayBuffer | null = null; // String (UTF-8) / Bytes literal content
  lexError: string = "";
  errorPos: i32 = -1;

  constructor(src: string) {
    this.src = src;
    this.n = src.length;
  }

  /** Reads the next token into the fields: EOF at the end and after a lex error (then `errorPos` >= 0). */
  scan(): void {
    this.skipSpaceAndComments();
    const start = this.i;
    this.pos = start;
    this.text = "";
    this.u = 0;
    this.intOverflow = false;
    this.d = 0;
    this.bytes = null;
    this.kind = Tok.EOF;
    if (start < this.n && !this.next(start)) this.kind = Tok.EOF;
    this.end = this.i;
  }

  /**
   * Printable form of the current token, for "unexpected token ..." messages: its source text
   * (punctuation and operators keep no text of their own), a string literal's decoded value.
   */
  describe(): string {
    const k = this.kind;
    if (k == Tok.EOF) return "end of expression";
    return "'" + (k == Tok.String ? this.text : this.src.substring(this.pos, this.end)) + "'";
  }

  /** True when what follows the current token is a member access ('.' or '['; not a '.5' double). */
  memberFollows(): bool {
    const at = this.i;
    this.skipSpaceAndComments();
    const c = this.peek();
    const r = c == 0x5b || (c == 0x2e && !isDigit(this.peek(1)));
    this.i = at;
    return r;
  }

  /** The character `off` past the current one; -1 past the end (as charCodeAt). */
  peek(off: i32 = 0): i32 {
    return this.src.charCodeAt(this.i + off);
  }

  fail(msg: string, pos: i32): bool {
    if (this.errorPos < 0) {
      this.lexError = msg;
      this.errorPos = pos;
    }
    return false;
  }

  skipSpaceAndComments(): void {
    while (this.i < this.n) {
      const c = this.peek();
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0c) {
        this.i++;
      } else if (c == 0x2f && this.peek(1) == 0x2f) {
        // `// comment` to end of line
        while (this.i < this.n && this.peek() != 0x0a) this.i++;
      } else {
        break;
      }
    }
  }

  /** Reads the token at `start` (not at the end): its kind and value into the fields; false on a lex error. */
  next(start: i32): bool {
    const c = this.peek();
    const c1 = this.peek(1);

    // string / bytes literals: a quote, after optional prefixes r/R (raw) and b/B (bytes) in either order
    let j = 0;
    let raw = false;
    let isBytes = false;
    while (j < 2) {
      const p = this.peek(j) | 0x20;
      if (p == 0x72 && !raw) raw = true;
      else if (p == 0x62 && !isBytes) isBytes = true;
      else break;
      j++;
    }
    const q = this.peek(j);
    if (q == 0x22 || q == 0x27) {
      this.i += j;
      return this.stringLiteral(start, raw, isBytes);
    }

    if (isDigit(c) || (c == 0x2e && isDigit(c1))) return this.number(start);

    if (isIdentStart(c)) {
      while (isIdentPart(this.peek())) this.i++;
      const word = this.src.substring(start, this.i);
      const k = KEYWORDS.indexOf(word);
      this.kind = k < 0 ? Tok.Ident : Tok.True + k;
      this.text = word;
      return true;
    }

    // operators: the longest that matches
    let kind = Tok.EOF;
    let length = 0;
    for (let k = 0; k < OPERATORS.length; k += 2) {
      const second = OPERATORS.charCodeAt(k + 1);
      if (c == OPERATORS.charCodeAt(k) && (second == 0x20 || second == c1)) {
        kind = Tok.LParen + (k >> 1);
        length = second == 0x20 ? 1 : 2;
      }
    }
    if (kind == Tok.EOF) {
      const ch = this.src.charAt(start);
      // '=', '&' and '|' only exist doubled
      const hint = c == 0x3d || c == 0x26 || c == 0x7c ? " (did you mean '" + ch + ch + "'?)" : "";
      return this.fail("unexpected character '" + ch + "'" + hint, start);
    }
    this.i += length;
    this.kind = kind;
    return true;
  }

  number(start: i32): bool {
    // hexadecimal (0x…) or decimal digits; the magnitude wraps, with `overflow` set, beyond 64 bits
    const hex = this.peek() == 0x30 && (this.peek(1) | 0x20) == 0x78;
    if (hex) this.i += 2;
    const digitsStart = this.i;
    const base: u64 = hex ? 16 : 10;
    let value: u64 = 0;
    let overflow = false;
    while (true) {
      // a hex digit's value; for decimal, a-f are >= base
      const d = hexValue(this.peek());
      if (d < 0 || <u64>d >= base) break;
      if (value > (u64.MAX_VALUE - <u64>d) / base) overflow = true;
      value = value * base + <u64>d;
      this.i++;
    }
    if (hex) {
      if (this.i == digitsStart) return this.fail("invalid hexadecimal literal", start);
      return this.intToken(start, value, overflow);
    }

    // after decimal digits, maybe a fraction / exponent (double) or a 'u' suffix (uint)
    let isDouble = false;
    if (this.peek() == 0x2e && isDigit(this.peek(1))) {
      isDouble = true;
      this.i++;
      while (isDigit(this.peek())) this.i++;
    }
    if ((this.peek() | 0x20) == 0x65) { // e E
      let j = 1;
      const s = this.peek(1);
      if (s == 0x2b || s == 0x2d) j = 2;
      if (!isDigit(this.peek(j))) return this.fail("invalid exponent in number literal", start);
      isDouble = true;
      this.i += j;
      while (isDigit(this.peek())) this.i++;
    }
    if (isDouble) {
      this.kind = Tok.Double;
      this.d = parseFloat(this.src.substring(start, this.i));
      return true;
    }
    return this.intToken(start, value, overflow);
  }

  intToken(start: i32, value: u64, overflow: bool): bool {
    const s = this.peek();
    const isUint = s == 0x75 || s == 0x55;
    if (isUint) this.i++;
    if (isIdentPart(this.peek())) return this.fail("invalid number literal", start);
    this.kind = isUint ? Tok.Uint : Tok.Int;
    this.u = value;
    this.intOverflow = overflow;
    return true;
  }

  /** `this.i` is at the opening quote. Handles '...', "...", '''...''', """...""". */
  stringLiteral(start: i32, raw: bool, isBytes: bool): bool {
    const quote = this.peek();
    const triple = this.peek(1) == quote && this.peek(2) == quote;
    this.i += triple ? 3 : 1;
    const out = literalBytes; // reused: the literal is copied out below
    out.length = 0;
    while (true) {
      if (this.i >= this.n) return this.fail("unterminated string literal", start);
      const c = this.peek();
      if (c == quote) {
        if (!triple) { this.i++; break; }
        if (this.peek(1) == quote && this.peek(2) == quote) { this.i += 3; break; }
      }
      if (!triple && (c == 0x0a || c == 0x0d)) return this.fail("unterminated string literal (newline in string)", start);
      if (c == 0x5c /* \ */ && !raw) {
        if (!this.escape(out, isBytes)) return false;
        continue;
      }
      // plain character: copy its UTF-8 encoding (source is UTF-16)
      let cp = c;
      this.i++;
      if ((cp & 0xfc00) == 0xd800) {
        const lo = this.peek();
        if ((lo & 0xfc00) == 0xdc00) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          this.i++;
        }
      }
      pushUtf8(out, cp);
    }
    const buf = bytesToBuffer(out);
    this.bytes = buf;
    this.kind = Tok.Bytes;
    if (!isBytes) {
      // a string's text is its decoded value. Strings must be valid UTF-8 text; escapes that
      // produce surrogates are rejected in escape().
      this.kind = Tok.String;
      this.text = String.UTF8.decode(buf);
    }
    return true;
  }

  /** `this.i` is at a backslash. Appends the escaped character(s). */
  escape(out: u8[], isBytes: bool): bool {
    const at = this.i;
    const c = this.peek(1);
    if (c < 0) return this.fail("unterminated string literal", at);
    this.i += 2;
    for (let k = 0; k < SIMPLE_ESCAPES.length; k += 2) {
      if (SIMPLE_ESCAPES.charCodeAt(k) == c) {
        out.push(<u8>SIMPLE_ESCAPES.charCodeAt(k + 1));
        return true;
      }
    }
    if ((c | 0x20) == 0x78 || c == 0x75 || c == 0x55) { // x X u U
      const digits = c == 0x75 ? 4 : c == 0x55 ? 8 : 2;
      if (isBytes && digits != 2) return this.fail("\\u escapes are not allowed in bytes literals", at);
      let cp: i32 = 0;
      for (let k = 0; k < digits; k++) {
        const h = hexValue(this.peek());
        if (h < 0) return this.fail("invalid escape sequence: expected " + digits.toString() + " hex digits", at);
        cp = (cp << 4) | h;
        this.i++;
      }
      return this.pushCodePoint(out, cp, isBytes, at);
    }
    if (c >= 0x30 && c <= 0x33) {
      // octal \ooo
      const o1 = this.peek();
      const o2 = this.peek(1);
      if (<u32>(o1 - 0x30) > 7 || <u32>(o2 - 0x30) > 7) return this.fail("invalid octal escape sequence", at);
      this.i += 2;
      return this.pushCodePoint(out, ((c - 0x30) << 6) | ((o1 - 0x30) << 3) | (o2 - 0x30), isBytes, at);
    }
    return this.fail("invalid escape sequence '\\" + String.fromCharCode(c) + "'", at);
  }

  pushCodePoint(out: u8[], cp: i32, isBytes: bool, at: i32): bool {
    if (isBytes) {
      out.push(<u8>cp); // \xHH / octal in bytes literals are single bytes
      return true;
    }
    // surrogates, and beyond U+10FFFF (negative as unsigned too)
    if ((cp & ~0x7ff) == 0xd800 || <u32>cp > 0x10ffff) return this.fail("invalid code point in escape sequence", at);
    pushUtf8(out, cp);
    return true;
  }
}

/** The tokens of `src` (ending with EOF), or the first lex error: for the lexer's tests (the parser lexes on demand). */
export function lex(src: string): LexResult {
  const r = new LexResult();
  const l = new Lexer(src);
  while (true) {
    l.scan();
    if (l.errorPos >= 0) {
      r.error = l.lexError;
      r.errorPos = l.errorPos;
      return r;
    }
    const t = new Token();
    t.kind = l.kind;
    t.pos = l.pos;
    t.end = l.end;
    t.text = l.text;
    t.u = l.u;
    t.intOverflow = l.intOverflow;
    t.d = l.d;
    t.bytes = l.bytes;
    r.tokens.push(t);
    if (t.kind == Tok.EOF) return r;
  }
}
