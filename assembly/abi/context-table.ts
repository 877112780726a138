// Context id → object, for the proxy_on_* callbacks of HTTP streams.
//
// Envoy calls the module five to seven times per stream, each time with nothing but the context
// id. The SDK keeps every context in a Map<u32, BaseContext>: two hashed lookups per callback
// (has, then get), plus a map insertion and removal per stream that allocate. This table does one
// lookup, usually none: consecutive callbacks are mostly for the same stream (request headers,
// response headers, on_log, on_done, on_delete of one request), so the last id found is cached.
//
// Open addressing with linear probing over a power-of-two array of ids, Fibonacci-hashed
// (Envoy's ids are consecutive, which this spreads evenly); deletion shifts the following entries
// back rather than leaving tombstones, so probe sequences stay short however long the VM runs.
// The arrays grow with the peak number of open streams and never shrink (neither does linear
// memory: shrinking would only leave a hole). Id 0 is the VM's, never a stream's; it is kept in a
// field of its own so that 0 can mark an empty slot.

import { staticAt } from "../unchecked";

const FIRST_BITS: i32 = 6; // 64 slots: room for 32 open streams before the first growth

export class ContextTable<T> {
  private ids: StaticArray<u32>;
  private values: StaticArray<T | null>;
  private bits: i32 = FIRST_BITS;
  private count: i32 = 0;
  private zero: T | null = null;
  private lastId: u32 = 0;
  private last: T | null = null;

  constructor() {
    this.ids = new StaticArray<u32>(1 << FIRST_BITS);
    this.values = new StaticArray<T | null>(1 << FIRST_BITS);
  }

  /** How many contexts the table holds. */
  get size(): i32 {
    return this.count + (this.zero !== null ? 1 : 0);
  }

  /** Slots allocated (grows with the peak number of open streams). */
  get capacity(): i32 {
    return 1 << this.bits;
  }

  /** The object of context `id`, or null. */
  get(id: u32): T | null {
    const last = this.last;
    if (id == this.lastId && last !== null) return last;
    if (id == 0) return this.zero;
    const i = this.find(id);
    if (i < 0) return null;
    const v = staticAt(this.values, i);
    this.lastId = id;
    this.last = v;
    return v;
  }

  /** Adds or replaces the object of context `id`. */
  set(id: u32, value: T): void {
    if (id == 0) {
      this.zero = value;
    } else {
      let i = this.find(id);
      if (i < 0) {
        if ((this.count + 1) << 1 > (1 << this.bits)) this.grow();
        i = this.freeSlot(id);
        store<u32>(changetype<usize>(this.ids) + (<usize>i << 2), id);
        this.count++;
      }
      unchecked((this.values[i] = value));
    }
    this.lastId = id;
    this.last = value;
  }

  /** Removes context `id`; returns its object (null when it had none). */
  delete(id: u32): T | null {
    if (id == this.lastId) this.last = null;
    if (id == 0) {
      const z = this.zero;
      this.zero = null;
      return z;
    }
    const i = this.find(id);
    if (i < 0) return null;
    const v = unchecked(this.values[i]);
    this.count--;
    this.shiftBack(i);
    return v;
  }

  @inline private home(id: u32): i32 {
    return <i32>((id * 0x9e3779b1) >>> <u32>(32 - this.bits));
  }

  private find(id: u32): i32 {
    const ids = this.ids;
    const mask = (1 << this.bits) - 1;
    let i = this.home(id);
    while (true) {
      const k = staticAt(ids, i);
      if (k == id) return i;
      if (k == 0) return -1;
      i = (i + 1) & mask;
    }
    return -1; // not reached: the table is never full
  }

  private freeSlot(id: u32): i32 {
    const ids = this.ids;
    const mask = (1 << this.bits) - 1;
    let i = this.home(id);
    while (unchecked(ids[i]) != 0) i = (i + 1) & mask;
    return i;
  }

  // Empties slot `hole` and moves back every following entry of the run whose home slot lies at
  // or before the hole (cyclically), so that a lookup never meets an empty slot before its id.
  private shiftBack(hole: i32): void {
    const ids = this.ids;
    const values = this.values;
    const mask = (1 << this.bits) - 1;
    let j = hole;
    while (true) {
      j = (j + 1) & mask;
      const k = unchecked(ids[j]);
      if (k == 0) break;
      const h = this.home(k);
      // The entry at j may fill the hole when the hole is cyclically within [h, j).
      if (((j - h) & mask) >= ((j - hole) & mask)) {
        unchecked((ids[hole] = k));
        unchecked((values[hole] = unchecked(values[j])));
        hole = j;
      }
    }
    unchecked((ids[hole] = 0));
    unchecked((values[hole] = null));
  }

  private grow(): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    this.bits++;
    this.ids = new StaticArray<u32>(1 << this.bits);
    this.values = new StaticArray<T | null>(1 << this.bits);
    for (let i = 0; i < oldIds.length; i++) {
      const k = unchecked(oldIds[i]);
      if (k == 0) continue;
      const j = this.freeSlot(k);
      unchecked((this.ids[j] = k));
      unchecked((this.values[j] = unchecked(oldValues[i])));
    }
  }
}
