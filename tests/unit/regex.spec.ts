// RE2-syntax regex engine (assembly/regex): matching semantics.
// Every case is checked through Regex.matchBytes and through the Pike VM and
// the lazy DFA on their own (cold and warm cache).
import { Regex, lastCompileError, setMaxProgramSize, MAX_PROGRAM_SIZE, DEFAULT_MAX_PROGRAM_SIZE } from "../../assembly/regex/index";
import { PikeVM } from "../../assembly/regex/pikevm";
import { LazyDfa, DFA_GAVE_UP, DFA_MATCH } from "../../assembly/regex/dfa";
import { BitVm } from "../../assembly/regex/bitvm";
import { CacheBudget, CACHE_BUDGET_BYTES } from "../../assembly/regex/budget";
import { mustCompileRegex as mustCompile } from "./regex.include";

function bytesOf(values: u8[]): ArrayBuffer {
  const buf = new ArrayBuffer(values.length);
  for (let i = 0; i < values.length; i++) store<u8>(changetype<usize>(buf) + <usize>i, values[i]);
  return buf;
}

function checkBytes(pattern: string, input: ArrayBuffer, expected: bool, shown: string): void {
  const re = mustCompile(pattern);
  const ptr = changetype<usize>(input);
  const len = input.byteLength;
  const what = "/" + pattern + "/ on \"" + shown + "\"";
  expect<bool>(re.matchBytes(ptr, len)).toBe(expected, "matchBytes " + what);
  expect<bool>(new PikeVM(re.program).match(ptr, len)).toBe(expected, "pikevm " + what);
  const dfa = new LazyDfa(re.program);
  if (dfa.usable) {
    const r = dfa.match(ptr, len);
    if (r != DFA_GAVE_UP) expect<bool>(r == DFA_MATCH).toBe(expected, "dfa " + what);
    const again = dfa.match(ptr, len); // warm cache
    if (again != DFA_GAVE_UP) expect<bool>(again == DFA_MATCH).toBe(expected, "dfa (warm) " + what);
  }
  // The bit-parallel engine (the DFA's fallback) on its own, with a budget of its own.
  const bitvm = new BitVm(re.program, new CacheBudget(CACHE_BUDGET_BYTES));
  if (bitvm.usable) {
    const matched = bitvm.match(ptr, len);
    if (bitvm.usable) expect<bool>(matched).toBe(expected, "bitvm " + what);
  }
}

function check(pattern: string, input: string, expected: bool): void {
  checkBytes(pattern, String.UTF8.encode(input), expected, input);
}

/** Rows of [pattern, input, "1" (matches) | "0"]. */
function checkTable(rows: string[][]): void {
  for (let i = 0; i < rows.length; i++) check(rows[i][0], rows[i][1], rows[i][2] == "1");
}

