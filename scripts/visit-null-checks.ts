// asc transform (release target, asconfig.json): removes the null test the compiler puts before
// every `__visit` call of the garbage collector's visitors, because `__visit` makes it itself.
//
// For each managed field of each class (and each managed global), asc generates
//
//     if (local.tee $t (i32.load offset=F (local.get $this))) (call $__visit (local.get $t) (local.get $cookie))
//
// in `<Class>~visit` and `~lib/rt/__visit_globals`. The runtime's `__visit` (~lib/rt/tcms.ts)
// starts with `if (!ptr) return;`, so the test is done twice; each copy costs about 7 bytes of
// code, and there is one per managed field of every class and one per managed global (about 300
// in this module, 2 KB; issue 14, module size). This rewrites each such `if` into the bare call
//
//     (call $__visit (i32.load offset=F (local.get $this)) (local.get $cookie))
//
// after compilation and before optimisation, so the optimiser sees the smaller visitors (it
// inlines the per-class ones into `__visit_members`). Collection does the same work: a null field
// still reaches `__visit`, which returns at once.
//
// The rewrite is deliberately narrow: it only touches functions whose body is a block of
// statements of two shapes, the pattern above and calls whose operands are constants, globals or
// parameters (the `super` visitor call, the visit of a static root). A function with anything
// else is left as the compiler wrote it, so a visitor shape this file does not know costs bytes,
// never correctness. VISIT_NULL_CHECKS_REPORT=1 prints how many tests were removed.
import binaryen from 'binaryen';
import { Transform } from 'assemblyscript/transform';

/** The runtime's visit function (minimal runtime, asconfig.json `runtime: "minimal"`). */
export const VISIT = '~lib/rt/tcms/__visit';

/** The functions the compiler generates visits in: per-class visitors and the globals' visitor. */
export function isVisitor(name: string): boolean {
  return name.endsWith('~visit') || name === '~lib/rt/__visit_globals';
}

type Ref = number;

/** binaryen.js's expression setters (present at run time, missing from its type declarations). */
const Block = (binaryen as unknown as { Block: { setChildAt(block: Ref, index: number, child: Ref): void } }).Block;

/** `local.get` of a parameter, a constant or a global read: operands that read no temporary. */
function isPlainOperand(e: Ref, params: number): boolean {
  const info = binaryen.getExpressionInfo(e) as binaryen.ExpressionInfo & { index?: number };
  if (info.id === binaryen.ConstId || info.id === binaryen.GlobalGetId) return true;
  return info.id === binaryen.LocalGetId && (info.index ?? params) < params;
}

/** A call whose operands are all plain: the visitors' other statements. */
function isPlainCall(e: Ref, params: number): boolean {
  const info = binaryen.getExpressionInfo(e);
  if (info.id !== binaryen.CallId) return false;
  return (info as binaryen.CallInfo).operands.every((o) => isPlainOperand(o, params));
}

/**
 * The parts of `if (local.tee $t V) (call $__visit (local.get $t) C)`, or null: V is the visited
 * value, C the cookie operand (a plain operand).
 */
function visitTest(e: Ref, params: number): { value: Ref; cookie: Ref; temp: number } | null {
  const info = binaryen.getExpressionInfo(e);
  if (info.id !== binaryen.IfId) return null;
  const test = info as binaryen.IfInfo;
  if (test.ifFalse) return null;
  const cond = binaryen.getExpressionInfo(test.condition) as binaryen.LocalSetInfo;
  if (cond.id !== binaryen.LocalSetId || !cond.isTee || cond.index < params) return null;
  let then = test.ifTrue;
  const thenInfo = binaryen.getExpressionInfo(then);
  if (thenInfo.id === binaryen.BlockId) {
    const children = (thenInfo as binaryen.BlockInfo).children;
    if (children.length !== 1 || (thenInfo as binaryen.BlockInfo).name) return null;
    then = children[0]!;
  }
  const call = binaryen.getExpressionInfo(then) as binaryen.CallInfo;
  if (call.id !== binaryen.CallId || call.target !== VISIT || call.operands.length !== 2) return null;
  const first = binaryen.getExpressionInfo(call.operands[0]!) as binaryen.LocalGetInfo;
  if (first.id !== binaryen.LocalGetId || first.index !== cond.index) return null;
  if (!isPlainOperand(call.operands[1]!, params)) return null;
  return { value: cond.value, cookie: call.operands[1]!, temp: cond.index };
}

/**
 * Rewrites the visit tests of one function in place; returns how many it removed (0 when the
 * function is not of the known shape, which leaves it untouched).
 */
export function rewriteVisitor(module: binaryen.Module, func: binaryen.FunctionRef): number {
  const info = binaryen.getFunctionInfo(func);
  const params = binaryen.expandType(info.params).length;
  if (!info.body) return 0;
  const body = binaryen.getExpressionInfo(info.body);
  if (body.id !== binaryen.BlockId) return 0;
  const children = (body as binaryen.BlockInfo).children;
  const tests = children.map((c) => visitTest(c, params));
  // Every statement must be a visit test or a plain call: then the temporaries are read nowhere
  // but in the tests, and dropping their tees changes nothing else.
  if (!children.every((c, i) => tests[i] !== null || isPlainCall(c, params))) return 0;
  let removed = 0;
  tests.forEach((t, i) => {
    if (!t) return;
    Block.setChildAt(info.body, i, module.call(VISIT, [t.value, t.cookie], binaryen.none));
    removed++;
  });
  return removed;
}

/** Rewrites every visitor of the module; returns the number of tests removed. */
export function removeVisitNullChecks(module: binaryen.Module): number {
  let removed = 0;
  for (let i = 0, n = module.getNumFunctions(); i < n; i++) {
    const func = module.getFunctionByIndex(i);
    if (isVisitor(binaryen.getFunctionInfo(func).name)) removed += rewriteVisitor(module, func);
  }
  return removed;
}

export default class VisitNullChecks extends Transform {
  afterCompile(module: binaryen.Module): void {
    const removed = removeVisitNullChecks(module);
    if (process.env.VISIT_NULL_CHECKS_REPORT) console.error(`visit-null-checks: removed ${removed} null tests before __visit`);
  }
}
