// Attribute sources for evaluation.
//
// The compiled program asks for attributes by numeric id (AttrId), so the host boundary sees only
// pre-encoded byte keys. Values are Envoy-encoded bytes (proxy-wasm-abi.md §6): strings raw,
// int64/uint64/timestamps/durations 8 bytes little-endian, bool 1 byte, maps in pairs serialization.
//
// CachingActivation fetches each attribute at most once per *evaluation round* (every condition
// evaluated for one request in one phase shares one round): `reset()` starts a new round without
// allocating (a generation counter invalidates the id-indexed cache and the keyed index; keyed
// entries are reused), and `endRound()` drops the round's values, so a finished request's path and
// headers are garbage for the next collection. Keyed lookups (map entries, bare paths) go through a hash index, so a round
// with n distinct header lookups costs n lookups, not n² comparisons.

import { AttrId, attributeInfo } from "./attributes";
import { EvalBudget } from "./budget";
import { getProperty, getPropertyInto, getHeader, getHeaderPairs, HeaderMapType } from "../abi/hostcalls";
import { HostBuffer } from "../abi/host-memory";
import { fnvBytes, keyHash, equalsBuffer } from "../routes/bytes";
import { copyBytes } from "./value";

/**
 * Attribute source of an evaluation. This base class itself has no attributes (every fetch is
 * absent): the planner folds constant conversions with one, since constants read none.
 */
export class Activation {
  /** Memory for this round's intermediates (see budget.ts); reset with the round. */
  budget: EvalBudget = new EvalBudget();

  /** Raw Envoy-encoded bytes of an attribute; null = absent (NotFound). */
  fetch(attr: i32): ArrayBuffer | null { return null; }

  /** After fetchView returned true: where the value's bytes are, valid until the round ends. */
  viewPtr: usize = 0;
  viewLen: i32 = 0;

  /**
   * fetch() without the ArrayBuffer: false = absent, else the bytes are at viewPtr/viewLen, which
   * may be storage reused from round to round (no allocation per request). Same caching and host
   * calls as fetch(); the two can be mixed within a round.
   */
  fetchView(attr: i32): bool {
    const b = this.fetch(attr);
    if (b === null) return false;
    this.viewPtr = changetype<usize>(b);
    this.viewLen = b.byteLength;
    return true;
  }
  /**
   * One entry of a map attribute, e.g. request.headers[key] (key already lower-cased for header
   * maps) or filter_state[key]; null = absent.
   */
  fetchMapEntry(attr: i32, key: ArrayBuffer): ArrayBuffer | null { return null; }
  /** A property by full path: bare identifiers (`X` → filter state `wasm.X`) and `filter_state\0key`. */
  fetchBare(path: ArrayBuffer): ArrayBuffer | null { return null; }
}

/** Cache slot for keyed lookups (map entries and bare paths); reused across rounds. */
class KeyedEntry {
  attr: i32 = 0; // -1 for bare paths
  key: ArrayBuffer = EMPTY_KEY;
  hash: u32 = 0;
  value: ArrayBuffer | null = null;
}

const EMPTY_KEY = new ArrayBuffer(0);
/** loadView: this attribute is not loaded into reusable storage. */
const NO_VIEW: i32 = -2;
const BARE: i32 = -1;
const FIRST_INDEX_SIZE: i32 = 16; // a power of two

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): bool {
  if (a === b) return true; // compile-time keys are the same buffer every round
  return equalsBuffer(changetype<usize>(a), a.byteLength, b);
}

@inline function keyedHash(attr: i32, key: ArrayBuffer): u32 {
  return keyHash(attr, fnvBytes(changetype<usize>(key), key.byteLength));
}

export abstract class CachingActivation extends Activation {
  private generation: u32 = 1;
  private attrGeneration: StaticArray<u32> = new StaticArray<u32>(AttrId.COUNT);
  private attrValue: StaticArray<ArrayBuffer | null> = new StaticArray<ArrayBuffer | null>(AttrId.COUNT);
  // Values loaded by fetchView into reusable storage: generation, where, length (-1 = absent).
  private viewGeneration: StaticArray<u32> = new StaticArray<u32>(AttrId.COUNT);
  private viewAt: StaticArray<usize> = new StaticArray<usize>(AttrId.COUNT);
  private viewLength: StaticArray<i32> = new StaticArray<i32>(AttrId.COUNT);
  private keyed: KeyedEntry[] = [];
  private keyedCount: i32 = 0;
  // Open-addressing index over this round's keyed entries: slot → entry, valid when stamped with
  // the current generation (so reset() clears it in O(1)). At most half full.
  private indexEntry: Int32Array = new Int32Array(FIRST_INDEX_SIZE);
  private indexStamp: Uint32Array = new Uint32Array(FIRST_INDEX_SIZE);

