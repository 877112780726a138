// Runs one workload in the simulated Envoy (V8) and measures it.
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

export async function measure(filter: CompiledFilter, w: Workload, o: MeasureOptions): Promise<Measurement> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: w.config as object | undefined });
  if (!host.configured) throw new Error(`${w.name}: configuration rejected: ${host.startError}\n${host.logsAtLeast('error').map((l) => l.message).join('\n')}`);

  // Configure time: on_configure alone, on the running root (median of 3).
  const cfgTimes: number[] = [];
  const configText = w.config === undefined ? undefined : JSON.stringify(w.config);
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    if (!host.reconfigure(configText, { mode: 'same-root' })) throw new Error(`${w.name}: reconfigure failed`);
    cfgTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }

  const reqs = w.requests;
  let unmatched = 0;
  for (const r of reqs) if (host.request(r).filterState['wasm.istio_operationId'] === undefined) unmatched++;
  for (let i = 0; i < o.warmup; i++) host.request(reqs[i % reqs.length]);

  const before = { ...host.hostCallCounts };
  const runsNs: number[] = [];
  for (let run = 0; run < o.runs; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < o.perRun; i++) host.request(reqs[i % reqs.length]);
    runsNs.push(Number(process.hrtime.bigint() - t0) / o.perRun);
  }
  const hostCallsPerRequest = countsDelta(host.hostCallCounts, before, o.runs * o.perRun);

  const pagesBefore = host.memoryPages();
  for (let i = 0; i < o.memoryRequests; i++) host.request(reqs[i % reqs.length]);
  const pagesAfter = host.memoryPages();
  host.stop();

  return {
    name: w.name, kind: w.kind, size: w.size, nsPerRequest: median(runsNs), runsNs, hostCallsPerRequest,
    configureMs: median(cfgTimes), pagesBefore, pagesAfter, memoryRequests: o.memoryRequests,
    unmatchedShare: unmatched / reqs.length,
  };
}