describe("regex: real-world route patterns (attributegen.md §4)", () => {
  it("bookinfo reviews", () => {
    checkTable([
      ["^/reviews/[[:alnum:]]*$", "/reviews/", "1"],
      ["^/reviews/[[:alnum:]]*$", "/reviews/0123abcXYZ", "1"],
      ["^/reviews/[[:alnum:]]*$", "/reviews/12-3", "0"],
      ["^/reviews/[[:alnum:]]*$", "/reviews", "0"],
      ["^/reviews/[[:alnum:]]*$", "/reviews/1/", "0"],
      ["^/reviews/[[:alnum:]]*$", "/api/reviews/1", "0"],
      ["^/reviews/[[:alnum:]]*$", "/reviews/1\n", "0"],
      ["^/reviews/[[:alnum:]]*$", "/reviews/é", "0"],
    ]);
  });
  it("bookstore shelves", () => {
    checkTable([
      ["^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$", "/shelves/s1/books/b2", "1"],
      ["^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$", "/shelves//books/", "1"],
      ["^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$", "/shelves/s1/books/b2/extra", "0"],
      ["^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$", "/shelves/s_1/books/b2", "0"],
    ]);
  });
  it("travel agency, user API, legacy versions", () => {
    checkTable([
      ["^/travels/[[:alpha:]]+$", "/travels/Paris", "1"],
      ["^/travels/[[:alpha:]]+$", "/travels/", "0"],
      ["^/travels/[[:alpha:]]+$", "/travels/par1s", "0"],
      ["^/travels$", "/travels", "1"],
      ["^/travels$", "/travels/", "0"],
      ["^/api/users/[a-zA-Z0-9-]+$", "/api/users/ab-12-CD", "1"],
      ["^/api/users/[a-zA-Z0-9-]+$", "/api/users/", "0"],
      ["^/api/users/[a-zA-Z0-9-]+$", "/api/users/a/b", "0"],
      ["^/api/users/[a-zA-Z0-9-]+$", "/api/users/a_b", "0"],
      ["^/v[0-9]+/legacy/", "/v1/legacy/x", "1"],
      ["^/v[0-9]+/legacy/", "/v123/legacy/", "1"],
      ["^/v[0-9]+/legacy/", "/v/legacy/", "0"],
      ["^/v[0-9]+/legacy/", "/api/v1/legacy/", "0"],
    ]);
  });
});

describe("regex: literals and unanchored (PartialMatch) semantics", () => {
  it("matches substrings unless anchored", () => {
    checkTable([
      ["b", "abc", "1"],
      ["abc", "xxabcxx", "1"],
      ["abc", "ab", "0"],
      ["abc", "", "0"],
      ["", "", "1"],
      ["", "anything", "1"],
      ["/users/", "/api/users/1", "1"],
      ["aab", "aaab", "1"], // restart after a partial match
      ["abab", "abaabab", "1"],
      ["é€😀", "xé€😀y", "1"],
      ["€", "e", "0"],
    ]);
  });
});

describe("regex: dot", () => {
  it("matches one character but not \\n (unless (?s))", () => {
    checkTable([
      ["a.c", "abc", "1"],
      ["a.c", "a\nc", "0"],
      ["(?s)a.c", "a\nc", "1"],
      ["(?s:a.c)", "a\nc", "1"],
      ["(?s)(?-s:.)", "\n", "0"],
      ["a.c", "ac", "0"],
      ["^.$", "é", "1"], // two bytes, one character
      ["^.$", "€", "1"],
      ["^.$", "😀", "1"],
      ["^..$", "é", "0"],
      ["^.{3}$", "a€😀", "1"],
      ["^.$", "\r", "1"],
    ]);
  });
});

