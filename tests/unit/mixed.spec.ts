// Segments that mix literal text and parameters ("{index}.{diffType}", "{name}:cancel",
// "v{major}"): the matching rule, their rank between literals and parameters, and between
// themselves — in both configuration orders, since precedence must not depend on it.
import { Fixture, routeErrors } from "./support/route-fixture";

/** The routes in the order given and reversed: precedence must give the same answers for both. */
function bothOrders(routes: string[]): Fixture[] {
  const reversed: string[] = [];
  for (let i = routes.length - 1; i >= 0; i--) reversed.push(routes[i]);
  return [new Fixture("[" + routes.join(",") + "]"), new Fixture("[" + reversed.join(",") + "]")];
}

// as-pect runs specs in AssemblyScript, which has no closures: fixtures are module-level.
const gitea = bothOrders([
  '{"name": "pull", "method": "GET", "path": "/repos/{owner}/{repo}/pulls/{index}"}',
  '{"name": "pull diff", "method": "GET", "path": "/repos/{owner}/{repo}/pulls/{index}.{diffType}"}',
  '{"name": "pull files", "method": "GET", "path": "/repos/{owner}/{repo}/pulls/{index}/files"}',
]);

const custom = bothOrders([
  '{"name": "get", "method": "GET", "path": "/v1/{name}"}',
  '{"name": "cancel", "method": "POST", "path": "/v1/{name}:cancel"}',
  '{"name": "operations", "path": "/v1/operations"}',
  '{"name": "post", "method": "POST", "path": "/v1/{name}"}',
]);

const versions = bothOrders([
  '{"name": "major", "path": "/api/v{major}/items"}',
  '{"name": "version", "path": "/api/{version}/items"}',
  '{"name": "v1", "path": "/api/v1/items"}',
  '{"name": "rest", "path": "/api/**"}',
]);

const ranked = bothOrders([
  '{"name": "any ext", "path": "/f/{name}.{ext}"}',
  '{"name": "json", "path": "/f/{name}.json"}',
  '{"name": "tar", "path": "/f/{name}.tar.{c}"}',
  '{"name": "dash", "path": "/f/{a}-{b}"}',
  '{"name": "v-lead", "path": "/f/v{n}"}',
  '{"name": "v-trail", "path": "/f/{n}v"}',
  '{"name": "literal", "path": "/f/index.json"}',
  '{"name": "param", "path": "/f/{file}"}',
]);

const backtrack = bothOrders([
  '{"name": "json meta", "path": "/x/{a}.json/meta"}',
  '{"name": "any ext data", "path": "/x/{a}.{b}/data"}',
  '{"name": "param data", "path": "/x/{id}/data"}',
  '{"name": "param other", "path": "/x/{id}/other"}',
]);

describe("mixed segments: Gitea's pulls/{index}.{diffType}", () => {
  it("goes to the mixed route when the segment has its text, to {index} otherwise", () => {
    for (let i = 0; i < 2; i++) {
      const f = gitea[i];
      expect(f.classify("GET", "/repos/a/b/pulls/7.patch")).toBe("pull diff");
      expect(f.classify("GET", "/repos/a/b/pulls/7.diff?x=1")).toBe("pull diff");
      expect(f.classify("GET", "/repos/a/b/pulls/7")).toBe("pull");
      expect(f.classify("GET", "/repos/a/b/pulls/7/files")).toBe("pull files");
      // Both parameters must be non-empty.
      expect(f.classify("GET", "/repos/a/b/pulls/7.")).toBe("pull");
      expect(f.classify("GET", "/repos/a/b/pulls/.patch")).toBe("pull");
      // A split exists: "7" + "tar.gz" (or "7.tar" + "gz").
      expect(f.classify("GET", "/repos/a/b/pulls/7.tar.gz")).toBe("pull diff");
      // No percent-decoding: %2E is not '.'.
      expect(f.classify("GET", "/repos/a/b/pulls/7%2Epatch")).toBe("pull");
      // The method condition fails: no other route on that path.
      expect(f.classify("POST", "/repos/a/b/pulls/7.patch")).toBe("-");
    }
  });
});

describe("mixed segments: custom methods ({name}:cancel)", () => {
  it("ranks literal > mixed > parameter in both orders", () => {
    for (let i = 0; i < 2; i++) {
      const f = custom[i];
      expect(f.classify("POST", "/v1/x:cancel")).toBe("cancel");
      expect(f.classify("POST", "/v1/a:b:cancel")).toBe("cancel");
      expect(f.classify("POST", "/v1/operations:cancel")).toBe("cancel");
      expect(f.classify("POST", "/v1/x")).toBe("post");
      expect(f.classify("POST", "/v1/:cancel")).toBe("post"); // {name} is empty: not the mixed route
      expect(f.classify("POST", "/v1/x:cancelled")).toBe("post");
      expect(f.classify("POST", "/v1/x:cance")).toBe("post");
      expect(f.classify("GET", "/v1/x")).toBe("get");
      // GET on the mixed segment: the mixed route's method fails, so the {name} route takes it.
      expect(f.classify("GET", "/v1/x:cancel")).toBe("get");
      expect(f.classify("GET", "/v1/operations")).toBe("operations");
    }
  });
});

