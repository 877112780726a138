// Measures workloads in the simulated Envoy (V8), in one of two modes:
//   host:    every request through the simulated Envoy, whose host calls cost about a microsecond
//            each in JavaScript (what `npm run bench` always measured);
//   compute: the same module instance, configured the same way, with each request's host calls
//            answered from a recording at near-zero cost (host/replay/), so the time is the
//            module's own work plus the unavoidable JS↔Wasm transitions.
// Runs of all cases are interleaved (case A run 1, case B run 1, …, case A run 2, …) so that drift
// of a shared machine affects every case alike and the ratios stay meaningful; each case reports
// its median run. Each run is timed twice: process CPU time (the figure the ratios use: on a
// machine shared with other work it does not count the time this process waited for a core) and
// wall-clock time.
import { SimulatedEnvoy } from '../host/index.ts';
import type { CompiledFilter, ComputeMode, RecordedStream } from '../host/index.ts';
import type { Workload } from './workloads.ts';

export type BenchMode = 'host' | 'compute';
export const BENCH_MODES: readonly BenchMode[] = ['host', 'compute'];

export interface Measurement {
  name: string;
  kind: Workload['kind'];
  size: number;
  mode: BenchMode;
  /** CPU ns per request, median run. */
  nsPerRequest: number;
  runsNs: number[];
  /** Wall-clock ns per request, median run. */
  wallNsPerRequest: number;
  runsWallNs: number[];
  hostCallsPerRequest: Record<string, number>;
  /** on_configure on the running root, median of 5 (host mode only; NaN in compute mode). */
  configureMs: number;
  pagesBefore: number;
  pagesAfter: number;
  /** Requests run between pagesBefore and pagesAfter (0: pages after the timed runs only). */
  memoryRequests: number;
  unmatchedShare: number;
}

export interface MeasureOptions { warmup: number; runs: number; perRun: number; memoryRequests: number }

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function countsDelta(after: Record<string, number>, before: Record<string, number>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = (v - (before[k] ?? 0)) / n;
    if (d > 0) out[k] = Math.round(d * 100) / 100;
  }
  return out;
}

interface Prepared {
  w: Workload;
  host: SimulatedEnvoy;
  /** Compute mode: the replayer and one recording per request of the workload. */
  compute: ComputeMode | null;
  recordings: RecordedStream[];
  configureMs: number;
  unmatchedShare: number;
  runsNs: number[];
  runsWallNs: number[];
  countsBefore: Record<string, number>;
}

function counts(p: Prepared): Record<string, number> {
  return p.compute ? p.compute.hostCallCounts : p.host.hostCallCounts;
}

/** on_configure alone, on the running root (median of `times`). */
function configureTime(host: SimulatedEnvoy, w: Workload, times: number): number {
  const cfgTimes: number[] = [];
  // Encoded once: the time is the module's, not the host's UTF-8 encoding of the JSON.
  const configBytes = w.config === undefined ? undefined : new TextEncoder().encode(JSON.stringify(w.config));
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    if (!host.reconfigure(configBytes, { mode: 'same-root' })) throw new Error(`${w.name}: reconfigure failed`);
    cfgTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(cfgTimes);
}

async function prepare(filter: CompiledFilter, w: Workload, mode: BenchMode, o: MeasureOptions): Promise<Prepared> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: w.config as object | undefined });
  // A configuration with errors would load without its invalid parts and measure something else
  // (the floor and null filters define no such gauge).
  if (!host.configured || (host.gauge('route_config_errors') ?? 0n) !== 0n) throw new Error(`${w.name}: configuration rejected or with errors: ${host.startError ?? ''}\n${host.logsAtLeast('error').map((l) => l.message).join('\n')}`);
  const configureMs = mode === 'host' ? configureTime(host, w, 5) : NaN;
  let unmatched = 0;
  for (const r of w.requests) if (host.request(r).filterState['wasm.istio_operationId'] === undefined) unmatched++;
  const p: Prepared = { w, host, compute: null, recordings: [], configureMs, unmatchedShare: unmatched / w.requests.length, runsNs: [], runsWallNs: [], countsBefore: {} };
  if (mode === 'compute') {
    p.compute = host.computeMode();
    p.recordings = w.requests.map((r) => p.compute!.record(r));
  }
  for (let i = 0; i < o.warmup; i++) runOne(p, i);
  p.countsBefore = { ...counts(p) };
  return p;
}

function runOne(p: Prepared, i: number): void {
  if (p.compute) p.compute.run(p.recordings[i % p.recordings.length]!);
  else p.host.request(p.w.requests[i % p.w.requests.length]!);
}

// One loop per mode, so that each is a tight loop around one call.
function timedRun(p: Prepared, perRun: number): void {
  let t0: bigint;
  let c0: NodeJS.CpuUsage;
  if (p.compute) {
    const compute = p.compute;
    const recs = p.recordings;
    c0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    for (let i = 0; i < perRun; i++) compute.run(recs[i % recs.length]!);
  } else {
    const host = p.host;
    const reqs = p.w.requests;
    c0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
    for (let i = 0; i < perRun; i++) host.request(reqs[i % reqs.length]!);
  }
  const wall = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(c0);
  p.runsWallNs.push(wall / perRun);
  p.runsNs.push(((cpu.user + cpu.system) * 1000) / perRun);
}

function finish(p: Prepared, mode: BenchMode, o: MeasureOptions): Measurement {
  const { w, host } = p;
  const hostCallsPerRequest = countsDelta(counts(p), p.countsBefore, o.runs * o.perRun);
  const pagesBefore = host.memoryPages();
  const memoryRequests = mode === 'host' ? o.memoryRequests : 0;
  for (let i = 0; i < memoryRequests; i++) host.request(w.requests[i % w.requests.length]!);
  const pagesAfter = host.memoryPages();
  host.stop();
  return {
    name: w.name, kind: w.kind, size: w.size, mode, nsPerRequest: median(p.runsNs), runsNs: p.runsNs,
    wallNsPerRequest: median(p.runsWallNs), runsWallNs: p.runsWallNs, hostCallsPerRequest,
    configureMs: p.configureMs, pagesBefore, pagesAfter, memoryRequests, unmatchedShare: p.unmatchedShare,
  };
}

/** Measures every workload in one mode; `filterFor` picks the module (null, floor or route-metrics). */
export async function measureAll(workloads: Workload[], filterFor: (w: Workload) => CompiledFilter, mode: BenchMode,
  o: MeasureOptions, progress: (line: string) => void): Promise<Measurement[]> {
  const prepared: Prepared[] = [];
  for (const w of workloads) {
    prepared.push(await prepare(filterFor(w), w, mode, o));
    progress(`${mode}: prepared ${w.name}`);
  }
  for (let run = 0; run < o.runs; run++) {
    for (const p of prepared) timedRun(p, o.perRun);
    progress(`${mode}: run ${run + 1}/${o.runs}`);
  }
  return prepared.map((p) => finish(p, mode, o));
}
