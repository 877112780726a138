// Path templates: "/users/{id}", "/files/{path...}", "/static/**", "/a/*/b".
//
// A template is a list of segments (the text between '/'):
//   literal    "users"        matches exactly that segment
//   parameter  "{id}" or "*"  matches any one non-empty segment
//   catch-all  "{rest...}" or "**" (last segment only) matches zero or more remaining segments
// A template with literal segments only is an exact path.

export const enum SegmentKind {
  Literal = 0,
  Param = 1,
  CatchAll = 2,
}

/** One segment, as a value (tests and debugging; the table reads PathTemplate's accessors). */
export class TemplateSegment {
  constructor(public kind: SegmentKind, public text: string) {}
}

/**
 * A parsed template: the path text plus three i32 per segment (kind, and the range of its text in
 * `text`: the literal itself or the parameter name) — no object or substring per segment.
 * Configure time holds one per route at most briefly: validation parses into a shared instance
 * (`templateError`), and the route table re-parses each template into its own reusable one.
 */
export class PathTemplate {
  text: string = "";
  private parts: StaticArray<i32>;
  private count: i32 = 0;

  /** `capacity` segments at most (parse() refuses longer templates anyway). */
  constructor(capacity: i32 = MAX_TEMPLATE_SEGMENTS) {
    this.parts = new StaticArray<i32>(3 * min(capacity, MAX_TEMPLATE_SEGMENTS));
  }

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

  get paramCount(): i32 {
    let n = 0;
    for (let s = 0; s < this.length; s++) {
      if (this.kindAt(s) != SegmentKind.Literal) n++;
    }
    return n;
  }

  /**
   * Parses `path` into this instance (replacing what it held). Returns "" when valid, else the
   * problem with its 1-based column; a valid template allocates nothing.
   */
  parse(path: string): string {
    this.text = path;
    this.count = 0;
    if (path.length == 0) return "must not be empty";
    if (path.charCodeAt(0) != 0x2f /* / */) return "must start with '/'";
    let slashes = 0;
    for (let k = 0; k < path.length; k++) if (path.charCodeAt(k) == 0x2f) slashes++;
    if (slashes > MAX_TEMPLATE_SEGMENTS || 3 * slashes > this.parts.length) {
      return "more than " + MAX_TEMPLATE_SEGMENTS.toString() + " segments";
    }
    const parts = this.parts;
    let s = 0;
    let i = 1;
    while (true) {
      // One segment: [i, end)
      let end = i;
      while (end < path.length && path.charCodeAt(end) != 0x2f) end++;
      const isLast = end >= path.length;
      const len = end - i;
      let kind = SegmentKind.Literal;
      let from = i;
      let to = end;
      if (len > 0 && path.charCodeAt(i) == 0x7b /* { */) {
        // Parameter or catch-all: the braces must span the whole segment.
        let close = i;
        while (close < end && path.charCodeAt(close) != 0x7d /* } */) close++;
        if (close == end) return fail("unclosed '{'", i);
        if (close != end - 1) return fail("'" + path.substring(i, close + 1) + "' must span a whole path segment", i);
        from = i + 1;
        to = end - 1;
        kind = SegmentKind.Param;
        if (to - from >= 3 && path.charCodeAt(to - 1) == 0x2e && path.charCodeAt(to - 2) == 0x2e && path.charCodeAt(to - 3) == 0x2e) {
          kind = SegmentKind.CatchAll;
          to -= 3;
        }
        if (to == from) return fail("empty parameter name", i);
        for (let k = from; k < to; k++) {
          const c = path.charCodeAt(k);
          if (c == 0x7b) return fail("nested '{'", k);
          if (!isParamNameChar(c)) return fail("invalid character '" + String.fromCharCode(c) + "' in parameter name", k);
        }
        for (let p = 0; p < s; p++) {
          if (unchecked(parts[3 * p]) == SegmentKind.Literal) continue;
          const pFrom = unchecked(parts[3 * p + 1]);
          const pLen = unchecked(parts[3 * p + 2]) - pFrom;
          if (pLen == to - from && sameRange(path, pFrom, from, pLen)) {
            return fail("duplicate parameter name '" + path.substring(from, to) + "'", i);
          }
        }
        if (kind == SegmentKind.CatchAll && !isLast) return fail("'" + path.substring(i, end) + "' must be the last segment", i);
      } else if (len == 1 && path.charCodeAt(i) == 0x2a /* * */) {
        kind = SegmentKind.Param;
        to = from;
      } else if (len == 2 && path.charCodeAt(i) == 0x2a && path.charCodeAt(i + 1) == 0x2a) {
        if (!isLast) return fail("'**' must be the last segment", i);
        kind = SegmentKind.CatchAll;
        to = from;
      } else {
        for (let k = i; k < end; k++) {
          const c = path.charCodeAt(k);
          if (c == 0x7b) return fail("'{' must start a path segment", k);
          if (c == 0x7d) return fail("unexpected '}'", k);
          if (c == 0x2a) return fail("'*' must be a whole segment (use path_prefix or path_regex)", k);
          if (c == 0x3f) return fail("'?' is not part of a path (match query strings with query_params)", k);
          if (c == 0x23) return fail("'#' is not part of a path", k);
          if (c <= 0x20 || c == 0x7f) return fail("whitespace or control character in path", k);
        }
      }
      unchecked((parts[3 * s] = kind));
      unchecked((parts[3 * s + 1] = from));
      unchecked((parts[3 * s + 2] = to));
      s++;
      if (isLast) break;
      i = end + 1;
    }
    this.count = s;
    return "";
  }
}

/** Outcome of parsing: a template, or a message with the 1-based column of the problem. */
export class TemplateResult {
  constructor(public template: PathTemplate | null, public error: string) {}
}

/** Templates deeper than this are rejected: matching recurses once per segment. */
export const MAX_TEMPLATE_SEGMENTS: i32 = 64;

function isParamNameChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
    c == 0x5f /* _ */ || c == 0x2d /* - */;
}

function fail(message: string, index: i32): string {
  return message + " at column " + (index + 1).toString();
}

/** Whether path[a, a + n) and path[b, b + n) are the same text. */
function sameRange(path: string, a: i32, b: i32, n: i32): bool {
  for (let k = 0; k < n; k++) if (path.charCodeAt(a + k) != path.charCodeAt(b + k)) return false;
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
