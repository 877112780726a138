// The release build's literal table (scripts/utf8-literals.ts + assembly/text/literals.ts):
// a module compiled with the transform returns the same strings as one compiled without it,
// keeps them as pair-encoded UTF-8 instead of UTF-16, and the release build is compiled that way.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, before } from 'node:test';
import fc from 'fast-check';
import { pairDecode, pairEncode, worth } from '../../scripts/utf8-literals.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'tests/fixtures/utf8-literals';

async function compile(withTransform: boolean): Promise<Uint8Array> {
  const asc = (await import('assemblyscript/asc')).default;
  const out = join(mkdtempSync(join(tmpdir(), 'utf8-literals-')), 'fixture.wasm');
  const args = [`${FIXTURE}/index.ts`, '--config', `${FIXTURE}/asconfig.json`, '--baseDir', root, '-o', out];
  if (withTransform) args.push('--transform', './scripts/utf8-literals.ts');
  let errors = '';
  const r = await asc.main(args, { stdout: { write: () => true } as never, stderr: { write: (s: string | Uint8Array) => ((errors += String(s)), true) } as never });
  assert.equal(r.error, null, errors);
  return readFileSync(out);
}

type Exports = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };

function instantiate(bytes: Uint8Array): { call(name: string, ...args: number[]): string; raw: Exports } {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    env: { abort: () => { throw new Error('abort'); } },
  });
  const raw = instance.exports as unknown as Exports;
  const read = (ptr: number) => {
    const mem = new Uint8Array(raw.memory.buffer);
    const size = new DataView(raw.memory.buffer).getUint32(ptr - 4, true);
    return Buffer.from(mem.subarray(ptr, ptr + size)).toString('utf16le');
  };
  return { call: (name, ...args) => read(raw[name]!(...args)), raw };
}

/** The module's bytes: a UTF-16 or UTF-8 copy of a text shows up in them as a byte run. */
const dataSection = (bytes: Uint8Array) => Buffer.from(bytes);

const CASES: Array<[string, number[]]> = [
  ['long', []], ['greeting', []], ['greetingAgain', []], ['accented', []], ['astral', []], ['loneSurrogate', []], ['empty', []],
  ['name', [0]], ['name', [1]], ['name', [2]], ['methodOf', [0]], ['methodOf', [1]], ['concat', []], ['template', [42]],
  ['listItem', [0]], ['listItem', [1]], ['listItem', [2]], ['listItem', [3]], ['untypedItem', [2]], ['grownList', []],
  ['withEmptyItem', [0]], ['withEmptyItem', [1]],
  ['repetitive', [0]], ['repetitive', [1]], ['repetitive', [2]], ['repetitive', [3]],
];

