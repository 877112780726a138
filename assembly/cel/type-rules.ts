// The static typing rules of the CEL subset: which operand types an operator or conversion
// accepts and what it yields. The planner (planner.ts) applies them while it builds the
// evaluation tree; the evaluator (eval.ts, functions.ts) re-checks dyn operands at run time.

import { Op } from "./ast";
import { CelType, TypeKind, T_DYN, T_TIMESTAMP, T_DURATION } from "./types";
import { Kind } from "./value";

/** Accepted where a bool is required (dyn is checked at run time). */
export function isBoolish(t: CelType): bool { return t.kind == TypeKind.Bool || t.kind == TypeKind.Dyn; }
/** Accepted where a string is required (dyn is checked at run time). */
export function isStringish(t: CelType): bool { return t.kind == TypeKind.String || t.kind == TypeKind.Dyn; }

/**
 * The arithmetic operators defined on two operands of the same kind, indexed by kind (Dyn … Duration):
 * bit op - Op.Add. int and uint have all five, double all but %, string and bytes +, duration + and -,
 * timestamp - (giving a duration).
 */
const SAME_KIND_OPS: StaticArray<u8> = [0, 0, 0, 0x1f, 0x1f, 0x0f, 0x01, 0x01, 0x02, 0x03];

/** Arithmetic result type of `l op r`, or null when there is no such overload. */
export function arithmeticType(op: Op, lt: CelType, rt: CelType): CelType | null {
  const lk = lt.kind;
  const rk = rt.kind;
  if (lk == TypeKind.Dyn || rk == TypeKind.Dyn) {
    // dyn op T: assume T (or dyn); timestamps mix with durations, so leave those dyn
    const known = lk == TypeKind.Dyn ? rt : lt;
    return known.kind == TypeKind.Timestamp || known.kind == TypeKind.Duration ? T_DYN : known;
  }
  // bit op - Op.Add: Add Sub Mul Div Mod
  const bit = 1 << (<i32>op - <i32>Op.Add);
  if (lk == rk) {
    if (<u32>lk >= <u32>SAME_KIND_OPS.length || (unchecked(SAME_KIND_OPS[lk]) & bit) == 0) return null;
    return lk == TypeKind.Timestamp ? T_DURATION : lt; // ts - ts is a duration
  }
  // timestamp ± duration, duration + timestamp
  if (lk == TypeKind.Timestamp && rk == TypeKind.Duration) return (bit & 3) != 0 ? T_TIMESTAMP : null;
  if (lk == TypeKind.Duration && rk == TypeKind.Timestamp) return (bit & 1) != 0 ? T_TIMESTAMP : null;
  return null;
}

/**
 * The conversion functions string int uint double bytes bool duration timestamp (the planner's
 * FUNCTIONS lists their names in this order): the kind each converts to and the static argument
 * types it takes.
 */
export const CONVERSION_KINDS: StaticArray<Kind> = [
  Kind.String, Kind.Int, Kind.Uint, Kind.Double, Kind.Bytes, Kind.Bool, Kind.Duration, Kind.Timestamp,
];
export const CONVERSION_ARGS: StaticArray<u32> = [
  (1 << TypeKind.String) | (1 << TypeKind.Bytes) | (1 << TypeKind.Int) | (1 << TypeKind.Uint) | (1 << TypeKind.Double) | (1 << TypeKind.Bool),
  (1 << TypeKind.Int) | (1 << TypeKind.Uint) | (1 << TypeKind.Double) | (1 << TypeKind.String) | (1 << TypeKind.Timestamp),
  (1 << TypeKind.Int) | (1 << TypeKind.Uint) | (1 << TypeKind.Double) | (1 << TypeKind.String),
  (1 << TypeKind.Int) | (1 << TypeKind.Uint) | (1 << TypeKind.Double) | (1 << TypeKind.String),
  (1 << TypeKind.String) | (1 << TypeKind.Bytes),
  (1 << TypeKind.Bool) | (1 << TypeKind.String),
  (1 << TypeKind.String) | (1 << TypeKind.Duration),
  (1 << TypeKind.String) | (1 << TypeKind.Timestamp) | (1 << TypeKind.Int),
];
