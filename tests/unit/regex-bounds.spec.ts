// Bounds of the regex engine (assembly/regex): the program-size cap and what it guarantees per
// request. CPU is asserted with the engine's step counters (lastMatchSteps), comparing 1 KiB with
// 64 KiB inputs and against the per-byte bound of the bit-parallel engine — never with time.
import {
  Regex, lastCompileError, lastMatchSteps, compiledSize, setMaxProgramSize, beginRegexConfiguration,
  DEFAULT_MAX_PROGRAM_SIZE, MAX_PROGRAM_SIZE, MAX_CONFIG_INSTRUCTIONS,
} from "../../assembly/regex/index";
import { PikeVM } from "../../assembly/regex/pikevm";
import { startBudget } from "../../assembly/regex/budget";
import { mustCompileRegex } from "./regex.include";

const SMALL: i32 = 1024;
const LARGE: i32 = 64 * 1024;

function errorOf(pattern: string): string {
  const re = Regex.compile(pattern);
  expect<bool>(re == null).toBe(true, "should be rejected: " + pattern);
  return lastCompileError()!.message;
}

function expectContains(text: string, part: string): void {
  expect<bool>(text.includes(part)).toBe(true, "\"" + text + "\" should contain \"" + part + "\"");
}

/** n bytes: 'a' only, pseudo-random a/b, or a run of 99 'a' then '!' repeated. */
function input(kind: i32, n: i32): ArrayBuffer {
  const buf = new ArrayBuffer(n);
  const p = changetype<usize>(buf);
  let x: u32 = 12345;
  for (let i = 0; i < n; i++) {
    x = x * 1103515245 + 12345;
    const c = kind == 0 ? 0x61 : kind == 1 ? ((x >> 16) & 1 ? 0x61 : 0x62) : (i % 100 == 99 ? 0x21 : 0x61);
    store<u8>(p + <usize>i, <u8>c);
  }
  return buf;
}

/** Steps of a steady-state request (after the DFA had the chances it gets) on `buf`. */
function steadySteps(re: Regex, buf: ArrayBuffer): i64 {
  for (let i = 0; i < 4; i++) re.matchBytes(changetype<usize>(buf), buf.byteLength);
  const expected = new PikeVM(re.program).match(changetype<usize>(buf), buf.byteLength);
  expect<bool>(re.matchBytes(changetype<usize>(buf), buf.byteLength)).toBe(expected, re.pattern);
  return lastMatchSteps();
}

describe("regex: program-size cap", () => {
  it("the size is known before compiling and equals the compiled program's", () => {
    setMaxProgramSize(MAX_PROGRAM_SIZE);
    const patterns = ["a", "^/users/[^/]+$", "a{3}", "a{2,5}", "a{2,}", "a*", "(a|bc|d)+", "(?i)k", "x{0}", "\\bword\\b", "(a{10}){10}", "(.*a.*){20}$", ""];
    for (let i = 0; i < patterns.length; i++) {
      const re = mustCompileRegex(patterns[i]);
      expect<i32>(compiledSize(patterns[i])).toBe(re.program.length, patterns[i]);
    }
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
  });

  it("rejects the counted-repetition worst cases by default, naming size and limit", () => {
    expect<i32>(DEFAULT_MAX_PROGRAM_SIZE).toBe(100);
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
    expect<string>(errorOf("a{1000}$")).toBe(
      "regex too large: 1002 compiled instructions, above the limit of 100 (simplify the pattern or raise \"regex_max_program_size\")");
    expectContains(errorOf(".{1000}!"), "1002 compiled instructions");
    expectContains(errorOf("(a{100}){10}$"), "1002 compiled instructions");
    expectContains(errorOf("[ab]*a[ab]{999}$"), "1005 compiled instructions");
    expectContains(errorOf("(.*a.*){1000}$"), "7002 compiled instructions");
    expect<i32>(lastCompileError()!.position).toBe(0);
    // The boundary: 100 instructions compile, 101 do not.
    expect<i32>(compiledSize("a{98}$")).toBe(100);
    expect<bool>(Regex.compile("a{98}$") != null).toBe(true, "a{98}$ at the limit");
    expectContains(errorOf("a{99}$"), "101 compiled instructions, above the limit of 100");
  });

  it("accepts real route regexes", () => {
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
    // The largest regexes `route-metrics openapi` writes for the specs in shared/data (gitea), and
    // typical attributegen conditions' patterns.
    const routes = [
      "^/api/v1/repos/[^/]+/[^/]+/git/commits/[^/]+\\.[^/]+$", "^/api/v1/repos/[^/]+/[^/]+/pulls/[^/]+\\.[^/]+$",
      "^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$", "^/api/users/[a-zA-Z0-9-]+$", "^/reviews/[[:alnum:]]*$",
      "^/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/[^/]+$",
      "^/api/v2/orders/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/items$",
    ];
    for (let i = 0; i < routes.length; i++) {
      const re = Regex.compile(routes[i]);
      expect<bool>(re != null).toBe(true, routes[i]);
      log<string>(compiledSize(routes[i]).toString() + " instructions: " + routes[i]);
    }
  });

  it("is configurable, within the hard ceiling", () => {
    setMaxProgramSize(2000);
    expect<bool>(Regex.compile("a{1000}$") != null).toBe(true, "raised limit");
    expectContains(errorOf("(.*a.*){1000}$"), "7002 compiled instructions, above the limit of 2000");
    setMaxProgramSize(15); // lowered
    expectContains(errorOf("^/users/[^/]+/items$"), "18 compiled instructions, above the limit of 15");
    setMaxProgramSize(1 << 30); // clamped to the ceiling
    expectContains(errorOf("x".repeat(MAX_PROGRAM_SIZE)), "above the limit of " + MAX_PROGRAM_SIZE.toString());
    setMaxProgramSize(DEFAULT_MAX_PROGRAM_SIZE);
  });

  it("bounds the instructions of one configuration in total", () => {
    beginRegexConfiguration(MAX_PROGRAM_SIZE);
    const big = "[a-z]{1000}".repeat(9) + "x{997}"; // 9997 + 1 + ... = 9998 instructions
    const each = compiledSize(big);
    const fit = MAX_CONFIG_INSTRUCTIONS / each;
    for (let i = 0; i < fit; i++) expect<bool>(Regex.compile(big) != null).toBe(true, "within the total");
    expectContains(errorOf(big), "above " + MAX_CONFIG_INSTRUCTIONS.toString() + " compiled instructions in total");
    // A new configuration starts from zero.
    beginRegexConfiguration(MAX_PROGRAM_SIZE);
    expect<bool>(Regex.compile(big) != null).toBe(true, "next configuration");
    beginRegexConfiguration(DEFAULT_MAX_PROGRAM_SIZE);
  });
});

