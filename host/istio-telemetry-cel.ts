// The CEL subset Telemetry tagOverrides use, evaluated like Istio's stats filter does
// (istio/proxy istio_stats.cc MetricOverrides + envoy source/extensions/filters/common/expr):
// the value is Expr::print()ed into the label — strings and bytes raw, ints in decimal, bools
// "true"/"false", null "NULL" — and any evaluation error (missing attribute, missing map key, no
// matching overload) gives the label "unknown". Equality is heterogeneous, as in cel-cpp's default:
// filter_state['wasm.x'] == 'v' compares bytes with a string and is simply false.
//
// Supported: string/bytes/int/uint/bool/null literals; attributes request.*, response.*,
// connection.*, source.*, destination.*, upstream.*, xds.*, filter_state[...] with constant keys
// (`a.b`, `a['b']`, `a["b"]`); == != < <= > >=, && || ! (CEL's error-absorbing && and ||), + on
// strings and ints, `c ? a : b`, `'k' in <map attribute>`, has(a.b), string(), int(), size(),
// startsWith/endsWith/contains. Anything else is rejected when the Telemetry is loaded.
// Attributes that exist in Envoy but are not modelled by the host (request.time, request.duration,
// response.backend_latency, metadata, upstream_filter_state) are rejected as well.
//
// Deliberately shares no code with the filter's own CEL (assembly/cel/): this is what the Istio
// proxy evaluates around the filter, written independently so that it can serve as the oracle
// for what the filter's attributes look like in Istio's metrics.

export class CelUint {
  constructor(readonly v: bigint) {}
}
export type CelValue = string | Uint8Array | bigint | CelUint | boolean | null;

/** An evaluation error: the label becomes "unknown". */
export class CelEvalError extends Error {}

/** A syntax error or an unsupported construct, with the 1-based column. */
export class CelCompileError extends Error {
  constructor(message: string, readonly column: number) {
    super(`${message} at column ${column}`);
  }
}

/**
 * Resolves an attribute path (["request", "headers", "x-user"], also given "\0"-joined as `key`,
 * the host's property path form); undefined when absent.
 */
export type AttributeResolver = (path: readonly string[], key: string) => CelValue | undefined;

export interface CompiledCel {
  readonly source: string;
  eval(resolve: AttributeResolver): CelValue;
  /** Things Istio accepts but that always evaluate to "unknown" (e.g. a bare name in Istio ≥ 1.24). */
  readonly warnings: readonly string[];
}

export interface CelCompileOptions {
  /** Below 1.24 a bare name X reads filter_state['wasm.X'] (Istio 1.24 upgrade notes). */
  bareNamesAreWasmAttributes?: boolean;
}

// ---------------------------------------------------------------- lexer

type Tok =
  | { k: 'id'; v: string; at: number }
  | { k: 'str'; v: string; at: number }
  | { k: 'bytes'; v: Uint8Array; at: number }
  | { k: 'int'; v: bigint; at: number }
  | { k: 'uint'; v: bigint; at: number }
  | { k: 'op'; v: string; at: number }
  | { k: 'end'; at: number };

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '?', ':', '.', '[', ']', '(', ')', ',', '+', '-', '*', '/', '%', '{', '}'];

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i + 1;
    const q = /^([rRbB]{0,2})(['"])/.exec(src.slice(i, i + 3));
    if (q && (q[1] === '' || /^[a-zA-Z]/.test(c))) {
      const prefix = q[1]!.toLowerCase();
      const quote = q[2]!;
      if (src.startsWith(quote.repeat(3), i + prefix.length)) throw new CelCompileError('triple-quoted strings are not supported', at);
      i += prefix.length + 1;
      let v = '';
      for (;;) {
        if (i >= src.length) throw new CelCompileError('unterminated string', at);
        const d = src[i]!;
        if (d === quote) break;
        if (d === '\n') throw new CelCompileError('newline in string', at);
        if (d === '\\' && !prefix.includes('r')) {
          const e = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '`': '`', '?': '?', a: '\x07', b: '\b', f: '\f', v: '\v' };
          if (e !== undefined && e in map) {
            v += map[e];
            i += 2;
            continue;
          }
          throw new CelCompileError(`unsupported escape \\${e ?? ''}`, i + 1);
        }
        v += d;
        i++;
      }
      i++;
      if (prefix.includes('b')) toks.push({ k: 'bytes', v: Buffer.from(v, 'utf8'), at });
      else toks.push({ k: 'str', v, at });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)([uU])?/.exec(src.slice(i))!;
      const after = src[i + m[0].length];
      if (after === '.' || after === 'e' || after === 'E') throw new CelCompileError('double literals are not supported', at);
      toks.push({ k: m[2] ? 'uint' : 'int', v: BigInt(m[1]!), at });
      i += m[0].length;
      continue;
    }
    if (/[a-zA-Z_]/.test(c)) {
      const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i))!;
      toks.push({ k: 'id', v: m[0], at });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new CelCompileError(`unexpected character '${c}'`, at);
    toks.push({ k: 'op', v: op, at });
    i += op.length;
  }
  toks.push({ k: 'end', at: src.length + 1 });
  return toks;
}