describe("regex: character classes", () => {
  it("sets, ranges, negation, specials", () => {
    checkTable([
      ["[abc]", "xbx", "1"],
      ["[abc]", "xyz", "0"],
      ["^[a-z]+$", "hello", "1"],
      ["^[a-z]+$", "Hello", "0"],
      ["^[a-zA-Z0-9_]+$", "Az_09", "1"],
      ["[^abc]", "abc", "0"],
      ["[^abc]", "abcd", "1"],
      ["^[^a]$", "\n", "1"], // negated classes include \n (RE2)
      ["^[^a]$", "é", "1"], // ... and consume a whole UTF-8 sequence
      ["^[^a]$", "😀", "1"],
      ["[]a]", "]", "1"], // ']' first is literal
      ["[^]a]", "]", "0"],
      ["[^]a]", "b", "1"],
      ["^[a-]$", "-", "1"],
      ["^[-a]$", "-", "1"],
      ["^[a-c-e]+$", "b-e", "1"], // '-' after a range is literal (Perl)
      ["^[a-c-e]+$", "d", "0"],
      ["^[a\\-z]$", "-", "1"],
      ["^[a\\-z]$", "b", "0"],
      ["[\\]]", "]", "1"],
      ["[\\\\]", "\\", "1"],
      ["^[.]$", ".", "1"],
      ["^[.]$", "x", "0"],
      ["^[*+?{}()|^$]+$", "*+?{}()|^$", "1"],
      ["^[é-ë]$", "ê", "1"],
      ["^[é-ë]$", "e", "0"],
      ["^[\\x{263a}-\\x{263c}]$", "☻", "1"],
      ["^[😀-😂]$", "😁", "1"],
      ["^[\\t\\n]$", "\t", "1"],
      ["^[\\x41-\\x43]+$", "ABC", "1"],
      ["[[:a]", "[", "1"], // no closing ':]' → '[' is literal
      ["^[:alpha:]$", "p", "1"], // outside brackets: just the characters : a l p h
      ["^[:alpha:]$", "b", "0"],
    ]);
  });

  it("POSIX classes inside brackets", () => {
    checkTable([
      ["^[[:alnum:]]$", "a", "1"], ["^[[:alnum:]]$", "Z", "1"], ["^[[:alnum:]]$", "5", "1"], ["^[[:alnum:]]$", "-", "0"], ["^[[:alnum:]]$", "_", "0"],
      ["^[[:alpha:]]$", "Q", "1"], ["^[[:alpha:]]$", "1", "0"], ["^[[:alpha:]]$", "é", "0"],
      ["^[[:digit:]]$", "7", "1"], ["^[[:digit:]]$", "a", "0"],
      ["^[[:lower:]]$", "q", "1"], ["^[[:lower:]]$", "Q", "0"],
      ["^[[:upper:]]$", "Q", "1"], ["^[[:upper:]]$", "q", "0"],
      ["^[[:space:]]$", " ", "1"], ["^[[:space:]]$", "\t", "1"], ["^[[:space:]]$", "\x0B", "1"], ["^[[:space:]]$", "x", "0"],
      ["^[[:punct:]]$", "!", "1"], ["^[[:punct:]]$", "~", "1"], ["^[[:punct:]]$", "_", "1"], ["^[[:punct:]]$", "a", "0"],
      ["^[[:xdigit:]]$", "f", "1"], ["^[[:xdigit:]]$", "F", "1"], ["^[[:xdigit:]]$", "g", "0"],
      ["^[[:word:]]$", "_", "1"], ["^[[:word:]]$", "-", "0"],
      ["^[[:blank:]]$", " ", "1"], ["^[[:blank:]]$", "\t", "1"], ["^[[:blank:]]$", "\n", "0"],
      ["^[[:cntrl:]]$", "\x01", "1"], ["^[[:cntrl:]]$", "\x7F", "1"], ["^[[:cntrl:]]$", "a", "0"],
      ["^[[:print:]]$", " ", "1"], ["^[[:print:]]$", "~", "1"], ["^[[:print:]]$", "\x7F", "0"],
      ["^[[:graph:]]$", "!", "1"], ["^[[:graph:]]$", " ", "0"],
      ["^[[:ascii:]]$", "\x7F", "1"], ["^[[:ascii:]]$", "é", "0"],
      ["^[[:^alpha:]]$", "1", "1"], ["^[[:^alpha:]]$", "a", "0"], ["^[[:^alpha:]]$", "é", "1"],
      ["^[[:^digit:][:lower:]]+$", "ab-c", "1"], ["^[[:^digit:]]$", "4", "0"],
      ["^[[:digit:][:upper:]]+$", "A1B2", "1"], ["^[[:digit:][:upper:]]+$", "a1", "0"],
      ["^[^[:alnum:]]$", "-", "1"], ["^[^[:alnum:]]$", "a", "0"],
      ["^[x[:digit:]y]+$", "x1y", "1"],
    ]);
  });

  it("Perl classes (ASCII, as RE2) in and out of brackets", () => {
    checkTable([
      ["^\\d+$", "0123456789", "1"], ["\\d", "abc", "0"], ["^\\d$", "٣", "0"], // Arabic-Indic digit: not \d
      ["^\\D$", "a", "1"], ["^\\D$", "\n", "1"], ["^\\D$", "5", "0"],
      ["^\\w+$", "a_Z9", "1"], ["\\w", "-./", "0"], ["^\\w$", "é", "0"],
      ["^\\W$", "-", "1"], ["^\\W$", "é", "1"], ["^\\W$", "_", "0"],
      ["\\s", "a b", "1"], ["\\s", "a\tb", "1"], ["\\s", "a\nb", "1"], ["\\s", "a\rb", "1"], ["\\s", "a\x0Cb", "1"],
      ["\\s", "a\x0Bb", "0"], // RE2's \s has no \v
      ["^\\S+$", "ab", "1"], ["^\\S$", " ", "0"],
      ["^[\\d]+$", "42", "1"], ["^[\\w.]+$", "a_b.c", "1"], ["^[\\s]$", " ", "1"],
      ["^[\\D]$", "x", "1"], ["^[\\D]$", "1", "0"], ["^[^\\d]$", "1", "0"], ["^[^\\D]$", "1", "1"],
      ["^[\\W\\d]+$", "-1-", "1"], ["^[\\W\\d]+$", "a", "0"],
      ["^[\\d-z]+$", "1-z", "1"], // class escape then '-' : literal '-'
    ]);
  });
});