describe("mixed segments: v{major}", () => {
  it("takes v-prefixed segments from {version}, but not the literal v1", () => {
    for (let i = 0; i < 2; i++) {
      const f = versions[i];
      expect(f.classify("GET", "/api/v2/items")).toBe("major");
      expect(f.classify("GET", "/api/vbeta/items")).toBe("major");
      expect(f.classify("GET", "/api/vv/items")).toBe("major");
      expect(f.classify("GET", "/api/v1/items")).toBe("v1");
      expect(f.classify("GET", "/api/v/items")).toBe("version");
      expect(f.classify("GET", "/api/x2/items")).toBe("version");
      expect(f.classify("GET", "/api/V2/items")).toBe("version"); // case-sensitive
      expect(f.classify("GET", "/api/v2/other")).toBe("rest");
      expect(f.classify("GET", "/api/v2")).toBe("rest");
    }
  });
});

describe("mixed segments: ranking between mixed segments", () => {
  it("prefers more literal text, then the longer leading, then the longer trailing literal, then the text", () => {
    for (let i = 0; i < 2; i++) {
      const f = ranked[i];
      expect(f.classify("GET", "/f/index.json")).toBe("literal");
      expect(f.classify("GET", "/f/x.json")).toBe("json"); // 5 literal bytes beat 1
      expect(f.classify("GET", "/f/x.tar.gz")).toBe("tar");
      // ".json" and ".tar." both have 5 literal bytes and no leading literal: the trailing one wins.
      expect(f.classify("GET", "/f/x.tar.json")).toBe("json");
      expect(f.classify("GET", "/f/x.png")).toBe("any ext");
      // "{}-{}" and "{}.{}": one literal byte each, none leading or trailing: text order ('-' < '.').
      expect(f.classify("GET", "/f/x-y.z")).toBe("dash");
      expect(f.classify("GET", "/f/x-y")).toBe("dash");
      // "v{}" and "{}v": the leading literal wins.
      expect(f.classify("GET", "/f/vv")).toBe("v-lead");
      expect(f.classify("GET", "/f/xv")).toBe("v-trail");
      expect(f.classify("GET", "/f/v")).toBe("param");
      expect(f.classify("GET", "/f/plain")).toBe("param");
    }
  });

  it("backtracks from a mixed child to the next one, then to the parameter", () => {
    for (let i = 0; i < 2; i++) {
      const f = backtrack[i];
      expect(f.classify("GET", "/x/1.json/meta")).toBe("json meta");
      expect(f.classify("GET", "/x/1.json/data")).toBe("any ext data");
      expect(f.classify("GET", "/x/1.json/other")).toBe("param other");
      expect(f.classify("GET", "/x/1/data")).toBe("param data");
      expect(f.classify("GET", "/x/1.json")).toBe("-");
    }
  });

  it("treats shapes that differ only in parameter names as one pattern (then conditions, then config order)", () => {
    const f = new Fixture(`[
      {"name": "first", "path": "/d/{a}.{b}"},
      {"name": "second", "path": "/d/{x}.{y}"},
      {"name": "with method", "method": "GET", "path": "/d/{p}.{q}"}]`);
    expect(f.classify("GET", "/d/1.2")).toBe("with method");
    expect(f.classify("PUT", "/d/1.2")).toBe("first");
  });
});

describe("mixed segments: matching rule on awkward bytes", () => {
  it("finds a middle literal that overlaps itself (KMP failure links)", () => {
    const f = new Fixture(`[
      {"name": "abab", "path": "/k/{a}abab{b}"},
      {"name": "two", "path": "/k/{a}.{b}.{c}"},
      {"name": "other", "path": "/k/{x}"}]`);
    expect(f.classify("GET", "/k/xabaababy")).toBe("abab");
    expect(f.classify("GET", "/k/xababy")).toBe("abab");
    expect(f.classify("GET", "/k/ababy")).toBe("other"); // {a} would be empty
    expect(f.classify("GET", "/k/xabab")).toBe("other"); // {b} would be empty
    expect(f.classify("GET", "/k/xababab")).toBe("abab"); // x + abab + ab
    expect(f.classify("GET", "/k/a.b.c")).toBe("two");
    expect(f.classify("GET", "/k/a..c")).toBe("other");
    expect(f.classify("GET", "/k/a.b.c.d")).toBe("two");
    expect(f.classify("GET", "/k/a.b.")).toBe("other");
  });

  it("handles long and odd segments without trapping", () => {
    const f = new Fixture(`[
      {"name": "aab", "path": "/k/{a}aaab{b}.json"},
      {"name": "lead", "path": "/k/v{a}-{b}"},
      {"name": "other", "path": "/k/{x}"}]`);
    let long = "";
    for (let i = 0; i < 20000; i++) long += "a";
    expect(f.classify("GET", "/k/" + long)).toBe("other");
    expect(f.classify("GET", "/k/" + long + "b.json")).toBe("other"); // "aaab" ends where ".json" starts: {b} is empty
    expect(f.classify("GET", "/k/" + long + "bx.json")).toBe("aab");
    expect(f.classify("GET", "/k/v" + long + "-" + long)).toBe("lead");
    expect(f.classify("GET", "/k/v-")).toBe("other");
    expect(f.classify("GET", "/k/.json")).toBe("other");
    expect(f.classify("GET", "/k/")).toBe("-");
    expect(f.classify("GET", "/k")).toBe("-");
    let odd = "";
    for (let c = 1; c < 128; c++) if (c != 0x2f && c != 0x3f && c != 0x23) odd += String.fromCharCode(c);
    expect(f.classify("GET", "/k/v" + odd + "-x")).toBe("lead");
    expect(f.classify("GET", "/k/" + odd)).toBe("other");
  });
});

