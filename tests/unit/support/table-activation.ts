// Test support: an attribute source filled from tables, so the CEL specs run without a proxy host.
// It lives under tests/unit/ so it is never compiled into the release module; the specs import it
// from here.

import { AttrId, attributeInfo, AttributeInfo, findAttribute } from "../../../assembly/cel/attributes";
import { CachingActivation } from "../../../assembly/cel/activation";

/** Pairs serialization (proxy-wasm ABI): u32 count, count × (u32 keyLen, u32 valueLen), then key\0value\0 … */
export function serializePairs(keys: string[], values: string[]): ArrayBuffer {
  const n = min(keys.length, values.length);
  const ek: ArrayBuffer[] = [];
  const ev: ArrayBuffer[] = [];
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    const k = String.UTF8.encode(keys[i]);
    const v = String.UTF8.encode(values[i]);
    ek.push(k);
    ev.push(v);
    size += k.byteLength + v.byteLength + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, <u32>n);
  let off: usize = 4 + 8 * <usize>n;
  for (let i = 0; i < n; i++) {
    store<u32>(base + 4 + 8 * <usize>i, <u32>ek[i].byteLength);
    store<u32>(base + 8 + 8 * <usize>i, <u32>ev[i].byteLength);
    memory.copy(base + off, changetype<usize>(ek[i]), <usize>ek[i].byteLength);
    off += <usize>ek[i].byteLength;
    store<u8>(base + off, 0);
    off++;
    memory.copy(base + off, changetype<usize>(ev[i]), <usize>ev[i].byteLength);
    off += <usize>ev[i].byteLength;
    store<u8>(base + off, 0);
    off++;
  }
  return out;
}

function i64Bytes(v: i64): ArrayBuffer {
  const b = new ArrayBuffer(8);
  store<i64>(changetype<usize>(b), v);
  return b;
}

function pathKey(path: ArrayBuffer): string {
  // property paths use \0 separators; decode as text for the table key
  return String.UTF8.decode(path);
}

class HeaderTable {
  keys: string[] = [];
  values: string[] = [];
}

/**
 * Attributes supplied from tables, for unit tests and offline evaluation (no proxy host needed).
 * Encodes values exactly as Envoy does, so the same decode paths run as in production.
 * `loads` counts uncached fetches, so tests can assert caching and "fetch only what is referenced".
 */
export class TableActivation extends CachingActivation {
  loads: i32 = 0;
  private attrs: Map<i32, ArrayBuffer> = new Map<i32, ArrayBuffer>();
  private maps: Map<i32, HeaderTable> = new Map<i32, HeaderTable>();
  private bare: Map<string, ArrayBuffer> = new Map<string, ArrayBuffer>();

  private idOf(name: string): i32 {
    const info = findAttribute(name);
    if (info === null) {
      // a test typo must not silently produce "absent"
      throw new Error("TableActivation: unknown attribute " + name);
    }
    return info.id;
  }

  setBytes(name: string, value: ArrayBuffer): TableActivation { this.attrs.set(this.idOf(name), value); return this; }
  setString(name: string, value: string): TableActivation { return this.setBytes(name, String.UTF8.encode(value)); }
  setInt(name: string, value: i64): TableActivation { return this.setBytes(name, i64Bytes(value)); }
  setUint(name: string, value: u64): TableActivation { return this.setBytes(name, i64Bytes(<i64>value)); }
  setBool(name: string, value: bool): TableActivation {
    const b = new ArrayBuffer(1);
    store<u8>(changetype<usize>(b), value ? 1 : 0);
    return this.setBytes(name, b);
  }
  /** Timestamps and durations: int64 nanoseconds. */
  setNanos(name: string, ns: i64): TableActivation { return this.setBytes(name, i64Bytes(ns)); }
  remove(name: string): TableActivation { this.attrs.delete(this.idOf(name)); return this; }

  /** Adds a header to a header-map attribute ("request.headers"); keys are stored lower-cased like Envoy. */
  setHeader(mapName: string, key: string, value: string): TableActivation {
    const id = this.idOf(mapName);
    let t: HeaderTable;
    if (this.maps.has(id)) {
      t = this.maps.get(id);
    } else {
      t = new HeaderTable();
      this.maps.set(id, t);
    }
    const k = key.toLowerCase();
    const at = t.keys.indexOf(k);
    if (at >= 0) {
      t.values[at] = value;
    } else {
      t.keys.push(k);
      t.values.push(value);
    }
    return this;
  }

  /** A bare identifier `name` (Envoy: filter state `wasm.name`), also visible as filter_state['wasm.name']. */
  setFilterState(name: string, value: string): TableActivation {
    const v = String.UTF8.encode(value);
    this.bare.set(name, v);
    this.bare.set("filter_state\0wasm." + name, v);
    return this;
  }

  /** Any property path, e.g. "filter_state\0other.key". */
  setPath(path: string, value: string): TableActivation {
    return this.setPathBytes(path, String.UTF8.encode(value));
  }
  setPathBytes(path: string, value: ArrayBuffer): TableActivation {
    this.bare.set(path, value);
    return this;
  }

  protected load(attr: i32): ArrayBuffer | null {
    this.loads++;
    if (this.maps.has(attr)) {
      const t = this.maps.get(attr);
      return serializePairs(t.keys, t.values);
    }
    if (this.attrs.has(attr)) return this.attrs.get(attr);
    return null;
  }

  protected loadMapEntry(attr: i32, key: ArrayBuffer): ArrayBuffer | null {
    this.loads++;
    const info: AttributeInfo = attributeInfo(attr);
    if (attr == AttrId.FilterState) {
      const p = "filter_state\0" + pathKey(key);
      return this.bare.has(p) ? this.bare.get(p) : null;
    }
    if (info.headerMap < 0 || !this.maps.has(attr)) return null;
    const t = this.maps.get(attr);
    const at = t.keys.indexOf(String.UTF8.decode(key));
    return at >= 0 ? String.UTF8.encode(t.values[at]) : null;
  }

  protected loadBare(path: ArrayBuffer): ArrayBuffer | null {
    this.loads++;
    const p = pathKey(path);
    return this.bare.has(p) ? this.bare.get(p) : null;
  }
}
