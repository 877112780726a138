// The planner: turns the syntax tree (ast.ts) into the evaluation tree (eval.ts, functions.ts) in
// one pass. On the way it resolves names (attributes, functions), checks types where they are
// statically known (the rules are in type-rules.ts), pre-computes everything that does not depend
// on the request (encoded literals, lower-cased header keys, property paths, compiled regexes,
// constant conversions such as duration('1s')) and orders && / || operands cheapest first.
// `a == b`, for example, is planned in Planner.binary (a CompareNode) and evaluated by CompareNode.eval.
//
// Errors carry the 0-based column of the offending token. Things CEL defines as *false* rather
// than as an error (== between different types) compile, but produce a warning.

import { Expr, ExprKind, Op, opName, qualifiedName, rootPos, startPos } from "./ast";
import { CelType, TypeKind, T_DYN, T_BOOL, T_INT, T_STRING, T_BYTES, isNumeric, joinTypes, scalarType } from "./types";
import { isBoolish, isStringish, arithmeticType, CONVERSION_KINDS, CONVERSION_ARGS } from "./type-rules";
import {
  AttrId, AttributeInfo, findAttribute, isNamespace, isUnsupportedNamespace, attributeNames, ATTR_HEADER_MAP,
  hasAttributePrefix, rootName,
} from "./attributes";
import { CelError, makeError } from "./errors";
import { Kind, decodeUtf8, copyBytes } from "./value";
import {
  EvalNode, ConstNode, AttrNode, AttrPresenceNode, MapAttrNode, PathNode, ListNode, MapLookupNode, HasNode,
  LogicalNode, TernaryNode, CompareNode, ArithNode, UnaryOpNode, noOverload, pairText,
} from "./eval";
import { SizeNode, StringTestNode, StringTest, ConvertNode } from "./functions";
import { Activation, joinPath } from "./activation";
import { Regex, lastCompileError } from "../regex/index";
import { didYouMean } from "../text/did-you-mean";

/** Deepest tree the planner accepts; bounds recursion in the planner and in the evaluator. */
export const MAX_DEPTH: i32 = 96;

/** The functions, by FN_ index: has, size, the string tests in StringTest order, matches, then the conversions in CONVERSION_KINDS order. */
const FUNCTIONS: string[] = [
  "has", "size", "startsWith", "endsWith", "contains", "matches",
  "string", "int", "uint", "double", "bytes", "bool", "duration", "timestamp",
];
const FN_HAS: i32 = 0;
const FN_SIZE: i32 = 1;
const FN_STRING_TESTS: i32 = 2;
const FN_MATCHES: i32 = 5;
const FN_CONVERSIONS: i32 = 6;
const UNSUPPORTED_MACROS: string[] = ["all", "exists", "exists_one", "map", "filter"];


const NO_WARNINGS: string[] = [];

function stringConst(text: string): ConstNode {
  const n = new ConstNode();
  n.v.setBuffer(Kind.String, String.UTF8.encode(text));
  n.type = T_STRING;
  return n;
}

/** The map attribute `n` reads, if it is one. */
function mapAttributeOf(n: EvalNode): AttributeInfo | null {
  return n instanceof MapAttrNode ? (<MapAttrNode>n).info : null;
}

/**
 * The key bytes of a lookup of `key` in map attribute `mapInfo`, when the key is a string literal
 * and the map is known: lower-cased for header maps (Envoy matches those case-insensitively).
 */
function literalKeyOf(key: EvalNode, mapInfo: AttributeInfo | null): ArrayBuffer | null {
  if (mapInfo === null || !(key instanceof ConstNode) || key.v.kind != Kind.String) return null;
  const v = key.v;
  const lower = (mapInfo.flags & ATTR_HEADER_MAP) != 0;
  const owner = v.owner;
  if (!lower && owner !== null && v.ptr == changetype<usize>(owner) && v.len == owner.byteLength) return owner;
  return copyBytes(v.ptr, v.len, lower);
}

