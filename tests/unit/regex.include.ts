// Helpers shared by the regex specs. as-pect compiles every tests/unit/**/*.include.ts into each
// spec; the specs import what they use.
import { Regex, lastCompileError } from "../../assembly/regex/index";

/** Compiles `pattern`; a compile error fails the test, showing the error. */
export function mustCompileRegex(pattern: string): Regex {
  const re = Regex.compile(pattern);
  if (re == null) {
    const err = lastCompileError();
    expect<string>(err == null ? "no error" : err.toString()).toBe("", "should compile: " + pattern);
    unreachable();
  }
  return re!;
}
