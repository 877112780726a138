// Garbage collection policy: collect by bytes allocated, not by stream count.
//
// The filter is built with AssemblyScript's "minimal" runtime: a two-colour mark & sweep collector
// without the incremental collector's shadow stack, which makes the module ~100 KB smaller and
// every call cheaper. It never runs by itself: it must be started when no managed reference lives
// only on the wasm stack, i.e. at the end of a host callback, when everything still needed is
// reachable from globals (the SDK's context map holds the root contexts, filter/dispatch.ts's table
// the open streams, filter/stream-pool.ts the idle ones).
//
// Why bytes: linear memory never shrinks, Envoy runs one VM per worker, and the allocator doubles
// the memory whenever it runs out — so what matters is the garbage that can pile up between two
// collections. Counted per stream, a few large requests (a 1 MiB path) were enough to grow a VM
// by hundreds of MiB. Counted in bytes, garbage stays under COLLECTION_BUDGET plus what one
// callback allocates, whatever the traffic.
//
// What is counted (abi/allocations.ts): every buffer the host copies in that is not reused
// (values read every request — path, method, 8-byte attributes — go into reusable buffers and make
// no garbage), input-sized objects the module notes itself, and STREAM_BYTES for each finished
// stream the pool had no room for (pooled streams are reused and make none). As a safety net for
// anything not counted, a heap that had to grow since the last collection is collected at the end
// of that callback, before garbage can make it grow (double) again.
//
// We also collect at the end of on_configure (the parsed JSON and diagnostics are garbage by then).
// A collection marks the live configuration (kept in a few large typed arrays rather than many
// small objects, so marking stays cheap however many routes there are) and sweeps the garbage.
import { allocatedSinceCollection, noteAllocation, resetAllocations } from "../abi/allocations";
import { hostBufferBytes } from "../abi/host-memory";

/** Bytes allocated since the last collection that trigger the next one (a quarter of a smaller heap). */
export const COLLECTION_BUDGET: u64 = 1 << 20;
/** Estimate of a stream's own objects (the stream and its state), garbage when the pool has no room for it. */
export const STREAM_BYTES: usize = 256;

/**
 * What a pooled stream is charged although it makes no garbage of its own: a backstop, so that
 * garbage nobody counted still gets collected at least every COLLECTION_BUDGET / 16 = 65,536
 * streams (more often on a small heap) rather than growing the heap, doubling after doubling.
 */
export const RECYCLED_STREAM_BYTES: usize = 16;

/** The smallest budget (bytes). */
const MIN_BUDGET: u64 = 16 << 10;

// Memory size (pages) right after the last collection, and the budget for that size.
let pagesAtCollection: i32 = 0;
let budget: u64 = 0;

/** Full collection. Call only at the end of a host callback (see above). */
export function collectGarbage(): void {
  __collect();
  resetAllocations();
  pagesAtCollection = memory.size();
  // A small heap has little free space: garbage up to the full budget would make it grow. The
  // HostBuffers' storage is not free space either: with a 1 MiB path in one, a 1.25 MiB heap has
  // a quarter of a MiB left, and a budget of a quarter of the heap would double it.
  const heapBytes = <u64>pagesAtCollection << 16;
  const reserved = <u64>hostBufferBytes();
  // At least MIN_BUDGET: with no free space left at all, a zero budget would collect at the end
  // of every callback, allocating or not.
  budget = max(MIN_BUDGET, min(COLLECTION_BUDGET, (heapBytes > reserved ? heapBytes - reserved : 0) >> 2));
}

/** Call at the end of every stream callback: collects when the budget is spent or the heap grew. */
export function endOfCallback(): void {
  if (allocatedSinceCollection() >= budget || memory.size() != pagesAtCollection) collectGarbage();
}

/**
 * Called when a stream context is deleted (its last callback). A stream the pool took back
 * (filter/stream-pool.ts) makes no garbage; one it had no room for does.
 */
export function streamFinished(recycled: bool): void {
  noteAllocation(recycled ? RECYCLED_STREAM_BYTES : STREAM_BYTES);
  endOfCallback();
}
