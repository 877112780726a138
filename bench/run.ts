// `npm run bench` / `route-metrics bench`: route-metrics against the floor and null filters, side
// by side in one process, in the simulated Envoy in V8 (Envoy's default Wasm runtime), in two modes
// (bench/measure.ts): host (the simulated Envoy answers every host call) and compute (host calls
// replayed from recordings at near-zero cost). Then the footprint: memory per route, configure
// time, module sections. Writes <outDir>/results.{json,md}, chart.svg (host mode) and
// chart-compute.svg. Settings: bench/options.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy } from '../host/index.ts';
import { measureFootprint, type Footprint } from './footprint.ts';
import { measureAll, type BenchMode, type Measurement } from './measure.ts';
import { buildBenchModule } from './modules.ts';
import { measureReplayCost } from './replay-cost.ts';
import { benchOptions, type BenchOptions } from './options.ts';
import { evaluateTargets, markdown, svgChart, type Target } from './report.ts';
import { attributegenWorkload, floorWorkload, nativeWorkload, nullWorkload } from './workloads.ts';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export interface BenchReport {
  meta: Record<string, string>;
  options: Omit<BenchOptions, 'log'>;
  results: Partial<Record<BenchMode, Measurement[]>>;
  /** Compute mode: ns per replayed host call, by host function. */
  replayCost: Record<string, number> | undefined;
  footprint: Footprint;
  targets: Target[];
  markdown: string;
}

/** The floor filter's module path (built if needed). */
export function buildFloor(): string {
  return buildBenchModule('floor');
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Runs the benchmark and writes the report; throws if a step fails. Without options: BENCH_* settings. */
export async function runBench(overrides: Partial<BenchOptions> = {}): Promise<BenchReport> {
  const o: BenchOptions = { ...benchOptions([], process.env), ...overrides };
  const log = o.log;
  const loadAtStart = load();
  const wasmPath = root('build/route-metrics.wasm');
  const filter = await SimulatedEnvoy.compile(wasmPath);
  const floor = await SimulatedEnvoy.compile(buildBenchModule('floor'));
  const nul = await SimulatedEnvoy.compile(buildBenchModule('null'));
  const workloads = [nullWorkload(), floorWorkload(), ...o.sizes.map(nativeWorkload), attributegenWorkload(10), attributegenWorkload(100)];
  const moduleFor = (kind: string) => (kind === 'floor' ? floor : kind === 'null' ? nul : filter);

  const results: Partial<Record<BenchMode, Measurement[]>> = {};
  for (const mode of o.modes) {
    const ms = await measureAll(workloads, (w) => moduleFor(w.kind), mode, o, log);
    results[mode] = ms;
    for (const m of ms) log(`${mode.padEnd(7)} ${m.name.padEnd(28)} ${Math.round(m.nsPerRequest)} ns/request`);
  }
  const replayCost = results.compute ? await measureReplayCost(o.runs, Math.max(20, Math.round(o.perRun / 50))) : undefined;
  if (replayCost) log(`replayed host call cost: ${Object.entries(replayCost).map(([k, v]) => `${k} ${v.toFixed(0)} ns`).join(', ')}`);
  const footprint = await measureFootprint(filter, wasmPath, o.footprintRoutes, o.configureRuns);
  log(`footprint: ${footprint.routes} routes → ${footprint.pages} pages (${Math.round(footprint.bytesPerRoute)} B/route), configure ${footprint.configureMs.toFixed(1)} ms, .wasm ${footprint.wasmBytes} B`);

  const targets = evaluateTargets(results, footprint);
  const meta: Record<string, string> = {
    date: new Date().toISOString(), node: process.version, cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    'load average (1, 5, 15 min) at start / end': `${loadAtStart} / ${load()}`,
    modes: o.modes.join(', '), 'requests per run': String(o.perRun), runs: String(o.runs), warmup: String(o.warmup),
    'memory check requests (host mode)': String(o.memoryRequests),
    'package version': JSON.parse(readFileSync(root('package.json'), 'utf8')).version,
  };
  const md = markdown(results, replayCost, footprint, targets, meta);
  mkdirSync(o.outDir, { recursive: true });
  const { log: _log, ...options } = o;
  writeFileSync(`${o.outDir}/results.json`, JSON.stringify({ meta, options, results, replayCost, footprint, targets }, null, 2) + '\n');
  writeFileSync(`${o.outDir}/results.md`, md);
  if (results.host) writeFileSync(`${o.outDir}/chart.svg`, svgChart(results.host, 'route-metrics: ns per request vs number of routes (host mode: simulated Envoy, V8)'));
  if (results.compute) writeFileSync(`${o.outDir}/chart-compute.svg`, svgChart(results.compute, 'route-metrics: ns per request vs number of routes (compute mode, V8)'));
  log('\n' + md);
  log(`wrote ${o.outDir}results.json, results.md and the charts`);

  if (o.extras) {
    await import('./conditions.ts').then((m) => m.benchConditions(filter, log));
    await (await import('./long-paths.ts')).benchLongPaths(filter, floor);
    await (await import('./config-memory.ts')).runConfigMemory(filter); // build/bench/config-memory.{json,md}
    await (await import('./regex-worst.ts')).runRegexWorstCases(filter);
  } else {
    log('extra cases (conditions, long paths, configure memory, regex worst cases) skipped: --quick or BENCH_EXTRAS=0');
  }
  return { meta, options, results, replayCost, footprint, targets, markdown: md };
}
