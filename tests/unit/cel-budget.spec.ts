// The memory budget of an evaluation round (assembly/cel/budget.ts): every intermediate a
// condition builds is charged, concatenations live in a reused arena, and going over the budget is
// an evaluation error — never a trap, never more memory.
import { EvalBudget, EVAL_BUDGET_BYTES } from "../../assembly/cel/budget";
import { TableActivation } from "./support/table-activation";
import { mustCompile } from "./cel.include";

const KIB: i32 = 1024;

/** An activation whose request.url_path (and the header x) is `n` bytes of 'a'. */
function longPath(n: i32): TableActivation {
  const text = "a".repeat(n);
  return new TableActivation().setString("request.url_path", text).setString("request.method", "GET")
    .setHeader("request.headers", "x", text);
}

/** Evaluates `src` in a fresh round; returns the result and leaves the message in `lastMessage`. */
let lastMessage = "";
function evalIn(src: string, act: TableActivation): i32 {
  const p = mustCompile(src);
  act.reset();
  const r = p.evalBool(act);
  lastMessage = r < 0 ? p.lastErrorMessage() : "";
  return r;
}

describe("cel budget: the arena", () => {
  it("hands out regions until the budget is spent, then refuses", () => {
    const b = new EvalBudget(4 * KIB);
    expect<bool>(b.alloc(3 * KIB) != 0).toBe(true);
    expect<i32>(b.used).toBe(3 * KIB);
    expect<bool>(b.alloc(KIB + 1) == 0).toBe(true, "over budget");
    expect<i32>(b.used).toBe(3 * KIB); // a refusal charges nothing
    expect<bool>(b.alloc(KIB) != 0).toBe(true);
    expect<bool>(b.charge(1)).toBe(false);
    b.reset();
    expect<i32>(b.used).toBe(0);
    expect<bool>(b.charge(4 * KIB)).toBe(true);
  });

  it("never allocates a chunk larger than the budget, and reuses it every round", () => {
    const b = new EvalBudget(64 * KIB);
    let first: ArrayBuffer | null = null;
    for (let round = 0; round < 100; round++) {
      b.reset();
      for (let k = 0; k < 16; k++) expect<bool>(b.alloc(4 * KIB) != 0).toBe(true);
      const owner = b.owner!;
      expect<i32>(owner.byteLength).toBeLessThanOrEqual(64 * KIB);
      if (round == 0) first = owner;
      else expect<bool>(owner === first).toBe(true, "a round that fits the largest chunk allocates nothing");
    }
  });

  it("keeps earlier regions valid when it moves to a bigger chunk", () => {
    const b = new EvalBudget(64 * KIB);
    const a = b.alloc(100);
    memory.fill(a, 0x61, 100);
    const c = b.alloc(8 * KIB); // does not fit the first chunk
    memory.fill(c, 0x62, 8 * KIB);
    expect<u8>(load<u8>(a + 99)).toBe(0x61);
  });

  it("grows only the latest region in place", () => {
    const b = new EvalBudget(4 * KIB);
    const a = b.alloc(10);
    expect<bool>(b.extend(a, 10, 20)).toBe(true);
    expect<i32>(b.used).toBe(30);
    const c = b.alloc(10);
    expect<bool>(b.extend(a, 30, 1)).toBe(false, "no longer the latest");
    expect<bool>(b.extend(c, 10, 8 * KIB)).toBe(false, "over budget");
    expect<i32>(b.used).toBe(40);
  });
});

