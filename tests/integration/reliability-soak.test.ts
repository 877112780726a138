// Soak: many requests through a 1,000-route configuration. Linear memory stays flat after
// warm-up, and the number of metric series stays within what the configuration allows.
// Size: SOAK_REQUESTS (default 30,000; `npm run test:soak` uses 10^6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedEnvoy } from '../../host/index.ts';
import { RELEASE_WASM } from '../support/filter.ts';
import { nativeWorkload } from '../../bench/workloads.ts';

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 30000);
const CLASSES = 6; // none, 1xx … 5xx

test(`soak: ${REQUESTS} requests over 1,000 routes keep memory flat and series bounded`, async () => {
  const w = nativeWorkload(1000);
  const host = await SimulatedEnvoy.start({ wasm: await SimulatedEnvoy.compile(RELEASE_WASM), pluginConfig: w.config as object });
  assert.equal(host.configured, true, host.startError);
  const routes = (w.config as { routes: unknown[] }).routes.length;
  const statuses = [200, 201, 302, 404, 500, 503];
  let seq = 0;
  const send = (n: number) => {
    for (let i = 0; i < n; i++, seq++) {
      // Every route, random-ish unmatched paths, and all response classes.
      const r = seq % 3 === 0 ? { method: 'GET', path: `/random/${seq}/x` } : w.requests[seq % w.requests.length];
      const res = host.request({ ...r, status: statuses[seq % statuses.length], reset: seq % 97 === 0 });
      if (res.trapped) assert.fail(`trap at request ${seq}: ${res.trap}`);
    }
  };
  send(Math.min(20000, REQUESTS)); // warm-up: metrics defined, caches and pools at size
  const pagesAfterWarmup = host.memoryPages();
  send(REQUESTS);
  assert.equal(host.memoryPages(), pagesAfterWarmup, 'linear memory grew after warm-up');

  const names = new Set(host.metrics.map((m) => m.name));
  const counters = [...names].filter((n) => n.endsWith('route_requests_total')).length;
  const histograms = [...names].filter((n) => n.endsWith('route_request_duration_milliseconds')).length;
  assert.ok(counters <= (routes + 1) * CLASSES, `${counters} counter series for ${routes} routes`);
  assert.ok(histograms <= routes + 1, `${histograms} histogram series for ${routes} routes`);
  assert.ok(counters > 0 && histograms > 0);
  host.stop();
});
