import { parseJsonString, JsonKind } from "../../assembly/config/json";

function errorOf(text: string): string {
  const r = parseJsonString(text);
  return r.error === null ? "" : r.error!.toString();
}

describe("JSON parser", () => {
  it("parses objects with keys in document order and nested values", () => {
    const r = parseJsonString('{"b": [1, -2.5e2, true, null], "a": {"x": "y"}}');
    expect(r.error).toBeNull();
    const obj = r.value!.asObject();
    expect(obj.keys.join(",")).toBe("b,a");
    const list = obj.get("b")!.asArray();
    expect(list.length).toBe(4);
    expect(list[0].asNumber()).toBe(1.0);
    expect(list[1].asNumber()).toBe(-250.0);
    expect(list[2].asBool()).toBe(true);
    expect(list[3].kind).toBe(JsonKind.Null);
    expect(obj.get("a")!.asObject().get("x")!.asString()).toBe("y");
  });

  it("decodes string escapes and UTF-8", () => {
    const r = parseJsonString('"a\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00 é"');
    expect(r.value!.asString()).toBe("a\"b\\c/d\né😀 é");
  });

  it("reports line and column of syntax errors", () => {
    expect(errorOf('{"a": 1,\n  "b" 2}')).toBe("invalid JSON at line 2 column 7: expected ':' after key \"b\", found '2'");
    expect(errorOf('{"a": [1, 2}')).toBe("invalid JSON at line 1 column 12: expected ',' or ']' in array, found '}'");
    expect(errorOf('{"a": "x')).toBe("invalid JSON at line 1 column 7: unterminated string");
    expect(errorOf("")).toBe("invalid JSON at line 1 column 1: expected a value, found end of input");
    expect(errorOf('{"a": 1} x')).toBe("invalid JSON at line 1 column 10: unexpected 'x' after the end of the document");
    expect(errorOf('{"a": 01}')).toBe("invalid JSON at line 1 column 8: expected ',' or '}' in object, found '1'");
    expect(errorOf('{"a": "\\q"}')).toBe("invalid JSON at line 1 column 8: invalid escape \\q");
    expect(errorOf("[1.]")).toBe("invalid JSON at line 1 column 2: invalid number: digits expected after '.'");
    expect(errorOf("{'a': 1}")).toBe("invalid JSON at line 1 column 2: expected a quoted key, found '''");
  });

  it("rejects nesting that could exhaust the stack instead of trapping", () => {
    expect(errorOf("[".repeat(10000))).toBe("invalid JSON at line 1 column 66: nesting deeper than 64 levels");
  });

  it("never traps on truncated input", () => {
    const doc = '{"routes": [{"name": "a\\u00e9", "path": "/x", "n": -1.5e+3, "t": true}]}';
    for (let i = 0; i < doc.length; i++) {
      const r = parseJsonString(doc.substring(0, i));
      expect(r.error).not.toBeNull();
    }
    expect(parseJsonString(doc).error).toBeNull();
  });
});
