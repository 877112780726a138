import { lastError } from "../../assembly/cel/index";
import { TableActivation } from "./support/table-activation";
import { compileError, mustCompile, run } from "./cel.include";

function path(method: string, urlPath: string): TableActivation {
  return new TableActivation().setString("request.method", method).setString("request.url_path", urlPath);
}

const GET_REVIEW = "request.url_path.matches('^/reviews/[[:alnum:]]*$') && request.method == 'GET'";
const TRAVEL_QUOTE = "request.url_path.matches('^/travels/[[:alpha:]]+$') && request.method == 'GET'";
const LIST_CITIES = "request.url_path.matches('^/travels$') && request.method == 'GET'";
const GET_BOOK = "request.url_path.matches('^/shelves/[[:alnum:]]*/books/[[:alnum:]]*$') && request.method == 'GET'";

describe("cel matches: real configs", () => {
  it("bookinfo GetReview", () => {
    expect<i32>(run(GET_REVIEW, path("GET", "/reviews/0"))).toBe(1);
    expect<i32>(run(GET_REVIEW, path("GET", "/reviews/"))).toBe(1);
    expect<i32>(run(GET_REVIEW, path("GET", "/reviews/a-b"))).toBe(0);
    expect<i32>(run(GET_REVIEW, path("GET", "/reviews"))).toBe(0);
    expect<i32>(run(GET_REVIEW, path("POST", "/reviews/0"))).toBe(0);
  });

  it("kiali travel-agency routes", () => {
    expect<i32>(run(TRAVEL_QUOTE, path("GET", "/travels/Paris"))).toBe(1);
    expect<i32>(run(TRAVEL_QUOTE, path("GET", "/travels/Paris1"))).toBe(0);
    expect<i32>(run(LIST_CITIES, path("GET", "/travels"))).toBe(1);
    expect<i32>(run(LIST_CITIES, path("GET", "/travels/"))).toBe(0);
  });

  it("reference GetBook", () => {
    expect<i32>(run(GET_BOOK, path("GET", "/shelves/s1/books/b2"))).toBe(1);
    expect<i32>(run(GET_BOOK, path("GET", "/shelves/s1/books/b2/x"))).toBe(0);
  });

  it("istio#54490 style route table", () => {
    const c = "request.url_path.matches('^/api/users/[a-zA-Z0-9-]+$') && request.method == 'GET'";
    expect<i32>(run(c, path("GET", "/api/users/ab-12"))).toBe(1);
    expect<i32>(run(c, path("GET", "/api/users/"))).toBe(0);
  });
});

describe("cel matches: semantics", () => {
  it("is an unanchored partial match", () => {
    expect<i32>(run("request.url_path.matches('users')", path("GET", "/api/users/1"))).toBe(1);
    expect<i32>(run("request.url_path.matches('^users')", path("GET", "/api/users/1"))).toBe(0);
    expect<i32>(run("request.url_path.matches('')", path("GET", "/x"))).toBe(1);
  });

  it("supports the global form matches(s, re)", () => {
    expect<i32>(run("matches(request.url_path, '^/a/\\\\d+$')", path("GET", "/a/12"))).toBe(1);
    expect<i32>(run("matches(request.url_path, r'^/a/\\d+$')", path("GET", "/a/1x"))).toBe(0);
  });

  it("matches a computed subject against a constant pattern", () => {
    const act = path("GET", "/x").setHeader("request.headers", "re", "v2-beta");
    expect<i32>(run("request.headers['re'].matches('^v[0-9]-')", act)).toBe(1);
    expect<i32>(run("matches(request.headers['re'], 'alpha$')", act)).toBe(0);
  });

  it("propagates a missing subject as an error", () => {
    expect<i32>(run(GET_REVIEW, new TableActivation().setString("request.method", "GET"))).toBe(-1);
  });
});

describe("cel matches: the pattern is a constant (a deviation from attributegen)", () => {
  it("refuses a pattern computed from the request, pointing at it", () => {
    const msg = compileError("request.url_path.matches(string(request.headers['x-re']))");
    expect<bool>(msg.startsWith("matches() needs a constant pattern")).toBe(true, msg);
    expect<bool>(msg.endsWith(" at column 25")).toBe(true, msg); // string(
    const others = [
      "matches(request.url_path, request.headers['re'])", "request.url_path.matches(string(istio_operationId))",
      "request.url_path.matches('^/a' + '/b')", "request.url_path.matches(request.method == 'GET' ? 'a' : 'b')",
    ];
    const columns = [26, 25, 25, 25];
    for (let i = 0; i < others.length; i++) {
      const m = compileError(others[i]);
      expect<bool>(m.startsWith("matches() needs a constant pattern") && m.endsWith(" at column " + columns[i].toString()))
        .toBe(true, others[i] + " → " + m);
    }
  });

  it("accepts a constant the planner folds (a conversion of a literal)", () => {
    expect<i32>(run("request.url_path.matches(string(b'^/v[0-9]+$'))", path("GET", "/v12"))).toBe(1);
    expect<i32>(run("request.url_path.matches(string(b'^/v[0-9]+$'))", path("GET", "/v1x"))).toBe(0);
  });
});

describe("cel matches: configure-time regex errors", () => {
  it("rejects a bad literal regex with the column inside the pattern", () => {
    const msg = compileError("request.url_path.matches('^/a/(b') && true");
    expect<bool>(msg.startsWith("invalid regular expression '^/a/(b': ")).toBe(true, msg);
    expect<bool>(msg.endsWith(" at column 30")).toBe(true, msg); // the unmatched (
    const e = lastError();
    expect<i32>(e !== null ? e.column : -1).toBe(30);
  });

  it("points at the literal when escapes make the offsets differ", () => {
    compileError("request.url_path.matches('\\x5E/a/(b')");
    const e = lastError();
    expect<i32>(e !== null ? e.column : -1).toBe(25);
  });

  it("rejects backreferences (RE2 has none)", () => {
    const msg = compileError("request.url_path.matches('(a)\\\\1')");
    expect<bool>(msg.startsWith("invalid regular expression '(a)\\1': ")).toBe(true, msg);
  });
});

describe("cel matches: operand ordering", () => {
  it("checks the cheap method comparison before running the regex", () => {
    const act = path("POST", "/reviews/1");
    const p = mustCompile(GET_REVIEW);
    act.reset();
    expect<i32>(p.evalBool(act)).toBe(0);
    expect<i32>(act.loads).toBe(1); // request.url_path was never fetched
  });

  it("keeps the result order-independent, errors included", () => {
    const act = new TableActivation().setString("request.method", "POST");
    expect<i32>(run(GET_REVIEW, act)).toBe(0); // url_path missing, but method is false: absorbed
    act.setString("request.method", "GET");
    expect<i32>(run(GET_REVIEW, act)).toBe(-1);
  });
});
