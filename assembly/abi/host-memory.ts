// Where the bytes the host hands to the module land.
//
// Every proxy-wasm "return bytes" call (a header, a property, a buffer) makes the host call the
// module's `malloc(size)`, copy the value there and give the memory to the module; it never frees
// it. By default that memory is a fresh ArrayBuffer, pinned until the wrapper in hostcalls.ts
// takes it over, then garbage once dropped: its size is counted towards the next collection.
//
// Values read on every request (the :path, the :method, 8-byte attributes) instead go into a
// HostBuffer the reader owns: the wrapper points the next malloc at it, so the host copies the
// value into storage that is reused from request to request and no garbage is made, whatever the
// value's size. The storage is unmanaged heap memory (heap.alloc, outside the collector): when a
// larger value arrives the old block is freed before the new one is taken, so growing never needs
// both at once, and it stays at the largest value seen — linear memory never shrinks, so giving it
// back would not lower the VM's footprint.
import { noteAllocation } from "./allocations";

/**
 * Envoy's ceiling for a request's headers (max_request_headers_kb ≤ 8192): a buffer grows by
 * doubling up to this, then to the exact size, so it never reserves much more than the largest
 * value Envoy can send.
 */
const DOUBLING_LIMIT: i32 = 8 << 20;

// Bytes held by all HostBuffers: heap the collector can never free (filter/memory.ts sizes its
// garbage budget by what is left).
let reservedTotal: usize = 0;

/** Heap bytes reserved by HostBuffers (they only grow). */
export function hostBufferBytes(): usize {
  return reservedTotal;
}

/**
 * Reusable destination for one kind of host value. `ptr`/`length` describe the last value copied in.
 * Its storage is never given back: create HostBuffers once per VM (module-level), not per request
 * or per configuration.
 */
export class HostBuffer {
  private storage: usize;
  private reserved: i32;
  /** Bytes of the last value copied in (0 for an empty or missing value). */
  length: i32 = 0;

  constructor(initialCapacity: i32) {
    this.reserved = max(initialCapacity, 16);
    this.storage = heap.alloc(<usize>this.reserved);
    reservedTotal += <usize>this.reserved;
  }

  get ptr(): usize {
    return this.storage;
  }

  get capacity(): i32 {
    return this.reserved;
  }

  /** Storage for a value of `size` bytes; the previous contents are not kept. */
  reserve(size: i32): usize {
    if (size > this.reserved) {
      const grown = max(size, min(this.reserved << 1, DOUBLING_LIMIT));
      heap.free(this.storage);
      this.storage = heap.alloc(<usize>grown);
      reservedTotal += <usize>(grown - this.reserved);
      this.reserved = grown;
    }
    return this.storage;
  }

  /**
   * Records the value a host call returned (its out-pointer and size). A value that did not go
   * through the redirected malloc — it cannot happen with one allocation per call, but the host is
   * not ours — is copied in and its buffer released to the collector.
   */
  accept(ptr: usize, size: i32): void {
    if (ptr == 0 || size <= 0) {
      this.length = 0;
      return;
    }
    if (ptr != this.storage) {
      memory.copy(this.reserve(size), ptr, <usize>size);
      __unpin(ptr);
    }
    this.length = size;
  }
}

/**
 * What an allocation costs beyond its payload: the allocator's block header (4 bytes), the
 * collector's object header (16) and the rounding of blocks to 16 bytes. Counted with every host
 * copy: most are a few bytes (a method, a status code), so their payload alone would undercount
 * the garbage several times over.
 */
const ALLOCATION_OVERHEAD: usize = 32;

// The HostBuffer the next malloc copies into; set for the duration of one host call.
let redirect: HostBuffer | null = null;

/** Points the next host allocation at `into` (call right before the host call, then endRedirect). */
export function redirectNextAllocation(into: HostBuffer): void {
  redirect = into;
}

/** Ends a redirection, whether or not the host allocated (empty values and errors allocate nothing). */
export function endRedirect(): void {
  redirect = null;
}

/**
 * The module's allocator export for the host. Not zero-filled: the host overwrites every byte.
 * A redirected allocation larger than the target could hold grows the target first.
 */
export function malloc(size: i32): usize {
  const target = redirect;
  if (target !== null) {
    redirect = null;
    return target.reserve(size);
  }
  if (size < 0) size = 0;
  noteAllocation(<usize>size + ALLOCATION_OVERHEAD);
  return __pin(__new(<usize>size, idof<ArrayBuffer>()));
}
