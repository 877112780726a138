// Configuration entry point: bytes from proxy_on_configure → one of the two forms, validated.
//
// Policy. By default a configuration with errors is still used, minus the parts at fault (see
// Diagnostics): Istio delivers the plugin over ECDS with no default configuration and no fetch
// timeout, so a rejected configuration keeps every proxy that starts afterwards from becoming
// ready (istio/istio#42928). Invalid JSON, or something that is neither form, gives an empty
// table. `"strict": true` (top level, both forms) rejects a configuration with any error instead,
// so Envoy keeps the previous one on running proxies. The decision is the filter's (filter/root.ts).
import { parseJson, JsonObject, MAX_JSON_BYTES } from "./json";
import { reportRemainingProblems } from "./json-problems";
import { Diagnostics } from "./diagnostics";
import { kindName, mustBe } from "./reader";
import { NativeConfig, readNativeJson, finishNativeConfig } from "./native";
import { AttributeGenConfig, readAttributeGenConfig } from "./attributegen";
import { MetricsConfig, readMetricsConfig } from "./metrics";
import { SERVICES_KEY } from "./services";

/**
 * Every key of both forms, each spelling once: the JSON parser returns these as the literals the
 * readers look up (a key missing here is still found, only compared as text). One array literal
 * rather than the concatenation of the readers' lists: no start code and no Array#concat in the
 * module. Every element is a literal (SERVICES_KEY and PROGRAM_SIZE_KEY spelt out), so that the
 * array is static data. tests/unit/config.spec.ts checks that it holds every key of those lists.
 */
export const SCHEMA_KEYS: string[] = [
  // TOP_KEYS, ATTRIBUTEGEN_TOP_KEYS
  "output_attribute", "default", "debug", "routes", "services", "metrics", "strict", "regex_max_program_size", "attributes",
  // ROUTE_KEYS, CONDITION_KEYS, ROUTE_ALIASES
  "name", "method", "path", "path_prefix", "path_regex", "headers", "query_params", "value", "type",
  "methods", "queryParams", "pathPrefix", "pathRegex",
  // ATTRIBUTE_KEYS, MATCH_KEYS, ATTRIBUTE_ALIASES
  "phase", "match", "condition", "outputAttribute",
  // METRICS_KEYS, METRICS_ALIASES
  "enabled", "prefix", "requests", "duration", "request_bytes", "response_bytes", "unmatched", "requestBytes", "responseBytes",
  // SERVICE_KEYS
  "hosts",
];

export const enum ConfigForm {
  Empty = 0,
  Native = 1,
  AttributeGen = 2,
}

export class ParsedConfig {
  form: ConfigForm = ConfigForm.Empty;
  /** `"strict": true`: reject on any error instead of using the valid parts. */
  strict: bool = false;
  native: NativeConfig | null = null;
  attributeGen: AttributeGenConfig | null = null;
  metrics: MetricsConfig = new MetricsConfig();
  diags: Diagnostics = new Diagnostics();
}

/** Reads and validates a configuration completely (readConfig, then finishConfig). */
export function parseConfig(bytes: Uint8Array): ParsedConfig {
  const out = readConfig(bytes);
  finishConfig(out);
  return out;
}

/**
 * The part of validation that needs no JSON, run after readConfig: compiling the native form's
 * regexes (native-regexes.ts). The filter collects the JSON in between (filter/root.ts), so what
 * is compiled here reuses its memory; everything it needs is reachable from `parsed`.
 */
export function finishConfig(parsed: ParsedConfig): void {
  const native = parsed.native;
  if (native !== null) finishNativeConfig(native, parsed.diags);
}

/** Reads the JSON into a ParsedConfig; finishConfig() completes it. */
export function readConfig(bytes: Uint8Array): ParsedConfig {
  const out = new ParsedConfig();
  const diags = out.diags;
  if (isBlank(bytes)) {
    diags.warn("", "no pluginConfig: every request is unmatched (set \"routes\" or \"attributes\")");
    return out;
  }
  if (bytes.length > MAX_JSON_BYTES) {
    diags.error("", "pluginConfig is " + bytes.length.toString() + " bytes, more than the limit of 32 MiB"); // MAX_JSON_BYTES
    return out;
  }
  const parsed = parseJson(bytes, SCHEMA_KEYS);
  const err = parsed.error;
  if (changetype<usize>(err) != 0) return unusable(out, err + " (pluginConfig must be JSON; WasmPlugin YAML is converted to JSON by Istio)");
  const root = parsed.value!;
  if (!root.isObject()) return unusable(out, "pluginConfig must be a JSON object, found " + kindName(root));
  const obj: JsonObject = root.asObject();
  if (obj.firstMember() < 0) {
    diags.warn("", "empty pluginConfig: every request is unmatched (set \"routes\" or \"attributes\")");
    return out;
  }
  out.strict = readStrict(obj, diags);
  const routes = obj.has("routes");
  const native = routes || obj.has(SERVICES_KEY);
  const attributes = obj.has("attributes");
  if (native && attributes) {
    unusable(out, "\"" + (routes ? "routes" : SERVICES_KEY) + "\" (native form) and \"attributes\" (attributegen form) cannot be combined");
  } else if (native || attributes) {
    if (native) {
      out.form = ConfigForm.Native;
      out.native = readNativeJson(obj, diags);
    } else {
      out.form = ConfigForm.AttributeGen;
      out.attributeGen = readAttributeGenConfig(obj, diags);
    }
    out.metrics = readMetricsConfig(obj.get("metrics"), diags, native);
  } else {
    unusable(out, "expected \"routes\" or \"services\" (native form) or \"attributes\" (attributegen form)");
  }
  reportRemainingProblems(parsed.problems, diags);
  return out;
}

/** Reports why nothing of the configuration is usable. */
function unusable(out: ParsedConfig, message: string): ParsedConfig {
  out.diags.error("", message);
  out.diags.dropAll();
  return out;
}

/** A `strict` that is not a boolean is an error, and the default policy (accept) applies. */
function readStrict(obj: JsonObject, diags: Diagnostics): bool {
  const v = obj.get("strict");
  if (v === null || v.isNull()) return false;
  if (v.isBool()) return v.asBool();
  diags.error("strict", mustBe("true or false", v.kind) + " (the default policy, accept, applies)");
  diags.dropSetting("strict");
  return false;
}

function isBlank(bytes: Uint8Array): bool {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (!(c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d)) return false;
  }
  return true;
}
