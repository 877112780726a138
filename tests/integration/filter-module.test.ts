// The built module must load under Envoy's link rules: only imports Envoy registers for the ABI the
// module advertises (0.2.0 for proxy-runtime 0.1.8), with the exact signatures; no env.abort, no
// 0.1.0-only functions. Checked on the binary with wabt, independently of the simulated host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { RELEASE_WASM, DEBUG_WASM } from '../support/filter.ts';

// Envoy (proxy-wasm-cpp-host) signatures for what the filter may import, ABI 0.2.x.
const ENVOY_IMPORTS: Record<string, string> = {
  'env.proxy_log': '(i32, i32, i32) -> i32',
  'env.proxy_get_property': '(i32, i32, i32, i32) -> i32',
  'env.proxy_set_property': '(i32, i32, i32, i32) -> i32',
  'env.proxy_get_header_map_value': '(i32, i32, i32, i32, i32) -> i32',
  'env.proxy_get_header_map_pairs': '(i32, i32, i32) -> i32',
  'env.proxy_get_buffer_bytes': '(i32, i32, i32, i32, i32) -> i32',
  'env.proxy_set_effective_context': '(i32) -> i32',
  'env.proxy_get_current_time_nanoseconds': '(i32) -> i32',
  'env.proxy_define_metric': '(i32, i32, i32, i32) -> i32',
  'env.proxy_increment_metric': '(i32, i64) -> i32',
  'env.proxy_record_metric': '(i32, i64) -> i32',
  'env.proxy_get_metric': '(i32, i32) -> i32',
  'env.proxy_continue_stream': '(i32) -> i32',
  'env.proxy_call_foreign_function': '(i32, i32, i32, i32, i32, i32) -> i32',
  'wasi_unstable.proc_exit': '(i32) -> ()',
  'wasi_unstable.fd_write': '(i32, i32, i32, i32) -> i32',
};

interface Sections { imports: Map<string, string>; exports: Set<string> }

async function sections(file: string): Promise<Sections> {
  const wabt = await wabtInit();
  const mod = wabt.readWasm(readFileSync(file), { readDebugNames: false });
  const wat = mod.toText({ foldExprs: false, inlineExport: false });
  mod.destroy();
  const types = new Map<string, string>();
  for (const m of wat.matchAll(/\(type \(;(\d+);\) \(func(?: \(param ([^)]*)\))?(?: \(result ([^)]*)\))?\)\)/g)) {
    const params = (m[2] ?? '').trim().split(/\s+/).filter(Boolean).join(', ');
    types.set(m[1], `(${params}) -> ${m[3] ? m[3].trim() : '()'}`);
  }
  const imports = new Map<string, string>();
  for (const m of wat.matchAll(/\(import "([^"]+)" "([^"]+)" \(func (?:\(;\d+;\) )?\(type (\d+)\)\)\)/g)) {
    imports.set(`${m[1]}.${m[2]}`, types.get(m[3]) ?? '?');
  }
  const exports = new Set<string>();
  for (const m of wat.matchAll(/\(export "([^"]+)"/g)) exports.add(m[1]);
  return { imports, exports };
}

for (const [label, file] of [['release', RELEASE_WASM], ['debug', DEBUG_WASM]] as const) {
  test(`${label} build imports only what Envoy provides for ABI 0.2.0, with Envoy's signatures`, async () => {
    const { imports } = await sections(file);
    assert.ok(imports.size > 0, 'the module imports host functions');
    for (const [name, sig] of imports) {
      assert.ok(name in ENVOY_IMPORTS, `unexpected import ${name} ${sig}: Envoy would refuse to load the module`);
      assert.equal(sig, ENVOY_IMPORTS[name], `signature of ${name}`);
    }
    assert.ok(!imports.has('env.abort'), 'env.abort is not provided by Envoy');
    assert.ok(!imports.has('env.proxy_clear_route_cache'), 'proxy_clear_route_cache is ABI 0.1.0 only');
    assert.ok(!imports.has('env.proxy_get_log_level'), 'proxy_get_log_level is ABI 0.2.1 only');
  });

  test(`${label} build exports the ABI marker, malloc and the stream callbacks`, async () => {
    const { exports } = await sections(file);
    for (const name of ['proxy_abi_version_0_2_0', 'malloc', 'memory', 'proxy_on_context_create', 'proxy_on_vm_start',
      'proxy_on_configure', 'proxy_on_request_headers', 'proxy_on_response_headers', 'proxy_on_log', 'proxy_on_done',
      'proxy_on_delete']) {
      assert.ok(exports.has(name), `missing export ${name}`);
    }
    const markers = [...exports].filter((e) => e.startsWith('proxy_abi_version_'));
    assert.deepEqual(markers, ['proxy_abi_version_0_2_0']);
  });
}