describe('UTF-8 literal table (scripts/utf8-literals.ts)', () => {
  let plain: Uint8Array;
  let table: Uint8Array;
  before(async () => {
    plain = await compile(false);
    table = await compile(true);
  });

  it('returns the same strings as static UTF-16 literals, including non-ASCII and astral text', () => {
    const a = instantiate(plain);
    const b = instantiate(table);
    for (const [name, args] of CASES) assert.equal(b.call(name, ...args), a.call(name, ...args), `${name}(${args.join(',')})`);
    assert.equal(b.call('accented'), 'café, naïve, Zürich — déjà vu');
    assert.equal(b.call('astral'), 'emoji \u{1F600} and \u{10FFFF} outside the BMP');
    assert.equal(b.call('loneSurrogate'), 'broken \uD800 half');
    assert.equal(b.call('name', 2), 'a literal held in a static array');
  });

  it('keeps constant lists of strings whole: items, order, length, non-ASCII items, identity with other uses', () => {
    const b = instantiate(table);
    assert.equal(b.raw.listLength!(), 433);
    assert.equal(b.call('listItem', 1), 'second');
    assert.equal(b.call('withEmptyItem', 0), '');
    assert.equal(b.raw.listItemIsLiteral!(), 1, 'an item is the same object as that literal elsewhere');
    assert.equal(b.call('listItem', 2), 'third, with → and \u{1F600}');
    assert.equal(b.call('grownList'), 'first|second|third, with → and \u{1F600}|last|pushed');
    assert.ok(!dataSection(table).includes(Buffer.from('inferred', 'utf16le')), 'the items are in the table');
  });

  it('gives one object per text: the same literal twice is the same string, decoded once', () => {
    const b = instantiate(table);
    assert.equal(b.raw.greeting!(), b.raw.greetingAgain!());
    assert.equal(b.raw.greeting!(), b.raw.greeting!());
    assert.equal(b.raw.isPost!(1), 1);
    assert.equal(b.raw.isPost!(0), 0);
  });

  it('uses the literal in a default parameter value', () => {
    const b = instantiate(table);
    // Calling with no argument needs the arguments-length global the compiler exports as __setArgumentsLength.
    const setLength = (b.raw as unknown as Record<string, (n: number) => void>).__setArgumentsLength;
    assert.equal(typeof setLength, 'function');
    setLength!(0);
    assert.equal(b.call('withDefault', 0), 'a default parameter value');
  });

  it('stores long literals pair-encoded, not as UTF-16, and leaves what it cannot encode', () => {
    const text = 'a long ASCII literal that the table stores once, as UTF-8 bytes';
    assert.ok(dataSection(plain).includes(Buffer.from(text, 'utf16le')), 'without the transform the literal is UTF-16');
    assert.ok(!dataSection(table).includes(Buffer.from(text, 'utf16le')), 'with it there is no UTF-16 copy');
    const repeated = 'the configuration of the route';
    assert.ok(!dataSection(table).includes(Buffer.from(repeated, 'utf8')), 'a phrase the fixture repeats is stored as pair codes');
    assert.ok(dataSection(table).includes(Buffer.from('broken \uD800 half', 'utf16le')), 'a lone surrogate has no UTF-8 form: kept static');
    assert.ok(dataSection(table).includes(Buffer.from(' keeps its parts', 'utf16le')), 'template parts are not literals');
  });

  it('stores a literal in the table only when that makes the module smaller', () => {
    assert.equal(worth('a', 1), true);
    assert.equal(worth('ab', 30), false, 'a short literal used at many places stays static');
    assert.equal(worth('x'.repeat(40), 30), false, 'nor does a 40-byte one used at 30 places');
    assert.equal(worth('x'.repeat(80), 30), true);
    assert.equal(worth('é'.repeat(10), 1), true);
  });

  it('pair encoding: every text decodes to itself, is never longer, and needs no neighbour to decode', () => {
    const texts = fc.array(fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(fc.constantFrom('route ', 'the ', 'config', 'uration', ': ', 'é', '→', '\u{1F600}'), { maxLength: 12 }).map((p) => p.join('')),
    ), { minLength: 1, maxLength: 40 });
    fc.assert(fc.property(texts, (list) => {
      const input = list.map((t) => Buffer.from(t, 'utf8'));
      const { texts: encoded, pairs } = pairEncode(input);
      assert.equal(encoded.length, input.length);
      for (let i = 0; i < input.length; i++) {
        assert.deepEqual(pairDecode(encoded[i]!, pairs), input[i]);
        assert.ok(encoded[i]!.length <= input[i]!.length);
      }
      const used = new Set(input.flatMap((b) => [...b]));
      for (const p of pairs) {
        assert.ok(!used.has(p.code), 'a code is a byte value no text uses');
        assert.ok(p.code !== 0 && p.left !== 0 && p.right !== 0, 'byte 0 is never part of a pair');
      }
    }), { numRuns: 300 });
  });

  it('pair encoding shrinks repetitive text and stops when a pair no longer pays for its table entry', () => {
    const words = ['route metrics ', 'configuration ', 'cannot read ', 'the plugin '];
    const input = Array.from({ length: 50 }, (_, i) => Buffer.from(words[i % 4]! + words[(i + 1) % 4]! + i, 'utf8'));
    const { texts, pairs } = pairEncode(input);
    const before = input.reduce((n, b) => n + b.length, 0);
    const after = texts.reduce((n, b) => n + b.length, 0) + 2 * pairs.length;
    assert.ok(after < before / 2, `${before} B -> ${after} B with the pair table`);
    assert.deepEqual(pairEncode([Buffer.from('abcdef')]).pairs, [], 'nothing repeats: no codes');
  });

  it('is how the release build is compiled (build/route-metrics.wasm)', () => {
    const release = readFileSync(join(root, 'build/route-metrics.wasm'));
    // A message of assembly/config/: in the module as UTF-8 only.
    const src = readFileSync(join(root, 'assembly/text/literals.ts'), 'utf8');
    assert.match(src, /@global/);
    const message = 'cannot read the plugin configuration';
    assert.ok(!release.includes(Buffer.from(message, 'utf8')), 'the table is pair-encoded: no plain UTF-8 copy');
    assert.ok(!release.includes(Buffer.from(message, 'utf16le')), 'no UTF-16 copy');
  });
});
