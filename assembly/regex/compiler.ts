// AST → Program (Thompson construction), plus the static facts the matchers
// use for shortcuts (anchoring, literal prefix, first byte).

import { Node, NodeKind } from "./ast";
import { CharClass } from "./charclass";
import { MAX_RUNE } from "./utf8";
import {
  Op, Program, EMPTY_BEGIN_LINE, EMPTY_BEGIN_TEXT, EMPTY_END_TEXT, EMPTY_NOT_WORD_BOUNDARY, EMPTY_WORD_BOUNDARY,
  PREV_BEGIN, PREV_NEWLINE, PREV_WORD,
} from "./program";

/**
 * Hard ceiling on program size, whatever the configuration says: matcher buffers are sized by
 * the program, and per-position matching work is proportional to it.
 */
export const MAX_PROGRAM_SIZE: i32 = 10000;

/**
 * Number of instructions `compile(root)` emits (the final Match included), without emitting
 * them: a pattern over the limit is rejected before any program memory is spent on it. Saturates
 * at i32.MAX_VALUE.
 */
export function programSize(root: Node): i32 {
  const n = nodeSize(root) + 1;
  return n > <i64>i32.MAX_VALUE ? i32.MAX_VALUE : <i32>n;
}

function nodeSize(node: Node): i64 {
  switch (node.kind) {
    case NodeKind.Empty: return 0;
    case NodeKind.Concat: {
      let n: i64 = 0;
      for (let i = 0; i < node.children.length; i++) n += nodeSize(node.children[i]);
      return n;
    }
    case NodeKind.Alternate: {
      // Each branch but the last: split + jmp.
      let n: i64 = 2 * <i64>(node.children.length - 1);
      for (let i = 0; i < node.children.length; i++) n += nodeSize(node.children[i]);
      return n;
    }
    case NodeKind.Repeat: {
      const s = nodeSize(node.sub!);
      const min = <i64>node.min;
      if (node.max == -1) return min == 0 ? s + 2 : min * s + 1;
      return min * s + (<i64>node.max - min) * (s + 1);
    }
    default: return 1; // one consuming instruction or assertion
  }
}

// The compiler's working arrays are reused from one pattern to the next (their contents are
// copied into the Program's StaticArrays), so compiling 10^5 route regexes leaves no garbage
// proportional to their number. They are laid out as the Program's arrays, so each is copied
// with one memory.copy.
/** Two words per instruction, as Program.code: `op | arg << 3`, then `arg2`. */
const scratchCode: i32[] = [];
/** Per class: offset of its first range (in pairs), number of ranges (Program.classIndex). */
const scratchClassIndex: i32[] = [];
const scratchClassRanges: i32[] = [];
const scratchClassAscii: i32[] = [];
const scratchJumps: i32[] = [];

// Compiler state (one compilation at a time; module state rather than a class: no object per pattern).
let assertsUsed: i32 = 0;
/** Set when the program would exceed MAX_PROGRAM_SIZE; compilation stops early. */
let tooLarge: bool = false;

/** Compiles `root` into a Program; null if it would exceed MAX_PROGRAM_SIZE. */
export function compileProgram(root: Node): Program | null {
  scratchCode.length = 0;
  scratchClassIndex.length = 0; scratchClassRanges.length = 0; scratchClassAscii.length = 0;
  scratchJumps.length = 0;
  assertsUsed = 0;
  tooLarge = false;
  emitNode(root);
  emit(Op.Match, 0, 0);
  if (tooLarge) return null;

  const prog = new Program(toStatic(scratchCode), toStatic(scratchClassIndex), toStatic(scratchClassRanges),
    toStatic(scratchClassAscii));
  prog.anchoredStart = startsWithBeginText(root);
  let mask = 0;
  if (prog.anchoredStart || (assertsUsed & (EMPTY_BEGIN_TEXT | EMPTY_BEGIN_LINE)) != 0) mask |= PREV_BEGIN;
  if ((assertsUsed & EMPTY_BEGIN_LINE) != 0) mask |= PREV_NEWLINE;
  const usesWord = (assertsUsed & (EMPTY_WORD_BOUNDARY | EMPTY_NOT_WORD_BOUNDARY)) != 0;
  if (usesWord) mask |= PREV_WORD;
  prog.prevFlagsMask = mask;
  prog.assertFlags = assertsUsed;
  if (!prog.anchoredStart) {
    // If every match starts with a known literal, the matchers can skip
    // ahead with a byte scan while no match attempt is in progress.
    const items = flattenConcat(root);
    // (Not for U+FFFD: it also matches each invalid input byte.)
    if (items.length > 0) {
      const first = unchecked(items[0]);
      const c = first.rune;
      if (first.kind == NodeKind.Literal && c != 0xfffd) {
        // The first byte of c's UTF-8 encoding.
        prog.firstByte = c < 0x80 ? c : c < 0x800 ? 0xc0 | (c >> 6) : c < 0x10000 ? 0xe0 | (c >> 12) : 0xf0 | (c >> 18);
      }
    }
  }
  return prog;
}

