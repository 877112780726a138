// A set of names (route names / attribute values) stored as one UTF-8 buffer plus offsets.
// One object however many names: cheap for the garbage collector to mark, and the bytes can be
// handed to the host (set_property) without building anything per request.

export class NameTable {
  private bytes: Uint8Array = new Uint8Array(0);
  private offsets: Int32Array = new Int32Array(1);
  // Build-time only (dropped by freeze()).
  private pending: string[] = [];
  private ids: Map<string, i32> | null = new Map<string, i32>();

  /** Adds `name` (once) and returns its index. */
  add(name: string): i32 {
    const ids = this.ids!;
    if (ids.has(name)) return ids.get(name);
    const id = this.pending.length;
    ids.set(name, id);
    this.pending.push(name);
    return id;
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
    this.ids = null;
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
