// Envoy header maps and the proxy-wasm pairs serialization.
//
// Envoy HeaderMapImpl semantics modelled here:
// - keys are lower-cased on insertion (Http::LowerCaseString);
// - pseudo-headers (":authority", ":path", ":status", ...) are kept before all other headers;
// - repeated headers are separate entries; `get` returns the first (envoy context.cc
//   getHeaderMapValue), `getJoined` joins all values with "," (HeaderUtility::getAllOfHeaderAsString,
//   used by the `request.headers` property);
// - replace = remove all + append (setCopy with http_set_copy_replace_all_headers);
// - size() = number of entries (passed as `num_headers` to the callbacks); byteSize() = sum of key
//   and value byte lengths (proxy_get_header_map_size).
//
// Pairs format (proxy-wasm spec "Serialization", proxy-wasm-cpp-host pairs_util.cc):
//   u32 N, N × (u32 key_len, u32 value_len), N × (key \0 value \0), all little-endian.
import type { GuestMemory } from './memory.ts';
import type { HeaderInput, HeaderPairs } from './types.ts';

/** pairs_util.h limits: larger/longer input deserializes to no pairs. */
const PAIRS_MAX_BYTES = 1024 * 1024;
const PAIRS_MAX_COUNT = 1024;

export class HeaderMap {
  keys: string[] = [];
  values: string[] = [];

  static from(input: HeaderInput | undefined): HeaderMap {
    const m = new HeaderMap();
    if (!input) return m;
    if (Array.isArray(input)) {
      for (const [k, v] of input) m.add(k, v);
    } else {
      for (const k of Object.keys(input)) m.add(k, input[k]!);
    }
    return m;
  }

  get size(): number {
    return this.keys.length;
  }

  indexOf(key: string): number {
    return this.keys.indexOf(key);
  }

  /** First value for a lower-case key. */
  get(key: string): string | undefined {
    const i = this.keys.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }

  /** All values for a lower-case key joined with "," (undefined if absent). */
  getJoined(key: string): string | undefined {
    let out: string | undefined;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) out = out === undefined ? this.values[i] : `${out},${this.values[i]}`;
    }
    return out;
  }

  /** addCopy: lower-cases the key; pseudo-headers go after the last pseudo-header. */
  add(key: string, value: string): void {
    const k = lower(key);
    if (k.charCodeAt(0) === 58 /* ':' */) {
      let i = 0;
      while (i < this.keys.length && this.keys[i]!.charCodeAt(0) === 58) i++;
      this.keys.splice(i, 0, k);
      this.values.splice(i, 0, value);
    } else {
      this.keys.push(k);
      this.values.push(value);
    }
  }

  remove(key: string): void {
    const k = lower(key);
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] === k) {
        this.keys.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
  }

  /** setCopy: remove every entry for the key, then add one. */
  set(key: string, value: string): void {
    this.remove(key);
    this.add(key, value);
  }

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
  }

  byteSize(): number {
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) n += utf8Len(this.keys[i]!) + utf8Len(this.values[i]!);
    return n;
  }

  toPairs(): HeaderPairs {
    const out: HeaderPairs = new Array(this.keys.length);
    for (let i = 0; i < this.keys.length; i++) out[i] = [this.keys[i]!, this.values[i]!];
    return out;
  }

  clone(): HeaderMap {
    const m = new HeaderMap();
    m.keys = this.keys.slice();
    m.values = this.values.slice();
    return m;
  }
}

