// The NFA step shared by the Pike VM and the lazy DFA.
//
// Both matchers represent "where the match attempts are" between two input
// characters as a *kernel*: the list of pcs reached right after consuming a
// character (targets of consuming instructions), before following any empty
// transitions. At each position we
//   1. take the closure of the kernel (plus the start pc, for an unanchored
//      search) under that position's empty-width context (^ $ \b ...),
//   2. report a match if the closure reaches Match,
//   3. otherwise feed the next character to the consuming instructions in the
//      closure, which yields the next kernel.
// Each pc is visited at most once per position, so a position costs
// O(program size): that is what makes matching linear in the input.

import { Op, Program, NO_INTS } from "./program";

// Matching buffers are shared by every compiled regex: one match runs at a time (the filter is
// single-threaded and a match never starts another), so a buffer per regex would only multiply
// memory by the number of routes. They are sized for the largest program compiled so far and
// only ever grow at compile time (reserveMatchBuffers), never during a match.
let visitedDense = NO_INTS;
let visitedSparse = NO_INTS;
let closureStack = NO_INTS;
let closureConsumers = NO_INTS;
let kernelA = NO_INTS;
let kernelB = NO_INTS;
/** One bit per pc, all clear between calls of sortKernel(). */
let kernelBits = NO_INTS;

/** Makes the shared buffers big enough for a program of `n` instructions (compile time only). */
export function reserveMatchBuffers(n: i32): void {
  if (visitedDense.length >= n) return;
  visitedDense = new StaticArray<i32>(n);
  visitedSparse = new StaticArray<i32>(n);
  closureStack = new StaticArray<i32>(n);
  closureConsumers = new StaticArray<i32>(n);
  kernelA = new StaticArray<i32>(n);
  kernelB = new StaticArray<i32>(n);
  kernelBits = new StaticArray<i32>((n + 31) >> 5);
}

/**
 * Sorts kernel a[0..n) (distinct pcs of the program the buffers are reserved for) in ascending
 * order, through a bitmap of the pcs: O(n + span / 32) for pcs spanning `span` instructions.
 * The lazy DFA keys its states by sorted kernels.
 */
export function sortKernel(a: StaticArray<i32>, n: i32): void {
  const bits = kernelBits;
  let first = i32.MAX_VALUE, last = -1; // words of the bitmap in use
  for (let i = 0; i < n; i++) {
    const pc = unchecked(a[i]);
    const w = pc >> 5;
    unchecked(bits[w] |= 1 << (pc & 31));
    first = min(first, w);
    last = max(last, w);
  }
  let k = 0;
  for (let w = first; w <= last; w++) {
    let x = unchecked(bits[w]);
    unchecked(bits[w] = 0);
    while (x != 0) {
      unchecked(a[k++] = (w << 5) + ctz(x));
      x &= x - 1;
    }
  }
}

/** Two kernel-sized buffers for the caller of a Closure (a Pike VM's current and next kernels). */
export function sharedKernelA(): StaticArray<i32> { return kernelA; }
export function sharedKernelB(): StaticArray<i32> { return kernelB; }

/**
 * Closure computation over the shared buffers (no allocation per call). The visited set is a
 * sparse set (Briggs & Torczon): O(1) insert, lookup and clear.
 */
export class Closure {
  numConsumers: i32 = 0;
  /** Work counter (instructions visited), for lastMatchSteps(). */
  steps: i64 = 0;

  constructor(private readonly prog: Program) {
    reserveMatchBuffers(prog.length);
  }

  /** Consuming instructions reached by the last run(), in visit order (valid until the next run()). */
  get consumers(): StaticArray<i32> { return closureConsumers; }

  /**
   * Follows empty transitions from kernel[offset .. offset+count) (plus pc 0
   * if `addStart`) under empty-width context `flags`. Returns true as soon as
   * Match is reachable; otherwise leaves the reachable consuming instructions
   * in `consumers`.
   */
  run(kernel: StaticArray<i32>, offset: i32, count: i32, addStart: bool, flags: i32): bool {
    const prog = this.prog;
    const dense = visitedDense;
    const sparse = visitedSparse;
    const stack = closureStack;
    const consumers = closureConsumers;
    let size = 0; // visited-set size
    let numConsumers = 0;
    let sp = 0;
    // Every pc is pushed at most once (it is marked visited when pushed), so
    // the stack never holds more than prog.length entries.
    const total = addStart ? count + 1 : count;
    for (let i = 0; i < total; i++) {
      const pc = i < count ? unchecked(kernel[offset + i]) : 0; // the start pc last
      const at = unchecked(sparse[pc]);
      if (<u32>at < <u32>size && unchecked(dense[at]) == pc) continue;
      unchecked(sparse[pc] = size);
      unchecked(dense[size++] = pc);
      unchecked(stack[sp++] = pc);
    }
    let steps: i64 = 0;
    while (sp > 0) {
      const pc = unchecked(stack[--sp]);
      steps++;
      const op = prog.opAt(pc);
      let next1 = -1, next2 = -1;
      if (op == Op.Split) {
        next1 = prog.argAt(pc);
        next2 = prog.arg2At(pc);
      } else if (op == Op.Jmp) {
        next1 = prog.argAt(pc);
      } else if (op == Op.Assert) {
        if ((prog.argAt(pc) & ~flags) == 0) next1 = pc + 1;
      } else if (op == Op.Match) {
        this.steps += steps;
        this.numConsumers = numConsumers;
        return true;
      } else {
        unchecked(consumers[numConsumers++] = pc);
      }
      // Push next2 first so next1 (the preferred branch) is explored first.
      if (next2 >= 0) {
        const at = unchecked(sparse[next2]);
        if (!(<u32>at < <u32>size && unchecked(dense[at]) == next2)) {
          unchecked(sparse[next2] = size);
          unchecked(dense[size++] = next2);
          unchecked(stack[sp++] = next2);
        }
      }
      if (next1 >= 0) {
        const at = unchecked(sparse[next1]);
        if (!(<u32>at < <u32>size && unchecked(dense[at]) == next1)) {
          unchecked(sparse[next1] = size);
          unchecked(dense[size++] = next1);
          unchecked(stack[sp++] = next1);
        }
      }
    }
    this.steps += steps;
    this.numConsumers = numConsumers;
    return false;
  }

  /**
   * Feeds code point `c` to the consumers of the last run(); writes the next
   * kernel to `out` and returns its length. The kernel has no duplicates
   * because each consumer appears once.
   */
  step(c: i32, out: StaticArray<i32>): i32 {
    const prog = this.prog;
    const consumers = closureConsumers;
    let n = 0;
    const numConsumers = this.numConsumers;
    for (let i = 0; i < numConsumers; i++) {
      const pc = unchecked(consumers[i]);
      if (prog.consumes(pc, c)) unchecked(out[n++] = pc + 1);
    }
    this.steps += <i64>numConsumers;
    return n;
  }
}

/** Index of the first occurrence of `b` in [ptr+from, ptr+len), or -1. */
export function findByte(ptr: usize, from: i32, len: i32, b: i32): i32 {
  for (let i = from; i < len; i++) if (<i32>load<u8>(ptr + <usize>i) == b) return i;
  return -1;
}
