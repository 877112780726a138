// The release build's visitor rewrite (scripts/visit-null-checks.ts): the collector's visitors
// call __visit without testing for null first. A module compiled with the rewrite keeps and frees
// the same objects as one compiled without it, is smaller, and the rewrite leaves alone a visitor
// of a shape it does not know.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, before } from 'node:test';
import binaryen from 'binaryen';
import { removeVisitNullChecks, rewriteVisitor, VISIT } from '../../scripts/visit-null-checks.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'tests/fixtures/visit-null-checks';

async function compile(withTransform: boolean): Promise<Uint8Array> {
  const asc = (await import('assemblyscript/asc')).default;
  const out = join(mkdtempSync(join(tmpdir(), 'visit-null-checks-')), 'fixture.wasm');
  const args = [`${FIXTURE}/index.ts`, '--config', `${FIXTURE}/asconfig.json`, '--baseDir', root, '-o', out];
  if (withTransform) args.push('--transform', './scripts/visit-null-checks.ts');
  let errors = '';
  const r = await asc.main(args, { stdout: { write: () => true } as never, stderr: { write: (s: string | Uint8Array) => ((errors += String(s)), true) } as never });
  assert.equal(r.error, null, errors);
  return readFileSync(out);
}

type Fixture = { build(n: number): void; thin(): void; clear(): void; checksum(): number; churn(n: number): number; __collect(): void; memory: WebAssembly.Memory };

function instantiate(bytes: Uint8Array): Fixture {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    env: { abort: () => { throw new Error('abort'); } },
  });
  return instance.exports as unknown as Fixture;
}

/** What a module's collector keeps: checksums after each step, and memory pages at the end. */
function lifecycle(m: Fixture): { sums: number[]; pages: number } {
  const sums: number[] = [];
  for (let round = 0; round < 30; round++) {
    m.build(120 + round);
    m.__collect();
    m.churn(400); // reuses freed blocks: a live object freed by mistake would change the checksum
    sums.push(m.checksum());
    m.thin();
    m.__collect();
    m.churn(400);
    sums.push(m.checksum());
    if (round % 7 === 6) { m.clear(); m.__collect(); sums.push(m.checksum()); }
  }
  return { sums, pages: m.memory.buffer.byteLength / 65536 };
}

/** A visitor-shaped function: `if (local.tee $t (load)) (call __visit (local.get $t) (local.get $cookie))`. */
function visitorModule(extra?: (m: binaryen.Module) => number): binaryen.Module {
  const m = new binaryen.Module();
  m.addFunction(VISIT, binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none, [], m.nop());
  m.setMemory(1, 1);
  const test = (offset: number) => m.if(m.local.tee(2, m.i32.load(offset, 4, m.local.get(0, binaryen.i32)), binaryen.i32),
    m.call(VISIT, [m.local.get(2, binaryen.i32), m.local.get(1, binaryen.i32)], binaryen.none));
  const body = [test(4), test(8)];
  if (extra) body.push(extra(m));
  m.addFunction('Thing~visit', binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none, [binaryen.i32], m.block(null, body));
  return m;
}

describe('visitors without null tests (scripts/visit-null-checks.ts)', () => {
  let plain: Uint8Array;
  let rewritten: Uint8Array;
  before(async () => {
    plain = await compile(false);
    rewritten = await compile(true);
  });

  it('keeps and frees the same objects as the compiler\'s visitors, through nulls in fields and globals', () => {
    const a = lifecycle(instantiate(plain));
    const b = lifecycle(instantiate(rewritten));
    assert.deepEqual(b.sums, a.sums);
    assert.ok(a.sums.some((s) => s !== 0), 'the fixture keeps objects alive');
    assert.equal(b.pages, a.pages, 'memory grows the same: garbage is freed the same way');
  });

  it('makes the module smaller', () => {
    assert.ok(rewritten.length < plain.length, `${rewritten.length} B with the rewrite, ${plain.length} B without`);
  });

  it('turns each visit test into a bare call', () => {
    const m = visitorModule();
    assert.equal(removeVisitNullChecks(m), 2);
    assert.ok(m.validate());
    const text = m.emitText();
    assert.doesNotMatch(text, /\(if/);
    assert.match(text, /\(call \$~lib\/rt\/tcms\/__visit\s+\(i32\.load offset=4/);
    m.dispose();
  });

  it('leaves a visitor of an unknown shape as it is', () => {
    // A statement that reads the temporary outside a test: dropping the tees would change it.
    const m = visitorModule((mod) => mod.drop(mod.local.get(2, binaryen.i32)));
    const func = m.getFunction('Thing~visit');
    const before = m.emitText();
    assert.equal(rewriteVisitor(m, func), 0);
    assert.equal(m.emitText(), before);
    m.dispose();
  });

  it('only rewrites visitors', () => {
    const m = visitorModule();
    const f = binaryen.getFunctionInfo(m.getFunction('Thing~visit'));
    m.addFunction('notAVisitor', binaryen.createType([binaryen.i32, binaryen.i32]), binaryen.none, [binaryen.i32], m.copyExpression(f.body));
    assert.equal(removeVisitNullChecks(m), 2);
    assert.match(m.emitText(), /\(func \$notAVisitor[\s\S]*\(if/);
    m.dispose();
  });

  it('is how the release build is compiled (asconfig.json)', () => {
    const config = JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8'));
    assert.ok(config.targets.release.transform.includes('./scripts/visit-null-checks.ts'));
  });
});
