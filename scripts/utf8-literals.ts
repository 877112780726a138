// asc transform (release target, asconfig.json): stores the string literals of our own sources
// once, as UTF-8, instead of one static UTF-16 string each. See assembly/text/literals.ts for the
// runtime side and why.
//
// After parsing, every string literal in our sources and the SDK's (the standard library keeps
// its own, see rewritesSource()) becomes `__literal(id)`, one id per distinct text, and the placeholder tables
// of assembly/text/literals.ts are filled with the bytes, the end offsets and a zeroed cache.
// A literal is left as it is where the compiler needs a constant (decorator arguments, import and
// export paths, the arguments of offsetof/ERROR/WARNING/INFO), when it is empty, when it holds a
// lone surrogate (no UTF-8 form), and when the table would not make the module smaller (see worth()).
//
// The table is compressed by byte-pair encoding (pairEncode(), below): byte values that no
// literal uses stand for a pair of symbols, so common words and phrases of the messages are stored
// once. Every literal stays decodable on its own, which is what lets them be decoded lazily.
//
// UTF8_LITERALS_REPORT=1 prints what was rewritten.
import { LiteralKind, Node, NodeKind, type Parser, type Source } from 'assemblyscript';
import { Transform } from 'assemblyscript/transform';

/** Placeholder names in the runtime module, and that module's path without extension. */
export const TABLES_SOURCE = 'text/literals';
const BYTES = 'LITERAL_BYTES';
const LENGTHS = 'LITERAL_LENGTHS';
const MARKS = 'LITERAL_MARKS';
const CACHE = 'LITERAL_CACHE';
const PAIRS = 'LITERAL_PAIRS';
const LISTS = 'LITERAL_LISTS';
const SCRATCH = 'LITERAL_SCRATCH';
/** LITERAL_MARKS holds u16 offsets. */
const MAX_TABLE_BYTES = 0xffff;
/** Literals per mark in LITERAL_MARKS (a power of two; the transform sets MARK_SHIFT to match). */
const MARK_SHIFT = 'MARK_SHIFT';
const MARK_EVERY = 16;
/** Nesting of pair codes: the runtime expands them by recursion, so this bounds its stack. */
const MAX_PAIR_DEPTH = 16;

/** Fields that never hold a rewritable literal (ranges and sources also close cycles). */
const SKIPPED_FIELDS = new Set(['range', 'source', 'decorators', 'path', 'internalPath', 'normalizedPath', 'simplePath']);
/** Builtins whose string argument must stay a compile-time constant. */
const CONSTANT_ARGUMENT_CALLS = new Set(['offsetof', 'ERROR', 'WARNING', 'INFO', 'nameof']);
const LONE_SURROGATE = /\p{Surrogate}/u;

type AnyNode = Node & Record<string, unknown>;
interface Use { holder: Record<string, unknown> | unknown[]; key: string | number; node: AnyNode }
/** A declaration whose initializer is an array of string literals: stored as a run of literal ids. */
interface ListUse { declaration: AnyNode; texts: string[]; helper: string }

const LIST_HELPERS: Record<string, string> = { Array: '__literalArray', StaticArray: '__literalStaticArray' };

/**
 * Whether storing `text` (used `uses` times) in the table makes the module smaller. A static
 * UTF-16 string costs its object header (20 B), two bytes per UTF-16 unit and a data segment
 * header (about 6 B), once; in the table it costs its UTF-8 bytes (fewer once pair-encoded), a
 * 1-byte length (and 1/4 byte of mark), and at every use a call (about 3 B more than the
 * constant pointer it replaces).
 */
export function worth(text: string, uses: number): boolean {
  const staticBytes = 26 + 2 * text.length;
  const tableBytes = Buffer.byteLength(text, 'utf8') + 1 + 3 * uses;
  return tableBytes < staticBytes;
}

/** A byte-pair code: `code` stands for `left` followed by `right` (either may be a code itself). */
export interface PairCode { code: number; left: number; right: number }
export interface PairEncoding { texts: Buffer[]; pairs: PairCode[] }

