// Simulated Envoy host: the order of callbacks Envoy makes, as the module observes it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messages, startFixture } from '../fixtures/host-fixtures.ts';

describe('host: lifecycle', () => {
  test('root context: on_context_create(1,0) → on_vm_start(1, vm config size) → on_configure(1, config size)', async () => {
    const host = await startFixture('host-lifecycle.wat', { vmConfig: 'vm', pluginConfig: '{"a":1}' });
    assert.equal(host.configured, true, host.startError);
    assert.deepEqual(messages(host.logs), ['context_create(1,0)', 'vm_start(1,2)', 'configure(1,7)']);
    assert.deepEqual(host.rootCallbacks.map((c) => c.callback), ['proxy_on_context_create', 'proxy_on_vm_start', 'proxy_on_configure']);
  });

  test('an undefined pluginConfig has size 0; a string is passed as-is', async () => {
    const a = await startFixture('host-lifecycle.wat');
    assert.ok(messages(a.logs).includes('configure(1,0)'));
    const b = await startFixture('host-lifecycle.wat', { pluginConfig: 'abc' });
    assert.ok(messages(b.logs).includes('configure(1,3)'));
  });

  test('HTTP stream: create → request headers/body/trailers → response headers/body/trailers → log → done → delete', async () => {
    const host = await startFixture('host-lifecycle.wat');
    host.clearLogs();
    const r = host.request({
      method: 'POST', path: '/x', body: 'hello', trailers: { 't': '1' },
      responseBody: 'world!', responseTrailers: { 'u': '2' },
    });
    // request headers: :authority :path :method :scheme content-length x-request-id x-forwarded-proto
    assert.deepEqual(messages(r.logs), [
      'context_create(2,1)',
      'request_headers(2,7,0)',
      'set_effective_context(2,0)',
      'request_body(2,5,0)',
      'request_trailers(2,1)',
      'response_headers(2,2,0)',
      'response_body(2,6,0)',
      'response_trailers(2,1)',
      'log(2)',
      'done(2)',
      'delete(2)',
    ]);
    assert.equal(r.contextId, 2);
    assert.deepEqual(r.returnCodes, { requestHeaders: 0, requestBody: 0, requestTrailers: 0, responseHeaders: 0, responseBody: 0, responseTrailers: 0, done: 1 });
    assert.equal(r.hostCalls.proxy_set_effective_context, 2);
    assert.ok(r.hostCalls.proxy_log! >= 11);
  });

  test('end_of_stream flags for headers-only exchanges; context ids increase', async () => {
    const host = await startFixture('host-lifecycle.wat');
    host.request({});
    const r = host.request({ path: '/b' });
    assert.deepEqual(messages(r.logs).filter((m) => /headers/.test(m)), ['request_headers(3,6,1)', 'response_headers(3,1,1)']);
  });

  test('a reset stream gets no response callbacks but is still logged, done and deleted', async () => {
    const host = await startFixture('host-lifecycle.wat');
    const r = host.request({ path: '/reset', reset: true });
    assert.deepEqual(messages(r.logs).map((m) => m.replace(/\(.*/, '')), [
      'context_create', 'request_headers', 'set_effective_context', 'log', 'done', 'delete',
    ]);
    assert.equal(r.reset, true);
    assert.equal(r.response, undefined);
  });

  test('the low-level stream API creates the context lazily at the request headers', async () => {
    const host = await startFixture('host-lifecycle.wat');
    host.clearLogs();
    const s = host.newStream();
    assert.deepEqual(messages(host.logs), []);
    s.requestHeaders([[':method', 'GET'], [':path', '/'], [':authority', 'a'], [':scheme', 'http']], true);
    assert.deepEqual(messages(host.logs), ['context_create(2,1)', 'request_headers(2,4,1)', 'set_effective_context(2,0)']);
    s.responseHeaders([[':status', '204']], true);
    const r = s.complete({ durationMs: 3 });
    assert.deepEqual(r.callbacks, [
      'proxy_on_context_create', 'proxy_on_request_headers', 'proxy_on_response_headers', 'proxy_on_log', 'proxy_on_done', 'proxy_on_delete',
    ]);
    assert.throws(() => s.complete(), /already completed/);
  });

  test('a stream completed without request headers is created in the access-log phase', async () => {
    const host = await startFixture('host-lifecycle.wat');
    const r = host.newStream().complete();
    assert.deepEqual(messages(r.logs), ['context_create(2,1)', 'log(2)', 'done(2)', 'delete(2)']);
  });

  test('stop(): on_done(root) then on_delete(root)', async () => {
    const host = await startFixture('host-lifecycle.wat');
    host.clearLogs();
    host.stop();
    assert.deepEqual(messages(host.logs), ['done(1)', 'delete(1)']);
    assert.throws(() => host.request({}), /stopped/);
  });

  test('reconfigure (Envoy): canary VM, then a new root context; the old root is retired', async () => {
    const host = await startFixture('host-lifecycle.wat', { pluginConfig: 'a' });
    host.clearLogs();
    assert.equal(host.reconfigure('bcd'), true);
    const main = host.logs.filter((l) => l.source === 'plugin' && !l.vm).map((l) => l.message);
    const canary = host.logs.filter((l) => l.vm === 'canary').map((l) => l.message);
    assert.deepEqual(canary, ['context_create(1,0)', 'vm_start(1,0)', 'configure(1,3)']);
    assert.deepEqual(main, ['context_create(2,0)', 'vm_start(2,0)', 'configure(2,3)', 'done(1)', 'delete(1)']);
    assert.equal(host.rootContextId, 2);
    const r = host.request({});
    assert.equal(messages(r.logs)[0], 'context_create(3,2)');
  });

  test("reconfigure mode 'same-root' calls on_configure again on the current root", async () => {
    const host = await startFixture('host-lifecycle.wat', { pluginConfig: 'a' });
    host.clearLogs();
    assert.equal(host.reconfigure('bc', { mode: 'same-root' }), true);
    assert.deepEqual(messages(host.logs), ['configure(1,2)']);
  });
});
