// Byte-level helpers for the per-request path: hashing and comparing raw UTF-8 without building
// strings, and a hash table keyed by (namespace, bytes) that lets the matcher look up a path
// segment or a path prefix directly in the request buffer.
import { i32At } from "../unchecked";

// Shared empty arrays, the initial value of fields that configure time replaces: one load instead
// of building an empty array per field and object. They have no elements, so nothing writes them.
export const NO_I32 = new Int32Array(0);
export const NO_U32 = new Uint32Array(0);
export const NO_U8 = new Uint8Array(0);

export const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

@inline
export function fnvStep(state: u32, byte: u32): u32 {
  return (state ^ byte) * FNV_PRIME;
}

export function fnvBytes(ptr: usize, len: i32): u32 {
  let h = FNV_OFFSET;
  for (let i = 0; i < len; i++) h = fnvStep(h, <u32>load<u8>(ptr + <usize>i));
  return h;
}

// ---- delimiter search, eight bytes per step (a long run without delimiters, e.g. a 1 MiB path
// segment, is the common worst case) ----

const LOW_BITS: u64 = 0x0101010101010101;
const HIGH_BITS: u64 = 0x8080808080808080;

/** Non-zero when some byte of `word` equals the byte repeated in `pattern` (SWAR zero-byte test). */
@inline
function hasByte(word: u64, pattern: u64): u64 {
  const x = word ^ pattern;
  return (x - LOW_BITS) & ~x & HIGH_BITS;
}

const enum Delimiters {
  /** '/', '?', '#': the end of a path segment. */
  Segment,
  /** '?', '#': the end of the URL path. */
  UrlPath,
  /** '#': the end of the query string. */
  Query,
  /** '&', '#': the end of a query parameter. */
  QueryPair,
}

@inline
function wordHas(word: u64, set: Delimiters): bool {
  let hits = hasByte(word, LOW_BITS * 0x23 /* # */);
  if (set == Delimiters.Segment) {
    // '/' (0x2f) and '?' (0x3f) differ only in bit 0x10: one test finds both.
    hits |= hasByte(word & (LOW_BITS * 0xef), LOW_BITS * 0x2f);
  } else if (set == Delimiters.UrlPath) {
    hits |= hasByte(word, LOW_BITS * 0x3f /* ? */);
  } else if (set == Delimiters.QueryPair) {
    hits |= hasByte(word, LOW_BITS * 0x26 /* & */);
  }
  return hits != 0;
}

@inline
function byteIs(c: u32, set: Delimiters): bool {
  if (c == 0x23) return true;
  if (set == Delimiters.Segment) return (c | 0x10) == 0x3f;
  if (set == Delimiters.UrlPath) return c == 0x3f;
  if (set == Delimiters.QueryPair) return c == 0x26;
  return false;
}

@inline
function findDelimiter(ptr: usize, from: i32, to: i32, set: Delimiters): i32 {
  let i = from;
  while (i + 8 <= to && !wordHas(load<u64>(ptr + <usize>i), set)) i += 8;
  while (i < to) {
    if (byteIs(<u32>load<u8>(ptr + <usize>i), set)) return i;
    i++;
  }
  return to;
}

/** Index of the first '/', '?' or '#' in [from, to); `to` when there is none. */
export function findSegmentEnd(ptr: usize, from: i32, to: i32): i32 {
  return findDelimiter(ptr, from, to, Delimiters.Segment);
}

/** Index of the first '?' or '#' in [from, to); `to` when there is none. */
export function findUrlPathEnd(ptr: usize, from: i32, to: i32): i32 {
  return findDelimiter(ptr, from, to, Delimiters.UrlPath);
}

/** Index of the first '#' in [from, to); `to` when there is none. */
export function findQueryEnd(ptr: usize, from: i32, to: i32): i32 {
  return findDelimiter(ptr, from, to, Delimiters.Query);
}

/** Index of the first '&' or '#' in [from, to); `to` when there is none. */
export function findQueryPairEnd(ptr: usize, from: i32, to: i32): i32 {
  return findDelimiter(ptr, from, to, Delimiters.QueryPair);
}

/** Mixes a namespace (trie node id, prefix length) into a byte hash. */
@inline
export function keyHash(ns: i32, bytesHash: u32): u32 {
  let h = bytesHash ^ (<u32>ns * 0x9e3779b1);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  return h;
}

export function bytesEqual(a: usize, aLen: i32, b: usize, bLen: i32): bool {
  return aLen == bLen && sameBytes(a, b, aLen);
}

