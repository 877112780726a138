import { Fixture } from "./support/route-fixture";

// as-pect runs specs in AssemblyScript, which has no closures: fixtures are module-level.
const podinfo = new Fixture(`[
    {"name": "GET /healthz", "method": "GET", "path": "/healthz"},
    {"name": "POST /echo", "method": "POST", "path": "/echo"},
    {"name": "GET /users/{id}", "method": ["GET", "HEAD"], "path": "/users/{id}"},
    {"name": "static", "path_prefix": "/static/"},
    {"name": "legacy", "path_regex": "^/v[0-9]+/legacy/"}]`);

describe("route table: the podinfo example", () => {

  it("matches method and exact path", () => {
    expect(podinfo.classify("GET", "/healthz")).toBe("GET /healthz");
    expect(podinfo.classify("POST", "/healthz")).toBe("-");
    expect(podinfo.classify("POST", "/echo")).toBe("POST /echo");
    expect(podinfo.classify("GET", "/echo")).toBe("-");
  });
  it("matches templates, prefixes and regexes", () => {
    expect(podinfo.classify("GET", "/users/42")).toBe("GET /users/{id}");
    expect(podinfo.classify("HEAD", "/users/42")).toBe("GET /users/{id}");
    expect(podinfo.classify("DELETE", "/users/42")).toBe("-");
    expect(podinfo.classify("GET", "/users/42/x")).toBe("-");
    expect(podinfo.classify("GET", "/users/")).toBe("-");
    expect(podinfo.classify("GET", "/static/css/a.css")).toBe("static");
    expect(podinfo.classify("PUT", "/static/")).toBe("static");
    expect(podinfo.classify("GET", "/static")).toBe("-");
    expect(podinfo.classify("GET", "/v2/legacy/x")).toBe("legacy");
    expect(podinfo.classify("GET", "/api/v2/legacy/x")).toBe("-");
  });
  it("strips the query string and fragment before matching the path", () => {
    expect(podinfo.classify("GET", "/healthz?verbose=1")).toBe("GET /healthz");
    expect(podinfo.classify("GET", "/healthz#top")).toBe("GET /healthz");
    expect(podinfo.classify("GET", "/users/7?x=/a/b#f")).toBe("GET /users/{id}");
    expect(podinfo.classify("GET", "/healthz/")).toBe("-");
  });
  it("leaves odd request lines unmatched", () => {
    expect(podinfo.classify("GET", "")).toBe("-");
    expect(podinfo.classify("GET", "*")).toBe("-");
    expect(podinfo.classify("", "/healthz")).toBe("-");
    expect(podinfo.classify("get", "/healthz")).toBe("-");
  });
});

