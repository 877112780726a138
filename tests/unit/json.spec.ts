import { parseJsonString, parseJson, JsonKind, JsonObject } from "../../assembly/config/json";
import { rawBytes } from "./support/raw-bytes";

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

function problemsOf(doc: string): string {
  const r = parseJson(rawBytes(doc));
  if (r.error !== null) return "error: " + r.error!.toString();
  const out: string[] = [];
  for (let i = 0; i < r.problems.length; i++) out.push(r.problems[i].path + ": " + r.problems[i].message);
  return out.join(" | ");
}

describe("JSON strings are valid UTF-8 or a problem naming their path", () => {
  it("reports invalid bytes with the JSON path and column, and never drops them silently", () => {
    expect(problemsOf('{"routes":[{"name":"a%ff"}]}')).toBe("routes[0].name: invalid UTF-8 (byte 0xff) at column 22");
    const r = parseJson(rawBytes('{"a":"x%ffy"}'));
    // The value reads with U+FFFD in place of the byte: it can never equal "xy".
    expect(r.value!.asObject().get("a")!.asString()).toBe("x\uFFFDy");
  });
  it("rejects overlong forms, encoded surrogates, truncated sequences and bytes above U+10FFFF", () => {
    expect(problemsOf('["%c0%af"]')).toBe("[0]: invalid UTF-8 (byte 0xc0) at column 3");
    expect(problemsOf('["%e0%80%af"]')).toBe("[0]: invalid UTF-8 (byte 0xe0) at column 3");
    expect(problemsOf('["a%ed%a0%80"]')).toBe("[0]: invalid UTF-8 (byte 0xed) at column 4");
    expect(problemsOf('["%e2%82"]')).toBe("[0]: invalid UTF-8 (byte 0xe2) at column 3");
    expect(problemsOf('["%f4%90%80%80"]')).toBe("[0]: invalid UTF-8 (byte 0xf4) at column 3");
    expect(problemsOf('["%f5"]')).toBe("[0]: invalid UTF-8 (byte 0xf5) at column 3");
    expect(problemsOf('["%80"]')).toBe("[0]: invalid UTF-8 (byte 0x80) at column 3");
  });
  it("accepts every valid sequence", () => {
    expect(problemsOf('["é€😀%c2%80%ed%9f%bf%ee%80%80%f4%8f%bf%bf"]')).toBe("");
  });
  it("names a bad key by the path of its member", () => {
    expect(problemsOf('{"routes":[{"na%ffme":"a"}]}')).toBe("routes[0].na\uFFFDme: invalid UTF-8 (byte 0xff) in key at column 16");
  });
});

describe("JSON \\u escapes encode whole characters", () => {
  it("reports lone surrogates with their path", () => {
    expect(problemsOf('{"routes":[{"name":"a\\ud800"}]}'))
      .toBe("routes[0].name: lone surrogate \\ud800 (not followed by a low surrogate \\udc00-\\udfff) at column 22");
    expect(problemsOf('["\\udc00"]')).toBe("[0]: lone surrogate \\udc00 (not preceded by a high surrogate \\ud800-\\udbff) at column 3");
    expect(problemsOf('["\\ud800\\u0041"]')).toBe("[0]: lone surrogate \\ud800 (not followed by a low surrogate \\udc00-\\udfff) at column 3");
    expect(problemsOf('["\\ud800"]')).toBe("[0]: lone surrogate \\ud800 (not followed by a low surrogate \\udc00-\\udfff) at column 3");
  });
  it("reads a lone surrogate as U+FFFD, a pair as its character", () => {
    expect(parseJsonString('"a\\ud800b"').value!.asString()).toBe("a\uFFFDb");
    expect(parseJsonString('"\\ud800\\ud83d\\ude00"').value!.asString()).toBe("\uFFFD😀");
    expect(parseJsonString('"\\ud83d\\ude00"').problems.length).toBe(0);
  });
  it("decodes long strings full of escapes", () => {
    const r = parseJsonString('"' + "\\\\d".repeat(5000) + '"');
    expect(r.value!.asString()).toBe("\\d".repeat(5000));
  });
});