/**
 * Whether the n bytes at a and b are the same. memory.compare's loop is inlined wherever it is
 * written (about 190 B each), so the route code compares through this one copy.
 */
export function sameBytes(a: usize, b: usize, n: i32): bool {
  return memory.compare(a, b, <usize>n) == 0;
}

/** Compares a byte range to a buffer. */
export function equalsBuffer(ptr: usize, len: i32, buf: ArrayBuffer): bool {
  return bytesEqual(ptr, len, changetype<usize>(buf), buf.byteLength);
}

/** A copy of `a` with length n (truncated or zero-extended). */
function resized(a: Int32Array, n: i32): Int32Array {
  const b = new Int32Array(n);
  memory.copy(b.dataStart, a.dataStart, <usize>min(n, a.length) << 2);
  return b;
}

/** The values as a typed array of their own (a fixed size, no spare capacity). */
export function toInt32Array(values: i32[]): Int32Array {
  const out = new Int32Array(values.length);
  memory.copy(out.dataStart, values.dataStart, <usize>values.length << 2);
  return out;
}

/** A copy of the first `used` bytes of `a` in an array of n bytes (n ≥ used). */
function resizedBytes(a: Uint8Array, used: i32, n: i32): Uint8Array {
  const b = new Uint8Array(n);
  memory.copy(b.dataStart, a.dataStart, <usize>used);
  return b;
}

/**
 * UTF-8 length of text[from, to) (lone surrogates count 3, as encodeUnsafe writes them). Configure
 * time only (mixed segments' literals): through a substring, so that the module has one UTF-8
 * length loop, the standard library's.
 */
export function utf8RangeLength(text: string, from: i32, to: i32): i32 {
  return String.UTF8.byteLength(text.substring(from, to));
}

/** A new array of n elements, each -1 (one memory.fill: TypedArray#fill is a 130 B instantiation). */
export function minusOnes(n: i32): Int32Array {
  const a = new Int32Array(n);
  memory.fill(a.dataStart, 0xff, <usize>n << 2);
  return a;
}

/** Slots of an empty table: one empty slot, so that find() answers -1 (never written). */
const NO_SLOTS = minusOnes(2);

/**
 * Open-addressing hash table from (namespace, byte string) to an i32 value (≥ 0).
 * Built at configure time (`intern` / `addText`, then `freeze`), read per request (`find`); it
 * answers lookups while it is being built too, which is how the route table deduplicates keys.
 */
export class ByteKeyTable {
  // Entry i is (namespace, arena offset, length, value) at records[4i ..], its UTF-8 key
  // arenaBytes[offset, + length). Keys are encoded into the arena directly, so building the
  // table makes no second copy.
  private entries: i32 = 0;
  private arenaUsed: i32 = 0;
  // Slot s is (hash, entry) at [2s, 2s + 1] (entry -1: empty). The capacity is a power of two,
  // at least 8 and at least twice the entries (the smallest such, grown by doubling as entries are
  // added), so freeze() has no slots to place.
  private slots: Int32Array = NO_SLOTS;
  private records: Int32Array = NO_I32;
  private mask: u32 = 0;
  private arenaBytes: Uint8Array = NO_U8;
  /** Length in bytes of the longest key. */
  maxKeyLength: i32 = 0;
  /** Whether find() is used once built; when not, freeze() drops the slots (NameTable). */
  protected lookups: bool = true;

  /** Number of keys, before and after freeze(). */
  get size(): i32 {
    return this.entries;
  }

  /** Makes room for `keys` more keys holding `bytes` more UTF-8 bytes (a hint: adding grows the arrays anyway). */
  reserve(keys: i32, bytes: i32): void {
    this.records = resized(this.records, (this.entries + keys) << 2);
    this.arenaBytes = resizedBytes(this.arenaBytes, this.arenaUsed, this.arenaUsed + bytes);
  }

  /** Adds a key given as text, UTF-8 encoded straight into the arena (no temporary buffer); a key already present keeps its value. */
  addText(ns: i32, key: string, value: i32): void {
    this.intern(ns, key, 0, key.length, value);
  }

  /**
   * The value of key `name` in namespace 0, adding it with the next index (the size) when new:
   * numbers distinct names (NameTable, the route table's condition names).
   */
  add(name: string): i32 {
    const id = this.entries;
    const known = this.intern(0, name, 0, name.length, id);
    return known >= 0 ? known : id;
  }

  /** Adds text[from, to) as a key (no substring); a key already present keeps its value. */
  addTextRange(ns: i32, text: string, from: i32, to: i32, value: i32): void {
    this.intern(ns, text, from, to, value);
  }