/** "no matching overload for 'name' applied to (a)" or "… (a, b)". */
function overloadText(name: string, a: CelType, b: CelType | null): string {
  return noOverload(name, b !== null ? pairText(a.toString(), b.toString()) : "(" + a.toString() + ")");
}

/** True when type kind `k` is one of the kinds in the bit set `kinds` (bit k for kind k). */
function hasKind(k: TypeKind, kinds: u32): bool {
  return ((kinds >> <u32>k) & 1) != 0;
}

/** Evaluation cost of a node itself, excluding its children (rough units: one attribute compare = 1). */
function ownCost(n: EvalNode): i32 {
  if (n instanceof StringTestNode && (<StringTestNode>n).op == StringTest.Matches) return 20;
  if (n instanceof ConvertNode) return 4;
  if (n instanceof ArithNode) return 2;
  if (n instanceof SizeNode) return 2;
  return 1;
}

/** Plans one condition; its outcome (see plan()) is the evaluation tree, or the first error. */
export class Planner {
  src: string;
  root: EvalNode | null = null;
  error: CelError | null = null;
  usesResponse: bool = false;
  usesFilterState: bool = false;
  /** Shared empty list until the first warning (most conditions have none). */
  warnings: string[] = NO_WARNINGS;
  depth: i32 = 0;
  /** Running total of node costs, see plan(). */
  costSum: i32 = 0;

  constructor(src: string) {
    this.src = src;
  }

  fail(reason: string, pos: i32): EvalNode | null {
    if (this.error === null) this.error = makeError(this.src, reason, pos);
    return null;
  }

  warn(reason: string, pos: i32): void {
    if (this.warnings === NO_WARNINGS) this.warnings = [];
    this.warnings.push(makeError(this.src, reason, pos).message);
  }

  noteAttribute(info: AttributeInfo): void {
    if (info.afterResponse) this.usesResponse = true;
    if (info.id == AttrId.FilterState) this.usesFilterState = true;
  }

  plan(e: Expr): EvalNode | null {
    if (++this.depth > MAX_DEPTH) return this.fail("expression is too deeply nested (limit " + MAX_DEPTH.toString() + ")", e.pos);
    const costBefore = this.costSum;
    const n = this.planNode(e);
    this.depth--;
    if (n !== null) {
      // children checked above added their cost to costSum
      n.cost = this.costSum - costBefore + ownCost(n);
      this.costSum = costBefore + n.cost;
    }
    return n;
  }

  planNode(e: Expr): EvalNode | null {
    switch (e.kind) {
      case ExprKind.Literal: return this.literal(e);
      case ExprKind.Ident: return this.ident(e);
      case ExprKind.Select: return this.select(e);
      case ExprKind.Index: return this.index(e);
      case ExprKind.Call: return this.call(e);
      case ExprKind.Unary: return this.unary(e);
      case ExprKind.Binary: return this.binary(e);
      case ExprKind.And:
      case ExprKind.Or: return this.logical(e);
      case ExprKind.Ternary: return this.ternary(e);
      case ExprKind.List: return this.list(e);
      case ExprKind.Map: return this.fail("map literals are not supported", e.pos);
    }
    return this.fail("unsupported expression", e.pos);
  }

  /** "no matching overload for 'name' applied to (a)" or "… (a, b)" at `pos`. */
  noOverload(name: string, a: CelType, b: CelType | null, pos: i32): EvalNode | null {
    return this.fail(overloadText(name, a, b), pos);
  }

  // ---- names ----

  literal(e: Expr): EvalNode {
    const n = new ConstNode();
    const v = n.v;
    const kind = e.lit;
    v.kind = kind;
    if (kind == Kind.Double) v.d = e.d;
    else v.i = e.i;
    const bytes = e.bytes;
    if (bytes !== null) v.setBuffer(kind, bytes); // String, Bytes
    n.type = scalarType(kind);
    return n;
  }

  attributeNode(info: AttributeInfo): EvalNode {
    this.noteAttribute(info);
    return sharedAttributeNode(info);
  }