/**
 * Byte-pair encoding of `texts`: repeatedly replaces the most frequent adjacent pair (within one
 * text, never across two) by a byte value that no text uses, while that saves bytes (a pair seen
 * `n` times saves `n` bytes and costs 2 in the pair table). Byte 0 is never a code nor part of a
 * pair: the runtime reads a zero left half as "not a code". Deterministic: ties go to the pair
 * seen first.
 */
export function pairEncode(input: Buffer[]): PairEncoding {
  const used = new Set<number>();
  for (const t of input) for (const b of t) used.add(b);
  const free: number[] = [];
  for (let b = 1; b < 256; b++) if (!used.has(b)) free.push(b);
  let seqs = input.map((t) => [...t]);
  const depth = new Map<number, number>();
  const pairs: PairCode[] = [];
  for (const code of free) {
    const counts = new Map<number, number>();
    for (const s of seqs) {
      for (let i = 0; i + 1 < s.length; i++) {
        const a = s[i]!, b = s[i + 1]!;
        if (a === 0 || b === 0) continue;
        const d = Math.max(depth.get(a) ?? 0, depth.get(b) ?? 0);
        if (d >= MAX_PAIR_DEPTH) continue;
        const key = a * 256 + b;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (a === b && s[i + 2] === a) i++; // "aaa" holds one non-overlapping "aa"
      }
    }
    let best = -1, bestCount = 0;
    for (const [key, n] of counts) if (n > bestCount) { best = key; bestCount = n; }
    if (bestCount <= 2) break;
    const left = best >> 8, right = best & 0xff;
    pairs.push({ code, left, right });
    depth.set(code, Math.max(depth.get(left) ?? 0, depth.get(right) ?? 0) + 1);
    seqs = seqs.map((s) => {
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (s[i] === left && s[i + 1] === right && i + 1 < s.length) { out.push(code); i++; } else out.push(s[i]!);
      }
      return out;
    });
  }
  return { texts: seqs.map((s) => Buffer.from(s)), pairs };
}

/** The inverse of pairEncode for one text (what assembly/text/literals.ts does at run time). */
export function pairDecode(text: Buffer, pairs: PairCode[]): Buffer {
  const byCode = new Map(pairs.map((p) => [p.code, p]));
  const out: number[] = [];
  const expand = (b: number): void => {
    const p = byCode.get(b);
    if (!p) { out.push(b); return; }
    expand(p.left);
    expand(p.right);
  };
  for (const b of text) expand(b);
  return Buffer.from(out);
}

function isStringLiteral(v: unknown): v is AnyNode {
  const n = v as AnyNode | null;
  return n !== null && typeof n === 'object' && n.kind === NodeKind.Literal && n.literalKind === LiteralKind.String;
}

function calleeName(call: AnyNode): string | null {
  const e = call.expression as AnyNode;
  return e && e.kind === NodeKind.Identifier ? (e.text as string) : null;
}

/**
 * `const X: string[] = ["a", "b", ...]` (or StaticArray<string>, or with no type: an Array):
 * without this, the start function builds each such array item by item, about 12 bytes of code
 * per item; as a run of literal ids (LITERAL_LISTS) it is one call. The items are ordinary
 * literals, the same objects as the same text used anywhere else (the configuration readers
 * find their keys by address first).
 */
function listHelper(declaration: AnyNode): string | null {
  const init = declaration.initializer as AnyNode | null;
  if (!init || init.kind !== NodeKind.Literal || init.literalKind !== LiteralKind.Array) return null;
  const items = init.elementExpressions as AnyNode[];
  if (items.length < 2 || !items.every((e) => isStringLiteral(e) && e.value !== '' && !LONE_SURROGATE.test(e.value as string))) return null;
  const type = declaration.type as AnyNode | null;
  if (!type) return LIST_HELPERS.Array!;
  if (type.kind !== NodeKind.NamedType || type.isNullable) return null;
  const name = ((type.name as AnyNode).identifier as AnyNode).text as string;
  const args = type.typeArguments as AnyNode[] | null;
  const item = args?.length === 1 && args[0]!.kind === NodeKind.NamedType ? (((args[0]!.name as AnyNode).identifier as AnyNode).text as string) : null;
  return item === 'string' && !(args![0]!.isNullable) ? (LIST_HELPERS[name] ?? null) : null;
}

