// Envoy custom metrics for Wasm (envoy context.cc defineMetric/incrementMetric/recordMetric/getMetric,
// proxy-wasm-cpp-host wasm.h metric ids).
//
// - A stat is identified by type + name; Envoy names it "wasmcustom.<name>" (stored here without
//   the prefix). Counters and gauges are uint64 (kept as bigint), histogram samples are recorded raw.
// - Ids are per VM: every define_metric returns a NEW id, with the type in the low 2 bits
//   (counters 4, 8, 12…; gauges 5, 9…; histograms 6, 10…), all ids of a name share one stat.
// - Histogram samples also go into a circllhist (histogram.ts), as Envoy stores them; that is what
//   /stats/prometheus renders (prometheus.ts), without re-reading the samples.
import { Circllhist } from './histogram.ts';
import type { PrometheusStat } from './prometheus.ts';
import { MetricTypeCode, WasmResult } from './abi.ts';

export type MetricKind = 'counter' | 'gauge' | 'histogram';
const KIND_BY_CODE: readonly MetricKind[] = ['counter', 'gauge', 'histogram'];

/** Histogram samples kept per stat (newest); count/sum cover all of them. */
export const MAX_SAMPLES = 100_000;

export class Stat {
  value = 0n;
  samples: number[] = [];
  /** Histogram: number of recorded samples and their sum (all, even those dropped from `samples`). */
  count = 0;
  sum = 0;
  /** Histogram bins as Envoy keeps them (null for counters and gauges). */
  readonly hist: Circllhist | null;
  /** Envoy's used() flag: set by any increment/record/set. */
  used = false;
  constructor(readonly type: MetricKind, readonly name: string) {
    this.hist = type === 'histogram' ? new Circllhist() : null;
  }

  recordSample(v: number, exact: bigint = BigInt(v)): void {
    this.count++;
    this.sum += v;
    this.used = true;
    this.hist!.record(v <= Number.MAX_SAFE_INTEGER ? v : exact);
    const s = this.samples;
    s.push(v);
    if (s.length > MAX_SAMPLES) s.splice(0, s.length - MAX_SAMPLES / 2);
  }
}

/** Process-wide stats store shared by every VM of a host (main and canary), like Envoy's scope. */
export class StatsStore {
  readonly byType: Record<MetricKind, Map<string, Stat>> = {
    counter: new Map(),
    gauge: new Map(),
    histogram: new Map(),
  };

  get(type: MetricKind, name: string): Stat {
    const m = this.byType[type];
    let s = m.get(name);
    if (!s) {
      s = new Stat(type, name);
      m.set(name, s);
    }
    return s;
  }

  find(type: MetricKind, name: string): Stat | undefined {
    return this.byType[type].get(name);
  }

  /** Every stat as Envoy names it ("wasmcustom.<name>"), for prometheus.ts. */
  *prometheusStats(): IterableIterator<PrometheusStat> {
    for (const type of ['counter', 'gauge', 'histogram'] as const) {
      for (const s of this.byType[type].values()) {
        yield { type, name: `wasmcustom.${s.name}`, value: s.value, histogram: s.hist ?? undefined, used: s.used };
      }
    }
  }
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** One VM's metric id table (Wasm::counters_/gauges_/histograms_ + next*MetricId). */
export class MetricIds {
  private next = [0, 1, 2];
  readonly byId = new Map<number, Stat>();

  constructor(private readonly store: StatsStore) {}

  /** Returns the new id, or -WasmResult for an error. */
  define(typeCode: number, name: string): number {
    if (typeCode > MetricTypeCode.Histogram || typeCode < 0) return -WasmResult.BadArgument;
    const id = (this.next[typeCode]! += 4);
    this.byId.set(id, this.store.get(KIND_BY_CODE[typeCode]!, name));
    return id;
  }

  increment(id: number, offset: bigint): number {
    const t = id & 3;
    if (t === MetricTypeCode.Counter) {
      const s = this.byId.get(id);
      if (!s) return WasmResult.NotFound;
      if (offset <= 0n) return WasmResult.BadArgument;
      s.value = U64(s.value + offset);
      s.used = true;
      return WasmResult.Ok;
    }
    if (t === MetricTypeCode.Gauge) {
      const s = this.byId.get(id);
      if (!s) return WasmResult.NotFound;
      // Gauge::add / Gauge::sub on a uint64 (wraps below zero like a release build).
      s.value = U64(s.value + offset);
      s.used = true;
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  record(id: number, value: bigint): number {
    const s = this.byId.get(id);
    if (!s) return WasmResult.NotFound; // also type 3 ids
    const v = U64(value);
    if (s.type === 'counter') s.value = U64(s.value + v);
    else if (s.type === 'gauge') s.value = v;
    else s.recordSample(Number(v), v);
    s.used = true;
    return WasmResult.Ok;
  }

  /** Returns [result, value]. */
  get(id: number): [number, bigint] {
    const t = id & 3;
    if (t === MetricTypeCode.Counter || t === MetricTypeCode.Gauge) {
      const s = this.byId.get(id);
      return s ? [WasmResult.Ok, s.value] : [WasmResult.NotFound, 0n];
    }
    return [WasmResult.BadArgument, 0n];
  }
}
