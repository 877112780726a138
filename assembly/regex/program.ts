// The compiled form of a regex: a Thompson-NFA instruction array plus the
// tables the matchers need. Everything is flat StaticArrays so matching
// touches no managed objects in its inner loops.

import { isWordChar, utf8Length, encodeRune } from "./utf8";
import { sortAscending } from "../sort";

/** Instruction opcodes. Consuming instructions continue at pc + 1. */
export const enum Op {
  /** Consume the code point `arg`. */
  Char = 0,
  /** Consume a code point in class `arg` (index into the class tables). */
  Class = 1,
  /** Consume any code point. */
  Any = 2,
  /** Consume any code point except '\n'. */
  AnyNotNL = 3,
  /** Fork: continue at both `arg` and `arg2`. */
  Split = 4,
  /** Continue at `arg`. */
  Jmp = 5,
  /** Continue at pc + 1 only if every empty-width condition in `arg` holds here. */
  Assert = 6,
  /** The pattern matched. */
  Match = 7,
}

// Empty-width conditions (Assert operands and the per-position context).
export const EMPTY_BEGIN_TEXT: i32 = 1;
export const EMPTY_END_TEXT: i32 = 2;
export const EMPTY_BEGIN_LINE: i32 = 4;
export const EMPTY_END_LINE: i32 = 8;
export const EMPTY_WORD_BOUNDARY: i32 = 16;
export const EMPTY_NOT_WORD_BOUNDARY: i32 = 32;

// What the matchers remember about the previous character ("previous flags").
export const PREV_BEGIN: i32 = 1; // no previous character: at offset 0
export const PREV_NEWLINE: i32 = 2; // previous character was '\n'
export const PREV_WORD: i32 = 4; // previous character was an ASCII word character

/** Empty-width context between a character described by `prevFlags` and the next one. */
// @ts-ignore: decorator
@inline export function emptyFlags(prevFlags: i32, atEnd: bool, nextIsNewline: bool, nextIsWord: bool): i32 {
  let f = 0;
  if (prevFlags & PREV_BEGIN) f |= EMPTY_BEGIN_TEXT | EMPTY_BEGIN_LINE;
  if (prevFlags & PREV_NEWLINE) f |= EMPTY_BEGIN_LINE;
  if (atEnd) f |= EMPTY_END_TEXT | EMPTY_END_LINE;
  else if (nextIsNewline) f |= EMPTY_END_LINE;
  f |= ((prevFlags & PREV_WORD) != 0) != nextIsWord ? EMPTY_WORD_BOUNDARY : EMPTY_NOT_WORD_BOUNDARY;
  return f;
}

/** Previous-flags after consuming code point `c`. */
// @ts-ignore: decorator
@inline export function prevFlagsAfter(c: i32): i32 {
  return (c == 0x0a ? PREV_NEWLINE : 0) | (isWordChar(c) ? PREV_WORD : 0);
}

/** The empty i32 array, shared by every array not allocated yet (never written). */
export const NO_INTS = new StaticArray<i32>(0);

/** Sets every element of `a` to -1 (all bytes 0xff; no StaticArray#fill instantiation). */
export function fillMinusOne(a: StaticArray<i32>): void {
  memory.fill(changetype<usize>(a), 0xff, <usize>a.length << 2);
}
const NO_ASCII_TABLE = new StaticArray<u8>(0);
/** Working array of computeRuneClasses(), reused from one program to the next. */
// i64, not i32: the module has one sort, of i64 keys (../sort.ts).
const scratchBounds: i64[] = [];

export class Program {
  constructor(
    /**
     * Two words per instruction: `op | arg << 3`, then `arg2` (Split only). One array rather
     * than three: a configuration may hold 10^5 programs.
     */
    public readonly code: StaticArray<i32>,
    /** Per class: offset of its first range in classRanges (in pairs), then its number of ranges. */
    public readonly classIndex: StaticArray<i32>,
    /** Flat lo, hi pairs of all classes, each class sorted. */
    public readonly classRanges: StaticArray<i32>,
    /** Per class: 128-bit ASCII membership bitmap (4 words) for the fast path. */
    public readonly classAscii: StaticArray<i32>,
  ) {}

  get length(): i32 { return this.code.length >> 1; }

  /** Opcode of instruction `pc` (see Op). */
  // @ts-ignore: decorator
  @inline opAt(pc: i32): i32 { return unchecked(this.code[pc << 1]) & 7; }
  /** First operand of instruction `pc`. */
  // @ts-ignore: decorator
  @inline argAt(pc: i32): i32 { return unchecked(this.code[pc << 1]) >> 3; }
  /** Second operand of instruction `pc` (Split only). */
  // @ts-ignore: decorator
  @inline arg2At(pc: i32): i32 { return unchecked(this.code[(pc << 1) + 1]); }

  /** Every match must start at offset 0 (pattern begins with ^ or \A on every path). */
  anchoredStart: bool = false;
  /** Union of the EMPTY_* conditions of the program's Assert instructions. */
  assertFlags: i32 = 0;
  /** Which previous-flags influence matching (others are masked out of DFA states). */
  prevFlagsMask: i32 = 0;
  /** First byte every match starts with (unanchored patterns starting with a literal), or -1. */
  firstByte: i32 = -1;

