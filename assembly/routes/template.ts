// Path templates: "/users/{id}", "/files/{name}.{ext}", "/v1/{name}:cancel", "/files/{path...}",
// "/static/**", "/a/*/b".
//
// A template is a list of segments (the text between '/'):
//   literal    "users"         matches exactly that segment
//   parameter  "{id}" or "*"   matches any one non-empty segment
//   mixed      "{name}.{ext}", "v{major}", "{name}:cancel"
//                              literal text and parameters: matches a segment that can be split so
//                              that each literal is its text and each parameter a non-empty run
//                              (two parameters need literal text between them; see mixed.ts)
//   catch-all  "{rest...}" or "**" (last segment only) matches zero or more remaining segments
// A template with literal segments only is an exact path.

export const enum SegmentKind {
  Literal = 0,
  Param = 1,
  CatchAll = 2,
  Mixed = 3,
}

/** One segment, as a value (tests and debugging; the table reads PathTemplate's accessors). */
export class TemplateSegment {
  constructor(public kind: SegmentKind, public text: string) {}
}

/**
 * A parsed template: the path text plus three i32 per segment (kind, and the range of its text in
 * `text`: the literal itself, the parameter name, or a mixed segment's whole text) — no object or
 * substring per segment. Configure time holds one per route at most briefly: validation parses
 * into a shared instance (`templateError`), and the route table re-parses each template into its
 * own reusable one.
 */
export class PathTemplate {
  text: string = "";
  /**
   * Room for MAX_TEMPLATE_SEGMENTS segments (parse() refuses longer templates), then from NAMES
   * the name ranges of the parameters seen so far (duplicate check), two i32 each: one array.
   */
  private parts: StaticArray<i32> = new StaticArray<i32>(NAMES + 2 * MAX_TEMPLATE_PARAMS);
  private count: i32 = 0;
  private nameCount: i32 = 0;

  /** Number of segments. */
  get length(): i32 {
    return this.count;
  }

  @inline kindAt(s: i32): SegmentKind { return <SegmentKind>unchecked(this.parts[3 * s]); }
  /** UTF-16 range of segment s's text in `text`. */
  @inline startAt(s: i32): i32 { return unchecked(this.parts[3 * s + 1]); }
  @inline endAt(s: i32): i32 { return unchecked(this.parts[3 * s + 2]); }

  textAt(s: i32): string {
    return this.text.substring(this.startAt(s), this.endAt(s));
  }

  get segments(): TemplateSegment[] {
    const out: TemplateSegment[] = [];
    for (let s = 0; s < this.length; s++) out.push(new TemplateSegment(this.kindAt(s), this.textAt(s)));
    return out;
  }

  get isExact(): bool {
    for (let s = 0; s < this.length; s++) {
      if (this.kindAt(s) != SegmentKind.Literal) return false;
    }
    return true;
  }

  /**
   * Parses `path` into this instance (replacing what it held). Returns "" when valid, else the
   * problem with its 1-based column; a valid template allocates nothing.
   */
  parse(path: string): string {
    this.text = path;
    this.count = 0;
    this.nameCount = 0;
    if (path.length == 0) return "must not be empty";
    if (code(path, 0) != 0x2f /* / */) return "must start with '/'";
    let slashes = 0;
    for (let k = 0; k < path.length; k++) if (code(path, k) == 0x2f) slashes++;
    if (slashes > MAX_TEMPLATE_SEGMENTS) {
      return "more than 64 segments"; // MAX_TEMPLATE_SEGMENTS, written out: no number formatting
    }
    const parts = this.parts;
    let s = 0;
    let i = 1;
    while (true) {
      // One segment: [i, end)
      let end = i;
      while (end < path.length && code(path, end) != 0x2f) end++;
      const isLast = end >= path.length;
      const error = this.parseSegment(path, i, end, isLast, s);
      if (error.length != 0) return error;
      s++;
      if (isLast) break;
      i = end + 1;
    }
    this.count = s;
    return "";
  }

