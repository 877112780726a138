// Typed, path-aware access to a JSON object of the configuration, so every field is validated the
// same way and every problem names its JSON path. Unknown keys are reported when `finish()` runs,
// with a "did you mean" hint; known keys and their aliases are never reported. A value of the wrong
// type is an error that makes the part holding it unusable (Diagnostics.error).
import { JsonObject, JsonValue, JsonKind, indexOfKey } from "./json";
import { Diagnostics, child, index } from "./diagnostics";
import { didYouMean } from "../text/did-you-mean";
import { reportObjectProblems } from "./json-problems";
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

export function kindName(v: JsonValue): string {
  return kindText(v.kind);
}

function kindText(kind: JsonKind): string {
  switch (kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "a boolean";
    case JsonKind.Number: return "a number";
    case JsonKind.String: return "a string";
    case JsonKind.Array: return "a list";
    default: return "an object";
  }
}

/** The message for a value of the wrong kind: `must be a list, found a string`. */
export function mustBe(expected: string, found: JsonKind): string {
  return "must be " + expected + ", found " + kindText(found);
}

/** A part of the wrong kind: the mustBe() error at `path`, and the part is left out. */
export function dropWrongKind(diags: Diagnostics, path: string, expected: string, found: JsonKind): void {
  diags.error(path, mustBe(expected, found));
  diags.drop(path);
}

const NO_SLOTS = new StaticArray<i32>(0);

export class ObjectReader {
  /** The JSON path; null until asked for after reset() (built only to report). */
  private pathText: string | null;
  private listPath: string = "";
  /** A list's reader: position in the list of the item nextObject() points at. */
  position: i32 = -1;

  constructor(
    public obj: JsonObject,
    path: string,
    public diags: Diagnostics,
    public known: string[],
    /** Pairs: an accepted alias (e.g. protobuf-JSON camelCase), then the key it stands for (one alias per key). */
    private aliases: string[] | null = null,
    /** false: a list's reader (forList), whose callers report each item's problems. */
    report: bool = true,
  ) {
    this.pathText = path;
    this.items = obj;
    const nk = known.length;
    const n = nk + (aliases === null ? 0 : aliases.length >> 1);
    const ids = new StaticArray<i32>(n);
    this.slotIds = ids;
    this.slotMembers = new StaticArray<i32>(n);
    const doc = obj.doc;
    for (let j = 0; j < n; j++) {
      unchecked((ids[j] = doc.keyIdOf(j < nk ? unchecked(known[j]) : unchecked(aliases![(j - nk) << 1]))));
    }
    // Per known key, its alias pair (-1: none).
    const aliasOf = new StaticArray<i32>(nk);
    for (let j = 0; j < nk; j++) {
      let pair = -1;
      if (aliases !== null) {
        for (let a = 0; a < aliases.length; a += 2) if (unchecked(aliases[a + 1]) == unchecked(known[j])) pair = a;
      }
      unchecked((aliasOf[j] = pair));
    }
    this.aliasOf = aliasOf;
    this.indexMembers();
    // Invalid strings and repeated keys of this object count as errors of the part being read.
    if (report) reportObjectProblems(obj, diags);
  }

  private aliasOf: StaticArray<i32> = NO_SLOTS;

  // One pass over the members indexes them by reader key, compared as the parser's interned ids
  // (JsonDocument.internKey): slot j < known.length is known[j], slot known.length + a the alias
  // of pair a. Every lookup is then a load, where it was a walk over the members per key.
  /** Per slot: the interned id of its key (-1: not a schema key, looked up by text). */
  private slotIds: StaticArray<i32>;
  /** Per slot: the member holding it, -1 when absent. */
  private slotMembers: StaticArray<i32>;
  /**
   * Whether some member is not an interned key of this reader: an unknown key (finish() reports
   * it) or an escaped spelling of a known one. Lookups then go by text, as without the index.
   */
  private strays: bool = false;