describe("regex: escapes", () => {
  it("metacharacters, controls, hex, octal, \\Q...\\E", () => {
    checkTable([
      ["a\\.b", "a.b", "1"], ["a\\.b", "axb", "0"],
      ["\\/api\\/", "/api/", "1"],
      ["\\\\", "a\\b", "1"],
      ["^\\-$", "-", "1"],
      ["\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$", "*+?()[]{}|^$", "1"],
      ["^\\_\\ \\#\\%\\&\\~\\\"\\'\\<\\>\\=\\!\\@\\,\\;\\:\\`$", "_ #%&~\"'<>=!@,;:`", "1"],
      ["\\t", "\t", "1"], ["\\n", "\n", "1"], ["\\r", "\r", "1"], ["\\f", "\x0C", "1"], ["\\v", "\x0B", "1"], ["\\a", "\x07", "1"],
      ["\\x41", "A", "1"], ["\\x41", "a", "0"], ["^\\x{263a}$", "☺", "1"], ["^\\x{1F600}$", "😀", "1"], ["^\\x{41}$", "A", "1"],
      ["^\\xe9$", "é", "1"], // \xHH is a code point, not a byte
      ["^\\101\\0$", "A\0", "1"], ["^\\12$", "\n", "1"], // octal (RE2)
      ["\\Qa.b\\E", "a.b", "1"], ["\\Qa.b\\E", "axb", "0"],
      ["^\\Q*+?\\E+$", "*+??", "1"], // the quantifier applies to the last quoted char
      ["^\\Q(x)", "(x)", "1"], // unterminated \Q runs to the end
      ["^\\Q\\d\\E$", "\\d", "1"],
    ]);
  });
});

