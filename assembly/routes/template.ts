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

export class TemplateSegment {
  constructor(public kind: SegmentKind, public text: string) {}
}

export class PathTemplate {
  segments: TemplateSegment[] = [];

  get isExact(): bool {
    for (let i = 0; i < this.segments.length; i++) {
      if (this.segments[i].kind != SegmentKind.Literal) return false;
    }
    return true;
  }

  get paramCount(): i32 {
    let n = 0;
    for (let i = 0; i < this.segments.length; i++) {
      if (this.segments[i].kind != SegmentKind.Literal) n++;
    }
    return n;
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

function fail(message: string, index: i32): TemplateResult {
  return new TemplateResult(null, message + " at column " + (index + 1).toString());
}

export function parseTemplate(path: string): TemplateResult {
  if (path.length == 0) return new TemplateResult(null, "must not be empty");
  if (path.charCodeAt(0) != 0x2f /* / */) return new TemplateResult(null, "must start with '/'");
  const t = new PathTemplate();
  let names: string[] | null = null; // parameter names, allocated on the first parameter
  let i = 1;
  while (true) {
    // One segment: [i, end)
    let end = i;
    while (end < path.length && path.charCodeAt(end) != 0x2f) end++;
    const seg = path.substring(i, end);
    const isLast = end >= path.length;
    if (seg.length > 0 && seg.charCodeAt(0) == 0x7b /* { */) {
      // Parameter or catch-all: the braces must span the whole segment.
      const close = seg.indexOf("}");
      if (close < 0) return fail("unclosed '{'", i);
      if (close != seg.length - 1) return fail("'" + seg.substring(0, close + 1) + "' must span a whole path segment", i);
      let name = seg.substring(1, seg.length - 1);
      let kind = SegmentKind.Param;
      if (name.endsWith("...")) {
        kind = SegmentKind.CatchAll;
        name = name.substring(0, name.length - 3);
      }
      if (name.length == 0) return fail("empty parameter name", i);
      for (let k = 0; k < name.length; k++) {
        const c = name.charCodeAt(k);
        if (c == 0x7b) return fail("nested '{'", i + 1 + k);
        if (!isParamNameChar(c)) return fail("invalid character '" + String.fromCharCode(c) + "' in parameter name", i + 1 + k);
      }
      if (names === null) names = [];
      else if (names.includes(name)) return fail("duplicate parameter name '" + name + "'", i);
      names.push(name);
      if (kind == SegmentKind.CatchAll && !isLast) return fail("'" + seg + "' must be the last segment", i);
      t.segments.push(new TemplateSegment(kind, name));
    } else if (seg == "*") {
      t.segments.push(new TemplateSegment(SegmentKind.Param, ""));
    } else if (seg == "**") {
      if (!isLast) return fail("'**' must be the last segment", i);
      t.segments.push(new TemplateSegment(SegmentKind.CatchAll, ""));
    } else {
      for (let k = 0; k < seg.length; k++) {
        const c = seg.charCodeAt(k);
        if (c == 0x7b) return fail("'{' must start a path segment", i + k);
        if (c == 0x7d) return fail("unexpected '}'", i + k);
        if (c == 0x2a) return fail("'*' must be a whole segment (use path_prefix or path_regex)", i + k);
        if (c == 0x3f) return fail("'?' is not part of a path (match query strings with query_params)", i + k);
        if (c == 0x23) return fail("'#' is not part of a path", i + k);
        if (c <= 0x20 || c == 0x7f) return fail("whitespace or control character in path", i + k);
      }
      t.segments.push(new TemplateSegment(SegmentKind.Literal, seg));
    }
    if (t.segments.length > MAX_TEMPLATE_SEGMENTS) {
      return new TemplateResult(null, "more than " + MAX_TEMPLATE_SEGMENTS.toString() + " segments");
    }
    if (isLast) break;
    i = end + 1;
  }
  return new TemplateResult(t, "");
}
