// Robustness: random token soups and random characters must never trap (a trap kills the Envoy
// VM). Every compile either succeeds or reports an error with a column inside the source, and every
// evaluation returns -1, 0 or 1, with a message for -1.
import { compile, lastError } from "../../assembly/cel/index";
import { TableActivation } from "./support/table-activation";

let seed: u32 = 0x12345678;
function rand(n: i32): i32 {
  // xorshift32: deterministic, so failures reproduce
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return <i32>(seed % <u32>n);
}

const VOCAB: string[] = [
  "request.method", "request.url_path", "request.path", "request.headers", "request.headers['user']",
  "request.headers.user", "response.code", "response.grpc_status", "response.headers", "request.duration",
  "request.time", "filter_state", "filter_state['wasm.a']", "istio_operationId", "connection.mtls", "source.port",
  "'GET'", "\"/x\"", "'é😀'", "b'\\xff'", "r'\\d'", "''", "0", "1", "-1", "200", "9223372036854775807",
  "-9223372036854775808", "18446744073709551615u", "0u", "1.5", "-0.0", "1e308", "true", "false", "null",
  "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "-", "+", "*", "/", "%", "in", "?", ":", "(", ")", "[", "]",
  ",", ".", "{", "}", "size(", "has(", "int(", "uint(", "double(", "string(", "bytes(", "duration(", "timestamp(",
  "matches(", ".size()", ".startsWith(", ".endsWith(", ".contains(", ".matches(", "'^/a/[[:alnum:]]*$'", "'('",
  "'1s'", "'2024-01-01T00:00:00Z'", "[1, 'a', 2u]", "['GET', 'HEAD']", "x", "\\", "'", "\"", "#", "@",
];

const CHARS = "abcxyz019._-+*/%!=<>&|?:()[]{},'\"\\ \tu$^é";

function activations(): TableActivation[] {
  const full = new TableActivation()
    .setString("request.method", "GET")
    .setString("request.url_path", "/a/b1")
    .setString("request.path", "/a/b1?q")
    .setHeader("request.headers", "user", "new")
    .setHeader("request.headers", "re", "(")
    .setInt("response.code", 200)
    .setInt("response.grpc_status", 0)
    .setHeader("response.headers", "x", "1")
    .setNanos("request.duration", 1000)
    .setNanos("request.time", 0)
    .setBool("connection.mtls", false)
    .setInt("source.port", 1)
    .setFilterState("istio_operationId", "op")
    .setFilterState("a", "\u00ff");
  return [full, new TableActivation()];
}

function exercise(src: string, acts: TableActivation[]): void {
  const p = compile(src);
  if (p === null) {
    const e = lastError();
    expect<bool>(e !== null).toBe(true, "no error for failed compile: " + src);
    if (e !== null) {
      expect<bool>(e.column >= 0 && e.column <= src.length).toBe(true, "column out of range: " + src);
      expect<bool>(e.message.length > 0).toBe(true);
    }
    return;
  }
  const first: i32[] = [];
  for (let i = 0; i < acts.length; i++) {
    const act = acts[i];
    act.reset();
    const r = p.evalBool(act);
    first.push(r);
    expect<bool>(r >= -1 && r <= 1).toBe(true);
    if (r < 0) expect<bool>(p.lastErrorMessage().length > 0).toBe(true, "empty error message: " + src);
    // evaluating twice in the same round gives the same answer
    expect<i32>(p.evalBool(act)).toBe(r, "unstable result: " + src);
  }
  // and no state leaks from one round into the next (every activation again, in reverse order)
  for (let i = acts.length - 1; i >= 0; i--) {
    acts[i].reset();
    expect<i32>(p.evalBool(acts[i])).toBe(first[i], "result changed across rounds: " + src);
  }
}

describe("cel fuzz", () => {
  it("survives random token sequences", () => {
    const acts = activations();
    let compiled = 0;
    for (let n = 0; n < 2500; n++) {
      const len = 1 + rand(9);
      let src = "";
      for (let k = 0; k < len; k++) src += VOCAB[rand(VOCAB.length)] + (rand(3) == 0 ? "" : " ");
      exercise(src, acts);
      if (compile(src) !== null) compiled++;
    }
    expect<i32>(compiled).toBeGreaterThan(10); // the generator does reach the evaluator
  });

  it("survives random characters", () => {
    const acts = activations();
    for (let n = 0; n < 2000; n++) {
      const len = rand(24);
      let src = "";
      for (let k = 0; k < len; k++) src += CHARS.charAt(rand(CHARS.length));
      exercise(src, acts);
    }
  });

  it("survives structured random conditions", () => {
    const acts = activations();
    const atoms = [
      "request.method == 'GET'", "response.code >= 200", "request.headers['user'] == 'new'", "has(request.headers.nope)",
      "request.url_path.matches('^/a/[[:alnum:]]*$')", "request.headers['re'].matches('^[(]')",
      "(request.url_path + request.headers['user'] + request.path).size() > 3", "string(b'a' + b'b') == 'ab'",
      "'user' in request.headers", "int(request.headers['user']) > 1", "1 / (response.code - 200) > 0",
      "string(istio_operationId) == 'op'", "string(filter_state['wasm.a']) == 'x'", "[1, 'a'][response.code] == 1",
      "size(request.headers) > 1", "request.duration > duration('1ns')", "request.method + request.path == 'GET/a/b1?q'",
      "-9223372036854775808 - response.grpc_status < 0", "double(request.headers['user']) > 0.0",
      "'new' in ['b', request.headers['user']]", "[request.method, 1][0] == 'GET'",
    ];
    for (let n = 0; n < 1000; n++) {
      let src = atoms[rand(atoms.length)];
      const terms = rand(5);
      for (let k = 0; k < terms; k++) {
        const op = rand(3) == 0 ? " || " : " && ";
        const neg = rand(4) == 0 ? "!" : "";
        src = rand(2) == 0 ? "(" + src + ")" + op + neg + "(" + atoms[rand(atoms.length)] + ")" : src + op + atoms[rand(atoms.length)];
      }
      const p = compile(src);
      expect<bool>(p !== null).toBe(true, "structured condition should compile: " + src);
      exercise(src, acts);
    }
  });
});
