// Where a request's time goes, in compute mode (or host mode): a V8 CPU profile of one bench
// workload, taken in-process (node:inspector), with a release build that keeps the name section
// (build/bench/route-metrics.named.wasm: the same code as build/route-metrics.wasm, asc --debug
// only adds names), so module functions show up by name. Self time is grouped into the JavaScript
// side (the replaying host, the driver, V8's JS↔Wasm wrappers) and the module's areas (allocator
// and collector, standard-library maps and strings, the SDK, assembly/<area>).
//
//   npx tsx bench/profile.ts [--workload native-100] [--mode compute|host] [--requests 400000]
//
// Workloads: native-<routes>, attributegen-<conditions>, floor, null. Writes
// build/bench/profile-<mode>-<workload>.{md,cpuprofile}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy, type CompiledFilter } from '../host/index.ts';
import { buildBenchModule } from './modules.ts';
import { attributegenWorkload, floorWorkload, nativeWorkload, nullWorkload, type Workload } from './workloads.ts';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/** The release build with its name section, rebuilt when older than build/route-metrics.wasm. */
export function buildNamedRelease(): string {
  const out = root('build/bench/route-metrics.named.wasm');
  const release = root('build/route-metrics.wasm');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(release).mtimeMs) return out;
  mkdirSync(root('build/bench'), { recursive: true });
  // --import tsx: the release target's transform (scripts/utf8-literals.ts) is TypeScript; --baseDir:
  // asc resolves the transform's path against it.
  execFileSync(process.execPath, ['--import', 'tsx', root('node_modules/assemblyscript/bin/asc.js'), root('assembly/index.ts'), '--target', 'release', '--debug', '--baseDir', root('.'),
    '-o', out, '-t', root('build/bench/route-metrics.named.wat')], { cwd: root('.'), stdio: 'inherit' });
  return out;
}

function workloadNamed(name: string): Workload {
  const m = /^(native|attributegen)-(\d+)$/.exec(name);
  if (m) return m[1] === 'native' ? nativeWorkload(Number(m[2])) : attributegenWorkload(Number(m[2]));
  if (name === 'floor') return floorWorkload();
  if (name === 'null') return nullWorkload();
  throw new Error(`unknown workload ${name} (native-<n>, attributegen-<n>, floor, null)`);
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** The category of a profile frame (wasm functions by their name-section path). */
export function category(fn: string, url: string): string {
  if (fn.startsWith('js-to-wasm') || fn.startsWith('wasm-to-js')) return 'JS↔Wasm wrappers';
  if (url.startsWith('wasm://')) {
    const name = fn.replace(/^\$/, '');
    if (name.startsWith('~lib/rt/')) return 'module: allocator and collector (~lib/rt)';
    if (name.includes('@solo-io/proxy-runtime')) return 'module: SDK (proxy-runtime, with its context map)';
    if (/^~lib\/(map|set)\//.test(name)) return 'module: maps (~lib/map, ~lib/set)';
    if (name.startsWith('~lib/')) return 'module: standard library (strings, arrays, …)';
    const area = /^(?:start:)?assembly\/([^/]+)/.exec(name);
    if (area) return `module: assembly/${area[1]}`;
    return 'module: other';
  }
  if (url.includes('/host/replay/')) return 'JS: replaying host (host/replay)';
  if (url.includes('/host/')) return 'JS: simulated Envoy (host/)';
  if (url.includes('/bench/')) return 'JS: bench driver';
  if (fn === '(garbage collector)') return 'JS: garbage collector';
  if (fn === '(idle)' || fn === '(program)') return `V8 ${fn}`;
  return 'JS: other';
}

export interface ProfileSummary {
  categories: { name: string; share: number }[];
  functions: { name: string; category: string; share: number }[];
}

export function summarize(p: CpuProfile): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const cats = new Map<string, number>();
  const fns = new Map<string, { category: string; t: number }>();
  let total = 0;
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const c = category(n.callFrame.functionName, n.callFrame.url);
    if (c.startsWith('V8 (idle)')) continue;
    total += t;
    cats.set(c, (cats.get(c) ?? 0) + t);
    const key = n.callFrame.functionName || '(anonymous)';
    const f = fns.get(key) ?? { category: c, t: 0 };
    f.t += t;
    fns.set(key, f);
  }
  return {
    categories: [...cats].map(([name, t]) => ({ name, share: t / total })).sort((a, b) => b.share - a.share),
    functions: [...fns].map(([name, f]) => ({ name, category: f.category, share: f.t / total })).sort((a, b) => b.share - a.share),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const mode = opt('mode', 'compute');
  const workloadName = opt('workload', 'native-100');
  const requests = Number(opt('requests', '400000'));
  const w = workloadNamed(workloadName);
  const wasm: CompiledFilter = await SimulatedEnvoy.compile(w.kind === 'floor' || w.kind === 'null' ? buildBenchModule(w.kind) : buildNamedRelease());
  const host = await SimulatedEnvoy.start({ wasm, pluginConfig: w.config as object | undefined });
  if (!host.configured) throw new Error(host.startError);
  let run: (i: number) => void;
  if (mode === 'compute') {
    const compute = host.computeMode();
    const recs = w.requests.map((r) => compute.record(r));
    run = (i) => compute.run(recs[i % recs.length]!);
  } else {
    run = (i) => void host.request(w.requests[i % w.requests.length]!);
  }
  for (let i = 0; i < 20000; i++) run(i);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) run(i);
  const ns = Number(process.hrtime.bigint() - t0) / requests;
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  host.stop();

  const s = summarize(profile);
  const lines = [`# Profile: ${w.name}, ${mode} mode`, '',
    `${requests.toLocaleString('en')} requests, ${Math.round(ns)} ns/request under the profiler (50 µs sampling); self time, idle excluded.`, '',
    '| where | share | ns/request |', '|---|---:|---:|',
    ...s.categories.map((c) => `| ${c.name} | ${(c.share * 100).toFixed(1)} % | ${Math.round(c.share * ns)} |`),
    '', '| function | where | share |', '|---|---|---:|',
    ...s.functions.slice(0, 25).map((f) => `| \`${f.name}\` | ${f.category} | ${(f.share * 100).toFixed(1)} % |`), ''];
  const base = root(`build/bench/profile-${mode}-${workloadName}`);
  writeFileSync(`${base}.md`, lines.join('\n'));
  writeFileSync(`${base}.cpuprofile`, JSON.stringify(profile));
  console.log(lines.join('\n'));
  console.log(`wrote ${base}.md and .cpuprofile`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
