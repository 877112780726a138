// Simulated Envoy host: header maps — availability windows, mutations, serialization.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodePairs, encodePairs } from '../../host/index.ts';
import { after, event, messages, startFixture } from '../fixtures/host-fixtures.ts';

const OK = 0;
const NOT_FOUND = 1;
const BAD_ARGUMENT = 2;

describe('host: header maps', async () => {
  const host = await startFixture('host-headers.wat');
  const r = host.request({
    path: '/p?q=1',
    authority: 'svc',
    headers: [['x-multi', 'a'], ['X-Multi', 'b'], ['x-removed', 'gone'], ['x-replaced', 'old1'], ['x-replaced', 'old2']],
    requestId: 'rid',
    status: 200,
  });
  const logs = messages(r.logs);

  test('request headers are readable in on_request_headers; keys are case-insensitive', () => {
    assert.deepEqual(event(logs, 'rh.path'), [OK, 6]);
    assert.equal(after(logs, 'rh.path'), '/p?q=1');
  });

  test('a repeated header returns its first value', () => {
    assert.equal(after(logs, 'rh.multi'), 'a');
  });

  test('a missing key is NotFound', () => {
    assert.deepEqual(event(logs, 'rh.missing'), [NOT_FOUND, 0xffffffff]);
  });

  test('add / remove / replace act on the live map', () => {
    assert.deepEqual([event(logs, 'rh.add'), event(logs, 'rh.remove'), event(logs, 'rh.replace')], [[OK], [OK], [OK]]);
    const forwarded = r.requestHeaders;
    assert.deepEqual(forwarded.filter(([k]) => k.startsWith('x-')), [
      ['x-multi', 'a'], ['x-multi', 'b'], ['x-request-id', 'rid'], ['x-forwarded-proto', 'http'], ['x-added', 'yes'], ['x-replaced', 'new'],
    ]);
    assert.deepEqual(forwarded.slice(0, 4).map(([k]) => k), [':authority', ':path', ':method', ':scheme']);
  });

  test('response headers are BadArgument during on_request_headers', () => {
    assert.deepEqual(event(logs, 'rh.response_status'), [BAD_ARGUMENT, 0xffffffff]);
  });

  test('get_header_map_size returns the byte size of the map', () => {
    // sizes seen by the module in on_request_headers, after its own mutations
    const map: [string, string][] = [
      [':authority', 'svc'], [':path', '/p?q=1'], [':method', 'GET'], [':scheme', 'http'],
      ['x-multi', 'a'], ['x-multi', 'b'], ['x-request-id', 'rid'], ['x-forwarded-proto', 'http'], ['x-added', 'yes'], ['x-replaced', 'new'],
    ];
    const bytes = map.reduce((n, [k, v]) => n + k.length + v.length, 0);
    assert.deepEqual(event(logs, 'rh.size'), [OK, bytes]);
  });

  test('after Continue: request header value → BadArgument, pairs → Ok and empty (ptr 0, size 0)', () => {
    assert.deepEqual(event(logs, 'resp.request_path'), [BAD_ARGUMENT, 0xffffffff]);
    assert.deepEqual(event(logs, 'resp.request_pairs'), [OK, 0, 0]);
    assert.equal(event(logs, 'resp.add_request')?.[0], BAD_ARGUMENT);
  });

  test('response headers are readable in on_response_headers', () => {
    assert.deepEqual(event(logs, 'resp.status'), [OK, 3]);
    assert.equal(after(logs, 'resp.status'), '200');
  });

  test('on_log reads the access-log copies but cannot mutate them', () => {
    assert.equal(after(logs, 'log.path'), '/p?q=1');
    assert.equal(after(logs, 'log.status'), '200');
    assert.equal(after(logs, 'log.added'), 'yes');
    assert.deepEqual(event(logs, 'log.add'), [BAD_ARGUMENT]);
    assert.deepEqual(event(logs, 'log.size'), [BAD_ARGUMENT, 0xffffffff]);
    assert.deepEqual(event(logs, 'log.request_trailers'), [NOT_FOUND, 0xffffffff]);
  });

  test('pairs serialization: u32 N, N×(u32 key len, u32 value len), then key\\0value\\0', () => {
    const [code, ptr, size] = event(logs, 'log.request_pairs')!;
    assert.equal(code, OK);
    assert.notEqual(ptr, 0);
    const raw = Buffer.from(after(logs, 'log.request_pairs')!, 'utf8');
    assert.equal(raw.length, size);
    const expected = r.requestHeaders;
    assert.deepEqual(decodePairs(raw), expected);
    assert.deepEqual(raw, Buffer.from(encodePairs(expected.map(([k]) => k), expected.map(([, v]) => v))));
    assert.equal(raw.readUInt32LE(0), expected.length);
    assert.equal(raw.readUInt32LE(4), ':authority'.length);
    assert.equal(raw.readUInt32LE(8), 'svc'.length);
    assert.equal(raw.subarray(4 + 8 * expected.length, 4 + 8 * expected.length + 15).toString('latin1'), ':authority\0svc\0');
  });

  test('the response-side log sees a reset stream with no response headers as NotFound', () => {
    const rr = host.request({ reset: true });
    assert.deepEqual(event(messages(rr.logs), 'log.status'), [NOT_FOUND, 0xffffffff]);
  });
});
