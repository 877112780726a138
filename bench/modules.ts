// The benchmark's reference modules, compiled from AssemblyScript into build/bench/: the floor
// filter (bench/floor/floor.ts: route-metrics' unavoidable host calls and nothing else) and the
// null filter (bench/floor/null.ts: the same callbacks doing nothing). Rebuilt only when the
// source is newer than the module, so repeated runs (and the bench tests) do not pay for asc.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export type BenchModule = 'floor' | 'null';

const ABORT: Record<BenchModule, string> = { floor: 'floorAbort', null: 'nullAbort' };

/** Path of the compiled module, built first if missing or older than its source or these build settings. */
export function buildBenchModule(name: BenchModule): string {
  const source = root(`bench/floor/${name}.ts`);
  const out = root(`build/bench/${name}.wasm`);
  const inputs = Math.max(statSync(source).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs);
  if (existsSync(out) && statSync(out).mtimeMs >= inputs) return out;
  mkdirSync(root('build/bench'), { recursive: true });
  const emptyConfig = root('build/bench/asconfig.json');
  writeFileSync(emptyConfig, '{}\n'); // keep asc from picking up the filter's asconfig.json
  execFileSync(process.execPath, [root('node_modules/assemblyscript/bin/asc.js'), source,
    '--config', emptyConfig, '-O3', '--runtime', 'incremental', '--use', `abort=${ABORT[name]}`, '-o', out], { stdio: 'inherit' });
  return out;
}
