// Typed, path-aware access to a JSON object of the configuration, so every field is validated the
// same way and every problem names its JSON path. Unknown keys are reported when `finish()` runs,
// with a "did you mean" hint; known keys and their aliases are never reported. A value of the wrong
// type is an error that makes the part holding it unusable (Diagnostics.error).
import { JsonObject, JsonValue, JsonKind, indexOfKey } from "./json";
import { Diagnostics, child } from "./diagnostics";
import { didYouMean } from "../text/did-you-mean";
import { reportObjectProblems } from "./json-problems";

export function kindName(v: JsonValue): string {
  switch (v.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "a boolean";
    case JsonKind.Number: return "a number";
    case JsonKind.String: return "a string";
    case JsonKind.Array: return "a list";
    default: return "an object";
  }
}

export class ObjectReader {
  constructor(
    public obj: JsonObject,
    public path: string,
    public diags: Diagnostics,
    public known: string[],
    /** Pairs: an accepted alias (e.g. protobuf-JSON camelCase), then the key it stands for. */
    private aliases: string[] | null = null,
  ) {
    // Invalid strings and repeated keys of this object count as errors of the part being read.
    reportObjectProblems(obj, diags);
  }


  private isAlias(key: string): bool {
    const a = this.aliases;
    if (a === null) return false;
    for (let i = 0; i < a.length; i += 2) if (a[i] == key) return true;
    return false;
  }

  pathOf(key: string): string {
    return child(this.path, key);
  }

  /**
   * The member holding `key` (or one of its aliases), as JsonObject member index; -1 when absent.
   * string() and bool() read through it without making a value handle.
   */
  private member(key: string): i32 {
    const obj = this.obj;
    let m = obj.memberOf(key);
    const aliases = this.aliases;
    if (aliases === null) return m;
    for (let i = 0; i < aliases.length; i += 2) {
      if (aliases[i + 1] != key) continue;
      const alias = aliases[i];
      const am = obj.memberOf(alias);
      if (am < 0) continue;
      if (m >= 0) {
        this.diags.warn(this.pathOf(alias), "'" + alias + "' and '" + key + "' are the same field; using '" + key + "'");
      } else {
        m = am;
      }
    }
    return m;
  }

  /** The raw value of `key` (or of one of its aliases); null when absent. */
  value(key: string): JsonValue | null {
    const m = this.member(key);
    return m < 0 ? null : this.obj.valueOf(m);
  }

  string(key: string, required: bool = false): string | null {
    const m = this.member(key);
    const kind = m < 0 ? JsonKind.Null : this.obj.kindOf(m);
    if (kind == JsonKind.Null) {
      if (required) this.diags.error(this.pathOf(key), "is required");
      return null;
    }
    if (kind != JsonKind.String) {
      this.diags.error(this.pathOf(key), "must be a string, found " + kindName(this.obj.valueOf(m)));
      return null;
    }
    return this.obj.stringOf(m);
  }

  bool(key: string, fallback: bool): bool {
    const m = this.member(key);
    const kind = m < 0 ? JsonKind.Null : this.obj.kindOf(m);
    if (kind == JsonKind.Null) return fallback;
    if (kind != JsonKind.Bool) {
      this.diags.error(this.pathOf(key), "must be true or false, found " + kindName(this.obj.valueOf(m)));
      return fallback;
    }
    return this.obj.boolOf(m);
  }

  array(key: string): JsonValue[] | null {
    const v = this.value(key);
    if (v === null || v.isNull()) return null;
    if (!v.isArray()) {
      this.diags.error(this.pathOf(key), "must be a list, found " + kindName(v));
      return null;
    }
    return v.asArray();
  }

  object(key: string): JsonObject | null {
    const v = this.value(key);
    if (v === null || v.isNull()) return null;
    if (!v.isObject()) {
      this.diags.error(this.pathOf(key), "must be an object, found " + kindName(v));
      return null;
    }
    return v.asObject();
  }

  /**
   * Reports keys nobody asked for: errors (native form: a typo must not go unnoticed) or warnings
   * (attributegen compatibility). Either way the key is left out and its object kept.
   */
  finish(unknownIsError: bool): void {
    const obj = this.obj;
    for (let m = obj.firstMember(); m >= 0; m = obj.nextMember(m)) {
      const key = obj.keyOf(m);
      if (indexOfKey(this.known, key) >= 0 || this.isAlias(key)) continue;
      const message = "unknown field" + didYouMean(key, this.known);
      if (unknownIsError) this.diags.ignored(this.pathOf(key), message);
      else this.diags.warn(this.pathOf(key), message + "; ignored");
    }
  }
}
