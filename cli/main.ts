// Entry point of the `route-metrics` CLI (see program.ts). `node cli/route-metrics.mjs …` loads
// this through tsx in a checkout (`tsx cli/main.ts …` works too), and its compiled form
// dist/cli/main.js in the installed npm package.
import { run } from './program.ts';

const code = await run(process.argv);
process.exitCode = code;
// Servers and keep-alive agents are closed by the commands; if a stray handle (e.g. a socket a
// peer never closed) would keep the process alive, leave anyway.
setTimeout(() => process.exit(code), 3000).unref();
