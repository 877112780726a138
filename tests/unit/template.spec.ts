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

  it("knows exact templates", () => {
    expect(parseTemplate("/a/b").template!.isExact).toBe(true);
    expect(parseTemplate("/a/{b}").template!.isExact).toBe(false);
  });

  it("names the column of each problem", () => {
    expect(shape("/users/{id")).toBe("error: unclosed '{' at column 8");
    expect(shape("/users/{}")).toBe("error: empty parameter name at column 8");
    expect(shape("/users/{id}x")).toBe("error: '{id}' must span a whole path segment at column 8");
    expect(shape("/users/x{id}")).toBe("error: '{' must start a path segment at column 9");
    expect(shape("/users/id}")).toBe("error: unexpected '}' at column 10");
    expect(shape("/files/{p...}/x")).toBe("error: '{p...}' must be the last segment at column 8");
    expect(shape("/a/**/b")).toBe("error: '**' must be the last segment at column 4");
    expect(shape("/a/b*")).toBe("error: '*' must be a whole segment (use path_prefix or path_regex) at column 5");
    expect(shape("/a/{x}/{x}")).toBe("error: duplicate parameter name 'x' at column 8");
    expect(shape("/a/{x y}")).toBe("error: invalid character ' ' in parameter name at column 6");
    expect(shape("/a?b=1")).toBe("error: '?' is not part of a path (match query strings with query_params) at column 3");
    expect(shape("users")).toBe("error: must start with '/'");
    expect(shape("")).toBe("error: must not be empty");
  });
});
