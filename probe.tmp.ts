import { SimulatedEnvoy } from './host/index.ts';
import { nativeWorkload, attributegenWorkload } from './bench/workloads.ts';
for (const w of [nativeWorkload(10), nativeWorkload(10000), attributegenWorkload(10)]) {
  const h = await SimulatedEnvoy.start({ wasm: 'build/route-metrics.wasm', pluginConfig: w.config as object });
  const c = h.computeMode();
  const recs = w.requests.map((r) => c.record(r));
  for (const r of recs) { c.run(r); }
  console.log(w.name, recs.map((r) => JSON.stringify(c.filterState(r))).join(' '), c.returnCodes(recs[0]));
  for (let i = 0; i < 20000; i++) c.run(recs[i % recs.length]);
  let t0 = process.hrtime.bigint();
  const N = 200000;
  for (let i = 0; i < N; i++) c.run(recs[i % recs.length]);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < 20000; i++) h.request(w.requests[i % recs.length]);
  const ns2 = Number(process.hrtime.bigint() - t0) / 20000;
  console.log(`compute ${ns.toFixed(0)} ns/request, host ${ns2.toFixed(0)} ns, pages ${h.memoryPages()}`, c.hostCallCounts);
}