function lower(s: string): string {
  // Most keys are already lower-case; avoid allocating in that case.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

export function utf8Len(s: string): number {
  // ASCII fast path; Buffer.byteLength for the rest.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** Size in bytes of the pairs serialization of keys/values. */
export function pairsSize(keys: readonly string[], values: readonly string[]): number {
  let size = 4;
  for (let i = 0; i < keys.length; i++) size += 8 + utf8Len(keys[i]!) + 1 + utf8Len(values[i]!) + 1;
  return size;
}

/** Serialize keys/values into `mem` at `p` (which must hold pairsSize bytes). */
export function writePairs(mem: GuestMemory, p: number, keys: readonly string[], values: readonly string[]): void {
  const dv = mem.dv;
  const buf = mem.buf;
  const n = keys.length;
  dv.setUint32(p, n, true);
  let lens = p + 4;
  let data = p + 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    const v = values[i]!;
    const kl = buf.write(k, data, 'utf8');
    data += kl;
    buf[data++] = 0;
    const vl = buf.write(v, data, 'utf8');
    data += vl;
    buf[data++] = 0;
    dv.setUint32(lens, kl, true);
    dv.setUint32(lens + 4, vl, true);
    lens += 8;
  }
}

/**
 * proxy_get_header_map_pairs: an empty map is returned as ptr 0 / size 0 (exports.cc copies "");
 * otherwise malloc(pairsSize) and serialize. Returns false → InvalidMemoryAccess.
 */
export function copyOutPairs(mem: GuestMemory, keys: readonly string[], values: readonly string[], ptrPtr: number, sizePtr: number): boolean {
  if (keys.length === 0) return mem.setU32(ptrPtr, 0) && mem.setU32(sizePtr, 0);
  const size = pairsSize(keys, values);
  const p = mem.malloc(size);
  if (p === 0) return false;
  writePairs(mem, p, keys, values);
  return mem.setU32(ptrPtr, p) && mem.setU32(sizePtr, size);
}

/** Serialize to a standalone byte array (for property values, which go through copyToPointerSize). */
export function encodePairs(keys: readonly string[], values: readonly string[]): Uint8Array {
  const size = pairsSize(keys, values);
  const out = Buffer.allocUnsafe(size);
  const dv = new DataView(out.buffer, out.byteOffset, size);
  dv.setUint32(0, keys.length, true);
  let lens = 4;
  let data = 4 + 8 * keys.length;
  for (let i = 0; i < keys.length; i++) {
    const kl = out.write(keys[i]!, data, 'utf8');
    data += kl;
    out[data++] = 0;
    const vl = out.write(values[i]!, data, 'utf8');
    data += vl;
    out[data++] = 0;
    dv.setUint32(lens, kl, true);
    dv.setUint32(lens + 4, vl, true);
    lens += 8;
  }
  return out;
}

/**
 * PairsUtil::toPairs: malformed input, more than 1024 pairs or more than 1 MiB → no pairs
 * (not an error). Reads from guest memory at [ptr, ptr+size) (caller checks bounds).
 */
export function readPairs(mem: GuestMemory, ptr: number, size: number): HeaderPairs {
  const out: HeaderPairs = [];
  if (size > PAIRS_MAX_BYTES || size < 4) return out;
  const dv = mem.dv;
  const end = ptr + size;
  const n = dv.getUint32(ptr, true);
  if (n > PAIRS_MAX_COUNT) return out;
  let lens = ptr + 4;
  let data = lens + 8 * n;
  if (data > end) return out;
  for (let i = 0; i < n; i++) {
    const kl = dv.getUint32(lens, true);
    const vl = dv.getUint32(lens + 4, true);
    lens += 8;
    if (data + kl + 1 > end) return [];
    const k = mem.buf.toString('utf8', data, data + kl);
    data += kl;
    if (mem.u8[data++] !== 0) return [];
    if (data + vl + 1 > end) return [];
    const v = mem.buf.toString('utf8', data, data + vl);
    data += vl;
    if (mem.u8[data++] !== 0) return [];
    out.push([k, v]);
  }
  return data === end ? out : [];
}

/** Decode a pairs buffer (test helper / tooling). */
export function decodePairs(bytes: Uint8Array): HeaderPairs {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: HeaderPairs = [];
  if (bytes.length < 4) return out;
  const n = dv.getUint32(0, true);
  let lens = 4;
  let data = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const kl = dv.getUint32(lens, true);
    const vl = dv.getUint32(lens + 4, true);
    lens += 8;
    const k = b.toString('utf8', data, data + kl);
    data += kl + 1;
    const v = b.toString('utf8', data, data + vl);
    data += vl + 1;
    out.push([k, v]);
  }
  return out;
}
