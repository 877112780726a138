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

import { Op, Program } from "./program";

/** A set of small integers with O(1) insert, lookup and clear (Briggs & Torczon). */
export class SparseSet {
  private dense: StaticArray<i32>;
  private sparse: StaticArray<i32>;
  size: i32 = 0;

  constructor(capacity: i32) {
    this.dense = new StaticArray<i32>(capacity);
    this.sparse = new StaticArray<i32>(capacity);
  }

  // @ts-ignore: decorator
  @inline has(x: i32): bool {
    const s = unchecked(this.sparse[x]);
    return <u32>s < <u32>this.size && unchecked(this.dense[s]) == x;
  }

  // @ts-ignore: decorator
  @inline add(x: i32): void {
    unchecked(this.sparse[x] = this.size);
    unchecked(this.dense[this.size] = x);
    this.size++;
  }

  // @ts-ignore: decorator
  @inline clear(): void { this.size = 0; }
}

/** Closure computation with preallocated buffers (no allocation per call). */
export class Closure {
  private visited: SparseSet;
  private stack: StaticArray<i32>;
  /** Consuming instructions reached by the last run(), in visit order. */
  readonly consumers: StaticArray<i32>;
  numConsumers: i32 = 0;
  /** Work counter (instructions visited), for lastMatchSteps(). */
  steps: i64 = 0;

  constructor(private readonly prog: Program) {
    const n = prog.length;
    this.visited = new SparseSet(n);
    this.stack = new StaticArray<i32>(n);
    this.consumers = new StaticArray<i32>(n);
  }

  // @ts-ignore: decorator
  @inline private push(pc: i32, sp: i32): i32 {
    if (!this.visited.has(pc)) {
      this.visited.add(pc);
      unchecked(this.stack[sp] = pc);
      return sp + 1;
    }
    return sp;
  }

  /**
   * Follows empty transitions from kernel[offset .. offset+count) (plus pc 0
   * if `addStart`) under empty-width context `flags`. Returns true as soon as
   * Match is reachable; otherwise leaves the reachable consuming instructions
   * in `consumers`.
   */
  run(kernel: StaticArray<i32>, offset: i32, count: i32, addStart: bool, flags: i32): bool {
    const prog = this.prog;
    this.visited.clear();
    let numConsumers = 0;
    let sp = 0;
    // Every pc is pushed at most once (it is marked visited when pushed), so
    // the stack never holds more than prog.length entries.
    for (let i = 0; i < count; i++) sp = this.push(unchecked(kernel[offset + i]), sp);
    if (addStart) sp = this.push(0, sp);
    let steps: i64 = 0;
    while (sp > 0) {
      const pc = unchecked(this.stack[--sp]);
      steps++;
      const op = unchecked(prog.op[pc]);
      if (op == Op.Split) {
        sp = this.push(unchecked(prog.arg2[pc]), sp);
        sp = this.push(unchecked(prog.arg[pc]), sp);
      } else if (op == Op.Jmp) {
        sp = this.push(unchecked(prog.arg[pc]), sp);
      } else if (op == Op.Assert) {
        if ((unchecked(prog.arg[pc]) & ~flags) == 0) sp = this.push(pc + 1, sp);
      } else if (op == Op.Match) {
        this.steps += steps;
        this.numConsumers = numConsumers;
        return true;
      } else {
        unchecked(this.consumers[numConsumers++] = pc);
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
    let n = 0;
    const numConsumers = this.numConsumers;
    for (let i = 0; i < numConsumers; i++) {
      const pc = unchecked(this.consumers[i]);
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
