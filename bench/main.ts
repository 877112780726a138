// Entry of `npm run bench`: only the benchmark's own modules are loaded in the measuring process
// (the CLI's `route-metrics bench` runs the same function next to commander and the other commands).
// Flags: bench/options.ts (`npm run bench -- --mode compute --quick`).
import { benchOptions, BenchUsageError } from './options.ts';
import { runBench } from './run.ts';

let options;
try {
  options = benchOptions(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof BenchUsageError)) throw e;
  console.error(e.message);
  process.exit(2);
}
await runBench(options);
