// The dev proxy's data path in-process, with a fixture filter that can answer by itself or trap
// (tests/fixtures/host-trap.wat): a plugin's local reply replaces the upstream exchange, and a
// failed VM answers 503 (FAIL_CLOSE) or is bypassed (FAIL_OPEN), as Envoy does.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { DevProxy, type StreamRecord } from '../../cli/mesh/dev-proxy.ts';
import { startFixture } from '../fixtures/host-fixtures.ts';
import type { FailStrategy } from '../../host/index.ts';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function upstream(): Promise<{ url: URL; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`upstream saw ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}`), hits: () => hits };
}

async function proxyWith(failStrategy: FailStrategy) {
  const up = await upstream();
  const envoy = await startFixture('host-trap.wat', { failStrategy });
  assert.equal(envoy.configured, true, envoy.startError);
  const proxy = new DevProxy({ envoy, upstream: up.url, routeAttribute: 'wasm.seen' });
  const port = await proxy.listen('127.0.0.1', 0);
  const records: StreamRecord[] = [];
  proxy.onRecord((r) => records.push(r));
  cleanups.push(async () => {
    await proxy.close(1000);
    envoy.stop();
  });
  return { base: `http://127.0.0.1:${port}`, up, records, envoy };
}

describe('dev proxy: the filter decides', () => {
  test('a plugin local reply replaces the upstream exchange', { timeout: 20_000 }, async () => {
    const { base, up, records } = await proxyWith('FAIL_CLOSE');
    const ok = await fetch(`${base}/fine`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'upstream saw /fine');
    const deny = await fetch(`${base}/deny`);
    assert.equal(deny.status, 403);
    assert.equal(deny.headers.get('x-why'), 'test');
    assert.equal(await deny.text(), 'nope'); // the body; "denied by plugin" is the response code details
    assert.equal(up.hits(), 1, 'the denied request never reached the upstream');
    assert.deepEqual(records.map((r) => [r.path, r.status, r.route]), [['/fine', 200, 'yes'], ['/deny', 403, 'yes']]);
    assert.ok(records.every((r) => r.durationMs > 0 && r.filterMicros > 0));
  });

  test('FAIL_CLOSE: a trap answers 503 for this and every later request', { timeout: 20_000 }, async () => {
    const { base, up, envoy } = await proxyWith('FAIL_CLOSE');
    assert.equal((await fetch(`${base}/trap`)).status, 503);
    assert.equal(envoy.failed, true);
    assert.equal((await fetch(`${base}/later`)).status, 503);
    assert.equal(up.hits(), 0);
  });

  test('FAIL_OPEN: the trapping request and later ones go through without the filter', { timeout: 20_000 }, async () => {
    const { base, up, records } = await proxyWith('FAIL_OPEN');
    assert.equal((await fetch(`${base}/trap`)).status, 200);
    assert.equal((await fetch(`${base}/later`)).status, 200);
    assert.equal(up.hits(), 2);
    assert.equal(records.length, 2);
    assert.equal(records[1]!.route, null, 'the filter is skipped once the VM failed');
  });
});
