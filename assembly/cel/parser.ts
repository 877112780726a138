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

import {
  Expr, ExprKind, LiteralExpr, LiteralKind, IdentExpr, SelectExpr, IndexExpr, CallExpr, UnaryExpr,
  BinaryExpr, LogicalExpr, TernaryExpr, ListExpr, MapExpr, Op,
} from "./ast";
import { Tok, Token, lex, describeToken, isReservedWord } from "./lexer";
import { CelError, makeError } from "./errors";

export const MAX_DEPTH: i32 = 64;

const I64_MIN_MAGNITUDE: u64 = 0x8000000000000000;

class Parser {
  src: string;
  toks: Token[];
  p: i32 = 0;
  depth: i32 = 0;
  error: CelError | null = null;

  constructor(src: string, toks: Token[]) {
    this.src = src;
    this.toks = toks;
  }

  // The token list always ends with EOF and `p` never moves past it.
  @inline peek(): Token { return unchecked(this.toks[this.p]); }
  @inline peekAt(off: i32): Token {
    const j = min(this.p + off, this.toks.length - 1);
    return unchecked(this.toks[j]);
  }
  @inline at(kind: Tok): bool { return this.peek().kind == kind; }
  advance(): Token {
    const t = this.peek();
    if (t.kind != Tok.EOF) this.p++;
    return t;
  }

  fail(reason: string, pos: i32): Expr | null {
    if (this.error === null) this.error = makeError(this.src, reason, pos);
    return null;
  }
  unexpected(): Expr | null {
    const t = this.peek();
    return this.fail("unexpected " + (t.kind == Tok.EOF ? "end of expression" : "token " + describeToken(t)), t.pos);
  }
  expect(kind: Tok, what: string): bool {
    if (this.at(kind)) { this.advance(); return true; }
    const t = this.peek();
    this.fail("expected " + what + " but found " + describeToken(t), t.pos);
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
    const cond = this.parseOr();
    if (cond === null) return null;
    if (!this.at(Tok.Question)) return cond;
    const q = this.advance();
    const then = this.parseOr();
    if (then === null) return null;
    if (!this.expect(Tok.Colon, "':' of the conditional operator")) return null;
    const otherwise = this.parseExpr(); // right-associative
    if (otherwise === null) return null;
    return new TernaryExpr(cond, then, otherwise, q.pos);
  }

  parseOr(): Expr | null {
    const first = this.parseAnd();
    if (first === null || !this.at(Tok.Or)) return first;
    const pos = this.peek().pos;
    const operands: Expr[] = [first];
    while (this.at(Tok.Or)) {
      this.advance();
      const next = this.parseAnd();
      if (next === null) return null;
      operands.push(next);
    }
    return new LogicalExpr(ExprKind.Or, operands, pos);
  }

  parseAnd(): Expr | null {
    const first = this.parseRelation();
    if (first === null || !this.at(Tok.And)) return first;
    const pos = this.peek().pos;
    const operands: Expr[] = [first];
    while (this.at(Tok.And)) {
      this.advance();
      const next = this.parseRelation();
      if (next === null) return null;
      operands.push(next);
    }
    return new LogicalExpr(ExprKind.And, operands, pos);
  }

  parseRelation(): Expr | null {
    let left = this.parseAddition();
    while (left !== null) {
      const t = this.peek();
      let op: Op;
      switch (t.kind) {
        case Tok.Eq: op = Op.Eq; break;
        case Tok.Ne: op = Op.Ne; break;
        case Tok.Lt: op = Op.Lt; break;
        case Tok.Le: op = Op.Le; break;
        case Tok.Gt: op = Op.Gt; break;
        case Tok.Ge: op = Op.Ge; break;
        case Tok.In: op = Op.In; break;
        default: return left;
      }
      this.advance();
      const right = this.parseAddition();
      if (right === null) return null;
      left = new BinaryExpr(op, left, right, t.pos);
    }
    return left;
  }

  parseAddition(): Expr | null {
    let left = this.parseMultiplication();
    while (left !== null) {
      const t = this.peek();
      let op: Op;
      if (t.kind == Tok.Plus) op = Op.Add;
      else if (t.kind == Tok.Minus) op = Op.Sub;
      else return left;
      this.advance();
      const right = this.parseMultiplication();
      if (right === null) return null;
      left = new BinaryExpr(op, left, right, t.pos);
    }
    return left;
  }

  parseMultiplication(): Expr | null {
    let left = this.parseUnary();
    while (left !== null) {
      const t = this.peek();
      let op: Op;
      if (t.kind == Tok.Star) op = Op.Mul;
      else if (t.kind == Tok.Slash) op = Op.Div;
      else if (t.kind == Tok.Percent) op = Op.Mod;
      else return left;
      this.advance();
      const right = this.parseUnary();
      if (right === null) return null;
      left = new BinaryExpr(op, left, right, t.pos);
    }
    return left;
  }

