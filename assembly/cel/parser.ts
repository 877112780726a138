// Recursive-descent parser for the CEL grammar (langdef.md#syntax), precedence low → high:
//   Expr     = OrExpr ["?" OrExpr ":" Expr]            (right-associative)
//   OrExpr   = AndExpr {"||" AndExpr}                   (flattened to one n-ary node)
//   AndExpr  = Relation {"&&" Relation}                 (flattened to one n-ary node)
//   Relation = Addition {("=="|"!="|"<"|"<="|">"|">="|"in") Addition}   (left-assoc)
//   Addition = Multiplication {("+"|"-") Multiplication}
//   Multiplication = Unary {("*"|"/"|"%") Unary}
//   Unary    = Member | "!" {"!"} Member | "-" {"-"} Member
//   Member   = Primary {"." IDENT ["(" [Args] ")"] | "[" Expr "]"}
//   Primary  = ["."] IDENT ["(" [Args] ")"] | "(" Expr ")" | "[" [Args] [","] "]"
//            | "{" [MapInits] [","] "}" | literal
// Nesting is bounded (MAX_DEPTH) so hostile input cannot exhaust the Wasm stack.

import { Expr, ExprKind, Op, literalExpr, listExpr, newExpr } from "./ast";
import { Tok, Lexer, isReservedWord } from "./lexer";
import { CelError, makeError } from "./errors";
import { Kind } from "./value";

export const MAX_DEPTH: i32 = 64;

const I64_MIN_MAGNITUDE: u64 = 0x8000000000000000;

// Precedence levels of the binary operators, loosest first (see the grammar above).
const LEVEL_OR: i32 = 0;
const LEVEL_AND: i32 = 1;
const LEVEL_RELATION: i32 = 2;
const LEVEL_ADDITION: i32 = 3;
const LEVEL_MULTIPLICATION: i32 = 4;

/** The binary operator token `t` stands for at precedence `level`, or -1. */
function binaryOp(t: Tok, level: i32): i32 {
  if (level == LEVEL_RELATION) {
    if (t == Tok.In) return Op.In;
    if (t >= Tok.Eq && t <= Tok.Ge) return Op.Eq + (t - Tok.Eq); // Eq Ne Lt Le Gt Ge in both enums
  } else if (level == LEVEL_ADDITION) {
    if (t == Tok.Plus || t == Tok.Minus) return Op.Add + (t - Tok.Plus);
  } else if (t >= Tok.Star && t <= Tok.Percent) {
    return Op.Mul + (t - Tok.Star); // Mul Div Mod
  }
  return -1;
}

/** The literal kind of each literal token, from Tok.Int to Tok.Null. */
const LITERAL_KINDS: StaticArray<u8> = [
  <u8>Kind.Int, <u8>Kind.Uint, <u8>Kind.Double, <u8>Kind.String, <u8>Kind.Bytes, <u8>Kind.Bool, <u8>Kind.Bool, <u8>Kind.Null,
];

/** Positions of a run of identical prefix operators (parseUnary): at most MAX_DEPTH are used. */
const unaryPositions = new StaticArray<i32>(MAX_DEPTH);

/**
 * The parser reads the current token from the fields of the lexer it extends, which lexes on
 * demand. Its outcome (see parse()) is `expr`, or the first error.
 */
export class Parser extends Lexer {
  depth: i32 = 0;
  expr: Expr | null = null;
  error: CelError | null = null;

  @inline at(kind: Tok): bool { return this.kind == kind; }
  /** Moves to the next token; never past EOF. */
  advance(): void {
    if (this.kind != Tok.EOF) this.scan();
  }
  /** Consumes the current token if it is a `kind`. */
  accept(kind: Tok): bool {
    if (this.kind != kind) return false;
    this.advance();
    return true;
  }

  // `fail` is the lexer's (a lex error); a syntax error is `failAt`
  failAt(reason: string, pos: i32): Expr | null {
    if (this.error === null) this.error = makeError(this.src, reason, pos);
    return null;
  }
  unexpected(): Expr | null {
    return this.failAt("unexpected " + (this.kind == Tok.EOF ? "" : "token ") + this.describe(), this.pos);
  }
  expect(kind: Tok, what: string): bool {
    if (this.accept(kind)) return true;
    this.failAt("expected " + what + " but found " + this.describe(), this.pos);
    return false;
  }

  parseTop(): Expr | null {
    const e = this.parseExpr();
    if (e === null) return null;
    if (!this.at(Tok.EOF)) return this.unexpected();
    return e;
  }

  parseExpr(): Expr | null {
    if (++this.depth > MAX_DEPTH) return this.failAt("expression is nested too deeply (limit " + MAX_DEPTH.toString() + ")", this.pos);
    const result = this.parseTernary();
    this.depth--;
    return result;
  }

