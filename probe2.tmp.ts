import { SimulatedEnvoy } from './host/index.ts';
import { nativeWorkload } from './bench/workloads.ts';
const w = nativeWorkload(100);
const h = await SimulatedEnvoy.start({ wasm: 'build/route-metrics.wasm', pluginConfig: w.config as object });
const c = h.computeMode();
const recs = w.requests.map((r) => c.record(r));
for (let k = 0; k < 5; k++) {
  const N = 200000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) c.run(recs[i % recs.length]);
  console.log(`compute ${(Number(process.hrtime.bigint() - t0) / N).toFixed(0)} ns/request`);
}
