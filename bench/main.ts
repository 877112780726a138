// Entry of `npm run bench`: only the benchmark's own modules are loaded in the measuring process
// (the CLI's `route-metrics bench` runs the same function next to commander and the other commands).
import { runBench } from './run.ts';

await runBench();
