// RE2-syntax regex engine (assembly/regex): linear time on hostile input.
// Linearity is asserted with the engines' step counters, not wall-clock:
// steps(64 KiB) / steps(1 KiB) must stay near 64.
import { Regex, lastMatchSteps } from "../../assembly/regex/index";
import { PikeVM } from "../../assembly/regex/pikevm";
import { LazyDfa, DFA_GAVE_UP, DFA_MATCH } from "../../assembly/regex/dfa";
import { mustCompileRegex } from "./regex.include";

const SMALL: i32 = 1024;
const LARGE: i32 = 64 * 1024;
const MAX_RATIO: f64 = 70;

/** `head`, then `n` copies of `unit`, then `tail`, as UTF-8 bytes. */
function input(head: string, unit: string, n: i32, tail: string): ArrayBuffer {
  return String.UTF8.encode(head + unit.repeat(n) + tail);
}

/** Steps of one cold match (fresh Regex, empty DFA cache) through matchBytes. */
function defaultSteps(pattern: string, buf: ArrayBuffer, expected: bool): i64 {
  const re = mustCompileRegex(pattern);
  expect<bool>(re.matchBytes(changetype<usize>(buf), buf.byteLength)).toBe(expected, pattern);
  return lastMatchSteps();
}

function pikeSteps(pattern: string, buf: ArrayBuffer, expected: bool): i64 {
  const vm = new PikeVM(mustCompileRegex(pattern).program);
  expect<bool>(vm.match(changetype<usize>(buf), buf.byteLength)).toBe(expected, pattern);
  return vm.steps;
}

/** Steps of a warm DFA match (second run over the same input), or -1 if the DFA gave up. */
function warmDfaSteps(pattern: string, buf: ArrayBuffer, expected: bool): i64 {
  const dfa = new LazyDfa(mustCompileRegex(pattern).program);
  if (!dfa.usable) return -1;
  dfa.match(changetype<usize>(buf), buf.byteLength);
  const r = dfa.match(changetype<usize>(buf), buf.byteLength);
  if (r == DFA_GAVE_UP) return -1;
  expect<bool>(r == DFA_MATCH).toBe(expected, pattern);
  return dfa.steps;
}

function checkLinear(pattern: string, unit: string, tail: string, expected: bool, head: string = ""): void {
  const small = input(head, unit, SMALL / unit.length, tail);
  const large = input(head, unit, LARGE / unit.length, tail);
  const d1 = defaultSteps(pattern, small, expected), d64 = defaultSteps(pattern, large, expected);
  const p1 = pikeSteps(pattern, small, expected), p64 = pikeSteps(pattern, large, expected);
  const w1 = warmDfaSteps(pattern, small, expected), w64 = warmDfaSteps(pattern, large, expected);
  log<string>(
    "/" + pattern + "/ on " + head + unit + "×n" + tail + ": matchBytes " + d1.toString() + " → " + d64.toString() +
    ", pikevm " + p1.toString() + " → " + p64.toString() +
    ", warm dfa " + w1.toString() + " → " + w64.toString(),
  );
  expect<bool>(<f64>d64 / <f64>max<i64>(d1, 1) <= MAX_RATIO).toBe(true, "matchBytes ratio " + pattern);
  expect<bool>(<f64>p64 / <f64>max<i64>(p1, 1) <= MAX_RATIO).toBe(true, "pikevm ratio " + pattern);
  if (w1 > 0 && w64 > 0) expect<bool>(<f64>w64 / <f64>w1 <= MAX_RATIO).toBe(true, "dfa ratio " + pattern);
  // And an absolute bound: a few hundred steps per input byte.
  expect<bool>(p64 < <i64>LARGE * 400).toBe(true, "pikevm absolute " + pattern);
}

describe("regex: linear time on ReDoS patterns (64 KiB inputs)", () => {
  it("(a+)+$", () => {
    checkLinear("(a+)+$", "a", "", true);
    checkLinear("(a+)+$", "a", "!", false); // the classic exponential case for backtrackers
  });
  it("(a|a)*b", () => {
    checkLinear("(a|a)*b", "a", "", false);
  });
  it("(a*)*b", () => {
    checkLinear("(a*)*b", "a", "", false);
  });
  it("(.*a){20}", () => {
    checkLinear("(.*a){20}", "a", "", true); // matches early
    checkLinear("(.*a){20}$", "a", "!", false); // must scan everything
    checkLinear("^(.*a){20}$", "ab", "", false);
  });
  it("more backtracking killers", () => {
    checkLinear("(x+x+)+y", "x", "", false);
    checkLinear("^(\\w+\\s?)*$", "ab ", "!", false);
    checkLinear("(a|aa)+$", "a", "b", false);
    checkLinear("^(([a-z])+.)+[A-Z]([a-z])+$", "aa", "!", false);
    checkLinear("(?i)(a|b|ab)*c", "ab", "", false);
    checkLinear("\\b\\w+\\b$", "word ", "!", false);
  });
  it("route patterns on long paths", () => {
    checkLinear("^/reviews/[[:alnum:]]*$", "a1", "/", false, "/reviews/");
    checkLinear("^/api/users/[a-zA-Z0-9-]+$", "a-", "", true, "/api/users/");
    checkLinear("^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$", "b", "!", false, "/shelves/s/books/");
    checkLinear("/v[0-9]+/legacy/", "/v1/legac", "", false);
    checkLinear("/v[0-9]+/legacy/", "/v1/legac", "/v22/legacy/", true);
    checkLinear("é+€$", "é", "€", true);
  });
});

