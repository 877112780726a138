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

/** Arithmetic result type of `l op r`, or null when there is no such overload. */
export function arithmeticType(op: Op, lt: CelType, rt: CelType): CelType | null {
  const lk = lt.kind;
  const rk = rt.kind;
  if (lk == TypeKind.Dyn || rk == TypeKind.Dyn) {
    // dyn op T: assume T (or dyn); timestamps mix with durations, so leave those dyn
    const known = lk == TypeKind.Dyn ? rt : lt;
    return known.kind == TypeKind.Timestamp || known.kind == TypeKind.Duration ? T_DYN : known;
  }
  const add = op == Op.Add;
  const sub = op == Op.Sub;
  if (lk == rk) {
    if (lk == TypeKind.Int || lk == TypeKind.Uint) return lt;
    if (lk == TypeKind.Double) return op != Op.Mod ? lt : null;
    if (lk == TypeKind.String || lk == TypeKind.Bytes) return add ? lt : null;
    if (lk == TypeKind.Duration) return add || sub ? T_DURATION : null;
    if (lk == TypeKind.Timestamp) return sub ? T_DURATION : null;
    return null;
  }
  // timestamp ± duration, duration + timestamp
  if (lk == TypeKind.Timestamp && rk == TypeKind.Duration) return add || sub ? T_TIMESTAMP : null;
  if (lk == TypeKind.Duration && rk == TypeKind.Timestamp) return add ? T_TIMESTAMP : null;
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