describe("regex: anchors and boundaries", () => {
  it("^ $ \\A \\z without and with (?m)", () => {
    checkTable([
      ["^abc", "abcd", "1"], ["^abc", "xabc", "0"], ["^abc", "x\nabc", "0"],
      ["abc$", "xabc", "1"], ["abc$", "abcx", "0"],
      ["abc$", "abc\n", "0"], // RE2: $ does not match before a final \n
      ["^$", "", "1"], ["^$", "\n", "0"], ["^$", "x", "0"],
      ["a^b", "a^b", "0"], ["a$b", "a$b", "0"],
      ["^*a", "a", "1"], // RE2 allows repeating an empty-width assertion
      ["(?m)^abc$", "x\nabc\ny", "1"], ["(?m)^abc$", "x\nabcd\ny", "0"],
      ["(?m)abc$", "abc\n", "1"], ["(?m)^b", "a\nb", "1"], ["(?m)^$", "a\n", "1"], ["(?m)^$", "a", "0"],
      ["\\Aabc", "abc", "1"], ["\\Aabc", "\nabc", "0"], ["(?m)\\Aabc", "x\nabc", "0"],
      ["abc\\z", "abc", "1"], ["abc\\z", "abc\n", "0"], ["(?m)abc\\z", "abc\nx", "0"],
      ["^(a|^b)", "b", "1"], ["x^", "x", "0"], ["$x", "x", "0"], ["$", "", "1"], ["^", "abc", "1"],
    ]);
  });

  it("\\b \\B (ASCII word characters)", () => {
    checkTable([
      ["\\bfoo\\b", "a foo b", "1"], ["\\bfoo\\b", "foo", "1"], ["\\bfoo\\b", "afoo", "0"], ["\\bfoo\\b", "foo_", "0"],
      ["\\Bfoo", "afoo", "1"], ["\\Bfoo", "a foo", "0"],
      ["\\b", "", "0"], ["\\B", "", "1"], ["\\b", "-", "0"], ["\\b", "a", "1"],
      ["\\bé", "é", "0"], // é is not an ASCII word character: no boundary between start and é
      ["a\\b", "aé", "1"],
      ["^\\b/users\\b", "/users", "0"], ["/users\\b", "/users/1", "1"], ["/users\\b", "/usersX", "0"],
    ]);
  });
});

describe("regex: groups and alternation", () => {
  it("capturing, non-capturing, named (treated as non-capturing)", () => {
    checkTable([
      ["(abc)+$", "xabcabc", "1"], ["^(?:ab)+$", "ababa", "0"], ["^(?:ab)+$", "abab", "1"],
      ["^(?P<id>\\d+)$", "123", "1"], ["^(?P<id>\\d+)$", "12a", "0"], ["^(?<id>\\d+)/(?<sub>[a-z]+)$", "12/ab", "1"],
      ["(a)(b)(c)", "abc", "1"], ["()", "x", "1"], ["(?:)", "", "1"], ["^()$", "", "1"],
      ["^((((a))))$", "a", "1"],
    ]);
  });
  it("alternation", () => {
    checkTable([
      ["^(GET|HEAD)$", "HEAD", "1"], ["^(GET|HEAD)$", "POST", "0"], ["^(GET|HEAD)$", "GETX", "0"],
      ["a|b|c", "xxc", "1"], ["^a|b$", "xb", "1"], ["^a|b$", "bx", "0"],
      ["^(a|)$", "", "1"], ["|", "", "1"], ["^(|a)+$", "aa", "1"],
      ["^/(users|groups)/[0-9]+$", "/groups/7", "1"], ["^/(users|groups)/[0-9]+$", "/others/7", "0"],
    ]);
  });
});

describe("regex: repetition", () => {
  it("* + ? {n} {n,} {n,m}, greedy and lazy", () => {
    setMaxProgramSize(MAX_PROGRAM_SIZE); // x{1000}: the engine at its hard ceiling, not the configured cap
    checkTable([
      ["^a*$", "", "1"], ["^a*$", "aaa", "1"], ["^a*$", "ab", "0"],
      ["^a+$", "", "0"], ["^a+$", "aa", "1"],
      ["^a?$", "", "1"], ["^a?$", "a", "1"], ["^a?$", "aa", "0"],
      ["^a{3}$", "aaa", "1"], ["^a{3}$", "aa", "0"], ["^a{3}$", "aaaa", "0"],
      ["^a{2,}$", "aa", "1"], ["^a{2,}$", "aaaaa", "1"], ["^a{2,}$", "a", "0"],
      ["^a{2,3}$", "aaa", "1"], ["^a{2,3}$", "aaaa", "0"], ["^a{2,3}$", "a", "0"],
      ["^a{0}$", "", "1"], ["^a{0}b$", "b", "1"], ["^a{0,0}b$", "ab", "0"], ["^(ab){2}$", "abab", "1"],
      ["^a*?$", "aa", "1"], ["^a+?b$", "aab", "1"], ["^a??$", "a", "1"], ["^a{1,2}?$", "aa", "1"], ["^a{2,}?$", "aaa", "1"],
      ["^(a*)*$", "aaa", "1"], ["^(a*)+$", "", "1"], ["^(a?){3}$", "a", "1"], ["^(a|b)*c$", "ababc", "1"],
      ["a{", "a{", "1"], ["a{,3}", "a{,3}", "1"], ["a{x}", "a{x}", "1"], ["^a{01}$", "a{01}", "1"], // not repetitions: literal '{'
      ["^x{1000}$", "x".repeat(1000), "1"], ["^x{1000}$", "x".repeat(999), "0"],
      ["^[0-9]{1,3}(\\.[0-9]{1,3}){3}$", "10.0.255.1", "1"], ["^[0-9]{1,3}(\\.[0-9]{1,3}){3}$", "10.0.2555.1", "0"],
    ]);
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
  });
});

