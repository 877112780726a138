import { TableActivation } from "./support/table-activation";
import { mustCompile, run } from "./cel.include";

// ---- helpers ------------------------------------------------------------------------------------

function errorOf(src: string, act: TableActivation): string {
  const p = mustCompile(src);
  act.reset();
  expect<i32>(p.evalBool(act)).toBe(-1, "expected an evaluation error: " + src);
  return p.lastErrorMessage();
}

const EMPTY = new TableActivation();

function request(method: string, path: string): TableActivation {
  const q = path.indexOf("?");
  return new TableActivation()
    .setString("request.method", method)
    .setString("request.path", path)
    .setString("request.url_path", q >= 0 ? path.substring(0, q) : path)
    .setString("request.host", "reviews:9080")
    .setHeader("request.headers", ":authority", "reviews:9080")
    .setHeader("request.headers", "user-agent", "curl/8");
}

function response(code: i64): TableActivation {
  return request("GET", "/").setInt("response.code", code);
}

/** attributegen semantics: first true match wins; an error stops the generator. */
function classify(conditions: string[], values: string[], act: TableActivation): string {
  act.reset();
  for (let i = 0; i < conditions.length; i++) {
    const r = mustCompile(conditions[i]).evalBool(act);
    if (r < 0) return "error";
    if (r == 1) return values[i];
  }
  return "none";
}

// ---- real configs -------------------------------------------------------------------------------

const healthz = "request.method == 'GET' && request.url_path == '/healthz'";
const echo = "request.method == 'POST' && request.url_path == '/echo'";

describe("cel eval: podinfo route conditions", () => {
  it("matches GET /healthz", () => {
    expect<i32>(run(healthz, request("GET", "/healthz"))).toBe(1);
    expect<i32>(run(echo, request("GET", "/healthz"))).toBe(0);
  });

  it("ignores the query string via url_path", () => {
    expect<i32>(run(healthz, request("GET", "/healthz?verbose=1"))).toBe(1);
    expect<i32>(run("request.path == '/healthz'", request("GET", "/healthz?verbose=1"))).toBe(0);
  });

  it("does not match other methods or paths", () => {
    expect<i32>(run(healthz, request("POST", "/healthz"))).toBe(0);
    expect<i32>(run(healthz, request("GET", "/healthz/"))).toBe(0);
    expect<i32>(run(echo, request("POST", "/echo"))).toBe(1);
  });

  it("is an error when the attribute is absent", () => {
    expect<string>(errorOf("request.url_path == '/healthz'", EMPTY)).toBe("no such attribute 'request.url_path'");
  });
});

describe("cel eval: bookinfo reviews operations (non-regex)", () => {
  it("classifies ListReviews and CreateReview", () => {
    const conds = [
      "request.url_path == '/reviews' && request.method == 'GET'",
      "request.url_path == '/reviews/' && request.method == 'POST'",
    ];
    const vals = ["ListReviews", "CreateReview"];
    expect<string>(classify(conds, vals, request("GET", "/reviews"))).toBe("ListReviews");
    expect<string>(classify(conds, vals, request("POST", "/reviews/"))).toBe("CreateReview");
    expect<string>(classify(conds, vals, request("POST", "/reviews"))).toBe("none");
  });
});

const conds = [
  "response.code >= 200 && response.code <= 299",
  "response.code >= 300 && response.code <= 399",
  "response.code == 404",
  "response.code == 429",
  "response.code == 503",
  "response.code >= 500 && response.code <= 599",
  "response.code >= 400 && response.code <= 499",
];
const vals = ["2xx", "3xx", "404", "429", "503", "5xx", "4xx"];

