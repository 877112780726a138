// Simulated Envoy host: configuration and body buffers (proxy_get_buffer_bytes).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { after, event, messages, startFixture } from '../fixtures/host-fixtures.ts';

const OK = 0;
const NOT_FOUND = 1;
const UNSET = 0xffffffff; // the fixture's sentinel: the host wrote nothing

describe('host: buffers', async () => {
  const host = await startFixture('host-buffers.wat', { pluginConfig: '{"routes":[]}', vmConfig: 'vm-config' });
  const start = messages(host.logs);

  test('PluginConfiguration is NotFound in on_vm_start', () => {
    assert.deepEqual(event(start, 'vm_start.plugin_config'), [NOT_FOUND, UNSET, UNSET, 0]);
  });

  test('VmConfiguration is readable in on_vm_start', () => {
    assert.deepEqual(event(start, 'vm_start.vm_config')?.slice(0, 1), [OK]);
    assert.equal(after(start, 'vm_start.vm_config'), 'vm-config');
  });

  test('PluginConfiguration is readable in on_configure (one malloc, exact bytes)', () => {
    const [code, ptr, size, mallocs] = event(start, 'configure.full')!;
    assert.equal(code, OK);
    assert.notEqual(ptr, 0);
    assert.equal(size, 13);
    assert.equal(mallocs, 1);
    assert.equal(after(start, 'configure.full'), '{"routes":[]}');
  });

  test('partial reads honour start and length', () => {
    assert.deepEqual(event(start, 'configure.partial')?.[2], 3);
    assert.equal(after(start, 'configure.partial'), '"ro');
  });

  test('length 0 → Ok with ptr 0 / size 0 and no malloc', () => {
    assert.deepEqual(event(start, 'configure.zero_length'), [OK, 0, 0, 0]);
  });

  test('start past the end → Ok with ptr 0 / size 0 and no malloc', () => {
    assert.deepEqual(event(start, 'configure.start_past_end'), [OK, 0, 0, 0]);
  });

  test('in a stream: PluginConfiguration NotFound, VmConfiguration clamped to its size', () => {
    const r = host.request({ method: 'POST', path: '/', body: 'body-bytes' });
    const logs = messages(r.logs);
    assert.deepEqual(event(logs, 'request_headers.plugin_config'), [NOT_FOUND, UNSET, UNSET, 0]);
    assert.equal(event(logs, 'request_headers.vm_config')?.[2], 9);
    assert.equal(after(logs, 'request_headers.vm_config'), 'vm-config');
    assert.equal(event(logs, 'request_body')?.[2], 10);
    assert.equal(after(logs, 'request_body'), 'body-bytes');
  });
});
