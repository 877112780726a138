// Character classes: sets of code points as sorted, non-overlapping,
// non-adjacent [lo, hi] ranges. Used at compile time only; the program keeps a
// flattened copy (see program.ts).

import { MAX_RUNE } from "./utf8";
import { appendFoldedVariants } from "./casefold";
import { sortAscending } from "../sort";

/**
 * Packed ranges of canonicalize(), reused from class to class (compile time only, never
 * reentrant). An i64[]: the module has one sort, of i64 keys (../sort.ts).
 */
const packedScratch: i64[] = [];

export class CharClass {
  /** Flat lo, hi pairs. Unsorted while building; canonical after canonicalize() (the compiler reads them). */
  pairs: i32[] = [];

  addRange(lo: i32, hi: i32): void {
    if (lo < 0) lo = 0;
    if (hi > MAX_RUNE) hi = MAX_RUNE;
    if (lo > hi) return;
    this.pairs.push(lo);
    this.pairs.push(hi);
  }

  addClass(other: CharClass): void {
    for (let i = 0; i < other.pairs.length; i++) this.pairs.push(other.pairs[i]);
  }

  /** Adds the case variants of every range currently in the class. */
  addCaseFolds(): void {
    const n = this.pairs.length;
    for (let i = 0; i < n; i += 2) appendFoldedVariants(this.pairs, this.pairs[i], this.pairs[i + 1]);
  }

  /** Adds the case variants of [lo, hi] (not [lo, hi] itself). */
  addCaseVariantsOf(lo: i32, hi: i32): void {
    appendFoldedVariants(this.pairs, lo, hi);
  }

  /** Sorts and merges overlapping/adjacent ranges. */
  canonicalize(): void {
    const n = this.pairs.length >> 1;
    if (n == 0) return;
    // Pack (lo, hi) into one i64 so that an ascending sort orders by lo then hi.
    const packed = packedScratch;
    packed.length = n;
    for (let i = 0; i < n; i++) {
      unchecked(packed[i] = (<i64>this.pairs[2 * i] << 32) | <i64>(<u32>this.pairs[2 * i + 1]));
    }
    sortAscending(packed);
    // Merge in place: the output never has more ranges than the input.
    const out = this.pairs;
    let m = 0;
    let curLo = <i32>(packed[0] >> 32);
    let curHi = <i32>(packed[0] & 0xffffffff);
    for (let i = 1; i < n; i++) {
      const lo = <i32>(packed[i] >> 32);
      const hi = <i32>(packed[i] & 0xffffffff);
      if (lo <= curHi + 1) {
        if (hi > curHi) curHi = hi;
      } else {
        out[m++] = curLo; out[m++] = curHi;
        curLo = lo; curHi = hi;
      }
    }
    out[m++] = curLo; out[m++] = curHi;
    out.length = m;
  }

  /** Complements over [0, U+10FFFF]. Canonicalizes first. */
  negate(): void {
    this.canonicalize();
    const out: i32[] = [];
    let next = 0;
    for (let i = 0; i < this.pairs.length; i += 2) {
      if (this.pairs[i] > next) { out.push(next); out.push(this.pairs[i] - 1); }
      next = this.pairs[i + 1] + 1;
    }
    if (next <= MAX_RUNE) { out.push(next); out.push(MAX_RUNE); }
    this.pairs = out;
  }
}

/** Case variants of one code point, for hasCaseVariants() (compile time only, never reentrant). */
const variantScratch: i32[] = [];

/** True when `c` has at least one other case variant known to the folding tables. */
export function hasCaseVariants(c: i32): bool {
  const pairs = variantScratch;
  pairs.length = 0;
  appendFoldedVariants(pairs, c, c);
  // The ranges appended may include c itself (a pair range covers both partners).
  for (let i = 0; i < pairs.length; i += 2) if (unchecked(pairs[i]) != c || unchecked(pairs[i + 1]) != c) return true;
  return false;
}

// ---- Named classes (all ASCII, as in RE2) --------------------------------

// Flat lo, hi pairs of the named classes, one after the other (all ASCII, so u8): the 14 POSIX
// classes in POSIX_NAMES order, then Perl's \s. One constant table, not an array per class.
const NAMED_RANGES: StaticArray<u8> = [
  0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a,                   // alnum
  0x41, 0x5a, 0x61, 0x7a,                               // alpha
  0x00, 0x7f,                                           // ascii
  0x09, 0x09, 0x20, 0x20,                               // blank
  0x00, 0x1f, 0x7f, 0x7f,                               // cntrl
  0x30, 0x39,                                           // digit (also \d)
  0x21, 0x7e,                                           // graph
  0x61, 0x7a,                                           // lower
  0x20, 0x7e,                                           // print
  0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e,       // punct
  0x09, 0x0d, 0x20, 0x20,                               // space: \t \n \v \f \r and ' '
  0x41, 0x5a,                                           // upper
  0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a,       // word (also \w)
  0x30, 0x39, 0x41, 0x46, 0x61, 0x66,                   // xdigit
  // RE2's \s is [\t\n\f\r ] — no \v (unlike [[:space:]] and JavaScript).
  0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20,                   // \s
];
/** Offset of each named class in NAMED_RANGES, then the end. */
const NAMED_START: StaticArray<u8> = [0, 6, 10, 12, 16, 20, 22, 24, 26, 28, 36, 40, 42, 50, 56, 62];
const NAMED_DIGIT: i32 = 5;
const NAMED_WORD: i32 = 12;
const NAMED_PERL_SPACE: i32 = 14;

const POSIX_NAMES: StaticArray<string> = [
  "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
  "lower", "print", "punct", "space", "upper", "word", "xdigit",
];

/** Index of a POSIX class name (without [: :] and ^), or -1. */
export function posixClassIndex(name: string): i32 {
  for (let i = 0; i < POSIX_NAMES.length; i++) if (POSIX_NAMES[i] == name) return i;
  return -1;
}

/**
 * Adds named class `index` (see NAMED_RANGES) to `out`, negated if asked, case-folded if asked.
 * Like RE2, a negated class under (?i) is built positive, folded, then negated.
 */
function addNamed(out: CharClass, index: i32, negated: bool, fold: bool): void {
  const tmp = new CharClass();
  for (let i = <i32>NAMED_START[index], end = <i32>NAMED_START[index + 1]; i < end; i += 2) {
    tmp.addRange(NAMED_RANGES[i], NAMED_RANGES[i + 1]);
  }
  if (fold) tmp.addCaseFolds();
  if (negated) tmp.negate();
  out.addClass(tmp);
}

export function addPosixClass(out: CharClass, index: i32, negated: bool, fold: bool): void {
  addNamed(out, index, negated, fold);
}

/** `letter` is one of d D w W s S. */
export function addPerlClass(out: CharClass, letter: i32, fold: bool): void {
  const lower = letter | 0x20;
  addNamed(out, lower == 0x64 ? NAMED_DIGIT : lower == 0x77 ? NAMED_WORD : NAMED_PERL_SPACE, letter != lower, fold);
}
