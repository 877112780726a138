// Static types used by the planner (planner.ts, type-rules.ts). `Dyn` means "not known until evaluation" (e.g. an element of
// a heterogeneous list); operations on Dyn are accepted statically and checked at run time.

import { Kind, kindName, isNumericKind } from "./value";

/** Numbered as the runtime kinds (value.ts Kind), with Dyn in Error's place. */
export const enum TypeKind {
  Dyn = Kind.Error,
  Null = Kind.Null,
  Bool = Kind.Bool,
  Int = Kind.Int,
  Uint = Kind.Uint,
  Double = Kind.Double,
  String = Kind.String,
  Bytes = Kind.Bytes,
  Timestamp = Kind.Timestamp,
  Duration = Kind.Duration,
  List = Kind.List,
  Map = Kind.Map,
}

export class CelType {
  kind: TypeKind;
  elem: CelType | null; // List element / Map value
  key: CelType | null; // Map key
  constructor(kind: TypeKind, elem: CelType | null = null, key: CelType | null = null) {
    this.kind = kind;
    this.elem = elem;
    this.key = key;
  }

  toString(): string {
    const k = this.kind;
    if (k == TypeKind.Dyn) return "dyn";
    if (k == TypeKind.List) return "list(" + this.elem!.toString() + ")";
    if (k == TypeKind.Map) return "map(" + this.key!.toString() + ", " + this.elem!.toString() + ")";
    return kindName(<Kind>k);
  }
}

export const T_DYN = new CelType(TypeKind.Dyn);
export const T_NULL = new CelType(TypeKind.Null);
export const T_BOOL = new CelType(TypeKind.Bool);
export const T_INT = new CelType(TypeKind.Int);
export const T_UINT = new CelType(TypeKind.Uint);
export const T_DOUBLE = new CelType(TypeKind.Double);
export const T_STRING = new CelType(TypeKind.String);
export const T_BYTES = new CelType(TypeKind.Bytes);
export const T_TIMESTAMP = new CelType(TypeKind.Timestamp);
export const T_DURATION = new CelType(TypeKind.Duration);
export const T_MAP_STRING_STRING = new CelType(TypeKind.Map, T_STRING, T_STRING);
export const T_MAP_STRING_BYTES = new CelType(TypeKind.Map, T_BYTES, T_STRING);

const SCALAR_TYPES: StaticArray<CelType> = [
  T_DYN, T_NULL, T_BOOL, T_INT, T_UINT, T_DOUBLE, T_STRING, T_BYTES, T_TIMESTAMP, T_DURATION,
];

/** The static type of values of a scalar kind (Null … Duration). */
export function scalarType(k: Kind): CelType {
  return SCALAR_TYPES[k];
}

@inline export function isNumeric(k: TypeKind): bool {
  return isNumericKind(<Kind>k);
}

/** Same type for static purposes (list/map parameters compared recursively). */
export function sameType(a: CelType, b: CelType): bool {
  if (a.kind != b.kind) return false;
  if (a.kind == TypeKind.List) return sameType(a.elem!, b.elem!);
  if (a.kind == TypeKind.Map) return sameType(a.key!, b.key!) && sameType(a.elem!, b.elem!);
  return true;
}

/** The type of `c ? a : b` or of a list of a and b: their common type, else dyn. */
export function joinTypes(a: CelType, b: CelType): CelType {
  if (sameType(a, b)) return a;
  return T_DYN;
}