describe("cel eval: istio_responseClass", () => {
  it("maps codes to classes, specific codes before ranges", () => {
    expect<string>(classify(conds, vals, response(200))).toBe("2xx");
    expect<string>(classify(conds, vals, response(299))).toBe("2xx");
    expect<string>(classify(conds, vals, response(301))).toBe("3xx");
    expect<string>(classify(conds, vals, response(404))).toBe("404");
    expect<string>(classify(conds, vals, response(429))).toBe("429");
    expect<string>(classify(conds, vals, response(503))).toBe("503");
    expect<string>(classify(conds, vals, response(500))).toBe("5xx");
    expect<string>(classify(conds, vals, response(599))).toBe("5xx");
    expect<string>(classify(conds, vals, response(400))).toBe("4xx");
    expect<string>(classify(conds, vals, response(100))).toBe("none");
  });

  it("is an error without a response code (request phase)", () => {
    expect<string>(classify(conds, vals, request("GET", "/"))).toBe("error");
    expect<string>(errorOf(conds[0], request("GET", "/"))).toBe("no such attribute 'response.code'");
  });

  it("reads grpc_status like the istio integration test", () => {
    const act = response(200).setInt("response.grpc_status", 0);
    expect<i32>(run("response.grpc_status == 0", act)).toBe(1);
    act.setInt("response.grpc_status", 14);
    expect<i32>(run("response.grpc_status == 0", act)).toBe(0);
  });
});

describe("cel eval: kiali header conditions", () => {
  it("compares a header value", () => {
    const act = request("GET", "/").setHeader("request.headers", "user", "new");
    expect<i32>(run("request.headers['user'] == 'new'", act)).toBe(1);
    expect<i32>(run("request.headers['user'] != 'new'", act)).toBe(0);
    act.setHeader("request.headers", "user", "jason");
    expect<i32>(run("request.headers['user'] == 'new'", act)).toBe(0);
    expect<i32>(run("request.headers['user'] != 'new'", act)).toBe(1);
  });

  it("is an error when the header is missing (both conditions)", () => {
    const act = request("GET", "/");
    expect<string>(errorOf("request.headers['user'] == 'new'", act)).toBe("no such key 'user' in request.headers");
    expect<i32>(run("request.headers['user'] != 'new'", act)).toBe(-1);
  });

  it("can be guarded with 'in' or has()", () => {
    const act = request("GET", "/");
    expect<i32>(run("'user' in request.headers && request.headers['user'] == 'new'", act)).toBe(0);
    expect<i32>(run("has(request.headers.user) && request.headers.user == 'new'", act)).toBe(0);
    act.setHeader("request.headers", "user", "new");
    expect<i32>(run("'user' in request.headers && request.headers['user'] == 'new'", act)).toBe(1);
    expect<i32>(run("has(request.headers.user) && request.headers.user == 'new'", act)).toBe(1);
  });

  it("looks header names up case-insensitively, like Envoy", () => {
    const act = request("GET", "/").setHeader("request.headers", "X-User", "a");
    expect<i32>(run("request.headers['X-USER'] == 'a'", act)).toBe(1);
    expect<i32>(run("'x-user' in request.headers", act)).toBe(1);
    expect<i32>(run("request.headers[request.method == 'GET' ? 'X-User' : 'z'] == 'a'", act)).toBe(1);
  });
});

// ---- language -----------------------------------------------------------------------------------

describe("cel eval: has()", () => {
  it("tests attribute presence without erroring", () => {
    expect<i32>(run("has(response.code)", response(200))).toBe(1);
    expect<i32>(run("has(response.code)", request("GET", "/"))).toBe(0);
    expect<i32>(run("(has(response.code) ? response.code : 200) == 200", request("GET", "/"))).toBe(1);
    expect<i32>(run("(has(response.code) ? response.code : 200) == 200", response(503))).toBe(0);
  });

  it("tests map key presence", () => {
    const act = request("GET", "/");
    expect<i32>(run("has(request.headers.user)", act)).toBe(0);
    act.setHeader("request.headers", "user", "x");
    expect<i32>(run("has(request.headers.user)", act)).toBe(1);
  });

  it("tests filter-state presence", () => {
    const act = request("GET", "/");
    expect<i32>(run("has(filter_state.x)", act)).toBe(0);
    act.setPath("filter_state\0x", "1");
    expect<i32>(run("has(filter_state.x)", act)).toBe(1);
  });
});

