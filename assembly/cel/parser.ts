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
import { Tok, Token, lexPooled, releaseTokens, describeToken, isReservedWord } from "./lexer";
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

class Parser {
  src: string;
  toks: Token[];
  p: i32 = 0;
  /** toks[p], kept in a field: reading it is one load where indexing the array is several. */
  tok: Token;
  depth: i32 = 0;
  error: CelError | null = null;

  constructor(src: string, toks: Token[]) {
    this.src = src;
    this.toks = toks;
    this.tok = unchecked(toks[0]);
  }

  // The token list always ends with EOF and `p` never moves past it.
  @inline peek(): Token { return this.tok; }
  @inline peekAt(off: i32): Token {
    const j = min(this.p + off, this.toks.length - 1);
    return unchecked(this.toks[j]);
  }
  @inline at(kind: Tok): bool { return this.tok.kind == kind; }
  advance(): Token {
    const t = this.tok;
    if (t.kind != Tok.EOF) this.tok = unchecked(this.toks[++this.p]);
    return t;
  }
  /** Consumes the current token if it is a `kind`. */
  accept(kind: Tok): bool {
    if (this.tok.kind != kind) return false;
    this.advance();
    return true;
  }

  fail(reason: string, pos: i32): Expr | null {
    if (this.error === null) this.error = makeError(this.src, reason, pos);
    return null;
  }
  unexpected(): Expr | null {
    const t = this.peek();
    return this.fail("unexpected " + (t.kind == Tok.EOF ? "" : "token ") + describeToken(this.src, t), t.pos);
  }
  expect(kind: Tok, what: string): bool {
    if (this.accept(kind)) return true;
    const t = this.peek();
    this.fail("expected " + what + " but found " + describeToken(this.src, t), t.pos);
    return false;
  }

  parseTop(): Expr | null {
    const e = this.parseExpr();
    if (e === null) return null;
    if (!this.at(Tok.EOF)) return this.unexpected();
    return e;
  }

  parseExpr(): Expr | null {
    if (++this.depth > MAX_DEPTH) return this.fail("expression is nested too deeply (limit " + MAX_DEPTH.toString() + ")", this.peek().pos);
    const result = this.parseTernary();
    this.depth--;
    return result;
  }