  private indexMembers(): void {
    const obj = this.obj;
    const doc = obj.doc;
    const ids = this.slotIds;
    const members = this.slotMembers;
    const n = ids.length;
    for (let j = 0; j < n; j++) unchecked((members[j] = -1));
    let strays = false;
    for (let m = obj.firstMember(); m >= 0; m = obj.nextMember(m)) {
      const id = doc.internedId(m);
      let j = 0;
      if (id >= 0) {
        while (j < n && unchecked(ids[j]) != id) j++;
      } else {
        j = n;
      }
      if (j == n) strays = true;
      else if (unchecked(members[j]) < 0) unchecked((members[j] = m)); // the first of repeated keys wins
    }
    this.strays = strays;
  }

  /** The member holding slot j's key, or -1; by text when the index cannot tell. */
  private slotMember(j: i32, key: string): i32 {
    if (this.strays || unchecked(this.slotIds[j]) < 0) return this.obj.memberOf(key);
    return unchecked(this.slotMembers[j]);
  }

  /** forList: the list, and the tape index of its next item (-1: none left). */
  private items: JsonValue;
  private nextAt: i32 = -1;

  /**
   * A reader for the objects of the list `items` at `listPath` (objects with the same keys),
   * pointed at each in turn by nextObject(): one reader and one item handle per list, and no
   * path string per item, which configuring 10,000 routes measured as a share of its time.
   */
  static forList(items: JsonValue, listPath: string, diags: Diagnostics, known: string[], aliases: string[] | null): ObjectReader {
    const r = new ObjectReader(new JsonValue(items.doc, items.index), listPath, diags, known, aliases, false);
    r.items = items;
    r.listPath = listPath;
    r.nextAt = items.firstItem();
    return r;
  }

  /**
   * Points a list's reader (forList) at the next item among the first `limit`; false past them.
   * An item that is not an object is an error, `must be <expected>`, also recorded as left out
   * when `drop`, and skipped. The caller reports the object's JSON problems (reportObjectProblems)
   * where they count as errors of the part it reads.
   */
  nextObject(expected: string, drop: bool, limit: i32): bool {
    const obj = this.obj;
    while (this.nextAt >= 0 && this.position + 1 < limit) {
      obj.index = this.nextAt;
      this.nextAt = this.items.nextItem(this.nextAt);
      this.position++;
      this.pathText = null;
      if (obj.isObject()) {
        this.indexMembers();
        return true;
      }
      const path = this.path;
      this.diags.error(path, mustBe(expected, obj.kind));
      if (drop) this.diags.drop(path);
    }
    return false;
  }

  /** The JSON path of the object read, e.g. `routes[3]` (built when asked for, then kept). */
  get path(): string {
    let p = this.pathText;
    if (changetype<usize>(p) == 0) {
      p = index(this.listPath, this.position);
      this.pathText = p;
    }
    return p;
  }

  // Keys are named by their position k in `known` (each reader's list has a const enum of them):
  // a call site passes a number instead of making the key's literal, and no lookup finds it.

  /**
   * The list at key k as a value (iterate it with firstItem/nextItem, no handle per item); null
   * when absent or not a list. `drop`: a value that is not a list is recorded as left out too.
   */
  list(k: i32, drop: bool = false): JsonValue | null {
    const v = this.value(k);
    if (v === null || v.isNull()) return null;
    if (!v.isArray()) {
      const path = this.pathOf(k);
      this.diags.error(path, mustBe("a list", v.kind));
      if (drop) this.diags.drop(path);
      return null;
    }
    return v;
  }


  private isAlias(key: string): bool {
    const a = this.aliases;
    if (a === null) return false;
    for (let i = 0; i < a.length; i += 2) if (a[i] == key) return true;
    return false;
  }

  /** The JSON path of key k, e.g. `routes[3].path`. */
  pathOf(k: i32): string {
    return child(this.path, unchecked(this.known[k]));
  }