  ident(e: Expr): EvalNode | null {
    const name = e.text;
    const info = findAttribute(name);
    if (info !== null) return this.attributeNode(info);
    if (isNamespace(name)) return this.fail("'" + name + "' is an attribute group, not a value: select an attribute such as '" + name + "." + this.exampleField(name) + "'", e.pos);
    if (isUnsupportedNamespace(name)) return this.unsupportedAttribute(name, e.pos);
    // Any other bare identifier X is Envoy filter state "wasm.X" (e.g. an earlier generator's output).
    this.usesFilterState = true;
    return pathNode(String.UTF8.encode(name), name);
  }

  unsupportedAttribute(name: string, pos: i32): EvalNode | null {
    return this.fail("attribute '" + name + "' is not supported", pos);
  }

  exampleField(ns: string): string {
    const names = attributeNames();
    for (let i = 0; i < names.length; i++) if (names[i].startsWith(ns + ".")) return names[i].substring(ns.length + 1);
    return "…";
  }

  unknownAttribute(qn: string, pos: i32): EvalNode | null {
    const names = attributeNames();
    return this.fail("unknown attribute " + qn + didYouMean(qn, names), pos);
  }

  select(e: Expr): EvalNode | null {
    const qn = qualifiedName(e);
    if (qn !== null) {
      const info = findAttribute(qn);
      if (info !== null) return this.attributeNode(info);
      const root = rootName(qn);
      if (isUnsupportedNamespace(root)) return this.unsupportedAttribute(root, rootPos(e));
      // `request.headers.x` selects from a map attribute; otherwise a dotted name that is not an
      // attribute is a typo: under a namespace (request.foo), or of a namespace (reqest.method) —
      // a bare filter-state name is bytes and has no fields, so it cannot be meant.
      if (!hasAttributePrefix(qn)) return this.unknownAttribute(qn, rootPos(e));
    }
    const operand = this.plan(e.operand);
    if (operand === null) return null;
    return this.fieldOf(operand, e.text, e.pos, qualifiedName(e.operand));
  }

  /** `operand.field` on a non-attribute value: a map lookup by the literal field name. */
  fieldOf(operand: EvalNode, field: string, pos: i32, label: string | null): EvalNode | null {
    const t = operand.type;
    if (t.kind == TypeKind.Map || t.kind == TypeKind.Dyn) {
      return this.mapIndex(operand, stringConst(field), label !== null ? label : "map");
    }
    return this.fail("type '" + t.toString() + "' has no field '" + field + "'", pos);
  }

  /** map[key] with the key node already checked. */
  mapIndex(operand: EvalNode, key: EvalNode, label: string): EvalNode | null {
    const mapInfo = mapAttributeOf(operand);
    const literalKey = literalKeyOf(key, mapInfo);
    if (literalKey !== null && mapInfo!.id == AttrId.FilterState) {
      // filter_state['wasm.x'] → one property read of "filter_state\0wasm.x"
      // (the key is a string literal's bytes: valid UTF-8, so its text encodes back to the same bytes)
      return pathNode(joinPath(mapInfo!.path, literalKey), "filter_state['" + String.UTF8.decode(literalKey) + "']");
    }
    const n = new MapLookupNode(operand, key, "index", 0, mapInfo, literalKey, label);
    n.type = operand.type.kind == TypeKind.Map ? operand.type.elem! : T_DYN;
    return n;
  }

