import { NO_I32, NO_U8 } from "../routes/bytes";

// A set of names (route names / attribute values) stored as one UTF-8 buffer plus offsets.
// One object however many names: cheap for the garbage collector to mark, and the bytes can be
// handed to the host (set_property) without building anything per request.

export class NameTable {
  private bytes: Uint8Array = NO_U8;
  private offsets: Int32Array = new Int32Array(1);
  // Build-time only (dropped by freeze()): the names so far and an open-addressing index of them
  // (no Map entry per name: configure time adds one name per route).
  private pending: string[] = [];
  private hashes: u32[] = [];
  private slots: Int32Array = new Int32Array(16).fill(-1);

  /** Adds `name` (once) and returns its index. */
  add(name: string): i32 {
    const h = hashName(name);
    let mask = this.slots.length - 1;
    let s = <i32>(h & <u32>mask);
    while (true) {
      const e = unchecked(this.slots[s]);
      if (e < 0) break;
      if (unchecked(this.hashes[e]) == h && unchecked(this.pending[e]) == name) return e;
      s = (s + 1) & mask;
    }
    const id = this.pending.length;
    this.pending.push(name);
    this.hashes.push(h);
    if (2 * (id + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    else unchecked((this.slots[s] = id));
    return id;
  }

  private rehash(capacity: i32): void {
    this.slots = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let e = 0; e < this.pending.length; e++) {
      let s = <i32>(unchecked(this.hashes[e]) & <u32>mask);
      while (unchecked(this.slots[s]) >= 0) s = (s + 1) & mask;
      unchecked((this.slots[s] = e));
    }
  }

  freeze(): void {
    const n = this.pending.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += String.UTF8.byteLength(this.pending[i]);
    this.bytes = new Uint8Array(total);
    this.offsets = new Int32Array(n + 1);
    let at = 0;
    for (let i = 0; i < n; i++) {
      this.offsets[i] = at;
      const name = this.pending[i];
      at += <i32>String.UTF8.encodeUnsafe(changetype<usize>(name), name.length, this.bytes.dataStart + <usize>at);
    }
    this.offsets[n] = at;
    this.pending = [];
    this.hashes = [];
    this.slots = NO_I32;
  }

  get count(): i32 {
    return this.offsets.length - 1;
  }

  @inline ptr(i: i32): usize {
    return this.bytes.dataStart + <usize>unchecked(this.offsets[i]);
  }

  @inline len(i: i32): i32 {
    return unchecked(this.offsets[i + 1]) - unchecked(this.offsets[i]);
  }

  /** The name as a string (configure time, debug logs, first definition of a metric). */
  text(i: i32): string {
    return String.UTF8.decodeUnsafe(this.ptr(i), <usize>this.len(i));
  }
}

/** FNV-1a over the UTF-16 code units, mixed so that the low bits (the slot) depend on all of them. */
function hashName(name: string): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = (h ^ <u32>name.charCodeAt(i)) * 0x01000193;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  return h;
}
