// Static checker and compiler: resolves names (attributes, functions), checks types where they are
// statically known, pre-computes everything that does not depend on the request (encoded literals,
// lower-cased header keys, property paths, compiled regexes, constant conversions such as
// duration('1s')), and builds the evaluation tree (eval.ts).
//
// Errors carry the 0-based column of the offending token. Things CEL defines as *false* rather
// than as an error (== between different types) compile, but produce a warning.

import {
  Expr, ExprKind, LiteralExpr, LiteralKind, IdentExpr, SelectExpr, IndexExpr, CallExpr, UnaryExpr,
  BinaryExpr, LogicalExpr, TernaryExpr, ListExpr, MapExpr, Op, opName,
} from "./ast";
import {
  CelType, TypeKind, T_DYN, T_NULL, T_BOOL, T_INT, T_UINT, T_DOUBLE, T_STRING, T_BYTES, T_TIMESTAMP, T_DURATION,
  isNumeric, joinTypes,
} from "./types";
import {
  AttrId, AttributeInfo, findAttribute, isNamespace, isUnsupportedNamespace, attributeNames, ATTR_HEADER_MAP,
} from "./attributes";
import { CelError, makeError } from "./errors";
import { Kind, decodeUtf8 } from "./value";
import {
  EvalNode, ConstNode, AttrNode, AttrPresenceNode, MapAttrNode, PathNode, ListNode, IndexNode, HasNode, InNode,
  LogicalNode, NotNode, TernaryNode, EqNode, CompareNode, CmpOp, ArithNode, ArithOp, NegNode,
} from "./eval";
import { SizeNode, StringTestNode, StringTest, MatchesNode, ConvertNode, Conv } from "./functions";
import { Activation } from "./activation";
import { Regex, lastCompileError } from "../regex/index";
import { propertyPathOf } from "../abi/hostcalls";
import { editDistance } from "../text/edit_distance";

/** Deepest tree the checker accepts; bounds recursion in the checker and in the evaluator. */
export const MAX_CHECK_DEPTH: i32 = 96;

const FUNCTIONS: string[] = [
  "has", "size", "startsWith", "endsWith", "contains", "matches",
  "string", "int", "uint", "double", "bytes", "bool", "duration", "timestamp",
];
const UNSUPPORTED_MACROS: string[] = ["all", "exists", "exists_one", "map", "filter"];

/** Used to fold constant conversions at compile time: constant operands never touch it. */
class NoAttributes extends Activation {
  fetch(attr: i32): ArrayBuffer | null { return null; }
  fetchMapEntry(attr: i32, key: ArrayBuffer): ArrayBuffer | null { return null; }
  fetchBare(path: ArrayBuffer): ArrayBuffer | null { return null; }
}

export class CheckResult {
  root: EvalNode | null = null;
  error: CelError | null = null;
  usesResponse: bool = false;
  usesFilterState: bool = false;
  warnings: string[] = [];
}


/** The closest candidate (case-insensitive match first, then edit distance <= 2), or "". */
function suggest(name: string, candidates: string[]): string {
  const lower = name.toLowerCase();
  let best = "";
  let bestDist = 3;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (c.toLowerCase() == lower) return c;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}

function didYouMean(name: string, candidates: string[]): string {
  const s = suggest(name, candidates);
  return s.length > 0 ? " (did you mean '" + s + "'?)" : "";
}

/** `a.b.c` for a chain of identifiers and field selections, else null. Iterative: chains can be long. */
function qualifiedName(e: Expr): string | null {
  const fields: string[] = [];
  while (e.kind == ExprKind.Select) {
    fields.push((<SelectExpr>e).field);
    e = (<SelectExpr>e).operand;
  }
  if (e.kind != ExprKind.Ident) return null;
  let name = (<IdentExpr>e).name;
  for (let i = fields.length - 1; i >= 0; i--) name += "." + fields[i];
  return name;
}

