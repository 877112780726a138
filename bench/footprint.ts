// What a configuration and the module cost besides time: linear memory per route (pages a fresh
// VM holds after configuring N native routes of the bench's mixed table — the peak, since linear
// memory never shrinks, and paid per Envoy worker), the on_configure time for those N routes, and
// the module's size by section (bench/module-sections.ts).
import { readFileSync } from 'node:fs';
import { SimulatedEnvoy, type CompiledFilter } from '../host/index.ts';
import { median } from './measure.ts';
import { dataByKind, moduleSizes, type DataBreakdown, type ModuleSizes } from './module-sections.ts';
import { nativeWorkload } from './workloads.ts';

export interface Footprint {
  routes: number;
  configJsonBytes: number;
  /** 64 KiB pages after on_configure of `routes` native routes in a fresh VM. */
  pages: number;
  /** pages × 64 KiB / routes. */
  bytesPerRoute: number;
  /** Pages of a fresh VM configured with no routes, and bytes per route above that. */
  emptyPages: number;
  netBytesPerRoute: number;
  /** on_configure of the same JSON on the running root (old and new configuration both live meanwhile): median and all runs. */
  configureMs: number;
  configureRunsMs: number[];
  wasmBytes: number;
  module: ModuleSizes;
  data: DataBreakdown;
}

async function freshPages(filter: CompiledFilter, config: Uint8Array): Promise<[SimulatedEnvoy, number]> {
  const host = await SimulatedEnvoy.start({ wasm: filter, pluginConfig: config });
  if (!host.configured || (host.gauge('route_config_errors') ?? 0n) !== 0n) throw new Error(`footprint: configuration rejected or with errors: ${host.startError ?? ''}`);
  return [host, host.memoryPages()];
}

export async function measureFootprint(filter: CompiledFilter, wasmPath: string, routes: number, configureRuns: number): Promise<Footprint> {
  const json = new TextEncoder().encode(JSON.stringify(nativeWorkload(routes).config));
  const [empty, emptyPages] = await freshPages(filter, new TextEncoder().encode('{"routes":[]}'));
  empty.stop();
  const [host, pages] = await freshPages(filter, json);
  const runs: number[] = [];
  for (let i = 0; i < configureRuns; i++) {
    const t0 = process.hrtime.bigint();
    if (!host.reconfigure(json, { mode: 'same-root' })) throw new Error('footprint: reconfigure failed');
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  host.stop();
  const bytes = readFileSync(wasmPath);
  return {
    routes, configJsonBytes: json.length, pages, bytesPerRoute: (pages * 65536) / routes,
    emptyPages, netBytesPerRoute: ((pages - emptyPages) * 65536) / routes,
    configureMs: median(runs), configureRunsMs: runs,
    wasmBytes: bytes.length, module: moduleSizes(bytes), data: dataByKind(bytes),
  };
}
