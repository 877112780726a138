import { parseConfig, ConfigForm, ParsedConfig, SCHEMA_KEYS } from "../../assembly/config/index";
import { TOP_KEYS, ROUTE_KEYS, CONDITION_KEYS, ROUTE_ALIASES } from "../../assembly/config/native";
import { ATTRIBUTEGEN_TOP_KEYS, ATTRIBUTE_KEYS, MATCH_KEYS, ATTRIBUTE_ALIASES } from "../../assembly/config/attributegen";
import { METRICS_KEYS, METRICS_ALIASES } from "../../assembly/config/metrics";
import { SERVICE_KEYS } from "../../assembly/config/services";

function problems(json: string): string {
  const p = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
  const out: string[] = [];
  for (let i = 0; i < p.diags.errors.length; i++) out.push(p.diags.errors[i].toString());
  return out.join(" | ");
}

function warnings(json: string): string {
  const p = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
  const out: string[] = [];
  for (let i = 0; i < p.diags.warnings.length; i++) out.push(p.diags.warnings[i].toString());
  return out.join(" | ");
}

describe("config: form detection", () => {
  it("reads the native form", () => {
    const p = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"routes": [{"name": "a", "path": "/a"}]}')));
    expect(p.form).toBe(ConfigForm.Native);
    expect(p.diags.ok).toBe(true);
    expect(p.native!.outputAttribute).toBe("istio_operationId");
    expect(p.native!.defaultValue).toBeNull();
  });
  it("reads the attributegen form", () => {
    const p = parseConfig(Uint8Array.wrap(String.UTF8.encode(
      '{"attributes": [{"outputAttribute": "istio_operationId", "match": [{"value": "x", "condition": "true"}]}]}')));
    expect(p.form).toBe(ConfigForm.AttributeGen);
    expect(p.diags.ok).toBe(true);
    expect(p.attributeGen!.attributes[0].outputAttribute).toBe("istio_operationId");
  });
  it("accepts an empty configuration with a warning", () => {
    expect(problems("")).toBe("");
    expect(warnings("").includes("no pluginConfig")).toBe(true, warnings(""));
    expect(problems("{}")).toBe("");
  });
  it("rejects what is neither form", () => {
    expect(problems("[1]")).toBe("pluginConfig must be a JSON object, found a list");
    expect(problems('{"rotues": []}')).toBe("expected \"routes\" or \"services\" (native form) or \"attributes\" (attributegen form)");
    expect(problems('{"routes": [], "attributes": []}')).toBe("\"routes\" (native form) and \"attributes\" (attributegen form) cannot be combined");
    expect(problems("routes: []").includes("invalid JSON at line 1 column 1")).toBe(true, problems("routes: []"));
  });
});