/** Offset where the source text of `e` starts (its leftmost token). */
function startPos(e: Expr): i32 {
  let pos = e.pos;
  for (let guard = 0; guard < 1000; guard++) {
    pos = min(pos, e.pos);
    if (e.kind == ExprKind.Select) e = (<SelectExpr>e).operand;
    else if (e.kind == ExprKind.Index) e = (<IndexExpr>e).operand;
    else if (e.kind == ExprKind.Binary) e = (<BinaryExpr>e).left;
    else if (e.kind == ExprKind.Ternary) e = (<TernaryExpr>e).cond;
    else if ((e.kind == ExprKind.And || e.kind == ExprKind.Or) && (<LogicalExpr>e).operands.length > 0) e = (<LogicalExpr>e).operands[0];
    else if (e.kind == ExprKind.Call && (<CallExpr>e).target !== null) e = (<CallExpr>e).target!;
    else break;
  }
  return min(pos, e.pos);
}

function rootPos(e: Expr): i32 {
  while (e.kind == ExprKind.Select) e = (<SelectExpr>e).operand;
  return e.pos;
}

/** True when some proper dotted prefix of `qn` is an attribute (`request.headers` of `request.headers.x`). */
function hasAttributePrefix(qn: string): bool {
  let dot = qn.lastIndexOf(".");
  while (dot > 0) {
    if (findAttribute(qn.substring(0, dot)) !== null) return true;
    dot = qn.lastIndexOf(".", dot - 1);
  }
  return false;
}

function rootName(qn: string): string {
  const dot = qn.indexOf(".");
  return dot < 0 ? qn : qn.substring(0, dot);
}

function asciiLowerBuffer(buf: ArrayBuffer): ArrayBuffer {
  const out = buf.slice(0);
  const p = changetype<usize>(out);
  for (let i = 0; i < out.byteLength; i++) {
    const c = load<u8>(p + <usize>i);
    if (c >= 0x41 && c <= 0x5a) store<u8>(p + <usize>i, c | 0x20);
  }
  return out;
}

function stringConst(text: string): ConstNode {
  const n = new ConstNode();
  n.v.setBuffer(Kind.String, String.UTF8.encode(text));
  n.type = T_STRING;
  return n;
}

/** A string literal's UTF-8 bytes, if `n` is one. */
function literalStringBytes(n: EvalNode): ArrayBuffer | null {
  if (n instanceof ConstNode && n.v.kind == Kind.String) {
    const v = n.v;
    const owner = v.owner;
    if (owner !== null && v.ptr == changetype<usize>(owner) && v.len == owner.byteLength) return owner;
    const copy = new ArrayBuffer(v.len);
    memory.copy(changetype<usize>(copy), v.ptr, <usize>v.len);
    return copy;
  }
  return null;
}

function isBoolish(t: CelType): bool { return t.kind == TypeKind.Bool || t.kind == TypeKind.Dyn; }
function isStringish(t: CelType): bool { return t.kind == TypeKind.String || t.kind == TypeKind.Dyn; }

/** Evaluation cost of a node itself, excluding its children (rough units: one attribute compare = 1). */
function ownCost(n: EvalNode): i32 {
  if (n instanceof MatchesNode) return (<MatchesNode>n).regex !== null ? 20 : 200; // runtime compile is dear
  if (n instanceof ConvertNode) return 4;
  if (n instanceof ArithNode) return 2;
  if (n instanceof SizeNode) return 2;
  return 1;
}

class Checker {
  src: string;
  result: CheckResult = new CheckResult();
  depth: i32 = 0;
  /** Running total of node costs, see check(). */
  costSum: i32 = 0;

  constructor(src: string) {
    this.src = src;
  }

  fail(reason: string, pos: i32): EvalNode | null {
    if (this.result.error === null) this.result.error = makeError(this.src, reason, pos);
    return null;
  }

  warn(reason: string, pos: i32): void {
    this.result.warnings.push(makeError(this.src, reason, pos).message);
  }

  noteAttribute(info: AttributeInfo): void {
    if (info.afterResponse) this.result.usesResponse = true;
    if (info.id == AttrId.FilterState) this.result.usesFilterState = true;
  }