/** Every rewritable string literal under `root`, with where it is held. */
function collect(root: unknown, uses: Use[], lists: ListUse[]): void {
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (isStringLiteral(item)) uses.push({ holder: v, key: i, node: item });
        else visit(item);
      });
      return;
    }
    const n = v as AnyNode;
    if (n.kind === NodeKind.Call && CONSTANT_ARGUMENT_CALLS.has(calleeName(n) ?? '')) return;
    if (n.kind === NodeKind.VariableDeclaration || n.kind === NodeKind.FieldDeclaration) {
      const helper = listHelper(n);
      if (helper) {
        lists.push({ declaration: n, texts: ((n.initializer as AnyNode).elementExpressions as AnyNode[]).map((e) => e.value as string), helper });
        seen.add(n.initializer);
      }
    }
    for (const key of Object.keys(n)) {
      if (SKIPPED_FIELDS.has(key)) continue;
      const child = n[key];
      if (isStringLiteral(child)) uses.push({ holder: n, key, node: child });
      else visit(child);
    }
  };
  visit(root);
}

function int(value: number, range: unknown): Node {
  const i64 = (globalThis as unknown as { i64_new(lo: number, hi: number): unknown }).i64_new;
  return Node.createIntegerLiteralExpression(i64(value, 0) as never, range as never);
}

/** The declaration of the placeholder `name` in the runtime source. */
function placeholder(source: Source, name: string): AnyNode {
  for (const statement of source.statements as unknown as AnyNode[]) {
    if (statement.kind !== NodeKind.Variable) continue;
    for (const d of statement.declarations as AnyNode[]) {
      if ((d.name as AnyNode).text === name && d.initializer) return d;
    }
  }
  throw new Error(`utf8-literals: ${source.normalizedPath} has no placeholder ${name}`);
}

/** The `memory.data(...)` call initialising the placeholder `name` in the runtime source. */
function placeholderCall(source: Source, name: string): AnyNode {
  return placeholder(source, name).initializer as AnyNode;
}

/**
 * Our sources and the SDK's (its log and error messages), not the standard library's: those
 * literals are used by the runtime itself (a literal decoded by the allocator would recurse).
 */
export function rewritesSource(normalizedPath: string): boolean {
  return !normalizedPath.startsWith('~lib/') || normalizedPath.startsWith('~lib/@solo-io/proxy-runtime/');
}

export interface LiteralReport { literals: number; distinct: number; bytes: number; encodedBytes: number; pairs: number; keptStatic: number }