describe("cel eval: in", () => {
  it("tests list membership", () => {
    expect<i32>(run("request.method in ['GET', 'HEAD']", request("HEAD", "/"))).toBe(1);
    expect<i32>(run("request.method in ['GET', 'HEAD']", request("POST", "/"))).toBe(0);
    expect<i32>(run("request.method in []", request("GET", "/"))).toBe(0);
  });

  it("uses CEL equality (numbers across types; other types never equal)", () => {
    expect<i32>(run("1 in [1u, 2.0]", EMPTY)).toBe(1);
    expect<i32>(run("2 in [1u, 2.0]", EMPTY)).toBe(1);
    expect<i32>(run("'1' in [1, 2]", EMPTY)).toBe(0);
    expect<i32>(run("response.code in [200, 204]", response(204))).toBe(1);
  });

  it("tests map key presence", () => {
    const act = request("GET", "/").setHeader("request.headers", "x-user", "u");
    expect<i32>(run("'x-user' in request.headers", act)).toBe(1);
    expect<i32>(run("'x-other' in request.headers", act)).toBe(0);
  });

  it("propagates errors from list elements", () => {
    expect<i32>(run("'a' in ['b', request.headers['missing']]", request("GET", "/"))).toBe(-1);
  });

  it("recovers after a round in which the list failed", () => {
    const p = mustCompile("'a' in ['b', request.headers['x']] && size(['c', request.headers['x']]) == 2");
    const without = request("GET", "/");
    const withX = request("GET", "/").setHeader("request.headers", "x", "a");
    without.reset();
    expect<i32>(p.evalBool(without)).toBe(-1);
    withX.reset();
    expect<i32>(p.evalBool(withX)).toBe(1);
    without.reset();
    expect<i32>(p.evalBool(without)).toBe(-1);
    withX.reset();
    expect<i32>(p.evalBool(withX)).toBe(1);
  });
});

// E is an error at run time (missing header)
const E = "request.headers['missing'] == 'x'";

describe("cel eval: error absorption (&&, ||)", () => {
  it("false && E and E && false are false", () => {
    const act = request("GET", "/");
    expect<i32>(run("false && " + E, act)).toBe(0);
    expect<i32>(run(E + " && false", act)).toBe(0);
    expect<i32>(run(E + " && request.method == 'POST'", act)).toBe(0);
  });

  it("true && E, E && true and E && E are errors", () => {
    const act = request("GET", "/");
    expect<i32>(run("true && " + E, act)).toBe(-1);
    expect<i32>(run(E + " && true", act)).toBe(-1);
    expect<i32>(run(E + " && " + E, act)).toBe(-1);
  });

  it("true || E and E || true are true", () => {
    const act = request("GET", "/");
    expect<i32>(run("true || " + E, act)).toBe(1);
    expect<i32>(run(E + " || true", act)).toBe(1);
    expect<i32>(run(E + " || request.method == 'GET'", act)).toBe(1);
  });

  it("false || E, E || false and E || E are errors", () => {
    const act = request("GET", "/");
    expect<i32>(run("false || " + E, act)).toBe(-1);
    expect<i32>(run(E + " || false", act)).toBe(-1);
    expect<i32>(run(E + " || " + E, act)).toBe(-1);
  });

  it("absorbs an error that is evaluated before the deciding operand", () => {
    // && / || operands run cheapest first: the cheap erroring operand (absent response.code) runs
    // before the costlier deciding one, so these exercise "error first, then absorbed".
    const act = request("GET", "/");
    const cheapError = "response.code == 200";
    const costlyFalse = "request.method + '' == 'POST'";
    const costlyTrue = "request.method + '' == 'GET'";
    expect<i32>(run(cheapError + " && " + costlyFalse, act)).toBe(0);
    expect<i32>(run(costlyFalse + " && " + cheapError, act)).toBe(0);
    expect<i32>(run(cheapError + " || " + costlyTrue, act)).toBe(1);
    expect<i32>(run(costlyTrue + " || " + cheapError, act)).toBe(1);
    expect<i32>(run(cheapError + " && " + costlyTrue, act)).toBe(-1);
    expect<i32>(run(cheapError + " || " + costlyFalse, act)).toBe(-1);
  });

  it("the full two-valued tables still hold", () => {
    expect<i32>(run("true && true", EMPTY)).toBe(1);
    expect<i32>(run("true && false", EMPTY)).toBe(0);
    expect<i32>(run("false && true", EMPTY)).toBe(0);
    expect<i32>(run("false || false", EMPTY)).toBe(0);
    expect<i32>(run("false || true", EMPTY)).toBe(1);
    expect<i32>(run("true || false", EMPTY)).toBe(1);
  });

  it("reports the first error when nothing absorbs it", () => {
    const act = request("GET", "/");
    expect<string>(errorOf("true && " + E, act)).toBe("no such key 'missing' in request.headers");
    expect<string>(errorOf("response.code == 200 && " + E, act)).toBe("no such attribute 'response.code'");
  });

  it("treats a non-bool operand as an error that false can absorb", () => {
    expect<i32>(run("[1, true][0] && false", EMPTY)).toBe(0);
    expect<string>(errorOf("[1, true][0] && true", EMPTY)).toBe("no matching overload for '&&' applied to int");
  });

  it("! and ?: propagate errors", () => {
    const act = request("GET", "/");
    expect<i32>(run("!(" + E + ")", act)).toBe(-1);
    expect<i32>(run("(" + E + ") ? true : false", act)).toBe(-1);
    expect<i32>(run("true ? true : (" + E + ")", act)).toBe(1); // untaken branch not evaluated
  });
});

