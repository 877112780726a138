import { parse } from "../../assembly/cel/parser";
import { Expr, ExprKind, opName } from "../../assembly/cel/ast";
import { Kind } from "../../assembly/cel/value";

/** `show` of each expression, joined by `sep`. */
function showAll(list: Expr[], sep: string): string {
  const parts: string[] = [];
  for (let i = 0; i < list.length; i++) parts.push(show(list[i]));
  return parts.join(sep);
}

/** S-expression rendering of the tree, so tests can state structure (precedence, associativity). */
function show(e: Expr): string {
  switch (e.kind) {
    case ExprKind.Literal: {
      switch (e.lit) {
        case Kind.Null: return "null";
        case Kind.Bool: return e.i != 0 ? "true" : "false";
        case Kind.Int: return e.i.toString();
        case Kind.Uint: return (<u64>e.i).toString() + "u";
        case Kind.Double: return e.d.toString();
        case Kind.String: return "'" + e.text + "'";
        case Kind.Bytes: return "b'" + String.UTF8.decode(e.bytes!) + "'";
      }
      return "?";
    }
    case ExprKind.Ident: return e.text;
    case ExprKind.Select: return show(e.a!) + "." + e.text;
    case ExprKind.Index: return show(e.a!) + "[" + show(e.b!) + "]";
    case ExprKind.Call: {
      const t = e.a;
      return (t !== null ? show(t) + "." : "") + e.text + "(" + showAll(e.list, ", ") + ")";
    }
    case ExprKind.Unary: return "(" + opName(e.op) + show(e.a!) + ")";
    case ExprKind.Binary: return "(" + show(e.a!) + " " + opName(e.op) + " " + show(e.b!) + ")";
    case ExprKind.And:
    case ExprKind.Or: return "(" + showAll(e.list, e.kind == ExprKind.And ? " && " : " || ") + ")";
    case ExprKind.Ternary: return "(" + show(e.a!) + " ? " + show(e.b!) + " : " + show(e.c!) + ")";
    case ExprKind.List: return "[" + showAll(e.list, ", ") + "]";
    case ExprKind.Map: {
      const parts: string[] = [];
      for (let i = 0; i + 1 < e.list.length; i += 2) parts.push(show(e.list[i]) + ": " + show(e.list[i + 1]));
      return "{" + parts.join(", ") + "}";
    }
  }
  return "?";
}

function tree(src: string): string {
  const r = parse(src);
  const err = r.error;
  if (err !== null) return "ERROR " + err.message;
  return show(r.expr!);
}

function parseError(src: string): string {
  const r = parse(src);
  const err = r.error;
  expect<bool>(err !== null).toBe(true, "expected a parse error for: " + src);
  return err !== null ? err.message : "";
}

function errorColumn(src: string): i32 {
  const err = parse(src).error;
  return err !== null ? err.column : -1;
}

describe("cel parser: precedence", () => {
  it("binds && tighter than ||, and ?: loosest", () => {
    expect<string>(tree("a || b && c")).toBe("(a || (b && c))");
    expect<string>(tree("a && b || c && d")).toBe("((a && b) || (c && d))");
    expect<string>(tree("a || b ? c : d")).toBe("((a || b) ? c : d)");
  });

  it("binds relations tighter than &&", () => {
    expect<string>(tree("request.method == 'GET' && request.url_path == '/healthz'"))
      .toBe("((request.method == 'GET') && (request.url_path == '/healthz'))");
    expect<string>(tree("response.code >= 200 && response.code <= 299"))
      .toBe("((response.code >= 200) && (response.code <= 299))");
  });

  it("binds + - tighter than relations and * / % tighter than + -", () => {
    expect<string>(tree("a + b * c == d - e % f")).toBe("((a + (b * c)) == (d - (e % f)))");
    expect<string>(tree("x in [1] == true")).toBe("((x in [1]) == true)");
  });

  it("binds unary operators tighter than binary ones and looser than member access", () => {
    expect<string>(tree("!a && b")).toBe("((!a) && b)");
    expect<string>(tree("!a.b.c()")).toBe("(!a.b.c())");
    expect<string>(tree("-a * b")).toBe("((-a) * b)");
    expect<string>(tree("!!a")).toBe("(!(!a))");
  });

  it("applies member, index and call postfixes left to right", () => {
    expect<string>(tree("request.headers['x'].size()")).toBe("request.headers['x'].size()");
    expect<string>(tree("a[0][1].b")).toBe("a[0][1].b");
    expect<string>(tree("matches(request.url_path, '^/a$')")).toBe("matches(request.url_path, '^/a$')");
  });

  it("respects parentheses", () => {
    expect<string>(tree("(a || b) && c")).toBe("((a || b) && c)");
    expect<string>(tree("(a + b) * c")).toBe("((a + b) * c)");
  });
});