// ---------------------------------------------------------------- parser → closures

type Node = (r: AttributeResolver) => CelValue;
/** A parsed expression: its evaluator, and its attribute path when it is a constant-key chain. */
interface Parsed {
  node: Node;
  path?: string[];
  at: number;
}

const ROOTS = new Set(['request', 'response', 'connection', 'source', 'destination', 'upstream', 'xds', 'filter_state']);
const UNMODELLED_ROOTS = new Set(['metadata', 'upstream_filter_state']);
const FIELDS: Record<string, Set<string>> = {
  request: new Set(['path', 'url_path', 'host', 'scheme', 'method', 'headers', 'referer', 'useragent', 'id', 'protocol', 'query', 'size', 'total_size', 'headers_bytes']),
  response: new Set(['code', 'code_details', 'flags', 'grpc_status', 'headers', 'trailers', 'size', 'total_size', 'headers_bytes']),
};
const UNMODELLED_FIELDS: Record<string, Set<string>> = {
  request: new Set(['time', 'duration']),
  response: new Set(['backend_latency']),
};
const MAPS = new Set(['request.headers', 'response.headers', 'response.trailers', 'filter_state']);

const RESERVED = new Set(['in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

class Parser {
  private pos = 0;
  readonly warnings: string[] = [];
  constructor(private readonly toks: Tok[], private readonly opts: CelCompileOptions) {}

  private peek(): Tok {
    return this.toks[this.pos]!;
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t.k === 'op' && t.v === v;
  }
  private isId(v: string): boolean {
    const t = this.peek();
    return t.k === 'id' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new CelCompileError(`expected '${v}'`, this.peek().at);
    this.pos++;
  }

  parseAll(): Parsed {
    const e = this.expr();
    if (this.peek().k !== 'end') throw new CelCompileError('unexpected input', this.peek().at);
    return e;
  }

  private expr(): Parsed {
    const c = this.or();
    if (!this.isOp('?')) return c;
    this.pos++;
    const t = this.or();
    this.expect(':');
    const f = this.expr();
    return {
      at: c.at,
      node: (r) => {
        const cv = c.node(r);
        if (typeof cv !== 'boolean') throw new CelEvalError('no matching overload for _?_:_');
        return cv ? t.node(r) : f.node(r);
      },
    };
  }

  private or(): Parsed {
    let l = this.and();
    while (this.isOp('||')) {
      this.pos++;
      const a = l;
      const b = this.and();
      l = { at: a.at, node: (r) => logical(a.node, b.node, r, true) };
    }
    return l;
  }

  private and(): Parsed {
    let l = this.rel();
    while (this.isOp('&&')) {
      this.pos++;
      const a = l;
      const b = this.rel();
      l = { at: a.at, node: (r) => logical(a.node, b.node, r, false) };
    }
    return l;
  }

  private rel(): Parsed {
    const l = this.add();
    const t = this.peek();
    const op = t.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v) ? t.v : t.k === 'id' && t.v === 'in' ? 'in' : undefined;
    if (!op) return l;
    this.pos++;
    const r = this.add();
    if (op === 'in') {
      if (!r.path || !MAPS.has(r.path.join('.'))) {
        throw new CelCompileError("'in' is only supported with request.headers, response.headers, response.trailers or filter_state", t.at);
      }
      const mapPath = r.path;
      return {
        at: l.at,
        node: (res) => {
          const k = l.node(res);
          if (typeof k !== 'string') throw new CelEvalError('no matching overload for @in');
          const path = [...mapPath, k];
          return res(path, path.join('\0')) !== undefined;
        },
      };
    }
    return { at: l.at, node: (res) => compare(op, l.node(res), r.node(res)) };
  }

  private add(): Parsed {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && (t.v === '*' || t.v === '/' || t.v === '%' || t.v === '-')) {
        throw new CelCompileError(`operator '${t.v}' is not supported`, t.at);
      }
      if (!this.isOp('+')) return l;
      this.pos++;
      const a = l;
      const b = this.unary();
      l = { at: a.at, node: (r) => plus(a.node(r), b.node(r)) };
    }
  }

  private unary(): Parsed {
    const t = this.peek();
    if (t.k === 'op' && t.v === '!') {
      this.pos++;
      const x = this.unary();
      return {
        at: t.at,
        node: (r) => {
          const v = x.node(r);
          if (typeof v !== 'boolean') throw new CelEvalError('no matching overload for !_');
          return !v;
        },
      };
    }
    if (t.k === 'op' && t.v === '-') {
      this.pos++;
      const n = this.peek();
      if (n.k !== 'int') throw new CelCompileError("unary '-' is only supported on int literals", t.at);
      this.pos++;
      const v = -n.v;
      return this.member({ at: t.at, node: () => v });
    }
    return this.member(this.primary());
  }

  private member(base: Parsed): Parsed {
    let cur = base;
    for (;;) {
      if (this.isOp('.')) {
        this.pos++;
        const f = this.peek();
        if (f.k !== 'id') throw new CelCompileError('expected a field name', f.at);
        this.pos++;
        if (this.isOp('(')) {
          cur = this.method(cur, f.v, f.at);
          continue;
        }
        cur = this.select(cur, f.v, f.at);
      } else if (this.isOp('[')) {
        const at = this.peek().at;
        this.pos++;
        const k = this.expr();
        this.expect(']');
        const key = this.constString(k);
        if (key === undefined) throw new CelCompileError('only constant string keys are supported in [...]', at);
        cur = this.select(cur, key, at);
      } else {
        return cur;
      }
    }
  }

  private constString(p: Parsed): string | undefined {
    if (p.path) return undefined;
    try {
      const v = p.node(() => {
        throw new Error('not constant');
      });
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  private select(base: Parsed, key: string, at: number): Parsed {
    if (!base.path) throw new CelCompileError('field selection is only supported on attributes', at);
    const path = [...base.path, key];
    this.checkPath(path, at);
    const joined = path.join('\0');
    return { at: base.at, path, node: (r) => attribute(r, path, joined) };
  }

  private checkPath(path: string[], at: number): void {
    const [root, field] = path;
    if (path.length === 2 && root && field && FIELDS[root]) {
      if (UNMODELLED_FIELDS[root]!.has(field)) throw new CelCompileError(`${root}.${field} is not modelled by the simulated host`, at);
      if (!FIELDS[root]!.has(field)) this.warnings.push(`${root}.${field} is not an Envoy attribute; it always evaluates to "unknown"`);
    }
  }

  private primary(): Parsed {
    const t = this.peek();
    this.pos++;
    switch (t.k) {
      case 'str':
      case 'bytes':
      case 'int':
        return { at: t.at, node: () => t.v };
      case 'uint': {
        const u = new CelUint(t.v);
        return { at: t.at, node: () => u };
      }
      case 'id': {
        if (t.v === 'true' || t.v === 'false') {
          const b = t.v === 'true';
          return { at: t.at, node: () => b };
        }
        if (t.v === 'null') return { at: t.at, node: () => null };
        if (this.isOp('(')) return this.call(t.v, t.at);
        if (RESERVED.has(t.v)) throw new CelCompileError(`reserved word '${t.v}'`, t.at);
        if (UNMODELLED_ROOTS.has(t.v)) throw new CelCompileError(`${t.v} is not modelled by the simulated host`, t.at);
        if (ROOTS.has(t.v)) {
          const path = [t.v];
          return { at: t.at, path, node: (r) => attribute(r, path, t.v) };
        }
        // A bare name: Istio < 1.24 read it as the Wasm attribute filter_state['wasm.<name>'];
        // from 1.24 on no such variable exists and the tag is "unknown".
        if (this.opts.bareNamesAreWasmAttributes) {
          const path = ['filter_state', `wasm.${t.v}`];
          const joined = path.join('\0');
          return { at: t.at, node: (r) => attribute(r, path, joined) };
        }
        this.warnings.push(
          `'${t.v}' is not an attribute in Istio >= 1.24 and always evaluates to "unknown"; use filter_state['wasm.${t.v}']`,
        );
        const name = t.v;
        return {
          at: t.at,
          node: () => {
            throw new CelEvalError(`No value with name "${name}" found in Activation`);
          },
        };
      }
      case 'op':
        if (t.v === '(') {
          const e = this.expr();
          this.expect(')');
          return { at: t.at, node: e.node };
        }
        throw new CelCompileError(t.v === '[' || t.v === '{' ? 'list and map literals are not supported' : `unexpected '${t.v}'`, t.at);
      default:
        throw new CelCompileError('unexpected end of expression', t.at);
    }
  }

  private args(): Parsed[] {
    this.expect('(');
    const out: Parsed[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        out.push(this.expr());
        if (!this.isOp(',')) break;
        this.pos++;
      }
    }
    this.expect(')');
    return out;
  }

  private call(fn: string, at: number): Parsed {
    const args = this.args();
    const one = (): Parsed => {
      if (args.length !== 1) throw new CelCompileError(`${fn}() takes 1 argument`, at);
      return args[0]!;
    };
    switch (fn) {
      case 'has': {
        const a = one();
        if (!a.path || a.path.length < 2) throw new CelCompileError('has() needs a field selection, e.g. has(request.headers.x)', at);
        const path = a.path;
        const joined = path.join('\0');
        return { at, node: (r) => r(path, joined) !== undefined };
      }
      case 'string': {
        const a = one();
        return { at, node: (r) => toStringValue(a.node(r)) };
      }
      case 'int': {
        const a = one();
        return { at, node: (r) => toInt(a.node(r)) };
      }
      case 'size': {
        const a = one();
        return { at, node: (r) => size(a.node(r)) };
      }
      default:
        throw new CelCompileError(`function ${fn}() is not supported`, at);
    }
  }

  private method(target: Parsed, fn: string, at: number): Parsed {
    const args = this.args();
    if (!['startsWith', 'endsWith', 'contains', 'size'].includes(fn)) {
      throw new CelCompileError(`method ${fn}() is not supported${fn === 'matches' ? ' (RE2 regexes are not evaluated by the host)' : ''}`, at);
    }
    if (fn === 'size') {
      if (args.length !== 0) throw new CelCompileError('size() takes no argument here', at);
      return { at: target.at, node: (r) => size(target.node(r)) };
    }
    if (args.length !== 1) throw new CelCompileError(`${fn}() takes 1 argument`, at);
    const arg = args[0]!;
    return {
      at: target.at,
      node: (r) => {
        const s = target.node(r);
        const x = arg.node(r);
        if (typeof s !== 'string' || typeof x !== 'string') throw new CelEvalError(`no matching overload for ${fn}`);
        return fn === 'startsWith' ? s.startsWith(x) : fn === 'endsWith' ? s.endsWith(x) : s.includes(x);
      },
    };
  }
}

