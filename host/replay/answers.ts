// The compute mode's host calls: each takes the next recorded call of the running callback, checks
// that the module asks the same question (same host call, same scalars, same key bytes), and gives
// the recorded answer — the value copied into the module through its own malloc (a memcpy), the
// words written in place, the result code. Effects are taken over: set_property fills a reused
// buffer, metric updates go to a tally, logs are dropped unless kept. No string is built, no map is
// looked up; a question that differs from the recording throws (a divergence is never answered).
import { WasmResult } from '../abi.ts';
import { hostcallIndex, HOSTCALL_COUNT, HOSTCALL_NAMES } from '../hostcalls/table.ts';
import type { HostcallOverride } from '../hostcall-hooks.ts';
import { LOG_LEVELS, type LogLevelName } from '../types.ts';
import type { RecordedCall, RecordedCallback } from './recording.ts';

/** The recorded stream no longer matches what the module does. */
export class ReplayDivergence extends Error {}

/** Per metric id: what the module added (increment_metric) and recorded (record_metric). */
export class MetricTally {
  incremented = new Float64Array(64);
  recordCount = new Float64Array(64);
  recordSum = new Float64Array(64);
  lastRecorded = new Float64Array(64);

  private room(id: number): void {
    if (id < this.incremented.length) return;
    let n = this.incremented.length;
    while (n <= id) n *= 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.incremented = grow(this.incremented);
    this.recordCount = grow(this.recordCount);
    this.recordSum = grow(this.recordSum);
    this.lastRecorded = grow(this.lastRecorded);
  }

  increment(id: number, delta: number): void {
    this.room(id);
    this.incremented[id]! += delta;
  }

  record(id: number, value: number): void {
    this.room(id);
    this.recordCount[id]!++;
    this.recordSum[id]! += value;
    this.lastRecorded[id] = value;
  }

  /** Ids with any update. */
  *ids(): IterableIterator<number> {
    for (let id = 0; id < this.incremented.length; id++) {
      if (this.incremented[id] !== 0 || this.recordCount[id] !== 0) yield id;
    }
  }
}

// i64 arguments arrive as BigInt.
const num = (v: unknown): number => Number(v as bigint | number);
const u = (v: unknown): number => (v as number) >>> 0;

/** Table indexes of the replayed calls, resolved once. */
const I = {
  getHeader: hostcallIndex('proxy_get_header_map_value'),
  getPairs: hostcallIndex('proxy_get_header_map_pairs'),
  getSize: hostcallIndex('proxy_get_header_map_size'),
  getProperty: hostcallIndex('proxy_get_property'),
  setProperty: hostcallIndex('proxy_set_property'),
  getBuffer: hostcallIndex('proxy_get_buffer_bytes'),
  bufferStatus: hostcallIndex('proxy_get_buffer_status'),
  define: hostcallIndex('proxy_define_metric'),
  increment: hostcallIndex('proxy_increment_metric'),
  record: hostcallIndex('proxy_record_metric'),
  getMetric: hostcallIndex('proxy_get_metric'),
  log: hostcallIndex('proxy_log'),
  logLevel: hostcallIndex('proxy_get_log_level'),
  time: hostcallIndex('proxy_get_current_time_nanoseconds'),
};

export class ReplayAnswers {
  readonly counts = new Int32Array(HOSTCALL_COUNT);
  readonly tally = new MetricTally();
  readonly logs: { level: LogLevelName; message: string }[] = [];
  /** The override table for WasmVm.override: index → answer. */
  readonly table: HostcallOverride;
  private calls: readonly RecordedCall[] = [];
  private pos = 0;
  private callback: RecordedCallback | null = null;
  // Views of the module's memory. Growing the memory detaches the old buffer (its views read
  // length 0), which is cheaper to test than fetching memory.buffer on every call.
  private u8: Uint8Array;
  private dv: DataView;