  index(e: Expr): EvalNode | null {
    // request['path'] — Envoy attribute groups are maps too
    const base = e.operand;
    const index = e.second;
    if (base.kind == ExprKind.Ident && index.kind == ExprKind.Literal && index.lit == Kind.String) {
      const ns = base.text;
      if (isNamespace(ns)) {
        const qn = ns + "." + index.text;
        const info = findAttribute(qn);
        if (info === null) return this.unknownAttribute(qn, base.pos);
        return this.attributeNode(info);
      }
    }
    const operand = this.plan(base);
    if (operand === null) return null;
    const key = this.plan(index);
    if (key === null) return null;
    const t = operand.type;
    const label = qualifiedName(base);
    if (t.kind == TypeKind.Map) {
      if (!isStringish(key.type)) return this.badIndex(t, key.type, "map keys are strings", e.pos);
      return this.mapIndex(operand, key, label !== null ? label : "map");
    }
    if (t.kind == TypeKind.List) {
      const k = key.type.kind;
      if (!hasKind(k, (1 << TypeKind.Int) | (1 << TypeKind.Uint) | (1 << TypeKind.Dyn))) return this.badIndex(t, key.type, "list indexes are ints", e.pos);
      const n = new MapLookupNode(operand, key, "index", 0, null, null, "list");
      n.type = t.elem!;
      return n;
    }
    if (t.kind == TypeKind.Dyn) {
      const n = new MapLookupNode(operand, key, "index", 0, null, null, label !== null ? label : "value");
      n.type = T_DYN;
      return n;
    }
    return this.fail("type '" + t.toString() + "' does not support indexing", e.pos);
  }

  badIndex(t: CelType, key: CelType, why: string, pos: i32): EvalNode | null {
    return this.fail("no matching overload for index " + pairText(t.toString(), key.toString()) + ": " + why, pos);
  }

  // ---- operators ----

  unary(e: Expr): EvalNode | null {
    const o = this.plan(e.operand);
    if (o === null) return null;
    const k = o.type.kind;
    const isNot = e.op == Op.Not;
    const ok = isNot ? isBoolish(o.type) : hasKind(k, (1 << TypeKind.Int) | (1 << TypeKind.Double) | (1 << TypeKind.Duration) | (1 << TypeKind.Dyn));
    if (!ok) return this.noOverload(opName(e.op), o.type, null, e.pos);
    const n = new UnaryOpNode(o, e.op);
    n.type = isNot ? T_BOOL : o.type;
    return n;
  }

  binary(e: Expr): EvalNode | null {
    const l = this.plan(e.operand);
    if (l === null) return null;
    const r = this.plan(e.second);
    if (r === null) return null;
    const op = e.op;
    const name = opName(op);
    const lt = l.type;
    const rt = r.type;
    const lk = lt.kind;
    const rk = rt.kind;
    const dyn = lk == TypeKind.Dyn || rk == TypeKind.Dyn;
    let n: EvalNode | null = null;

    switch (op) {
      case Op.Eq:
      case Op.Ne: {
        if (!dyn && lk != rk && !(isNumeric(lk) && isNumeric(rk)) && lk != TypeKind.Null && rk != TypeKind.Null) {
          this.warn("comparing " + lt.toString() + " with " + rt.toString() + " with '" + name + "' is always " +
            (op == Op.Eq ? "false" : "true") + (lk == TypeKind.Bytes || rk == TypeKind.Bytes ? " (filter state values are bytes: use string(x))" : ""), e.pos);
        }
        n = new CompareNode(l, r, name, op);
        break;
      }
      case Op.Lt:
      case Op.Le:
      case Op.Gt:
      case Op.Ge: {
        const orderable = hasKind(lk, (1 << TypeKind.String) | (1 << TypeKind.Bytes) | (1 << TypeKind.Bool) | (1 << TypeKind.Timestamp) | (1 << TypeKind.Duration));
        if (dyn || (isNumeric(lk) && isNumeric(rk)) || (lk == rk && orderable)) n = new CompareNode(l, r, name, op);
        break;
      }
      case Op.In: {
        if (rk == TypeKind.Map) {
          if (!isStringish(lt)) return this.fail(overloadText("in", lt, rt) + ": map keys are strings", e.pos);
          const mapInfo = mapAttributeOf(r);
          n = new MapLookupNode(l, r, "'in'", Op.In, mapInfo, literalKeyOf(l, mapInfo), "");
        } else if (rk == TypeKind.List || rk == TypeKind.Dyn) {
          n = new MapLookupNode(l, r, "'in'", Op.In, null, null, "");
        }
        break;
      }
      default: {
        // arithmetic: CEL has no implicit numeric conversions (1 + 1u is an error)
        const resultType = arithmeticType(op, lt, rt);
        if (resultType === null) {
          if (op == Op.Add && lk == TypeKind.List && rk == TypeKind.List) return this.fail("list concatenation is not supported", e.pos);
        } else {
          n = new ArithNode(l, r, name, op);
          n.type = resultType;
          return n;
        }
      }
    }
    if (n === null) return this.noOverload(name, lt, rt, e.pos);
    n.type = T_BOOL;
    return n;
  }

