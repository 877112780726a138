// Mixed segments: literal text and parameters in one path segment — "{name}.{ext}", "v{major}",
// "{name}:cancel", "{index}.{diffType}".
//
// A mixed segment is literals L0 P1 L1 P2 … Pk Lk: k ≥ 1 parameters, L0 and Lk possibly empty,
// every other literal non-empty (the grammar wants text between two parameters).
//
// Matching rule: a path segment matches when it can be split into L0, a non-empty run, L1, …, a
// non-empty run, Lk — what the regex ^L0[^/]+L1[^/]+…Lk$ matches on one segment (a segment never
// holds '/', '?' or '#'). Parameter values are never captured, so which split exists does not
// matter: "{name}.{ext}" matches "a.b.c" (as "a" + "b.c" or "a.b" + "c"), not "abc", ".b" or "a.".
//
// How: L0 must be the segment's start and Lk its end (a minimum length keeps them apart), and
// each middle literal is placed at its leftmost occurrence that leaves the parameter before it at
// least one byte. Leftmost placement leaves the most room for what follows, so when any split
// exists this one is found, without backtracking. Middle literals are searched with a KMP failure
// table built at configure time: one pattern costs O(segment length + its literal length) on any
// bytes, and allocates nothing.
//
// Ranking among the mixed segments at one position (see MixedShape.compare): more literal bytes
// first, then the longer leading literal, then the longer trailing literal, then the shape text
// (parameters written "{}") in code-unit order. The order never depends on the configuration's
// order, and two different shapes never tie.
import { RouteSpec, PathMatchKind } from "./spec";
import { PathTemplate, SegmentKind } from "./template";
import { utf8RangeLength } from "./bytes";

/**
 * Most distinct mixed shapes after the same leading segments (one trie node): a request tries at
 * most this many there, so matching cost stays bounded whatever the number of routes.
 */
export const MAX_MIXED_PER_NODE: i32 = 64;

/**
 * The UTF-16 ranges of the literals L0 … Lk of the mixed segment text[from, to) (validated by
 * PathTemplate), pushed as pairs onto `out`; returns k, the number of parameters.
 */
export function mixedLiterals(text: string, from: i32, to: i32, out: i32[]): i32 {
  let params = 0;
  let litFrom = from;
  let i = from;
  while (i < to) {
    if (text.charCodeAt(i) == 0x7b /* { */) {
      out.push(litFrom);
      out.push(i);
      while (text.charCodeAt(i) != 0x7d /* } */) i++;
      i++;
      litFrom = i;
      params++;
    } else {
      i++;
    }
  }
  out.push(litFrom);
  out.push(to);
  return params;
}

/** The shape of a mixed segment: its text with every parameter written "{}" ("{name}.{ext}" → "{}.{}"). */
export function mixedShape(text: string, from: i32, to: i32): string {
  const lits = new Array<i32>();
  const k = mixedLiterals(text, from, to, lits);
  let shape = "";
  for (let j = 0; j <= k; j++) {
    if (j > 0) shape += "{}";
    shape += text.substring(lits[2 * j], lits[2 * j + 1]);
  }
  return shape;
}

/** Build-time facts about one distinct mixed shape at one trie node: what ranking needs. */
export class MixedShape {
  /** UTF-8 bytes of all literals, of the leading and of the trailing literal. */
  literalBytes: i32 = 0;
  leadBytes: i32 = 0;
  trailBytes: i32 = 0;

  /** `text[from, to)`: the segment as one route wrote it (any route of this shape will do). */
  constructor(public parent: i32, public child: i32, public shape: string, public text: string, public from: i32, public to: i32) {
    const lits = new Array<i32>();
    const k = mixedLiterals(text, from, to, lits);
    for (let j = 0; j <= k; j++) this.literalBytes += utf8RangeLength(text, lits[2 * j], lits[2 * j + 1]);
    this.leadBytes = utf8RangeLength(text, lits[0], lits[1]);
    this.trailBytes = utf8RangeLength(text, lits[2 * k], lits[2 * k + 1]);
  }