  // ---- Equivalence classes of code points, for the lazy DFA ----
  // Code points in the same equivalence class are indistinguishable by every
  // instruction and every empty-width condition, so the DFA caches one
  // transition per class instead of per code point.

  /** Sorted starts of classes 1..n-1 (class 0 starts at 0). */
  runeClassBounds: StaticArray<i32> = NO_INTS;
  /**
   * Equivalence class of each ASCII code point. A u8 is enough: the class of c is the number of
   * class starts <= c, and the starts are distinct code points >= 1.
   */
  asciiRuneClass: StaticArray<u8> = NO_ASCII_TABLE;
  /** Number of equivalence classes. */
  numRuneClasses: i32 = 1;

  /**
   * Builds the equivalence classes and asciiRuneClass. Called by the engines that use them when
   * they are created (on a regex's first match), so a configured regex that never runs does not
   * carry the tables.
   */
  prepareRuneClasses(): void {
    if (this.asciiRuneClass.length > 0) return;
    this.computeRuneClasses((this.assertFlags & (EMPTY_WORD_BOUNDARY | EMPTY_NOT_WORD_BOUNDARY)) != 0);
    const table = new StaticArray<u8>(128);
    for (let c = 0; c < 128; c++) table[c] = <u8>this.runeClassSearch(c);
    this.asciiRuneClass = table;
  }

  /** Equivalence class of code point `c` (after prepareRuneClasses()). */
  // @ts-ignore: decorator
  @inline runeClass(c: i32): i32 {
    if (c < 128) return <i32>unchecked(this.asciiRuneClass[c]);
    return this.runeClassSearch(c);
  }

  /** Equivalence class by binary search: the number of bounds <= c. */
  runeClassSearch(c: i32): i32 {
    const b = this.runeClassBounds;
    let lo = 0, hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(b[mid]) <= c) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** A representative code point of equivalence class `k`. */
  runeClassRep(k: i32): i32 { return k == 0 ? 0 : this.runeClassBounds[k - 1]; }

  /** Does consuming instruction `pc` accept code point `c`? (false for non-consuming ones) */
  // @ts-ignore: decorator
  @inline consumes(pc: i32, c: i32): bool {
    const op = this.opAt(pc);
    if (op == Op.Char) return this.argAt(pc) == c;
    if (op == Op.Class) return this.classContains(this.argAt(pc), c);
    if (op == Op.Any) return true;
    if (op == Op.AnyNotNL) return c != 0x0a;
    return false;
  }

  classContains(cls: i32, c: i32): bool {
    if (c < 128) {
      const word = unchecked(this.classAscii[(cls << 2) + (c >> 5)]);
      return ((word >>> (c & 31)) & 1) != 0;
    }
    // Binary search over the class's ranges.
    let lo = unchecked(this.classIndex[cls << 1]);
    let hi = lo + unchecked(this.classIndex[(cls << 1) + 1]);
    const r = this.classRanges;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c < unchecked(r[mid << 1])) hi = mid;
      else if (c > unchecked(r[(mid << 1) + 1])) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Builds the equivalence classes (see prepareRuneClasses). */
  private computeRuneClasses(usesWordBoundary: bool): void {
    const bounds = scratchBounds;
    bounds.length = 0;
    // '\n' is special for '.', (?m) and END_LINE; \b needs the edges of [0-9A-Z_a-z].
    for (let i = 0, n = usesWordBoundary ? 10 : 2; i < n; i++) bounds.push(<i64>unchecked(FIXED_BOUNDS[i]));
    const ranges = this.classRanges;
    for (let pc = 0; pc < this.length; pc++) {
      const op = this.opAt(pc);
      const arg = this.argAt(pc);
      if (op == Op.Char) {
        bounds.push(arg); bounds.push(arg + 1);
      } else if (op == Op.Class) {
        const start = this.classIndex[arg << 1] << 1;
        const end = start + (this.classIndex[(arg << 1) + 1] << 1);
        for (let i = start; i < end; i += 2) {
          bounds.push(ranges[i]);
          bounds.push(ranges[i + 1] + 1);
        }
      }
    }
    sortAscending(bounds);
    // Deduplicate in place.
    let n = 0;
    for (let i = 0; i < bounds.length; i++) {
      const b = unchecked(bounds[i]);
      if (b <= 0 || b > 0x10ffff) continue;
      if (n == 0 || unchecked(bounds[n - 1]) != b) unchecked(bounds[n++] = b);
    }
    const arr = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) unchecked(arr[i] = <i32>unchecked(bounds[i]));
    this.runeClassBounds = arr;
    this.numRuneClasses = n + 1;
  }
}

/** Class starts every program has ('\n'), then those of programs with \b or \B. */
const FIXED_BOUNDS: StaticArray<u8> = [0x0a, 0x0b, 0x30, 0x3a, 0x41, 0x5b, 0x5f, 0x60, 0x61, 0x7b];

/** UTF-8 bytes of a code point sequence (compile-time helper). */
export function runesToUtf8(runes: i32[]): ArrayBuffer {
  let n = 0;
  for (let i = 0; i < runes.length; i++) n += utf8Length(runes[i]);
  const buf = new ArrayBuffer(n);
  let p = changetype<usize>(buf);
  for (let i = 0; i < runes.length; i++) p += <usize>encodeRune(runes[i], p);
  return buf;
}
