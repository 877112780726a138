import { lastError } from "../../assembly/cel/index";
import { compileError, errorColumn, mustCompile } from "./cel.include";

function usesResponse(src: string): bool {
  return mustCompile(src).usesResponse;
}

describe("cel checker: type errors", () => {
  it("rejects ordering between string and int", () => {
    expect<string>(compileError("request.method > 200")).toBe("no matching overload for '>' applied to (string, int) at column 15");
  });

  it("rejects string methods on ints", () => {
    expect<string>(compileError("response.code.startsWith('2')")).toBe("no matching overload for 'startsWith' applied to (int, string) at column 14");
    expect<string>(compileError("request.url_path.matches(1)")).toBe("no matching overload for 'matches' applied to (string, int) at column 17");
  });

  it("rejects size() of a number", () => {
    expect<string>(compileError("size(1) == 1")).toBe("no matching overload for 'size' applied to (int) at column 0");
  });

  it("rejects non-bool operands of logical operators", () => {
    expect<string>(compileError("request.method == 'GET' && response.code")).toBe("no matching overload for '&&': operand is int, not bool at column 27");
    expect<string>(compileError("!request.method")).toBe("no matching overload for '!' applied to (string) at column 0");
    expect<string>(compileError("response.code ? true : false")).toBe("the condition of '?:' must be bool, not int at column 0");
  });

  it("rejects mixed-type arithmetic (CEL has no implicit conversions)", () => {
    expect<string>(compileError("1 + 1u == 2")).toBe("no matching overload for '+' applied to (int, uint) at column 2");
    expect<string>(compileError("'a' + 1 == 'a1'")).toBe("no matching overload for '+' applied to (string, int) at column 4");
    expect<string>(compileError("1.5 % 1.0 == 0.5")).toBe("no matching overload for '%' applied to (double, double) at column 4");
    expect<string>(compileError("-1u == 1u")).toBe("no matching overload for '-' applied to (uint) at column 0");
  });

  it("rejects bad indexing and membership", () => {
    expect<string>(compileError("request.method[0] == 'G'")).toBe("type 'string' does not support indexing at column 14");
    expect<string>(compileError("request.headers[1] == 'x'")).toBe("no matching overload for index (map(string, string), int): map keys are strings at column 15");
    expect<string>(compileError("'G' in request.method")).toBe("no matching overload for 'in' applied to (string, string) at column 4");
    expect<string>(compileError("1 in request.headers")).toBe("no matching overload for 'in' applied to (int, map(string, string)): map keys are strings at column 2");
    expect<string>(compileError("request.method.foo == 'x'")).toBe("type 'string' has no field 'foo' at column 15");
  });

  it("requires a bool condition", () => {
    expect<string>(compileError("response.code + 1")).toBe("the condition must be bool, but the expression is int at column 0");
    expect<string>(compileError("request.method")).toBe("the condition must be bool, but the expression is string at column 0");
  });

  it("accepts == between different types (false in CEL) but warns", () => {
    const p = mustCompile("request.method == 200");
    expect<i32>(p.warnings.length).toBe(1);
    expect<string>(p.warnings[0]).toBe("comparing string with int with '==' is always false at column 15");
    const q = mustCompile("istio_operationId == 'GetReview'");
    expect<string>(q.warnings[0]).toBe("comparing bytes with string with '==' is always false (filter state values are bytes: use string(x)) at column 18");
    expect<i32>(mustCompile("response.code == 200u || response.code == 200.0").warnings.length).toBe(0);
    expect<i32>(mustCompile("request.method == 'GET'").warnings.length).toBe(0);
  });
});

