// RE2-syntax regex engine (assembly/regex): compile errors, with the byte
// position in the pattern and a message naming the problem.
import { Regex, lastCompileError, setMaxProgramSize, MAX_PROGRAM_SIZE, DEFAULT_MAX_PROGRAM_SIZE } from "../../assembly/regex/index";

/** Asserts `pattern` fails to compile at byte `position` with a message containing `fragment`. */
function expectError(pattern: string, position: i32, fragment: string): void {
  const re = Regex.compile(pattern);
  expect<bool>(re == null).toBe(true, "should not compile: " + pattern);
  const err = lastCompileError();
  expect<bool>(err != null).toBe(true, "error for " + pattern);
  if (err == null) return;
  expect<i32>(err.position).toBe(position, "position for " + pattern + " (" + err.message + ")");
  expect<bool>(err.message.includes(fragment)).toBe(true, "message for " + pattern + ": " + err.message);
}

/** Rows of [pattern, position, message fragment]. */
function expectErrors(rows: string[][]): void {
  for (let i = 0; i < rows.length; i++) expectError(rows[i][0], I32.parseInt(rows[i][1]), rows[i][2]);
}

describe("regex compile errors", () => {
  it("unsupported Perl/PCRE features", () => {
    expectErrors([
      ["a\\1", "1", "backreferences are not supported"],
      ["(a)\\1", "3", "backreferences are not supported"],
      ["\\9", "0", "backreferences"],
      ["(?P<n>a)(?P=n)", "8", "backreferences"],
      ["(?=a)", "0", "lookahead"],
      ["x(?!a)", "1", "lookahead"],
      ["(?<=a)b", "0", "lookbehind"],
      ["(?<!a)b", "0", "lookbehind"],
      ["a*+", "2", "possessive"],
      ["a++", "2", "possessive"],
      ["a{2}+", "4", "possessive"],
      ["(?>a)", "0", "atomic"],
      ["(?#comment)", "0", "comments"],
      ["(?P>n)", "0", "recursion"],
      ["\\pL", "0", "Unicode character classes"],
      ["\\P{Greek}", "0", "Unicode character classes"],
      ["\\Z", "0", "\\Z is not supported"],
      ["\\C", "0", "\\C"],
    ]);
  });

  it("structure: groups, classes, repetition", () => {
    expectErrors([
      ["(abc", "0", "missing closing )"],
      ["x(a(b)", "1", "missing closing )"],
      ["abc)", "3", "unmatched ')'"],
      ["(a))", "3", "unmatched ')'"],
      ["[abc", "0", "missing closing ]"],
      ["x[^", "1", "missing closing ]"],
      ["[]", "0", "missing closing ]"],
      ["[z-a]", "1", "z-a"],
      ["x[b-a]", "2", "invalid character class range"],
      ["[a-\\d]", "3", "range"],
      ["*a", "0", "missing argument to repetition operator"],
      ["a|*", "2", "missing argument"],
      ["(*)", "1", "missing argument"],
      ["(?i)+", "4", "missing argument"],
      ["{2}", "0", "missing argument"],
      ["a**", "2", "bad repetition operator"],
      ["a*?*", "3", "bad repetition operator"],
      ["a{2}{3}", "4", "bad repetition operator"],
      ["a{1001}", "1", "exceeds 1000"],
      ["a{2,1001}", "1", "exceeds 1000"],
      ["a{3,2}", "1", "minimum exceeds maximum"],
      ["(a{100}){100}", "8", "multiply to more than 1000"],
      ["((a{10}){10}){11}", "13", "multiply to more than 1000"],
    ]);
  });

  it("escapes, POSIX names, flags, names, UTF-8", () => {
    expectErrors([
      ["\\q", "0", "invalid escape sequence \\q"],
      ["ab\\i", "2", "invalid escape"],
      ["\\é", "0", "invalid escape sequence \\é"],
      ["[\\b]", "1", "invalid escape"],
      ["[\\Q]", "1", "invalid escape"],
      ["ab\\", "2", "trailing backslash"],
      ["[a\\", "2", "trailing backslash"],
      ["\\x{110000}", "0", "U+10FFFF"],
      ["\\x{}", "0", "malformed"],
      ["\\x{12", "0", "malformed"],
      ["\\xZ1", "0", "two hex digits"],
      ["\\x4", "0", "two hex digits"],
      ["[[:foo:]]", "1", "invalid POSIX character class [:foo:]"],
      ["[a[:^nope:]]", "2", "invalid POSIX character class"],
      ["[[:alpha]:]]", "1", "invalid POSIX"],
      ["(?x)a", "0", "unsupported group syntax"],
      ["(?i-)a", "0", "'-' must be followed by a flag"],
      ["(?i-m-s)a", "0", "more than one '-'"],
      ["(?i", "0", "missing closing )"],
      ["(?P<>a)", "4", "empty name"],
      ["(?P<a-b>x)", "4", "invalid named capture group name"],
      ["(?P<n", "0", "missing '>'"],
      ["(?Px)", "0", "invalid named capture group"],
      ["ab\uD800", "2", "invalid UTF-8"], // a lone surrogate encodes to invalid UTF-8
    ]);
  });

  it("size and nesting limits", () => {
    // The engine's hard ceiling (the configured cap is tested in regex-bounds.spec.ts).
    setMaxProgramSize(MAX_PROGRAM_SIZE);
    // 11 × 1000 instructions: over the 10 000-instruction program limit.
    let big = "";
    for (let i = 0; i < 11; i++) big += "[a-z]{1000}";
    expectError(big, 0, "regex too large");
    expectError("(?:" + "abcdefghij".repeat(1100) + ")", 0, "regex too large");
    // A 64 KiB literal compiles to 64 Ki instructions: too large, but no crash.
    expectError("x".repeat(65536), 0, "regex too large");
    // Deep nesting is an error (not a shadow-stack overflow), even when absurd.
    expectError("(".repeat(101) + ")".repeat(101), 100, "nests too deeply");
    expectError("(".repeat(20000), 100, "nests too deeply");
    expectError("(?:".repeat(5000) + "a" + ")".repeat(5000), 300, "nests too deeply");
    expectError("(?i:".repeat(200) + "a" + ")".repeat(200), 400, "nests too deeply");
    // Just inside the limits compiles and matches.
    const deep = Regex.compile("(".repeat(100) + "a*" + ")*".repeat(100));
    expect<bool>(deep != null).toBe(true, "100 nested groups");
    expect<bool>(deep!.matchString("xaaa")).toBe(true, "100 nested groups match");
    expect<bool>(Regex.compile("[a-z]{1000}") != null).toBe(true, "{1000}");
    expect<bool>(Regex.compile("((a{10}){10}){10}") != null).toBe(true, "product 1000");
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
  });

  it("valid corner cases are not errors", () => {
    const ok = [
      "a{", "a{,3}", "a{x}", "{", "}", "]", "a{01}", "^*", "$+", "\\b*", "(?i)", "(?i)(?s)", "(?:)", "()", "|", "a||b",
      "(?P<name_1>x)", "(?<n2>x)", "(?P<n>a)(?P<n>b)", "[[:a]", "[]]", "[^]]", "x*?", "x+?", "x??", "x{2}?", "x{2,}?", "(?U)x*", "(?-i)x",
      "\\Q", "\\Qab", "\\Q\\E", "[-]", "[a-]", "[\\-]", "\\0", "\\07", "\\177", "\\x{10FFFF}", "(?smiU-smiU:x)",
    ];
    for (let i = 0; i < ok.length; i++) {
      const re = Regex.compile(ok[i]);
      const err = lastCompileError();
      expect<string>(err == null ? "" : err.toString()).toBe("", ok[i]);
      expect<bool>(re != null).toBe(true, ok[i]);
    }
  });
});