describe("JSON objects have distinct keys", () => {
  it("reports the second key with the first one's position; the first value is kept", () => {
    expect(problemsOf('{"name":"a","name":"b"}')).toBe("name: duplicate key \"name\" (first at column 2)");
    const r = parseJsonString('{"name":"a","name":"b"}');
    expect(r.value!.asObject().get("name")!.asString()).toBe("a");
  });
  it("at any depth, naming the JSON path", () => {
    expect(problemsOf('{"routes":[{"name":"a"},{"name":"b"},{"name":"c","path":"/c","name":"d"}]}'))
      .toBe("routes[2].name: duplicate key \"name\" (first at column 39)");
    expect(problemsOf('{"routes":[],"debug":true,"routes":[]}')).toBe("routes: duplicate key \"routes\" (first at column 2)");
  });
  it("compares keys after decoding escapes", () => {
    expect(problemsOf('{"a":1,"\\u0061":2}')).toBe("a: duplicate key \"a\" (first at column 2)");
  });
  it("gives the line on multi-line documents", () => {
    expect(problemsOf('{\n  "a": 1,\n  "a": 2\n}')).toBe("a: duplicate key \"a\" (first at line 2 column 3)");
  });
  it("finds duplicates in objects with many keys", () => {
    let doc = "{";
    for (let i = 0; i < 2000; i++) doc += '"k' + i.toString() + '":' + i.toString() + ",";
    doc += '"k1999":0,"k5":0}';
    expect(problemsOf(doc)).toBe("k1999: duplicate key \"k1999\" (first at column 23769) | k5: duplicate key \"k5\" (first at column 37)");
  });
  it("refuses a document with more problems than it reports", () => {
    let doc = "{";
    for (let i = 0; i < 1002; i++) doc += '"a":1,'; // 1001 duplicates
    doc += '"b":2}';
    expect(problemsOf(doc).startsWith("error: invalid JSON at line 1 column ")).toBe(true);
    expect(problemsOf(doc).includes("more than 1000 invalid strings and duplicate keys (the first: a: duplicate key \"a\")"))
      .toBe(true, problemsOf(doc).substring(0, 200));
  });
});

const KNOWN: string[] = ["name", "path", "method", "name", "value"];
function parseKnown(text: string): JsonObject {
  return parseJson(Uint8Array.wrap(String.UTF8.encode(text)), KNOWN).value!.asObject();
}

describe("known keys are interned by the parser", () => {
  it("returns a known key as the known string itself, and other keys as decoded text", () => {
    const obj = parseKnown('{"path":"/a","other":1,"nam":2}');
    const m = obj.firstMember();
    expect(changetype<usize>(obj.keyOf(m))).toBe(changetype<usize>(KNOWN[1]));
    expect(obj.keyOf(obj.nextMember(m))).toBe("other");
    expect(obj.keys.join(",")).toBe("path,other,nam");
  });
  it("finds members by known and unknown keys, and not by a prefix or an extension", () => {
    const obj = parseKnown('{"names":0,"nam":1,"name":"x","zz":3}');
    expect(obj.get("name")!.asString()).toBe("x");
    expect(obj.get("zz")!.asNumber()).toBe(3.0);
    expect(obj.get("names")!.asNumber()).toBe(0.0);
    expect(obj.has("method")).toBe(false);
    expect(obj.has("value")).toBe(false);
  });
  it("finds an escaped spelling of a known key, which is decoded, not interned", () => {
    const obj = parseKnown('{"na\\u006de":"x"}');
    expect(obj.get("name")!.asString()).toBe("x");
    expect(obj.keys.join(",")).toBe("name");
  });
  it("sees a repeated key however it is spelt (interned, escaped)", () => {
    const r = parseJson(Uint8Array.wrap(String.UTF8.encode('{"name":"a","na\\u006de":"b","path":1,"path":2}')), KNOWN);
    const texts: string[] = [];
    for (let i = 0; i < r.problems.length; i++) texts.push(r.problems[i].path + ": " + r.problems[i].message);
    expect(texts.join(" | ")).toBe("name: duplicate key \"name\" (first at column 2) | path: duplicate key \"path\" (first at column 29)");
    expect(r.value!.asObject().get("name")!.asString()).toBe("a");
  });
  it("reads string values that spell a known key as values", () => {
    const obj = parseKnown('{"value":"name","path":"path"}');
    expect(obj.get("value")!.asString()).toBe("name");
    expect(obj.get("path")!.asString()).toBe("path");
  });
});