  parseTernary(): Expr | null {
    const cond = this.parseLogical(LEVEL_OR);
    if (cond === null) return null;
    if (!this.at(Tok.Question)) return cond;
    const q = this.advance();
    const then = this.parseLogical(LEVEL_OR);
    if (then === null) return null;
    if (!this.expect(Tok.Colon, "':' of the conditional operator")) return null;
    const otherwise = this.parseExpr(); // right-associative
    if (otherwise === null) return null;
    const e = newExpr(ExprKind.Ternary, q.pos, cond, then);
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
    const pos = this.peek().pos;
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
      const t = this.peek();
      const op = binaryOp(t.kind, level);
      if (op < 0) break;
      this.advance();
      const right = this.parseOperand(level);
      if (right === null) return null;
      const e = newExpr(ExprKind.Binary, t.pos, left, right);
      e.op = <Op>op;
      left = e;
    }
    return left;
  }

  parseUnary(): Expr | null {
    const t = this.peek();
    if (t.kind == Tok.Bang || t.kind == Tok.Minus) {
      // count the run of identical prefix operators: tokens first … first + count - 1
      const first = this.p;
      while (this.peek().kind == t.kind) this.advance();
      const count = this.p - first;
      if (count > MAX_DEPTH) return this.fail("too many unary operators", t.pos);
      let operand: Expr | null;
      let remaining = count;
      // `-<int literal>` is a negative literal, so -9223372036854775808 is representable.
      const lit = this.peek();
      const follower = this.peekAt(1).kind;
      if (t.kind == Tok.Minus && lit.kind == Tok.Int && follower != Tok.Dot && follower != Tok.LBracket) {
        this.advance();
        const lastPos = unchecked(this.toks[first + count - 1]).pos;
        if (lit.intOverflow || lit.u > I64_MIN_MAGNITUDE) return this.fail("int literal out of range", lastPos);
        const e = literalExpr(Kind.Int, lastPos);
        e.i = -(<i64>lit.u); // wraps correctly for 2^63
        operand = e;
        remaining--;
      } else {
        operand = this.parseMember();
      }
      if (operand === null) return null;
      const op = t.kind == Tok.Bang ? Op.Not : Op.Neg;
      for (let k = remaining - 1; k >= 0; k--) {
        operand = newExpr(ExprKind.Unary, unchecked(this.toks[first + k]).pos, operand);
        operand.op = op;
      }
      return operand;
    }
    return this.parseMember();
  }

  parseMember(): Expr | null {
    let e = this.parsePrimary();
    let chain = 0;
    while (e !== null) {
      const t = this.peek();
      if ((t.kind == Tok.Dot || t.kind == Tok.LBracket) && ++chain > MAX_DEPTH) {
        return this.fail("too many chained member accesses (limit " + MAX_DEPTH.toString() + ")", t.pos);
      }
      if (t.kind == Tok.Dot) {
        this.advance();
        const name = this.peek();
        if (name.kind != Tok.Ident) {
          if (name.kind >= Tok.True && name.kind <= Tok.In) { // true false null in
            return this.fail("reserved word " + describeToken(this.src, name) + " cannot be used as a field name", name.pos);
          }
          return this.fail("expected a field or method name after '.' but found " + describeToken(this.src, name), name.pos);
        }
        this.advance();
        if (this.accept(Tok.LParen)) {
          const args = this.parseArgs(Tok.RParen, "')'");
          if (args === null) return null;
          e = callExpr(e, name, args);
        } else {
          e = newExpr(ExprKind.Select, name.pos, e);
          e.text = name.text;
        }
      } else if (t.kind == Tok.LBracket) {
        this.advance();
        const index = this.parseExpr();
        if (index === null) return null;
        if (!this.expect(Tok.RBracket, "']'")) return null;
        e = newExpr(ExprKind.Index, t.pos, e, index);
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
    const t = this.peek();
    const k = t.kind;
    if (k >= Tok.Int && k <= Tok.Null) {
      // a literal: the token's value fields carry over (those its kind does not use are 0 / null)
      this.advance();
      const isInt = k == Tok.Int;
      if (k <= Tok.Uint && (t.intOverflow || (isInt && t.u > <u64>i64.MAX_VALUE))) return this.fail(isInt ? "int literal out of range" : "uint literal out of range", t.pos);
      const e = literalExpr(<Kind>unchecked(LITERAL_KINDS[k - Tok.Int]), t.pos);
      e.i = k == Tok.True ? 1 : <i64>t.u;
      e.d = t.d;
      e.bytes = t.bytes;
      if (k == Tok.String) e.text = t.text;
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
        return listExpr(ExprKind.List, elems, t.pos);
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
    const t = this.advance();
    if (isReservedWord(t.text)) return this.fail("reserved word '" + t.text + "' cannot be used as an identifier", t.pos);
    if (this.accept(Tok.LParen)) {
      const args = this.parseArgs(Tok.RParen, "')'");
      if (args === null) return null;
      return callExpr(null, t, args);
    }
    const e = newExpr(ExprKind.Ident, t.pos);
    e.text = t.text;
    return e;
  }

  parseMap(): Expr | null {
    const open = this.advance();
    const keys: Expr[] = [];
    const values: Expr[] = [];
    while (!this.at(Tok.RBrace)) {
      const k = this.parseExpr();
      if (k === null) return null;
      if (!this.expect(Tok.Colon, "':' in map literal")) return null;
      const v = this.parseExpr();
      if (v === null) return null;
      keys.push(k);
      values.push(v);
      if (!this.accept(Tok.Comma)) break;
    }
    if (!this.expect(Tok.RBrace, "'}'")) return null;
    const e = listExpr(ExprKind.Map, keys, open.pos);
    e.values = values;
    return e;
  }
}

/** `target.name(args)` or `name(args)`; the position is the name's. */
function callExpr(target: Expr | null, name: Token, args: Expr[]): Expr {
  const e = listExpr(ExprKind.Call, args, name.pos);
  e.a = target;
  e.text = name.text;
  return e;
}

/** Result of `parse`: the tree, or the first error. */
export class ParseResult {
  expr: Expr | null = null;
  error: CelError | null = null;
}

export function parse(src: string): ParseResult {
  const out = new ParseResult();
  // The tokens are needed only here: pooled, and given back before returning.
  const lexed = lexPooled(src);
  if (lexed.errorPos >= 0) {
    out.error = makeError(src, lexed.error, lexed.errorPos);
    releaseTokens();
    return out;
  }
  const parser = new Parser(src, lexed.tokens);
  const e = parser.parseTop();
  if (e === null) {
    out.error = parser.error !== null ? parser.error : makeError(src, "syntax error", 0);
  } else {
    out.expr = e;
  }
  releaseTokens();
  return out;
}