function emit(op: i32, a: i32, b: i32): i32 {
  const pc = currentPc();
  if (pc >= MAX_PROGRAM_SIZE) {
    tooLarge = true;
    return pc;
  }
  scratchCode.push(op | (a << 3));
  scratchCode.push(b);
  return pc;
}

function currentPc(): i32 { return scratchCode.length >> 1; }

function emitNode(node: Node): void {
  if (tooLarge) return;
  switch (node.kind) {
    case NodeKind.Empty: break;
    case NodeKind.Literal: emit(Op.Char, node.rune, 0); break;
    case NodeKind.Class: emitClass(node.cls!); break;
    case NodeKind.AnyChar: emit(Op.Any, 0, 0); break;
    case NodeKind.AnyCharNotNL: emit(Op.AnyNotNL, 0, 0); break;
    case NodeKind.Assert: {
      assertsUsed |= node.flags;
      emit(Op.Assert, node.flags, 0);
      break;
    }
    case NodeKind.Concat: {
      for (let i = 0; i < node.children.length; i++) emitNode(node.children[i]);
      break;
    }
    case NodeKind.Alternate: {
      // split L1, next; L1: a; jmp end; next: split L2, next2; ... last: z; end:
      // Pending jumps live on one shared stack (nested alternations push above ours).
      const jumps = scratchJumps;
      const base = jumps.length;
      const n = node.children.length;
      for (let i = 0; i < n - 1; i++) {
        const split = emit(Op.Split, currentPc() + 1, 0);
        emitNode(node.children[i]);
        jumps.push(emit(Op.Jmp, 0, 0));
        patch2(split, currentPc());
      }
      emitNode(node.children[n - 1]);
      for (let i = base; i < jumps.length; i++) patch1(jumps[i], currentPc());
      jumps.length = base;
      break;
    }
    case NodeKind.Repeat: emitRepeat(node.sub!, node.min, node.max); break;
  }
}

function emitRepeat(sub: Node, min: i32, max: i32): void {
  if (max == -1 && min == 0) {
    // L: split body, end; body: sub; jmp L; end:
    const loop = emit(Op.Split, currentPc() + 1, 0);
    emitNode(sub);
    emit(Op.Jmp, loop, 0);
    patch2(loop, currentPc());
    return;
  }
  // The mandatory copies; for x{n,} all but the last, which loops: L: sub; split L, end
  const copies = max == -1 ? min - 1 : min;
  for (let i = 0; i < copies && !tooLarge; i++) emitNode(sub);
  if (max == -1) {
    const body = currentPc();
    emitNode(sub);
    emit(Op.Split, body, currentPc() + 1);
    return;
  }
  // Optional copies: split body, end; sub; split body, end; sub; ... end:
  // Each optional copy's split exits to the end: patch them all once the end is known.
  const splits = scratchJumps;
  const base = splits.length;
  for (let i = min; i < max && !tooLarge; i++) {
    splits.push(emit(Op.Split, currentPc() + 1, 0));
    emitNode(sub);
  }
  for (let i = base; i < splits.length; i++) patch2(splits[i], currentPc());
  splits.length = base;
}

function emitClass(cls: CharClass): void {
  const pairs = cls.pairs; // canonical
  const n = pairs.length;
  if (n == 2 || n == 4) {
    const lo = unchecked(pairs[0]), hi = unchecked(pairs[n - 1]);
    if (n == 2 && lo == unchecked(pairs[1])) { emit(Op.Char, lo, 0); return; }
    if (lo == 0 && hi == MAX_RUNE) {
      if (n == 2) { emit(Op.Any, 0, 0); return; }
      // Everything except '\n'.
      if (unchecked(pairs[1]) == 9 && unchecked(pairs[2]) == 11) { emit(Op.AnyNotNL, 0, 0); return; }
    }
  }
  const ranges = scratchClassRanges;
  const index = scratchClassIndex.length >> 1;
  scratchClassIndex.push(ranges.length >> 1);
  scratchClassIndex.push(n >> 1);
  // The class's 128-bit ASCII bitmap: four words, filled in place.
  const ascii = scratchClassAscii;
  const bits = ascii.length;
  for (let i = 0; i < 4; i++) ascii.push(0);
  for (let i = 0; i < n; i += 2) {
    const lo = unchecked(pairs[i]), hi = unchecked(pairs[i + 1]);
    ranges.push(lo);
    ranges.push(hi);
    for (let c = lo; c <= min(hi, 127); c++) {
      const w = bits + (c >> 5);
      unchecked(ascii[w] = unchecked(ascii[w]) | (1 << (c & 31)));
    }
  }
  emit(Op.Class, index, 0);
}

