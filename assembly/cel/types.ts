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

/** The static types of the scalar kinds (Dyn, Null … Duration), indexed by kind. */
const SCALAR_TYPES = scalarTypes();

function scalarTypes(): StaticArray<CelType> {
  const t = new StaticArray<CelType>(<i32>TypeKind.Duration + 1);
  for (let k = 0; k < t.length; k++) unchecked((t[k] = new CelType(<TypeKind>k)));
  return t;
}

export const T_DYN = unchecked(SCALAR_TYPES[TypeKind.Dyn]);
export const T_BOOL = unchecked(SCALAR_TYPES[TypeKind.Bool]);
export const T_INT = unchecked(SCALAR_TYPES[TypeKind.Int]);
export const T_STRING = unchecked(SCALAR_TYPES[TypeKind.String]);
export const T_BYTES = unchecked(SCALAR_TYPES[TypeKind.Bytes]);
export const T_TIMESTAMP = unchecked(SCALAR_TYPES[TypeKind.Timestamp]);
export const T_DURATION = unchecked(SCALAR_TYPES[TypeKind.Duration]);
export const T_MAP_STRING_STRING = new CelType(TypeKind.Map, T_STRING, T_STRING);
export const T_MAP_STRING_BYTES = new CelType(TypeKind.Map, T_BYTES, T_STRING);

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
