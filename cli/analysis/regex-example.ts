// Example strings a regular expression (RE2 syntax, as the plugin's path_regex and
// RegularExpression conditions use) matches, for lint's probe requests. It handles the common
// subset — literals, escapes, `.`, classes (with ranges, negation and POSIX names), groups,
// alternation, anchors and quantifiers — and gives up (null) on the rest. It need not be exact:
// lint sends every example through the plugin first and keeps only those the route matches.

type Node =
  | { t: 'chars'; pick: string[] } // one character, any of these (first = preferred)
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; options: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'empty' };

class Unsupported extends Error {}

const PROBE_CHARS = ['a', 'x', '0', '1', 'Z', '-', '_', '.', '~', 'q'];
const POSIX: Record<string, (c: string) => boolean> = {
  alnum: (c) => /[A-Za-z0-9]/.test(c), alpha: (c) => /[A-Za-z]/.test(c), digit: (c) => /[0-9]/.test(c),
  lower: (c) => /[a-z]/.test(c), upper: (c) => /[A-Z]/.test(c), xdigit: (c) => /[0-9A-Fa-f]/.test(c),
  word: (c) => /\w/.test(c), punct: (c) => /[!-/:-@[-`{-~]/.test(c), space: (c) => /\s/.test(c),
  blank: (c) => c === ' ' || c === '\t', graph: (c) => c > ' ' && c <= '~', print: (c) => c >= ' ' && c <= '~',
  ascii: (c) => c <= '\x7f', cntrl: (c) => c < ' ' || c === '\x7f',
};
const ESCAPE_CLASS: Record<string, (c: string) => boolean> = {
  d: (c) => /[0-9]/.test(c), D: (c) => !/[0-9]/.test(c), w: (c) => /\w/.test(c), W: (c) => !/\w/.test(c),
  s: (c) => /\s/.test(c), S: (c) => !/\s/.test(c),
};
const CANDIDATES = [...PROBE_CHARS, ...'bcdefghijklmnoprstuvwyzABCDEFGHIJKLMNOPQRSTUVWXY23456789 /:%+!$&\'()*,;=@'.split('')];

function pickFrom(test: (c: string) => boolean): string[] {
  const out = CANDIDATES.filter(test);
  if (out.length === 0) throw new Unsupported('empty class');
  return out;
}

class Parser {
  i = 0;
  constructor(readonly re: string) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.re.length) throw new Unsupported(`unexpected ${this.re[this.i]}`);
    return n;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.re[this.i] === '|') {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.re.length && this.re[this.i] !== '|' && this.re[this.i] !== ')') {
      let atom = this.atom();
      atom = this.quantified(atom);
      items.push(atom);
    }
    return { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const c = this.re[this.i];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.re.slice(this.i));
      if (!m) return atom; // a literal '{' in RE2
      this.i += m[0].length - 1;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else return atom;
    this.i++;
    if (this.re[this.i] === '?') this.i++; // lazy: same strings
    return this.quantified({ t: 'repeat', node: atom, min, max });
  }

  private atom(): Node {
    const c = this.re[this.i++]!;
    switch (c) {
      case '^':
      case '$':
        return { t: 'empty' }; // anchors: the caller places the example at the start of the path
      case '.':
        return { t: 'chars', pick: pickFrom((x) => x !== '\n' && x !== '/') };
      case '[':
        return this.charClass();
      case '(':
        return this.group();
      case '\\':
        return this.escape(false) as Node;
      default:
        return { t: 'chars', pick: [c] };
    }
  }

  private group(): Node {
    if (this.re[this.i] === '?') {
      const m = /^\?(?:P?<[A-Za-z_]\w*>|[imsU-]*:|([imsU-]+)\))/.exec(this.re.slice(this.i));
      if (!m) throw new Unsupported('group syntax');
      this.i += m[0].length;
      if (m[1] !== undefined) {
        if (m[1].includes('i')) throw new Unsupported('case-insensitive flag'); // the examples would still match, but keep it simple
        return { t: 'empty' };
      }
    }
    const inner = this.alternation();
    if (this.re[this.i++] !== ')') throw new Unsupported('unclosed group');
    return inner;
  }

  /** An escape; in a class, a single-character test or a class test. */
  private escape(inClass: boolean): Node | ((c: string) => boolean) {
    const e = this.re[this.i++];
    if (e === undefined) throw new Unsupported('trailing backslash');
    if (ESCAPE_CLASS[e]) return inClass ? ESCAPE_CLASS[e]! : { t: 'chars', pick: pickFrom(ESCAPE_CLASS[e]!) };
    if (e === 'b' || e === 'B' || e === 'A' || e === 'z') {
      if (inClass) throw new Unsupported(`\\${e} in a class`);
      return { t: 'empty' };
    }
    const named: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' };
    if (named[e]) return inClass ? (x: string) => x === named[e] : { t: 'chars', pick: [named[e]!] };
    if (e === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2}))/.exec(this.re.slice(this.i));
      if (!m) throw new Unsupported('\\x');
      this.i += m[0].length;
      const ch = String.fromCodePoint(parseInt(m[1] ?? m[2]!, 16));
      return inClass ? (x: string) => x === ch : { t: 'chars', pick: [ch] };
    }
    if (/[A-Za-z0-9]/.test(e)) throw new Unsupported(`\\${e}`);
    return inClass ? (x: string) => x === e : { t: 'chars', pick: [e] };
  }

  private charClass(): Node {
    let negated = false;
    if (this.re[this.i] === '^') {
      negated = true;
      this.i++;
    }
    const tests: Array<(c: string) => boolean> = [];
    const listed: string[] = [];
    let first = true;
    while (this.i < this.re.length && (this.re[this.i] !== ']' || first)) {
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.re.slice(this.i));
      if (posix) {
        const f = POSIX[posix[2]!];
        if (!f) throw new Unsupported(`[:${posix[2]}:]`);
        tests.push(posix[1] ? (x) => !f(x) : f);
        this.i += posix[0].length;
        continue;
      }
      let lo: string;
      if (this.re[this.i] === '\\') {
        this.i++;
        const t = this.escape(true) as (c: string) => boolean;
        // A single escaped character can start a range; a class escape cannot.
        const single = CANDIDATES.find((x) => t(x));
        if (this.re[this.i] === '-' && this.re[this.i + 1] !== ']' && single !== undefined && CANDIDATES.filter(t).length === 1) lo = single;
        else {
          tests.push(t);
          continue;
        }
      } else lo = this.re[this.i++]!;
      if (this.re[this.i] === '-' && this.re[this.i + 1] !== ']' && this.i + 1 < this.re.length) {
        this.i++;
        let hi = this.re[this.i++]!;
        if (hi === '\\') hi = this.re[this.i++] ?? '';
        tests.push((x) => x >= lo && x <= hi);
        listed.push(lo);
      } else {
        tests.push((x) => x === lo);
        listed.push(lo);
      }
    }
    if (this.re[this.i++] !== ']') throw new Unsupported('unclosed class');
    const member = (x: string) => tests.some((t) => t(x));
    if (negated) return { t: 'chars', pick: pickFrom((x) => !member(x) && x !== '\n') };
    // Prefer the characters written in the class, then any other member.
    const pick = [...new Set([...listed.filter(member), ...CANDIDATES.filter(member)])];
    if (pick.length === 0) throw new Unsupported('empty class');
    return { t: 'chars', pick };
  }
}

const MAX_EXAMPLES = 6;

/** Strings for `n`: the preferred one first, then variants (other alternatives, other counts). */
function expand(n: Node): string[] {
  switch (n.t) {
    case 'empty':
      return [''];
    case 'chars':
      return n.pick.slice(0, 2);
    case 'alt':
      return [...new Set(n.options.flatMap(expand))].slice(0, MAX_EXAMPLES);
    case 'repeat': {
      const inner = expand(n.node);
      const counts = [...new Set([Math.max(n.min, n.min === 0 && n.max > 0 ? 1 : n.min), n.min, Math.min(n.max, n.min + 2)])];
      return [...new Set(counts.map((k) => inner[0]!.repeat(k)))];
    }
    case 'seq': {
      let out = [''];
      for (const item of n.items) {
        const parts = expand(item);
        // The preferred combination first; each further item adds its variants on it.
        const next = out.map((s) => s + parts[0]!);
        for (const p of parts.slice(1)) next.push(out[0]! + p);
        out = [...new Set(next)].slice(0, MAX_EXAMPLES);
      }
      return out;
    }
  }
}

/** Strings `re` should match (best first), or null when its syntax is outside the subset. */
export function regexExamples(re: string): string[] | null {
  try {
    return expand(new Parser(re).parse());
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/**
 * Paths for a path_regex route: the regex searches the whole URL path, so an example that does not
 * start with '/' gets one in front (it cannot be a path otherwise).
 */
export function pathExamples(re: string): string[] {
  const examples = regexExamples(re) ?? [];
  return [...new Set(examples.map((e) => (e.startsWith('/') ? e : '/' + e)).filter((p) => !/[?#\s]/.test(p)))];
}
