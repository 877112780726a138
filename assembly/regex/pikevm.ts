// Pike VM: simulates the NFA over the input, one position at a time, with
// every live match attempt in one kernel list (see nfa.ts). Linear time:
// O(input length × program size), no backtracking. Used directly when the
// lazy DFA is unavailable or thrashing, and as the reference for tests.

import { Closure, findByte, sharedKernelA, sharedKernelB } from "./nfa";
import { Program, emptyFlags, prevFlagsAfter, PREV_BEGIN } from "./program";
import { decodeRune, isWordChar, runeOf, widthOf } from "./utf8";

export class PikeVM {
  private closure: Closure;

  constructor(private readonly prog: Program) {
    this.closure = new Closure(prog); // also sizes the shared kernel buffers
  }

  /** Work done by the last match() (instructions visited + bytes scanned). */
  steps: i64 = 0;

  /** True if some substring of bytes [ptr, ptr+len) matches. */
  match(ptr: usize, len: i32): bool {
    const prog = this.prog;
    const closure = this.closure;
    const end = ptr + <usize>len;
    const anchored = prog.anchoredStart;
    const firstByte = prog.firstByte;
    closure.steps = 0;
    let scanned: i64 = 0;
    let kernel = sharedKernelA();
    let next = sharedKernelB();
    let kernelLen = 0;
    let prev = PREV_BEGIN;
    let i = 0;
    let result = false;
    while (true) {
      if (kernelLen == 0) {
        // No attempt in progress.
        if (anchored && i > 0) break;
        if (firstByte >= 0 && i < len) {
          // Every match starts with firstByte: jump to its next occurrence.
          // (The first instruction consumes a literal, so the previous-char
          // context there is irrelevant.)
          const j = findByte(ptr, i, len, firstByte);
          scanned += <i64>((j < 0 ? len : j) - i);
          if (j < 0) break;
          i = j;
        }
      }
      const atEnd = i >= len;
      let c = -1;
      let width = 0;
      if (!atEnd) {
        const d = decodeRune(ptr + <usize>i, end);
        c = runeOf(d);
        width = widthOf(d);
      }
      const flags = emptyFlags(prev, atEnd, c == 0x0a, isWordChar(c));
      if (closure.run(kernel, 0, kernelLen, !anchored || i == 0, flags)) {
        result = true;
        break;
      }
      if (atEnd) break;
      kernelLen = closure.step(c, next);
      const t = kernel;
      kernel = next;
      next = t;
      prev = prevFlagsAfter(c);
      i += width;
    }
    this.steps = closure.steps + scanned;
    return result;
  }
}
