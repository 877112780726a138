// Simulated Envoy host: WASI functions and start-up restrictions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { event, messages, startFixture } from '../fixtures/host-fixtures.ts';

const NOW = 0x1_2345_6789n;

describe('host: WASI and start-up', () => {
  test('_initialize runs first; fd_write logs stdout at info and stderr at error (trailing newline dropped)', async () => {
    const host = await startFixture('host-wasi.wat', { clock: () => NOW });
    assert.equal(host.configured, true, host.startError);
    const plugin = host.logs.filter((l) => l.source === 'plugin');
    assert.equal(plugin[0]?.message, 'initialize()');
    assert.equal(plugin[0]?.contextId, 0, '_initialize runs on the VM context');
    assert.ok(plugin.some((l) => l.level === 'info' && l.message === 'hello, stdout'), 'iovecs concatenated, newline stripped');
    assert.ok(plugin.some((l) => l.level === 'error' && l.message === 'oops'));
    const logs = messages(host.logs);
    assert.deepEqual(event(logs, 'fd_write.stdout'), [0, 14]);
    assert.deepEqual(event(logs, 'fd_write.stderr'), [0, 4]);
    assert.deepEqual(event(logs, 'fd_write.fd3'), [8], 'other fds → EBADF');
    assert.deepEqual(event(logs, 'clock_time_get'), [0, Number(NOW & 0xffffffffn), Number(NOW >> 32n)]);
    assert.deepEqual(event(logs, 'clock_time_get.bad_clock'), [58]);
  });

  test('a restricted hostcall in _initialize traps and fails the start', async () => {
    const host = await startFixture('host-wasi.wat', {}, {
      ';; @in-initialize': '(drop (call $set_property (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))',
    });
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Function: _initialize failed: Uncaught RuntimeError: restricted_callback');
  });

  test('a hostcall from the start section (no context) fails instantiation', async () => {
    const host = await startFixture('host-wasi.wat', {}, {
      '(func (export "_initialize")': '(start $init) (func $init (export "_initialize")',
    });
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Failed to create new Wasm instance');
    assert.match(host.startErrors[1] ?? '', /proxy_log called with no current context/);
  });
});
