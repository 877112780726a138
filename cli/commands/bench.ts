// `route-metrics bench`: runs bench/run.ts in this process. The benchmark lives outside cli/ and
// is not part of every checkout, so it is loaded only when asked for, with a clear error if absent.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CliError } from '../errors.ts';
import { BENCH_SCRIPT } from '../paths.ts';

/**
 * Resolves with the exit code; a failing benchmark step throws (exit 1 with its stack). The
 * benchmark takes its settings from BENCH_* environment variables; arguments are ignored.
 */
export async function runBenchCommand(_args: string[]): Promise<number> {
  if (!existsSync(BENCH_SCRIPT)) {
    throw new CliError(`route-metrics bench: the benchmark is not part of this checkout (${BENCH_SCRIPT} is missing)`);
  }
  const { runBench } = (await import(pathToFileURL(BENCH_SCRIPT).href)) as typeof import('../../bench/run.ts');
  await runBench();
  return 0;
}