  /** Segment path[i, end) into parts[3 * s ..]; "" or the problem. */
  private parseSegment(path: string, i: i32, end: i32, isLast: bool, s: i32): string {
    const parts = this.parts;
    const len = end - i;
    let kind = SegmentKind.Literal;
    let from = i;
    let to = end;
    if (<u32>(len - 1) < 2 && code(path, i) == 0x2a /* * */ && code(path, end - 1) == 0x2a) {
      // "*": one segment; "**": the rest of the path
      if (len == 2 && !isLast) return failQuoted(path, i, end, " must be the last segment", i);
      kind = len == 1 ? SegmentKind.Param : SegmentKind.CatchAll;
      to = from;
    } else {
      // Literal text and {parameters}, left to right.
      let lastClose = -2; // index just after the previous parameter's '}'
      let k = i;
      while (k < end) {
        const c = code(path, k);
        if (c == 0x7b /* { */) {
          let close = k + 1;
          while (close < end && code(path, close) != 0x7d /* } */) {
            if (code(path, close) == 0x7b) return fail("nested '{'", close);
            close++;
          }
          if (close == end) return fail("unclosed '{'", k);
          // "{name...}": the four units "...}" in one load (little-endian: the first is the low one)
          const catchAll = close - (k + 1) >= 3 &&
            load<u64>(changetype<usize>(path) + (<usize>(close - 3) << 1)) == 0x007d_002e_002e_002e;
          const nameTo = catchAll ? close - 3 : close;
          if (nameTo == k + 1) return fail("empty parameter name", k);
          for (let n = k + 1; n < nameTo; n++) {
            const nc = code(path, n);
            if (!isParamNameChar(nc)) return fail("invalid character '" + String.fromCharCode(nc) + "' in parameter name", n);
          }
          const whole = k == i && close == end - 1;
          if (catchAll) {
            if (!whole) {
              return failQuoted(path, k, close + 1, " (a catch-all) must be a whole segment", k);
            }
            if (!isLast) return failQuoted(path, i, end, " must be the last segment", i);
          }
          if (lastClose == k) {
            return failQuoted(path, i, end, ": two parameters need literal text between them", k);
          }
          const dup = this.addName(path, k + 1, nameTo);
          if (dup.length != 0) return fail(dup, k);
          if (catchAll) {
            kind = SegmentKind.CatchAll;
            from = k + 1;
            to = nameTo;
          } else if (whole) {
            kind = SegmentKind.Param;
            from = k + 1;
            to = nameTo;
          } else {
            kind = SegmentKind.Mixed;
          }
          k = close + 1;
          lastClose = k;
          continue;
        }
        if (c == 0x7d) return fail("unexpected '}'", k);
        if (c == 0x2a) return fail("'*' must be a whole segment (use path_prefix or path_regex)", k);
        if (c == 0x3f) return fail("'?' is not part of a path (match query strings with query_params)", k);
        if (c == 0x23) return fail("'#' is not part of a path", k);
        if (c <= 0x20 || c == 0x7f) return fail("whitespace or control character in path", k);
        k++;
      }
      if (kind == SegmentKind.Mixed) {
        from = i;
        to = end;
      }
    }
    unchecked((parts[3 * s] = kind));
    unchecked((parts[3 * s + 1] = from));
    unchecked((parts[3 * s + 2] = to));
    return "";
  }

  /** Records parameter name path[from, to); "" or the problem (a repeated name, too many parameters). */
  private addName(path: string, from: i32, to: i32): string {
    const names = this.parts;
    const n = this.nameCount;
    for (let p = 0; p < n; p++) {
      const pFrom = unchecked(names[NAMES + 2 * p]);
      if (unchecked(names[NAMES + 2 * p + 1]) - pFrom == to - from && sameRange(path, pFrom, from, to - from)) {
        return "duplicate parameter name '" + path.substring(from, to) + "'";
      }
    }
    if (n == MAX_TEMPLATE_PARAMS) return "more than 64 parameters"; // MAX_TEMPLATE_PARAMS, written out
    unchecked((names[NAMES + 2 * n] = from));
    unchecked((names[NAMES + 2 * n + 1] = to));
    this.nameCount = n + 1;
    return "";
  }
}

/** Outcome of parsing: a template, or a message with the 1-based column of the problem. */
export class TemplateResult {
  constructor(public template: PathTemplate | null, public error: string) {}
}

/** Templates deeper than this are rejected: matching recurses once per segment. */
export const MAX_TEMPLATE_SEGMENTS: i32 = 64; // also written out in parse()'s message
/** At most this many parameters per template (keeps the duplicate-name check and a mixed segment small). */
export const MAX_TEMPLATE_PARAMS: i32 = 64; // also written out in addName()'s message
/** Where PathTemplate's parameter names start in its `parts`. */
const NAMES: i32 = 3 * MAX_TEMPLATE_SEGMENTS;

function isParamNameChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c == 0x5f /* _ */ || c == 0x2d /* - */;
}

function fail(message: string, index: i32): string {
  return atColumn(message, index);
}

/** `message` with the 1-based column of 0-based `index` (template and expression errors). */
export function atColumn(message: string, index: i32): string {
  return message + " at column " + (index + 1).toString();
}

/** fail() for a message that starts with path[from, to) in quotes. */
function failQuoted(path: string, from: i32, to: i32, rest: string, index: i32): string {
  return fail("'" + path.substring(from, to) + "'" + rest, index);
}

/**
 * UTF-16 unit k of `path`, unchecked: every index the parser reads is inside the path (it scans
 * within [0, length) and segment ranges), and String#charCodeAt's bounds-checked call was a fifth
 * of configuring 10,000 routes (each template is parsed twice: validation and the table).
 */
// @ts-ignore: decorator
@inline export function code(path: string, k: i32): i32 {
  return <i32>load<u16>(changetype<usize>(path) + (<usize>k << 1));
}

/** Whether path[a, a + n) and path[b, b + n) are the same text. */
function sameRange(path: string, a: i32, b: i32, n: i32): bool {
  for (let k = 0; k < n; k++) if (code(path, a + k) != code(path, b + k)) return false;
  return true;
}

/** Validation scratch: checking a route's template allocates nothing when it is valid. */
const checker = new PathTemplate();

/** The problem with template `path` (with its column), or null when it is valid. */
export function templateError(path: string): string | null {
  const error = checker.parse(path);
  checker.text = "";
  return error.length == 0 ? null : error;
}

/** Parses `path` into a template of its own. */
export function parseTemplate(path: string): TemplateResult {
  const t = new PathTemplate();
  const error = t.parse(path);
  return error.length == 0 ? new TemplateResult(t, "") : new TemplateResult(null, error);
}