  parseUnary(): Expr | null {
    const t = this.peek();
    if (t.kind == Tok.Bang || t.kind == Tok.Minus) {
      // count the run of identical prefix operators
      const ops: Token[] = [];
      while (this.peek().kind == t.kind) ops.push(this.advance());
      if (ops.length > MAX_DEPTH) return this.fail("too many unary operators", t.pos);
      let operand: Expr | null;
      let remaining = ops.length;
      // `-<int literal>` is a negative literal, so -9223372036854775808 is representable.
      const lit = this.peek();
      const follower = this.peekAt(1).kind;
      if (t.kind == Tok.Minus && lit.kind == Tok.Int && follower != Tok.Dot && follower != Tok.LBracket) {
        this.advance();
        if (lit.intOverflow || lit.u > I64_MIN_MAGNITUDE) return this.fail("int literal out of range", ops[ops.length - 1].pos);
        const e = new LiteralExpr(LiteralKind.Int, ops[ops.length - 1].pos);
        e.i = -(<i64>lit.u); // wraps correctly for 2^63
        operand = e;
        remaining--;
      } else {
        operand = this.parseMember();
      }
      if (operand === null) return null;
      const op = t.kind == Tok.Bang ? Op.Not : Op.Neg;
      for (let k = remaining - 1; k >= 0; k--) operand = new UnaryExpr(op, operand, ops[k].pos);
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
          if (name.kind == Tok.In || name.kind == Tok.True || name.kind == Tok.False || name.kind == Tok.Null) {
            return this.fail("reserved word " + describeToken(name) + " cannot be used as a field name", name.pos);
          }
          return this.fail("expected a field or method name after '.' but found " + describeToken(name), name.pos);
        }
        this.advance();
        if (this.at(Tok.LParen)) {
          this.advance();
          const args = this.parseArgs(Tok.RParen, "')'");
          if (args === null) return null;
          e = new CallExpr(e, name.text, args, name.pos);
        } else {
          e = new SelectExpr(e, name.text, name.pos);
        }
      } else if (t.kind == Tok.LBracket) {
        this.advance();
        const index = this.parseExpr();
        if (index === null) return null;
        if (!this.expect(Tok.RBracket, "']'")) return null;
        e = new IndexExpr(e, index, t.pos);
      } else {
        break;
      }
    }
    return e;
  }

  /** Comma-separated expressions up to `close` (consumed); a trailing comma is allowed only in lists. */
  parseArgs(close: Tok, closeText: string): Expr[] | null {
    const args: Expr[] = [];
    if (this.at(close)) { this.advance(); return args; }
    while (true) {
      const e = this.parseExpr();
      if (e === null) return null;
      args.push(e);
      if (this.at(Tok.Comma)) {
        this.advance();
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
    switch (t.kind) {
      case Tok.Int: {
        this.advance();
        if (t.intOverflow || t.u > <u64>i64.MAX_VALUE) return this.fail("int literal out of range", t.pos);
        const e = new LiteralExpr(LiteralKind.Int, t.pos);
        e.i = <i64>t.u;
        return e;
      }
      case Tok.Uint: {
        this.advance();
        if (t.intOverflow) return this.fail("uint literal out of range", t.pos);
        const e = new LiteralExpr(LiteralKind.Uint, t.pos);
        e.i = <i64>t.u;
        return e;
      }
      case Tok.Double: {
        this.advance();
        const e = new LiteralExpr(LiteralKind.Double, t.pos);
        e.d = t.d;
        return e;
      }
      case Tok.String:
      case Tok.Bytes: {
        this.advance();
        const e = new LiteralExpr(t.kind == Tok.String ? LiteralKind.String : LiteralKind.Bytes, t.pos);
        e.bytes = t.bytes;
        e.text = t.text;
        return e;
      }
      case Tok.True:
      case Tok.False: {
        this.advance();
        const e = new LiteralExpr(LiteralKind.Bool, t.pos);
        e.i = t.kind == Tok.True ? 1 : 0;
        return e;
      }
      case Tok.Null: {
        this.advance();
        return new LiteralExpr(LiteralKind.Null, t.pos);
      }
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
        return new ListExpr(elems, t.pos);
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
    if (this.at(Tok.LParen)) {
      this.advance();
      const args = this.parseArgs(Tok.RParen, "')'");
      if (args === null) return null;
      return new CallExpr(null, t.text, args, t.pos);
    }
    return new IdentExpr(t.text, t.pos);
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
      if (!this.at(Tok.Comma)) break;
      this.advance();
    }
    if (!this.expect(Tok.RBrace, "'}'")) return null;
    return new MapExpr(keys, values, open.pos);
  }
}

/** Result of `parse`: the tree, or the first error. */
export class ParseResult {
  expr: Expr | null = null;
  error: CelError | null = null;
}

export function parse(src: string): ParseResult {
  const out = new ParseResult();
  const lexed = lex(src);
  if (lexed.errorPos >= 0) {
    out.error = makeError(src, lexed.error, lexed.errorPos);
    return out;
  }
  const parser = new Parser(src, lexed.tokens);
  const e = parser.parseTop();
  if (e === null) {
    out.error = parser.error !== null ? parser.error : makeError(src, "syntax error", 0);
    return out;
  }
  out.expr = e;
  return out;
}
