// The module's string literals, stored once as UTF-8 (the release build's transform,
// scripts/utf8-literals.ts, rewrites every string literal of our own sources into
// `__literal(id)` and fills the tables below).
//
// Why: AssemblyScript stores each literal as a static UTF-16 string, two bytes per character,
// and almost all of ours (log lines, diagnostics, attribute names) are ASCII: as UTF-8 they take
// half the data section. A literal is decoded into a String the first time it is used and
// kept (pinned) for the life of the VM, so every later use is a load and a branch, and a
// literal used twice is the same object, as it was with static strings.
//
// The bytes are byte-pair encoded: a byte value that no literal uses may stand for a pair of
// symbols (LITERAL_PAIRS), each a byte or another pair. Decoding expands a literal's symbols into
// LITERAL_SCRATCH (as long as the longest literal) and makes the String from there. The table
// is about half the size of the plain UTF-8.
//
// Constant lists of strings are runs of literal ids (__literalArray).
//
// Without the transform (as-pect unit tests, the debug target) nothing calls `__literal` and
// the tables stay the one-element placeholders.

/** Every literal's encoded bytes, back to back. */
const LITERAL_BYTES: usize = memory.data<u8>([0]);
/** Every literal's encoded length, LEB128 (one byte below 128). */
const LITERAL_LENGTHS: usize = memory.data<u8>([0]);
/**
 * For literals 0, 16, 32, …: where it starts in LITERAL_BYTES and where its length is in
 * LITERAL_LENGTHS (two u16). A literal is found from its mark by summing at most 15 lengths:
 * first uses only, so the scan is not worth an offset per literal (2 bytes each).
 */
const LITERAL_MARKS: usize = memory.data<u16>([0, 0]);
/** log2 of the literals per mark: set by the transform (its MARK_EVERY). */
const MARK_SHIFT: i32 = 0;
/** One slot per literal: 0 until it is first used, then the pinned String. */
const LITERAL_CACHE: usize = memory.data(4);
/** Two bytes per byte value: the pair it stands for, or a zero left half when it stands for itself. */
const LITERAL_PAIRS: usize = memory.data<u8>([0, 0]);
/** The literal ids of the items of every constant list of strings (__literalArray). */
const LITERAL_LISTS: usize = memory.data<u16>([0]);
/** Room for the longest literal, decoded. */
const LITERAL_SCRATCH: usize = memory.data(1);

// @ts-ignore: decorator
@global
export function __literal(id: i32): string {
  const slot = LITERAL_CACHE + (<usize>id << alignof<usize>());
  let s = load<usize>(slot);
  if (s == 0) s = decodeLiteral(id, slot);
  return changetype<string>(s);
}

// Kept out of __literal so that its every call site stays a load, a compare and a call.
function decodeLiteral(id: i32, slot: usize): usize {
  const end = expandLiteral(id);
  const s = changetype<usize>(String.UTF8.decodeUnsafe(LITERAL_SCRATCH, end - LITERAL_SCRATCH));
  __pin(s);
  store<usize>(slot, s);
  return s;
}

/**
 * A constant list of strings (`const X: string[] = ["a", "b"]`): the transform stores it as the
 * run of its items' literal ids at LITERAL_LISTS[at .. at + count]. Called once per list, from the
 * start function; each item is the same object as that text used anywhere else.
 */
// @ts-ignore: decorator
@global
export function __literalArray(at: i32, count: i32): string[] {
  const items = new Array<string>(count);
  for (let i = 0; i < count; i++) unchecked((items[i] = listItem(at + i)));
  return items;
}

/** The same for `StaticArray<string>`. */
// @ts-ignore: decorator
@global
export function __literalStaticArray(at: i32, count: i32): StaticArray<string> {
  const items = new StaticArray<string>(count);
  for (let i = 0; i < count; i++) unchecked((items[i] = listItem(at + i)));
  return items;
}

function listItem(k: i32): string {
  return __literal(load<u16>(LITERAL_LISTS + (<usize>k << 1)));
}

/** Expands literal `id` into LITERAL_SCRATCH; returns the end of its bytes. */
function expandLiteral(id: i32): usize {
  const mark = LITERAL_MARKS + (<usize>(id >> MARK_SHIFT) << 2);
  let at = LITERAL_BYTES + <usize>load<u16>(mark);
  let lengthAt = LITERAL_LENGTHS + <usize>load<u16>(mark, 2);
  let length: usize = 0;
  for (let k = id & ((1 << MARK_SHIFT) - 1); k >= 0; k--) {
    at += length;
    // LEB128
    length = 0;
    let shift: usize = 0;
    let b: u32;
    do {
      b = load<u8>(lengthAt++);
      length |= <usize>(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
  }
  const end = at + length;
  let out = LITERAL_SCRATCH;
  while (at < end) out = expandSymbol(load<u8>(at++), out);
  return out;
}

/** Writes what `symbol` stands for at `out`; returns the end. Recursion depth is the pair depth (at most 16). */
function expandSymbol(symbol: u32, out: usize): usize {
  const pair = LITERAL_PAIRS + (<usize>symbol << 1);
  const left = load<u8>(pair);
  if (left == 0) {
    store<u8>(out, <u8>symbol);
    return out + 1;
  }
  return expandSymbol(load<u8>(pair, 1), expandSymbol(left, out));
}
