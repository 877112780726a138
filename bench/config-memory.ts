// Peak linear memory while configuring big route tables (issue 11 §2): for 10^4 and 10^5 routes of
// each kind (exact paths, prefixes, templates, regexes, the mixed bench table) and attributegen
// conditions (comparisons, and matches() with a regex literal),
// the pages a fresh VM holds after on_configure — linear memory never shrinks, so that is the peak,
// paid per Envoy worker — against the configuration's JSON size, and the on_configure time
// (median of 3 on the running root). Writes build/bench/config-memory.{json,md}.
// Sizes: BENCH_CONFIG_SIZES (default "10000,100000").
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy } from '../host/index.ts';
import type { CompiledFilter } from '../host/index.ts';
import { nativeWorkload } from './workloads.ts';

export type ConfigKind = 'exact' | 'prefix' | 'template' | 'regex' | 'mixed' | 'attributegen' | 'attributegen-regex';
export const CONFIG_KINDS: ConfigKind[] = ['exact', 'prefix', 'template', 'regex', 'mixed', 'attributegen', 'attributegen-regex'];

/** A generated configuration of `n` routes (attributegen: `n` match entries) of one kind. */
export function generatedConfig(kind: ConfigKind, n: number): object {
  if (kind === 'mixed') return nativeWorkload(n).config as object;
  if (kind === 'attributegen') {
    const match = Array.from({ length: n }, (_, i) => ({
      value: `op ${i}`, condition: `request.method == '${i % 2 === 0 ? 'GET' : 'POST'}' && request.url_path == '/path${i}'`,
    }));
    return { attributes: [{ output_attribute: 'istio_operationId', match }] };
  }
  if (kind === 'attributegen-regex') {
    const match = Array.from({ length: n }, (_, i) => ({
      value: `op ${i}`, condition: `request.url_path.matches('^/api/v[0-9]+/svc${i % 97}/res${i}$')`,
    }));
    return { attributes: [{ output_attribute: 'istio_operationId', match }] };
  }
  const routes = Array.from({ length: n }, (_, i) => {
    const svc = `svc${i % 97}`;
    if (kind === 'exact') return { name: `GET /api/v1/${svc}/res${i}`, method: 'GET', path: `/api/v1/${svc}/res${i}` };
    if (kind === 'prefix') return { name: `assets ${i}`, path_prefix: `/assets/v${i % 97}/res${i}/` };
    if (kind === 'regex') return { name: `legacy ${i}`, path_regex: `^/legacy/v[0-9]+/${svc}/item${i}$` };
    return { name: `GET /api/v1/${svc}/res${i}/{id}`, method: ['GET', 'PUT'], path: `/api/v1/${svc}/res${i}/{id}` };
  });
  return { routes };
}

export interface ConfigMemoryRow {
  kind: ConfigKind;
  routes: number;
  jsonBytes: number;
  /** Linear memory after configuring a fresh VM (64 KiB pages). */
  pages: number;
  /** pages × 64 KiB / JSON bytes. */
  ratio: number;
  /** After configuring the same JSON again on the running root (old and new configuration both live meanwhile). */
  pagesAfterReconfigure: number;
  configureMs: number;
  accepted: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function measureConfigMemory(filter: CompiledFilter, kind: ConfigKind, n: number): Promise<ConfigMemoryRow> {
  const text = JSON.stringify(generatedConfig(kind, n));
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: text });
  const pages = host.memoryPages();
  const times: number[] = [];
  for (let i = 0; i < 3 && host.configured; i++) {
    const t0 = process.hrtime.bigint();
    host.reconfigure(text, { mode: 'same-root' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const row: ConfigMemoryRow = {
    kind, routes: n, jsonBytes: text.length, pages, ratio: (pages * 65536) / text.length,
    pagesAfterReconfigure: host.memoryPages(), configureMs: times.length ? median(times) : NaN, accepted: host.configured,
  };
  host.stop();
  return row;
}

export function configMemoryMarkdown(rows: ConfigMemoryRow[]): string {
  const lines = ['# Configure-time linear memory', '',
    'Pages a fresh VM holds after on_configure (the peak: linear memory never shrinks), against the JSON size.',
    'Target (issue 11): ≤ 16 × JSON + a few MiB.', '',
    '| kind | routes | JSON | pages | MiB | × JSON | after reconfigure | configure |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(`| ${r.kind} | ${r.routes.toLocaleString('en')} | ${(r.jsonBytes / 1e6).toFixed(2)} MB | ${r.pages} | ` +
      `${(r.pages / 16).toFixed(1)} | ${r.ratio.toFixed(1)} | ${r.pagesAfterReconfigure} | ${r.configureMs.toFixed(1)} ms${r.accepted ? '' : ' (rejected)'} |`);
  }
  return lines.join('\n') + '\n';
}

/** The bench entry: measures every kind and size, prints and writes the report. */
export async function runConfigMemory(filter: CompiledFilter): Promise<ConfigMemoryRow[]> {
  const sizes = (process.env.BENCH_CONFIG_SIZES ?? '10000,100000').split(',').map(Number);
  const rows: ConfigMemoryRow[] = [];
  for (const kind of CONFIG_KINDS) {
    for (const n of sizes) {
      const row = await measureConfigMemory(filter, kind, n);
      console.log(`config memory: ${kind} ${n}: ${row.pages} pages (${row.ratio.toFixed(1)}× JSON), configure ${row.configureMs.toFixed(1)} ms`);
      rows.push(row);
    }
  }
  const out = fileURLToPath(new URL('../build/bench/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(out + 'config-memory.json', JSON.stringify(rows, null, 2) + '\n');
  writeFileSync(out + 'config-memory.md', configMemoryMarkdown(rows));
  console.log('\n' + configMemoryMarkdown(rows));
  return rows;
}
