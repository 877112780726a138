// `route-metrics package` and `route-metrics bench` hand over to the scripts that own them
// (cli/package.ts, bench/run.ts). Those scripts parse process.argv and run on import, so they are
// started as a child process with the same Node and tsx, inheriting stdio, and their exit code
// becomes ours.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './plugin-host.ts';

const SCRIPTS = {
  package: { path: fileURLToPath(new URL('./package.ts', import.meta.url)), what: 'OCI image packaging' },
  bench: { path: fileURLToPath(new URL('../bench/run.ts', import.meta.url)), what: 'the benchmark' },
} as const;

export function runDelegate(name: keyof typeof SCRIPTS, args: string[]): number {
  const script = SCRIPTS[name];
  if (!existsSync(script.path)) {
    throw new CliError(`route-metrics ${name}: ${script.what} is not part of this checkout (${script.path} is missing)`);
  }
  // Resolve tsx from this package, so it works from any working directory.
  const tsx = import.meta.resolve('tsx');
  const r = spawnSync(process.execPath, ['--import', tsx, script.path, ...args], { stdio: 'inherit' });
  if (r.error) throw new CliError(`route-metrics ${name}: ${r.error.message}`);
  return r.status ?? (r.signal ? 1 : 0);
}
