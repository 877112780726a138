// CEL-subset conditions for attributegen-compatible configs.
//
//   const p = compile("request.method == 'GET' && request.url_path == '/healthz'");
//   if (p === null) log(lastError()!.message);           // configure-time error, with column
//   act.reset();                                          // once per request/phase (HostActivation)
//   const r = p.evalBool(act);                            // 1 true, 0 false, -1 error
//   if (r < 0) log(p.lastErrorMessage());
//
// Compile once at configure time; evaluation does not re-parse and does not allocate on the
// normal path (see eval.ts / value.ts).

import { parse } from "./parser";
import { releaseExprs } from "./ast";
import { plan } from "./planner";
import { CelError } from "./errors";
import { EvalNode, genericMessage } from "./eval";
import { Activation } from "./activation";
import { Value, Kind, ErrorCode, kindName } from "./value";
import { FastCondition, fastFormOf, UNDECIDED } from "./fast";

export { CelError } from "./errors";
export { Activation, CachingActivation, HostActivation, stripQuery } from "./activation";
export { AttrId, AttributeInfo, findAttribute, attributeInfo } from "./attributes";
export { Value, Kind } from "./value";

let lastCompileError: CelError | null = null;

/** The error of the most recent failed `compile` (null after a successful one). */
export function lastError(): CelError | null {
  return lastCompileError;
}

// A program keeps only its evaluation tree and what it reports: not its source (the filter does
// not need it once compiled, and a configuration may hold 10⁵ conditions), nor a Value for its
// last error (the code and the node that raised it are enough for the message).
export class Program {
  /**
   * True when the condition reads anything only known after the response (response.*,
   * request.duration / request.size / request.total_size): it cannot be decided at request headers.
   */
  readonly usesResponse: bool;
  /**
   * True when the condition reads filter state (a bare identifier X = `wasm.X`, or filter_state[...]),
   * e.g. the output of an earlier generator: its value depends on when it is evaluated.
   */
  readonly usesFilterState: bool;
  /** Configure-time warnings (e.g. `x == 200` where x is a string: always false). */
  readonly warnings: string[];

  private root: EvalNode;
  /** The flat form when the condition has its shape (fast.ts): decides without the tree. */
  private fast: FastCondition | null;
  // The error of the most recent evalBool that returned -1: its code and the node that raised it.
  private lastErrCode: ErrorCode = ErrorCode.None;
  private lastErrSite: EvalNode | null = null;
  private lastNonBool: i32 = -1; // Kind of a non-bool result, or -1

  constructor(root: EvalNode, usesResponse: bool, usesFilterState: bool, warnings: string[]) {
    this.root = root;
    this.fast = fastFormOf(root);
    this.usesResponse = usesResponse;
    this.usesFilterState = usesFilterState;
    this.warnings = warnings;
  }

  /** See FastCondition#requiredValue: the value `attr` must have for this condition to hold, if any. */
  requiredValue(attr: i32): ArrayBuffer | null {
    const fast = this.fast;
    return fast !== null ? fast.requiredValue(attr) : null;
  }

  /** 1 = true, 0 = false, -1 = error (runtime error, or a non-bool result). Never traps. */
  evalBool(act: Activation): i32 {
    const fast = this.fast;
    if (fast !== null) {
      const r = fast.eval(act);
      if (r != UNDECIDED) return r;
    }
    const root = this.root;
    root.eval(act);
    const v = root.v;
    if (v.kind == Kind.Bool) return v.i != 0 ? 1 : 0;
    if (v.kind == Kind.Error) {
      this.lastErrCode = v.errCode;
      this.lastErrSite = v.errSite;
      this.lastNonBool = -1;
    } else {
      this.lastErrCode = ErrorCode.NoMatchingOverload;
      this.lastErrSite = null;
      this.lastNonBool = v.kind;
    }
    return -1;
  }

  /**
   * Evaluates and returns the result slot (owned by the program, overwritten by the next call).
   * For tests and diagnostics; the filter should use evalBool.
   */
  evalValue(act: Activation): Value {
    this.root.eval(act);
    return this.root.v;
  }

  /** Message for the most recent evalBool that returned -1 (built on demand: allocates). */
  lastErrorMessage(): string {
    if (this.lastNonBool >= 0) return "condition evaluated to " + kindName(<Kind>this.lastNonBool) + ", not bool";
    const code = this.lastErrCode;
    if (code == ErrorCode.None) return "";
    const site = this.lastErrSite;
    return site !== null ? site.describe(code) : genericMessage(code);
  }
}

/** Compiles a condition; null on error (see lastError()). Never traps on any input. */
export function compile(source: string): Program | null {
  lastCompileError = null;
  const parsed = parse(source);
  if (parsed.error !== null) {
    releaseExprs();
    lastCompileError = parsed.error;
    return null;
  }
  const planned = plan(source, parsed.expr!);
  releaseExprs(); // the syntax tree is done with (see ast.ts)
  if (planned.error !== null) {
    lastCompileError = planned.error;
    return null;
  }
  return new Program(planned.root!, planned.usesResponse, planned.usesFilterState, planned.warnings);
}