describe("route table: precedence", () => {
  it("prefers literal segments over parameters over catch-alls, whatever the order", () => {
    const f = new Fixture(`[
      {"name": "rest", "path": "/users/**"},
      {"name": "param", "path": "/users/{id}"},
      {"name": "me", "path": "/users/me"},
      {"name": "param-posts", "path": "/users/{id}/posts"},
      {"name": "me-star", "path": "/users/me/{x}"}]`);
    expect(f.classify("GET", "/users/me")).toBe("me");
    expect(f.classify("GET", "/users/5")).toBe("param");
    expect(f.classify("GET", "/users/5/posts")).toBe("param-posts");
    expect(f.classify("GET", "/users/me/posts")).toBe("me-star");
    expect(f.classify("GET", "/users/me/posts/1")).toBe("rest");
    expect(f.classify("GET", "/users")).toBe("rest");
    expect(f.classify("GET", "/users/")).toBe("rest");
  });

  it("backtracks when the more specific branch does not complete", () => {
    const f = new Fixture(`[
      {"name": "me-settings", "path": "/users/me/settings"},
      {"name": "user-posts", "path": "/users/{id}/posts"}]`);
    expect(f.classify("GET", "/users/me/posts")).toBe("user-posts");
    expect(f.classify("GET", "/users/me/settings")).toBe("me-settings");
  });

  it("prefers exact paths over prefixes and the longest prefix", () => {
    const f = new Fixture(`[
      {"name": "api", "path_prefix": "/api/"},
      {"name": "api-v1", "path_prefix": "/api/v1/"},
      {"name": "exact", "path": "/api/v1/health"},
      {"name": "regex", "path_regex": "^/api"},
      {"name": "anything-get", "method": "GET"}]`);
    expect(f.classify("GET", "/api/v1/health")).toBe("exact");
    expect(f.classify("GET", "/api/v1/users")).toBe("api-v1");
    expect(f.classify("GET", "/api/v2/users")).toBe("api");
    expect(f.classify("GET", "/apix")).toBe("regex");
    expect(f.classify("GET", "/other")).toBe("anything-get");
    expect(f.classify("POST", "/other")).toBe("-");
  });

  it("tries regex routes in config order, whatever their literal prefixes", () => {
    // Prefixes of 1, 2, 3 and more bytes, none, and one that shares its first four bytes with
    // another: the quick prefix test before each regex must only ever skip routes that cannot match.
    const f = new Fixture(`[
      {"name": "long", "path_regex": "^/legacy/v[0-9]+/item$"},
      {"name": "same-start", "path_regex": "^/legal/[a-z]+$"},
      {"name": "three", "path_regex": "^/ab[0-9]"},
      {"name": "two", "path_regex": "^/z"},
      {"name": "one", "path_regex": "^/[0-9]+$"},
      {"name": "exact", "path_regex": "^/exactly$"},
      {"name": "anywhere", "path_regex": "[0-9]{3}"},
      {"name": "method-bound", "method": "POST", "path_regex": "^/post/"},
      {"name": "after-method", "path_regex": "^/post/[a-z]+$"}]`);
    expect(f.classify("GET", "/legacy/v2/item")).toBe("long");
    expect(f.classify("GET", "/legacy/v/item")).toBe("-");
    expect(f.classify("GET", "/legal/terms")).toBe("same-start");
    expect(f.classify("GET", "/ab7")).toBe("three");
    expect(f.classify("GET", "/ab")).toBe("-");
    expect(f.classify("GET", "/zoo")).toBe("two");
    expect(f.classify("GET", "/z")).toBe("two");
    expect(f.classify("GET", "/42")).toBe("one");
    expect(f.classify("GET", "/exactly")).toBe("exact");
    expect(f.classify("GET", "/exactly/")).toBe("-");
    expect(f.classify("GET", "/x/1234")).toBe("anywhere");
    expect(f.classify("GET", "/legacy/v123/itemx")).toBe("anywhere");
    expect(f.classify("POST", "/post/abc")).toBe("method-bound");
    expect(f.classify("GET", "/post/abc")).toBe("after-method");
    expect(f.classify("GET", "/")).toBe("-");
    expect(f.classify("GET", "")).toBe("-");
  });

  it("tries routes with more conditions first on the same path, then config order", () => {
    const f = new Fixture(`[
      {"name": "damage", "path": "/v1/damage"},
      {"name": "damage-analytic", "path": "/v1/damage", "query_params": [{"name": "analytic", "value": "true"}]},
      {"name": "first", "path": "/dup"},
      {"name": "second", "path": "/dup"}]`);
    expect(f.classify("GET", "/v1/damage?analytic=true")).toBe("damage-analytic");
    expect(f.classify("GET", "/v1/damage?analytic=false")).toBe("damage");
    expect(f.classify("GET", "/v1/damage")).toBe("damage");
    expect(f.classify("GET", "/dup")).toBe("first");
  });

  it("falls through to less specific routes when conditions fail", () => {
    const f = new Fixture(`[
      {"name": "get-user", "method": "GET", "path": "/users/{id}"},
      {"name": "users-any", "path_prefix": "/users/"}]`);
    expect(f.classify("GET", "/users/1")).toBe("get-user");
    expect(f.classify("DELETE", "/users/1")).toBe("users-any");
  });
});