describe("regex: lazy DFA cache is bounded and falls back to the Pike VM", () => {
  it("a pattern with exponentially many DFA states", () => {
    // Unanchored a[ab]{14}$ needs ~2^15 DFA states: more than the cache holds.
    const re = mustCompileRegex("a[ab]{14}$");
    const n = LARGE;
    const buf = new ArrayBuffer(n);
    let x: u32 = 7;
    for (let i = 0; i < n; i++) {
      x = x * 1103515245 + 12345;
      store<u8>(changetype<usize>(buf) + <usize>i, (x >> 16) & 1 ? 0x61 : 0x62);
    }
    store<u8>(changetype<usize>(buf) + <usize>(n - 15), 0x62); // no match at the end
    const pike = new PikeVM(re.program);
    expect<bool>(pike.match(changetype<usize>(buf), n)).toBe(false);
    const dfa = new LazyDfa(re.program);
    const r = dfa.match(changetype<usize>(buf), n);
    expect<bool>(r == DFA_GAVE_UP || r == 0).toBe(true, "dfa result");
    expect<bool>(dfa.stateCount <= dfa.maxStates).toBe(true, "cache bounded");
    log<string>("a[ab]{14}$ on 64 KiB: dfa " + (r == DFA_GAVE_UP ? "gave up" : "finished") + " after " + dfa.steps.toString() +
      " steps with " + dfa.stateCount.toString() + "/" + dfa.maxStates.toString() + " states; pikevm " + pike.steps.toString());
    for (let i = 0; i < 3; i++) {
      expect<bool>(re.matchBytes(changetype<usize>(buf), n)).toBe(false, "matchBytes");
      expect<bool>(lastMatchSteps() < <i64>n * 400).toBe(true, "matchBytes steps");
    }
    store<u8>(changetype<usize>(buf) + <usize>(n - 15), 0x61);
    expect<bool>(re.matchBytes(changetype<usize>(buf), n)).toBe(true, "matchBytes after flip");
    expect<bool>(pike.match(changetype<usize>(buf), n)).toBe(true, "pikevm after flip");
  });

  it("a warm cache answers from the table (about one step per byte)", () => {
    const re = mustCompileRegex("^/api/v[0-9]+/users/[a-z0-9-]+/orders$");
    const path = String.UTF8.encode("/api/v2/users/" + "abc-123-".repeat(1000) + "/orders");
    re.matchBytes(changetype<usize>(path), path.byteLength);
    expect<bool>(re.matchBytes(changetype<usize>(path), path.byteLength)).toBe(true);
    const steps = lastMatchSteps();
    log<string>("warm route match over " + path.byteLength.toString() + " bytes: " + steps.toString() + " steps");
    expect<bool>(steps <= <i64>path.byteLength + 16).toBe(true, "warm steps");
  });

  it("an anchored pattern stops at the first byte that cannot continue", () => {
    const re = mustCompileRegex("^/api/[a-z]+$");
    const path = String.UTF8.encode("/api/x" + "!".repeat(LARGE));
    expect<bool>(re.matchBytes(changetype<usize>(path), path.byteLength)).toBe(false);
    log<string>("anchored early exit: " + lastMatchSteps().toString() + " steps for " + path.byteLength.toString() + " bytes");
    expect<bool>(lastMatchSteps() < 200).toBe(true, "early exit");
    // and a literal prefix mismatch is rejected by a byte compare
    const other = String.UTF8.encode("/apx/" + "a".repeat(LARGE));
    expect<bool>(re.matchBytes(changetype<usize>(other), other.byteLength)).toBe(false);
    expect<bool>(lastMatchSteps() <= 5).toBe(true, "prefix reject");
  });

  it("an unanchored literal start skips ahead with a byte scan", () => {
    const re = mustCompileRegex("/legacy/[0-9]+");
    const path = String.UTF8.encode("x".repeat(LARGE) + "/legacy/42");
    expect<bool>(re.matchBytes(changetype<usize>(path), path.byteLength)).toBe(true);
    log<string>("first-byte skip: " + lastMatchSteps().toString() + " steps for " + path.byteLength.toString() + " bytes");
  });
});
