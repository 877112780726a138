// `route-metrics bench`: runs bench/run.ts in this process. The benchmark lives outside cli/ and
// is not part of every installation (the npm package does not ship it), so it is loaded only
// when asked for, with a clear error if absent. Its settings are BENCH_* environment variables.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CliError } from '../errors.ts';
import { BENCH_SCRIPT } from '../paths.ts';

/** What bench/run.ts exports (declared here so that compiling the CLI does not pull bench/ in). */
interface BenchModule {
  runBench(): Promise<void>;
}

/** The environment variables bench/run.ts reads, for `route-metrics bench --help`. */
export const BENCH_SETTINGS: [name: string, meaning: string][] = [
  ['BENCH_MODE', 'host, compute or both (default both; --mode)'],
  ['BENCH_QUICK', '1 = shorter runs, no extra cases (--quick)'],
  ['BENCH_SIZES', 'route counts of the native workloads (default 10,100,1000,10000)'],
  ['BENCH_RUNS', 'timed runs per workload (default 15)'],
  ['BENCH_PER_RUN', 'requests per run (default 10000)'],
  ['BENCH_WARMUP', 'warm-up requests (default 20000)'],
  ['BENCH_MEMORY_REQUESTS', 'requests of the memory run (default 1000000)'],
  ['BENCH_FOOTPRINT_ROUTES', 'native routes of the footprint run: pages and bytes per route (default 10000)'],
  ['BENCH_CONFIGURE_RUNS', 'timed configures of that table (default 7)'],
  ['BENCH_EXTRAS', '0/1: the issue-11 cases (long paths, regex worst cases, config memory; default 1 unless quick)'],
];

/** Resolves with the exit code; a failing benchmark step throws (exit 1 with its stack). */
export async function runBenchCommand(flags: { mode?: string; quick?: boolean } = {}): Promise<number> {
  if (!existsSync(BENCH_SCRIPT)) {
    throw new CliError(`the benchmark is not part of this installation (${BENCH_SCRIPT} is missing; it runs from a checkout of the repository)`);
  }
  // The flags reach the benchmark as the BENCH_* settings it already reads (bench/options.ts).
  if (flags.mode !== undefined) process.env.BENCH_MODE = flags.mode;
  if (flags.quick) process.env.BENCH_QUICK = '1';
  const { runBench } = (await import(pathToFileURL(BENCH_SCRIPT).href)) as BenchModule;
  await runBench();
  return 0;
}