function patch1(pc: i32, target: i32): void {
  const code = scratchCode;
  const at = pc << 1;
  if (at < code.length) code[at] = (code[at] & 7) | (target << 3);
}
function patch2(pc: i32, target: i32): void {
  const code = scratchCode;
  if ((pc << 1) + 1 < code.length) code[(pc << 1) + 1] = target;
}

// ---- static analysis -------------------------------------------------------

const flatScratch: Node[] = [];

/**
 * Top-level sequence with nested concatenations (from groups) inlined. The array is shared:
 * valid until the next call.
 */
export function flattenConcat(node: Node): Node[] {
  const out = flatScratch;
  out.length = 0;
  flattenInto(node, out);
  return out;
}

function flattenInto(node: Node, out: Node[]): void {
  if (node.kind == NodeKind.Concat) {
    for (let i = 0; i < node.children.length; i++) flattenInto(node.children[i], out);
  } else if (node.kind != NodeKind.Empty) {
    out.push(node);
  }
}

/** Does every match start with a begin-of-text assertion (^ without (?m), or \A)? */
export function startsWithBeginText(node: Node): bool {
  switch (node.kind) {
    case NodeKind.Assert: return (node.flags & EMPTY_BEGIN_TEXT) != 0;
    case NodeKind.Concat: {
      for (let i = 0; i < node.children.length; i++) {
        const child = node.children[i];
        if (startsWithBeginText(child)) return true;
        // Skipping over anything else could consume input; stop.
        if (child.kind != NodeKind.Empty) return false;
      }
      return false;
    }
    case NodeKind.Alternate: {
      for (let i = 0; i < node.children.length; i++) if (!startsWithBeginText(node.children[i])) return false;
      return true;
    }
    case NodeKind.Repeat: return node.min >= 1 && startsWithBeginText(node.sub!);
    default: return false;
  }
}

/** Runes of the literal text right after a leading begin-of-text anchor (see analyzeLiteralPrefix). */
const literalRunes: i32[] = [];
/** Set by analyzeLiteralPrefix(): the literal is the whole pattern (`^lit$`). */
export let literalIsExact: bool = false;

/**
 * The literal prefix of `root`, and whether it is the whole pattern in literalIsExact (the array
 * is shared: valid until the next call).
 */
export function analyzeLiteralPrefix(root: Node): i32[] {
  const runes = literalRunes;
  runes.length = 0;
  literalIsExact = false;
  const items = flattenConcat(root);
  const n = items.length;
  let i = 0;
  // One or more leading \A / ^ (without (?m)).
  while (i < n && isAssertOf(unchecked(items[i]), EMPTY_BEGIN_TEXT)) i++;
  if (i == 0) return runes;
  // U+FFFD ends the prefix: it also matches each invalid input byte, so a byte compare would be wrong.
  while (i < n) {
    const item = unchecked(items[i]);
    if (item.kind != NodeKind.Literal || item.rune == 0xfffd) break;
    runes.push(item.rune);
    i++;
  }
  // Exact when only end-of-text anchors follow (and there is at least one).
  if (i < n) {
    let j = i;
    while (j < n && isAssertOf(unchecked(items[j]), EMPTY_END_TEXT)) j++;
    literalIsExact = j == n;
  }
  return runes;
}

/** Is `node` an assertion of exactly the conditions `flags`? */
function isAssertOf(node: Node, flags: i32): bool { return node.kind == NodeKind.Assert && node.flags == flags; }

/** A copy of `a` as a StaticArray. */
function toStatic(a: i32[]): StaticArray<i32> {
  const n = a.length;
  const out = new StaticArray<i32>(n);
  memory.copy(changetype<usize>(out), a.dataStart, <usize>n << 2);
  return out;
}