describe("cel eval: numbers", () => {
  it("compares int, uint and double on one number line", () => {
    expect<i32>(run("1 == 1u", EMPTY)).toBe(1);
    expect<i32>(run("1 == 1.0", EMPTY)).toBe(1);
    expect<i32>(run("1u == 1.0", EMPTY)).toBe(1);
    expect<i32>(run("1 != 1.5", EMPTY)).toBe(1);
    expect<i32>(run("-1 < 0u", EMPTY)).toBe(1);
    expect<i32>(run("18446744073709551615u > 9223372036854775807", EMPTY)).toBe(1);
    expect<i32>(run("2.5 > 2", EMPTY)).toBe(1);
    expect<i32>(run("2 <= 2.0", EMPTY)).toBe(1);
    expect<i32>(run("response.code == 200u", response(200))).toBe(1);
    expect<i32>(run("response.code < 200.5", response(200))).toBe(1);
  });

  it("does not lose precision comparing large ints with doubles", () => {
    expect<i32>(run("9007199254740993 > 9007199254740992.0", EMPTY)).toBe(1);
    expect<i32>(run("9007199254740993 == 9007199254740992.0", EMPTY)).toBe(0);
    expect<i32>(run("9223372036854775807 < 9223372036854775808.0", EMPTY)).toBe(1);
    expect<i32>(run("-9223372036854775808 == -9223372036854775808.0", EMPTY)).toBe(1);
  });

  it("treats NaN as unequal and unordered", () => {
    expect<i32>(run("double('NaN') == double('NaN')", EMPTY)).toBe(0);
    expect<i32>(run("double('NaN') != double('NaN')", EMPTY)).toBe(1);
    expect<i32>(run("double('NaN') < 1.0 || double('NaN') >= 1.0", EMPTY)).toBe(0);
  });

  it("does integer arithmetic with truncating division", () => {
    expect<i32>(run("1 + 2 * 3 == 7", EMPTY)).toBe(1);
    expect<i32>(run("7 / 2 == 3 && -7 / 2 == -3", EMPTY)).toBe(1);
    expect<i32>(run("-7 % 3 == -1 && 7 % -3 == 1", EMPTY)).toBe(1);
    expect<i32>(run("response.code / 100 == 5", response(503))).toBe(1);
    expect<i32>(run("7u / 2u == 3u && 7u % 2u == 1u", EMPTY)).toBe(1);
    expect<i32>(run("1.0 / 0.0 > 1e308", EMPTY)).toBe(1);
    expect<i32>(run("0.1 + 0.2 > 0.3", EMPTY)).toBe(1);
  });

  it("reports int overflow as an error", () => {
    expect<string>(errorOf("9223372036854775807 + 1 > 0", EMPTY)).toBe("integer overflow in '+'");
    expect<i32>(run("-9223372036854775808 - 1 < 0", EMPTY)).toBe(-1);
    expect<i32>(run("4611686018427387904 * 2 > 0", EMPTY)).toBe(-1);
    expect<i32>(run("-9223372036854775808 * -1 > 0", EMPTY)).toBe(-1);
    expect<i32>(run("-9223372036854775808 / -1 > 0", EMPTY)).toBe(-1);
    expect<string>(errorOf("-(-9223372036854775808) > 0", EMPTY)).toBe("integer overflow in unary '-'");
    expect<i32>(run("-9223372036854775808 % -1 == 0", EMPTY)).toBe(-1); // as cel-go
    expect<i32>(run("-9223372036854775807 % -1 == 0", EMPTY)).toBe(1);
    expect<i32>(run("4611686018427387903 * 2 == 9223372036854775806", EMPTY)).toBe(1);
  });

  it("reports uint overflow and underflow as errors", () => {
    expect<i32>(run("18446744073709551615u + 1u > 0u", EMPTY)).toBe(-1);
    expect<i32>(run("0u - 1u > 0u", EMPTY)).toBe(-1);
    expect<i32>(run("9223372036854775808u * 2u > 0u", EMPTY)).toBe(-1);
  });

  it("reports division and modulus by zero as errors", () => {
    expect<string>(errorOf("1 / 0 == 0", EMPTY)).toBe("division by zero in '/'");
    expect<string>(errorOf("1 % 0 == 0", EMPTY)).toBe("modulus by zero in '%'");
    expect<i32>(run("1u / 0u == 0u", EMPTY)).toBe(-1);
    expect<i32>(run("response.code / (response.code - 200) == 1", response(200))).toBe(-1);
  });
});

