import { parseTemplate, SegmentKind } from "../../assembly/routes/template";

function shape(path: string): string {
  const r = parseTemplate(path);
  if (r.template === null) return "error: " + r.error;
  const parts: string[] = [];
  const segs = r.template!.segments;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.kind == SegmentKind.Literal) parts.push("L(" + s.text + ")");
    else if (s.kind == SegmentKind.Param) parts.push("P(" + s.text + ")");
    else if (s.kind == SegmentKind.Mixed) parts.push("M(" + s.text + ")");
    else parts.push("C(" + s.text + ")");
  }
  return parts.join(" ");
}

describe("path templates", () => {
  it("splits literal, parameter and catch-all segments", () => {
    expect(shape("/healthz")).toBe("L(healthz)");
    expect(shape("/")).toBe("L()");
    expect(shape("/reviews/")).toBe("L(reviews) L()");
    expect(shape("/users/{id}")).toBe("L(users) P(id)");
    expect(shape("/users/{id}/posts/{post_id}")).toBe("L(users) P(id) L(posts) P(post_id)");
    expect(shape("/files/{path...}")).toBe("L(files) C(path)");
    expect(shape("/static/**")).toBe("L(static) C()");
    expect(shape("/a/*/b")).toBe("L(a) P() L(b)");
  });

  it("reads segments that mix literal text and parameters", () => {
    expect(shape("/files/{name}.{ext}")).toBe("L(files) M({name}.{ext})");
    expect(shape("/repos/{owner}/{repo}/pulls/{index}.{diffType}")).toBe("L(repos) P(owner) P(repo) L(pulls) M({index}.{diffType})");
    expect(shape("/v1/{name}:cancel")).toBe("L(v1) M({name}:cancel)");
    expect(shape("/api/v{major}/items")).toBe("L(api) M(v{major}) L(items)");
    expect(shape("/a/x{p}y{q}z/{rest...}")).toBe("L(a) M(x{p}y{q}z) C(rest)");
    expect(parseTemplate("/v{major}").template!.isExact).toBe(false);
  });

  it("knows exact templates", () => {
    expect(parseTemplate("/a/b").template!.isExact).toBe(true);
    expect(parseTemplate("/a/{b}").template!.isExact).toBe(false);
  });

  it("names the column of each problem", () => {
    expect(shape("/users/{id")).toBe("error: unclosed '{' at column 8");
    expect(shape("/users/{}")).toBe("error: empty parameter name at column 8");
    expect(shape("/a/{x}{y}")).toBe("error: '{x}{y}': two parameters need literal text between them at column 7");
    expect(shape("/a/v{x}{y}.json")).toBe("error: 'v{x}{y}.json': two parameters need literal text between them at column 8");
    expect(shape("/a/x{p...}")).toBe("error: '{p...}' (a catch-all) must be a whole segment at column 5");
    expect(shape("/a/{p...}.tar")).toBe("error: '{p...}' (a catch-all) must be a whole segment at column 4");
    expect(shape("/a/{x}.{x}")).toBe("error: duplicate parameter name 'x' at column 8");
    expect(shape("/a/{x}.*")).toBe("error: '*' must be a whole segment (use path_prefix or path_regex) at column 8");
    expect(shape("/a/{x}.{y")).toBe("error: unclosed '{' at column 8");
    expect(shape("/a/{x}}")).toBe("error: unexpected '}' at column 7");
    expect(shape("/a/{x{y}}")).toBe("error: nested '{' at column 6");
    expect(shape("/a/{x}.{}")).toBe("error: empty parameter name at column 8");
    expect(shape("/a/{x}.{y.z}")).toBe("error: invalid character '.' in parameter name at column 10");
    expect(shape("/users/id}")).toBe("error: unexpected '}' at column 10");
    expect(shape("/files/{p...}/x")).toBe("error: '{p...}' must be the last segment at column 8");
    expect(shape("/a/**/b")).toBe("error: '**' must be the last segment at column 4");
    expect(shape("/a/b*")).toBe("error: '*' must be a whole segment (use path_prefix or path_regex) at column 5");
    expect(shape("/a/{x}/{x}")).toBe("error: duplicate parameter name 'x' at column 8");
    expect(shape("/a/{x y}")).toBe("error: invalid character ' ' in parameter name at column 6");
    expect(shape("/a?b=1")).toBe("error: '?' is not part of a path (match query strings with query_params) at column 3");
    let many = "/m/";
    for (let i = 0; i <= 64; i++) many += "{p" + i.toString() + "}.";
    expect(shape(many)).toBe("error: more than 64 parameters at column " + (3 + 5 * 10 + 6 * 54 + 1).toString());
    expect(shape("users")).toBe("error: must start with '/'");
    expect(shape("")).toBe("error: must not be empty");
  });
});