describe("config: native form errors name the JSON path", () => {
  it("reports template problems with their column", () => {
    expect(problems('{"routes": [{"name": "a", "path": "/a"}, {"name": "b", "path": "/b"}, {"name": "c", "path": "/c"}, {"name": "d", "path": "/users/{id"}]}'))
      .toBe("routes[3].path: unclosed '{' at column 8");
  });
  it("reports every problem, one per line", () => {
    expect(problems('{"routes": [{"name": "", "path": "/a"}, {"name": "b", "method": "", "path": "/b"}, {"name": "c"}]}'))
      .toBe("routes[0].name: must not be empty | routes[1].method: must not be empty | routes[2]: route has no match condition (set path, path_prefix, path_regex, method, headers or query_params)");
  });
  it("rejects unknown keys with a hint", () => {
    expect(problems('{"routes": [{"name": "a", "pth": "/a"}]}')).toBe("routes[0].pth: unknown field (did you mean 'path'?)");
    expect(problems('{"routes": [{"name": "a", "path": "/a"}], "outputAttribute": "x"}')).toBe("outputAttribute: unknown field (did you mean 'output_attribute'?)");
  });
  it("checks types", () => {
    expect(problems('{"routes": {"name": "a"}}')).toBe("routes: must be a list, found an object");
    expect(problems('{"routes": [{"name": 5, "path": "/a"}]}')).toBe("routes[0].name: must be a string, found a number");
    expect(problems('{"routes": [{"name": "a", "method": 1}]}')).toBe("routes[0].method: must be a method name or a list of them, found a number");
    expect(problems('{"routes": [{"name": "a", "path": "/a"}], "debug": "yes"}')).toBe("debug: must be true or false, found a string");
  });
  it("checks methods", () => {
    expect(problems('{"routes": [{"name": "a", "method": "get"}]}')).toBe("routes[0].method: 'get': HTTP methods are case-sensitive; did you mean 'GET'?");
    expect(problems('{"routes": [{"name": "a", "method": ["GET", "PO ST"]}]}')).toBe("routes[0].method[1]: 'PO ST' is not a valid HTTP method (character at column 3)");
    expect(problems('{"routes": [{"name": "a", "method": []}]}')).toBe("routes[0].method: must not be an empty list (omit it to match any method)");
  });
  it("checks path keys", () => {
    expect(problems('{"routes": [{"name": "a", "path": "/a", "path_prefix": "/b"}]}')).toBe("routes[0]: set only one of path, path_prefix and path_regex");
    expect(problems('{"routes": [{"name": "a", "path_prefix": "b"}]}')).toBe("routes[0].path_prefix: must start with '/'");
    expect(problems('{"routes": [{"name": "a", "path_regex": "^/(a"}]}').includes("routes[0].path_regex: ")).toBe(true, problems('{"routes": [{"name": "a", "path_regex": "^/(a"}]}'));
    expect(problems('{"routes": [{"name": "a", "path_regex": "^/(a"}]}').includes("at column ")).toBe(true, problems('{"routes": [{"name": "a", "path_regex": "^/(a"}]}'));
  });
  it("checks header and query conditions", () => {
    expect(problems('{"routes": [{"name": "a", "headers": [{"name": "x"}]}]}')).toBe("routes[0].headers[0].value: is required");
    expect(problems('{"routes": [{"name": "a", "headers": [{"name": "x", "value": "1", "type": "Prefix"}]}]}'))
      .toBe("routes[0].headers[0].type: must be \"Exact\" or \"RegularExpression\", found \"Prefix\"");
    expect(problems('{"routes": [{"name": "a", "query_params": [{"name": "q", "value": "(", "type": "RegularExpression"}]}]}'))
      .toBe("routes[0].query_params[0].value: missing closing ): unmatched '(' at column 1");
    expect(problems('{"routes": [{"name": "a", "headers": [{"name": "x", "value": "1"}, {"name": "X", "value": "2"}]}]}'))
      .toBe("routes[0].headers[1].name: duplicate condition on 'x'");
  });
  it("allows several routes to share a name", () => {
    expect(problems('{"routes": [{"name": "users", "path": "/users"}, {"name": "users", "path": "/people"}]}')).toBe("");
  });
});

describe("config: attributegen form", () => {
  it("ignores unknown fields with a warning", () => {
    const json = '{"attributes": [{"output_attribute": "a", "extra": 1, "match": [{"value": "v", "condition": "", "note": "x"}]}], "debug": true}';
    expect(problems(json)).toBe("");
    expect(warnings(json)).toBe("attributes[0].extra: unknown field; ignored | attributes[0].match[0].note: unknown field; ignored");
  });
  it("rejects a value that is not a string, as protobuf JSON did", () => {
    expect(problems('{"attributes": [{"output_attribute": "a", "match": [{"value": 404, "condition": ""}]}]}'))
      .toBe("attributes[0].match[0].value: must be a string, found a number");
  });
  it("reads phases by name or number", () => {
    expect(problems('{"attributes": [{"output_attribute": "a", "phase": "ON_REQUEST", "match": []}, {"output_attribute": "b", "phase": 1, "match": []}]}')).toBe("");
    expect(problems('{"attributes": [{"output_attribute": "a", "phase": "LATER", "match": []}]}'))
      .toBe("attributes[0].phase: must be \"AFTER_RESPONSE\" or \"ON_REQUEST\", found \"LATER\"");
  });
});

function parse(json: string): ParsedConfig {
  return parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
}