  check(e: Expr): EvalNode | null {
    if (++this.depth > MAX_CHECK_DEPTH) return this.fail("expression is too deeply nested (limit " + MAX_CHECK_DEPTH.toString() + ")", e.pos);
    const costBefore = this.costSum;
    const n = this.checkInner(e);
    this.depth--;
    if (n !== null) {
      n.pos = e.pos;
      // children checked above added their cost to costSum
      n.cost = this.costSum - costBefore + ownCost(n);
      this.costSum = costBefore + n.cost;
    }
    return n;
  }

  checkInner(e: Expr): EvalNode | null {
    switch (e.kind) {
      case ExprKind.Literal: return this.literal(<LiteralExpr>e);
      case ExprKind.Ident: return this.ident(<IdentExpr>e);
      case ExprKind.Select: return this.select(<SelectExpr>e);
      case ExprKind.Index: return this.index(<IndexExpr>e);
      case ExprKind.Call: return this.call(<CallExpr>e);
      case ExprKind.Unary: return this.unary(<UnaryExpr>e);
      case ExprKind.Binary: return this.binary(<BinaryExpr>e);
      case ExprKind.And:
      case ExprKind.Or: return this.logical(<LogicalExpr>e);
      case ExprKind.Ternary: return this.ternary(<TernaryExpr>e);
      case ExprKind.List: return this.list(<ListExpr>e);
      case ExprKind.Map: return this.fail("map literals are not supported", e.pos);
    }
    return this.fail("unsupported expression", e.pos);
  }

  // ---- names ----

  literal(e: LiteralExpr): EvalNode {
    const n = new ConstNode();
    const v = n.v;
    switch (e.lit) {
      case LiteralKind.Null: v.setNull(); n.type = T_NULL; break;
      case LiteralKind.Bool: v.setBool(e.i != 0); n.type = T_BOOL; break;
      case LiteralKind.Int: v.setInt(e.i); n.type = T_INT; break;
      case LiteralKind.Uint: v.setUint(<u64>e.i); n.type = T_UINT; break;
      case LiteralKind.Double: v.setDouble(e.d); n.type = T_DOUBLE; break;
      case LiteralKind.String: v.setBuffer(Kind.String, e.bytes!); n.type = T_STRING; break;
      case LiteralKind.Bytes: v.setBuffer(Kind.Bytes, e.bytes!); n.type = T_BYTES; break;
    }
    return n;
  }

  attributeNode(info: AttributeInfo): EvalNode {
    this.noteAttribute(info);
    const n: EvalNode = info.type.kind == TypeKind.Map ? new MapAttrNode(info) : new AttrNode(info);
    n.type = info.type;
    return n;
  }

