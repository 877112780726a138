// What the compute mode replays: one stream as the simulated Envoy ran it — the module callbacks
// in order with their arguments, and inside each the host calls in order, each with the question
// the module asked (scalars and key bytes) and the answer the host gave (result code, the bytes it
// copied in, the words it wrote in place). StreamRecorder is the VM tap that takes it down.
import { WasmResult } from '../abi.ts';
import { EMPTY_BYTES } from '../bytes.ts';
import { CTX_STREAM } from '../context.ts';
import type { CallTap } from '../hostcall-hooks.ts';
import { HOSTCALL_NAMES } from '../hostcalls/table.ts';
import type { Callback, WasmVm } from '../vm.ts';
import { REPLAYABLE, type CallShape } from './shapes.ts';

export interface RecordedCall {
  readonly index: number;
  readonly name: string;
  /** The shape's scalars, in order (0 where the shape has fewer). */
  readonly i0: number;
  readonly i1: number;
  readonly i2: number;
  readonly key: Uint8Array;
  readonly result: number;
  /** The value copied in through malloc (empty: ptr 0 / size 0). */
  readonly value: Uint8Array;
  /** The bytes written in place, one entry per CallShape.fixed. */
  readonly fixed: readonly Uint8Array[];
  /** set_property on replay: the value the module set last (a reused buffer) and its length. */
  written: Uint8Array;
  writtenLength: number;
}

export interface RecordedCallback {
  readonly name: string;
  readonly fn: Callback;
  /** Second and third arguments (the first is the stream's context id, new on every replay). */
  readonly b: number;
  readonly c: number;
  /** What the module returned under the simulated Envoy (void callbacks: 0). */
  readonly result: number;
  readonly calls: readonly RecordedCall[];
  /** What it returned on the last replay. */
  replayResult: number;
}

export interface RecordedStream {
  /** The root context the stream belonged to: replaying needs the same root in force. */
  readonly rootId: number;
  readonly callbacks: readonly RecordedCallback[];
}

interface PendingCall {
  index: number;
  shape: CallShape;
  args: unknown[];
  key: Uint8Array;
}

interface OpenCallback {
  name: string;
  fn: Callback;
  b: number;
  c: number;
  calls: RecordedCall[];
}

const u32 = (v: unknown): number => (typeof v === 'number' ? v >>> 0 : 0);

/**
 * Takes down one stream while the simulated Envoy runs it. Never throws inside a hook (that would
 * trap the module): a stream that cannot be replayed is noted in `problem` and refused by finish().
 */
export class StreamRecorder implements CallTap {
  problem: string | undefined;
  private readonly callbacks: RecordedCallback[] = [];
  private open: OpenCallback | null = null;
  private pending: PendingCall | null = null;

  constructor(private readonly vm: WasmVm) {}

  callback(kind: number, name: string, _a: number, b: number, c: number): void {
    if (kind !== CTX_STREAM) return this.note(`${name} ran on a root or VM context during the stream`);
    if (this.open !== null) return this.note(`${name} ran inside ${this.open.name}`);
    const fn = this.vm.cb[name];
    if (!fn) return this.note(`${name} is not exported`);
    this.open = { name, fn, b, c, calls: [] };
  }

  callbackDone(result: number): void {
    const o = this.open;
    if (o === null) return;
    this.open = null;
    this.callbacks.push({ name: o.name, fn: o.fn, b: o.b, c: o.c, result, calls: o.calls, replayResult: 0 });
  }

  hostcall(index: number, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown): void {
    const name = HOSTCALL_NAMES[index]!;
    const shape = REPLAYABLE[name];
    this.pending = null;
    if (!shape) return this.note(`${name} is not replayable (it changes what the host does next)`);
    if (this.open === null) return this.note(`${name} called outside a stream callback`);
    const args = [a, b, c, d, e, f];
    let key: Uint8Array = EMPTY_BYTES;
    if (shape.key) {
      const m = this.vm.memory();
      const bytes = m.bytes(u32(args[shape.key[0]]), u32(args[shape.key[1]]));
      if (bytes === undefined) return this.note(`${name} with an out-of-bounds key`);
      key = bytes;
    }
    this.pending = { index, shape, args, key };
  }

  hostcallDone(result: number | void): void {
    const p = this.pending;
    if (p === null || this.open === null) return;
    this.pending = null;
    const r = typeof result === 'number' ? result >>> 0 : 0;
    const { shape, args } = p;
    const m = this.vm.memory();
    let value: Uint8Array = EMPTY_BYTES;
    const fixed: Uint8Array[] = [];
    if (r === WasmResult.Ok) {
      if (shape.value) {
        const ptr = m.u32(u32(args[shape.value[0]]));
        const size = m.u32(u32(args[shape.value[1]]));
        if (size > 0) value = m.bytes(ptr, size) ?? EMPTY_BYTES;
      }
      for (const [pos, size] of shape.fixed ?? []) fixed.push(m.bytes(u32(args[pos]), size) ?? new Uint8Array(size));
    }
    const ints = shape.ints.map((pos) => u32(args[pos]));
    this.open.calls.push({
      index: p.index, name: HOSTCALL_NAMES[p.index]!, i0: ints[0] ?? 0, i1: ints[1] ?? 0, i2: ints[2] ?? 0,
      key: p.key, result: r, value, fixed, written: new Uint8Array(16), writtenLength: 0,
    });
  }

  /** The recording, or an Error saying why this stream cannot be replayed. */
  finish(rootId: number): RecordedStream | Error {
    if (this.vm.failed) return new Error(`the module failed while recording: ${this.vm.failMessage}`);
    if (this.problem !== undefined) return new Error(`this stream cannot be replayed: ${this.problem}`);
    if (this.callbacks.length === 0) return new Error('the stream ran no module callback');
    return { rootId, callbacks: this.callbacks };
  }

  private note(problem: string): void {
    this.problem ??= problem;
  }
}