// ---------------------------------------------------------------- evaluation helpers

function attribute(r: AttributeResolver, path: readonly string[], key: string): CelValue {
  const v = r(path, key);
  if (v === undefined) throw new CelEvalError(`no such attribute or key: ${path.join('.')}`);
  return v;
}

function logical(a: Node, b: Node, r: AttributeResolver, isOr: boolean): boolean {
  let av: CelValue | Error;
  try {
    av = a(r);
  } catch (e) {
    av = e as Error;
  }
  if (av === isOr) return isOr; // short circuit: true || _, false && _
  const bv = b(r);
  if (bv === isOr) return isOr; // error || true = true, error && false = false
  if (av instanceof Error) throw av;
  if (typeof av !== 'boolean' || typeof bv !== 'boolean') throw new CelEvalError(`no matching overload for ${isOr ? '_||_' : '_&&_'}`);
  return isOr ? av || bv : av && bv;
}

function kind(v: CelValue): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof CelUint) return 'uint';
  return typeof v === 'bigint' ? 'int' : typeof v;
}

/**
 * cel-cpp's heterogeneous equality (InterpreterOptions::enable_heterogeneous_equality, default on):
 * == / != across types are false / true instead of an error (so bytes == string is false), ints and
 * uints compare numerically; ordering across other types has no overload.
 */
