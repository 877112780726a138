// Envoy's process-wide shared data and shared queues (proxy-wasm-cpp-host src/shared_data.cc,
// src/shared_queue.cc): one store per host, seen by every VM of it (the main VM and the canaries).
// Generic in the VM type so that this module does not depend on vm.ts (which holds a SharedState).
import { WasmResult } from './abi.ts';

export interface SharedDataEntry {
  readonly value: Uint8Array;
  /** Compare-and-swap token, new on every write. */
  readonly cas: number;
}

/** A queue and where its proxy_on_queue_ready goes: the root context that registered it last. */
export interface SharedQueue<Vm> {
  readonly vmId: string;
  readonly name: string;
  readonly items: Uint8Array[];
  vm: Vm;
  rootId: number;
}

export class SharedState<Vm> {
  private readonly data = new Map<string, SharedDataEntry>();
  private nextCas = 1;
  private readonly queues = new Map<number, SharedQueue<Vm>>();
  private readonly queueByName = new Map<string, number>();
  private nextQueueToken = 1;

  /** proxy_get_shared_data: the entry, or undefined (NotFound). */
  getData(key: string): SharedDataEntry | undefined {
    return this.data.get(key);
  }

  /** proxy_set_shared_data: cas 0 writes unconditionally, another cas must match the entry's. */
  setData(key: string, value: Uint8Array, cas: number): number {
    const e = this.data.get(key);
    if (e && cas !== 0 && cas !== e.cas) return WasmResult.CasMismatch;
    this.data.set(key, { value, cas: this.nextCas++ });
    return WasmResult.Ok;
  }

  /**
   * proxy_register_shared_queue: the token of (vmId, name), new on the first registration; a
   * later registration moves the ready notifications to its root context.
   */
  registerQueue(vmId: string, name: string, vm: Vm, rootId: number): number {
    const key = queueKey(vmId, name);
    let token = this.queueByName.get(key);
    if (token === undefined) {
      token = this.nextQueueToken++;
      this.queueByName.set(key, token);
      this.queues.set(token, { vmId, name, items: [], vm, rootId });
    } else {
      const q = this.queues.get(token)!;
      q.rootId = rootId;
      q.vm = vm;
    }
    return token;
  }

  /** proxy_resolve_shared_queue: the token of a registered queue, or undefined. */
  resolveQueue(vmId: string, name: string): number | undefined {
    return this.queueByName.get(queueKey(vmId, name));
  }

  /** proxy_dequeue_shared_queue: the oldest item, or NotFound / Empty. */
  dequeue(token: number): Uint8Array | typeof WasmResult.NotFound | typeof WasmResult.Empty {
    const q = this.queues.get(token);
    if (!q) return WasmResult.NotFound;
    return q.items.shift() ?? WasmResult.Empty;
  }

  /** proxy_enqueue_shared_queue: appends and returns the queue (to notify its root), or undefined (NotFound). */
  enqueue(token: number, item: Uint8Array): SharedQueue<Vm> | undefined {
    const q = this.queues.get(token);
    q?.items.push(item);
    return q;
  }
}

function queueKey(vmId: string, name: string): string {
  return `${vmId}\0${name}`;
}
