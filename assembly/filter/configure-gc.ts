// Collections in the middle of on_configure.
//
// Linear memory never shrinks, so what on_configure allocates at its peak stays reserved for the
// life of the VM (one per Envoy worker). Reading a configuration makes a lot of garbage — the
// configuration bytes, the JSON tape, value handles, reader state — that is dead once the
// validated configuration exists, and compiling it (regex programs, route and name tables, CEL
// programs) then allocates as much again, with garbage of its own for every pattern or condition.
// Collecting in between lets compilation reuse that space instead of growing memory.
//
// The minimal runtime only knows globals and pinned objects as roots (see filter/memory.ts), so
// whoever collects must hold nothing else it still needs:
// - collectKeeping(keep): one collection; `keep` is pinned for it, and every other reference the
//   caller uses afterwards must be reachable from a global (the root context is, through the SDK's
//   context map).
// - between beginCollections(keep) and endCollections(), compilation loops call
//   collectionPoint() between two parts (two regexes, two conditions), at a point where everything
//   they still use is reachable from the pinned objects (`keep`, and what alsoKeep() added, such
//   as a classifier being built) or from globals. Outside that window (unit tests, tools) a
//   collection point does nothing.
//
// When a point collects: once the garbage made since the last collection, as estimated by the
// callers, reaches an eighth of the heap (at least MIN_GARBAGE). The allocator doubles the heap
// when it runs out, so garbage must stay well below the free space; and since each collection
// marks at most the heap, collecting per eighth of it keeps the total marking work linear in the
// garbage made.

/** Garbage (estimated bytes) below which a collection point never collects. */
const MIN_GARBAGE: usize = 1 << 20;
const MAX_PINNED: i32 = 4;

const pinned = new StaticArray<usize>(MAX_PINNED);
let pinnedCount: i32 = 0;
let open: bool = false;
let garbage: usize = 0;

export function collectKeeping<T>(keep: T): void {
  const ptr = changetype<usize>(keep);
  __pin(ptr);
  __collect();
  __unpin(ptr);
}

/** Opens the window in which collectionPoint() may collect; `keep` survives (the parsed configuration). */
export function beginCollections<T>(keep: T): void {
  open = true;
  garbage = 0;
  alsoKeep(keep);
}

/** Keeps `obj` too until endCollections() (e.g. a classifier under construction). Ignored outside the window. */
export function alsoKeep<T>(obj: T): void {
  const ptr = changetype<usize>(obj);
  if (!open || ptr == 0 || pinnedCount == MAX_PINNED) return;
  for (let i = 0; i < pinnedCount; i++) if (unchecked(pinned[i]) == ptr) return;
  __pin(ptr);
  unchecked((pinned[pinnedCount++] = ptr));
}

/** Closes the window: the pinned objects are ordinary objects again. */
export function endCollections(): void {
  for (let i = 0; i < pinnedCount; i++) __unpin(unchecked(pinned[i]));
  pinnedCount = 0;
  open = false;
  garbage = 0;
}

/**
 * Between two parts of a configuration, after one that made about `bytes` of garbage: collects
 * when enough has piled up (see above). Only call where nothing but the pinned objects and globals
 * is still needed.
 */
export function collectionPoint(bytes: usize): void {
  if (!open) return;
  garbage += bytes;
  const heap = (<usize>memory.size()) << 16;
  if (garbage < max(MIN_GARBAGE, heap >> 3)) return;
  __collect();
  garbage = 0;
}