describe("cel eval: equality across types", () => {
  it("is false (not an error) between different types", () => {
    expect<i32>(run("request.method == 200", request("GET", "/"))).toBe(0);
    expect<i32>(run("request.method != 200", request("GET", "/"))).toBe(1);
    expect<i32>(run("'1' == 1", EMPTY)).toBe(0);
    expect<i32>(run("null == false", EMPTY)).toBe(0);
    expect<i32>(run("b'a' == 'a'", EMPTY)).toBe(0);
  });

  it("compares null, bools, bytes and lists", () => {
    expect<i32>(run("null == null", EMPTY)).toBe(1);
    expect<i32>(run("true != false", EMPTY)).toBe(1);
    expect<i32>(run("b'\\xff' == b'\\377'", EMPTY)).toBe(1);
    expect<i32>(run("[1, 'a'] == [1.0, 'a']", EMPTY)).toBe(1);
    expect<i32>(run("[1, 'a'] == [1, 'b']", EMPTY)).toBe(0);
    expect<i32>(run("[1] == [1, 1]", EMPTY)).toBe(0);
  });

  it("orders strings by code point and errors on mismatched types at run time", () => {
    expect<i32>(run("'a' < 'b' && 'ab' > 'a' && 'é' > 'z'", EMPTY)).toBe(1);
    expect<i32>(run("false < true", EMPTY)).toBe(1);
    expect<string>(errorOf("[1, 'a'][1] < 1", EMPTY)).toBe("no matching overload for '<' applied to (string, int)");
  });
});

