// A collection in the middle of on_configure.
//
// Linear memory never shrinks, so what on_configure allocates at its peak stays reserved for the
// life of the VM (one per Envoy worker). Reading a configuration makes a lot of garbage — the
// configuration bytes, the JSON tape, value handles, reader state — that is dead once the
// validated configuration exists, and compiling it (route table, name tables) then allocates as
// much again. Collecting in between lets compilation reuse that space instead of growing memory.
//
// The minimal runtime only knows globals and pinned objects as roots (see filter/memory.ts), so
// the caller must hold nothing else it still needs: `keep` is pinned for the collection, and
// every other reference the caller uses afterwards must be reachable from a global (the root
// context is, through the SDK's context map).
export function collectKeeping<T>(keep: T): void {
  const ptr = changetype<usize>(keep);
  __pin(ptr);
  __collect();
  __unpin(ptr);
}
