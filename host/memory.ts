// Access to the module's linear memory, with Envoy's rules for handing bytes to the module.
//
// proxy-wasm-cpp-host `include/proxy-wasm/wasm.h`:
// - copyToPointerSize: empty value → write ptr 0 / size 0 without calling malloc; otherwise
//   malloc(size), copy, then write u32 LE ptr and size to the two out-pointers.
// - allocMemory: malloc returning 0 (or a block outside memory) → failure → the hostcall
//   returns InvalidMemoryAccess.
// - setWord / getMemory: out-of-bounds → InvalidMemoryAccess. The host never calls free.
//
// Views are cached and refreshed when the memory grows (growing detaches the old ArrayBuffer).

export type Allocator = (size: number) => number;

const MAX_SAFE_HI = 0x200000; // 2^53 / 2^32

export class GuestMemory {
  private ab: ArrayBuffer;
  u8!: Uint8Array;
  buf!: Buffer;
  dv!: DataView;
  /** Bytes handed to the module through malloc so far (what the host copied in). */
  bytesCopiedIn = 0;

  constructor(readonly memory: WebAssembly.Memory, private readonly alloc: Allocator) {
    this.ab = memory.buffer;
    this.views();
  }

  private views(): void {
    this.ab = this.memory.buffer;
    this.u8 = new Uint8Array(this.ab);
    this.buf = Buffer.from(this.ab);
    this.dv = new DataView(this.ab);
  }

  /** Re-derive views if the memory grew. Cheap identity check; call before touching memory. */
  refresh(): void {
    if (this.memory.buffer !== this.ab) this.views();
  }

  get size(): number {
    this.refresh();
    return this.u8.length;
  }

  inBounds(ptr: number, len: number): boolean {
    return ptr + len <= this.u8.length;
  }

  /** UTF-8 string at [ptr, ptr+len), or undefined if out of bounds. */
  str(ptr: number, len: number): string | undefined {
    if (ptr + len > this.u8.length) return undefined;
    if (len === 0) return '';
    return this.buf.toString('utf8', ptr, ptr + len);
  }

  /** Copy of the bytes at [ptr, ptr+len), or undefined if out of bounds. */
  bytes(ptr: number, len: number): Uint8Array | undefined {
    if (ptr + len > this.u8.length) return undefined;
    return this.u8.slice(ptr, ptr + len);
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }

  setU32(ptr: number, v: number): boolean {
    if (ptr + 4 > this.u8.length) return false;
    this.dv.setUint32(ptr, v >>> 0, true);
    return true;
  }

  /** Write an unsigned 64-bit value given as a non-negative number (< 2^53) or bigint. */
  setU64(ptr: number, v: number | bigint): boolean {
    if (ptr + 8 > this.u8.length) return false;
    writeI64(this.dv, ptr, v);
    return true;
  }

  /** Allocate `len` bytes through the module's malloc; 0 on failure (malloc returned 0, trapped, or out of bounds). */
  malloc(len: number): number {
    const p = this.alloc(len) >>> 0;
    this.refresh();
    if (p === 0 || p + len > this.u8.length) return 0;
    this.bytesCopiedIn += len;
    return p;
  }

  /** copyToPointerSize for a string (UTF-8). Returns false → InvalidMemoryAccess. */
  copyOutString(s: string, ptrPtr: number, sizePtr: number): boolean {
    const len = s.length === 0 ? 0 : Buffer.byteLength(s, 'utf8');
    let p = 0;
    if (len > 0) {
      p = this.malloc(len);
      if (p === 0) return false;
      this.buf.write(s, p, len, 'utf8');
    }
    return this.setU32(ptrPtr, p) && this.setU32(sizePtr, len);
  }

  /** copyToPointerSize for bytes. */
  copyOutBytes(b: Uint8Array, ptrPtr: number, sizePtr: number): boolean {
    const len = b.length;
    let p = 0;
    if (len > 0) {
      p = this.malloc(len);
      if (p === 0) return false;
      this.u8.set(b, p);
    }
    return this.setU32(ptrPtr, p) && this.setU32(sizePtr, len);
  }

  /** copyToPointerSize for an 8-byte little-endian integer (int64/uint64/timestamp/duration). */
  copyOutI64(v: number | bigint, ptrPtr: number, sizePtr: number): boolean {
    const p = this.malloc(8);
    if (p === 0) return false;
    writeI64(this.dv, p, v);
    return this.setU32(ptrPtr, p) && this.setU32(sizePtr, 8);
  }

  /** copyToPointerSize for a 1-byte bool. */
  copyOutBool(v: boolean, ptrPtr: number, sizePtr: number): boolean {
    const p = this.malloc(1);
    if (p === 0) return false;
    this.u8[p] = v ? 1 : 0;
    return this.setU32(ptrPtr, p) && this.setU32(sizePtr, 1);
  }
}

/** Little-endian two's complement 64-bit write without allocating a BigInt for safe integers. */
export function writeI64(dv: DataView, ptr: number, v: number | bigint): void {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    const hi = Math.floor(v / 4294967296);
    if (hi < MAX_SAFE_HI) {
      dv.setUint32(ptr, v >>> 0, true);
      dv.setUint32(ptr + 4, hi, true);
      return;
    }
  }
  dv.setBigUint64(ptr, BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v))), true);
}