  /**
   * `malloc` is the module's own allocator, called directly: the normal host's bookkeeping around
   * it (current context, restricted callbacks) matters only to host calls made from inside malloc.
   */
  constructor(private readonly memory: WebAssembly.Memory, private readonly malloc: (size: number) => number, private readonly keepLogs: boolean) {
    this.u8 = new Uint8Array(memory.buffer);
    this.dv = new DataView(memory.buffer);
    const table: HostcallOverride[number][] = [];
    for (let i = 0; i < HOSTCALL_COUNT; i++) table.push(() => this.unrecorded(i));
    const set = (name: string, fn: HostcallOverride[number]) => { table[hostcallIndex(name)] = fn; };
    set('proxy_get_header_map_value', (type, kp, ks, vpp, vsp) =>
      this.answerValue(this.next(I.getHeader, u(type), 0, 0, u(kp), u(ks)), u(vpp), u(vsp)));
    set('proxy_get_header_map_pairs', (type, pp, sp) => this.answerValue(this.next(I.getPairs, u(type), 0, 0, 0, 0), u(pp), u(sp)));
    set('proxy_get_header_map_size', (type, sp) => this.answerFixed(this.next(I.getSize, u(type), 0, 0, 0, 0), u(sp), 0));
    set('proxy_get_property', (pp, ps, vpp, vsp) => this.answerValue(this.next(I.getProperty, 0, 0, 0, u(pp), u(ps)), u(vpp), u(vsp)));
    set('proxy_set_property', (kp, ks, vp, vs) => this.setProperty(this.next(I.setProperty, 0, 0, 0, u(kp), u(ks)), u(vp), u(vs)));
    set('proxy_get_buffer_bytes', (type, start, len, pp, sp) =>
      this.answerValue(this.next(I.getBuffer, u(type), u(start), u(len), 0, 0), u(pp), u(sp)));
    set('proxy_get_buffer_status', (type, lp, fp) => {
      const c = this.next(I.bufferStatus, u(type), 0, 0, 0, 0);
      const r = this.answerFixed(c, u(lp), 0);
      return r === WasmResult.Ok ? this.answerFixed(c, u(fp), 1) : r;
    });
    set('proxy_define_metric', (type, np, ns, idp) => this.answerFixed(this.next(I.define, u(type), 0, 0, u(np), u(ns)), u(idp), 0));
    set('proxy_increment_metric', (id, delta) => {
      const c = this.next(I.increment, u(id), 0, 0, 0, 0);
      if (c.result === WasmResult.Ok) this.tally.increment(c.i0, num(delta));
      return c.result;
    });
    set('proxy_record_metric', (id, value) => {
      const c = this.next(I.record, u(id), 0, 0, 0, 0);
      if (c.result === WasmResult.Ok) this.tally.record(c.i0, num(value));
      return c.result;
    });
    set('proxy_get_metric', (id, p) => this.answerFixed(this.next(I.getMetric, u(id), 0, 0, 0, 0), u(p), 0));
    set('proxy_log', (level, p, size) => {
      const c = this.next(I.log, u(level), 0, 0, 0, 0);
      if (this.keepLogs) this.logs.push({ level: LOG_LEVELS[c.i0] ?? 'critical', message: this.text(u(p), u(size)) });
      return c.result;
    });
    set('proxy_get_log_level', (p) => this.answerFixed(this.next(I.logLevel, 0, 0, 0, 0, 0), u(p), 0));
    set('proxy_get_current_time_nanoseconds', (p) => this.answerFixed(this.next(I.time, 0, 0, 0, 0, 0), u(p), 0));
    this.table = table;
  }

  /** The module callback `cb` is about to run: its recorded calls are answered in order. */
  begin(cb: RecordedCallback): void {
    this.callback = cb;
    this.calls = cb.calls;
    this.pos = 0;
  }

  /** The callback returned: every recorded call must have been asked. */
  end(): void {
    if (this.pos !== this.calls.length) {
      throw this.divergence(`made ${this.pos} host calls where the recording has ${this.calls.length} (next: ${describe(this.calls[this.pos]!)})`);
    }
  }

