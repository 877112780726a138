// Untyped syntax tree produced by the parser and consumed (once) by the checker.
// Every node keeps `pos`, the 0-based source offset used in error messages.

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
  Map,
}

export const enum LiteralKind {
  Null,
  Bool,
  Int,
  Uint,
  Double,
  String,
  Bytes,
}

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

export function opName(op: Op): string {
  switch (op) {
    case Op.Not: return "!";
    case Op.Neg: return "-";
    case Op.Add: return "+";
    case Op.Sub: return "-";
    case Op.Mul: return "*";
    case Op.Div: return "/";
    case Op.Mod: return "%";
    case Op.Eq: return "==";
    case Op.Ne: return "!=";
    case Op.Lt: return "<";
    case Op.Le: return "<=";
    case Op.Gt: return ">";
    case Op.Ge: return ">=";
    case Op.In: return "in";
  }
  return "?";
}

export class Expr {
  kind: ExprKind;
  pos: i32;
  constructor(kind: ExprKind, pos: i32) {
    this.kind = kind;
    this.pos = pos;
  }
}

export class LiteralExpr extends Expr {
  lit: LiteralKind;
  i: i64 = 0; // Bool (0/1), Int, Uint (bit pattern)
  d: f64 = 0;
  bytes: ArrayBuffer | null = null; // String (UTF-8) and Bytes
  text: string = ""; // String: decoded text (for regex patterns and messages)
  constructor(lit: LiteralKind, pos: i32) {
    super(ExprKind.Literal, pos);
    this.lit = lit;
  }
}

export class IdentExpr extends Expr {
  name: string;
  constructor(name: string, pos: i32) {
    super(ExprKind.Ident, pos);
    this.name = name;
  }
}

export class SelectExpr extends Expr {
  operand: Expr;
  field: string;
  constructor(operand: Expr, field: string, pos: i32) {
    super(ExprKind.Select, pos);
    this.operand = operand;
    this.field = field;
  }
}

export class IndexExpr extends Expr {
  operand: Expr;
  index: Expr;
  constructor(operand: Expr, index: Expr, pos: i32) {
    super(ExprKind.Index, pos);
    this.operand = operand;
    this.index = index;
  }
}

export class CallExpr extends Expr {
  target: Expr | null; // receiver for `x.fn(...)`, null for `fn(...)`
  fn: string;
  args: Expr[];
  constructor(target: Expr | null, fn: string, args: Expr[], pos: i32) {
    super(ExprKind.Call, pos);
    this.target = target;
    this.fn = fn;
    this.args = args;
  }
}

export class UnaryExpr extends Expr {
  op: Op;
  operand: Expr;
  constructor(op: Op, operand: Expr, pos: i32) {
    super(ExprKind.Unary, pos);
    this.op = op;
    this.operand = operand;
  }
}

export class BinaryExpr extends Expr {
  op: Op;
  left: Expr;
  right: Expr;
  constructor(op: Op, left: Expr, right: Expr, pos: i32) {
    super(ExprKind.Binary, pos);
    this.op = op;
    this.left = left;
    this.right = right;
  }
}

/** Flattened `a && b && c` (kind And) or `a || b || c` (kind Or). */
export class LogicalExpr extends Expr {
  operands: Expr[];
  constructor(kind: ExprKind, operands: Expr[], pos: i32) {
    super(kind, pos);
    this.operands = operands;
  }
}

export class TernaryExpr extends Expr {
  cond: Expr;
  then: Expr;
  otherwise: Expr;
  constructor(cond: Expr, then: Expr, otherwise: Expr, pos: i32) {
    super(ExprKind.Ternary, pos);
    this.cond = cond;
    this.then = then;
    this.otherwise = otherwise;
  }
}

export class ListExpr extends Expr {
  elements: Expr[];
  constructor(elements: Expr[], pos: i32) {
    super(ExprKind.List, pos);
    this.elements = elements;
  }
}

/** Map literal `{k: v}`: parsed so the checker can reject it with a clear message. */
export class MapExpr extends Expr {
  keys: Expr[];
  values: Expr[];
  constructor(keys: Expr[], values: Expr[], pos: i32) {
    super(ExprKind.Map, pos);
    this.keys = keys;
    this.values = values;
  }
}