describe("cel eval: strings", () => {
  it("startsWith / endsWith / contains", () => {
    const act = request("GET", "/api/v1/users/42");
    expect<i32>(run("request.url_path.startsWith('/api/')", act)).toBe(1);
    expect<i32>(run("request.url_path.startsWith('/apx')", act)).toBe(0);
    expect<i32>(run("request.url_path.endsWith('/42')", act)).toBe(1);
    expect<i32>(run("request.url_path.endsWith('/4')", act)).toBe(0);
    expect<i32>(run("request.url_path.contains('/users/')", act)).toBe(1);
    expect<i32>(run("request.url_path.contains('/groups/')", act)).toBe(0);
    expect<i32>(run("''.startsWith('') && 'a'.contains('') && !''.contains('a')", EMPTY)).toBe(1);
    expect<i32>(run("'ab'.startsWith('abc')", EMPTY)).toBe(0);
  });

  it("size counts code points for strings and bytes for bytes", () => {
    expect<i32>(run("size('héllo') == 5", EMPTY)).toBe(1);
    expect<i32>(run("'😀'.size() == 1", EMPTY)).toBe(1);
    expect<i32>(run("size(b'h\\xc3\\xa9') == 3", EMPTY)).toBe(1);
    expect<i32>(run("size(bytes('é')) == 2", EMPTY)).toBe(1);
    expect<i32>(run("size([1, 2, 3]) == 3 && [].size() == 0", EMPTY)).toBe(1);
    expect<i32>(run("size(request.url_path) == 6", request("GET", "/a/b/c"))).toBe(1);
  });

  it("size of a header map counts entries", () => {
    expect<i32>(run("size(request.headers) == 2", request("GET", "/"))).toBe(1);
    expect<i32>(run("request.headers.size() == 3", request("GET", "/").setHeader("request.headers", "x", "1"))).toBe(1);
  });

  it("concatenates with +", () => {
    expect<i32>(run("'/a' + '/b' == '/a/b'", EMPTY)).toBe(1);
    expect<i32>(run("request.method + ' ' + request.url_path == 'GET /healthz'", request("GET", "/healthz"))).toBe(1);
    expect<i32>(run("b'a' + b'b' == b'ab'", EMPTY)).toBe(1);
    // the scratch buffer is reused across evaluations: results must not leak between rounds
    const p = mustCompile("request.method + request.url_path == 'GET/x'");
    const a1 = request("GET", "/x");
    a1.reset();
    expect<i32>(p.evalBool(a1)).toBe(1);
    const a2 = request("POST", "/a-much-longer-path-than-before-to-force-growth-of-the-scratch-buffer");
    a2.reset();
    expect<i32>(p.evalBool(a2)).toBe(0);
    a1.reset();
    expect<i32>(p.evalBool(a1)).toBe(1);
  });

  it("compares UTF-8 literals against attribute bytes", () => {
    const act = request("GET", "/caf\u00e9");
    expect<i32>(run("request.url_path == '/café'", act)).toBe(1);
    expect<i32>(run("request.url_path == '/cafe\\u0301'", act)).toBe(0);
  });
});

describe("cel eval: conversions", () => {
  it("string()", () => {
    expect<i32>(run("string(response.code) == '503'", response(503))).toBe(1);
    expect<i32>(run("string(response.code - 1000) == '-497'", response(503))).toBe(1);
    expect<i32>(run("string(18446744073709551615u) == '18446744073709551615'", EMPTY)).toBe(1);
    expect<i32>(run("string(-9223372036854775808) == '-9223372036854775808'", EMPTY)).toBe(1);
    expect<i32>(run("string(true) == 'true'", EMPTY)).toBe(1);
    expect<i32>(run("string(b'abc') == 'abc'", EMPTY)).toBe(1);
    expect<i32>(run("string(1.5) == '1.5'", EMPTY)).toBe(1);
    expect<i32>(run("string(response.code).startsWith('5')", response(503))).toBe(1);
  });

  it("string() of invalid UTF-8 bytes is an error", () => {
    const bad = new ArrayBuffer(2);
    store<u8>(changetype<usize>(bad), 0xc3); // truncated 2-byte sequence
    store<u8>(changetype<usize>(bad) + 1, 0x28);
    const act = request("GET", "/").setPathBytes("raw", bad);
    expect<string>(errorOf("string(raw) == ''", act)).toBe("string() of bytes that are not valid UTF-8");
  });

  it("int() / uint() / double() parse strings and convert numbers", () => {
    const act = request("GET", "/").setHeader("request.headers", "n", "42").setHeader("request.headers", "bad", "4x2");
    expect<i32>(run("int(request.headers['n']) == 42", act)).toBe(1);
    expect<string>(errorOf("int(request.headers['bad']) == 42", act)).toBe("cannot convert '4x2' to int");
    expect<i32>(run("uint(request.headers['n']) == 42u", act)).toBe(1);
    expect<i32>(run("double(request.headers['n']) == 42.0", act)).toBe(1);
    expect<i32>(run("int('-9223372036854775808') < 0", EMPTY)).toBe(1);
    expect<i32>(run("int(2.9) == 2 && int(-2.9) == -2", EMPTY)).toBe(1);
    expect<i32>(run("int(18446744073709551615u / 2u) == 9223372036854775807", EMPTY)).toBe(1);
    expect<i32>(run("uint(42) == 42u && double(3) == 3.0 && double('1e3') == 1000.0", EMPTY)).toBe(1);
  });

  it("runtime conversion failures are errors, not traps", () => {
    const act = request("GET", "/").setHeader("request.headers", "n", "99999999999999999999").setHeader("request.headers", "neg", "-5");
    expect<i32>(run("int(request.headers['n']) > 0", act)).toBe(-1);
    expect<i32>(run("uint(request.headers['neg']) > 0u", act)).toBe(-1);
    expect<i32>(run("int(double(request.headers['n'])) > 0", act)).toBe(-1);
    expect<i32>(run("uint(double(request.headers['neg'])) > 0u", act)).toBe(-1);
    expect<i32>(run("int(double(request.headers['n']) * 0.0 / 0.0) > 0", act)).toBe(-1);
  });

  it("bytes() and bool()", () => {
    expect<i32>(run("bytes('a') == b'a'", EMPTY)).toBe(1);
    expect<i32>(run("bool('true') && !bool('false')", EMPTY)).toBe(1);
  });
});