  /**
   * The value of key (ns, text[from, to)) when it is present; else adds the key with `value` and
   * returns -1. The key is encoded once, at the end of the arena, and kept there only when new.
   */
  intern(ns: i32, text: string, from: i32, to: i32, value: i32): i32 {
    const units = to - from;
    const at = this.arenaUsed;
    if (at + 3 * units > this.arenaBytes.length) {
      this.arenaBytes = resizedBytes(this.arenaBytes, at, max(at + 3 * units, max(64, this.arenaBytes.length << 1)));
    }
    const key = this.arenaBytes.dataStart + <usize>at;
    const len = <i32>String.UTF8.encodeUnsafe(changetype<usize>(text) + (<usize>from << 1), units, key);
    const bytesHash = fnvBytes(key, len);
    const found = this.find(ns, key, len, bytesHash);
    if (found >= 0) return found;
    const i = this.entries;
    const r = i << 2;
    if (r >= this.records.length) this.records = resized(this.records, max(32, r << 1));
    const records = this.records;
    records[r] = ns;
    records[r + 1] = at;
    records[r + 2] = len;
    records[r + 3] = value;
    this.arenaUsed = at + len;
    this.entries = i + 1;
    this.maxKeyLength = max(this.maxKeyLength, len);
    const h = keyHash(ns, bytesHash);
    const old = this.slots;
    if (i + 1 > old.length >> 2) {
      // Past half full (or the empty table's single slot): twice the capacity, at least 8.
      const cap = max(8, old.length);
      // Every slot empty (entry -1; the hash words are written with their entry by place()).
      this.slots = minusOnes(cap << 1);
      this.mask = <u32>cap - 1;
      for (let k = 0; k < old.length; k += 2) {
        const e = unchecked(old[k + 1]);
        if (e >= 0) this.place(<u32>unchecked(old[k]), e);
      }
    }
    this.place(h, i);
    return -1;
  }

  private place(h: u32, e: i32): void {
    const slots = this.slots;
    const mask = this.mask;
    let slot = h & mask;
    while (unchecked(slots[(slot << 1) + 1]) >= 0) slot = (slot + 1) & mask;
    unchecked((slots[slot << 1] = <i32>h));
    unchecked((slots[(slot << 1) + 1] = e));
  }

  /**
   * Ends building: trims what growth over-allocated. Per request, a lookup touches one slot (hash
   * and entry side by side) and one record (namespace, offset, length, value side by side) before
   * the key bytes: three cache lines, where separate arrays per field took up to seven. With
   * 10,000 routes the tables no longer fit in the cache, so that is most of a lookup.
   */
  freeze(): void {
    if (this.records.length != this.entries << 2) this.records = resized(this.records, this.entries << 2);
    if (this.arenaBytes.length != this.arenaUsed) this.arenaBytes = resizedBytes(this.arenaBytes, this.arenaUsed, this.arenaUsed);
    if (!this.lookups) {
      this.slots = NO_SLOTS;
      this.mask = 0;
    }
  }

  /** The UTF-8 bytes of key i (entry order: the order keys were first added). */
  @inline keyPtr(i: i32): usize {
    return this.arenaBytes.dataStart + <usize>i32At(this.records, (i << 2) + 1);
  }

  @inline keyLength(i: i32): i32 {
    return i32At(this.records, (i << 2) + 2);
  }

  /** Freezes with values replaced: entry i gets values[base + old value of entry i]. */
  freezeWith(values: Int32Array, base: i32 = 0): void {
    const records = this.records;
    for (let r = 3; r < this.entries << 2; r += 4) records[r] = values[base + records[r]];
    this.freeze();
  }

  /** Value for (ns, bytes at ptr..ptr+len) whose precomputed byte hash is `bytesHash`; -1 when absent. */
  find(ns: i32, ptr: usize, len: i32, bytesHash: u32): i32 {
    const h = keyHash(ns, bytesHash);
    const slots = this.slots.dataStart;
    const records = this.records.dataStart;
    let slot = h & this.mask;
    while (true) {
      const at = slots + (<usize>slot << 3);
      const e = load<i32>(at, 4);
      if (e < 0) return -1;
      if (load<u32>(at) == h) {
        const r = records + (<usize>e << 4);
        if (load<i32>(r) == ns && load<i32>(r, 8) == len &&
          sameBytes(this.arenaBytes.dataStart + <usize>load<i32>(r, 4), ptr, len)) {
          return load<i32>(r, 12);
        }
      }
      slot = (slot + 1) & this.mask;
    }
  }
}
