// Host selection costs the same whatever the number of services, and is bounded for long
// authorities: counted in the module's loop iterations (op-counter.ts), not in time.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedEnvoy, type CompiledFilter } from '../../host/index.ts';
import { countingModule, opsDuring } from '../support/op-counter.ts';

const OP = 'wasm.istio_operationId';
const HEALTHZ = { name: 'GET /healthz', method: 'GET', path: '/healthz' };

/** n services: svc<i> with four host forms each, every tenth with a wildcard too, and the target ones. */
function services(n: number) {
  const list: object[] = [];
  for (let i = 0; i < n; i++) {
    const hosts = [`svc${i}`, `svc${i}.ns`, `svc${i}.ns.svc`, `svc${i}.ns.svc.cluster.local`];
    if (i % 10 === 0) hosts.push(`*.w${i}.example.com`);
    list.push({ name: `svc${i}`, hosts, routes: [HEALTHZ] });
  }
  list.push({ name: 'target', hosts: ['target.ns.svc.cluster.local', '*.apps.example.com'], routes: [HEALTHZ] });
  return { default: 'other', services: list };
}

let counting: CompiledFilter;
before(async () => {
  counting = await SimulatedEnvoy.compile(await countingModule());
});

/** Operations of one request (after a warm-up one that defines its metrics) for each authority. */
async function requestOps(config: object, authorities: string[]): Promise<Array<{ ops: bigint; op: string | undefined }>> {
  const host = await SimulatedEnvoy.start({ wasm: counting, pluginConfig: config });
  assert.equal(host.configured, true, host.startError);
  try {
    return authorities.map((authority) => {
      host.request({ authority, path: '/healthz' });
      let op: string | undefined;
      const ops = opsDuring(host, () => {
        op = host.request({ authority, path: '/healthz' }).filterState[OP];
      });
      return { ops, op };
    });
  } finally {
    host.stop();
  }
}

describe('services: host selection cost', () => {
  const AUTHORITIES = ['target.ns.svc.cluster.local:8080', 'a.b.apps.example.com', 'nobody.example.org', '[::1]:80'];

  test('is flat in the number of services (10 → 1,000)', async () => {
    const few = await requestOps(services(10), AUTHORITIES);
    const many = await requestOps(services(999), AUTHORITIES); // with the target: 1,000, the most a configuration may have
    assert.deepEqual(many.map((r) => r.op), ['GET /healthz', 'GET /healthz', 'other', 'other']);
    assert.deepEqual(few.map((r) => r.op), many.map((r) => r.op));
    AUTHORITIES.forEach((a, i) => {
      const ratio = Number(many[i]!.ops) / Number(few[i]!.ops);
      // a linear scan over 100× the hosts would be ~100× the work; hashing leaves collisions only
      assert.ok(ratio < 1.2, `${a}: 10 → 1,000 services: ${few[i]!.ops} → ${many[i]!.ops} operations (×${ratio.toFixed(2)})`);
    });
  });

  test('a long authority costs no more than a 253-byte one: at most one host name is looked at', async () => {
    const config = services(10);
    const [bounded, long, huge] = await requestOps(config, [
      'a'.repeat(240) + '.example.org', 'a'.repeat(4096) + '.example.org', 'a.'.repeat(32 * 1024) + 'apps.example.com',
    ]);
    for (const r of [bounded, long, huge]) assert.equal(r!.op, 'other');
    // The module copies the header in (host memory), then looks at ≤ 255 bytes of it.
    assert.ok(long!.ops <= bounded!.ops + 64n, `253 → 4 KiB authority: ${bounded!.ops} → ${long!.ops} operations`);
    assert.ok(huge!.ops <= bounded!.ops + 64n, `253 B → 64 KiB of labels: ${bounded!.ops} → ${huge!.ops} operations`);
  });
});
