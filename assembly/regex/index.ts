// RE2-syntax regular expressions for route matching, in linear time.
//
//   const re = Regex.compile("^/reviews/[[:alnum:]]*$");   // configure time
//   if (re == null) log(lastCompileError()!.toString());
//   re!.matchBytes(pathPtr, pathLen);                      // per request, no allocation
//
// Semantics are RE2's PartialMatch (CEL `matches`): true if any substring of
// the input matches; use ^ and $ to anchor. Input is UTF-8 bytes; invalid
// bytes are each one character U+FFFD (as Go's regexp). See README.md in this
// directory for supported syntax.
//
// Pipeline: parser.ts (pattern → AST) → compiler.ts (AST → NFA program) →
// dfa.ts (lazy DFA, bounded cache) with pikevm.ts as the fallback. Neither
// backtracks: every input character costs at most O(program size).

import { Parser } from "./parser";
import { Compiler, analyzeLiteralPrefix, MAX_PROGRAM_SIZE } from "./compiler";
import { Program, runesToUtf8 } from "./program";
import { PikeVM } from "./pikevm";
import { LazyDfa, DFA_GAVE_UP, DFA_MATCH } from "./dfa";
import { RegexError } from "./errors";

export { RegexError } from "./errors";

/** After this many DFA give-ups (cache thrashing), a regex uses only the Pike VM. */
const MAX_DFA_GIVE_UPS: i32 = 8;

let lastError: RegexError | null = null;
let lastSteps: i64 = 0;

export class Regex {
  /** UTF-8 bytes every match starts with at offset 0 (anchored patterns only). */
  private readonly prefixBytes: ArrayBuffer;
  private readonly prefixText: string;
  /** The pattern is exactly ^literal$: matching is a length check + byte compare. */
  private readonly exact: bool;
  private readonly pike: PikeVM;
  private readonly dfa: LazyDfa;
  private dfaGiveUps: i32 = 0;

  private constructor(
    public readonly pattern: string,
    /** The compiled program (exposed for tests and diagnostics). */
    public readonly program: Program,
    prefixRunes: i32[],
    exact: bool,
  ) {
    const prefixBytes = runesToUtf8(prefixRunes);
    this.prefixBytes = prefixBytes;
    this.prefixText = String.UTF8.decode(prefixBytes);
    this.exact = exact;
    // Matcher buffers are sized by the program once, here: matching allocates nothing
    // (the DFA cache grows during warm-up only, within a fixed budget).
    this.pike = new PikeVM(program);
    this.dfa = new LazyDfa(program);
  }

  /** Compiles an RE2-syntax pattern; null on error (see lastCompileError()). */
  static compile(pattern: string): Regex | null {
    lastError = null;
    const parser = new Parser(String.UTF8.encode(pattern));
    const ast = parser.parse();
    if (ast == null) {
      lastError = parser.error;
      return null;
    }
    const program = new Compiler().compile(ast);
    if (program == null) {
      lastError = new RegexError(
        "regex too large: compiled program exceeds " + MAX_PROGRAM_SIZE.toString() + " instructions", 0);
      return null;
    }
    const literal = analyzeLiteralPrefix(ast);
    return new Regex(pattern, program, literal.runes, literal.exact);
  }

  /** RE2 PartialMatch: true if some substring of the UTF-8 bytes [ptr, ptr+len) matches (anchors respected). */
  matchBytes(ptr: usize, len: i32): bool {
    if (len < 0) len = 0;
    const prefixLen = this.prefixBytes.byteLength;
    if (this.exact || prefixLen > 0) {
      // Anchored literal prefix: a byte compare decides or rejects cheaply.
      lastSteps = <i64>prefixLen;
      if (len < prefixLen || memory.compare(ptr, changetype<usize>(this.prefixBytes), <usize>prefixLen) != 0) return false;
      if (this.exact) return len == prefixLen;
    }
    if (this.dfaGiveUps < MAX_DFA_GIVE_UPS && this.dfa.usable) {
      const r = this.dfa.match(ptr, len);
      if (r != DFA_GAVE_UP) {
        lastSteps = this.dfa.steps;
        return r == DFA_MATCH;
      }
      this.dfaGiveUps++;
      const matched = this.pike.match(ptr, len);
      lastSteps = this.dfa.steps + this.pike.steps;
      return matched;
    }
    const matched = this.pike.match(ptr, len);
    lastSteps = this.pike.steps;
    return matched;
  }

  /** Convenience for tests and configuration time: UTF-8 encodes `s` (allocates). */
  matchString(s: string): bool {
    const bytes = String.UTF8.encode(s);
    return this.matchBytes(changetype<usize>(bytes), bytes.byteLength);
  }

  /**
   * The literal text every match must start with at offset 0 ('' unless the
   * pattern starts with ^ or \A followed by case-sensitive literal characters).
   * E.g. `^/users/\d+$` → "/users/", `^/health$` → "/health", `/x` → "".
   */
  literalPrefix(): string { return this.prefixText; }

  /** True when the pattern is exactly ^literal$ (then literalPrefix() is the only matching input). */
  isLiteral(): bool { return this.exact; }
}

/** The error of the last failed Regex.compile(), or null if it succeeded. */
export function lastCompileError(): RegexError | null { return lastError; }

/** Work units of the most recent match (NFA instructions visited / DFA transitions / bytes scanned). */
export function lastMatchSteps(): i64 { return lastSteps; }