  /**
   * The member holding key k (or its alias), as JsonObject member index; -1 when absent.
   * string() and bool() read through it without making a value handle (read it with `obj`'s
   * kindOf/stringOf).
   */
  memberIndex(k: i32): i32 {
    const key = unchecked(this.known[k]); // k is a position in known: see list()
    const m = this.slotMember(k, key);
    const pair = unchecked(this.aliasOf[k]);
    return pair < 0 ? m : this.withAlias(m, key, pair);
  }

  /** Member `m` of `key`, or its alias of pair `pair` when `m` is absent; warns when both are set. */
  private withAlias(m: i32, key: string, pair: i32): i32 {
    const alias = unchecked(this.aliases![pair]);
    const am = this.slotMember(this.known.length + (pair >> 1), alias);
    if (am < 0) return m;
    if (m < 0) return am;
    this.diags.warn(child(this.path, alias), "'" + alias + "' and '" + key + "' are the same field; using '" + key + "'");
    return m;
  }

  /** The raw value of key k (or of its alias); null when absent. */
  value(k: i32): JsonValue | null {
    const m = this.memberIndex(k);
    return m < 0 ? null : this.obj.valueOf(m);
  }

  string(k: i32, required: bool = false): string | null {
    const m = this.memberIndex(k);
    const kind = m < 0 ? JsonKind.Null : this.obj.kindOf(m);
    if (kind == JsonKind.Null) {
      if (required) this.diags.error(this.pathOf(k), "is required");
      return null;
    }
    if (kind != JsonKind.String) {
      this.diags.error(this.pathOf(k), mustBe("a string", this.obj.kindOf(m)));
      return null;
    }
    return this.obj.doc.stringAt(m + 1); // a string: checked above
  }

  bool(k: i32, fallback: bool): bool {
    const m = this.memberIndex(k);
    const kind = m < 0 ? JsonKind.Null : this.obj.kindOf(m);
    if (kind == JsonKind.Null) return fallback;
    if (kind != JsonKind.Bool) {
      this.diags.error(this.pathOf(k), mustBe("true or false", this.obj.kindOf(m)));
      return fallback;
    }
    return this.obj.boolOf(m);
  }

  /** string(k, required), where "" is an error too: "must not be empty", then `why` (" (omit it …)"). */
  nonEmpty(k: i32, required: bool, why: string): string | null {
    const s = this.string(k, required);
    if (changetype<usize>(s) != 0 && s.length == 0) this.diags.error(this.pathOf(k), "must not be empty" + why);
    return s;
  }

  /**
   * Whether the setting at key k, read since `mark` (Diagnostics.mark), is usable; if not, it is
   * recorded as dropped and its default applies.
   */
  keep(mark: i32, k: i32): bool {
    if (!this.diags.failedSince(mark)) return true;
    this.diags.dropSetting(this.pathOf(k));
    return false;
  }

  /** A boolean setting: bool(k, fallback), dropped (fallback used) when it is not a boolean. */
  flag(k: i32, fallback: bool): bool {
    const mark = this.diags.mark();
    const v = this.bool(k, fallback);
    this.keep(mark, k);
    return v;
  }

  /**
   * Reports keys nobody asked for: errors (native form: a typo must not go unnoticed) or warnings
   * (attributegen compatibility). Either way the key is left out and its object kept.
   */
  finish(unknownIsError: bool): void {
    if (!this.strays) return; // every member is a key of this reader or an alias
    const obj = this.obj;
    for (let m = obj.firstMember(); m >= 0; m = obj.nextMember(m)) {
      const key = obj.keyOf(m);
      if (indexOfKey(this.known, key) >= 0 || this.isAlias(key)) continue;
      const message = "unknown field" + didYouMean(key, this.known);
      const path = child(this.path, key);
      if (unknownIsError) this.diags.ignored(path, message);
      else this.diags.warn(path, message + "; ignored");
    }
  }
}