describe("regex: flags", () => {
  it("(?i) case-insensitive, ASCII and beyond", () => {
    checkTable([
      ["(?i)hello", "HeLLo", "1"], ["hello", "HeLLo", "0"],
      ["(?i)[a-c]+$", "ABC", "1"], ["(?i)^[^a]$", "A", "0"], ["(?i)^[^a]$", "b", "1"],
      ["(?i)^[[:upper:]]+$", "abc", "1"], ["(?i)^[[:lower:]]$", "Q", "1"],
      ["(?i)^\\x41$", "a", "1"], ["(?i)^/API/v1$", "/api/V1", "1"],
      ["(?i:H)ello", "hello", "1"], ["(?i:H)ello", "hELLO", "0"],
      ["hello(?i)", "HELLO", "0"], ["a(?i)b", "aB", "1"], ["a(?i)b", "AB", "0"],
      ["a(?i)b|c", "C", "1"], // (?i) lasts to the end of the group, across '|'
      ["(?i)(?-i:a)b", "aB", "1"], ["(?i)(?-i:a)b", "AB", "0"], ["(?i-i)a", "A", "0"],
      ["(?i)é", "É", "1"], ["(?i)ÿ", "Ÿ", "1"], ["(?i)σ", "Σ", "1"], ["(?i)σ", "ς", "1"], ["(?i)ж", "Ж", "1"], ["(?i)ā", "Ā", "1"],
      ["(?i)k", "\u212A", "1"], ["(?i)\u212A", "K", "1"], ["(?i)s", "\u017F", "1"], ["(?i)ß", "\u1E9E", "1"], ["(?i)[à-å]", "Å", "1"],
      ["(?i)é", "e", "0"], ["(?i)ß", "ss", "0"], // simple folding only, as RE2
      ["(?i)ƀ", "Ƀ", "1"], ["(?i)ǅ", "Ǆ", "1"], ["(?i)ǅ", "ǆ", "1"], ["(?i)θ", "ϑ", "1"], ["(?i)ι", "\u0345", "1"],
      ["(?i)Ⴀ", "ⴀ", "1"], ["(?i)\\x{10400}", "𐐨", "1"], ["(?i)ı", "I", "0"], ["(?i)İ", "i", "0"],
      ["(?i)^[Ѐ-Џ]+$", "ѐџЀ", "1"], ["(?i)[^ǅ]", "ǆ", "0"],
      // Offsets that wrap modulo 2^16 in the compact table: astral both ways, and a large one.
      ["(?i)\\x{10428}", "𐐀", "1"], ["(?i)\\x{1E922}", "\u{1E900}", "1"], ["(?i)^[\\x{1E900}-\\x{1E943}]+$", "\u{1E921}\u{1E943}", "1"],
      ["(?i)ƛ", "\uA7DC", "1"], ["(?i)\uA7DC", "ƛ", "1"], ["(?i)ꙋ", "\u1C88", "1"], ["(?i)^[\\x{10400}-\\x{10401}]$", "\u{10402}", "0"],
    ]);
  });
  it("flag groups nested in groups keep the enclosing group", () => {
    checkTable([
      ["^(?:(?i)a)b$", "Ab", "1"], ["^(?:(?i)a)b$", "AB", "0"], ["^(?:x(?m)y)z$", "xyz", "1"], ["^(?:x(?m)y)z$", "xz", "0"],
      ["^((?i)a|b)c$", "Bc", "1"], ["^(?:(?s:.)(?i))+$", "\n\n", "1"], ["^(?i:(?-i)a)$", "A", "0"],
    ]);
  });
  it("(?m) (?s) (?U) and combinations", () => {
    checkTable([
      ["(?m)$", "a\nb", "1"], ["(?s).", "\n", "1"], ["(?ms)^.$", "\n\n", "1"], ["(?im)^B$", "a\nb", "1"],
      ["(?U)a+", "a", "1"], ["(?U)^a+?$", "aa", "1"], ["(?i:(?s:a.b))", "A\nB", "1"], ["(?smi:x)", "X", "1"],
    ]);
  });
});