describe("cel eval: durations and timestamps", () => {
  it("compares request.duration with duration literals", () => {
    const act = response(200).setNanos("request.duration", 1500000000);
    expect<i32>(run("request.duration > duration('1s')", act)).toBe(1);
    expect<i32>(run("request.duration < duration('1.5s')", act)).toBe(0);
    expect<i32>(run("request.duration == duration('1500ms')", act)).toBe(1);
    expect<i32>(run("request.duration >= duration('1m')", act)).toBe(0);
    expect<i32>(run("duration('1h30m') == duration('90m')", EMPTY)).toBe(1);
    expect<i32>(run("duration('-1s') < duration('0')", EMPTY)).toBe(1);
  });

  it("compares request.time with timestamps", () => {
    // 2024-01-01T00:00:00Z = 1704067200 s
    const act = request("GET", "/").setNanos("request.time", 1704067200 * 1000000000 + 1);
    expect<i32>(run("request.time > timestamp('2024-01-01T00:00:00Z')", act)).toBe(1);
    expect<i32>(run("request.time < timestamp('2024-01-01T01:00:00+01:00')", act)).toBe(0);
    expect<i32>(run("timestamp('2024-01-01T00:00:00Z') == timestamp(1704067200)", EMPTY)).toBe(1);
    expect<i32>(run("int(request.time) == 1704067200", act)).toBe(1);
    expect<i32>(run("request.time - timestamp('2024-01-01T00:00:00Z') < duration('1us')", act)).toBe(1);
    expect<i32>(run("timestamp('2024-01-01T00:00:00Z') + duration('24h') == timestamp('2024-01-02T00:00:00Z')", EMPTY)).toBe(1);
  });
});

describe("cel eval: filter state and bare identifiers", () => {
  it("reads an earlier generator's output as bytes", () => {
    const act = request("GET", "/").setFilterState("istio_operationId", "ListReviews");
    expect<i32>(run("istio_operationId == b'ListReviews'", act)).toBe(1);
    expect<i32>(run("string(istio_operationId) == 'ListReviews'", act)).toBe(1);
    // CEL: bytes never equal strings (the checker warns about this)
    expect<i32>(run("istio_operationId == 'ListReviews'", act)).toBe(0);
    expect<i32>(run("filter_state['wasm.istio_operationId'] == b'ListReviews'", act)).toBe(1);
    expect<i32>(run("'wasm.istio_operationId' in filter_state", act)).toBe(1);
    expect<i32>(run("filter_state[string(b'wasm.istio_operationId')] == b'ListReviews'", act)).toBe(1);
  });

  it("is an error when absent", () => {
    expect<string>(errorOf("istio_operationId == b'x'", EMPTY)).toBe("no such attribute 'istio_operationId'");
    expect<string>(errorOf("filter_state['wasm.x'] == b'x'", EMPTY)).toBe("no such attribute 'filter_state['wasm.x']'");
  });
});

