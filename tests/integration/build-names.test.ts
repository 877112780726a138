// scripts/wasm-names.ts: the release module ships without a name section (it traps with a bare
// `unreachable`, asconfig.json `use abort=`), and its function names are kept beside it in
// build/route-metrics.wasm.names, so that a backtrace from Envoy's log maps back to functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { splitNames, namesFile } from '../../scripts/wasm-names.ts';
import { RELEASE_WASM } from '../support/filter.ts';

const WAT = `(module
  (import "env" "host_thing" (func $host_thing (param i32)))
  (func $first (result i32) i32.const 1)
  (func $second (param i32) local.get 0 call $host_thing)
  (export "second" (func $second)))`;

async function named(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('t.wat', WAT);
  const { buffer } = mod.toBinary({ write_debug_names: true });
  mod.destroy();
  return buffer;
}

function customSections(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let at = 8;
  const leb = () => { let r = 0, s = 0, b; do { b = bytes[at++]!; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r; };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    const end = at + size;
    if (id === 0) { const n = leb(); out.push(Buffer.from(bytes.subarray(at, at + n)).toString()); }
    at = end;
  }
  return out;
}

test('splitNames drops the name section, keeps every other byte, and returns the function names by index', async () => {
  const bytes = await named();
  assert.ok(customSections(bytes).includes('name'), 'the fixture has names');
  const { module, functions } = splitNames(bytes);
  assert.deepEqual(customSections(module), []);
  assert.deepEqual([...functions], [[0, 'host_thing'], [1, 'first'], [2, 'second']]);
  assert.equal(namesFile(functions), '0 host_thing\n1 first\n2 second\n');
  const wabt = await wabtInit();
  const plain = wabt.readWasm(module, { readDebugNames: false });
  plain.validate(); // still a valid module
  assert.match(plain.toText({}), /\(export "second"/);
  plain.destroy();
  assert.ok(module.length < bytes.length);
});

test('splitNames refuses what is not a module and a section that runs past the end', () => {
  assert.throws(() => splitNames(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /not a wasm module/);
  assert.throws(() => splitNames(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0x7f])), /runs past the end/);
});

test('the release module has no name section, and its .names file names every function it defines', async () => {
  const bytes = readFileSync(RELEASE_WASM);
  assert.deepEqual(customSections(bytes).filter((n) => n === 'name'), []);
  const lines = readFileSync(`${RELEASE_WASM}.names`, 'utf8').trimEnd().split('\n');
  const wabt = await wabtInit();
  const mod = wabt.readWasm(bytes, { readDebugNames: false });
  const wat = mod.toText({ foldExprs: false, inlineExport: false });
  mod.destroy();
  const defined = [...wat.matchAll(/^\s*\(func \(;(\d+);\)/gm)].length;
  const imported = [...wat.matchAll(/\(import "[^"]+" "[^"]+" \(func/g)].length;
  assert.equal(lines.length, defined + imported);
  lines.forEach((line, i) => assert.match(line, new RegExp(`^${i} \\S`)));
  assert.ok(lines.some((l) => / assembly\/filter\/dispatch\/proxy_on_request_headers$/.test(l)), 'our sources are named');
});
