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
 * | Map            | `list` = keys, `values`                                                 |
 */
export class Expr {
  kind: ExprKind;
  pos: i32;
  op: Op = Op.Not;
  lit: Kind = Kind.Null;
  i: i64 = 0;
  d: f64 = 0;
  bytes: ArrayBuffer | null = null;
  text: string = "";
  a: Expr | null;
  b: Expr | null;
  c: Expr | null = null;
  list: Expr[] = NO_EXPRS;
  values: Expr[] = NO_EXPRS;

  constructor(kind: ExprKind, pos: i32, a: Expr | null = null, b: Expr | null = null) {
    this.kind = kind;
    this.pos = pos;
    this.a = a;
    this.b = b;
  }

  /** `a` of a kind that always has it (all but Call, where it is the optional target). */
  @inline get operand(): Expr { return changetype<Expr>(this.a); }
  /** `b` of a kind that always has it (Index, Binary, Ternary). */
  @inline get second(): Expr { return changetype<Expr>(this.b); }
}

export function literalExpr(lit: Kind, pos: i32): Expr {
  const e = new Expr(ExprKind.Literal, pos);
  e.lit = lit;
  return e;
}

export function listExpr(kind: ExprKind, list: Expr[], pos: i32): Expr {
  const e = new Expr(kind, pos);
  e.list = list;
  return e;
}

// ---- queries used by the planner ----

/** `a.b.c` for a chain of identifiers and field selections, else null. Iterative: chains can be long. */
export function qualifiedName(e: Expr): string | null {
  const fields: string[] = [];
  while (e.kind == ExprKind.Select) {
    fields.push(e.text);
    e = e.operand;
  }
  if (e.kind != ExprKind.Ident) return null;
  let name = e.text;
  for (let i = fields.length - 1; i >= 0; i--) name += "." + fields[i];
  return name;
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