/** Rewrites the program's literals; returns what it did. Exported for tests. */
export function rewriteLiterals(parser: Parser): LiteralReport | null {
  const sources = parser.sources as unknown as Source[];
  const tables = sources.find((s) => s.normalizedPath.replace(/\.ts$/, '').endsWith(TABLES_SOURCE) && !s.normalizedPath.startsWith('~lib/'));
  if (!tables) return null; // the program does not import the runtime side: nothing to rewrite into
  const uses: Use[] = [];
  const lists: ListUse[] = [];
  for (const s of sources) {
    if (s === tables || !rewritesSource(s.normalizedPath)) continue;
    collect(s.statements, uses, lists);
  }
  const byText = new Map<string, Use[]>();
  for (const u of uses) {
    const text = u.node.value as string;
    if (text === '' || LONE_SURROGATE.test(text)) continue;
    let list = byText.get(text);
    if (!list) byText.set(text, (list = []));
    list.push(u);
  }
  const chunks: Buffer[] = [];
  const idOf = new Map<string, number>();
  let rewritten = 0;
  let keptStatic = 0;
  for (const [text, list] of byText) {
    if (!worth(text, list.length)) {
      keptStatic++;
      continue;
    }
    const id = chunks.length;
    idOf.set(text, id);
    chunks.push(Buffer.from(text, 'utf8'));
    for (const u of list) {
      const range = u.node.range;
      const call = Node.createCallExpression(Node.createIdentifierExpression('__literal', range), null, [int(id, range)], range);
      (u.holder as Record<string | number, unknown>)[u.key] = call;
      rewritten++;
    }
  }
  const listIds: number[] = [];
  for (const list of lists) {
    const range = (list.declaration.initializer as AnyNode).range;
    const args = [int(listIds.length, range), int(list.texts.length, range)];
    for (const text of list.texts) {
      let id = idOf.get(text);
      if (id === undefined) { idOf.set(text, (id = chunks.length)); chunks.push(Buffer.from(text, 'utf8')); }
      listIds.push(id);
    }
    list.declaration.initializer = Node.createCallExpression(Node.createIdentifierExpression(list.helper, range), null, args, range);
    rewritten += list.texts.length;
  }
  if (chunks.length === 0) return { literals: 0, distinct: 0, bytes: 0, encodedBytes: 0, pairs: 0, keptStatic };
  const encoding = pairEncode(chunks);
  // Each literal's encoded length as a LEB128 varint (one byte below 128), and every
  // MARK_EVERY-th literal's start in the bytes and in the lengths: a literal is found by summing
  // at most MARK_EVERY - 1 lengths from its mark.
  const lengths: number[] = [];
  const marks: number[] = [];
  let total = 0;
  encoding.texts.forEach((t, id) => {
    if (id % MARK_EVERY === 0) marks.push(total, lengths.length);
    for (let n = t.length; ; n >>>= 7) {
      if (n < 0x80) { lengths.push(n); break; }
      lengths.push((n & 0x7f) | 0x80);
    }
    total += t.length;
  });
  if (total > MAX_TABLE_BYTES || lengths.length > MAX_TABLE_BYTES) throw new Error(`utf8-literals: the table holds ${total} B, more than LITERAL_MARKS (u16 offsets) can address`);
  if (chunks.length > 0xffff) throw new Error('utf8-literals: more than 65535 literals (LITERAL_LISTS holds u16 ids)');
  const pairTable = new Array<number>(512).fill(0);
  for (const p of encoding.pairs) { pairTable[p.code * 2] = p.left; pairTable[p.code * 2 + 1] = p.right; }
  const longest = Math.max(...chunks.map((c) => c.length));
  const all = Buffer.concat(encoding.texts);
  const r = placeholderCall(tables, BYTES).range;
  const fill = (name: string, arg: Node) => ((placeholderCall(tables, name).args as Node[])[0] = arg);
  const array = (values: number[]) => Node.createArrayLiteralExpression(values.map((v) => int(v, r)), r as never);
  fill(BYTES, array([...all]));
  fill(LENGTHS, array(lengths));
  fill(MARKS, array(marks));
  fill(CACHE, int(encoding.texts.length * 4, r));
  fill(PAIRS, array(pairTable));
  fill(SCRATCH, int(longest, r));
  if (listIds.length > 0) fill(LISTS, array(listIds));
  placeholder(tables, MARK_SHIFT).initializer = int(Math.log2(MARK_EVERY), r);
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  return { literals: rewritten, distinct: encoding.texts.length, bytes, encodedBytes: all.length, pairs: encoding.pairs.length, keptStatic };
}

export default class Utf8Literals extends Transform {
  afterParse(parser: Parser): void {
    const report = rewriteLiterals(parser);
    if (report && process.env.UTF8_LITERALS_REPORT === '1') {
      console.error(`utf8-literals: ${report.literals} literals, ${report.distinct} distinct, ${report.bytes} B as UTF-8, ${report.encodedBytes} B stored with ${report.pairs} pair codes; ${report.keptStatic} kept static`);
    }
  }
}