  /** Starts a new evaluation round (a new request, or a new phase of the same request). */
  reset(): void {
    this.generation++;
    if (this.generation == 0) {
      // wrapped after 2^32 rounds: clear so no stale slot can match generation 1 again
      memory.fill(changetype<usize>(this.attrGeneration), 0, <usize>AttrId.COUNT * sizeof<u32>());
      memory.fill(changetype<usize>(this.viewGeneration), 0, <usize>AttrId.COUNT * sizeof<u32>());
      this.indexStamp.fill(0);
      this.generation = 1;
    }
    this.keyedCount = 0;
    this.budget.reset();
  }

  /**
   * Ends the round: drops every value fetched in it (and the computed keys), so nothing of a
   * finished request stays reachable from here — the next request's path would otherwise coexist
   * with the previous one's. The arena stays: it is reused, and bounded by the budget.
   */
  endRound(): void {
    const gen = this.generation;
    for (let attr = 0; attr < AttrId.COUNT; attr++) {
      if (unchecked(this.attrGeneration[attr]) == gen) unchecked((this.attrValue[attr] = null));
    }
    const keyed = this.keyed;
    for (let i = 0; i < this.keyedCount; i++) {
      const e = unchecked(keyed[i]);
      e.key = EMPTY_KEY;
      e.value = null;
    }
    // The cache slots of this generation now say "fetched, absent": start a new one, so a fetch
    // after endRound() (without reset()) loads again.
    this.reset();
  }

  fetch(attr: i32): ArrayBuffer | null {
    if (attr < 0 || attr >= AttrId.COUNT) return null;
    if (unchecked(this.attrGeneration[attr]) == this.generation) return unchecked(this.attrValue[attr]);
    let v: ArrayBuffer | null;
    if (unchecked(this.viewGeneration[attr]) == this.generation) {
      // already loaded as a view this round: copy it out rather than asking the host again
      const n = unchecked(this.viewLength[attr]);
      v = n < 0 ? null : copyBytes(unchecked(this.viewAt[attr]), n, false);
    } else {
      v = this.load(attr);
    }
    unchecked((this.attrValue[attr] = v));
    unchecked((this.attrGeneration[attr] = this.generation));
    return v;
  }

  fetchView(attr: i32): bool {
    if (attr < 0 || attr >= AttrId.COUNT) return false;
    const gen = this.generation;
    if (unchecked(this.viewGeneration[attr]) == gen) {
      const n = unchecked(this.viewLength[attr]);
      if (n < 0) return false;
      this.viewPtr = unchecked(this.viewAt[attr]);
      this.viewLen = n;
      return true;
    }
    if (unchecked(this.attrGeneration[attr]) != gen) {
      const n = this.loadView(attr);
      if (n != NO_VIEW) {
        unchecked((this.viewGeneration[attr] = gen));
        unchecked((this.viewLength[attr] = n));
        if (n < 0) return false;
        unchecked((this.viewAt[attr] = this.viewPtr));
        this.viewLen = n;
        return true;
      }
    }
    return super.fetchView(attr); // through the ArrayBuffer cache
  }

  fetchMapEntry(attr: i32, key: ArrayBuffer): ArrayBuffer | null {
    if (attr < 0 || attr >= AttrId.COUNT) return null;
    const h = keyedHash(attr, key);
    const hit = this.findKeyed(attr, key, h);
    if (hit !== null) return hit.value;
    const v = this.loadMapEntry(attr, key);
    this.remember(attr, key, h, v);
    return v;
  }

  fetchBare(path: ArrayBuffer): ArrayBuffer | null {
    const h = keyedHash(BARE, path);
    const hit = this.findKeyed(BARE, path, h);
    if (hit !== null) return hit.value;
    const v = this.loadBare(path);
    this.remember(BARE, path, h, v);
    return v;
  }

  private findKeyed(attr: i32, key: ArrayBuffer, h: u32): KeyedEntry | null {
    const stamps = this.indexStamp;
    const mask = <u32>stamps.length - 1;
    const gen = this.generation;
    let slot = h & mask;
    while (unchecked(stamps[slot]) == gen) {
      const e = unchecked(this.keyed[unchecked(this.indexEntry[slot])]);
      if (e.hash == h && e.attr == attr && sameBytes(e.key, key)) return e;
      slot = (slot + 1) & mask;
    }
    return null;
  }

  private remember(attr: i32, key: ArrayBuffer, h: u32, value: ArrayBuffer | null): void {
    if (this.keyedCount == this.keyed.length) this.keyed.push(new KeyedEntry()); // grows to the working set once
    const id = this.keyedCount++;
    const e = unchecked(this.keyed[id]);
    e.attr = attr;
    e.key = key;
    e.hash = h;
    e.value = value;
    if (2 * this.keyedCount > this.indexStamp.length) this.growIndex();
    else this.index(id, h);
  }

  private index(id: i32, h: u32): void {
    const stamps = this.indexStamp;
    const mask = <u32>stamps.length - 1;
    let slot = h & mask;
    while (unchecked(stamps[slot]) == this.generation) slot = (slot + 1) & mask;
    unchecked((stamps[slot] = this.generation));
    unchecked((this.indexEntry[slot] = id));
  }