  logical(e: Expr): EvalNode | null {
    const isAnd = e.kind == ExprKind.And;
    const operands = e.list;
    const nodes: EvalNode[] = [];
    for (let i = 0; i < operands.length; i++) {
      const o = this.plan(operands[i]);
      if (o === null) return null;
      if (!isBoolish(o.type)) {
        return this.fail("no matching overload for '" + (isAnd ? "&&" : "||") + "': operand is " + o.type.toString() + ", not bool", startPos(operands[i]));
      }
      nodes.push(o);
    }
    // CEL's && / || are commutative (errors included), so evaluating cheap operands first is
    // unobservable except for *which* error is reported. Doing it lets `method == 'GET'` reject a
    // request before a regex runs. Stable: equal-cost operands keep their written order.
    // (every index below is in [0, nodes.length))
    for (let i = 1; i < nodes.length; i++) {
      const x = unchecked(nodes[i]);
      let j = i - 1;
      while (j >= 0 && unchecked(nodes[j]).cost > x.cost) {
        unchecked((nodes[j + 1] = nodes[j]));
        j--;
      }
      unchecked((nodes[j + 1] = x));
    }
    const n = new LogicalNode(nodes, isAnd);
    n.type = T_BOOL;
    return n;
  }

  ternary(e: Expr): EvalNode | null {
    const c = this.plan(e.operand);
    if (c === null) return null;
    if (!isBoolish(c.type)) return this.fail("the condition of '?:' must be bool, not " + c.type.toString(), startPos(e.operand));
    const a = this.plan(e.second);
    if (a === null) return null;
    const b = this.plan(changetype<Expr>(e.c));
    if (b === null) return null;
    const n = new TernaryNode(c, a, b);
    n.type = joinTypes(a.type, b.type);
    return n;
  }

  list(e: Expr): EvalNode | null {
    const elements = e.list;
    const els: EvalNode[] = [];
    let elemType: CelType | null = null;
    for (let i = 0; i < elements.length; i++) {
      const x = this.plan(elements[i]);
      if (x === null) return null;
      elemType = elemType === null ? x.type : joinTypes(elemType, x.type);
      els.push(x);
    }
    const n = new ListNode(els);
    n.type = new CelType(TypeKind.List, elemType !== null ? elemType : T_DYN);
    return n;
  }

  // ---- functions and macros ----

