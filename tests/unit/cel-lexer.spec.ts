import { lex, Tok, Token } from "../../assembly/cel/lexer";

function tokens(src: string): Token[] {
  const r = lex(src);
  expect<i32>(r.errorPos).toBe(-1, "unexpected lex error: " + r.error);
  return r.tokens;
}

function kinds(src: string): Tok[] {
  const t = tokens(src);
  const out: Tok[] = [];
  for (let i = 0; i < t.length; i++) out.push(t[i].kind);
  return out;
}

function bytesOf(t: Token): u8[] {
  const b = t.bytes!;
  const out: u8[] = [];
  for (let i = 0; i < b.byteLength; i++) out.push(load<u8>(changetype<usize>(b) + <usize>i));
  return out;
}

function lexError(src: string): string {
  const r = lex(src);
  expect<i32>(r.errorPos).toBeGreaterThanOrEqual(0, "expected a lex error for " + src);
  return r.error + "@" + r.errorPos.toString();
}

describe("cel lexer: tokens", () => {
  it("splits operators, identifiers and keywords", () => {
    expect<Tok[]>(kinds("a.b == 'x' && !c || d in [1, 2u] ? e : f")).toStrictEqual([
      Tok.Ident, Tok.Dot, Tok.Ident, Tok.Eq, Tok.String, Tok.And, Tok.Bang, Tok.Ident, Tok.Or, Tok.Ident, Tok.In,
      Tok.LBracket, Tok.Int, Tok.Comma, Tok.Uint, Tok.RBracket, Tok.Question, Tok.Ident, Tok.Colon, Tok.Ident, Tok.EOF,
    ]);
  });

  it("prefers two-character operators", () => {
    expect<Tok[]>(kinds("<= >= != == < > ! ")).toStrictEqual([Tok.Le, Tok.Ge, Tok.Ne, Tok.Eq, Tok.Lt, Tok.Gt, Tok.Bang, Tok.EOF]);
  });

  it("recognises true/false/null/in only as whole words", () => {
    expect<Tok[]>(kinds("true false null in inx truex")).toStrictEqual([Tok.True, Tok.False, Tok.Null, Tok.In, Tok.Ident, Tok.Ident, Tok.EOF]);
  });

  it("records 0-based offsets", () => {
    const t = tokens("  foo  ==   'x'");
    expect<i32>(t[0].pos).toBe(2);
    expect<i32>(t[1].pos).toBe(7);
    expect<i32>(t[2].pos).toBe(12);
    expect<i32>(t[3].pos).toBe(15); // EOF at the end
  });

  it("skips // comments", () => {
    expect<Tok[]>(kinds("a // comment == 'x'\n&& b")).toStrictEqual([Tok.Ident, Tok.And, Tok.Ident, Tok.EOF]);
  });
});

describe("cel lexer: numbers", () => {
  it("decodes decimal, hex and uint literals", () => {
    const t = tokens("200 0x1F 200u 0xffU 18446744073709551615u");
    expect<u64>(t[0].u).toBe(200);
    expect<Tok>(t[0].kind).toBe(Tok.Int);
    expect<u64>(t[1].u).toBe(31);
    expect<Tok>(t[2].kind).toBe(Tok.Uint);
    expect<u64>(t[2].u).toBe(200);
    expect<u64>(t[3].u).toBe(255);
    expect<Tok>(t[3].kind).toBe(Tok.Uint);
    expect<u64>(t[4].u).toBe(u64.MAX_VALUE);
    expect<bool>(t[4].intOverflow).toBe(false);
  });

  it("flags literals that do not fit in 64 bits", () => {
    const t = tokens("18446744073709551616 0x10000000000000000");
    expect<bool>(t[0].intOverflow).toBe(true);
    expect<bool>(t[1].intOverflow).toBe(true);
  });

  it("decodes doubles", () => {
    const t = tokens("1.5 1e3 2.5E-1 .25");
    expect<Tok>(t[0].kind).toBe(Tok.Double);
    expect<f64>(t[0].d).toBe(1.5);
    expect<f64>(t[1].d).toBe(1000.0);
    expect<f64>(t[2].d).toBe(0.25);
    expect<f64>(t[3].d).toBe(0.25);
  });

  it("does not read a method call on an int as a double", () => {
    expect<Tok[]>(kinds("1.size()")).toStrictEqual([Tok.Int, Tok.Dot, Tok.Ident, Tok.LParen, Tok.RParen, Tok.EOF]);
  });

  it("rejects malformed numbers", () => {
    expect<string>(lexError("1e+")).toBe("invalid exponent in number literal@0");
    expect<string>(lexError("0x")).toBe("invalid hexadecimal literal@0");
    expect<string>(lexError("x == 12abc")).toBe("invalid number literal@5");
  });
});

describe("cel lexer: strings", () => {
  it("supports both quote styles", () => {
    const t = tokens("'a\"b' \"c'd\"");
    expect<string>(t[0].text).toBe("a\"b");
    expect<string>(t[1].text).toBe("c'd");
  });

  it("decodes escapes", () => {
    const t = tokens("'\\\\ \\' \\\" \\n \\t \\r \\x41 \\u00e9 \\101 \\U0001F600'");
    expect<string>(t[0].text).toBe("\\ ' \" \n \t \r A é A 😀");
  });

  it("stores string literals as UTF-8 bytes", () => {
    const t = tokens("'é\\x41'");
    expect<u8[]>(bytesOf(t[0])).toStrictEqual([0xc3, 0xa9, 0x41]);
  });

  it("keeps backslashes in raw strings", () => {
    const t = tokens("r'^\\d+$' R\"\\n\"");
    expect<string>(t[0].text).toBe("^\\d+$");
    expect<string>(t[1].text).toBe("\\n");
    expect<Tok>(t[0].kind).toBe(Tok.String);
  });

  it("supports triple-quoted strings spanning lines", () => {
    const t = tokens("'''a\n'b'''");
    expect<string>(t[0].text).toBe("a\n'b");
  });

  it("lexes bytes literals with raw byte escapes", () => {
    const t = tokens("b'\\xff\\x00a' rb'\\x'");
    expect<Tok>(t[0].kind).toBe(Tok.Bytes);
    expect<u8[]>(bytesOf(t[0])).toStrictEqual([0xff, 0x00, 0x61]);
    expect<u8[]>(bytesOf(t[1])).toStrictEqual([0x5c, 0x78]);
  });

  it("reports string errors with the offset of the literal or escape", () => {
    expect<string>(lexError("x == 'abc")).toBe("unterminated string literal@5");
    expect<string>(lexError("x == 'a\nb'")).toBe("unterminated string literal (newline in string)@5");
    expect<string>(lexError("'a\\qb'")).toBe("invalid escape sequence '\\q'@2");
    expect<string>(lexError("'\\x4'")).toBe("invalid escape sequence: expected 2 hex digits@1");
    expect<string>(lexError("'\\ud800'")).toBe("invalid code point in escape sequence@1");
    expect<string>(lexError("b'\\u00e9'")).toBe("\\u escapes are not allowed in bytes literals@2");
  });

  it("rejects stray characters with a hint", () => {
    expect<string>(lexError("a = b")).toBe("unexpected character '=' (did you mean '=='?)@2");
    expect<string>(lexError("a & b")).toBe("unexpected character '&' (did you mean '&&'?)@2");
    expect<string>(lexError("a | b")).toBe("unexpected character '|' (did you mean '||'?)@2");
    expect<string>(lexError("a # b")).toBe("unexpected character '#'@2");
  });
});
