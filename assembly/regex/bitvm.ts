// Bit-parallel NFA simulation: the fallback when the lazy DFA thrashes.
//
// The lazy DFA is fast only while its states fit its cache. Patterns such as `[ab]*a[ab]{90}$`
// have exponentially many DFA states and keep dozens of NFA threads alive at once, so both the
// DFA (a new state per byte) and the Pike VM (a closure over every thread per byte) cost
// O(program size) bookkeeping per input byte. Here the set of live threads is a bitset and one
// input character costs a fixed number of word operations.
//
// The live set between two characters is A = the consuming instructions that accepted the
// previous character (one bit per consuming instruction, numbered in program order). The next
// position's closure is C = ⋃ follow(p) for p ∈ A (plus the start closure for an unanchored
// search), where follow(p) is the set of consuming instructions — and the Match bit — reachable
// by empty transitions from pc(p) + 1 in that position's empty-width context. Then
// A' = C ∩ accept[class of the next character]. The union is read from tables of 8-bit (or, for
// large programs, 4-bit) chunks: follow(A) = ⋃_j T[j][chunk j of A], so a character costs at most
// ⌈m/8⌉ lookups of ⌈(m+1)/64⌉ words for m consuming instructions, whatever the number of live
// threads (and only one per non-zero chunk).
//
// Tables are built on first use, per empty-width context (one for patterns whose only
// assertions are ^ and $), and counted against the configuration's cache budget. Position 0 and
// the end of the input (where ^ and $ hold) use the ordinary closure instead of a table.

import { Closure, findByte, sharedKernelA } from "./nfa";
import { Op, Program, emptyFlags, prevFlagsAfter, NO_INTS, PREV_BEGIN, fillMinusOne } from "./program";
import { CacheBudget } from "./budget";
import { decodeRune, isWordChar, runeOf, widthOf } from "./utf8";

/** Largest set (consuming instructions + the Match bit) the engine handles: 4 words. */
export const MAX_BITVM_BITS: i32 = 256;
const MAX_WORDS: i32 = MAX_BITVM_BITS / 64;
/** Largest table of one context with 8-bit chunks (49 KiB for a 100-instruction program). */
const MAX_TABLE_BYTES: i32 = 64 * 1024;
/** Number of distinct empty-width contexts (EMPTY_* flag combinations). */
const CONTEXTS: i32 = 64;

export class BitVm {
  /** Consuming instructions. */
  private readonly m: i32;
  /** 64-bit words per set: bits 0..m-1 = consuming instructions, bit m = Match. */
  private readonly words: i32;
  /**
   * Chunks of the live set per table. A chunk has 8 bits for two-word sets and 4 bits for wider
   * ones: a context's table has chunks × 2^bits rows of `words` words, and with 8-bit chunks it
   * fits MAX_TABLE_BYTES (16 × 256 × 2 × 8 = 64 KiB) exactly up to two words. So the two-word
   * loop of run() always has 8-bit chunks (half the lookups) and stepWide() always 4-bit ones.
   */
  private readonly chunks: i32;
  // Allocated on first use (prepare()): a configured regex that never thrashes costs nothing here.
  /** pc of consuming instruction k. */
  private pcs: StaticArray<i32> = NO_INTS;
  /** Consuming-instruction number of each pc (-1 for others). */
  private indexes: StaticArray<i32> = NO_INTS;
  /** Per equivalence class of code points: the consuming instructions that accept it. */
  private accept: StaticArray<u64> = NO_WORDS;
  /** Per context (EMPTY_* flags): offset of its table in `tables`, or -1 if not built yet. */
  private contextTable: StaticArray<i32> = NO_INTS;
  /** Context tables: chunks × 16 rows, then the start row; `words` u64 each. */
  private tables: StaticArray<u64> = NO_WORDS;
  private tablesUsed: i32 = 0;
  private readonly closure: Closure;
  /** The engine can run this program (its sets fit MAX_BITVM_BITS). */
  readonly fits: bool;
  /** False once the budget refused this engine's memory: the caller must use another engine. */
  private funded: bool = true;
  /** Work done by the last match(): table lookups + closure work + bytes scanned. */
  steps: i64 = 0;

