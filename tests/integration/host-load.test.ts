// Simulated Envoy host: loading and linking rules (ABI marker, import signatures, malloc, start).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspectModule, SimulatedEnvoy } from '../../host/index.ts';
import { fixtureBytes, startFixture } from '../fixtures/host-fixtures.ts';

const MARKER = '(func (export "proxy_abi_version_0_2_0"))';
const IMPORT_HERE = ';; @import-here';

describe('host: module loading', () => {
  test('the minimal fixture loads and configures', async () => {
    const host = await startFixture('host-minimal.wat');
    assert.equal(host.startError, undefined);
    assert.equal(host.configured, true);
  });

  test('a module without an ABI marker is rejected', async () => {
    const host = await startFixture('host-minimal.wat', {}, { [MARKER]: '(func (export "proxy_abi_version_9_9_9"))' });
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Missing or unknown Proxy-Wasm ABI version');
    assert.ok(host.logsAtLeast('error').some((l) => l.message === 'Missing or unknown Proxy-Wasm ABI version'));
  });

  test('the first ABI marker in the export section wins', async () => {
    const bytes = await fixtureBytes('host-minimal.wat', {
      [MARKER]: '(func (export "proxy_abi_version_0_2_1")) (func (export "proxy_abi_version_0_1_0"))',
    });
    assert.equal(inspectModule(bytes).abi, '0.2.1');
  });

  test('env.abort (AssemblyScript default abort) is a missing import', async () => {
    const host = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]: '(import "env" "abort" (func (param i32 i32 i32 i32)))',
    });
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Failed to load Wasm module due to a missing import: env.abort');
  });

  test('an import with the wrong signature is rejected with both signatures', async () => {
    const host = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]: '(import "env" "proxy_get_property" (func (param i32 i32 i32) (result i32)))',
    });
    assert.equal(host.configured, false);
    assert.equal(
      host.startError,
      'Failed to load Wasm module due to an import type mismatch: env.proxy_get_property, ' +
        'want: i32 i32 i32 -> i32, but host exports: i32 i32 i32 i32 -> i32',
    );
  });

  test('i64 parameters are part of the signature (proxy_increment_metric)', async () => {
    const bad = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]: '(import "env" "proxy_increment_metric" (func (param i32 i32) (result i32)))',
    });
    assert.match(bad.startError ?? '', /import type mismatch: env.proxy_increment_metric, want: i32 i32 -> i32, but host exports: i32 i64 -> i32/);
    const good = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]: '(import "env" "proxy_increment_metric" (func (param i32 i64) (result i32)))',
    });
    assert.equal(good.configured, true, good.startError);
  });

  test('ABI 0.1.0-only proxy_clear_route_cache does not link under 0.2.0', async () => {
    const host = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]: '(import "env" "proxy_clear_route_cache" (func (result i32)))',
    });
    assert.equal(host.startError, 'Failed to load Wasm module due to a missing import: env.proxy_clear_route_cache');
  });

  test('proxy_get_log_level links under 0.2.1 only', async () => {
    const imp = { [IMPORT_HERE]: '(import "env" "proxy_get_log_level" (func (param i32) (result i32)))' };
    const v020 = await startFixture('host-minimal.wat', {}, imp);
    assert.equal(v020.startError, 'Failed to load Wasm module due to a missing import: env.proxy_get_log_level');
    const v021 = await startFixture('host-minimal.wat', {}, { ...imp, [MARKER]: '(func (export "proxy_abi_version_0_2_1"))' });
    assert.equal(v021.configured, true, v021.startError);
  });

  test('WASI functions link under both module names with their exact signatures', async () => {
    const ok = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]:
        '(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))' +
        '(import "wasi_unstable" "clock_time_get" (func (param i32 i64 i32) (result i32)))' +
        '(import "wasi_unstable" "proc_exit" (func (param i32)))',
    });
    assert.equal(ok.configured, true, ok.startError);
    const bad = await startFixture('host-minimal.wat', {}, {
      [IMPORT_HERE]: '(import "wasi_unstable" "clock_time_get" (func (param i32 i32 i32) (result i32)))',
    });
    assert.match(bad.startError ?? '', /import type mismatch: wasi_unstable.clock_time_get/);
  });

  test('a global import is a missing import', async () => {
    const host = await startFixture('host-minimal.wat', {}, { [IMPORT_HERE]: '(import "env" "g" (global i32))' });
    assert.equal(host.startError, 'Failed to load Wasm module due to a missing import: env.g');
  });

  test('a module without malloc is rejected', async () => {
    const host = await startFixture('host-minimal.wat', {}, { '(func $malloc (export "malloc")': '(func $malloc' });
    assert.equal(host.startError, 'Wasm module is missing malloc function.');
  });

  test('proxy_on_memory_allocate is accepted instead of malloc', async () => {
    const host = await startFixture('host-minimal.wat', {}, { '(export "malloc")': '(export "proxy_on_memory_allocate")' });
    assert.equal(host.configured, true, host.startError);
  });

  test('a callback export with the wrong signature fails the VM', async () => {
    const host = await startFixture('host-minimal.wat', {}, {
      '(func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))':
        '(func (export "proxy_on_configure") (param i32) (result i32) (i32.const 1))',
    });
    assert.equal(host.startError, 'Bad function signature for: proxy_on_configure, want: i32 i32 -> i32, but the module exports: i32 -> i32');
  });

  test('corrupt bytes are reported like Envoy', async () => {
    const host = await SimulatedEnvoy.start({ wasm: new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]) });
    assert.equal(host.startError, 'Failed to parse corrupted Wasm module');
  });

  test('inspectModule reports typed imports and exports', async () => {
    const info = inspectModule(await fixtureBytes('host-metrics.wat'));
    assert.equal(info.abi, '0.2.0');
    assert.deepEqual(info.imports.find((i) => i.name === 'proxy_increment_metric'), {
      module: 'env', name: 'proxy_increment_metric', kind: 'function', params: ['i32', 'i64'], results: ['i32'],
    });
    const malloc = info.exports.find((e) => e.name === 'malloc');
    assert.deepEqual([malloc?.params, malloc?.results], [['i32'], ['i32']]);
    assert.ok(info.exports.some((e) => e.name === 'memory' && e.kind === 'memory'));
  });
});

