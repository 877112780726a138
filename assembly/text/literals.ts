// The module's string literals, stored once as UTF-8 (the release build's transform,
// scripts/utf8-literals.ts, rewrites every string literal of our own sources into
// `__literal(id)` and fills the three tables below).
//
// Why: AssemblyScript stores each literal as a static UTF-16 string, two bytes per character,
// and almost all of ours (log lines, diagnostics, attribute names) are ASCII: as UTF-8 they take
// half the data section. A literal is decoded into a String the first time it is used and
// kept (pinned) for the life of the VM, so every later use is a load and a branch, and a
// literal used twice is the same object, as it was with static strings.
//
// Without the transform (as-pect unit tests, the debug target) nothing calls `__literal` and
// the tables stay the one-element placeholders.

/** Every literal's bytes, back to back (UTF-8). */
const LITERAL_BYTES: usize = memory.data<u8>([0]);
/** Where literal `id` ends in LITERAL_BYTES (it starts where `id - 1` ends; id 0 at 0). */
const LITERAL_ENDS: usize = memory.data<u32>([0]);
/** One slot per literal: 0 until it is first used, then the pinned String. */
const LITERAL_CACHE: usize = memory.data(4);

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
  const start = id == 0 ? 0 : load<u32>(LITERAL_ENDS + (<usize>(id - 1) << 2));
  const end = load<u32>(LITERAL_ENDS + (<usize>id << 2));
  const s = changetype<usize>(String.UTF8.decodeUnsafe(LITERAL_BYTES + <usize>start, <usize>(end - start)));
  __pin(s);
  store<usize>(slot, s);
  return s;
}
