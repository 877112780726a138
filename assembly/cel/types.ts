// Static types used by the checker. `Dyn` means "not known until evaluation" (e.g. an element of
// a heterogeneous list); operations on Dyn are accepted statically and checked at run time.

export const enum TypeKind {
  Dyn,
  Null,
  Bool,
  Int,
  Uint,
  Double,
  String,
  Bytes,
  Timestamp,
  Duration,
  List,
  Map,
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
    switch (this.kind) {
      case TypeKind.Dyn: return "dyn";
      case TypeKind.Null: return "null_type";
      case TypeKind.Bool: return "bool";
      case TypeKind.Int: return "int";
      case TypeKind.Uint: return "uint";
      case TypeKind.Double: return "double";
      case TypeKind.String: return "string";
      case TypeKind.Bytes: return "bytes";
      case TypeKind.Timestamp: return "google.protobuf.Timestamp";
      case TypeKind.Duration: return "google.protobuf.Duration";
      case TypeKind.List: return "list(" + this.elem!.toString() + ")";
      case TypeKind.Map: return "map(" + this.key!.toString() + ", " + this.elem!.toString() + ")";
    }
    return "?";
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
export const T_LIST_DYN = new CelType(TypeKind.List, T_DYN);
export const T_MAP_STRING_STRING = new CelType(TypeKind.Map, T_STRING, T_STRING);
export const T_MAP_STRING_BYTES = new CelType(TypeKind.Map, T_BYTES, T_STRING);

export function isNumeric(k: TypeKind): bool {
  return k == TypeKind.Int || k == TypeKind.Uint || k == TypeKind.Double;
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
