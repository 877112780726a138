import { parseConfig } from "../../assembly/config/index";
import { rawBytes } from "./support/raw-bytes";

// Bad bytes, lone surrogates and repeated keys reach the configuration's errors with their JSON
// path, reported by the part that holds them (so that part is what the accept policy leaves out).
function errors(doc: string): string {
  const p = parseConfig(rawBytes(doc));
  const out: string[] = [];
  for (let i = 0; i < p.diags.errors.length; i++) out.push(p.diags.errors[i].toString());
  return out.join(" | ");
}

describe("config: invalid UTF-8 is an error, never dropped", () => {
  it("in a route name, which would otherwise merge with route 'a'", () => {
    expect(errors('{"routes":[{"name":"a","path":"/a"},{"name":"a%ff","path":"/b"}]}'))
      .toBe("routes[1].name: invalid UTF-8 (byte 0xff) at column 47");
  });
  it("in a regex, which would otherwise compile as ^/a", () => {
    expect(errors('{"routes":[{"name":"r","path_regex":"^/a%ff%c3("}]}'))
      .toBe("routes[0].path_regex: invalid UTF-8 (byte 0xff) at column 41 | " +
        "routes[0].path_regex: missing closing ): unmatched '(' at column 10");
  });
  it("in a header condition, named by the condition's path", () => {
    expect(errors('{"routes":[{"name":"r","headers":[{"name":"x","value":"%ed%a0%80"}]}]}'))
      .toBe("routes[0].headers[0].value: invalid UTF-8 (byte 0xed) at column 56");
  });
  it("in an attributegen value and in a field attributegen ignores", () => {
    expect(errors('{"attributes":[{"output_attribute":"x","match":[{"value":"%c0%80","condition":"true"}]}]}'))
      .toBe("attributes[0].match[0].value: invalid UTF-8 (byte 0xc0) at column 59");
    expect(errors('{"attributes":[{"output_attribute":"x","note":{"t":"%ff"},"match":[{"value":"v"}]}]}'))
      .toBe("attributes[0].note.t: invalid UTF-8 (byte 0xff) at column 53");
  });
});

describe("config: a lone surrogate escape is an error", () => {
  it("in a route name (it would put invalid UTF-8 into filter state and metric names)", () => {
    expect(errors('{"routes":[{"name":"a\\ud800","path":"/a"}]}'))
      .toBe("routes[0].name: lone surrogate \\ud800 (not followed by a low surrogate \\udc00-\\udfff) at column 22");
  });
  it("in a CEL condition, as one rule for every string", () => {
    expect(errors('{"attributes":[{"output_attribute":"x","match":[{"value":"v","condition":"request.path == \'\\udc00\'"}]}]}'))
      .toBe("attributes[0].match[0].condition: lone surrogate \\udc00 (not preceded by a high surrogate \\ud800-\\udbff) at column 92");
  });
});

describe("config: a repeated key is an error naming the second one", () => {
  it("in a route", () => {
    expect(errors('{"routes":[{"name":"a","path":"/a"},{"name":"b","path":"/b"},{"name":"c","path":"/c","name":"d"}]}'))
      .toBe("routes[2].name: duplicate key \"name\" (first at column 63)");
  });
  it("at the top level", () => {
    expect(errors('{"routes":[{"name":"a","path":"/a"}],"routes":[{"name":"b","path":"/b"}]}'))
      .toBe("routes: duplicate key \"routes\" (first at column 2)");
  });
  it("in the metrics section and in a condition", () => {
    expect(errors('{"routes":[{"name":"a","path":"/a"}],"metrics":{"prefix":"a_","prefix":"b_"}}'))
      .toBe("metrics.prefix: duplicate key \"prefix\" (first at column 49)");
    expect(errors('{"routes":[{"name":"a","query_params":[{"name":"q","value":"1","value":"2"}]}]}'))
      .toBe("routes[0].query_params[0].value: duplicate key \"value\" (first at column 52)");
  });
});

describe("config: size limit", () => {
  it("refuses a configuration above 32 MiB, naming the limit", () => {
    const big = new Uint8Array((32 << 20) + 1).fill(0x20);
    big[0] = 0x7b; // {
    const p = parseConfig(big);
    expect(p.diags.errors.length).toBe(1);
    expect(p.diags.errors[0].toString()).toBe("pluginConfig is 33554433 bytes, more than the limit of 32 MiB");
  });
});