  /** Doubles the index and re-inserts this round's entries (amortised: the index keeps its size). */
  private growIndex(): void {
    const size = this.indexStamp.length * 2;
    this.indexStamp = new Uint32Array(size);
    this.indexEntry = new Int32Array(size);
    for (let i = 0; i < this.keyedCount; i++) this.index(i, unchecked(this.keyed[i]).hash);
  }

  /** Uncached fetches; implemented by the concrete source. */
  protected abstract load(attr: i32): ArrayBuffer | null;
  /**
   * Uncached fetch into reusable storage: the length (bytes at viewPtr), -1 when absent, or
   * NO_VIEW when this source cannot (then load() is used).
   */
  protected loadView(attr: i32): i32 { return NO_VIEW; }
  protected abstract loadMapEntry(attr: i32, key: ArrayBuffer): ArrayBuffer | null;
  protected abstract loadBare(path: ArrayBuffer): ArrayBuffer | null;
}

/**
 * `request.path` without `?query` and `#fragment` — the definition of `request.url_path`, used when
 * the proxy does not provide url_path (older Envoy). Returns `path` itself when there is nothing to strip.
 */
export function stripQuery(path: ArrayBuffer): ArrayBuffer {
  const n = path.byteLength;
  const end = queryStart(changetype<usize>(path), n);
  return end < n ? path.slice(0, end) : path;
}

const HOST_VALUES = new StaticArray<HostBuffer | null>(AttrId.COUNT);

function hostValue(attr: i32): HostBuffer {
  let b = unchecked(HOST_VALUES[attr]);
  if (b === null) {
    b = new HostBuffer(64);
    unchecked((HOST_VALUES[attr] = b));
  }
  return b;
}

/** Bytes of a path before its '?query' / '#fragment' (all of it when it has neither). */
function queryStart(p: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x3f /* ? */ || c == 0x23 /* # */) return i;
  }
  return n;
}

/** `prefix \0 key` as one property path (used only on fallback paths and by the planner; allocates). */
export function joinPath(prefix: ArrayBuffer, key: ArrayBuffer): ArrayBuffer {
  const a = prefix.byteLength;
  const b = key.byteLength;
  const out = new ArrayBuffer(a + 1 + b);
  const o = changetype<usize>(out);
  memory.copy(o, changetype<usize>(prefix), <usize>a);
  store<u8>(o + <usize>a, 0);
  memory.copy(o + <usize>a + 1, changetype<usize>(key), <usize>b);
  return out;
}

/**
 * Reads attributes from the proxy host (Envoy). One instance per stream; call `reset()` at the
 * start of each evaluation round.
 *
 * Phase rules the caller must respect (Envoy StreamActivation): header-derived `request.*` and
 * `request.headers` are readable inside on_request_headers and again in on_log, but NotFound in
 * between; `response.*`, `request.duration/size/total_size` only once the stream completed (on_log).
 * Absent attributes surface as CEL errors, exactly as with attributegen — never as traps.
 *
 * Header lookups (`request.headers['x']`): one proxy_get_header_map_value call (first value of a
 * repeated header; Envoy's CEL joins repeated values with ","), falling back to the property path
 * `request\0headers\0x` when the header call finds nothing — so a host that only serves properties
 * still works. The fallback costs a second host call (and a small path allocation) for a *missing*
 * header, once per round.
 */
export class HostActivation extends CachingActivation {
  // Scalar attributes (:method, url_path…) are copied by the host into storage reused from
  // request to request (one HostBuffer per attribute, shared by all activations: rounds never
  // interleave, each runs within one callback), so reading them makes no garbage.
  protected loadView(attr: i32): i32 {
    const info = attributeInfo(attr);
    if (info.headerMap >= 0) return NO_VIEW; // whole header maps: rare, use load()
    const into = hostValue(attr);
    if (getPropertyInto(info.path, into)) {
      this.viewPtr = into.ptr;
      return into.length;
    }
    if (attr == AttrId.RequestUrlPath && this.fetchView(AttrId.RequestPath)) {
      // older proxies lack request.url_path: the prefix of request.path before '?' / '#'
      return queryStart(this.viewPtr, this.viewLen);
    }
    return -1;
  }

  protected load(attr: i32): ArrayBuffer | null {
    const info = attributeInfo(attr);
    if (info.headerMap >= 0) {
      const pairs = getHeaderPairs(<HeaderMapType>info.headerMap);
      return pairs !== null ? pairs : getProperty(info.path);
    }
    const v = getProperty(info.path);
    if (v === null && attr == AttrId.RequestUrlPath) {
      // older proxies lack request.url_path: derive it from request.path (cached separately)
      const path = this.fetch(AttrId.RequestPath);
      return path !== null ? stripQuery(path) : null;
    }
    return v;
  }

  protected loadMapEntry(attr: i32, key: ArrayBuffer): ArrayBuffer | null {
    const info = attributeInfo(attr);
    if (info.headerMap >= 0) {
      const v = getHeader(<HeaderMapType>info.headerMap, key);
      if (v !== null) return v;
    }
    return getProperty(joinPath(info.path, key));
  }

  protected loadBare(path: ArrayBuffer): ArrayBuffer | null {
    return getProperty(path);
  }
}
