import { asciiLower, asciiUpper } from "../../assembly/text/ascii-case";

describe("ASCII case mapping", () => {
  it("maps only A–Z / a–z", () => {
    expect(asciiLower("X-Request-ID")).toBe("x-request-id");
    expect(asciiUpper("get")).toBe("GET");
    expect(asciiLower("@[`{AZaz09")).toBe("@[`{azaz09");
    expect(asciiUpper("@[`{AZaz09")).toBe("@[`{AZAZ09");
  });
  it("leaves non-ASCII code units alone (no Unicode case folding)", () => {
    expect(asciiLower("ÄÖÜ-Straße")).toBe("ÄÖÜ-straße");
    expect(asciiUpper("ß-é")).toBe("ß-é");
  });
  it("returns the very same string when nothing changes", () => {
    const s = "already-lower";
    expect(changetype<usize>(asciiLower(s))).toBe(changetype<usize>(s));
    expect(asciiLower("")).toBe("");
  });
  it("copies when the first change is late in the text", () => {
    const s = "abcdefghijK";
    const l = asciiLower(s);
    expect(l).toBe("abcdefghijk");
    expect(s).toBe("abcdefghijK");
  });
});