  /** Trie order: by parent node, then the more specific shape first (negative: a before b). */
  static compare(a: MixedShape, b: MixedShape): i32 {
    if (a.parent != b.parent) return a.parent - b.parent;
    if (a.literalBytes != b.literalBytes) return b.literalBytes - a.literalBytes;
    if (a.leadBytes != b.leadBytes) return b.leadBytes - a.leadBytes;
    if (a.trailBytes != b.trailBytes) return b.trailBytes - a.trailBytes;
    return a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0;
  }
}

/**
 * Compiled mixed segments, matched against request bytes. Pattern p is program[code[p] ..]:
 * minimum length, number of literals (k + 1), then per literal its byte offset and length in
 * `bytes` and the offset of its KMP failure table in `failure` (middle literals only).
 */
export class MixedPatterns {
  private code: Int32Array = new Int32Array(0);
  private program: Int32Array = new Int32Array(0);
  private bytes: Uint8Array = new Uint8Array(0);
  private failure: Int32Array = new Int32Array(0);

  get size(): i32 {
    return this.code.length;
  }

  /** Compiles `shapes` (pattern p = shapes[p]). */
  compile(shapes: MixedShape[]): void {
    const code = new Int32Array(shapes.length);
    const program = new Array<i32>();
    let byteCount = 0;
    let failCount = 0;
    const lits = new Array<i32>();
    for (let p = 0; p < shapes.length; p++) {
      const s = shapes[p];
      lits.length = 0;
      const k = mixedLiterals(s.text, s.from, s.to, lits);
      code[p] = program.length;
      program.push(s.literalBytes + k);
      program.push(k + 1);
      for (let j = 0; j <= k; j++) {
        const n = utf8RangeLength(s.text, lits[2 * j], lits[2 * j + 1]);
        program.push(byteCount);
        program.push(n);
        const middle = j > 0 && j < k;
        program.push(middle ? failCount : -1);
        byteCount += n;
        if (middle) failCount += n;
      }
    }
    const bytes = new Uint8Array(byteCount);
    const failure = new Int32Array(failCount);
    for (let p = 0; p < shapes.length; p++) {
      const s = shapes[p];
      lits.length = 0;
      const k = mixedLiterals(s.text, s.from, s.to, lits);
      for (let j = 0; j <= k; j++) {
        const at = code[p] + 2 + 3 * j;
        const off = program[at];
        const from = lits[2 * j];
        String.UTF8.encodeUnsafe(changetype<usize>(s.text) + (<usize>from << 1), lits[2 * j + 1] - from, bytes.dataStart + <usize>off);
        const fail = program[at + 2];
        if (fail >= 0) fillFailure(bytes, off, program[at + 1], failure, fail);
      }
    }
    this.code = code;
    this.program = new Int32Array(program.length);
    for (let i = 0; i < program.length; i++) this.program[i] = program[i];
    this.bytes = bytes;
    this.failure = failure;
  }

  /** Whether pattern p matches the segment bytes [ptr + start, ptr + end). */
  matches(p: i32, ptr: usize, start: i32, end: i32): bool {
    const prog = this.program;
    let at = unchecked(this.code[p]);
    if (end - start < unchecked(prog[at])) return false;
    const pieces = unchecked(prog[at + 1]);
    const base = this.bytes.dataStart;
    at += 2;
    // Leading and trailing literals: fixed places.
    const leadLen = unchecked(prog[at + 1]);
    if (leadLen > 0 && memory.compare(ptr + <usize>start, base + <usize>unchecked(prog[at]), <usize>leadLen) != 0) return false;
    const last = at + 3 * (pieces - 1);
    const trailLen = unchecked(prog[last + 1]);
    const limit = end - trailLen;
    if (trailLen > 0 && memory.compare(ptr + <usize>limit, base + <usize>unchecked(prog[last]), <usize>trailLen) != 0) return false;
    // Middle literals: leftmost occurrence after at least one byte of parameter.
    let cur = start + leadLen;
    for (let piece = at + 3; piece < last; piece += 3) {
      const len = unchecked(prog[piece + 1]);
      const found = this.find(base + <usize>unchecked(prog[piece]), len, unchecked(prog[piece + 2]), ptr, cur + 1, limit);
      if (found < 0) return false;
      cur = found + len;
    }
    return cur < limit; // the last parameter is non-empty
  }

