import { replaceChar, replaceText, quoted } from "../../assembly/text/replace";

describe("replaceChar", () => {
  it("replaces every occurrence, at the ends and side by side", () => {
    expect(replaceChar(";a;;b;", 0x3b, 0x5f)).toBe("_a__b_");
    expect(replaceChar("line\nbreak\n", 0x0a, 0x5f)).toBe("line_break_");
  });
  it("removes the character with -1", () => {
    expect(replaceChar("output_attribute", 0x5f, -1)).toBe("outputattribute");
    expect(replaceChar("--a-b--", 0x2d, -1)).toBe("ab");
    expect(replaceChar("___", 0x5f, -1)).toBe("");
  });
  it("returns its input, not a copy, when the character is absent", () => {
    const s = "no separators here";
    expect(changetype<usize>(replaceChar(s, 0x3b, 0x5f))).toBe(changetype<usize>(s));
    expect(replaceChar("", 0x3b, 0x5f)).toBe("");
  });
});

describe("replaceText", () => {
  it("replaces non-overlapping occurrences from the left, as String#replaceAll", () => {
    expect(replaceText("cache.cache.x", "cache.", "cache_")).toBe("cache_cache_x");
    expect(replaceText("aaa", "aa", "b")).toBe("aaa".replaceAll("aa", "b"));
    expect(replaceText("x=.=y=.=", "=.=", "=_=")).toBe("x=_=y=_=");
    expect(replaceText("tag.a tag.", "tag.", "tag_")).toBe("tag.a tag.".replaceAll("tag.", "tag_"));
  });
  it("returns its input when the text is absent or empty", () => {
    const s = "GET /healthz";
    expect(changetype<usize>(replaceText(s, "cache.", "x"))).toBe(changetype<usize>(s));
    expect(changetype<usize>(replaceText(s, "", "x"))).toBe(changetype<usize>(s));
  });
});

describe("quoted", () => {
  it("quotes, escaping backslash, double quote and line breaks", () => {
    expect(quoted("GET /a")).toBe("\"GET /a\"");
    expect(quoted("a\"b\\c")).toBe("\"a\\\"b\\\\c\"");
    expect(quoted("x\ny\rz")).toBe("\"x\\ny\\rz\"");
    expect(quoted("")).toBe("\"\"");
    expect(quoted("\"")).toBe("\"\\\"\"");
  });
});