function compare(op: string, a: CelValue, b: CelValue): boolean {
  const ka = kind(a);
  const kb = kind(b);
  const num = (v: CelValue): bigint | undefined => (typeof v === 'bigint' ? v : v instanceof CelUint ? v.v : undefined);
  if (ka !== kb) {
    const na = num(a);
    const nb = num(b);
    if (na !== undefined && nb !== undefined) return compare(op, na, nb);
    if (op === '==') return false;
    if (op === '!=') return true;
    throw new CelEvalError(`no matching overload for ${op} on ${ka}, ${kb}`);
  }
  let c: number;
  if (a instanceof Uint8Array) c = Buffer.compare(a, b as Uint8Array);
  else if (a instanceof CelUint) c = a.v === (b as CelUint).v ? 0 : a.v < (b as CelUint).v ? -1 : 1;
  else if (a === null) c = 0;
  else if (typeof a === 'string') c = Buffer.compare(Buffer.from(a), Buffer.from(b as string));
  else c = a === b ? 0 : (a as bigint | boolean) < (b as bigint | boolean) ? -1 : 1;
  if (op === '==') return c === 0;
  if (op === '!=') return c !== 0;
  if (ka === 'null') throw new CelEvalError(`no matching overload for ${op} on null`);
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function plus(a: CelValue, b: CelValue): CelValue {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const s = a + b;
    if (s !== BigInt.asIntN(64, s)) throw new CelEvalError('int overflow');
    return s;
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.concat([a, b]);
  throw new CelEvalError(`no matching overload for _+_ on ${kind(a)}, ${kind(b)}`);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function toStringValue(v: CelValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) {
    try {
      return strictUtf8.decode(v);
    } catch {
      throw new CelEvalError('invalid UTF-8 in bytes → string conversion');
    }
  }
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof CelUint) return v.v.toString();
  if (typeof v === 'boolean') return String(v);
  throw new CelEvalError(`no matching overload for string(${kind(v)})`);
}

