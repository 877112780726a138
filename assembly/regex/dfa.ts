// Lazy DFA: the Pike VM's per-position work (nfa.ts), memoised.
//
// A DFA state is (kernel, previous-character flags). Its transition on an
// equivalence class of code points (program.ts) is computed the first time it
// is needed, by one NFA closure + step, and cached in a flat table, so a warm
// regex costs one table lookup per input character.
//
// The cache is bounded. It grows (by doubling) up to a memory budget during
// warm-up; after that, when full, it is flushed and rebuilt from the current
// state — each input character still costs at most one O(program size) NFA
// step, so matching stays linear. If it flushes too often within one match
// (the pattern has too many DFA states for the budget), match() returns
// DFA_GAVE_UP and the caller falls back to the Pike VM.

import { Closure, findByte, sharedKernelA, sortKernel } from "./nfa";
import { Program, emptyFlags, prevFlagsAfter, NO_INTS, PREV_BEGIN, fillMinusOne } from "./program";
import { CacheBudget, currentBudget } from "./budget";
import { decodeRune, isWordChar, runeOf, widthOf } from "./utf8";

export const DFA_NO_MATCH: i32 = 0;
export const DFA_MATCH: i32 = 1;
export const DFA_GAVE_UP: i32 = -1;

// Transition table entries besides state ids (>= 0).
const T_UNKNOWN: i32 = -1;
const T_MATCH: i32 = -2;
const T_DEAD: i32 = -3;

/**
 * Memory budget for one regex's transition table and per-state arrays. Route
 * patterns need a handful of states (a few KiB); only pathological patterns
 * such as a[ab]{14}$ reach the cap, so a table of 1000 routes stays small.
 */
const STATE_BUDGET_BYTES: i32 = 128 * 1024;
/** Memory budget for the kernels of all states (i32 entries, 64 KiB). */
const MAX_POOL_ENTRIES: i32 = 16 * 1024;
const INITIAL_STATES: i32 = 16;
const INITIAL_POOL_ENTRIES: i32 = 256;
/** Give up on the DFA for one match when it flushes with less than this many bytes processed per state. */
const MIN_BYTES_PER_STATE: i32 = 10;


export class LazyDfa {
  /** Transition row width: one column per equivalence class, plus end-of-text. */
  private readonly stride: i32;
  private readonly endColumn: i32;
  /** Most states the budget allows; 0 when the DFA is not usable for this program. */
  readonly maxStates: i32;
  private capacity: i32 = 0;
  private numStates: i32 = 0;
  // Allocated on the first match (a configured but unused regex costs nothing here).
  private trans: StaticArray<i32> = NO_INTS;
  private kernelOffset: StaticArray<i32> = NO_INTS;
  private kernelLength: StaticArray<i32> = NO_INTS;
  private prevFlags: StaticArray<i32> = NO_INTS;
  private pool: StaticArray<i32> = NO_INTS;
  private poolUsed: i32 = 0;
  /** Open-addressing hash of state ids by (kernel, flags); -1 = empty. */
  private table: StaticArray<i32> = NO_INTS;
  private startState: i32 = -1;
  private readonly closure: Closure;
  /** Incremented by each flush, so a caller can tell its state ids died. */
  private flushes: i32 = 0;

  /** Work done by the last match(): cached transitions + NFA work to build new ones. */
  steps: i64 = 0;

  /** False once the budget refused the first allocation: the caller must use another engine. */
  private funded: bool = true;

  constructor(private readonly prog: Program, private readonly budget: CacheBudget = currentBudget()) {
    prog.prepareRuneClasses();
    this.stride = prog.numRuneClasses + 1;
    this.endColumn = prog.numRuneClasses;
    this.closure = new Closure(prog); // also sizes the shared kernel buffer used as scratch
    const perState = this.stride * 4 + 12;
    const maxStates = STATE_BUDGET_BYTES / perState;
    // With very many equivalence classes (huge Unicode classes) the budget
    // would hold too few states to be worth it: use the Pike VM instead.
    this.maxStates = maxStates >= 16 ? maxStates : 0;
  }

  get usable(): bool { return this.maxStates > 0 && this.funded; }

  /** Number of states currently cached (for tests). */
  get stateCount(): i32 { return this.numStates; }