  constructor(private readonly prog: Program, private readonly budget: CacheBudget) {
    this.closure = new Closure(prog);
    prog.prepareRuneClasses();
    let m = 0;
    for (let pc = 0; pc < prog.length; pc++) if (isConsuming(prog.opAt(pc))) m++;
    this.m = m;
    this.fits = m + 1 <= MAX_BITVM_BITS;
    // At least two words: the common case (up to 127 consuming instructions) has a loop of its own.
    const words = max(2, (m + 1 + 63) >> 6);
    this.words = words;
    this.chunks = words == 2 ? (m + 7) >> 3 : (m + 3) >> 2;
  }

  /** True if match() can run (fits, and its memory was granted). */
  get usable(): bool { return this.fits && this.funded; }

  /** Allocates the per-program arrays on first use; false if the budget refuses them. */
  private prepare(): bool {
    if (this.contextTable.length > 0) return true;
    const prog = this.prog;
    const words = this.words;
    const classes = prog.numRuneClasses;
    const bytes = (this.m + prog.length + CONTEXTS) * 4 + classes * words * 8;
    if (!this.budget.take(bytes)) { this.funded = false; return false; }
    const pcs = new StaticArray<i32>(this.m);
    const indexes = new StaticArray<i32>(prog.length);
    let k = 0;
    for (let pc = 0; pc < prog.length; pc++) {
      if (isConsuming(prog.opAt(pc))) { pcs[k] = pc; indexes[pc] = k++; } else indexes[pc] = -1;
    }
    const accept = new StaticArray<u64>(classes * words);
    for (let cls = 0; cls < classes; cls++) {
      const rep = prog.runeClassRep(cls);
      for (let i = 0; i < this.m; i++) {
        if (prog.consumes(pcs[i], rep)) accept[cls * words + (i >> 6)] |= <u64>1 << <u64>(i & 63);
      }
    }
    const contexts = new StaticArray<i32>(CONTEXTS);
    fillMinusOne(contexts);
    this.pcs = pcs;
    this.indexes = indexes;
    this.accept = accept;
    this.contextTable = contexts;
    return true;
  }

  /** Offset of the table for empty-width context `flags`, building it if needed; -1 if refused. */
  private tableFor(flags: i32): i32 {
    const at = unchecked(this.contextTable[flags]);
    if (at >= 0) return at;
    const words = this.words;
    const rowWords = words;
    const bits = words == 2 ? 8 : 4;
    const perChunk = 1 << bits;
    const rows = this.chunks * perChunk + 1;
    const size = rows * rowWords;
    if (!this.budget.take(size * 8)) { this.funded = false; return -1; }
    // Grow the shared table array (keeps earlier contexts' tables).
    if (this.tablesUsed + size > this.tables.length) {
      const grown = new StaticArray<u64>(this.tablesUsed + size);
      memory.copy(changetype<usize>(grown), changetype<usize>(this.tables), <usize>this.tablesUsed << 3);
      this.tables = grown;
    }
    const base = this.tablesUsed;
    this.tablesUsed += size;
    const t = this.tables;
    // The row of a single bit b of chunk j is follow(consuming instruction 4j + b); every other
    // row is the union of its lowest bit's row and the row without that bit.
    for (let j = 0; j < this.chunks; j++) {
      for (let v = 1; v < perChunk; v++) {
        const row = base + (j * perChunk + v) * rowWords;
        const low = ctz(v);
        const rest = v & (v - 1);
        if (rest == 0) {
          const k = j * bits + low;
          if (k < this.m) this.closureBits(unchecked(this.pcs[k]) + 1, false, flags, rowAt(t, row));
        } else {
          const a = base + (j * perChunk + (1 << low)) * rowWords;
          const b = base + (j * perChunk + rest) * rowWords;
          for (let w = 0; w < words; w++) unchecked(t[row + w] = unchecked(t[a + w]) | unchecked(t[b + w]));
        }
      }
    }
    // Start row: the closure of pc 0 (new attempts of an unanchored search).
    this.closureBits(0, true, flags, rowAt(t, base + this.chunks * perChunk * rowWords));
    unchecked(this.contextTable[flags] = base);
    return base;
  }