  parseTernary(): Expr | null {
    const cond = this.parseLogical(LEVEL_OR);
    if (cond === null) return null;
    if (!this.at(Tok.Question)) return cond;
    const q = this.pos;
    this.advance();
    const then = this.parseLogical(LEVEL_OR);
    if (then === null) return null;
    if (!this.expect(Tok.Colon, "':' of the conditional operator")) return null;
    const otherwise = this.parseExpr(); // right-associative
    if (otherwise === null) return null;
    const e = newExpr(ExprKind.Ternary, q, cond, then);
    e.c = otherwise;
    return e;
  }

  /** An operand of the operators at `level`: an expression of the next tighter level. */
  parseOperand(level: i32): Expr | null {
    if (level < LEVEL_AND) return this.parseLogical(level + 1);
    if (level < LEVEL_MULTIPLICATION) return this.parseBinary(level + 1);
    return this.parseUnary();
  }

  /** OrExpr or AndExpr (`level`): one n-ary node for a whole chain. */
  parseLogical(level: i32): Expr | null {
    const op = level == LEVEL_OR ? Tok.Or : Tok.And;
    const first = this.parseOperand(level);
    if (first === null || !this.at(op)) return first;
    const pos = this.pos;
    const operands: Expr[] = [first];
    while (this.accept(op)) {
      const next = this.parseOperand(level);
      if (next === null) return null;
      operands.push(next);
    }
    return listExpr(level == LEVEL_OR ? ExprKind.Or : ExprKind.And, operands, pos);
  }

  /** Relation, Addition or Multiplication (`level`): left-associative binary operators. */
  parseBinary(level: i32): Expr | null {
    let left = this.parseOperand(level);
    while (left !== null) {
      const op = binaryOp(this.kind, level);
      if (op < 0) break;
      const pos = this.pos;
      this.advance();
      const right = this.parseOperand(level);
      if (right === null) return null;
      const e = newExpr(ExprKind.Binary, pos, left, right);
      e.op = <Op>op;
      left = e;
    }
    return left;
  }

  parseUnary(): Expr | null {
    const kind = this.kind;
    if (kind != Tok.Bang && kind != Tok.Minus) return this.parseMember();
    // the run of identical prefix operators: count them, keeping the positions of the first MAX_DEPTH
    const first = this.pos;
    const positions = unaryPositions;
    let count = 0;
    while (this.kind == kind) {
      if (count < MAX_DEPTH) unchecked((positions[count] = this.pos));
      count++;
      this.advance();
    }
    if (count > MAX_DEPTH) return this.failAt("too many unary operators", first);
    let operand: Expr | null;
    let remaining = count;
    // `-<int literal>` is a negative literal, so -9223372036854775808 is representable.
    if (kind == Tok.Minus && this.kind == Tok.Int && !this.memberFollows()) {
      const lastPos = unchecked(positions[count - 1]);
      if (this.intOverflow || this.u > I64_MIN_MAGNITUDE) return this.failAt("int literal out of range", lastPos);
      const e = literalExpr(Kind.Int, lastPos);
      e.i = -(<i64>this.u); // wraps correctly for 2^63
      this.advance();
      operand = e;
      remaining--;
    } else {
      operand = this.parseMember();
    }
    if (operand === null) return null;
    const op = kind == Tok.Bang ? Op.Not : Op.Neg;
    for (let k = remaining - 1; k >= 0; k--) {
      operand = newExpr(ExprKind.Unary, unchecked(positions[k]), operand);
      operand.op = op;
    }
    return operand;
  }

  parseMember(): Expr | null {
    let e = this.parsePrimary();
    let chain = 0;
    while (e !== null) {
      const k = this.kind;
      const pos = this.pos;
      if ((k == Tok.Dot || k == Tok.LBracket) && ++chain > MAX_DEPTH) {
        return this.failAt("too many chained member accesses (limit " + MAX_DEPTH.toString() + ")", pos);
      }
      if (k == Tok.Dot) {
        this.advance();
        const nk = this.kind;
        const namePos = this.pos;
        if (nk != Tok.Ident) {
          if (nk >= Tok.True && nk <= Tok.In) { // true false null in
            return this.failAt("reserved word " + this.describe() + " cannot be used as a field name", namePos);
          }
          return this.failAt("expected a field or method name after '.' but found " + this.describe(), namePos);
        }
        const name = this.text;
        this.advance();
        if (this.accept(Tok.LParen)) {
          const args = this.parseArgs(Tok.RParen, "')'");
          if (args === null) return null;
          e = callExpr(e, name, namePos, args);
        } else {
          e = newExpr(ExprKind.Select, namePos, e);
          e.text = name;
        }
      } else if (k == Tok.LBracket) {
        this.advance();
        const index = this.parseExpr();
        if (index === null) return null;
        if (!this.expect(Tok.RBracket, "']'")) return null;
        e = newExpr(ExprKind.Index, pos, e, index);
      } else {
        break;
      }
    }
    return e;
  }

