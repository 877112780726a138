// The compute mode of the simulated Envoy: the same module instance, configured by the normal
// host, runs streams whose host calls are answered from a recording at near-zero cost, so that
// timing a stream measures the module's own work (Envoy's C++ host answers in tens of
// nanoseconds; the simulated one in JavaScript takes about a microsecond per call).
//
//   const compute = host.computeMode();
//   const rec = compute.record({ method: 'GET', path: '/x' });  // through the normal host
//   compute.run(rec);                                            // replayed: no JavaScript Envoy
//
// record() runs the request twice through the normal host: the first warms what the module does
// once (metrics defined lazily on a route's first request), the second is taken down. run() calls
// the recorded callbacks with a new context id, answering each host call with the recorded bytes;
// a module that asks anything else throws ReplayDivergence. The normal host is untouched: the
// override is in force only inside run(), and normal requests may be mixed with replays.
import { countsByName } from '../hostcalls/table.ts';
import type { RequestSpec } from '../types.ts';
import type { WasmVm } from '../vm.ts';
import { ReplayAnswers, ReplayDivergence } from './answers.ts';
import { StreamRecorder, type RecordedStream } from './recording.ts';

export { ReplayDivergence } from './answers.ts';
export type { RecordedStream, RecordedCallback, RecordedCall } from './recording.ts';

export interface ComputeModeOptions {
  /** Keep the messages the module logs while replaying (compute.logs); dropped by default. */
  logs?: boolean;
}

/** What compute mode needs of the SimulatedEnvoy it runs in. */
export interface ComputeModeHost {
  readonly vm: WasmVm;
  rootContextId(): number | undefined;
  request(spec: RequestSpec): { trapped: boolean; trap?: string };
}

/** A metric's updates made by replayed streams. */
export interface ReplayedMetric {
  type: 'counter' | 'gauge' | 'histogram';
  /** Counter: sum of increments and recorded adds. Gauge: last value set (plus increments). */
  value: number;
  /** Histogram: samples recorded, and their sum. */
  count: number;
  sum: number;
}

const utf8 = new TextDecoder();

export class ComputeMode {
  private readonly answers: ReplayAnswers;

  constructor(private readonly host: ComputeModeHost, opts: ComputeModeOptions = {}) {
    const vm = host.vm;
    const malloc = vm.rawMalloc;
    if (!malloc) throw new Error('compute mode: the module exports no malloc');
    this.answers = new ReplayAnswers(vm.mem.memory, (size) => malloc(size) as number, opts.logs ?? false);
  }

  /** Records one request as the normal host runs it (after one warm-up run of the same request). */
  record(spec: RequestSpec): RecordedStream {
    const vm = this.host.vm;
    if (vm.tap !== null) throw new Error('compute mode: already recording');
    this.host.request(spec);
    const recorder = new StreamRecorder(vm);
    vm.tap = recorder;
    let trap: string | undefined;
    try {
      const r = this.host.request(spec);
      if (r.trapped) trap = r.trap ?? 'trapped';
    } finally {
      vm.tap = null;
    }
    const rootId = this.host.rootContextId();
    const rec = trap !== undefined ? new Error(`the module trapped while recording: ${trap}`) : recorder.finish(rootId ?? 0);
    if (rec instanceof Error) throw new Error(`compute mode: cannot record ${spec.method ?? 'GET'} ${spec.path ?? '/'}: ${rec.message}`);
    return rec;
  }

  /**
   * One stream replayed. A divergence or a trap fails the VM (the module was interrupted mid-callback)
   * and throws.
   */
  run(rec: RecordedStream): void {
    const vm = this.host.vm;
    if (vm.failed) throw new Error(`compute mode: the VM has failed: ${vm.failMessage}`);
    if (rec.rootId !== this.host.rootContextId()) throw new Error('compute mode: the recording belongs to a root context no longer in force');
    const id = vm.allocContextId();
    const answers = this.answers;
    const cbs = rec.callbacks;
    let k = 0;
    vm.override = answers.table;
    try {
      for (; k < cbs.length; k++) {
        const cb = cbs[k]!;
        answers.begin(cb);
        cb.replayResult = (cb.fn(id, cb.b, cb.c) as number) >>> 0;
        answers.end();
      }
    } catch (e) {
      vm.override = null;
      const name = cbs[k]?.name ?? 'replay';
      vm.fail(name, e);
      if (e instanceof ReplayDivergence) throw e;
      throw new Error(`compute mode: ${name} trapped: ${e instanceof Error ? e.message : String(e)}`);
    }
    vm.override = null;
  }

  /** Filter state the last replay of `rec` set, keyed like Envoy ("wasm.<name>"). */
  filterState(rec: RecordedStream): Record<string, string> {
    const out: Record<string, string> = {};
    for (const cb of rec.callbacks) {
      for (const c of cb.calls) {
        if (c.name === 'proxy_set_property') out[`wasm.${utf8.decode(c.key)}`] = utf8.decode(c.written.subarray(0, c.writtenLength));
      }
    }
    return out;
  }

  /** The callbacks of `rec` in order, with what each returned on its last replay (void callbacks: 0). */
  callbacks(rec: RecordedStream): { name: string; result: number }[] {
    return rec.callbacks.map((cb) => ({ name: cb.name, result: cb.replayResult }));
  }

  /** Host calls answered so far, by name. */
  get hostCallCounts(): Record<string, number> {
    return countsByName(this.answers.counts);
  }

  /** Messages the module logged while replaying (only with the logs option). */
  get logs(): readonly { level: string; message: string }[] {
    return this.answers.logs;
  }

  /** Metric updates of all replays, by metric name (several ids of one name are one stat, as in Envoy). */
  metrics(): Map<string, ReplayedMetric> {
    const out = new Map<string, ReplayedMetric>();
    const t = this.answers.tally;
    for (const id of t.ids()) {
      const stat = this.host.vm.metrics.byId.get(id);
      if (!stat) continue;
      let m = out.get(stat.name);
      if (!m) out.set(stat.name, (m = { type: stat.type, value: 0, count: 0, sum: 0 }));
      if (stat.type === 'histogram') {
        m.count += t.recordCount[id]!;
        m.sum += t.recordSum[id]!;
      } else if (stat.type === 'counter') {
        m.value += t.incremented[id]! + t.recordSum[id]!;
      } else {
        m.value = (t.recordCount[id]! > 0 ? t.lastRecorded[id]! : m.value) + t.incremented[id]!;
      }
    }
    return out;
  }
}
