// Small text rewrites the configuration and the metric labels need, instead of the standard
// library's String#replaceAll (about 530 bytes of code, with generality these uses never need).
// Configure time only.
// A string is tested for null as `changetype<usize>(s) == 0`: `s === null` is a call of String.__eq
// (the == overload, which the compiler uses for === too); the flow still narrows the type.

/** `s` with every `from` character replaced by `to` (a character code; -1 removes it); `s` itself when it has none. */
export function replaceChar(s: string, from: i32, to: i32): string {
  let out: string | null = null;
  let kept = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) != from) continue;
    let part = s.substring(kept, i);
    if (to >= 0) part += String.fromCharCode(to);
    out = changetype<usize>(out) == 0 ? part : out + part;
    kept = i + 1;
  }
  return changetype<usize>(out) == 0 ? s : out + s.substring(kept);
}

/** `s` with every occurrence of `find` (non-overlapping, left to right) replaced by `by`; `s` itself when it has none. */
export function replaceText(s: string, find: string, by: string): string {
  let at = s.indexOf(find);
  if (at < 0 || find.length == 0) return s;
  let out = "";
  let kept = 0;
  while (at >= 0) {
    out += s.substring(kept, at) + by;
    kept = at + find.length;
    at = s.indexOf(find, kept);
  }
  return out + s.substring(kept);
}

/** `s` in double quotes, with `\`, `"` and line breaks escaped (for messages and label text). */
export function quoted(s: string): string {
  let out = "\"";
  let kept = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const escaped = c == 0x5c ? "\\\\" : c == 0x22 ? "\\\"" : c == 0x0a ? "\\n" : c == 0x0d ? "\\r" : "";
    if (escaped.length == 0) continue;
    out += s.substring(kept, i) + escaped;
    kept = i + 1;
  }
  return out + s.substring(kept) + "\"";
}
