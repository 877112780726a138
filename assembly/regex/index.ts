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
// dfa.ts (lazy DFA, bounded cache) with bitvm.ts (bit-parallel) and pikevm.ts
// as fallbacks. None backtracks: every input character costs at most
// O(program size), and the program size is capped (see DEFAULT_MAX_PROGRAM_SIZE).

import { Parser } from "./parser";
import { compileProgram, analyzeLiteralPrefix, literalIsExact, programSize, MAX_PROGRAM_SIZE } from "./compiler";
import { releaseNodes } from "./ast";
import { Program, runesToUtf8 } from "./program";
import { PikeVM } from "./pikevm";
import { reserveMatchBuffers } from "./nfa";
import { LazyDfa, DFA_GAVE_UP, DFA_MATCH } from "./dfa";
import { BitVm } from "./bitvm";
import { CacheBudget, currentBudget, startBudget, MAX_CONFIG_INSTRUCTIONS } from "./budget";
import { RegexError } from "./errors";
import { sameBytes } from "../routes/bytes";

export { RegexError } from "./errors";
export { MAX_PROGRAM_SIZE } from "./compiler";
export { MAX_CONFIG_INSTRUCTIONS, CACHE_BUDGET_BYTES } from "./budget";

/**
 * Default limit on a compiled program's instructions (see README.md, "Program size"). Matching
 * work per input character is bounded by the program size, so this bounds what one regex can
 * cost per request; Envoy's RE2 matcher has a limit of the same kind (100 by default, counted in
 * RE2's own instructions: about as many as ours for ASCII patterns, more for `.` and non-ASCII
 * classes, which RE2 expands into UTF-8 byte ranges).
 */
export const DEFAULT_MAX_PROGRAM_SIZE: i32 = 100;
/** The configuration key that sets the limit (named in the error message). */
export const PROGRAM_SIZE_KEY = "regex_max_program_size";

let programSizeLimit: i32 = DEFAULT_MAX_PROGRAM_SIZE;

/**
 * Sets the program-size limit for every later Regex.compile() (clamped to 1..MAX_PROGRAM_SIZE).
 * The configuration sets it on every configure, before compiling its patterns.
 */
export function setMaxProgramSize(limit: i32): void {
  programSizeLimit = limit < 1 ? 1 : limit > MAX_PROGRAM_SIZE ? MAX_PROGRAM_SIZE : limit;
}

/**
 * Starts compiling the regexes of a new configuration: sets the program-size limit and gives
 * them a fresh budget (total instructions, cache memory; see budget.ts). Regexes of the previous
 * configuration keep theirs.
 */
export function beginRegexConfiguration(maxSize: i32 = DEFAULT_MAX_PROGRAM_SIZE): void {
  setMaxProgramSize(maxSize);
  startBudget();
}

/** The limit in force (see setMaxProgramSize). */
export function maxProgramSize(): i32 { return programSizeLimit; }

let sharedParser: Parser | null = null;

/** The parser, reset to `pattern` (one for all compilations: configuring 10^5 regexes makes no parser garbage). */
function parserFor(pattern: ArrayBuffer): Parser {
  let parser = sharedParser;
  if (parser === null) sharedParser = parser = new Parser(pattern);
  else parser.reset(pattern);
  return parser;
}

/** Instructions of the compiled program of `pattern` (0 if it does not parse), whatever the limit. */
export function compiledSize(pattern: string): i32 {
  const ast = parserFor(String.UTF8.encode(pattern)).parse();
  const n = ast == null ? 0 : programSize(ast);
  releaseNodes();
  return n;
}

/** After this many DFA give-ups (cache thrashing), a regex uses only its fallback engine. */
const MAX_DFA_GIVE_UPS: i32 = 3;

let lastError: RegexError | null = null;
let lastSteps: i64 = 0;

export class Regex {
  /** UTF-8 bytes every match starts with at offset 0 (anchored patterns only); null if none. */
  private readonly prefixBytes: ArrayBuffer | null;
  /** The pattern is exactly ^literal$: matching is a length check + byte compare. */
  private readonly exact: bool;
  // Engines are created on first use: a configured regex that never runs costs only its program.
  private dfa: LazyDfa | null = null;
  private dfaGiveUps: i32 = 0;
  private bitvm: BitVm | null = null;
  private pike: PikeVM | null = null;
  /** The cache budget of the configuration this regex was compiled for (see budget.ts). */
  private readonly budget: CacheBudget;

  private constructor(
    public readonly pattern: string,
    /** The compiled program (exposed for tests and diagnostics). */
    public readonly program: Program,
    prefixRunes: i32[],
    exact: bool,
  ) {
    this.prefixBytes = prefixRunes.length > 0 ? runesToUtf8(prefixRunes) : null;
    this.exact = exact;
    // Matching allocates nothing but caches, which grow during warm-up only, within the
    // configuration's budget (budget.ts); the other buffers are shared by all regexes (nfa.ts).
    this.budget = currentBudget();
    reserveMatchBuffers(program.length);
  }

