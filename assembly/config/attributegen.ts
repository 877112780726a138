// The attributegen configuration form (Istio's istio.attributegen.PluginConfig), read the way
// attributegen's protobuf-JSON parsing read it, so existing WasmPlugin pluginConfigs work unchanged:
//   {"debug": bool, "attributes": [{"output_attribute": s, "phase": "AFTER_RESPONSE"|"ON_REQUEST",
//                                   "match": [{"value": s, "condition": CEL}]}]}
// - snake_case and protobuf-JSON lowerCamel names (outputAttribute) are both accepted;
// - unknown fields are ignored, with a warning naming them (attributegen ignored them silently);
// - where attributegen silently disabled itself (bad JSON, a bad expression), we report an error
//   naming the attribute, the match and the column, and leave out only the part at fault: an
//   attribute whose name or phase is invalid, a match that is not usable (its condition is
//   compiled, and dropped if it does not compile, in classify/attributegen.ts). The matches kept
//   stay in their order, so the first true one still wins.
import { JsonObject, JsonValue } from "./json";
import { Diagnostics, child, index } from "./diagnostics";
import { ObjectReader, kindName, mustBe } from "./reader";
import { reportObjectProblems } from "./json-problems";
import { checkAttributeName, readRegexLimit } from "./native";
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

export const enum Phase {
  /** attributegen's default (PHASE_UNSPECIFIED = AFTER_RESPONSE = 0): evaluated at on_log. */
  AfterResponse = 0,
  /** Evaluated at request headers. */
  OnRequest = 1,
}

export class MatchSpec {
  /**
   * `condition` is "" for the always-true default entry (the classifier also clears it once
   * compiled); `index` is its position in `match`, `attribute` that of its attribute.
   */
  constructor(public value: string, public condition: string, public attribute: i32, public index: i32) {}

  /** `attributes[2].match[5]`, built on demand: only error messages need it. */
  get path(): string {
    return index(matchListPath(this.attribute), this.index);
  }
}

/** `attributes[2].match`. */
export function matchListPath(attribute: i32): string {
  return child(index("attributes", attribute), "match");
}

export class AttributeSpec {
  outputAttribute: string = "";
  phase: Phase = Phase.AfterResponse;
  matches: MatchSpec[] = [];
  constructor(public index: i32) {}
}

export class AttributeGenConfig {
  debug: bool = false;
  attributes: AttributeSpec[] = [];
}

// "metrics" is route-metrics' own section (config/metrics.ts).
// PROGRAM_SIZE_KEY spelt out: a list of literals only is static data (__literalArray).
export const ATTRIBUTEGEN_TOP_KEYS: string[] = ["debug", "attributes", "metrics", "strict", "regex_max_program_size"];
export const ATTRIBUTE_KEYS: string[] = ["output_attribute", "phase", "match"];
export const MATCH_KEYS: string[] = ["value", "condition"];
export const ATTRIBUTE_ALIASES: string[] = ["outputAttribute", "output_attribute"];
// Positions in those lists: the readers name keys by position (config/reader.ts).
const enum TopKey { Debug, Attributes, Metrics, Strict, RegexMaxProgramSize }
const enum AttributeKey { OutputAttribute, Phase, Match }
const enum MatchKey { Value, Condition }

export function readAttributeGenConfig(obj: JsonObject, diags: Diagnostics): AttributeGenConfig {
  const cfg = new AttributeGenConfig();
  const top = new ObjectReader(obj, "", diags, ATTRIBUTEGEN_TOP_KEYS);
  let mark = diags.mark();
  // The conditions' matches() patterns are compiled later, in this configure; an invalid limit falls back to the default.
  readRegexLimit(top, TopKey.RegexMaxProgramSize, diags);
  top.keep(mark, TopKey.RegexMaxProgramSize);
  cfg.debug = top.flag(TopKey.Debug, false);
  const attributes = top.list(TopKey.Attributes, true);
  top.finish(false);
  if (attributes === null) return cfg;
  if (attributes.firstItem() < 0) diags.warn("attributes", "no attributes: the plugin does nothing");
  const r = ObjectReader.forList(attributes, "attributes", diags, ATTRIBUTE_KEYS, ATTRIBUTE_ALIASES);
  while (r.nextObject("an object", true, i32.MAX_VALUE)) {
    const a = readAttribute(r, diags);
    if (a !== null) cfg.attributes.push(a);
  }
  return cfg;
}