describe("config: the accept policy keeps the valid parts", () => {
  it("reads strict in both forms, and reports one that is not a boolean", () => {
    expect(parse('{"strict": true, "routes": [{"name": "a", "path": "/a"}]}').strict).toBe(true);
    expect(parse('{"strict": true, "attributes": []}').strict).toBe(true);
    expect(parse('{"routes": []}').strict).toBe(false);
    const p = parse('{"strict": "yes", "routes": []}');
    expect(p.strict).toBe(false);
    expect(problems('{"strict": "yes", "routes": []}')).toBe("strict: must be true or false, found a string (the default policy, accept, applies)");
  });
  it("drops a route with an error and keeps the others in order, with their config positions", () => {
    const p = parse('{"routes": [{"name": "a", "path": "/a"}, {"name": "b", "path": "/b{"}, {"name": "c", "path": "/c"}]}');
    expect(p.native!.routes.length).toBe(2);
    expect(p.native!.routes[0].name).toBe("a");
    expect(p.native!.routes[1].name).toBe("c");
    expect(p.native!.routes[1].index).toBe(2);
    expect(p.diags.dropped.join(",")).toBe("routes[1]");
  });
  it("compiles regexes after reading, with errors and drops where reading reports them", () => {
    // Regexes are compiled in a pass after the JSON is read (config/native-regexes.ts): the
    // errors, drops and kept routes are those of compiling them while reading.
    const json = '{"routes": [' +
      '{"name": "a", "path_regex": "^/(a"}, {"name": "b", "path": "/b{"}, ' +
      '{"name": "c", "path_regex": "^/c$", "headers": [{"name": "x", "value": "(", "type": "RegularExpression"}, {"name": "y", "value": "y", "type": "Fuzzy"}], ' +
      '"query_params": [{"name": "q", "value": "", "type": "RegularExpression"}]}, ' +
      '{"name": "d", "method": "get", "path_regex": ""}, {"name": "e", "path_regex": "^/e$", "query_params": [{"name": "q", "value": "^1$", "type": "RegularExpression"}]}, ' +
      '{"name": "f", "path_regex": "^/(f", "pth": 1}, {"name": "g", "path": "/g"}], "metrics": {"prefix": "9"}}';
    expect(problems(json)).toBe(
      "routes[0].path_regex: missing closing ): unmatched '(' at column 3 | " +
      "routes[1].path: unclosed '{' at column 3 | " +
      "routes[2].headers[0].value: missing closing ): unmatched '(' at column 1 | " +
      "routes[2].headers[1].type: must be \"Exact\" or \"RegularExpression\", found \"Fuzzy\" | " +
      "routes[2].query_params[0].value: must not be empty | " +
      "routes[3].method: 'get': HTTP methods are case-sensitive; did you mean 'GET'? | " +
      "routes[3].path_regex: must not be empty | " +
      "routes[5].path_regex: missing closing ): unmatched '(' at column 3 | " +
      "routes[5].pth: unknown field (did you mean 'path'?) | " +
      "metrics.prefix: must not start with a digit (Envoy would drop the metrics from /stats/prometheus)");
    const p = parse(json);
    expect(p.diags.dropped.join(",")).toBe("routes[0],routes[1],routes[2],routes[3],routes[5],metrics.prefix (default used)");
    expect(p.native!.routes.length).toBe(2);
    expect(p.native!.routes[0].name).toBe("e");
    expect(p.native!.routes[0].regex!.matchString("/e")).toBe(true);
    expect(p.native!.routes[0].queryParams[0].regex!.matchString("1")).toBe(true);
    expect(p.native!.routes[1].name).toBe("g");
  });
  it("keeps a route whose only problem is an unknown key, but never a route without condition", () => {
    const kept = parse('{"routes": [{"name": "a", "path": "/a", "colour": 1}]}');
    expect(kept.diags.errors.length).toBe(1);
    expect(kept.native!.routes.length).toBe(1);
    const misspelt = parse('{"routes": [{"name": "a", "pth": "/a"}]}');
    expect(misspelt.native!.routes.length).toBe(0);
    expect(misspelt.diags.dropped.join(",")).toBe("routes[0]");
  });
  it("falls back to the default of an invalid setting", () => {
    const p = parse('{"output_attribute": "", "default": "", "debug": 1, "metrics": {"prefix": "9", "duration": "no"}, "routes": [{"name": "a", "path": "/a"}]}');
    expect(p.native!.outputAttribute).toBe("istio_operationId");
    expect(p.native!.defaultValue).toBeNull();
    expect(p.native!.debug).toBe(false);
    expect(p.metrics.prefix).toBe("route_");
    expect(p.metrics.duration).toBe(true);
    expect(p.native!.routes.length).toBe(1);
    expect(p.diags.dropped.join(",")).toBe("output_attribute (default used),default (default used),debug (default used),metrics.prefix (default used),metrics.duration (default used)");
  });
  it("marks invalid JSON and unrecognised forms as wholly unusable", () => {
    expect(parse("routes: []").diags.droppedAll).toBe(true);
    expect(parse("[1]").diags.droppedAll).toBe(true);
    expect(parse('{"rotues": []}').diags.droppedAll).toBe(true);
    expect(parse('{"routes": [], "attributes": []}').diags.droppedAll).toBe(true);
    expect(parse('{"routes": [{"name": "", "path": "/a"}]}').diags.droppedAll).toBe(false);
  });
  it("attributegen: drops an invalid attribute or match; kept matches remember their position", () => {
    const p = parse('{"attributes": [{"phase": "LATER", "output_attribute": "a", "match": []}, ' +
      '{"output_attribute": "b", "match": [{"value": 1}, "x", {"value": "ok", "condition": ""}]}]}');
    const attrs = p.attributeGen!.attributes;
    expect(attrs.length).toBe(1);
    expect(attrs[0].outputAttribute).toBe("b");
    expect(attrs[0].matches.length).toBe(1);
    expect(attrs[0].matches[0].index).toBe(2);
    expect(p.diags.dropped.join(",")).toBe("attributes[0],attributes[1].match[0],attributes[1].match[1]");
  });
});

