// Builds the filter's two asc targets (asconfig.json: release and debug), or, with `ifChanged`,
// only the targets whose inputs changed since they were last built. `npm run build` always
// compiles; `npm start`, `npm run package`, `npm run bench` (and `prepack`) build only when needed.
//
// "Changed" is decided by content, not modification times: a checkout, a `git stash` or a copy
// rewrites mtimes without changing a byte. The inputs are every file under assembly/, asconfig.json,
// the release target's transforms (scripts/utf8-literals.ts, scripts/visit-null-checks.ts),
// the patched SDK sources the build compiles (node_modules/@solo-io/proxy-runtime/assembly, as
// patch-package left them) and the compiler's version. Their sha256 is recorded per target in
// build/.wasm-inputs.json once that target compiled; a target is rebuilt when the digest differs,
// when the record is missing, or when one of its output files is gone.
//
// asc's "Last converge was suboptimal." is filtered from its output. With `converge: true` asc
// reruns Binaryen's optimiser until the module stops shrinking; the note says that the final round
// came out a few bytes larger than the round before and asc kept it anyway. The module is valid,
// and the same sources still give the same bytes, so the note is noise for this project.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { moveNamesApart } from './wasm-names.ts';

export interface Target {
  name: string;
  /** Output files, relative to the root (outFile, textFile, the source map). */
  outputs: string[];
}

export type Compile = (root: string, target: string) => Promise<void>;

export interface BuildOptions {
  root: string;
  /** Build only stale targets (default: build every target). */
  ifChanged?: boolean;
  log?: (line: string) => void;
  /** The compiler; tests substitute a fake one. */
  compile?: Compile;
}

export interface TargetResult {
  name: string;
  built: boolean;
  /** Why it was built, or why not. */
  reason: string;
  ms?: number;
}

/** The record of what each target was last built from. */
export const STAMP_FILE = 'build/.wasm-inputs.json';
export const CONVERGE_NOTE = 'Last converge was suboptimal.';

/** Directories and files whose content the build depends on, relative to the root. */
export const INPUTS = ['assembly', 'asconfig.json', 'scripts/utf8-literals.ts', 'scripts/visit-null-checks.ts', 'node_modules/@solo-io/proxy-runtime/assembly', 'node_modules/assemblyscript/package.json'];

/**
 * Targets whose module ships without its name section, the names kept in `<outFile>.names`
 * (scripts/wasm-names.ts says why). Such a target is compiled with `"debug": true`.
 */
export const NAMES_APART = ['release'];

interface TargetConfig { outFile?: string; textFile?: string; sourceMap?: boolean }

function configOf(root: string): Record<string, TargetConfig> {
  return (JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8')) as { targets: Record<string, TargetConfig> }).targets;
}

export function targetsOf(root: string): Target[] {
  return Object.entries(configOf(root)).map(([name, t]) => ({
    name,
    outputs: [
      t.outFile,
      t.textFile,
      t.sourceMap && t.outFile ? `${t.outFile}.map` : undefined,
      NAMES_APART.includes(name) && t.outFile ? `${t.outFile}.names` : undefined,
    ].filter((f): f is string => typeof f === 'string'),
  }));
}

/** The files of one input (a file, or every file under a directory), relative to the root, sorted. */
function inputFiles(root: string, input: string): string[] {
  const abs = join(root, input);
  if (!existsSync(abs)) return [];
  if (statSync(abs).isFile()) return [input];
  return readdirSync(abs, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** sha256 over the names and contents of every input file, in a fixed order. */
export function inputDigest(root: string): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    const files = inputFiles(root, input);
    if (files.length === 0) hash.update(`missing ${input}\0`);
    for (const f of files) {
      const bytes = readFileSync(join(root, f));
      hash.update(`${f}\0${bytes.byteLength}\0`).update(bytes);
    }
  }
  return hash.digest('hex');
}

function readStamps(root: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

function writeStamp(root: string, target: string, digest: string | null): void {
  const stamps = readStamps(root);
  if (digest === null) delete stamps[target];
  else stamps[target] = digest;
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, STAMP_FILE), JSON.stringify(stamps, null, 2) + '\n');
}

/** Why `target` needs building, or null when it is up to date. */
export function staleReason(root: string, target: Target, digest: string): string | null {
  const missing = target.outputs.find((f) => !existsSync(join(root, f)));
  if (missing) return `${missing} is missing`;
  const stamp = readStamps(root)[target.name];
  if (stamp === undefined) return 'no record of its inputs';
  return stamp === digest ? null : 'assembly/ (or the SDK, asconfig.json, the compiler) changed';
}

/** asc output without the converge note (see the top of this file); '' when nothing else was said. */
export function withoutConvergeNote(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== CONVERGE_NOTE);
  return lines.every((l) => l.trim() === '') ? '' : lines.join('\n');
}

/** The real compiler, in this process; its output minus the converge note. */
export const ascCompile: Compile = async (root, target) => {
  const asc = (await import('assemblyscript/asc')).default;
  const pass = (to: NodeJS.WriteStream) => ({
    write(chunk: Uint8Array | string) {
      const kept = withoutConvergeNote(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (kept !== '') to.write(kept);
    },
  });
  const r = await asc.main(['assembly/index.ts', '--target', target, '--baseDir', root], { stdout: pass(process.stdout), stderr: pass(process.stderr) });
  if (r.error) throw new Error(`asc --target ${target}: ${r.error.message}`);
  const outFile = configOf(root)[target]?.outFile;
  if (NAMES_APART.includes(target) && outFile) moveNamesApart(join(root, outFile), join(root, `${outFile}.names`));
};

export async function buildWasm(opts: BuildOptions): Promise<TargetResult[]> {
  const { root, ifChanged = false } = opts;
  const log = opts.log ?? ((l: string) => console.error(l));
  const compile = opts.compile ?? ascCompile;
  const digest = inputDigest(root);
  const results: TargetResult[] = [];
  for (const target of targetsOf(root)) {
    const reason = ifChanged ? staleReason(root, target, digest) : 'npm run build compiles every time';
    if (reason === null) {
      results.push({ name: target.name, built: false, reason: 'up to date' });
      continue;
    }
    log(`build: compiling the ${target.name} target (${reason}) …`);
    const started = performance.now();
    writeStamp(root, target.name, null); // a failed or interrupted compile must not look up to date
    await compile(root, target.name);
    writeStamp(root, target.name, digest);
    const ms = Math.round(performance.now() - started);
    log(`build: ${target.name} → ${target.outputs[0]} in ${(ms / 1000).toFixed(1)} s`);
    results.push({ name: target.name, built: true, reason, ms });
  }
  const fresh = results.filter((r) => !r.built).map((r) => r.name);
  if (fresh.length > 0) log(`build: ${fresh.join(' and ')} up to date (inputs unchanged since the last build)`);
  return results;
}

/** Removes the record, so that the next `ifChanged` build compiles everything. */
export function forgetStamps(root: string): void {
  rmSync(join(root, STAMP_FILE), { force: true });
}
