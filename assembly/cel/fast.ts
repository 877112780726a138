// A flat form of the most common condition shape, evaluated without the tree.
//
// attributegen configurations are mostly `request.method == 'GET' && request.url_path == '/x'`:
// an && (or ||) of tests of one string attribute against a literal. Evaluated as a tree, each test
// costs four virtual calls and three Value slot writes. Here a condition of that shape is a list
// of checks (attribute id, test, literal bytes or regex) run in one loop that compares the host's
// bytes in place: no dispatch, no slot, no decode.
//
// The fast form only ever answers true or false when the tree would: it evaluates the same
// checks in the same order (the planner's, cheapest first) and stops at the same deciding check,
// so it fetches the same attributes (same host calls). A check whose attribute is absent is an
// error in the tree; && / || absorb it when another check decides (`err && false` is false), so
// the fast form keeps going. When nothing decides and some check failed, the result is an error
// whose message names the failing node: the fast form then answers UNDECIDED and the caller runs
// the tree (errors are rare; the cached attributes make the second pass cheap).

import { Activation } from "./activation";
import { Kind, copyBytes, occursAt } from "./value";
import { EvalNode, BinaryNode, AttrNode, ConstNode, CompareNode, LogicalNode } from "./eval";
import { StringTestNode } from "./functions";
import { Op } from "./ast";
import { Regex } from "../regex/index";

/** The fast form could not decide: evaluate the tree. */
export const UNDECIDED: i32 = -2;

/** Eq, Ne in ast.ts Op order; StartsWith … Matches in StringTest order. */
const enum Test { Eq, Ne, StartsWith, EndsWith, Contains, Matches }

class Check {
  constructor(public attr: i32, public test: Test, public literal: ArrayBuffer, public regex: Regex | null) {}
}

const NO_BYTES = new ArrayBuffer(0);

export class FastCondition {
  private checks: StaticArray<Check>;
  private isAnd: bool;

  constructor(checks: Check[], isAnd: bool) {
    this.checks = StaticArray.fromArray<Check>(checks);
    this.isAnd = isAnd;
  }

  /** 1 true, 0 false, UNDECIDED when the tree must be evaluated (an error, unless absorbed). */
  eval(act: Activation): i32 {
    const checks = this.checks;
    const decisive = this.isAnd ? false : true;
    let failed = false;
    for (let i = 0; i < checks.length; i++) {
      const c = unchecked(checks[i]);
      if (!act.fetchView(c.attr)) { failed = true; continue; }
      if (holds(c, act.viewPtr, act.viewLen) == decisive) return decisive ? 1 : 0;
    }
    if (failed) return UNDECIDED;
    return decisive ? 0 : 1;
  }

  /**
   * The literal of the first `attr == literal` test when the condition is an && of tests, so that
   * it is false whenever `attr` has another value (the condition index, classify/condition-index.ts);
   * null otherwise.
   */
  requiredValue(attr: i32): ArrayBuffer | null {
    if (!this.isAnd) return null;
    const checks = this.checks;
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i];
      if (c.attr == attr && c.test == Test.Eq) return c.literal;
    }
    return null;
  }
}

function holds(c: Check, ptr: usize, len: i32): bool {
  const test = c.test;
  if (test == Test.Matches) return c.regex!.matchBytes(ptr, len);
  const lit = c.literal;
  const n = lit.byteLength;
  const lp = changetype<usize>(lit);
  // == / !=: a value of the literal's length that starts with it
  if (test <= Test.Ne) return (len == n && occursAt(ptr, len, lp, n, 0, 0)) == (test == Test.Eq);
  const from = test == Test.EndsWith ? len - n : 0;
  return occursAt(ptr, len, lp, n, from, test == Test.Contains ? len : from);
}

/** The string attribute node `n` reads, or null. */
function stringAttr(n: EvalNode): AttrNode | null {
  if (!(n instanceof AttrNode)) return null;
  const a = <AttrNode>n;
  return <i32>a.info.type.kind == <i32>Kind.String ? a : null;
}

/** The bytes of string literal `n`, copied (the fast form owns them), or null. */
function stringLiteral(n: EvalNode): ArrayBuffer | null {
  if (!(n instanceof ConstNode)) return null;
  const v = n.v;
  if (v.kind != Kind.String) return null;
  return v.len == 0 ? NO_BYTES : copyBytes(v.ptr, v.len, false);
}

/** One check for a boolean node, or null when the node is not of a supported shape. */
function checkOf(n: EvalNode): Check | null {
  // attribute == literal (either way round), attribute.startsWith/endsWith/contains(literal), attribute.matches(re)
  let test: i32 = -1;
  if (n instanceof CompareNode) test = (<CompareNode>n).op <= Op.Ne ? (<CompareNode>n).op - Op.Eq : -1; // Eq, Ne
  else if (n instanceof StringTestNode) test = Test.StartsWith + <i32>(<StringTestNode>n).op; // … Matches
  if (<u32>test > <u32>Test.Matches) return null;
  const b = <BinaryNode>n;
  const isMatches = test == Test.Matches;
  let attr = stringAttr(b.left);
  let lit = isMatches ? NO_BYTES : stringLiteral(b.right);
  if ((attr === null || lit === null) && test <= Test.Ne) {
    attr = stringAttr(b.right);
    lit = stringLiteral(b.left);
  }
  if (attr === null || lit === null) return null;
  return new Check(attr.info.id, <Test>test, lit, isMatches ? (<StringTestNode>n).regex : null);
}

/** The fast form of a planned condition, or null when it has another shape (the tree is used). */
export function fastFormOf(root: EvalNode): FastCondition | null {
  const checks: Check[] = [];
  if (root instanceof LogicalNode) {
    const l = <LogicalNode>root;
    const ops = l.operands;
    for (let i = 0; i < ops.length; i++) {
      const c = checkOf(unchecked(ops[i]));
      if (c === null) return null;
      checks.push(c);
    }
    return new FastCondition(checks, l.isAnd);
  }
  const c = checkOf(root);
  if (c === null) return null;
  checks.push(c);
  return new FastCondition(checks, true);
}