  /** Compiles an RE2-syntax pattern; null on error (see lastCompileError()). */
  static compile(pattern: string): Regex | null {
    const parser = parserFor(String.UTF8.encode(pattern));
    const ast = parser.parse();
    let error: RegexError | null = null;
    let re: Regex | null = null;
    if (ast == null) {
      error = parser.error;
    } else {
      // Checked before compiling, so a pattern far over the limit costs no program memory.
      const size = programSize(ast);
      const budget = currentBudget();
      if (size > programSizeLimit) {
        error = new RegexError("regex too large: " + size.toString() + " compiled instructions, above the limit of " +
          programSizeLimit.toString() + " (simplify the pattern or raise \"" + PROGRAM_SIZE_KEY + "\")", 0);
      } else if (size > MAX_CONFIG_INSTRUCTIONS - budget.instructions) {
        error = new RegexError("regex too large for this configuration: its " + size.toString() +
          " instructions would bring the configuration's regexes above " + MAX_CONFIG_INSTRUCTIONS.toString() +
          " compiled instructions in total", 0);
      } else {
        budget.instructions += size;
        const program = compileProgram(ast)!;
        const runes = analyzeLiteralPrefix(ast);
        re = new Regex(pattern, program, runes, literalIsExact);
      }
    }
    releaseNodes();
    lastError = error;
    return re;
  }

  /**
   * True when [ptr, ptr+len) certainly does not match, judged from the anchored literal prefix
   * alone: too short for it, or its first bytes differ. False means "maybe" (matchBytes decides).
   * A route table tries its regex routes one by one; this keeps each one that cannot match at a
   * few loads and no call (issue 14: 10,000 routes cost about what 10 do).
   */
  @inline rejectsQuickly(ptr: usize, len: i32): bool {
    const prefix = this.prefixBytes;
    if (prefix === null) return false;
    const n = prefix.byteLength;
    if (len < n) return true;
    // n <= len: the loads stay inside the input.
    if (n >= 4) return load<u32>(ptr) != load<u32>(changetype<usize>(prefix));
    return n >= 2 && load<u16>(ptr) != load<u16>(changetype<usize>(prefix));
  }

  /** RE2 PartialMatch: true if some substring of the UTF-8 bytes [ptr, ptr+len) matches (anchors respected). */
  matchBytes(ptr: usize, len: i32): bool {
    if (len < 0) len = 0;
    const prefix = this.prefixBytes;
    if (prefix !== null) {
      // Anchored literal prefix: a byte compare decides or rejects cheaply.
      const prefixLen = prefix.byteLength;
      lastSteps = <i64>prefixLen;
      if (len < prefixLen || !sameBytes(ptr, changetype<usize>(prefix), prefixLen)) return false;
      if (this.exact) return len == prefixLen;
    } else if (this.exact) {
      lastSteps = 0;
      return len == 0; // ^$
    }
    let wasted: i64 = 0;
    if (this.dfaGiveUps < MAX_DFA_GIVE_UPS) {
      let dfa = this.dfa;
      if (dfa === null) this.dfa = dfa = new LazyDfa(this.program, this.budget);
      if (dfa.usable) {
        const r = dfa.match(ptr, len);
        if (r != DFA_GAVE_UP) {
          lastSteps = dfa.steps;
          return r == DFA_MATCH;
        }
        wasted = dfa.steps;
      }
      this.dfaGiveUps++;
      if (this.dfaGiveUps == MAX_DFA_GIVE_UPS) this.dfa = null; // its cache stays counted, unused
    }
    return this.matchWithoutDfa(ptr, len, wasted);
  }

  /**
   * The DFA thrashed (or has no cache): the bit-parallel engine, whose cost per character does
   * not depend on the number of live threads; the Pike VM when the program is too large for it
   * or the budget refused its tables.
   */
  private matchWithoutDfa(ptr: usize, len: i32, wasted: i64): bool {
    let bitvm = this.bitvm;
    if (bitvm === null) this.bitvm = bitvm = new BitVm(this.program, this.budget);
    if (bitvm.usable) {
      const matched = bitvm.match(ptr, len);
      wasted += bitvm.steps;
      if (bitvm.usable) {
        lastSteps = wasted;
        return matched;
      }
    }
    let pike = this.pike;
    if (pike === null) this.pike = pike = new PikeVM(this.program);
    const matched = pike.match(ptr, len);
    lastSteps = wasted + pike.steps;
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
  literalPrefix(): string {
    const prefix = this.prefixBytes;
    return prefix === null ? "" : String.UTF8.decode(prefix);
  }

  /** True when the pattern is exactly ^literal$ (then literalPrefix() is the only matching input). */
  isLiteral(): bool { return this.exact; }
}

/** The error of the last failed Regex.compile(), or null if it succeeded. */
export function lastCompileError(): RegexError | null { return lastError; }

/** Work units of the most recent match (NFA instructions visited / DFA transitions / bytes scanned). */
export function lastMatchSteps(): i64 { return lastSteps; }
