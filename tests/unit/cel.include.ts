// Helpers shared by the CEL specs. as-pect compiles every tests/unit/**/*.include.ts into each
// spec; the specs import what they use.
import { compile, lastError, Program } from "../../assembly/cel/index";
import { TableActivation } from "./support/table-activation";

/** Compiles `src`; a compile error fails the test, showing the message. */
export function mustCompile(src: string): Program {
  const p = compile(src);
  if (p === null) {
    const e = lastError();
    expect<string>(e !== null ? e.message : "?").toBe("<compiles>", "compile failed: " + src);
    return changetype<Program>(0);
  }
  return p;
}

/** The compile error of `src` (which must not compile), with its column. */
export function compileError(src: string): string {
  const p = compile(src);
  expect<bool>(p === null).toBe(true, "expected a compile error for: " + src);
  const e = lastError();
  return e !== null ? e.message : "";
}

/** The column of the compile error of `src` (which must not compile). */
export function errorColumn(src: string): i32 {
  compileError(src);
  const e = lastError();
  return e !== null ? e.column : -1;
}

/** Evaluates `src` in a fresh round: 1 true, 0 false, -1 error. */
export function run(src: string, act: TableActivation): i32 {
  const p = mustCompile(src);
  act.reset();
  return p.evalBool(act);
}