describe("cel eval: other attributes", () => {
  it("decodes bools, uints and ports", () => {
    const act = request("GET", "/")
      .setBool("connection.mtls", true)
      .setUint("connection.id", 18446744073709551615)
      .setInt("destination.port", 9080)
      .setString("source.address", "10.0.0.1:5000");
    expect<i32>(run("connection.mtls", act)).toBe(1);
    expect<i32>(run("connection.id == 18446744073709551615u", act)).toBe(1);
    expect<i32>(run("destination.port == 9080", act)).toBe(1);
    expect<i32>(run("source.address.startsWith('10.')", act)).toBe(1);
    expect<i32>(run("request['method'] == 'GET'", act)).toBe(1);
  });

  it("reports malformed host values instead of misreading them", () => {
    const act = request("GET", "/").setString("response.code", "200"); // 3 bytes, not an int64
    expect<string>(errorOf("response.code == 200", act)).toBe("attribute 'response.code' has a malformed value");
  });

  it("reports a non-bool result as an error", () => {
    const p = mustCompile("[true, 'x'][1]");
    EMPTY.reset();
    expect<i32>(p.evalBool(EMPTY)).toBe(-1);
    expect<string>(p.lastErrorMessage()).toBe("condition evaluated to string, not bool");
  });

  it("ternary picks a branch", () => {
    expect<i32>(run("(request.method == 'GET' ? 'read' : 'write') == 'read'", request("GET", "/"))).toBe(1);
    expect<i32>(run("(request.method == 'GET' ? 'read' : 'write') == 'read'", request("PUT", "/"))).toBe(0);
  });

  it("list indexing is bounds-checked", () => {
    expect<i32>(run("[1, 2][1] == 2", EMPTY)).toBe(1);
    expect<string>(errorOf("[1, 2][2] == 2", EMPTY)).toBe("index 2 out of range in list");
    expect<i32>(run("[1, 2][-1] == 2", EMPTY)).toBe(-1);
  });
});

describe("cel eval: attribute fetching", () => {
  it("fetches each referenced attribute once per round, shared across programs", () => {
    const act = request("GET", "/healthz");
    const a = mustCompile("request.method == 'GET' && request.url_path == '/healthz'");
    const b = mustCompile("request.method == 'POST' || request.url_path == '/x'");
    act.reset();
    expect<i32>(a.evalBool(act)).toBe(1);
    expect<i32>(b.evalBool(act)).toBe(0);
    expect<i32>(act.loads).toBe(2);
    act.reset();
    expect<i32>(a.evalBool(act)).toBe(1);
    expect<i32>(act.loads).toBe(4);
  });

  it("caches header lookups and absent values too", () => {
    const act = request("GET", "/");
    const p = mustCompile("'user' in request.headers || request.headers['user'] == 'x' || has(request.headers.user)");
    act.reset();
    expect<i32>(p.evalBool(act)).toBe(-1);
    expect<i32>(act.loads).toBe(1);
  });

  it("does not fetch what short-circuiting skips", () => {
    const act = request("POST", "/").setInt("response.code", 200);
    const p = mustCompile("request.method == 'GET' && response.code == 200");
    act.reset();
    expect<i32>(p.evalBool(act)).toBe(0);
    expect<i32>(act.loads).toBe(1);
  });

  it("reset() makes new values visible", () => {
    const act = request("GET", "/");
    const p = mustCompile("request.method == 'GET'");
    act.reset();
    expect<i32>(p.evalBool(act)).toBe(1);
    act.setString("request.method", "POST");
    expect<i32>(p.evalBool(act)).toBe(1); // same round: cached
    act.reset();
    expect<i32>(p.evalBool(act)).toBe(0);
  });
});