  /** The next recorded call, if it is the same question; throws otherwise. */
  private next(index: number, i0: number, i1: number, i2: number, kp: number, ks: number): RecordedCall {
    this.counts[index]!++;
    const c = this.calls[this.pos];
    if (c === undefined || c.index !== index || c.i0 !== i0 || c.i1 !== i1 || c.i2 !== i2 || !this.sameKey(c.key, kp, ks)) {
      throw this.divergence(`asked ${HOSTCALL_NAMES[index]}(${i0}, ${i1}, ${i2}, key ${this.keyText(kp, ks)}) where the recording has ${c ? describe(c) : 'no further call'}`);
    }
    this.pos++;
    return c;
  }

  /** The current byte view (re-derived once the memory grew). */
  private view(): Uint8Array {
    if (this.u8.length === 0) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.dv = new DataView(this.memory.buffer);
    }
    return this.u8;
  }

  private sameKey(key: Uint8Array, kp: number, ks: number): boolean {
    if (key.length !== ks) return false;
    if (ks === 0) return true;
    const u8 = this.view();
    if (kp + ks > u8.length) return false;
    for (let i = 0; i < ks; i++) if (u8[kp + i] !== key[i]) return false;
    return true;
  }

  /**
   * copyToPointerSize of the recorded value (memory.ts copyOutBytes): empty → ptr 0 / size 0
   * without malloc; otherwise malloc in the module, memcpy, write ptr and size.
   */
  private answerValue(c: RecordedCall, ptrPtr: number, sizePtr: number): number {
    if (c.result !== WasmResult.Ok) return c.result;
    const value = c.value;
    const len = value.length;
    let p = 0;
    if (len > 0) {
      p = this.malloc(len) >>> 0;
      const u8 = this.view();
      if (p === 0 || p + len > u8.length) return WasmResult.InvalidMemoryAccess;
      u8.set(value, p);
    }
    const n = this.view().length;
    if (ptrPtr + 4 > n || sizePtr + 4 > n) return WasmResult.InvalidMemoryAccess;
    this.dv.setUint32(ptrPtr, p, true);
    this.dv.setUint32(sizePtr, len, true);
    return WasmResult.Ok;
  }

  /** The recorded in-place result number `which`, written at `ptr`. */
  private answerFixed(c: RecordedCall, ptr: number, which: number): number {
    if (c.result !== WasmResult.Ok) return c.result;
    const bytes = c.fixed[which]!;
    const u8 = this.view();
    if (ptr + bytes.length > u8.length) return WasmResult.InvalidMemoryAccess;
    u8.set(bytes, ptr);
    return WasmResult.Ok;
  }

  private setProperty(c: RecordedCall, vp: number, vs: number): number {
    const u8 = this.view();
    if (vp + vs > u8.length) return WasmResult.InvalidMemoryAccess;
    if (c.written.length < vs) c.written = new Uint8Array(Math.max(vs, c.written.length * 2));
    const w = c.written;
    for (let i = 0; i < vs; i++) w[i] = u8[vp + i]!;
    c.writtenLength = vs;
    return c.result;
  }

  private text(p: number, size: number): string {
    const u8 = this.view();
    return p + size > u8.length ? '' : Buffer.from(u8.buffer, p, size).toString('utf8');
  }

  private unrecorded(index: number): never {
    this.counts[index]!++;
    throw this.divergence(`called ${HOSTCALL_NAMES[index]}, which the compute mode does not replay`);
  }

  private divergence(what: string): ReplayDivergence {
    const where = this.callback ? `${this.callback.name}, host call ${this.pos + 1}` : 'outside a replayed callback';
    return new ReplayDivergence(`compute mode: the module diverged from the recording in ${where}: it ${what}`);
  }

  private keyText(kp: number, ks: number): string {
    return JSON.stringify(this.text(kp, ks));
  }
}

function describe(c: RecordedCall): string {
  return `${c.name}(${c.i0}, ${c.i1}, ${c.i2}, key ${JSON.stringify(Buffer.from(c.key).toString('utf8'))})`;
}