describe("config: keys are found however they are spelt", () => {
  it("reads the protobuf-JSON aliases of route keys", () => {
    const p = parseConfig(Uint8Array.wrap(String.UTF8.encode(
      '{"routes": [{"name": "a", "methods": ["GET"], "pathPrefix": "/a", "queryParams": [{"name": "q", "value": "1"}]}, {"name": "b", "pathRegex": "^/b$"}]}')));
    expect(problems('{"routes": [{"name": "a", "methods": ["GET"], "pathPrefix": "/a"}]}')).toBe("");
    const routes = p.native!.routes;
    expect(routes.length).toBe(2);
    expect(routes[0].methods.join(",")).toBe("GET");
    expect(routes[0].pathText).toBe("/a");
    expect(routes[0].queryParams.length).toBe(1);
    expect(routes[0].queryParams[0].name).toBe("q");
    expect(routes[1].pathText).toBe("^/b$");
  });
  it("warns when an alias and its key are both set, and uses the key", () => {
    const json = '{"routes": [{"name": "a", "methods": ["POST"], "path": "/a", "method": "GET"}]}';
    expect(warnings(json)).toBe("routes[0].methods: 'methods' and 'method' are the same field; using 'method'");
    const p = parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
    expect(p.native!.routes[0].methods.join(",")).toBe("GET");
  });
  it("reads a key spelt with escapes like the plain key", () => {
    const p = parseConfig(Uint8Array.wrap(String.UTF8.encode('{"routes": [{"na\\u006de": "a", "pa\\u0074h": "/a", "other": 1}]}')));
    expect(p.native!.routes.length).toBe(1);
    expect(p.native!.routes[0].name).toBe("a");
    expect(p.native!.routes[0].pathText).toBe("/a");
    expect(problems('{"routes": [{"na\\u006de": "a", "pa\\u0074h": "/a", "other": 1}]}')).toBe("routes[0].other: unknown field");
  });
  it("keeps the first of a repeated key and reports the repeat", () => {
    expect(problems('{"routes": [{"name": "a", "path": "/a"}, {"name": "b", "path": "/b", "path": "/c"}]}'))
      .toBe("routes[1].path: duplicate key \"path\" (first at column 56)");
  });
});

describe("config: the parser knows every key of the readers", () => {
  it("SCHEMA_KEYS holds each reader's keys and aliases, each spelling once", () => {
    const lists: string[][] = [TOP_KEYS, ROUTE_KEYS, CONDITION_KEYS, ROUTE_ALIASES, ATTRIBUTEGEN_TOP_KEYS, ATTRIBUTE_KEYS,
      MATCH_KEYS, ATTRIBUTE_ALIASES, METRICS_KEYS, METRICS_ALIASES, SERVICE_KEYS];
    const missing: string[] = [];
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l];
      for (let k = 0; k < list.length; k++) if (!SCHEMA_KEYS.includes(list[k])) missing.push(list[k]);
    }
    expect(missing.join(",")).toBe("");
    for (let k = 0; k < SCHEMA_KEYS.length; k++) expect(SCHEMA_KEYS.indexOf(SCHEMA_KEYS[k])).toBe(k);
  });
});