describe('host: start and configure', () => {
  test('on_configure returning false → not configured, Envoy message', async () => {
    const host = await startFixture('host-configure.wat');
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Failed to configure base Wasm plugin');
    assert.deepEqual(host.startErrors, ['Failed to configure base Wasm plugin', 'Unable to create Wasm HTTP filter default.route-metrics']);
    assert.throws(() => host.request({}), /not configured/);
  });

  test('a trap in on_configure → not configured, the trap message first', async () => {
    const host = await startFixture('host-configure.wat', { pluginConfig: { a: 1 } });
    assert.equal(host.configured, false);
    assert.equal(host.startError, 'Function: proxy_on_configure failed: Uncaught RuntimeError: unreachable');
    assert.equal(host.startErrors[1], 'Failed to configure base Wasm plugin');
    assert.equal(host.failed, true);
  });

  test('compiled modules are cached and shared by many hosts', async () => {
    const bytes = await fixtureBytes('host-minimal.wat');
    const compiled = await SimulatedEnvoy.compile(bytes);
    const a = await SimulatedEnvoy.start({ wasm: compiled });
    const b = await SimulatedEnvoy.start({ wasm: compiled.module });
    assert.equal(a.configured && b.configured, true);
    assert.equal(a.memoryPages(), 2);
  });

  test('a bare WebAssembly.Module still gets import-name checks', async () => {
    const bytes = await fixtureBytes('host-minimal.wat', { [IMPORT_HERE]: '(import "env" "abort" (func (param i32 i32 i32 i32)))' });
    const host = await SimulatedEnvoy.start({ wasm: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>) });
    assert.equal(host.startError, 'Failed to load Wasm module due to a missing import: env.abort');
  });
});
