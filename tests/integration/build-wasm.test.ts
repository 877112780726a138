// scripts/wasm-build.ts: `npm start`, `npm run package` and `npm run bench` compile only the asc
// targets whose inputs changed (by content, not mtime) or whose outputs are missing, say what they
// do on one progress line each, and drop asc's "Last converge was suboptimal." note. Run here with
// a stand-in compiler in a scratch tree, so the real build/ is never touched.
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildWasm, inputDigest, STAMP_FILE, targetsOf, withoutConvergeNote, type Compile } from '../../scripts/wasm-build.ts';

let root: string;
let compiled: string[];
let lines: string[];
let failing: Set<string>;

/** Writes the target's outputs like asc would; fails for targets in `failing`. */
const fakeCompile: Compile = async (r, target) => {
  if (failing.has(target)) throw new Error(`asc --target ${target}: 1 compile error(s)`);
  compiled.push(target);
  for (const out of targetsOf(r).find((t) => t.name === target)!.outputs) {
    mkdirSync(dirname(join(r, out)), { recursive: true });
    writeFileSync(join(r, out), `${target} of ${readFileSync(join(r, 'assembly/index.ts'), 'utf8')}`);
  }
};

const run = (ifChanged = true) => buildWasm({ root, ifChanged, compile: fakeCompile, log: (l) => lines.push(l) });
const put = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rm-build-'));
  compiled = [];
  lines = [];
  failing = new Set();
  put('asconfig.json', JSON.stringify({
    entries: ['assembly/index.ts'],
    targets: {
      release: { outFile: 'build/x.wasm', textFile: 'build/x.wat' },
      debug: { outFile: 'build/x.debug.wasm', sourceMap: true },
    },
  }));
  put('assembly/index.ts', 'export function f(): i32 { return 1; }\n');
  put('assembly/routes/table.ts', 'export const N = 1;\n');
  put('node_modules/@solo-io/proxy-runtime/assembly/index.ts', '// sdk\n');
  put('node_modules/assemblyscript/package.json', '{"version":"0.27.37"}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('build only when sources changed', () => {
  test('targets and their outputs come from asconfig.json', () => {
    assert.deepEqual(targetsOf(root), [
      { name: 'release', outputs: ['build/x.wasm', 'build/x.wat', 'build/x.wasm.names'] },
      { name: 'debug', outputs: ['build/x.debug.wasm', 'build/x.debug.wasm.map'] },
    ]);
  });

  test('first run compiles both targets, the second none; each step is one progress line', async () => {
    await run();
    assert.deepEqual(compiled, ['release', 'debug']);
    assert.match(lines[0]!, /^build: compiling the release target \(build\/x\.wasm is missing\) …$/);
    assert.match(lines[1]!, /^build: release → build\/x\.wasm in \d+\.\d s$/);
    compiled = [];
    lines = [];
    const second = await run();
    assert.deepEqual(compiled, []);
    assert.deepEqual(second.map((r) => [r.name, r.built]), [['release', false], ['debug', false]]);
    assert.deepEqual(lines, ['build: release and debug up to date (inputs unchanged since the last build)']);
  });

  test('a new mtime with the same content is no change; a changed byte anywhere under assembly/ is', async () => {
    await run();
    compiled = [];
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'assembly/routes/table.ts'), later, later);
    await run();
    assert.deepEqual(compiled, []);
    put('assembly/routes/table.ts', 'export const N = 2;\n');
    await run();
    assert.deepEqual(compiled, ['release', 'debug']);
    assert.ok(lines.some((l) => /compiling the release target \(assembly\/ .*changed\)/.test(l)), lines.join('\n'));
  });

  test('the patched SDK, asconfig.json and the compiler version are inputs too; a new file is a change', async () => {
    await run();
    for (const [file, text] of [['node_modules/@solo-io/proxy-runtime/assembly/index.ts', '// patched\n'], ['node_modules/assemblyscript/package.json', '{"version":"0.27.38"}'], ['assembly/new.ts', '']]) {
      const before = inputDigest(root);
      put(file!, text!);
      assert.notEqual(inputDigest(root), before, file);
    }
    compiled = [];
    await run();
    assert.deepEqual(compiled, ['release', 'debug']);
  });

  test('a missing output rebuilds only its target', async () => {
    await run();
    compiled = [];
    rmSync(join(root, 'build/x.debug.wasm.map'));
    await run();
    assert.deepEqual(compiled, ['debug']);
    assert.ok(lines.some((l) => l.includes('(build/x.debug.wasm.map is missing)')));
  });

  test('a failed compile is not recorded: the next run tries again', async () => {
    await run();
    put('assembly/index.ts', 'broken\n');
    failing.add('release');
    await assert.rejects(run(), /asc --target release: 1 compile error/);
    failing.clear();
    compiled = [];
    await run();
    assert.deepEqual(compiled, ['release', 'debug'], 'release was never recorded, debug was not reached after the failure');
  });

  test('without ifChanged (npm run build) every target compiles, and the record is kept up to date', async () => {
    await run(false);
    await run(false);
    assert.deepEqual(compiled, ['release', 'debug', 'release', 'debug']);
    const stamps = JSON.parse(readFileSync(join(root, STAMP_FILE), 'utf8'));
    assert.deepEqual(stamps, { release: inputDigest(root), debug: inputDigest(root) });
    compiled = [];
    await run(true);
    assert.deepEqual(compiled, []);
  });

  test('a build record written by hand cannot hide missing outputs', async () => {
    put(STAMP_FILE, JSON.stringify({ release: inputDigest(root), debug: inputDigest(root) }));
    assert.equal(existsSync(join(root, 'build/x.wasm')), false);
    await run();
    assert.deepEqual(compiled, ['release', 'debug']);
  });
});

describe("asc's converge note", () => {
  test('is dropped; every other line of asc output is kept', () => {
    assert.equal(withoutConvergeNote('Last converge was suboptimal.\n'), '');
    assert.equal(withoutConvergeNote('WARNING AS201: something\nLast converge was suboptimal.\n'), 'WARNING AS201: something\n');
    assert.equal(withoutConvergeNote('ERROR TS2304: Cannot find name\n'), 'ERROR TS2304: Cannot find name\n');
  });
});