  /**
   * Closure of {pc} (or of nothing plus the start, when `start`) under `flags` as a set: the
   * consuming instructions reached, or only the Match bit when Match is reachable.
   */
  private closureBits(pc: i32, start: bool, flags: i32, out: usize): void {
    const kernel = sharedKernelA();
    unchecked(kernel[0] = pc);
    this.closureOf(kernel, start ? 0 : 1, start, flags, out);
  }

  /** Closure of the given kernel (pcs) as a set, see closureBits; `out` points to `words` words. */
  private closureOf(kernel: StaticArray<i32>, n: i32, start: bool, flags: i32, out: usize): void {
    memory.fill(out, 0, <usize>this.words << 3);
    const c = this.closure;
    if (c.run(kernel, 0, n, start, flags)) {
      setBit(out, this.m);
      return;
    }
    const consumers = c.consumers;
    for (let i = 0; i < c.numConsumers; i++) setBit(out, unchecked(this.indexes[unchecked(consumers[i])]));
  }

  /**
   * True if some substring of [ptr, ptr+len) matches. Check `usable` first; if the budget
   * refuses a table mid-match, returns false with `usable` now false: the caller must rerun
   * the match on another engine.
   */
  match(ptr: usize, len: i32): bool {
    this.steps = 0;
    this.closure.steps = 0;
    if (!this.prepare()) return false;
    const prog = this.prog;
    const words = this.words;
    const anchored = prog.anchoredStart;
    const live = liveScratch; // A
    let lookups: i64 = 0;
    let prev = PREV_BEGIN;
    let i = 0;
    let result = false;
    memory.fill(changetype<usize>(live), 0, <usize>words << 3);
    if (len > 0) {
      // Position 0 uses the ordinary closure (^ holds there), every later one the tables (run()).
      // Only the start closure (the mask leaves every condition an Assert of the program tests).
      const d = decodeRune(ptr, ptr + <usize>len);
      const c = runeOf(d);
      this.closureOf(sharedKernelA(), 0, true, emptyFlags(prev, false, c == 0x0a, isWordChar(c)) & prog.assertFlags,
        changetype<usize>(nextScratch));
      if (this.nextHasMatch()) {
        result = true;
      } else {
        if (this.acceptNext(prog.runeClass(c) * words) && anchored) {
          lookups = 1; // (the count position 0 always reported)
        } else {
          prev = prevFlagsAfter(c);
          i = widthOf(d);
          const r = this.run(ptr, len, i, prev); // adds its lookups and bytes scanned to steps
          if (r < 0) return false; // a table was refused: usable is now false
          result = r == 1;
          i = this.runEnd;
          prev = this.runPrev;
        }
      }
    }
    if (!result && i >= len) {
      // End of input: $ and \z hold; the ordinary closure of the live set decides.
      const kernel = sharedKernelA();
      let n = 0;
      for (let k = 0; k < this.m; k++) {
        if ((unchecked(live[k >> 6]) >>> <u64>(k & 63)) & 1) unchecked(kernel[n++] = unchecked(this.pcs[k]) + 1);
      }
      // (At offset 0, for an empty input, the start is tried even when anchored.)
      if (n > 0 || !anchored || i == 0) {
        this.closureOf(kernel, n, !anchored || i == 0, emptyFlags(prev, true, false, false), changetype<usize>(nextScratch));
        result = this.nextHasMatch();
      }
    }
    this.steps += lookups + this.closure.steps;
    return result;
  }