  /**
   * DFA_MATCH / DFA_NO_MATCH for "some substring of [ptr, ptr+len) matches",
   * or DFA_GAVE_UP if the state cache thrashed (caller must use the Pike VM).
   */
  match(ptr: usize, len: i32): i32 {
    const prog = this.prog;
    const stride = this.stride;
    const firstByte = prog.firstByte;
    const skipToFirstByte = firstByte >= 0;
    const asciiClass = prog.asciiRuneClass;
    const end = ptr + <usize>len;
    this.closure.steps = 0;
    let scanned = 0; // bytes skipped by the first-byte scan
    let transitions = 0;
    if (this.capacity == 0) {
      if (!this.budget.take(this.bytesFor(INITIAL_STATES, INITIAL_POOL_ENTRIES))) {
        this.funded = false;
        this.steps = 0;
        return DFA_GAVE_UP;
      }
      this.allocate(INITIAL_STATES, INITIAL_POOL_ENTRIES);
    }
    let s = this.getStartState();
    // Local copy of the table; refreshed whenever the slow path may have grown it.
    let trans = this.trans;
    const flushesAtStart = this.flushes;
    let lastFlushPos = 0;
    let i = 0;
    let result = DFA_NO_MATCH;
    while (true) {
      if (i >= len) {
        let t = unchecked(trans[s * stride + this.endColumn]);
        if (t == T_UNKNOWN) t = this.computeTransition(s, this.endColumn);
        result = t == T_MATCH ? DFA_MATCH : DFA_NO_MATCH;
        break;
      }
      if (skipToFirstByte && unchecked(this.kernelLength[s]) == 0) {
        // No attempt in progress, and every match starts with firstByte.
        const j = findByte(ptr, i, len, firstByte);
        scanned += (j < 0 ? len : j) - i;
        if (j < 0) break;
        i = j;
      }
      const b = <i32>load<u8>(ptr + <usize>i);
      let column: i32;
      let width = 1;
      if (b < 0x80) {
        column = <i32>unchecked(asciiClass[b]);
      } else {
        const d = decodeRune(ptr + <usize>i, end);
        column = prog.runeClass(runeOf(d));
        width = widthOf(d);
      }
      let t = unchecked(trans[s * stride + column]);
      if (t < 0) {
        if (t == T_UNKNOWN) {
          const flushesBefore = this.flushes;
          const statesBefore = this.numStates;
          t = this.computeTransition(s, column);
          trans = this.trans;
          if (this.flushes != flushesBefore) {
            // The cache was flushed. A second flush within one match that came
            // too soon means the working set does not fit: give up.
            if (this.flushes - flushesAtStart >= 2 && i - lastFlushPos < MIN_BYTES_PER_STATE * statesBefore) {
              result = DFA_GAVE_UP;
              break;
            }
            lastFlushPos = i;
          }
        }
        if (t == T_MATCH) { result = DFA_MATCH; break; }
        if (t == T_DEAD) break;
      }
      s = t;
      i += width;
      transitions++;
    }
    this.steps = <i64>transitions + <i64>scanned + this.closure.steps;
    return result;
  }

  private getStartState(): i32 {
    if (this.startState < 0) {
      this.startState = this.findOrAddState(sharedKernelA(), 0, PREV_BEGIN & this.prog.prevFlagsMask);
    }
    return this.startState;
  }

  /**
   * Computes, caches (unless the cache was flushed meanwhile) and returns the
   * transition of state s on `column`.
   */
  private computeTransition(s: i32, column: i32): i32 {
    const prog = this.prog;
    const prev = unchecked(this.prevFlags[s]);
    const atEnd = column == this.endColumn;
    const rep = atEnd ? -1 : prog.runeClassRep(column);
    const flags = emptyFlags(prev, atEnd, rep == 0x0a, isWordChar(rep));
    const addStart = !prog.anchoredStart || (prev & PREV_BEGIN) != 0;
    let t: i32;
    if (this.closure.run(this.pool, unchecked(this.kernelOffset[s]), unchecked(this.kernelLength[s]), addStart, flags)) {
      t = T_MATCH;
    } else if (atEnd) {
      t = T_DEAD;
    } else {
      const scratch = sharedKernelA();
      const n = this.closure.step(rep, scratch);
      if (n == 0 && prog.anchoredStart) {
        t = T_DEAD; // nothing in progress and no new attempts can start
      } else {
        sortKernel(scratch, n);
        const flushesBefore = this.flushes;
        t = this.findOrAddState(scratch, n, prevFlagsAfter(rep) & prog.prevFlagsMask);
        if (this.flushes != flushesBefore) return t; // s no longer exists
      }
    }
    unchecked(this.trans[s * this.stride + column] = t);
    return t;
  }