  ident(e: IdentExpr): EvalNode | null {
    const name = e.name;
    const info = findAttribute(name);
    if (info !== null) return this.attributeNode(info);
    if (isNamespace(name)) return this.fail("'" + name + "' is an attribute group, not a value: select an attribute such as '" + name + "." + this.exampleField(name) + "'", e.pos);
    if (isUnsupportedNamespace(name)) return this.fail("attribute '" + name + "' is not supported", e.pos);
    // Any other bare identifier X is Envoy filter state "wasm.X" (e.g. an earlier generator's output).
    this.result.usesFilterState = true;
    const n = new PathNode(String.UTF8.encode(name), name);
    n.type = T_BYTES;
    return n;
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

  select(e: SelectExpr): EvalNode | null {
    const qn = qualifiedName(e);
    if (qn !== null) {
      const info = findAttribute(qn);
      if (info !== null) return this.attributeNode(info);
      const root = rootName(qn);
      if (isUnsupportedNamespace(root)) return this.fail("attribute '" + root + "' is not supported", rootPos(e));
      // `request.headers.x` selects from a map attribute; otherwise a dotted name that is not an
      // attribute is a typo: under a namespace (request.foo), or of a namespace (reqest.method) —
      // a bare filter-state name is bytes and has no fields, so it cannot be meant.
      if (!hasAttributePrefix(qn)) return this.unknownAttribute(qn, rootPos(e));
    }
    const operand = this.check(e.operand);
    if (operand === null) return null;
    return this.fieldOf(operand, e.field, e.pos, qualifiedName(e.operand));
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
    const mapInfo = operand instanceof MapAttrNode ? (<MapAttrNode>operand).info : null;
    let literalKey = literalStringBytes(key);
    if (literalKey !== null && mapInfo !== null) {
      if (mapInfo.id == AttrId.FilterState) {
        // filter_state['wasm.x'] → one property read of "filter_state\0wasm.x"
        const keyText = String.UTF8.decode(literalKey);
        const p = new PathNode(propertyPathOf(["filter_state", keyText]), "filter_state['" + keyText + "']");
        p.type = T_BYTES;
        return p;
      }
      if ((mapInfo.flags & ATTR_HEADER_MAP) != 0) literalKey = asciiLowerBuffer(literalKey);
    }
    const n = new IndexNode(operand, key, mapInfo, literalKey, label);
    n.type = operand.type.kind == TypeKind.Map ? operand.type.elem! : T_DYN;
    return n;
  }

  index(e: IndexExpr): EvalNode | null {
    // request['path'] — Envoy attribute groups are maps too
    if (e.operand.kind == ExprKind.Ident && e.index.kind == ExprKind.Literal && (<LiteralExpr>e.index).lit == LiteralKind.String) {
      const ns = (<IdentExpr>e.operand).name;
      if (isNamespace(ns)) {
        const qn = ns + "." + (<LiteralExpr>e.index).text;
        const info = findAttribute(qn);
        if (info === null) return this.unknownAttribute(qn, e.operand.pos);
        return this.attributeNode(info);
      }
    }
    const operand = this.check(e.operand);
    if (operand === null) return null;
    const key = this.check(e.index);
    if (key === null) return null;
    const t = operand.type;
    const label = qualifiedName(e.operand);
    if (t.kind == TypeKind.Map) {
      if (!isStringish(key.type)) return this.fail("no matching overload for index (" + t.toString() + ", " + key.type.toString() + "): map keys are strings", e.pos);
      return this.mapIndex(operand, key, label !== null ? label : "map");
    }
    if (t.kind == TypeKind.List) {
      const k = key.type.kind;
      if (k != TypeKind.Int && k != TypeKind.Uint && k != TypeKind.Dyn) return this.fail("no matching overload for index (" + t.toString() + ", " + key.type.toString() + "): list indexes are ints", e.pos);
      const n = new IndexNode(operand, key, null, null, "list");
      n.type = t.elem!;
      return n;
    }
    if (t.kind == TypeKind.Dyn) {
      const n = new IndexNode(operand, key, null, null, label !== null ? label : "value");
      n.type = T_DYN;
      return n;
    }
    return this.fail("type '" + t.toString() + "' does not support indexing", e.pos);
  }

  // ---- operators ----

  unary(e: UnaryExpr): EvalNode | null {
    const o = this.check(e.operand);
    if (o === null) return null;
    const k = o.type.kind;
    if (e.op == Op.Not) {
      if (!isBoolish(o.type)) return this.fail("no matching overload for '!' applied to (" + o.type.toString() + ")", e.pos);
      const n = new NotNode(o);
      n.type = T_BOOL;
      return n;
    }
    if (k != TypeKind.Int && k != TypeKind.Double && k != TypeKind.Duration && k != TypeKind.Dyn) {
      return this.fail("no matching overload for '-' applied to (" + o.type.toString() + ")", e.pos);
    }
    const n = new NegNode(o);
    n.type = o.type;
    return n;
  }

  binary(e: BinaryExpr): EvalNode | null {
    const l = this.check(e.left);
    if (l === null) return null;
    const r = this.check(e.right);
    if (r === null) return null;
    const lt = l.type;
    const rt = r.type;
    const lk = lt.kind;
    const rk = rt.kind;
    const dyn = lk == TypeKind.Dyn || rk == TypeKind.Dyn;
    const overload = "no matching overload for '" + opName(e.op) + "' applied to (" + lt.toString() + ", " + rt.toString() + ")";

    switch (e.op) {
      case Op.Eq:
      case Op.Ne: {
        if (!dyn && lk != rk && !(isNumeric(lk) && isNumeric(rk)) && lk != TypeKind.Null && rk != TypeKind.Null) {
          this.warn("comparing " + lt.toString() + " with " + rt.toString() + " with '" + opName(e.op) + "' is always " +
            (e.op == Op.Eq ? "false" : "true") + (lk == TypeKind.Bytes || rk == TypeKind.Bytes ? " (filter state values are bytes: use string(x))" : ""), e.pos);
        }
        const n = new EqNode(l, r, e.op == Op.Ne);
        n.type = T_BOOL;
        return n;
      }
      case Op.Lt:
      case Op.Le:
      case Op.Gt:
      case Op.Ge: {
        const orderable = lk == TypeKind.String || lk == TypeKind.Bytes || lk == TypeKind.Bool || lk == TypeKind.Timestamp || lk == TypeKind.Duration;
        if (!dyn && !(isNumeric(lk) && isNumeric(rk)) && !(lk == rk && orderable)) return this.fail(overload, e.pos);
        const op = e.op == Op.Lt ? CmpOp.Lt : e.op == Op.Le ? CmpOp.Le : e.op == Op.Gt ? CmpOp.Gt : CmpOp.Ge;
        const n = new CompareNode(l, r, op, opName(e.op));
        n.type = T_BOOL;
        return n;
      }
      case Op.In: {
        if (rk == TypeKind.List) {
          const n = new InNode(l, r, null, null);
          n.type = T_BOOL;
          return n;
        }
        if (rk == TypeKind.Map) {
          if (!isStringish(lt)) return this.fail(overload + ": map keys are strings", e.pos);
          const mapInfo = r instanceof MapAttrNode ? (<MapAttrNode>r).info : null;
          let key = literalStringBytes(l);
          if (key !== null && mapInfo !== null && (mapInfo.flags & ATTR_HEADER_MAP) != 0) key = asciiLowerBuffer(key);
          const n = new InNode(l, r, mapInfo, key);
          n.type = T_BOOL;
          return n;
        }
        if (rk == TypeKind.Dyn) {
          const n = new InNode(l, r, null, null);
          n.type = T_BOOL;
          return n;
        }
        return this.fail(overload, e.pos);
      }
    }

    // arithmetic: CEL has no implicit numeric conversions (1 + 1u is an error)
    let resultType: CelType | null = null;
    if (dyn) {
      // dyn op T: assume T (or dyn); timestamps mix with durations, so leave those dyn
      const known = lk == TypeKind.Dyn ? rt : lt;
      resultType = known.kind == TypeKind.Timestamp || known.kind == TypeKind.Duration ? T_DYN : known;
    } else if (lk == rk && (lk == TypeKind.Int || lk == TypeKind.Uint)) {
      resultType = lt;
    } else if (lk == rk && lk == TypeKind.Double && e.op != Op.Mod) {
      resultType = lt;
    } else if (e.op == Op.Add && lk == rk && (lk == TypeKind.String || lk == TypeKind.Bytes)) {
      resultType = lt;
    } else if (e.op == Op.Add && ((lk == TypeKind.Timestamp && rk == TypeKind.Duration) || (lk == TypeKind.Duration && rk == TypeKind.Timestamp))) {
      resultType = T_TIMESTAMP;
    } else if ((e.op == Op.Add || e.op == Op.Sub) && lk == TypeKind.Duration && rk == TypeKind.Duration) {
      resultType = T_DURATION;
    } else if (e.op == Op.Sub && lk == TypeKind.Timestamp && rk == TypeKind.Duration) {
      resultType = T_TIMESTAMP;
    } else if (e.op == Op.Sub && lk == TypeKind.Timestamp && rk == TypeKind.Timestamp) {
      resultType = T_DURATION;
    }
    if (resultType === null) {
      if (e.op == Op.Add && lk == TypeKind.List && rk == TypeKind.List) return this.fail("list concatenation is not supported", e.pos);
      return this.fail(overload, e.pos);
    }
    let op: ArithOp;
    switch (e.op) {
      case Op.Add: op = ArithOp.Add; break;
      case Op.Sub: op = ArithOp.Sub; break;
      case Op.Mul: op = ArithOp.Mul; break;
      case Op.Div: op = ArithOp.Div; break;
      default: op = ArithOp.Mod;
    }
    const n = new ArithNode(l, r, op, opName(e.op));
    n.type = resultType;
    return n;
  }

  logical(e: LogicalExpr): EvalNode | null {
    const isAnd = e.kind == ExprKind.And;
    const nodes: EvalNode[] = [];
    for (let i = 0; i < e.operands.length; i++) {
      const o = this.check(e.operands[i]);
      if (o === null) return null;
      if (!isBoolish(o.type)) {
        return this.fail("no matching overload for '" + (isAnd ? "&&" : "||") + "': operand is " + o.type.toString() + ", not bool", startPos(e.operands[i]));
      }
      nodes.push(o);
    }
    // CEL's && / || are commutative (errors included), so evaluating cheap operands first is
    // unobservable except for *which* error is reported. Doing it lets `method == 'GET'` reject a
    // request before a regex runs. Stable: equal-cost operands keep their written order.
    for (let i = 1; i < nodes.length; i++) {
      const x = nodes[i];
      let j = i - 1;
      while (j >= 0 && nodes[j].cost > x.cost) {
        nodes[j + 1] = nodes[j];
        j--;
      }
      nodes[j + 1] = x;
    }
    const n = new LogicalNode(nodes, isAnd);
    n.type = T_BOOL;
    return n;
  }

  ternary(e: TernaryExpr): EvalNode | null {
    const c = this.check(e.cond);
    if (c === null) return null;
    if (!isBoolish(c.type)) return this.fail("the condition of '?:' must be bool, not " + c.type.toString(), startPos(e.cond));
    const a = this.check(e.then);
    if (a === null) return null;
    const b = this.check(e.otherwise);
    if (b === null) return null;
    const n = new TernaryNode(c, a, b);
    n.type = joinTypes(a.type, b.type);
    return n;
  }

  list(e: ListExpr): EvalNode | null {
    const els: EvalNode[] = [];
    let elemType: CelType | null = null;
    for (let i = 0; i < e.elements.length; i++) {
      const x = this.check(e.elements[i]);
      if (x === null) return null;
      elemType = elemType === null ? x.type : joinTypes(elemType, x.type);
      els.push(x);
    }
    const n = new ListNode(els);
    n.type = new CelType(TypeKind.List, elemType !== null ? elemType : T_DYN);
    return n;
  }

  // ---- functions and macros ----

  call(e: CallExpr): EvalNode | null {
    const fn = e.fn;
    const argc = e.args.length;
    const target = e.target;
    if (!FUNCTIONS.includes(fn)) {
      if (UNSUPPORTED_MACROS.includes(fn)) return this.fail("macro '" + fn + "' is not supported", e.pos);
      if (fn == "in") return this.fail("'in' is an operator: write 'x in list'", e.pos);
      return this.fail("unknown function '" + fn + "'" + didYouMean(fn, FUNCTIONS), e.pos);
    }

    if (fn == "has") {
      if (target !== null) return this.fail("has() is a macro, not a method: write has(m.f)", e.pos);
      if (argc != 1) return this.fail("has() takes exactly 1 argument, got " + argc.toString(), e.pos);
      return this.has(e.args[0], e.pos);
    }

    if (fn == "size") {
      let subject: Expr;
      if (target !== null) {
        if (argc != 0) return this.fail("x.size() takes no arguments, got " + argc.toString(), e.pos);
        subject = target;
      } else {
        if (argc != 1) return this.fail("size() takes exactly 1 argument, got " + argc.toString(), e.pos);
        subject = e.args[0];
      }
      const s = this.check(subject);
      if (s === null) return null;
      const k = s.type.kind;
      if (k != TypeKind.String && k != TypeKind.Bytes && k != TypeKind.List && k != TypeKind.Map && k != TypeKind.Dyn) {
        return this.fail("no matching overload for 'size' applied to (" + s.type.toString() + ")", e.pos);
      }
      if (s instanceof MapAttrNode && (<MapAttrNode>s).info.id == AttrId.FilterState) return this.fail("size() of filter_state is not supported", e.pos);
      const n = new SizeNode(s);
      n.type = T_INT;
      return n;
    }

    if (fn == "startsWith" || fn == "endsWith" || fn == "contains") {
      if (target === null) return this.fail("'" + fn + "' is a method: write s." + fn + "(x)", e.pos);
      if (argc != 1) return this.fail("'" + fn + "' takes exactly 1 argument, got " + argc.toString(), e.pos);
      const s = this.check(target);
      if (s === null) return null;
      const a = this.check(e.args[0]);
      if (a === null) return null;
      if (!isStringish(s.type) || !isStringish(a.type)) {
        return this.fail("no matching overload for '" + fn + "' applied to (" + s.type.toString() + ", " + a.type.toString() + ")", e.pos);
      }
      const test = fn == "startsWith" ? StringTest.StartsWith : fn == "endsWith" ? StringTest.EndsWith : StringTest.Contains;
      const n = new StringTestNode(s, a, test, fn);
      n.type = T_BOOL;
      return n;
    }

    if (fn == "matches") {
      let subjectExpr: Expr;
      let patternExpr: Expr;
      if (target !== null) {
        if (argc != 1) return this.fail("'matches' takes exactly 1 argument, got " + argc.toString(), e.pos);
        subjectExpr = target;
        patternExpr = e.args[0];
      } else {
        if (argc != 2) return this.fail("matches() takes exactly 2 arguments, got " + argc.toString(), e.pos);
        subjectExpr = e.args[0];
        patternExpr = e.args[1];
      }
      const s = this.check(subjectExpr);
      if (s === null) return null;
      const p = this.check(patternExpr);
      if (p === null) return null;
      if (!isStringish(s.type) || !isStringish(p.type)) {
        return this.fail("no matching overload for 'matches' applied to (" + s.type.toString() + ", " + p.type.toString() + ")", e.pos);
      }
      let re: Regex | null = null;
      if (p instanceof ConstNode) {
        // literal pattern: compile now; a bad regex is a configure-time error pointing into the pattern
        const text = decodeUtf8(p.v.ptr, p.v.len);
        re = Regex.compile(text);
        if (re === null) {
          const err = lastCompileError();
          const what = err !== null ? err.message : "invalid pattern";
          const at = err !== null ? this.patternOffset(patternExpr, text, err.position) : patternExpr.pos;
          return this.fail("invalid regular expression '" + text + "': " + what, at);
        }
      }
      const n = new MatchesNode(s, p, re);
      n.type = T_BOOL;
      return n;
    }

    // conversions: string() int() uint() double() bytes() bool() duration() timestamp()
    if (target !== null) return this.fail("'" + fn + "' is not a method: write " + fn + "(x)", e.pos);
    if (argc != 1) return this.fail(fn + "() takes exactly 1 argument, got " + argc.toString(), e.pos);
    const a = this.check(e.args[0]);
    if (a === null) return null;
    return this.conversion(fn, a, e.pos);
  }

  conversion(fn: string, a: EvalNode, pos: i32): EvalNode | null {
    const k = a.type.kind;
    let conv: Conv;
    let resultType: CelType;
    let ok = k == TypeKind.Dyn;
    if (fn == "string") {
      conv = Conv.ToString; resultType = T_STRING;
      ok = ok || k == TypeKind.String || k == TypeKind.Bytes || k == TypeKind.Int || k == TypeKind.Uint || k == TypeKind.Double || k == TypeKind.Bool;
    } else if (fn == "int") {
      conv = Conv.ToInt; resultType = T_INT;
      ok = ok || k == TypeKind.Int || k == TypeKind.Uint || k == TypeKind.Double || k == TypeKind.String || k == TypeKind.Timestamp;
    } else if (fn == "uint") {
      conv = Conv.ToUint; resultType = T_UINT;
      ok = ok || k == TypeKind.Int || k == TypeKind.Uint || k == TypeKind.Double || k == TypeKind.String;
    } else if (fn == "double") {
      conv = Conv.ToDouble; resultType = T_DOUBLE;
      ok = ok || k == TypeKind.Int || k == TypeKind.Uint || k == TypeKind.Double || k == TypeKind.String;
    } else if (fn == "bytes") {
      conv = Conv.ToBytes; resultType = T_BYTES;
      ok = ok || k == TypeKind.String || k == TypeKind.Bytes;
    } else if (fn == "bool") {
      conv = Conv.ToBool; resultType = T_BOOL;
      ok = ok || k == TypeKind.Bool || k == TypeKind.String;
    } else if (fn == "duration") {
      conv = Conv.ToDuration; resultType = T_DURATION;
      ok = ok || k == TypeKind.String || k == TypeKind.Duration;
    } else {
      conv = Conv.ToTimestamp; resultType = T_TIMESTAMP;
      ok = ok || k == TypeKind.String || k == TypeKind.Timestamp || k == TypeKind.Int;
    }
    if (!ok) return this.fail("no matching overload for '" + fn + "' applied to (" + a.type.toString() + ")", pos);
    const n = new ConvertNode(a, conv, fn);
    n.type = resultType;
    if (!a.isConst()) return n;
    // Constant argument: convert now, so `duration('1s')` costs nothing per request and a bad
    // constant (int('abc'), duration('5 minutes')) is a configure-time error.
    n.eval(new NoAttributes());
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
    let i = lit.pos;
    while (i < this.src.length && this.src.charCodeAt(i) != 0x27 && this.src.charCodeAt(i) != 0x22) i++; // r/b prefixes
    const q = this.src.charCodeAt(i);
    const triple = this.src.charCodeAt(i + 1) == q && this.src.charCodeAt(i + 2) == q && pattern.length > 0;
    const start = i + (triple ? 3 : 1);
    if (this.src.substr(start, pattern.length) != pattern) return lit.pos;
    // bytePos counts UTF-8 bytes; walk the pattern's UTF-16 units until that many bytes are covered
    let bytes = 0;
    let k = 0;
    while (k < pattern.length && bytes < bytePos) {
      const c = pattern.charCodeAt(k);
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; k++; }
      else bytes += 3;
      k++;
    }
    return start + k;
  }

  has(arg: Expr, pos: i32): EvalNode | null {
    if (arg.kind != ExprKind.Select) return this.fail("invalid argument to has(): expected a field selection such as has(request.headers.x)", arg.pos);
    const sel = <SelectExpr>arg;
    const qn = qualifiedName(sel);
    if (qn !== null) {
      const info = findAttribute(qn);
      if (info !== null) {
        // has(response.code): presence of the attribute itself
        this.noteAttribute(info);
        const n = new AttrPresenceNode(info);
        n.type = T_BOOL;
        return n;
      }
    }
    // has(m.f) on a map: key presence; select() reports unknown attributes and non-map operands
    const probe = this.select(sel);
    if (probe === null) return null;
    const n = new HasNode(probe);
    n.type = T_BOOL;
    return n;
  }
}

export function check(src: string, e: Expr): CheckResult {
  const c = new Checker(src);
  const root = c.check(e);
  if (root !== null && c.result.error === null) {
    if (!isBoolish(root.type)) {
      c.fail("the condition must be bool, but the expression is " + root.type.toString(), 0);
    } else {
      c.result.root = root;
    }
  }
  return c.result;
}
