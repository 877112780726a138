// Settings of `npm run bench`: command-line flags over BENCH_* environment variables over defaults.
//   --mode compute|host|both   (BENCH_MODE, default both)
//   --quick                    (BENCH_QUICK=1): short runs, and the issue-11 extra cases skipped
// Sizes: BENCH_RUNS, BENCH_PER_RUN, BENCH_WARMUP, BENCH_MEMORY_REQUESTS (host mode, default 10^6),
// BENCH_SIZES (native route counts, default "10,100,1000,10000"), BENCH_FOOTPRINT_ROUTES (routes
// for memory per route and configure time, default 10000), BENCH_EXTRAS=0|1 (the extra cases).
import { fileURLToPath } from 'node:url';
import { BENCH_MODES, type BenchMode } from './measure.ts';

export interface BenchOptions {
  modes: BenchMode[];
  warmup: number;
  runs: number;
  perRun: number;
  /** Host mode: requests run after the timed runs to check that linear memory stays flat. */
  memoryRequests: number;
  /** Native route counts measured. */
  sizes: number[];
  /** Native routes configured for memory per route and configure time. */
  footprintRoutes: number;
  configureRuns: number;
  /** The issue-11 cases after the tables (conditions, long paths, configure memory, regex worst cases). */
  extras: boolean;
  quick: boolean;
  outDir: string;
  log: (line: string) => void;
}

export const USAGE = 'usage: npm run bench -- [--mode compute|host|both] [--quick]';

export class BenchUsageError extends Error {}

function modesOf(v: string): BenchMode[] {
  if (v === 'both') return [...BENCH_MODES];
  if ((BENCH_MODES as readonly string[]).includes(v)) return [v as BenchMode];
  throw new BenchUsageError(`unknown bench mode "${v}" (compute, host or both)\n${USAGE}`);
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new BenchUsageError(`${name} must be a non-negative integer, not "${v}"`);
  return n;
}

export function benchOptions(argv: readonly string[], env: Record<string, string | undefined> = process.env): BenchOptions {
  let mode = env.BENCH_MODE ?? 'both';
  let quick = env.BENCH_QUICK === '1';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--mode') mode = argv[++i] ?? '';
    else if (a.startsWith('--mode=')) mode = a.slice('--mode='.length);
    else throw new BenchUsageError(`unknown argument "${a}"\n${USAGE}`);
  }
  const num = (name: string, normal: number, short: number) => (env[name] !== undefined ? positive(name, env[name]!) : quick ? short : normal);
  const sizes = (env.BENCH_SIZES ?? '10,100,1000,10000').split(',').map((s) => positive('BENCH_SIZES', s.trim()));
  return {
    modes: modesOf(mode),
    warmup: num('BENCH_WARMUP', 20000, 2000),
    runs: num('BENCH_RUNS', 15, 5),
    perRun: num('BENCH_PER_RUN', 10000, 2000),
    memoryRequests: num('BENCH_MEMORY_REQUESTS', 1_000_000, 20000),
    sizes,
    footprintRoutes: num('BENCH_FOOTPRINT_ROUTES', 10000, 10000),
    configureRuns: num('BENCH_CONFIGURE_RUNS', 7, 5),
    extras: env.BENCH_EXTRAS !== undefined ? env.BENCH_EXTRAS === '1' : !quick,
    quick,
    outDir: fileURLToPath(new URL('../build/bench/', import.meta.url)),
    log: (line) => console.log(line),
  };
}
