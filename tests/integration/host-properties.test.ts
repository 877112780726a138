// Simulated Envoy host: proxy_get_property / proxy_set_property.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { after, event, messages, startFixture } from '../fixtures/host-fixtures.ts';

const OK = 0;
const NOT_FOUND = 1;
const START_NS = 5_000_000_000n;

const lo = (n: bigint): number => Number(n & 0xffffffffn);
const hi = (n: bigint): number => Number(n >> 32n);

describe('host: properties', async () => {
  const host = await startFixture('host-properties.wat', { clock: () => START_NS, rootId: 'my-root' });
  const start = messages(host.logs);
  const r = host.request({
    path: '/a/b?x=1#frag',
    headers: [['x-multi', 'a'], ['x-multi', 'b']],
    status: 200,
    durationMs: 12,
  });
  const logs = messages(r.logs);

  test('no stream in on_configure: set_property and request.* are NotFound; plugin_root_id works', () => {
    assert.deepEqual(event(start, 'configure.set_property'), [NOT_FOUND]);
    assert.equal(event(start, 'configure.url_path')?.[0], NOT_FOUND);
    assert.equal(event(start, 'configure.root_id')?.[0], OK);
    assert.equal(after(start, 'configure.root_id'), 'my-root');
  });

  test('request.url_path strips the query (and Envoy already stripped the fragment)', () => {
    assert.equal(event(logs, 'rh.url_path')?.[0], OK);
    assert.equal(after(logs, 'rh.url_path'), '/a/b');
    assert.equal(after(logs, 'rh.path_trailing_nul'), '/a/b?x=1', 'a trailing \\0 is tolerated');
    assert.equal(after(logs, 'rh.query'), 'x=1');
  });

  test('a dotted name is not a path: "request.url_path" is NotFound', () => {
    assert.equal(event(logs, 'rh.dotted')?.[0], NOT_FOUND);
  });

  test('response.code and request.duration are NotFound in on_request_headers', () => {
    assert.deepEqual(event(logs, 'rh.response_code'), [NOT_FOUND, 0, 0, 0]);
    assert.deepEqual(event(logs, 'rh.duration'), [NOT_FOUND, 0, 0, 0]);
  });

  test('request.headers.<name> joins repeated values with ","', () => {
    assert.equal(after(logs, 'rh.header_multi'), 'a,b');
  });

  test('connection.mtls is a 1-byte bool; source.port an int64', () => {
    assert.deepEqual(event(logs, 'rh.mtls'), [OK, 1, 0, 0]);
    assert.deepEqual(event(logs, 'rh.source_port'), [OK, 8, 34567, 0]);
  });

  test('request.time is int64 ns since the epoch', () => {
    assert.deepEqual(event(logs, 'rh.time'), [OK, 8, lo(START_NS), hi(START_NS)]);
  });

  test('set_property stores filter state "wasm.<name>"; bare-name and filter_state readback', () => {
    assert.deepEqual(event(logs, 'rh.set_property'), [OK]);
    assert.equal(after(logs, 'rh.readback'), 'op-1');
    assert.equal(after(logs, 'rh.filter_state'), 'op-1');
    assert.equal(r.filterState['wasm.istio_operationId'], 'op-1');
    assert.deepEqual([...r.filterStateBytes['wasm.istio_operationId']!], [...Buffer.from('op-1')]);
  });

  test('response.code is int64 LE from on_response_headers on; request.* are gone there', () => {
    assert.deepEqual(event(logs, 'resp.code'), [OK, 8, 200, 0]);
    assert.equal(event(logs, 'resp.url_path')?.[0], NOT_FOUND);
    assert.equal(event(logs, 'resp.duration')?.[0], NOT_FOUND);
  });

  test('on_log: request.duration (ns), request.url_path and response.code are available', () => {
    const ns = 12_000_000n;
    assert.deepEqual(event(logs, 'log.duration'), [OK, 8, lo(ns), hi(ns)]);
    assert.equal(after(logs, 'log.url_path'), '/a/b');
    assert.deepEqual(event(logs, 'log.code'), [OK, 8, 200, 0]);
  });

  test('an empty value comes back as ptr 0 / size 0 without calling malloc', () => {
    const plain = messages(host.request({ path: '/a/b' }).logs);
    assert.deepEqual(event(plain, 'rh.query'), [OK, 0, 0, 0]);
    // a non-empty value does call malloc once
    assert.deepEqual(event(plain, 'rh.url_path')?.slice(2), [4, 1]);
  });

  test('reset stream: no response.code even in on_log', () => {
    const reset = messages(host.request({ path: '/r', reset: true }).logs);
    assert.equal(event(reset, 'log.code')?.[0], NOT_FOUND);
    assert.equal(event(reset, 'log.duration')?.[0], OK);
  });

  test('missingProperties forces NotFound; properties override defaults', async () => {
    const h = await startFixture('host-properties.wat', {
      missingProperties: ['request.url_path'],
      properties: { 'source.port': 1234, 'connection.mtls': true },
    });
    const l = messages(h.request({ path: '/x' }).logs);
    assert.equal(event(l, 'rh.url_path')?.[0], NOT_FOUND);
    assert.equal(after(l, 'rh.path_trailing_nul'), '/x');
    assert.deepEqual(event(l, 'rh.source_port'), [OK, 8, 1234, 0]);
    assert.deepEqual(event(l, 'rh.mtls'), [OK, 1, 1, 0]);
  });

  test('a missing :path: request.path NotFound, request.url_path Ok and empty', async () => {
    const l = messages(host.request({ path: '/x', omitHeaders: [':path'] }).logs);
    assert.equal(event(l, 'rh.path_trailing_nul')?.[0], NOT_FOUND);
    assert.deepEqual(event(l, 'rh.url_path'), [OK, 0, 0, 0]);
  });
});
