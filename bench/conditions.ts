// Bench cases for conditions that clients or big configurations could make expensive (issue 11):
// many query-parameter conditions on a long query, configuring 2·10⁴ header / query conditions, and
// a CEL concatenation on a 1 MiB path (peak linear memory). Writes build/bench/conditions.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy, type CompiledFilter } from '../host/index.ts';

export interface ConditionCase { name: string; value: number; unit: string }

const out = fileURLToPath(new URL('../build/bench/conditions.json', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function started(filter: CompiledFilter, config: object): Promise<SimulatedEnvoy> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: config });
  if (!host.configured) throw new Error(`conditions bench: configuration rejected: ${host.startError}`);
  return host;
}

/** Median ms of on_configure (same root) for `config`. */
async function configureMs(filter: CompiledFilter, config: object): Promise<number> {
  const host = await started(filter, { routes: [{ name: 'x', path: '/x' }] });
  const text = JSON.stringify(config);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    if (!host.reconfigure(text, { mode: 'same-root' })) throw new Error('conditions bench: reconfigure failed');
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  host.stop();
  return median(times);
}

/** Median µs per request of `path` under `config`. */
async function requestUs(filter: CompiledFilter, config: object, path: string, requests = 300): Promise<number> {
  const host = await started(filter, config);
  for (let i = 0; i < 20; i++) host.request({ method: 'GET', path });
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < requests; i++) host.request({ method: 'GET', path });
    runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / requests);
  }
  host.stop();
  return median(runs);
}

const queryConditions = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, value: 'v' }));
const queryPath = (bytes: number, n: number) =>
  '/q?' + 'zz=1&'.repeat(Math.floor(bytes / 5)) + Array.from({ length: n }, (_, i) => `p${i}=v`).join('&');

export async function benchConditions(filter: CompiledFilter, log: (line: string) => void): Promise<ConditionCase[]> {
  const cases: ConditionCase[] = [];
  const add = (name: string, value: number, unit: string) => {
    cases.push({ name, value, unit });
    log(`${name.padEnd(58)} ${value.toFixed(unit === 'pages' ? 0 : 2)} ${unit}`);
  };

  const q100 = { routes: [{ name: 'q', path: '/q', query_params: queryConditions(100) }] };
  add('100 query conditions, 1 KiB query', await requestUs(filter, q100, queryPath(1024, 100)), 'µs/request');
  add('100 query conditions, 64 KiB query', await requestUs(filter, q100, queryPath(64 * 1024, 100)), 'µs/request');

  const n = 20000;
  add(`configure 1 route × ${n} query conditions`, await configureMs(filter, { routes: [{ name: 'q', path: '/q', query_params: queryConditions(n) }] }), 'ms');
  add(`configure 1 route × ${n} header conditions`, await configureMs(filter,
    { routes: [{ name: 'h', path: '/h', headers: Array.from({ length: n }, (_, i) => ({ name: `x-h${i}`, value: 'v' })) }] }), 'ms');
  add(`configure ${n} routes × 1 header condition`, await configureMs(filter,
    { routes: Array.from({ length: n }, (_, i) => ({ name: `r${i}`, path: `/r${i}`, headers: [{ name: `x-h${i}`, value: 'v' }] })) }), 'ms');

  // Linear memory after one request whose condition concatenates a 1 MiB path 16 times.
  const sum = Array(16).fill('request.url_path').join(' + ');
  const host = await started(filter, { attributes: [{ output_attribute: 'istio_operationId', match: [{ value: 'x', condition: `(${sum}).size() > 0` }] }] });
  host.request({ method: 'GET', path: '/' + 'a'.repeat((1 << 20) - 1) });
  add('CEL 16× concatenation of a 1 MiB path: linear memory', host.memoryPages(), 'pages');
  host.stop();

  mkdirSync(fileURLToPath(new URL('../build/bench/', import.meta.url)), { recursive: true });
  writeFileSync(out, JSON.stringify(cases, null, 2) + '\n');
  return cases;
}