  call(e: Expr): EvalNode | null {
    const fn = e.text;
    const args = e.list;
    const argc = args.length;
    const target = e.a;
    const method = target !== null;
    const f = FUNCTIONS.indexOf(fn);
    if (f < 0) {
      if (UNSUPPORTED_MACROS.includes(fn)) return this.fail("macro '" + fn + "' is not supported", e.pos);
      if (fn == "in") return this.fail("'in' is an operator: write 'x in list'", e.pos);
      return this.fail("unknown function '" + fn + "'" + didYouMean(fn, FUNCTIONS), e.pos);
    }
    // how each may be called: has() and the conversions as functions, the string tests as methods,
    // size() and matches() either way
    if (f == FN_HAS && method) return this.fail("has() is a macro, not a method: write has(m.f)", e.pos);
    if (f >= FN_STRING_TESTS && f < FN_MATCHES && !method) return this.fail("'" + fn + "' is a method: write s." + fn + "(x)", e.pos);
    if (f >= FN_CONVERSIONS && method) return this.fail("'" + fn + "' is not a method: write " + fn + "(x)", e.pos);
    // arguments besides a method's target: one, but none for x.size() and two for matches(s, re)
    const expected = f == FN_SIZE && method ? 0 : f == FN_MATCHES && !method ? 2 : 1;
    if (argc != expected) {
      const what = !method ? fn + "()" : f == FN_SIZE ? "x.size()" : "'" + fn + "'";
      const takes = expected == 0 ? "no arguments" : expected == 1 ? "exactly 1 argument" : "exactly 2 arguments";
      return this.fail(what + " takes " + takes + ", got " + argc.toString(), e.pos);
    }
    if (f == FN_HAS) return this.has(args[0]);

    // the subject: a method's target, else the first argument
    const s = this.plan(method ? target! : args[0]);
    if (s === null) return null;

    if (f == FN_SIZE) {
      const k = s.type.kind;
      if (!hasKind(k, (1 << TypeKind.String) | (1 << TypeKind.Bytes) | (1 << TypeKind.List) | (1 << TypeKind.Map) | (1 << TypeKind.Dyn))) {
        return this.noOverload("size", s.type, null, e.pos);
      }
      const m = mapAttributeOf(s);
      if (m !== null && m.id == AttrId.FilterState) return this.fail("size() of filter_state is not supported", e.pos);
      const n = new SizeNode(s, fn);
      n.type = T_INT;
      return n;
    }

    if (f <= FN_MATCHES) {
      // s.fn(x) (startsWith, endsWith, contains, matches), and matches(s, x)
      const argExpr = args[method ? 0 : 1];
      const a = this.plan(argExpr);
      if (a === null) return null;
      if (!isStringish(s.type) || !isStringish(a.type)) return this.noOverload(fn, s.type, a.type, e.pos);
      // StringTest, or the matches() one after them
      const n = f != FN_MATCHES ? new StringTestNode(s, a, fn, f - FN_STRING_TESTS, null) : this.matches(s, a, argExpr);
      if (n !== null) n.type = T_BOOL;
      return n;
    }

    // conversions: string() int() uint() double() bytes() bool() duration() timestamp()
    return this.conversion(f - FN_CONVERSIONS, fn, s, e.pos);
  }

  /**
   * `s.matches(p)` with both checked. The pattern must be a constant, compiled now: a pattern
   * computed per request (`matches(string(request.headers['x-re']))`) would let a client choose
   * the regex and its cost. Istio's attributegen accepts that; this filter refuses it (README).
   */
  matches(s: EvalNode, p: EvalNode, patternExpr: Expr): EvalNode | null {
    if (!(p instanceof ConstNode)) {
      return this.fail("matches() needs a constant pattern: write the regular expression as a string literal " +
        "(a pattern computed from the request would let clients choose the regex)", startPos(patternExpr));
    }
    // a bad regex is a configure-time error pointing into the pattern
    const text = decodeUtf8(p.v.ptr, p.v.len);
    const re = Regex.compile(text);
    if (re === null) {
      const err = lastCompileError();
      const what = err !== null ? err.message : "invalid pattern";
      const at = err !== null ? this.patternOffset(patternExpr, text, err.position) : patternExpr.pos;
      return this.fail("invalid regular expression '" + text + "': " + what, at);
    }
    // The pattern lives on in the compiled regex; the node keeps the shared stand-in below.
    return new StringTestNode(s, patternStandIn(), "matches", StringTest.Matches, re);
  }

  /** Conversion `i` (CONVERSION_KINDS order), called `fn`, of `a`. */
  conversion(i: i32, fn: string, a: EvalNode, pos: i32): EvalNode | null {
    const k = a.type.kind;
    if (!hasKind(k, CONVERSION_ARGS[i] | (1 << TypeKind.Dyn))) return this.noOverload(fn, a.type, null, pos);
    const target = CONVERSION_KINDS[i];
    const resultType = scalarType(target);
    const n = new ConvertNode(a, target, fn);
    n.type = resultType;
    if (!a.isConst()) return n;
    // Constant argument: convert now, so `duration('1s')` costs nothing per request and a bad
    // constant (int('abc'), duration('5 minutes')) is a configure-time error.
    n.eval(new Activation()); // no attributes: constant operands read none
    if (n.v.isError) return this.fail(n.describe(n.v.errCode), pos);
    const c = new ConstNode();
    c.v.copyFrom(n.v);
    c.type = resultType;
    return c;
  }