describe("mixed segments: configuration errors name the JSON path", () => {
  it("reports bad mixed templates on routes[i].path with the column", () => {
    expect(routeErrors('[{"name": "ok", "path": "/a"}, {"name": "x", "path": "/files/{name}{ext}"}]'))
      .toBe("routes[1].path: '{name}{ext}': two parameters need literal text between them at column 14");
    expect(routeErrors('[{"name": "x", "path": "/files/v{p...}"}]'))
      .toBe("routes[0].path: '{p...}' (a catch-all) must be a whole segment at column 9");
    expect(routeErrors('[{"name": "x", "path": "/files/{n}.{n}"}]'))
      .toBe("routes[0].path: duplicate parameter name 'n' at column 12");
    expect(routeErrors('[{"name": "x", "path": "/files/{n}.*"}]'))
      .toBe("routes[0].path: '*' must be a whole segment (use path_prefix or path_regex) at column 12");
    expect(routeErrors('[{"name": "x", "path": "/v1/{name}:cancel?x"}]'))
      .toBe("routes[0].path: '?' is not part of a path (match query strings with query_params) at column 18");
  });

  it("bounds the mixed shapes at one position, whatever their parameter names", () => {
    let json = "[";
    for (let i = 0; i < 64; i++) json += '{"name": "verb' + i.toString() + '", "path": "/v1/{name}:verb' + i.toString() + '"},';
    json += '{"name": "same shape", "path": "/v1/{other}:verb3"},';
    json += '{"name": "elsewhere", "path": "/v2/{name}:verb64"},';
    json += '{"name": "one too many", "path": "/v1/{name}:verb64"},';
    json += '{"name": "deeper", "path": "/v1/{id}/{name}:verb64"}]';
    expect(routeErrors(json)).toBe("routes[66].path: '{name}:verb64': more than 64 different segments that mix text and " +
      "parameters at one position (after '/v1/')");
  });

  it("counts only templates with parameters, and names the route by its place among all routes", () => {
    // Routes without '{' skip the mixed-segment count (they cannot have a mixed segment); the
    // overflowing route's index must still count them.
    let json = "[";
    for (let i = 0; i < 64; i++) {
      json += '{"name": "lit' + i.toString() + '", "path": "/v1/lit:verb' + i.toString() + '"},';
      json += '{"name": "verb' + i.toString() + '", "path": "/v1/{name}:verb' + i.toString() + '"},';
    }
    json += '{"name": "plain", "path": "/v1/x:verb64"},';
    json += '{"name": "one too many", "path": "/v1/{name}:verb64"}]';
    expect(routeErrors(json)).toBe("routes[129].path: '{name}:verb64': more than 64 different segments that mix text and " +
      "parameters at one position (after '/v1/')");
  });
  it("counts mixed segments of every form, also those that open with '{' and close with '}'", () => {
    // Whole-segment parameters ("{id}", "{rest...}") are skipped without a parse; a segment with
    // text before, after or between parameters is counted.
    let json = "[";
    for (let i = 0; i < 32; i++) json += '{"name": "ext' + i.toString() + '", "path": "/v1/{n}.f' + i.toString() + '"},';
    json += '{"name": "param", "path": "/v1/{id}"},';
    json += '{"name": "params", "path": "/v1/{id}/{rest...}"},';
    for (let i = 32; i < 64; i++) json += '{"name": "mid' + i.toString() + '", "path": "/v1/{a}-x' + i.toString() + '-{b}"},';
    json += '{"name": "one too many", "path": "/v1/{a}-x64-{b}"}]';
    expect(routeErrors(json)).toBe("routes[66].path: '{a}-x64-{b}': more than 64 different segments that mix text and " +
      "parameters at one position (after '/v1/')");
  });
});
