// Untyped syntax tree produced by the parser and consumed (once) by the planner (planner.ts).
// Every node keeps `pos`, the 0-based source offset used in error messages.
//
// One node class serves every kind of expression (the fields a kind uses are listed below), so
// the parser and planner need no downcasts and the module carries one class instead of a dozen.

import { Kind } from "./value";

export const enum ExprKind {
  Literal,
  Ident, // bare identifier: an attribute namespace (`request`) or a filter-state name
  Select, // operand.field
  Index, // operand[index]
  Call, // fn(args) or target.fn(args)
  Unary, // ! or -
  Binary, // arithmetic, relations, `in`
  And, // n-ary && (chains are flattened so long conditions do not nest deeply)
  Or, // n-ary ||
  Ternary,
  List,
  Map, // map literal `{k: v}`: parsed so the planner can reject it with a clear message
}

// Add…Mod and Eq…Ge are in the order of the lexer's tokens for them (the parser maps by offset).
export const enum Op {
  // unary
  Not,
  Neg,
  // binary
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
}

const OP_NAMES: StaticArray<string> = ["!", "-", "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in"];

export function opName(op: Op): string {
  return <u32>op < <u32>OP_NAMES.length ? unchecked(OP_NAMES[op]) : "?";
}

const NO_EXPRS: Expr[] = [];

/**
 * | kind           | fields                                                                  |
 * |----------------|-------------------------------------------------------------------------|
 * | Literal        | `lit` (Null … Bytes), `i` (Bool 0/1, Int, Uint bits), `d`, `bytes` (UTF-8), `text` (String) |
 * | Ident          | `text` = name                                                           |
 * | Select         | `a` = operand, `text` = field                                           |
 * | Index          | `a` = operand, `b` = index                                              |
 * | Call           | `a` = target of `x.fn()` (null for `fn()`), `text` = fn, `list` = args  |
 * | Unary          | `op`, `a` = operand                                                     |
 * | Binary         | `op`, `a` = left, `b` = right                                           |
 * | And, Or        | `list` = operands                                                       |
 * | Ternary        | `a` = condition, `b` = then, `c` = otherwise                            |
 * | List           | `list` = elements                                                       |
 * | Map            | `list` = key, value, key, value … (parsed only to be refused by the planner) |
 */
export class Expr {
  // every field is set by reset(), which the constructor runs (one copy of the stores)
  kind: ExprKind;
  pos: i32;
  op: Op;
  lit: Kind;
  i: i64;
  d: f64;
  bytes: ArrayBuffer | null;
  text!: string;
  a: Expr | null;
  b: Expr | null;
  c: Expr | null;
  list!: Expr[];

  constructor(kind: ExprKind, pos: i32, a: Expr | null = null, b: Expr | null = null) {
    this.reset(kind, pos, a, b);
  }

  /** As freshly constructed (a pooled node, see newExpr). */
  reset(kind: ExprKind, pos: i32, a: Expr | null, b: Expr | null): void {
    this.kind = kind;
    this.pos = pos;
    this.op = Op.Not;
    this.lit = Kind.Null;
    this.i = 0;
    this.d = 0;
    this.bytes = null;
    this.text = "";
    this.a = a;
    this.b = b;
    this.c = null;
    this.list = NO_EXPRS;
  }

  /** `a` of a kind that always has it (all but Call, where it is the optional target). */
  @inline get operand(): Expr { return changetype<Expr>(this.a); }
  /** `b` of a kind that always has it (Index, Binary, Ternary). */
  @inline get second(): Expr { return changetype<Expr>(this.b); }
}

// A syntax tree lives only while its condition is compiled, and a configuration may compile 10⁵
// of them: the nodes come from a pool that compile() hands back once the tree is planned
// (releaseExprs), so compiling makes no garbage for them. Trees made without a release later
// (the parser's own tests) just take fresh nodes.
const exprPool: Expr[] = [];
let exprsInUse: i32 = 0;
/** Nodes kept for reuse at most (a larger tree takes fresh nodes beyond these). */
const EXPR_POOL_SIZE: i32 = 512;

/** A node, from the pool when one is free. */
export function newExpr(kind: ExprKind, pos: i32, a: Expr | null = null, b: Expr | null = null): Expr {
  if (exprsInUse < exprPool.length) {
    const e = unchecked(exprPool[exprsInUse++]);
    e.reset(kind, pos, a, b);
    return e;
  }
  const e = new Expr(kind, pos, a, b);
  if (exprPool.length < EXPR_POOL_SIZE) {
    exprPool.push(e);
    exprsInUse++;
  }
  return e;
}

/** Gives every pooled node back: the trees made since the last release must not be used any more. */
export function releaseExprs(): void {
  for (let i = 0; i < exprsInUse; i++) unchecked(exprPool[i]).reset(ExprKind.Literal, 0, null, null);
  exprsInUse = 0;
}

export function literalExpr(lit: Kind, pos: i32): Expr {
  const e = newExpr(ExprKind.Literal, pos);
  e.lit = lit;
  return e;
}

export function listExpr(kind: ExprKind, list: Expr[], pos: i32): Expr {
  const e = newExpr(kind, pos);
  e.list = list;
  return e;
}

// ---- queries used by the planner ----

/**
 * `a.b.c` for a chain of identifiers and field selections, else null. Iterative: chains can be
 * long. Built as one string (the planner asks for every attribute reference of every condition).
 */
export function qualifiedName(e: Expr): string | null {
  let length = 0;
  let x = e;
  while (x.kind == ExprKind.Select) {
    length += x.text.length + 1;
    x = x.operand;
  }
  if (x.kind != ExprKind.Ident) return null;
  if (x === e) return e.text;
  length += x.text.length;
  // Filled from the end: the chain is walked from its last field back to the identifier.
  const out = __new(<usize>length << 1, idof<String>());
  let end = length;
  x = e;
  while (x.kind == ExprKind.Select) {
    const field = x.text;
    end -= field.length;
    memory.copy(out + (<usize>end << 1), changetype<usize>(field), <usize>field.length << 1);
    end--;
    store<u16>(out + (<usize>end << 1), 0x2e /* . */);
    x = x.operand;
  }
  memory.copy(out, changetype<usize>(x.text), <usize>x.text.length << 1);
  return changetype<string>(out);
}

/** Offset where the source text of `e` starts (its leftmost token). */
export function startPos(e: Expr): i32 {
  let pos = e.pos;
  for (let guard = 0; guard < 1000; guard++) {
    pos = min(pos, e.pos);
    const k = e.kind;
    // the leftmost operand: of a selection, index, binary operator, conditional, or method call
    let next = k == ExprKind.Select || k == ExprKind.Index || k == ExprKind.Binary || k == ExprKind.Ternary || k == ExprKind.Call ? e.a : null;
    if ((k == ExprKind.And || k == ExprKind.Or) && e.list.length > 0) next = e.list[0];
    if (next === null) break;
    e = next;
  }
  return min(pos, e.pos);
}

/** Offset of the leftmost identifier of a selection chain (`request` of `request.foo.bar`). */
export function rootPos(e: Expr): i32 {
  while (e.kind == ExprKind.Select) e = e.operand;
  return e.pos;
}