const conditions = new Fixture(`[
    {"name": "new-user", "path": "/login", "headers": [{"name": "X-User", "value": "new"}]},
    {"name": "beta", "path": "/login", "headers": [{"name": "x-user", "type": "RegularExpression", "value": "^beta-[0-9]+$"}]},
    {"name": "login", "path": "/login"},
    {"name": "search-fast", "path": "/search", "query_params": [{"name": "mode", "value": "fast"}, {"name": "q", "type": "RegularExpression", "value": "."}]},
    {"name": "search", "path": "/search"}]`);

describe("route table: header and query conditions", () => {

  it("matches header values exactly or by regex (names case-insensitive)", () => {
    expect(conditions.classify("GET", "/login", "x-user=new")).toBe("new-user");
    expect(conditions.classify("GET", "/login", "x-user=beta-12")).toBe("beta");
    expect(conditions.classify("GET", "/login", "x-user=beta-x")).toBe("login");
    expect(conditions.classify("GET", "/login")).toBe("login");
  });

  it("fetches each header at most once per request", () => {
    conditions.headers.lookups = 0;
    conditions.classify("GET", "/login", "x-user=other");
    expect(conditions.headers.lookups).toBe(1);
    conditions.headers.lookups = 0;
    conditions.classify("GET", "/search");
    expect(conditions.headers.lookups).toBe(0);
  });

  it("matches query parameters (first occurrence, raw bytes)", () => {
    expect(conditions.classify("GET", "/search?mode=fast&q=x")).toBe("search-fast");
    expect(conditions.classify("GET", "/search?q=x&mode=fast#frag")).toBe("search-fast");
    expect(conditions.classify("GET", "/search?mode=fast&q=")).toBe("search");
    expect(conditions.classify("GET", "/search?mode=fast")).toBe("search");
    expect(conditions.classify("GET", "/search?mode=slow&mode=fast&q=1")).toBe("search");
    expect(conditions.classify("GET", "/search?modex=fast&q=1")).toBe("search");
  });

  it("indexes the query once for many conditions, shared names and repeated parameters", () => {
    let json = "[";
    for (let i = 0; i < 200; i++) {
      // route i needs p0 … p{i % 4} and its own name r{i}
      json += (i > 0 ? "," : "") + '{"name": "r' + i.toString() + '", "path": "/q", "query_params": [';
      for (let k = 0; k <= i % 4; k++) json += '{"name": "p' + k.toString() + '", "value": "' + k.toString() + '"},';
      json += '{"name": "r' + i.toString() + '", "value": ""}]}';
    }
    const f = new Fixture(json + "]");
    expect(f.classify("GET", "/q?p0=0&r5")).toBe("-"); // r5 needs p1 too
    expect(f.classify("GET", "/q?p1=1&x=y&p0=0&r5")).toBe("r5");
    expect(f.classify("GET", "/q?r8=&p0=0")).toBe("r8");
    expect(f.classify("GET", "/q?p0=1&p0=0&r8")).toBe("-"); // the first p0 counts
    expect(f.classify("GET", "/q?p0=0&r8#r9")).toBe("r8");
    expect(f.classify("GET", "/q?p0=0&r9")).toBe("-");
    expect(f.classify("GET", "/q?p0=0&p1=1&r199=&p2=2&p3=3")).toBe("r199");
    expect(f.classify("GET", "/q")).toBe("-");
    expect(f.classify("GET", "/q?")).toBe("-");
  });
});

describe("route table: scale", () => {
  it("classifies among 10,000 routes", () => {
    let json = "[";
    for (let i = 0; i < 10000; i++) {
      if (i > 0) json += ",";
      json += '{"name": "r' + i.toString() + '", "method": "GET", "path": "/svc' + (i % 100).toString() + "/items" +
        (i / 100).toString() + '/{id}"}';
    }
    json += "]";
    const f = new Fixture(json);
    expect(f.classify("GET", "/svc7/items42/abc")).toBe("r4207");
    expect(f.classify("GET", "/svc99/items99/x")).toBe("r9999");
    expect(f.classify("GET", "/svc7/items42")).toBe("-");
  });
});