// Worst cases at the default cap: counted repetitions that keep ~100 NFA threads alive, some
// with exponentially many DFA states (the lazy DFA gives up and the bit-parallel engine runs).
const WORST: string[] = ["a{98}$", ".{97}!", "(a{24}){4}$", "[ab]*a[ab]{94}$", "(.*a.*){14}$", "(.*a){24}$", "(a|b|ab)*a(a|b){20}$"];

describe("regex: per-request work of accepted worst cases is linear and bounded per byte", () => {
  it("1 KiB vs 64 KiB: steps grow with the input, at most 16 per byte", () => {
    beginRegexConfiguration(DEFAULT_MAX_PROGRAM_SIZE);
    const worst = WORST;
    for (let i = 0; i < worst.length; i++) {
      const re = mustCompileRegex(worst[i]);
      expect<bool>(re.program.length <= DEFAULT_MAX_PROGRAM_SIZE).toBe(true, worst[i]);
      for (let kind = 0; kind < 3; kind++) {
        // 64 KiB first: if the DFA gives up on it, the 1 KiB run uses the same engine.
        const s64 = steadySteps(re, input(kind, LARGE));
        const s1 = steadySteps(re, input(kind, SMALL));
        log<string>("/" + worst[i] + "/ input " + kind.toString() + ": " + s1.toString() + " → " + s64.toString() + " steps");
        expect<bool>(<f64>s64 / <f64>max<i64>(s1, 1) <= 70).toBe(true, "ratio " + worst[i]);
        // ⌈100/8⌉ table lookups + 1 per byte at most, whatever the number of live threads.
        expect<bool>(s64 <= <i64>LARGE * 16).toBe(true, "per byte " + worst[i] + " " + s64.toString());
      }
    }
  });

  it("the Pike VM alone would do several times more work on them", () => {
    const re = mustCompileRegex("[ab]*a[ab]{94}$");
    const buf = input(1, LARGE);
    const steps = steadySteps(re, buf);
    const pike = new PikeVM(re.program);
    pike.match(changetype<usize>(buf), buf.byteLength);
    log<string>("[ab]*a[ab]{94}$ on 64 KiB a/b: " + steps.toString() + " steps; Pike VM " + pike.steps.toString());
    expect<bool>(steps * 5 < pike.steps).toBe(true, "bit-parallel vs Pike VM");
  });

  it("the first requests, while the DFA still tries, stay linear too", () => {
    beginRegexConfiguration(DEFAULT_MAX_PROGRAM_SIZE);
    const small = input(1, SMALL), large = input(1, LARGE);
    const a = mustCompileRegex("[ab]*a[ab]{94}$"), b = mustCompileRegex("[ab]*a[ab]{94}$");
    a.matchBytes(changetype<usize>(small), small.byteLength);
    const cold1 = lastMatchSteps();
    b.matchBytes(changetype<usize>(large), large.byteLength);
    const cold64 = lastMatchSteps();
    log<string>("cold [ab]*a[ab]{94}$: " + cold1.toString() + " → " + cold64.toString() + " steps");
    expect<bool>(cold64 <= <i64>LARGE * 300).toBe(true, "cold per byte");
  });
});

describe("regex: cache budget", () => {
  it("with no budget left every engine still answers, the same", () => {
    const patterns = ["^/users/[^/]+$", "[ab]*a[ab]{20}$", "(.*a){10}$", "\\bx\\b", "é+€$"];
    const inputs = ["/users/42", "/users/4/2", "abab" + "a".repeat(30), "b".repeat(40), "a x b", "éé€"];
    for (let i = 0; i < patterns.length; i++) {
      startBudget();
      const funded = mustCompileRegex(patterns[i]);
      startBudget(0);
      const starved = mustCompileRegex(patterns[i]);
      for (let k = 0; k < inputs.length; k++) {
        for (let rep = 0; rep < 4; rep++) {
          expect<bool>(starved.matchString(inputs[k])).toBe(funded.matchString(inputs[k]), patterns[i] + " on " + inputs[k]);
        }
      }
    }
    beginRegexConfiguration(DEFAULT_MAX_PROGRAM_SIZE);
  });
});
