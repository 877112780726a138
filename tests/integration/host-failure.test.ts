// Simulated Envoy host: traps (fail-closed / fail-open), proc_exit, local replies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { after, messages, startFixture } from '../fixtures/host-fixtures.ts';

const TRAP = 'Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable';

describe('host: VM failure', () => {
  test('FAIL_CLOSE: the trapping stream and every later one get 503 wasm_fail_stream, with no module calls', async () => {
    const host = await startFixture('host-trap.wat');
    const ok = host.request({ path: '/ok' });
    assert.equal(ok.filterState['wasm.seen'], 'yes');
    assert.equal(ok.response?.status, 200);

    const bad = host.request({ path: '/trap', responseBody: 'upstream' });
    assert.equal(bad.trapped, true);
    assert.equal(bad.trap, TRAP);
    assert.equal(bad.localReply?.status, 503);
    assert.equal(bad.localReply?.details, 'wasm_fail_stream');
    assert.equal(bad.response?.status, 503);
    assert.equal(bad.response?.body.length, 0, 'the upstream response is never sent');
    assert.deepEqual(bad.callbacks, ['proxy_on_request_headers'], 'no response/log/done/delete calls after the trap');
    assert.equal(host.failed, true);
    assert.ok(host.logsAtLeast('error').some((l) => l.message === TRAP && l.source === 'host'));

    const later = host.request({ path: '/ok' });
    assert.equal(later.trapped, false);
    assert.equal(later.localReply?.status, 503);
    assert.equal(later.localReply?.details, 'wasm_fail_stream');
    assert.deepEqual(later.callbacks, []);
    assert.deepEqual(later.hostCalls, {});
    assert.deepEqual(later.filterState, {});
  });

  test('FAIL_OPEN: the trapping stream continues without the filter; later streams skip it', async () => {
    const host = await startFixture('host-trap.wat', { failStrategy: 'FAIL_OPEN' });
    const bad = host.request({ path: '/trap', status: 201 });
    assert.equal(bad.trapped, true);
    assert.equal(bad.localReply, undefined);
    assert.equal(bad.response?.status, 201);
    assert.equal(bad.filterState['wasm.seen'], 'yes', 'state set before the trap stays');

    const later = host.request({ path: '/ok', status: 202 });
    assert.equal(later.skipped, true);
    assert.equal(later.response?.status, 202);
    assert.deepEqual(later.filterState, {});
    assert.deepEqual(later.callbacks, []);
  });

  test('proc_exit is recorded and the following unreachable traps', async () => {
    const host = await startFixture('host-trap.wat');
    const r = host.request({ path: '/exit' });
    assert.equal(host.procExitCode, 255);
    assert.equal(r.hostCalls.proc_exit, 1);
    assert.equal(r.trap, TRAP);
    assert.ok(r.logs.some((l) => l.source === 'host' && l.message === 'wasi_unstable proc_exit'));
  });

  test('a stream opened before the failure fails closed at its next callback', async () => {
    const host = await startFixture('host-trap.wat');
    const inflight = host.newStream();
    inflight.requestHeaders([[':path', '/ok'], [':method', 'GET'], [':authority', 'a'], [':scheme', 'http']], true);
    host.request({ path: '/trap' });
    inflight.responseHeaders([[':status', '200']], true);
    const r = inflight.complete();
    assert.equal(r.localReply?.details, 'wasm_fail_stream');
    assert.equal(r.response?.status, 503);
    assert.deepEqual(r.callbacks, ['proxy_on_request_headers']);
  });
});

describe('host: local replies', () => {
  test('proxy_send_local_response is deferred, then runs through the same filter', async () => {
    const host = await startFixture('host-trap.wat');
    const r = host.request({ path: '/deny', status: 200, responseBody: 'upstream body' });
    assert.deepEqual(r.localReply, {
      status: 403,
      details: 'denied_by_plugin',
      body: 'nope',
      headers: [[':status', '403'], ['content-length', '4'], ['content-type', 'text/plain'], ['x-why', 'test']],
      source: 'plugin',
    });
    assert.equal(r.returnCodes.requestHeaders, 0, 'the module returned Continue');
    const logs = messages(r.logs);
    assert.equal(logs[0], 'send_local_response(0)');
    assert.equal(after(logs, 'response_headers.status'), '403', 'on_response_headers sees the local reply');
    assert.equal(r.response?.status, 403);
    assert.equal(Buffer.from(r.response!.body).toString(), 'nope');
    assert.deepEqual(r.callbacks, [
      'proxy_on_request_headers', 'proxy_on_response_headers', 'proxy_on_log', 'proxy_on_done', 'proxy_on_delete',
    ]);
    assert.equal(r.trapped, false);
  });
});