function toInt(v: CelValue): bigint {
  if (typeof v === 'bigint') return v;
  if (v instanceof CelUint) {
    if (v.v > 2n ** 63n - 1n) throw new CelEvalError('int overflow');
    return v.v;
  }
  if (typeof v === 'string' && /^[-+]?[0-9]+$/.test(v)) {
    const n = BigInt(v);
    if (n !== BigInt.asIntN(64, n)) throw new CelEvalError('int overflow');
    return n;
  }
  throw new CelEvalError(`no matching overload for int(${kind(v)})`);
}

function size(v: CelValue): bigint {
  if (typeof v === 'string') return BigInt([...v].length);
  if (v instanceof Uint8Array) return BigInt(v.length);
  throw new CelEvalError(`no matching overload for size(${kind(v)})`);
}

const utf8 = new TextDecoder();

/** Envoy's Expr::print(): what a tag value looks like. */
export function printCelValue(v: CelValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof CelUint) return v.v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return 'NULL';
}

/** Parses `source` once; throws CelCompileError for syntax errors and unsupported constructs. */
export function compileCel(source: string, opts: CelCompileOptions = {}): CompiledCel {
  const p = new Parser(lex(source), opts);
  const parsed = p.parseAll();
  return { source, warnings: p.warnings, eval: (r) => parsed.node(r) };
}
