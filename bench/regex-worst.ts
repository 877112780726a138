// Regex worst cases: per-request time of one path_regex route on 1 KiB and 64 KiB paths, through
// the simulated Envoy. Patterns over the program-size cap are reported as rejected (with the
// filter's message); accepted ones are timed on several path shapes and the slowest is reported,
// after a warm-up that lets the lazy DFA give up on the patterns it cannot cache.
// Writes build/bench/regex-worst.{json,md}. BENCH_REGEX_REPS sets the timed requests per case.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy } from '../host/index.ts';
import type { CompiledFilter } from '../host/index.ts';

/** The counted-repetition cases, then accepted worst cases at the default cap, then ordinary route regexes. */
export const REGEX_WORST_CASES: string[] = [
  'a{1000}$', '.{1000}!', '(a{100}){10}$', '[ab]*a[ab]{999}$', '(.*a.*){1000}$',
  'a{98}$', '.{97}!', '(a{24}){4}$', '[ab]*a[ab]{94}$', '(.*a.*){14}$', '(.*a){24}$', '(a|b|ab)*a(a|b){20}$',
  '^/api/v1/repos/[^/]+/[^/]+/git/commits/[^/]+\\.[^/]+$', '^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$', '/v[0-9]+/legacy/',
];

const SIZES = [1024, 64 * 1024];

/** Path shapes (each `n` bytes, starting with '/'): the ones that keep most NFA threads alive for these patterns. */
function shapes(n: number): Record<string, string> {
  let x = 12345;
  let ab = '';
  for (let i = 1; i < n; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; ab += (x >> 16) & 1 ? 'a' : 'b'; }
  return {
    'a…': '/' + 'a'.repeat(n - 1),
    'random a/b': '/' + ab,
    '(a×99 !)…': '/' + ('a'.repeat(99) + '!').repeat(Math.ceil(n / 100)).slice(0, n - 1),
    'x…': '/' + 'x'.repeat(n - 1),
    'route-like': ('/api/v1/repos/' + 'o/'.repeat(n)).slice(0, n),
  };
}

export interface RegexCase {
  pattern: string;
  accepted: boolean;
  error?: string;
  /** Slowest shape's ms per request, per path size. */
  msPerRequest: Record<string, number>;
  slowestShape: Record<string, string>;
}

async function measure(filter: CompiledFilter, pattern: string, reps: number): Promise<RegexCase> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: { routes: [{ name: 'r', path_regex: pattern }, { name: 'h', path: '/healthz' }] } });
  const errors = host.logsAtLeast('error').map((l) => l.message);
  const out: RegexCase = { pattern, accepted: host.configured && errors.length === 0, msPerRequest: {}, slowestShape: {} };
  if (!out.accepted) {
    out.error = errors.find((l) => l.includes('path_regex')) ?? errors[0] ?? host.startError;
    host.stop();
    return out;
  }
  for (const n of SIZES) {
    let worst = 0, worstShape = '';
    for (const [shape, path] of Object.entries(shapes(n))) {
      for (let i = 0; i < 8; i++) host.request({ method: 'GET', path }); // DFA give-ups, JIT tier-up
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) host.request({ method: 'GET', path });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6 / reps;
      if (ms > worst) { worst = ms; worstShape = shape; }
    }
    out.msPerRequest[String(n)] = worst;
    out.slowestShape[String(n)] = worstShape;
  }
  host.stop();
  return out;
}

export function regexMarkdown(cases: RegexCase[]): string {
  const lines = ['# Regex worst cases (one path_regex route, default regex_max_program_size)', '',
    '| pattern | verdict | ms/request, 1 KiB path | ms/request, 64 KiB path | slowest 64 KiB shape |', '|---|---|---:|---:|---|'];
  for (const c of cases) {
    const cell = '`' + c.pattern.replace(/\|/g, '\\|') + '`';
    if (!c.accepted) lines.push(`| ${cell} | rejected: ${(c.error ?? '').replace(/^route-metrics: config error: /, '').replace(/\|/g, '\\|')} | | | |`);
    else lines.push(`| ${cell} | accepted | ${c.msPerRequest['1024'].toFixed(3)} | ${c.msPerRequest['65536'].toFixed(3)} | ${c.slowestShape['65536']} |`);
  }
  const accepted = cases.filter((c) => c.accepted);
  const worst = accepted.reduce((m, c) => Math.max(m, c.msPerRequest['65536']), 0);
  lines.push('', `Target: every accepted pattern ≤ 10 ms per request on a 64 KiB path — worst measured ${worst.toFixed(2)} ms (${worst <= 10 ? 'met' : '**missed**'}).`);
  return lines.join('\n') + '\n';
}

/** Runs the regex worst cases, prints and writes build/bench/regex-worst.{json,md}. */
export async function runRegexWorstCases(filter: CompiledFilter, progress: (line: string) => void = console.log): Promise<RegexCase[]> {
  const reps = Number(process.env.BENCH_REGEX_REPS ?? 20);
  const cases: RegexCase[] = [];
  for (const p of REGEX_WORST_CASES) {
    const c = await measure(filter, p, reps);
    cases.push(c);
    progress(c.accepted
      ? `regex ${p.padEnd(28)} 1 KiB ${c.msPerRequest['1024'].toFixed(3)} ms, 64 KiB ${c.msPerRequest['65536'].toFixed(3)} ms (${c.slowestShape['65536']})`
      : `regex ${p.padEnd(28)} rejected`);
  }
  const dir = fileURLToPath(new URL('../build/bench/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(dir + 'regex-worst.json', JSON.stringify(cases, null, 2) + '\n');
  const md = regexMarkdown(cases);
  writeFileSync(dir + 'regex-worst.md', md);
  progress('\n' + md + 'wrote build/bench/regex-worst.json, regex-worst.md');
  return cases;
}

// `npx tsx bench/regex-worst.ts` runs only these cases (after `npm run build`).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const filter = await SimulatedEnvoy.compile(fileURLToPath(new URL('../build/route-metrics.wasm', import.meta.url)));
  await runRegexWorstCases(filter);
}