  /**
   * Source offset of byte `bytePos` of a regex pattern written as a string literal, when the literal
   * spells the pattern verbatim (no escapes); otherwise the literal's own offset.
   */
  patternOffset(lit: Expr, pattern: string, bytePos: i32): i32 {
    if (lit.kind != ExprKind.Literal) return lit.pos;
    const src = this.src;
    let i = lit.pos;
    let q: i32;
    // past the r/b prefixes (charCodeAt is -1 at the end)
    while ((q = src.charCodeAt(i)) != 0x27 && q != 0x22 && q >= 0) i++;
    const triple = src.charCodeAt(i + 1) == q && src.charCodeAt(i + 2) == q && pattern.length > 0;
    const start = i + (triple ? 3 : 1);
    if (src.substr(start, pattern.length) != pattern) return lit.pos;
    // bytePos counts UTF-8 bytes; walk the pattern's UTF-16 units until that many bytes are covered
    let bytes = 0;
    let k = 0;
    while (k < pattern.length && bytes < bytePos) {
      const c = pattern.charCodeAt(k);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      if ((c & 0xfc00) == 0xd800) { bytes++; k++; } // a surrogate pair: 4 bytes
      k++;
    }
    return start + k;
  }

  has(arg: Expr): EvalNode | null {
    if (arg.kind != ExprKind.Select) return this.fail("invalid argument to has(): expected a field selection such as has(request.headers.x)", arg.pos);
    const qn = qualifiedName(arg);
    let n: EvalNode | null;
    const info = qn !== null ? findAttribute(qn) : null;
    if (info !== null) {
      // has(response.code): presence of the attribute itself
      this.noteAttribute(info);
      n = new AttrPresenceNode(info);
    } else {
      // has(m.f) on a map: key presence; select() reports unknown attributes and non-map operands
      const probe = this.select(arg);
      if (probe === null) return null;
      n = new HasNode(probe, "has");
    }
    n.type = T_BOOL;
    return n;
  }
}

/**
 * One node per attribute for every condition of the VM (`request.method` in 10⁴ conditions is one
 * node, not 10⁴). Sharing is invisible: the node's value depends only on the round (the activation
 * fetches an attribute once per round), a parent reads a child's slot right after evaluating it,
 * and the node holds nothing of a request once the round has ended (views keep no owner).
 */
const attributeNodes = new StaticArray<EvalNode | null>(AttrId.COUNT);

function sharedAttributeNode(info: AttributeInfo): EvalNode {
  const id = info.id;
  const known = unchecked(attributeNodes[id]);
  if (known !== null) return known;
  const n: EvalNode = info.type.kind == TypeKind.Map ? new MapAttrNode(info) : new AttrNode(info);
  n.type = info.type;
  unchecked((attributeNodes[id] = n));
  return n;
}

let patternConst: ConstNode | null = null;

/**
 * The right operand of every matches() StringTestNode: a constant string that is never evaluated or read but
 * for its kind (in "no matching overload" messages), instead of a copy of each pattern.
 */
function patternStandIn(): ConstNode {
  let n = patternConst;
  if (n === null) patternConst = n = stringConst("");
  return n;
}

function pathNode(path: ArrayBuffer, label: string): EvalNode {
  const n = new PathNode(path, label);
  n.type = T_BYTES;
  return n;
}

export function plan(src: string, e: Expr): Planner {
  const c = new Planner(src);
  const root = c.plan(e);
  if (root !== null && c.error === null) {
    if (!isBoolish(root.type)) {
      c.fail("the condition must be bool, but the expression is " + root.type.toString(), 0);
    } else {
      c.root = root;
    }
  }
  return c;
}
