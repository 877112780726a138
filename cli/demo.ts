// `npm start` (until the local mesh lands): loads the release .wasm in the simulated Envoy host
// with the example configurations and shows how sample requests are classified.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedEnvoy } from '../host/index.ts';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const wasm = new WebAssembly.Module(readFileSync(root('build/route-metrics.wasm')));

const samples: Array<[string, string]> = [
  ['GET', '/healthz'],
  ['POST', '/echo'],
  ['GET', '/users/42?expand=1'],
  ['HEAD', '/users/42'],
  ['GET', '/static/app.js'],
  ['GET', '/v2/legacy/report'],
  ['DELETE', '/users/42'],
  ['GET', '/nowhere'],
];

for (const form of ['native', 'attributegen']) {
  const file = `examples/config/${form}.json`;
  const host = await SimulatedEnvoy.start({ wasm, pluginConfig: readFileSync(root(file), 'utf8') });
  console.log(`\n${file}: ${host.configured ? 'accepted' : `REJECTED (${host.startError})`}`);
  for (const l of host.logsAtLeast('warn')) console.log(`  [${l.level}] ${l.message}`);
  if (!host.configured) continue;
  for (const [method, path] of samples) {
    const r = await host.request({ method, path, status: 200, durationMs: 5 });
    const value = r.filterState['wasm.istio_operationId'];
    console.log(`  ${(method + ' ' + path).padEnd(28)} → ${value === undefined ? '(unset: Istio shows "unknown")' : JSON.stringify(value)}`);
  }
}
