// Recognises path regexes that are really an exact path, a template or a prefix, e.g.
//   ^/healthz$            → path: /healthz              (same matches)
//   ^/users/[^/]+$        → path: /users/{id}           (same matches)
//   ^/files/[^/]+\.json$  → path: /files/{id}.json      (same matches: a mixed segment)
//   ^/static/             → path_prefix: /static/       (unanchored end = prefix)
//   ^/static(/.*)?$       → path: /static/**            (same matches)
//   ^/reviews/[[:alnum:]]*$ → path: /reviews/{id}       (looser: a parameter takes any non-empty segment)
// Regex routes are tried one by one on every request; templates, exact paths and prefixes are
// looked up in the plugin's trie / hash table, so the conversion is worth suggesting.

export interface PathSuggestion {
  kind: 'path' | 'path_prefix';
  value: string;
  /** true: matches exactly the same paths; false: the template also matches segments the regex did not allow. */
  equivalent: boolean;
}

// Segment-wide character classes: [^/]+ is exactly a template parameter; the others only accept
// some characters (or allow an empty segment), so the parameter is looser.
const EXACT_PARAM = ['[^/]+', '[^/]+?'];
// (A class starting with ^ other than [^/] could match '/', and so could '.': those are not segments.)
const LOOSE_PARAM = /^(?:\[(?!\^)[^\]/]*(?:\[:[a-z]+:\][^\]/]*)*\]|\\[dw]|\[\^\/\])[+*]\??/;
// Endings that make the rest of the path free; `.+` needs one more character, so it is looser.
const CATCH_ALL_SUFFIX: Record<string, boolean> = { '(/.*)?$': true, '(?:/.*)?$': true, '(/.+)?$': false, '(?:/.+)?$': false };
const PREFIX_SUFFIX: Record<string, boolean> = { '.*$': true, '.*': true, '': true, '.+$': false, '.+': false };

function unescapeLiteral(re: string, i: number): [string, number] | null {
  const ch = re[i]!;
  if (ch === '\\') {
    const next = re[i + 1];
    if (next === undefined || /[A-Za-z0-9]/.test(next)) return null; // \d, \w, \b …: not a literal
    return [next, i + 2];
  }
  if ('.^$|?*+()[]{}'.includes(ch)) return null;
  return [ch, i + 1];
}

/** A template / exact / prefix equivalent for `regex`, or null when there is none. */
export function suggestPathForRegex(regex: string): PathSuggestion | null {
  if (!regex.startsWith('^/')) return null; // unanchored: matches anywhere in the path
  let i = 1;
  let path = '';
  let equivalent = true;
  let params = 0;
  let templateSafe = true; // no literal character a template reads otherwise (a prefix takes any)
  const paramName = () => (++params === 1 ? '{id}' : `{id${params}}`);
  while (i < regex.length) {
    const rest = regex.slice(i);
    if (rest === '$') return finish(path, 'path');
    if (rest in CATCH_ALL_SUFFIX) {
      if (!CATCH_ALL_SUFFIX[rest]) equivalent = false;
      return path.endsWith('/') ? null : finish(path + '/**', 'path');
    }
    if (rest in PREFIX_SUFFIX) {
      if (!PREFIX_SUFFIX[rest]) equivalent = false;
      return path.includes('{') ? null : finish(path, 'path_prefix');
    }
    const exact = EXACT_PARAM.find((p) => rest.startsWith(p));
    const loose = exact ? null : LOOSE_PARAM.exec(rest);
    if (exact || loose) {
      const token = exact ?? loose![0];
      const after = regex.slice(i + token.length);
      // Two parameters need literal text between them (a template could not tell them apart).
      if (path.endsWith('}')) return null;
      if (after === '') return null; // unanchored end after a wildcard: a prefix with a parameter
      if (!exact) equivalent = false;
      path += paramName();
      i += token.length;
      continue;
    }
    const lit = unescapeLiteral(regex, i);
    if (!lit) return null;
    if (!templateLiteral(lit[0])) templateSafe = false;
    path += lit[0];
    i = lit[1];
  }
  // Ran off the end without '$': the regex is a prefix search.
  return path.includes('{') ? null : finish(path, 'path_prefix');

  function finish(value: string, kind: PathSuggestion['kind']): PathSuggestion | null {
    if (kind === 'path' && !templateSafe) return null;
    return { kind, value, equivalent };
  }
}

/** Whether `c` can be literal text of a template (braces, '*', '?', '#' and spaces mean something else there). */
function templateLiteral(c: string): boolean {
  return !/[{}*?#\s\x00-\x1f\x7f]/.test(c);
}