  /** Comma-separated expressions up to `close` (consumed); a trailing comma is allowed only in lists. */
  parseArgs(close: Tok, closeText: string): Expr[] | null {
    const args: Expr[] = [];
    if (this.accept(close)) return args;
    while (true) {
      const e = this.parseExpr();
      if (e === null) return null;
      args.push(e);
      if (this.accept(Tok.Comma)) {
        if (close == Tok.RBracket && this.at(close)) break; // [a, b,]
        continue;
      }
      break;
    }
    if (!this.expect(close, closeText)) return null;
    return args;
  }

  parsePrimary(): Expr | null {
    const k = this.kind;
    const pos = this.pos;
    if (k >= Tok.Int && k <= Tok.Null) {
      // a literal: the token's value fields carry over (those its kind does not use are 0 / null)
      const isInt = k == Tok.Int;
      if (k <= Tok.Uint && (this.intOverflow || (isInt && this.u > <u64>i64.MAX_VALUE))) return this.failAt(isInt ? "int literal out of range" : "uint literal out of range", pos);
      const e = literalExpr(<Kind>unchecked(LITERAL_KINDS[k - Tok.Int]), pos);
      e.i = k == Tok.True ? 1 : <i64>this.u;
      e.d = this.d;
      e.bytes = this.bytes;
      if (k == Tok.String) e.text = this.text;
      this.advance();
      return e;
    }
    switch (k) {
      case Tok.LParen: {
        this.advance();
        const e = this.parseExpr();
        if (e === null) return null;
        if (!this.expect(Tok.RParen, "')'")) return null;
        return e;
      }
      case Tok.LBracket: {
        this.advance();
        const elems = this.parseArgs(Tok.RBracket, "']'");
        if (elems === null) return null;
        return listExpr(ExprKind.List, elems, pos);
      }
      case Tok.LBrace: return this.parseMap();
      case Tok.Dot: {
        // leading '.' = root-scoped identifier (`.request.path`)
        this.advance();
        if (!this.at(Tok.Ident)) return this.unexpected();
        return this.parseIdent();
      }
      case Tok.Ident: return this.parseIdent();
    }
    return this.unexpected();
  }

  parseIdent(): Expr | null {
    const name = this.text;
    const pos = this.pos;
    this.advance();
    if (isReservedWord(name)) return this.failAt("reserved word '" + name + "' cannot be used as an identifier", pos);
    if (this.accept(Tok.LParen)) {
      const args = this.parseArgs(Tok.RParen, "')'");
      if (args === null) return null;
      return callExpr(null, name, pos, args);
    }
    const e = newExpr(ExprKind.Ident, pos);
    e.text = name;
    return e;
  }

  parseMap(): Expr | null {
    const open = this.pos;
    this.advance();
    const entries: Expr[] = []; // key, value, key, value …
    while (!this.at(Tok.RBrace)) {
      const k = this.parseExpr();
      if (k === null) return null;
      if (!this.expect(Tok.Colon, "':' in map literal")) return null;
      const v = this.parseExpr();
      if (v === null) return null;
      entries.push(k);
      entries.push(v);
      if (!this.accept(Tok.Comma)) break;
    }
    if (!this.expect(Tok.RBrace, "'}'")) return null;
    return listExpr(ExprKind.Map, entries, open);
  }
}

/** `target.name(args)` or `name(args)`; the position is the name's. */
function callExpr(target: Expr | null, name: string, pos: i32, args: Expr[]): Expr {
  const e = listExpr(ExprKind.Call, args, pos);
  e.a = target;
  e.text = name;
  return e;
}

/**
 * Parses `src`: the result has the tree (`expr`), or the first error (`error`; every syntax error
 * makes parseTop() return null, so the two never come together).
 */
export function parse(src: string): Parser {
  const parser = new Parser(src);
  parser.scan();
  const e = parser.parseTop();
  // A lex error anywhere wins over a syntax error (as when the whole source was lexed first): after
  // a syntax error, lex the rest to find one. (A lex error makes the token EOF, which ends this.)
  while (parser.errorPos < 0 && parser.kind != Tok.EOF) parser.scan();
  if (parser.errorPos >= 0) {
    parser.error = makeError(src, parser.lexError, parser.errorPos);
  } else if (e === null) {
    if (parser.error === null) parser.error = makeError(src, "syntax error", 0);
  } else {
    parser.expr = e;
  }
  return parser;
}