  // Results of run() besides its return value (its work is added to steps).
  private runEnd: i32 = 0;
  private runPrev: i32 = 0;

  /**
   * The loop of match() from position `i` (> 0) on, with the live set in liveScratch. Two-word
   * sets (programs of up to 127 consuming instructions, which includes every program under the
   * default size limit) are kept in locals; wider ones are stepped by stepWide(). Returns 1 on a
   * match, 0 when the input ended or no attempt is left (runEnd = where it stopped, the live set
   * back in liveScratch), -1 if the budget refused a table (then steps are 0, as for a refusal
   * in prepare()).
   */
  private run(ptr: usize, len: i32, i: i32, prev: i32): i32 {
    const prog = this.prog;
    const anchored = prog.anchoredStart;
    const firstByte = prog.firstByte;
    const assertMask = prog.assertFlags;
    const accept = this.accept;
    const wide = this.words > 2;
    // Two-word sets have 8-bit chunks, wider ones 4-bit chunks (see chunks).
    const startOffset = this.chunks * (wide ? 16 : 256) * this.words;
    const matchInHigh = this.m >= 64;
    const matchBit = <u64>1 << <u64>(this.m & 63);
    const end = ptr + <usize>len;
    let l0 = unchecked(liveScratch[0]), l1 = unchecked(liveScratch[1]);
    let liveEmpty = isEmpty(liveScratch, this.words);
    let lookups: i64 = 0;
    let scanned: i64 = 0;
    let result = 0;
    while (i < len) {
      // No live attempt and every match starts with firstByte: skip to its next occurrence.
      if (firstByte >= 0 && liveEmpty) {
        const j = findByte(ptr, i, len, firstByte);
        scanned += <i64>((j < 0 ? len : j) - i);
        if (j < 0) { i = len; break; }
        i = j;
      }
      const b = <i32>load<u8>(ptr + <usize>i);
      let c: i32, width: i32;
      if (b < 0x80) { c = b; width = 1; } else {
        const d = decodeRune(ptr + <usize>i, end);
        c = runeOf(d);
        width = widthOf(d);
      }
      const flags = emptyFlags(prev, false, c == 0x0a, isWordChar(c)) & assertMask;
      let base = unchecked(this.contextTable[flags]);
      if (base < 0) {
        base = this.tableFor(flags);
        if (base < 0) {
          this.steps = 0;
          return -1;
        }
      }
      if (wide) {
        const r = this.stepWide(base, startOffset, prog.runeClass(c) * this.words);
        if (r < 0) { result = 1; break; }
        liveEmpty = r == 0;
      } else {
        const t = this.tables;
        let n0: u64 = 0, n1: u64 = 0;
        if (!anchored) {
          n0 = unchecked(t[base + startOffset]);
          n1 = unchecked(t[base + startOffset + 1]);
        }
        // The rows of A's non-zero chunks (chunk = bit >> 3, 256 rows of 2 words each): those of
        // word 0, then those of word 1, whose rows start 8 chunks later.
        let x = l0;
        let wordBase = base;
        while (true) {
          while (x != 0) {
            const shift = ctz(x) & ~7;
            const row = wordBase + ((<i32>shift << 5) + <i32>((x >>> shift) & 255)) * 2;
            x &= ~(<u64>255 << shift);
            n0 |= unchecked(t[row]);
            n1 |= unchecked(t[row + 1]);
            lookups++;
          }
          if (wordBase != base) break;
          x = l1;
          wordBase = base + 8 * 256 * 2;
        }
        lookups++;
        if (((matchInHigh ? n1 : n0) & matchBit) != 0) { result = 1; break; }
        const row = prog.runeClass(c) << 1;
        l0 = n0 & unchecked(accept[row]);
        l1 = n1 & unchecked(accept[row + 1]);
        liveEmpty = (l0 | l1) == 0;
      }
      if (liveEmpty && anchored) break;
      prev = prevFlagsAfter(c);
      i += width;
    }
    if (!wide) {
      unchecked(liveScratch[0] = l0);
      unchecked(liveScratch[1] = l1);
    }
    this.steps += lookups + scanned;
    this.runEnd = i;
    this.runPrev = prev;
    return result;
  }