describe("cel checker: names", () => {
  it("rejects unknown attributes with a suggestion", () => {
    expect<string>(compileError("request.foo == 'x'")).toBe("unknown attribute request.foo at column 0");
    expect<string>(compileError("x == 1 || request.urlpath == '/'")).toBe("unknown attribute request.urlpath (did you mean 'request.url_path'?) at column 10");
    expect<string>(compileError("response.status == 200")).toBe("unknown attribute response.status at column 0");
    expect<string>(compileError("request['nope'] == 'x'")).toBe("unknown attribute request.nope at column 0");
    expect<string>(compileError("reqest.method == 'GET'")).toBe("unknown attribute reqest.method (did you mean 'request.method'?) at column 0");
    expect<string>(compileError("istio_operationId.x == b''")).toBe("unknown attribute istio_operationId.x at column 0");
    expect<string>(compileError("request.headers.x.y == 'a'")).toBe("type 'string' has no field 'y' at column 18");
  });

  it("rejects attribute groups used as values, and unsupported groups", () => {
    expect<string>(compileError("request == 'x'")).toBe("'request' is an attribute group, not a value: select an attribute such as 'request.path' at column 0");
    expect<string>(compileError("metadata.x == 'y'")).toBe("attribute 'metadata' is not supported at column 0");
  });

  it("rejects unknown functions with a suggestion", () => {
    expect<string>(compileError("request.path.startswith('/a')")).toBe("unknown function 'startswith' (did you mean 'startsWith'?) at column 13");
    expect<string>(compileError("sise(request.path) == 1")).toBe("unknown function 'sise' (did you mean 'size'?) at column 0");
    expect<string>(compileError("frobnicate(1)")).toBe("unknown function 'frobnicate' at column 0");
    expect<string>(compileError("in(request.method, ['GET'])")).toBe("unexpected token 'in' at column 0");
  });

  it("checks arity and call style", () => {
    expect<string>(compileError("size() == 0")).toBe("size() takes exactly 1 argument, got 0 at column 0");
    expect<string>(compileError("'a'.size(1) == 0")).toBe("x.size() takes no arguments, got 1 at column 4");
    expect<string>(compileError("'a'.startsWith()")).toBe("'startsWith' takes exactly 1 argument, got 0 at column 4");
    expect<string>(compileError("startsWith('a', 'b')")).toBe("'startsWith' is a method: write s.startsWith(x) at column 0");
    expect<string>(compileError("matches('a')")).toBe("matches() takes exactly 2 arguments, got 1 at column 0");
    expect<string>(compileError("'1'.int() == 1")).toBe("'int' is not a method: write int(x) at column 4");
    expect<string>(compileError("int(1, 2) == 1")).toBe("int() takes exactly 1 argument, got 2 at column 0");
  });

  it("checks has() arguments", () => {
    expect<string>(compileError("has(request)")).toBe("invalid argument to has(): expected a field selection such as has(request.headers.x) at column 4");
    expect<string>(compileError("has(request.foo)")).toBe("unknown attribute request.foo at column 4");
    expect<string>(compileError("has(request.method.x)")).toBe("type 'string' has no field 'x' at column 19");
    expect<string>(compileError("has(1, 2)")).toBe("has() takes exactly 1 argument, got 2 at column 0");
  });

  it("rejects unsupported constructs clearly", () => {
    expect<string>(compileError("{'a': 1}['a'] == 1")).toBe("map literals are not supported at column 0");
    expect<string>(compileError("[1, 2].exists(x, x > 1)")).toBe("macro 'exists' is not supported at column 7");
    expect<string>(compileError("[1] + [2] == [1, 2]")).toBe("list concatenation is not supported at column 4");
  });

  it("folds constant conversions and rejects bad constants", () => {
    expect<string>(compileError("int('abc') == 1")).toBe("cannot convert 'abc' to int at column 0");
    expect<string>(compileError("uint(-1) == 1u")).toBe("uint(-1) is out of range at column 0");
    expect<string>(compileError("request.duration > duration('5 minutes')")).toBe("cannot convert '5 minutes' to duration at column 19");
    expect<string>(compileError("request.time > timestamp('2024-13-01T00:00:00Z')")).toBe("cannot convert '2024-13-01T00:00:00Z' to timestamp at column 15");
    expect<string>(compileError("int(true) == 1")).toBe("no matching overload for 'int' applied to (bool) at column 0");
  });

  it("bounds tree depth", () => {
    let src = "1";
    for (let i = 0; i < 120; i++) src += " + 1";
    src += " == 121";
    expect<string>(compileError(src)).toBe("expression is too deeply nested (limit 96) at column 98");
    let chain = "request.headers";
    for (let i = 0; i < 100; i++) chain += ".a";
    expect<string>(compileError(chain + " == 'x'")).toBe("too many chained member accesses (limit 64) at column 141");
  });

  it("reports columns in code points", () => {
    expect<i32>(errorColumn("'é' == 'é' && request.nope == 1")).toBe(14);
  });
});

describe("cel checker: phase analysis (usesResponse)", () => {
  it("is false for request-only conditions", () => {
    expect<bool>(usesResponse("request.method == 'GET' && request.url_path == '/healthz'")).toBe(false);
    expect<bool>(usesResponse("request.headers['user'] == 'new'")).toBe(false);
    expect<bool>(usesResponse("'x' in request.headers && request.time > timestamp('2024-01-01T00:00:00Z')")).toBe(false);
    expect<bool>(usesResponse("istio_operationId == b'x' || source.port == 1")).toBe(false);
  });

  it("is true when any response attribute is referenced", () => {
    expect<bool>(usesResponse("response.code >= 200 && response.code <= 299")).toBe(true);
    expect<bool>(usesResponse("response.grpc_status == 0")).toBe(true);
    expect<bool>(usesResponse("response.headers['x'] == 'a'")).toBe(true);
    expect<bool>(usesResponse("has(response.code)")).toBe(true);
    expect<bool>(usesResponse("request.method == 'GET' ? response.code == 200 : false")).toBe(true);
    expect<bool>(usesResponse("response['code'] == 200")).toBe(true);
  });

  it("is true for request attributes only known after completion", () => {
    expect<bool>(usesResponse("request.duration > duration('1s')")).toBe(true);
    expect<bool>(usesResponse("request.size > 0")).toBe(true);
    expect<bool>(usesResponse("request.total_size > 0")).toBe(true);
  });
});

describe("cel checker: program", () => {
  it("clears lastError after a successful compile", () => {
    compileError("(");
    mustCompile("true");
    expect<bool>(lastError() === null).toBe(true);
  });
});

describe("cel checker: filter-state analysis (usesFilterState)", () => {
  it("is true for bare identifiers and filter_state", () => {
    expect<bool>(mustCompile("istio_operationId == b'x'").usesFilterState).toBe(true);
    expect<bool>(mustCompile("filter_state['wasm.x'] == b'x'").usesFilterState).toBe(true);
    expect<bool>(mustCompile("'wasm.x' in filter_state").usesFilterState).toBe(true);
    expect<bool>(mustCompile("has(filter_state.x)").usesFilterState).toBe(true);
  });

  it("is false otherwise", () => {
    expect<bool>(mustCompile("request.method == 'GET' && response.code == 200").usesFilterState).toBe(false);
    expect<bool>(mustCompile("plugin_name == 'route-metrics'").usesFilterState).toBe(false);
  });
});

describe("cel checker: error object", () => {
  it("carries the reason and the 0-based column separately", () => {
    compileError("request.method == )");
    const e = lastError()!;
    expect<string>(e.reason).toBe("unexpected token ')'");
    expect<i32>(e.column).toBe(18);
    expect<string>(e.message).toBe("unexpected token ')' at column 18");
  });
});
