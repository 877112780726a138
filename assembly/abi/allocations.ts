// Bytes allocated since the last garbage collection, as far as the module can tell.
//
// The minimal runtime keeps its heap total private, so the allocations that scale with the input
// are counted where they happen instead: every buffer the host copies in (malloc, host-memory.ts),
// and input-sized objects the module builds itself, noted by the code that builds them. Fixed-size
// per-stream objects are accounted as an estimate by the collection policy (filter/memory.ts),
// which reads this counter and resets it when it collects.

let allocated: u64 = 0;

/** Counts `bytes` towards the next collection. */
export function noteAllocation(bytes: usize): void {
  allocated += <u64>bytes;
}

export function allocatedSinceCollection(): u64 {
  return allocated;
}

export function resetAllocations(): void {
  allocated = 0;
}
