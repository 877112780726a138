// Element reads and writes for the per-request path: no bounds check, always inlined.
//
// Why not `unchecked(a[i])`: it compiles to a call of the standard library's `__uget` / `__uset`,
// and the release build's inliner (shrink level 1) keeps functions of more than six expressions
// out of line; those accessors have seven and eight. On the per-request path that was a call for
// every element read of the route table, the request view and the metric ids (issue 14: the
// filter's own time per request, docs/performance.md). These are the same loads and stores,
// inlined by the AssemblyScript compiler itself.
//
// Use them only where the index is known to be in range, and only on the per-request path:
// elsewhere `unchecked()` is smaller (a call is three bytes, an inlined access about ten).
// References are only read here: storing a managed reference needs the collector's write
// barrier, which the standard library's store keeps.

/** Element i of an `Int32Array`, `Uint32Array` or `i32[]` (as i32). */
@inline export function i32At<A>(a: A, i: i32): i32 {
  return load<i32>(a.dataStart + (<usize>i << 2));
}

/** Stores element i of an `Int32Array`, `Uint32Array` or `i32[]`. */
@inline export function setI32At<A>(a: A, i: i32, value: i32): void {
  store<i32>(a.dataStart + (<usize>i << 2), value);
}

/** Element i of a `Uint64Array` or `u64[]`. */
@inline export function u64At<A>(a: A, i: i32): u64 {
  return load<u64>(a.dataStart + (<usize>i << 3));
}

/** Element i of an array of references. */
@inline export function refAt<T>(a: T[], i: i32): T {
  return changetype<T>(load<usize>(a.dataStart + (<usize>i << alignof<usize>())));
}

/** Element i of a `StaticArray` (numbers or references). */
@inline export function staticAt<T>(a: StaticArray<T>, i: i32): T {
  return load<T>(changetype<usize>(a) + (<usize>i << alignof<T>()));
}