/** The attribute `r` (the attributes list's reader) points at. */
function readAttribute(r: ObjectReader, diags: Diagnostics): AttributeSpec | null {
  const mark = diags.mark();
  const i = r.position;
  const spec = new AttributeSpec(i);
  reportObjectProblems(r.obj, diags);
  const name = r.string(AttributeKey.OutputAttribute, true);
  if (changetype<usize>(name) != 0) {
    spec.outputAttribute = name;
    checkAttributeName(name, r.pathOf(AttributeKey.OutputAttribute), diags);
  }
  spec.phase = readPhase(r.value(AttributeKey.Phase), r.pathOf(AttributeKey.Phase), diags);
  const matches = r.list(AttributeKey.Match);
  r.finish(false);
  // Without a valid name or phase the attribute cannot be written: the whole attribute goes.
  if (diags.failedSince(mark)) {
    diags.drop(r.path);
    return null;
  }
  if (matches === null || matches.firstItem() < 0) {
    diags.warn(r.pathOf(AttributeKey.Match), "no match entries: " + (changetype<usize>(name) == 0 ? "the attribute" : name) + " is never set");
  } else {
    const m = ObjectReader.forList(matches, r.pathOf(AttributeKey.Match), diags, MATCH_KEYS, null);
    while (m.nextObject("an object like {\"value\": \"...\", \"condition\": \"...\"}", true, i32.MAX_VALUE)) {
      const ms = readMatch(m, i, diags);
      if (ms !== null) spec.matches.push(ms);
    }
  }
  return spec;
}

function readPhase(v: JsonValue | null, path: string, diags: Diagnostics): Phase {
  if (v === null || v.isNull()) return Phase.AfterResponse;
  if (v.isString()) {
    const s = v.asString();
    if (s == "AFTER_RESPONSE" || s == "PHASE_UNSPECIFIED") return Phase.AfterResponse;
    if (s == "ON_REQUEST") return Phase.OnRequest;
    diags.error(path, "must be \"AFTER_RESPONSE\" or \"ON_REQUEST\", found \"" + s + "\"");
    return Phase.AfterResponse;
  }
  if (v.isNumber()) {
    const n = v.asNumber();
    if (n == 0) return Phase.AfterResponse;
    if (n == 1) return Phase.OnRequest;
  }
  diags.error(path, mustBe("\"AFTER_RESPONSE\" or \"ON_REQUEST\"", v.kind));
  return Phase.AfterResponse;
}

/** The match `r` (a match list's reader) points at, of attribute `attribute`. */
function readMatch(r: ObjectReader, attribute: i32, diags: Diagnostics): MatchSpec | null {
  const mark = diags.mark();
  reportObjectProblems(r.obj, diags);
  // protobuf-JSON rejects a number for a string field, so attributegen ignored such a config;
  // YAML authors must quote numeric-looking values (value: "404").
  const value = r.string(MatchKey.Value);
  const condition = r.string(MatchKey.Condition);
  r.finish(false);
  if (diags.failedSince(mark)) {
    diags.drop(r.path);
    return null;
  }
  if (changetype<usize>(value) == 0) {
    // Valid for attributegen (protobuf default ""), but almost certainly not what was meant.
    diags.warn(r.pathOf(MatchKey.Value), "missing: the attribute is set to an empty string when this matches");
  }
  return new MatchSpec(changetype<usize>(value) == 0 ? "" : value, changetype<usize>(condition) == 0 ? "" : condition, attribute, r.position);
}
