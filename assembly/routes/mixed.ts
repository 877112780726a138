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
import { PathTemplate, SegmentKind, code } from "./template";
import { utf8RangeLength, sameBytes, NO_I32, NO_U8 } from "./bytes";

/**
 * Most distinct mixed shapes after the same leading segments (one trie node): a request tries at
 * most this many there, so matching cost stays bounded whatever the number of routes.
 */
export const MAX_MIXED_PER_NODE: i32 = 64; // also written out in mixedOverflow()'s message

// Configure time only, and shared, so that reading a route's mixed segments makes no garbage.
const scratch: i32[] = [];

/**
 * The UTF-16 ranges of the literals L0 … Lk of the mixed segment text[from, to) (validated by
 * PathTemplate), as pairs in `out` (cleared first); returns k, the number of parameters.
 */
function mixedLiterals(text: string, from: i32, to: i32, out: i32[]): i32 {
  out.length = 0;
  let params = 0;
  let litFrom = from;
  let i = from;
  while (i < to) {
    if (code(text, i) == 0x7b /* { */) {
      out.push(litFrom);
      out.push(i);
      while (code(text, i) != 0x7d /* } */) i++;
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

/**
 * The shape of a segment is its code units with each parameter read as "{}" whatever its name,
 * so that `{name}.{ext}` and `{a}.{b}` are one shape. This is the index of the shape unit after
 * the one at i: after a '{' comes its '}' (validated templates close every '{').
 */
// @ts-ignore: decorator
@inline function nextShapeUnit(text: string, i: i32): i32 {
  if (code(text, i) == 0x7b /* { */) {
    do i++;
    while (code(text, i) != 0x7d /* } */);
    return i;
  }
  return i + 1;
}

/** Shape order of a[aFrom, aTo) and b[bFrom, bTo): code unit by code unit, parameters as "{}". */
export function compareShapes(a: string, aFrom: i32, aTo: i32, b: string, bFrom: i32, bTo: i32): i32 {
  let i = aFrom;
  let j = bFrom;
  while (true) {
    const c = i < aTo ? code(a, i) : -1;
    const d = j < bTo ? code(b, j) : -1;
    if (c != d) return c < d ? -1 : 1;
    if (c < 0) return 0;
    i = nextShapeUnit(a, i);
    j = nextShapeUnit(b, j);
  }
}

/** 64-bit FNV-1a of the shape of text[from, to) (a literal segment's shape is its text). */
export function shapeHash(text: string, from: i32, to: i32): u64 {
  let h: u64 = 0xcbf29ce484222325;
  for (let i = from; i < to; i = nextShapeUnit(text, i)) h = (h ^ <u64>code(text, i)) * 0x100000001b3;
  return h;
}

/** Build-time facts about one distinct mixed shape at one trie node: what ranking needs. */
export class MixedShape {
  /** UTF-8 bytes of all literals, of the leading and of the trailing literal. */
  literalBytes: i32 = 0;
  leadBytes: i32 = 0;
  trailBytes: i32 = 0;
  /** Number of parameters (k). */
  params: i32 = 0;

  /** `text[from, to)`: the segment as one route wrote it (any route of this shape will do). */
  constructor(public parent: i32, public child: i32, public text: string, public from: i32, public to: i32) {
    const lits = scratch;
    const k = mixedLiterals(text, from, to, lits);
    this.params = k;
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
    return compareShapes(a.text, a.from, a.to, b.text, b.from, b.to);
  }
}

/**
 * Compiled mixed segments, matched against request bytes. One i32 array: program[p] is where
 * pattern p starts; there, its minimum length, its number of literals (k + 1), then per literal
 * its byte offset and length in `bytes` and where its KMP failure table starts in `program`
 * (middle literals only; the tables follow the patterns).
 */
export class MixedPatterns {
  private program: Int32Array = NO_I32;
  private bytes: Uint8Array = NO_U8;

  /** Compiles `shapes` in `order` (pattern p = shapes[order[p]]). */
  compile(shapes: MixedShape[], order: i64[]): void {
    const lits = scratch;
    // Sizes first, so that every array is allocated once at its size.
    let words = 0;
    let byteCount = 0;
    let failCount = 0;
    for (let p = 0; p < shapes.length; p++) {
      const s = shapes[p];
      words += 2 + 3 * (s.params + 1);
      byteCount += s.literalBytes;
      failCount += s.literalBytes - s.leadBytes - s.trailBytes; // the middle literals (k ≥ 1: lead and trail are two)
    }
    const program = new Int32Array(shapes.length + words + failCount);
    const bytes = new Uint8Array(byteCount);
    let at = shapes.length;
    let off = 0;
    let fail = at + words;
    for (let p = 0; p < shapes.length; p++) {
      const s = shapes[<i32>order[p]];
      const k = mixedLiterals(s.text, s.from, s.to, lits);
      program[p] = at;
      program[at++] = s.literalBytes + k;
      program[at++] = k + 1;
      for (let j = 0; j <= k; j++) {
        const from = lits[2 * j];
        const units = lits[2 * j + 1] - from;
        const n = <i32>String.UTF8.encodeUnsafe(changetype<usize>(s.text) + (<usize>from << 1), units, bytes.dataStart + <usize>off);
        const middle = j > 0 && j < k;
        program[at++] = off;
        program[at++] = n;
        program[at++] = middle ? fail : -1;
        if (middle) {
          fillFailure(bytes, off, n, program, fail);
          fail += n;
        }
        off += n;
      }
    }
    this.program = program;
    this.bytes = bytes;
  }

  /** Whether pattern p matches the segment bytes [ptr + start, ptr + end). */
  matches(p: i32, ptr: usize, start: i32, end: i32): bool {
    const prog = this.program;
    let at = unchecked(prog[p]);
    if (end - start < unchecked(prog[at])) return false;
    const pieces = unchecked(prog[at + 1]);
    const base = this.bytes.dataStart;
    at += 2;
    // Leading and trailing literals: fixed places.
    const leadLen = unchecked(prog[at + 1]);
    if (leadLen > 0 && !sameBytes(ptr + <usize>start, base + <usize>unchecked(prog[at]), leadLen)) return false;
    const last = at + 3 * (pieces - 1);
    const trailLen = unchecked(prog[last + 1]);
    const limit = end - trailLen;
    if (trailLen > 0 && !sameBytes(ptr + <usize>limit, base + <usize>unchecked(prog[last]), trailLen)) return false;
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
    const failure = this.program;
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
 * A 64-bit hash as a Map<string, i32> key: its eight bytes as a four-unit string. Configure time
 * only (mixed segments); the module then needs no Map instantiation with u64 keys (about 650 B).
 */
export function hashKey(h: u64): string {
  const key = changetype<string>(__new(8, idof<string>()));
  store<u64>(changetype<usize>(key), h);
  return key;
}

/** Order-dependent 64-bit mix of a node id and a segment shape hash (splitmix64 finaliser). */
export function mix(node: u64, shape: u64): u64 {
  let z = node * 0x9e3779b97f4a7c15 + shape;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/**
 * Routes that would bring a trie node past MAX_MIXED_PER_NODE distinct mixed shapes, by index into
 * `routes`, with the problem (the config reader reports it on the route's `path` and leaves the
 * route out). A node is the chain of the shapes of the segments before it (literals as written,
 * parameters "{}", mixed segments by their shape): the route table's trie, node for node.
 *
 * Nodes and shapes are 64-bit hashes, so checking allocates only an entry per distinct mixed
 * segment. Two different nodes or (node, shape) pairs would have to collide in 64 bits to be
 * miscounted: about n² / 2⁶⁵ for n of them, never in practice.
 */
export function mixedOverflow(routes: RouteSpec[]): MixedOverflow[] {
  const out = new Array<MixedOverflow>();
  // Keyed by hashKey(): the module's Map<string, i32> instantiation.
  const counts = new Map<string, i32>(); // node → distinct mixed shapes after it
  const known = new Map<string, i32>(); // a set (keys only) of mix(node, shape) for every mixed segment seen
  const template = new PathTemplate();
  const paramShape = shapeHash("{}", 0, 2);
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r];
    // Most routes have no segment that could be mixed and need no parse (configure time).
    if (route.pathKind != PathMatchKind.Template || !mayHaveMixed(route.pathText)) continue;
    if (template.parse(route.pathText).length != 0) continue;
    if (!hasMixed(template)) continue; // only mixed segments count
    const text = route.pathText;
    // Pass 0 checks that every new (node, shape) fits, pass 1 records them; a route that does not
    // fit records nothing. Each segment is at another depth, so another node: a route adds at
    // most one shape per node.
    for (let pass = 0; pass < 2; pass++) {
      let node: u64 = 0;
      for (let s = 0; s < template.length; s++) {
        const kind = template.kindAt(s);
        if (kind == SegmentKind.CatchAll) break;
        const shape = kind == SegmentKind.Param ? paramShape : shapeHash(text, template.startAt(s), template.endAt(s));
        const edge = mix(node, shape);
        const edgeKey = kind == SegmentKind.Mixed ? hashKey(edge) : "";
        if (kind == SegmentKind.Mixed && !known.has(edgeKey)) {
          const nodeKey = hashKey(node);
          const count = counts.has(nodeKey) ? counts.get(nodeKey) : 0;
          if (pass == 1) {
            known.set(edgeKey, 0);
            counts.set(nodeKey, count + 1);
          } else if (count >= MAX_MIXED_PER_NODE) {
            out.push(new MixedOverflow(r, "'" + template.textAt(s) + "': more than 64" + // MAX_MIXED_PER_NODE, written out
              " different segments that mix text and parameters at one position (after '" +
              text.substring(0, template.startAt(s)) + "')"));
            pass = 2; // left out: nothing recorded
            break;
          }
        }
        node = edge;
      }
    }
  }
  template.text = "";
  return out;
}

/**
 * Whether some segment of `text` could mix literal text and parameters: it holds a brace and is
 * not one '{…}' from its first character to its last. A false answer is certain (no parse needed:
 * configure time); a true one is settled by parsing. Invalid templates answer either way, and
 * mixedOverflow skips them after the parse.
 */
function mayHaveMixed(text: string): bool {
  const n = text.length;
  let start = 0; // first character of the current segment
  let braces = 0; // '{' and '}' in it
  for (let k = 0; k <= n; k++) {
    const c = k < n ? code(text, k) : 0x2f;
    if (c == 0x7b /* { */ || c == 0x7d /* } */) braces++;
    if (c != 0x2f /* / */) continue;
    if (braces > 0 && !(braces == 2 && code(text, start) == 0x7b && code(text, k - 1) == 0x7d)) return true;
    start = k + 1;
    braces = 0;
  }
  return false;
}

function hasMixed(t: PathTemplate): bool {
  for (let s = 0; s < t.length; s++) if (t.kindAt(s) == SegmentKind.Mixed) return true;
  return false;
}