describe("regex: UTF-8 input", () => {
  it("invalid bytes are one U+FFFD each (never trap)", () => {
    checkBytes("^.$", bytesOf([0xff]), true, "ff");
    checkBytes("^.$", bytesOf([0xff, 0xfe]), false, "ff fe");
    checkBytes("^..$", bytesOf([0xff, 0xfe]), true, "ff fe");
    checkBytes("^..$", bytesOf([0xe2, 0x82]), true, "e2 82 (truncated €)");
    checkBytes("^.$", bytesOf([0xe2, 0x82, 0xac]), true, "e2 82 ac (€)");
    checkBytes("^...$", bytesOf([0xed, 0xa0, 0x80]), true, "encoded surrogate");
    checkBytes("^..$", bytesOf([0xc0, 0xaf]), true, "overlong '/'");
    checkBytes("^....$", bytesOf([0xf4, 0x90, 0x80, 0x80]), true, "above U+10FFFF");
    checkBytes("^\\x{fffd}$", bytesOf([0x80]), true, "stray continuation");
    checkBytes("^\\x{fffd}+$", bytesOf([0x80, 0xef, 0xbf, 0xbd, 0xc3]), true, "mixed");
    checkBytes("^[^a]$", bytesOf([0x80]), true, "80");
    checkBytes("^\\xff$", bytesOf([0xff]), false, "ff vs U+00FF");
    checkBytes("^/a", bytesOf([0x2f, 0x61, 0xff]), true, "/a ff");
    checkBytes("a$", bytesOf([0xff, 0x61]), true, "ff a");
    checkBytes("\\bx\\b", bytesOf([0xff, 0x78, 0xc3]), true, "ff x c3");
    checkBytes("^.é$", bytesOf([0xc3, 0xc3, 0xa9]), true, "c3 é");
    checkBytes("", bytesOf([]), true, "empty");
  });
  it("pseudo-random bytes never trap", () => {
    const buf = new ArrayBuffer(4096);
    let x: u32 = 12345;
    for (let i = 0; i < 4096; i++) {
      x = x * 1103515245 + 12345;
      store<u8>(changetype<usize>(buf) + <usize>i, <u8>(x >> 16));
    }
    const patterns = ["(?s)^.*$", "^.*$", "[^a]+\\b", "(?i)é|\\x{fffd}{3}", "(\\w+\\W+){5}", "[[:^ascii:]]{4}", "\\B.\\b"];
    for (let i = 0; i < patterns.length; i++) {
      const re = mustCompile(patterns[i]);
      const pike = new PikeVM(re.program);
      for (let off = 0; off < 4096; off += 97) {
        const ptr = changetype<usize>(buf) + <usize>off;
        const len = min(4096 - off, 300 + off % 7);
        expect<bool>(re.matchBytes(ptr, len)).toBe(pike.match(ptr, len), patterns[i]);
      }
    }
  });
  it("negative length is treated as empty", () => {
    const re = mustCompile("^$");
    expect<bool>(re.matchBytes(0, -5)).toBe(true);
  });
});

