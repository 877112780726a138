import { safeTagValue, tagSegment } from "../../assembly/metrics/tags";

describe("metric tag encoding", () => {
  it("keeps ordinary route names as they are", () => {
    expect(safeTagValue("GET /users/{id}")).toBe("GET /users/{id}");
    expect(safeTagValue("POST /v1.2/echo")).toBe("POST /v1.2/echo");
    expect(tagSegment("route_name", "GET /healthz")).toBe("route_name=.=GET /healthz;.;");
  });
  it("neutralises what Istio's tag regexes would cut out of the name", () => {
    expect(safeTagValue("GET /cache.x.y")).toBe("GET /cache_x.y");
    expect(safeTagValue("component.a.b")).toBe("component_a.b");
    expect(safeTagValue("wasm_filter.x.")).toBe("wasm_filter_x.");
    expect(safeTagValue("rbac.allowed")).toBe("rbac_allowed");
    expect(safeTagValue("a=.=b")).toBe("a=_=b");
  });
  it("replaces separators and line breaks that would end the tag early", () => {
    expect(safeTagValue("tag.v;.")).toBe("tag_v_.");
    expect(safeTagValue("a;.;b")).toBe("a_._b");
    expect(safeTagValue("new\nline\r")).toBe("new_line_");
  });
});