describe("cel budget: conditions", () => {
  it("concatenates within the budget", () => {
    const act = longPath(100 * KIB);
    expect<i32>(evalIn("(request.url_path + '/' + request.url_path).size() == 204801", act)).toBe(1);
    expect<i32>(evalIn("request.url_path + 'b' == request.url_path + 'c'", act)).toBe(0);
    expect<i32>(evalIn("(b'x' + bytes(request.url_path)).size() == 102401", act)).toBe(1);
  });

  it("copies each operand of a chain once (the left result grows in place)", () => {
    const act = longPath(64 * KIB);
    const p = mustCompile("(request.url_path + 'x' + 'y' + request.url_path).size() > 0");
    act.reset();
    expect<i32>(p.evalBool(act)).toBe(1);
    expect<i32>(act.budget.used).toBe(2 * 64 * KIB + 2);
  });

  it("turns a concatenation over the budget into an error", () => {
    const half = EVAL_BUDGET_BYTES / 2;
    const act = longPath(half);
    expect<i32>(evalIn("(request.url_path + request.url_path).size() > 0", act)).toBe(1); // exactly the budget
    expect<i32>(evalIn("(request.url_path + request.url_path + 'x').size() > 0", act)).toBe(-1);
    expect<bool>(lastMessage.startsWith("evaluation memory budget exceeded")).toBe(true, lastMessage);
    expect<bool>(lastMessage.endsWith(" in '+'")).toBe(true, lastMessage);
  });

  it("stops sixteen copies of a 1 MiB path without allocating them", () => {
    const act = longPath(1 << 20);
    const src = "request.url_path.contains(" + "request.url_path + ".repeat(15) + "request.url_path)";
    expect<i32>(evalIn(src, act)).toBe(-1);
    expect<i32>(act.budget.used).toBe(0); // the first + already exceeds the budget
    const owner = act.budget.owner;
    expect<bool>(owner === null).toBe(true, "no arena chunk was allocated");
  });

  it("shares one budget between the conditions of a round, and renews it every round", () => {
    const act = longPath(400 * KIB);
    const a = mustCompile("(request.url_path + request.url_path).size() > 0");
    const b = mustCompile("(request.url_path + 'x').size() > 0");
    for (let round = 0; round < 3; round++) {
      act.reset();
      expect<i32>(a.evalBool(act)).toBe(1);
      expect<i32>(b.evalBool(act)).toBe(-1); // 800 KiB + 400 KiB > 1 MiB
      act.reset();
      expect<i32>(b.evalBool(act)).toBe(1);
    }
  });

  it("charges computed map keys and decoded conversions", () => {
    const act = longPath(EVAL_BUDGET_BYTES / 2 + 1);
    expect<i32>(evalIn("request.headers[request.url_path] == 'v'", act)).toBe(-1);
    expect<bool>(lastMessage.startsWith("evaluation memory budget exceeded")).toBe(true, lastMessage);
    expect<i32>(evalIn("request.url_path in request.headers", act)).toBe(-1);
    expect<i32>(evalIn("double(request.url_path) > 0.0", act)).toBe(-1);
    expect<bool>(lastMessage.startsWith("evaluation memory budget exceeded")).toBe(true, lastMessage);
    expect<i32>(evalIn("duration(request.url_path) > duration('1s')", act)).toBe(-1);
    expect<bool>(lastMessage.startsWith("evaluation memory budget exceeded")).toBe(true, lastMessage);
    // small ones still work
    const small = longPath(8).setHeader("request.headers", "aaaaaaaa", "v");
    expect<i32>(evalIn("request.headers[request.url_path] == 'v'", small)).toBe(1);
  });

  it("refuses a long bool('…') without decoding it", () => {
    const act = longPath(64 * KIB);
    expect<i32>(evalIn("bool(request.url_path)", act)).toBe(-1);
    expect<bool>(lastMessage.startsWith("cannot convert 'aaaa")).toBe(true, lastMessage);
    expect<i32>(act.budget.used).toBe(0);
  });

  it("quotes at most 64 bytes of a value in a message", () => {
    const act = longPath(64 * KIB);
    expect<i32>(evalIn("int(request.url_path) > 0", act)).toBe(-1);
    expect<string>(lastMessage).toBe("cannot convert '" + "a".repeat(64) + "…' to int");
  });
});