  /**
   * Slot of state (kernel a[off .. off+n), flags) in the hash table: the slot holding it, or the
   * empty slot where it belongs.
   */
  private slotOf(a: StaticArray<i32>, off: i32, n: i32, flags: i32): i32 {
    const table = this.table;
    const mask = table.length - 1;
    let slot = <i32>(hashState(a, off, n, flags) & <u32>mask);
    while (true) {
      const id = unchecked(table[slot]);
      if (id < 0) return slot;
      if (unchecked(this.prevFlags[id]) == flags && unchecked(this.kernelLength[id]) == n) {
        const at = unchecked(this.kernelOffset[id]);
        let i = 0;
        while (i < n && unchecked(this.pool[at + i]) == unchecked(a[off + i])) i++;
        if (i == n) return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  private findOrAddState(kernel: StaticArray<i32>, n: i32, flags: i32): i32 {
    const slot = this.slotOf(kernel, 0, n, flags);
    const found = unchecked(this.table[slot]);
    if (found >= 0) return found;
    // New state: make room first.
    if (this.numStates == this.capacity || this.poolUsed + n > this.pool.length) {
      const wantStates = this.numStates == this.capacity ? this.capacity * 2 : this.capacity;
      let wantPool = this.pool.length;
      while (this.poolUsed + n > wantPool) wantPool *= 2;
      if (wantStates <= this.maxStates && wantPool <= MAX_POOL_ENTRIES &&
        this.budget.take(this.bytesFor(wantStates, wantPool) - this.bytesFor(this.capacity, this.pool.length))) {
        this.grow(wantStates, wantPool);
      } else {
        this.flush();
      }
      return this.findOrAddState(kernel, n, flags); // slot positions changed
    }
    const id = this.numStates++;
    const off = this.poolUsed;
    for (let i = 0; i < n; i++) unchecked(this.pool[off + i] = unchecked(kernel[i]));
    this.poolUsed += n;
    unchecked(this.kernelOffset[id] = off);
    unchecked(this.kernelLength[id] = n);
    unchecked(this.prevFlags[id] = flags);
    // Every transition T_UNKNOWN (-1): all bytes 0xff.
    memory.fill(changetype<usize>(this.trans) + (<usize>(id * this.stride) << 2), 0xff, <usize>this.stride << 2);
    unchecked(this.table[slot] = id);
    return id;
  }

  /** Bytes of the cache arrays for `states` states and `poolEntries` kernel entries (see allocate()). */
  private bytesFor(states: i32, poolEntries: i32): i32 {
    return (states * this.stride + states * 3 + poolEntries + states * 2) * 4;
  }

  /** Forget every state (keeps the allocations). */
  private flush(): void {
    this.numStates = 0;
    this.poolUsed = 0;
    fillMinusOne(this.table);
    this.startState = -1;
    this.flushes++;
  }

  private allocate(states: i32, poolEntries: i32): void {
    this.capacity = states;
    this.trans = new StaticArray<i32>(states * this.stride);
    this.kernelOffset = new StaticArray<i32>(states);
    this.kernelLength = new StaticArray<i32>(states);
    this.prevFlags = new StaticArray<i32>(states);
    this.pool = new StaticArray<i32>(poolEntries);
    this.table = new StaticArray<i32>(states * 2);
    fillMinusOne(this.table);
  }

  /** Enlarges the cache keeping all states (warm-up only; a MAX-sized cache never reallocates). */
  private grow(states: i32, poolEntries: i32): void {
    const oldTrans = this.trans, oldOffset = this.kernelOffset, oldLength = this.kernelLength;
    const oldFlags = this.prevFlags, oldPool = this.pool;
    const n = this.numStates;
    this.allocate(states, poolEntries);
    memory.copy(changetype<usize>(this.trans), changetype<usize>(oldTrans), <usize>(n * this.stride) << 2);
    memory.copy(changetype<usize>(this.kernelOffset), changetype<usize>(oldOffset), <usize>n << 2);
    memory.copy(changetype<usize>(this.kernelLength), changetype<usize>(oldLength), <usize>n << 2);
    memory.copy(changetype<usize>(this.prevFlags), changetype<usize>(oldFlags), <usize>n << 2);
    memory.copy(changetype<usize>(this.pool), changetype<usize>(oldPool), <usize>this.poolUsed << 2);
    // Rehash. (The states are distinct: slotOf finds each one's empty slot.)
    for (let id = 0; id < n; id++) {
      const slot = this.slotOf(this.pool, unchecked(this.kernelOffset[id]), unchecked(this.kernelLength[id]), unchecked(this.prevFlags[id]));
      unchecked(this.table[slot] = id);
    }
  }
}

/** Hash of the state (kernel a[off .. off+n), flags). */
function hashState(a: StaticArray<i32>, off: i32, n: i32, flags: i32): u32 {
  let h: u32 = <u32>flags * 0x9e3779b1;
  for (let i = 0; i < n; i++) h = (h ^ <u32>unchecked(a[off + i])) * 0x01000193;
  return h;
}