describe("cel parser: associativity", () => {
  it("is left-associative for arithmetic and relations", () => {
    expect<string>(tree("a - b - c")).toBe("((a - b) - c)");
    expect<string>(tree("a / b * c")).toBe("((a / b) * c)");
    expect<string>(tree("a < b == c")).toBe("((a < b) == c)");
  });

  it("flattens && and || chains into one n-ary node", () => {
    expect<string>(tree("a && b && c && d")).toBe("(a && b && c && d)");
    expect<string>(tree("a || b || c")).toBe("(a || b || c)");
  });

  it("is right-associative for the conditional operator", () => {
    expect<string>(tree("a ? b : c ? d : e")).toBe("(a ? b : (c ? d : e))");
    // CEL's grammar allows only an OrExpr between '?' and ':', so a nested ?: there needs parentheses
    expect<string>(tree("a ? (b ? c : d) : e")).toBe("(a ? (b ? c : d) : e)");
    expect<string>(tree("a ? b ? c : d : e")).toBe("ERROR expected ':' of the conditional operator but found '?' at column 6");
  });
});

describe("cel parser: literals", () => {
  it("folds a minus into int literals (so int64 min is representable)", () => {
    expect<string>(tree("-1")).toBe("-1");
    expect<string>(tree("-9223372036854775808")).toBe("-9223372036854775808");
    expect<string>(tree("--1")).toBe("(--1)");
    expect<string>(tree("-x")).toBe("(-x)");
  });

  it("keeps -1.size() as negation of the call", () => {
    expect<string>(tree("-1.size()")).toBe("(-1.size())");
  });

  it("parses lists (trailing comma allowed), maps, uints, doubles, bytes and null", () => {
    expect<string>(tree("['GET', 'HEAD',]")).toBe("['GET', 'HEAD']");
    expect<string>(tree("[]")).toBe("[]");
    expect<string>(tree("{'a': 1}")).toBe("{'a': 1}");
    expect<string>(tree("200u")).toBe("200u");
    expect<string>(tree("1.5")).toBe("1.5");
    expect<string>(tree("b'ab'")).toBe("b'ab'");
    expect<string>(tree("null")).toBe("null");
  });

  it("accepts a leading dot on identifiers", () => {
    expect<string>(tree(".request.path")).toBe("request.path");
  });

  it("rejects out-of-range int literals", () => {
    expect<string>(parseError("9223372036854775808")).toBe("int literal out of range at column 0");
    expect<string>(parseError("-9223372036854775809")).toBe("int literal out of range at column 0");
    expect<string>(parseError("18446744073709551616u")).toBe("uint literal out of range at column 0");
  });
});

describe("cel parser: errors", () => {
  it("reports the unexpected token and its column", () => {
    expect<string>(parseError("request.method == )")).toBe("unexpected token ')' at column 18");
    expect<string>(parseError("(request.method == 'GET'))")).toBe("unexpected token ')' at column 25");
    expect<string>(parseError("a b")).toBe("unexpected token 'b' at column 2");
  });

  it("reports a premature end", () => {
    expect<string>(parseError("request.method ==")).toBe("unexpected end of expression at column 17");
    expect<string>(parseError("")).toBe("unexpected end of expression at column 0");
    expect<string>(parseError("(a")).toBe("expected ')' but found end of expression at column 2");
    expect<string>(parseError("a ? b")).toBe("expected ':' of the conditional operator but found end of expression at column 5");
    expect<string>(parseError("[1, 2")).toBe("expected ']' but found end of expression at column 5");
    expect<string>(parseError("f(1,)")).toBe("unexpected token ')' at column 4");
  });

  it("rejects reserved words and keywords as names", () => {
    expect<string>(parseError("if == 1")).toBe("reserved word 'if' cannot be used as an identifier at column 0");
    expect<string>(parseError("a.in")).toBe("reserved word 'in' cannot be used as a field name at column 2");
    expect<string>(parseError("a.(b)")).toBe("expected a field or method name after '.' but found '(' at column 2");
    expect<string>(parseError("a.1")).toBe("unexpected token '.1' at column 1"); // '.1' is a double literal, as in CEL
  });

  it("passes lexer errors through with columns", () => {
    expect<string>(parseError("request.method = 'GET'")).toBe("unexpected character '=' (did you mean '=='?) at column 15");
    expect<string>(parseError("x == 'abc")).toBe("unterminated string literal at column 5");
  });

  it("counts columns in code points, not UTF-16 units", () => {
    // '😀' is two UTF-16 units but one column
    expect<i32>(errorColumn("'😀' == )")).toBe(7);
  });

  it("bounds nesting instead of overflowing the stack", () => {
    let deep = "";
    for (let i = 0; i < 200; i++) deep += "(";
    deep += "1";
    for (let i = 0; i < 200; i++) deep += ")";
    expect<string>(parseError(deep)).toBe("expression is nested too deeply (limit 64) at column 64");
    let bangs = "";
    for (let i = 0; i < 100; i++) bangs += "!";
    expect<string>(parseError(bangs + "true")).toBe("too many unary operators at column 0");
  });
});