  /**
   * One character for sets of more than two words (4-bit chunks): C = the start row at
   * `startOffset` (unanchored) ∪ the rows of A's non-zero chunks in the table at `base`. Returns
   * -1 if C holds Match; otherwise sets A = C ∩ the accept row at `acceptRow` and returns 1 if A
   * has a live attempt, else 0. Its lookups are added to steps.
   */
  private stepWide(base: i32, startOffset: i32, acceptRow: i32): i32 {
    const words = this.words;
    const tables = this.tables;
    const anchored = this.prog.anchoredStart;
    const live = liveScratch;
    const next = nextScratch;
    const start = base + startOffset;
    for (let w = 0; w < words; w++) unchecked(next[w] = anchored ? 0 : unchecked(tables[start + w]));
    // Only the non-zero chunks of A: a sparse live set costs little.
    let lookups: i64 = 1;
    for (let lw = 0; lw < words; lw++) {
      let x = unchecked(live[lw]);
      while (x != 0) {
        const shift = ctz(x) & ~3;
        const chunk = <i32>((x >>> shift) & 15);
        x &= ~(<u64>15 << shift);
        lookups++;
        const row = base + ((((lw << 6) + <i32>shift) << 2) + chunk) * words; // chunk (bit >> 2), 16 rows each
        for (let w = 0; w < words; w++) unchecked(next[w] |= unchecked(tables[row + w]));
      }
    }
    this.steps += lookups;
    if (this.nextHasMatch()) return -1;
    return this.acceptNext(acceptRow) ? 0 : 1;
  }

  /** Does C (nextScratch) hold the Match bit? */
  private nextHasMatch(): bool {
    const m = this.m;
    return ((unchecked(nextScratch[m >> 6]) >>> <u64>(m & 63)) & 1) != 0;
  }

  /** A = C ∩ the accept row at `row` (liveScratch from nextScratch); true if A is empty. */
  private acceptNext(row: i32): bool {
    let any: u64 = 0;
    for (let w = 0; w < this.words; w++) {
      const a = unchecked(nextScratch[w]) & unchecked(this.accept[row + w]);
      unchecked(liveScratch[w] = a);
      any |= a;
    }
    return any == 0;
  }
}

// @ts-ignore: decorator
@inline function isConsuming(op: i32): bool {
  return op <= Op.AnyNotNL; // Char, Class, Any, AnyNotNL
}

function isEmpty(a: StaticArray<u64>, words: i32): bool {
  for (let w = 0; w < words; w++) if (unchecked(a[w]) != 0) return false;
  return true;
}

// The empty i32 array serves as the empty u64 array (length 0 either way, nothing to visit).
const NO_WORDS = changetype<StaticArray<u64>>(NO_INTS);
// One match runs at a time: the live sets are shared by every BitVm.
const liveScratch = new StaticArray<u64>(MAX_WORDS);
const nextScratch = new StaticArray<u64>(MAX_WORDS);

/** Address of row `row` (in words) of table `t`. */
// @ts-ignore: decorator
@inline function rowAt(t: StaticArray<u64>, row: i32): usize { return changetype<usize>(t) + (<usize>row << 3); }

/** Sets bit k of the set at `set`. */
// @ts-ignore: decorator
@inline function setBit(set: usize, k: i32): void {
  const at = set + (<usize>(k >> 6) << 3);
  store<u64>(at, load<u64>(at) | (<u64>1 << <u64>(k & 63)));
}