  /** Leftmost i in [from, to - len] where the literal (len bytes at lit) occurs in the request bytes; -1 if none. */
  private find(lit: usize, len: i32, fail: i32, ptr: usize, from: i32, to: i32): i32 {
    if (to - from < len) return -1;
    if (len == 1) {
      const c = load<u8>(lit);
      for (let i = from; i < to; i++) if (load<u8>(ptr + <usize>i) == c) return i;
      return -1;
    }
    const failure = this.failure;
    let j = 0;
    for (let i = from; i < to; i++) {
      const c = load<u8>(ptr + <usize>i);
      while (j > 0 && c != load<u8>(lit + <usize>j)) j = unchecked(failure[fail + j - 1]);
      if (c == load<u8>(lit + <usize>j)) j++;
      if (j == len) return i - len + 1;
    }
    return -1;
  }
}

/** KMP failure table of bytes[off, off + len) into failure[at ..]: longest proper border of each prefix. */
function fillFailure(bytes: Uint8Array, off: i32, len: i32, failure: Int32Array, at: i32): void {
  if (len == 0) return;
  failure[at] = 0;
  let k = 0;
  for (let i = 1; i < len; i++) {
    const c = bytes[off + i];
    while (k > 0 && c != bytes[off + k]) k = failure[at + k - 1];
    if (c == bytes[off + k]) k++;
    failure[at + i] = k;
  }
}

/** A route left out because its mixed segment would be one too many at its position. */
export class MixedOverflow {
  constructor(public route: i32, public message: string) {}
}

/**
 * Routes that would bring a trie node past MAX_MIXED_PER_NODE distinct mixed shapes, by index into
 * `routes`, with the problem (the config reader reports it on the route's `path` and leaves the
 * route out). A node is named by the shapes of the segments before it: literals as written,
 * parameters "{}", mixed segments by their shape — the route table's trie, node for node.
 */
export function mixedOverflow(routes: RouteSpec[]): MixedOverflow[] {
  const out = new Array<MixedOverflow>();
  const shapesAt = new Map<string, string[]>();
  const template = new PathTemplate();
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r];
    if (route.pathKind != PathMatchKind.Template || template.parse(route.pathText).length != 0) continue;
    if (!hasMixed(template)) continue; // only mixed segments count: nothing to record
    const text = route.pathText;
    // Each segment is at another depth, so another node: a route adds at most one shape per node.
    const added = new Array<string>(); // node, shape, node, shape …
    let node = "";
    let problem = "";
    for (let s = 0; s < template.length && problem.length == 0; s++) {
      const kind = template.kindAt(s);
      if (kind == SegmentKind.CatchAll) break;
      let shape = "{}";
      if (kind == SegmentKind.Literal) shape = template.textAt(s);
      else if (kind == SegmentKind.Mixed) {
        shape = mixedShape(text, template.startAt(s), template.endAt(s));
        const known = shapesAt.has(node) ? shapesAt.get(node) : null;
        if (known === null || !known.includes(shape)) {
          if (known !== null && known.length >= MAX_MIXED_PER_NODE) {
            problem = "'" + template.textAt(s) + "': more than " + MAX_MIXED_PER_NODE.toString() +
              " different segments that mix text and parameters at one position (after '" +
              text.substring(0, template.startAt(s)) + "')";
          } else {
            added.push(node);
            added.push(shape);
          }
        }
      }
      node += "/" + shape;
    }
    if (problem.length != 0) {
      out.push(new MixedOverflow(r, problem));
      continue;
    }
    for (let i = 0; i < added.length; i += 2) {
      const key = added[i];
      if (!shapesAt.has(key)) shapesAt.set(key, new Array<string>());
      shapesAt.get(key).push(added[i + 1]);
    }
  }
  template.text = "";
  return out;
}

function hasMixed(t: PathTemplate): bool {
  for (let s = 0; s < t.length; s++) if (t.kindAt(s) == SegmentKind.Mixed) return true;
  return false;
}
