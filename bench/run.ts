// `npm run bench` / `route-metrics bench`: route-metrics vs the floor filter, side by side in one
// process, through the simulated Envoy host in V8 (Envoy's default Wasm runtime). Writes
// build/bench/results.{json,md} and build/bench/chart.svg. Sizes are settable: BENCH_RUNS,
// BENCH_PER_RUN, BENCH_WARMUP, BENCH_MEMORY_REQUESTS (default 10^6), BENCH_SIZES (e.g. "10,100,1000,10000").
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { SimulatedEnvoy } from '../host/index.ts';
import { measureAll } from './measure.ts';
import { attributegenWorkload, floorWorkload, nativeWorkload } from './workloads.ts';
import { evaluateTargets, markdown, svgChart } from './report.ts';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

export function buildFloor(): string {
  const out = root('build/bench/floor.wasm');
  mkdirSync(root('build/bench'), { recursive: true });
  const emptyConfig = root('build/bench/asconfig.json');
  writeFileSync(emptyConfig, '{}\n'); // keep asc from picking up the filter's asconfig.json
  execFileSync(process.execPath, [root('node_modules/assemblyscript/bin/asc.js'), root('bench/floor/floor.ts'),
    '--config', emptyConfig, '-O3', '--runtime', 'incremental', '--use', 'abort=floorAbort', '-o', out], { stdio: 'inherit' });
  return out;
}

/** Runs the whole benchmark and writes the report; throws if a step fails. */
export async function runBench(): Promise<void> {
  const opts = {
    warmup: env('BENCH_WARMUP', 20000),
    runs: env('BENCH_RUNS', 7),
    perRun: env('BENCH_PER_RUN', 20000),
    memoryRequests: env('BENCH_MEMORY_REQUESTS', 1_000_000),
  };
  const sizes = (process.env.BENCH_SIZES ?? '10,100,1000,10000').split(',').map(Number);
  const wasmPath = root('build/route-metrics.wasm');
  const filter = await SimulatedEnvoy.compile(wasmPath);
  const floor = await SimulatedEnvoy.compile(buildFloor());
  const workloads = [floorWorkload(), ...sizes.map(nativeWorkload), attributegenWorkload(10), attributegenWorkload(100)];

  const results = await measureAll(workloads, (w) => (w.kind === 'floor' ? floor : filter), opts, (line) => console.log(line));
  for (const m of results) {
    console.log(`${m.name.padEnd(28)} ${Math.round(m.nsPerRequest)} ns/request, configure ${m.configureMs.toFixed(2)} ms, pages ${m.pagesBefore}→${m.pagesAfter}`);
  }

  const wasmBytes = statSync(wasmPath).size;
  const targets = evaluateTargets(results, wasmBytes);
  const meta = {
    date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown',
    'requests per run': String(opts.perRun), runs: String(opts.runs), 'memory check requests': String(opts.memoryRequests),
    'package version': JSON.parse(readFileSync(root('package.json'), 'utf8')).version,
  };
  mkdirSync(root('build/bench'), { recursive: true });
  writeFileSync(root('build/bench/results.json'), JSON.stringify({ meta, options: opts, wasmBytes, results, targets }, null, 2) + '\n');
  const md = markdown(results, targets, wasmBytes, meta);
  writeFileSync(root('build/bench/results.md'), md);
  writeFileSync(root('build/bench/chart.svg'), svgChart(results));
  console.log('\n' + md);
  console.log('wrote build/bench/results.json, results.md, chart.svg');
  await import('./conditions.ts').then((m) => m.benchConditions(filter, (line) => console.log(line)));
  await (await import('./long-paths.ts')).benchLongPaths(filter, floor);
  await (await import('./config-memory.ts')).runConfigMemory(filter); // build/bench/config-memory.{json,md}
  await (await import('./regex-worst.ts')).runRegexWorstCases(filter);
}
