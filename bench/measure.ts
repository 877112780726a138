// Measures workloads in the simulated Envoy (V8). Runs of all cases are interleaved (case A run 1,
// case B run 1, …, case A run 2, …) so that drift of a shared machine affects every case alike and
// the ratios to the floor stay meaningful; each case reports its median run.
import { SimulatedEnvoy } from '../host/index.ts';
import type { CompiledFilter } from '../host/index.ts';
import type { Workload } from './workloads.ts';

export interface Measurement {
  name: string;
  kind: Workload['kind'];
  size: number;
  nsPerRequest: number;
  runsNs: number[];
  hostCallsPerRequest: Record<string, number>;
  configureMs: number;
  pagesBefore: number;
  pagesAfter: number;
  memoryRequests: number;
  unmatchedShare: number;
}

export interface MeasureOptions { warmup: number; runs: number; perRun: number; memoryRequests: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
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
  configureMs: number;
  unmatchedShare: number;
  runsNs: number[];
  countsBefore: Record<string, number>;
}

async function prepare(filter: CompiledFilter, w: Workload, o: MeasureOptions): Promise<Prepared> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: w.config as object | undefined });
  // A configuration with errors would load without its invalid parts and measure something else
  // (the floor filter defines no such gauge).
  if (!host.configured || (host.gauge('route_config_errors') ?? 0n) !== 0n) throw new Error(`${w.name}: configuration rejected or with errors: ${host.startError ?? ''}\n${host.logsAtLeast('error').map((l) => l.message).join('\n')}`);
  // Configure time: on_configure alone, on the running root (median of 5).
  const cfgTimes: number[] = [];
  const configText = w.config === undefined ? undefined : JSON.stringify(w.config);
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    if (!host.reconfigure(configText, { mode: 'same-root' })) throw new Error(`${w.name}: reconfigure failed`);
    cfgTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  let unmatched = 0;
  for (const r of w.requests) if (host.request(r).filterState['wasm.istio_operationId'] === undefined) unmatched++;
  for (let i = 0; i < o.warmup; i++) host.request(w.requests[i % w.requests.length]);
  return { w, host, configureMs: median(cfgTimes), unmatchedShare: unmatched / w.requests.length, runsNs: [], countsBefore: { ...host.hostCallCounts } };
}

function timedRun(p: Prepared, perRun: number): void {
  const reqs = p.w.requests;
  const host = p.host;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < perRun; i++) host.request(reqs[i % reqs.length]);
  p.runsNs.push(Number(process.hrtime.bigint() - t0) / perRun);
}

function finish(p: Prepared, o: MeasureOptions): Measurement {
  const { w, host } = p;
  const hostCallsPerRequest = countsDelta(host.hostCallCounts, p.countsBefore, o.runs * o.perRun);
  const pagesBefore = host.memoryPages();
  for (let i = 0; i < o.memoryRequests; i++) host.request(w.requests[i % w.requests.length]);
  const pagesAfter = host.memoryPages();
  host.stop();
  return {
    name: w.name, kind: w.kind, size: w.size, nsPerRequest: median(p.runsNs), runsNs: p.runsNs, hostCallsPerRequest,
    configureMs: p.configureMs, pagesBefore, pagesAfter, memoryRequests: o.memoryRequests, unmatchedShare: p.unmatchedShare,
  };
}

/** Measures every workload; `filterFor` picks the module (floor or route-metrics). */
export async function measureAll(workloads: Workload[], filterFor: (w: Workload) => CompiledFilter, o: MeasureOptions,
  progress: (line: string) => void): Promise<Measurement[]> {
  const prepared: Prepared[] = [];
  for (const w of workloads) {
    prepared.push(await prepare(filterFor(w), w, o));
    progress(`prepared ${w.name}`);
  }
  for (let run = 0; run < o.runs; run++) {
    for (const p of prepared) timedRun(p, o.perRun);
    progress(`run ${run + 1}/${o.runs}`);
  }
  return prepared.map((p) => finish(p, o));
}