describe("regex: literal prefix and exact literals", () => {
  it("literalPrefix()", () => {
    expect<string>(mustCompile("^/users/\\d+$").literalPrefix()).toStrictEqual("/users/");
    expect<string>(mustCompile("^/health$").literalPrefix()).toStrictEqual("/health");
    expect<string>(mustCompile("/health").literalPrefix()).toStrictEqual("");
    expect<string>(mustCompile("(?i)^abc").literalPrefix()).toStrictEqual("");
    expect<string>(mustCompile("^(?i)/abc").literalPrefix()).toStrictEqual("/"); // '/' has no case
    expect<string>(mustCompile("^/ab*").literalPrefix()).toStrictEqual("/a");
    expect<string>(mustCompile("(?m)^/x").literalPrefix()).toStrictEqual("");
    expect<string>(mustCompile("\\A/x").literalPrefix()).toStrictEqual("/x");
    expect<string>(mustCompile("^(?:/api)/v1/").literalPrefix()).toStrictEqual("/api/v1/");
    expect<string>(mustCompile("^/é/").literalPrefix()).toStrictEqual("/é/");
    expect<string>(mustCompile("^a|^b").literalPrefix()).toStrictEqual("");
    expect<string>(mustCompile("^\\.well-known/").literalPrefix()).toStrictEqual(".well-known/");
  });
  it("isLiteral() and the exact-literal fast path", () => {
    expect<bool>(mustCompile("^/health$").isLiteral()).toBe(true);
    expect<bool>(mustCompile("^/health").isLiteral()).toBe(false);
    expect<bool>(mustCompile("^/users/\\d+$").isLiteral()).toBe(false);
    expect<bool>(mustCompile("^$").isLiteral()).toBe(true);
    checkTable([
      ["^/health$", "/health", "1"], ["^/health$", "/health\n", "0"], ["^/health$", "/healthz", "0"],
      ["^/health$", "x/health", "0"], ["^/health$", "/heal", "0"], ["^$", "", "1"], ["^$", "x", "0"],
      ["^/ab*", "/a", "1"], ["^/ab*", "/b", "0"], ["^/users/\\d+$", "/users/", "0"],
    ]);
  });
  it("pattern getter and lastCompileError() reset", () => {
    Regex.compile("(");
    expect<bool>(lastCompileError() != null).toBe(true);
    const re = mustCompile("^a$");
    expect<bool>(lastCompileError() == null).toBe(true);
    expect<string>(re.pattern).toStrictEqual("^a$");
  });
});

describe("regex: large programs (raised size limit)", () => {
  it("sets of three and four words agree on every engine", () => {
    setMaxProgramSize(MAX_PROGRAM_SIZE);
    checkTable([
      ["[ab]*a[ab]{150}$", "", "0"], ["^[ab]{150}", "", "0"], ["(x{150}|)$", "", "1"], ["^(x{150}|)", "", "1"],
      ["^a[ab]{150}$", "a" + "b".repeat(150), "1"], ["^a[ab]{150}$", "a" + "b".repeat(149), "0"],
      ["[ab]*a[ab]{150}$", "ba" + "b".repeat(150), "1"], ["[ab]*a[ab]{150}$", "a" + "b".repeat(150) + "c", "0"],
      ["c[ab]{200}d", "xxc" + "ab".repeat(100) + "dxx", "1"], ["c[ab]{200}d", "xxc" + "ab".repeat(99) + "dxx", "0"],
      ["\\bc(?:[ab]{130}|é{130})\\B", "-c" + "é".repeat(130) + "-", "1"], ["\\bc(?:[ab]{130}|é{130})\\b", "xc" + "a".repeat(130), "0"],
      ["(?m)^c[ab]{140}$", "x\nc" + "a".repeat(140) + "\ny", "1"], ["(?m)^c[ab]{140}$", "xc" + "a".repeat(140), "0"],
    ]);
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
  });
});
