// Evaluation nodes: the compiled form of a condition (function calls are in functions.ts).
//
// The planner (planner.ts) turns the syntax tree into a tree of these nodes once, at configure time. Each node
// owns its result slot `v` (see value.ts) and `eval()` overwrites it; parents read their children's
// slots. Nothing here allocates on the normal path: strings are views, literals and map keys are
// pre-encoded, regexes pre-compiled. What a condition must build per request (concatenations,
// computed map keys, decoded text) is charged to the round's budget (budget.ts): over it, the
// node's result is an error, so no request can make evaluation allocate more than the budget.
//
// Nothing here may trap on hostile input either: no throw, every index is bounds-checked, integer
// division and float→int conversions are guarded, and runtime failures become Error values.

import { Activation } from "./activation";
import { EvalBudget, EVAL_BUDGET_BYTES } from "./budget";
import { AttrId, AttributeInfo, ATTR_HEADER_MAP } from "./attributes";
import { CelType, T_DYN } from "./types";
import { Op, opName } from "./ast";
import {
  Value, Kind, ErrorCode, kindName, valuesEqual, compareNumeric, isNumericKind, bytesCompare,
  copyBytes,
} from "./value";

/**
 * An evaluation node. It is also its own result slot (the Value it extends: one object per node
 * rather than two, which halves what a compiled condition costs), and the site of the errors it
 * raises: it describes them later, on demand (messages are built only when asked).
 */
export abstract class EvalNode extends Value {
  type: CelType = T_DYN; // static type assigned by the planner
  /** Rough relative evaluation cost, set by the planner (used to order && / || operands). */
  cost: i32 = 1;

  /** The node's result slot: the node itself. */
  @inline get v(): Value { return this; }

  abstract eval(act: Activation): void;

  /** True when the node's value never changes (literals): lets parents precompute. */
  isConst(): bool { return false; }

  describe(code: ErrorCode): string {
    return genericMessage(code);
  }

  /** Propagates a child's error into this slot. Returns true if it did. */
  @inline protected takeError(child: EvalNode): bool {
    if (child.v.kind == Kind.Error) {
      this.v.copyFrom(child.v);
      return true;
    }
    return false;
  }

  protected fail(code: ErrorCode): void {
    this.v.setError(code, this);
  }
}

/** Messages of the error codes, indexed by ErrorCode. */
const MESSAGES: StaticArray<string> = [
  "error", "no such attribute", "no such key", "no matching overload", "integer overflow", "division by zero",
  "modulus by zero", "invalid conversion", "invalid UTF-8", "malformed attribute value from the host",
  "index out of range", "unsupported operation", "evaluation memory budget exceeded",
];

export function genericMessage(code: ErrorCode): string {
  if (code == ErrorCode.BudgetExceeded) return budgetMessage();
  return <u32>code < <u32>MESSAGES.length ? unchecked(MESSAGES[code]) : "error";
}

function budgetMessage(): string {
  return "evaluation memory budget exceeded (the intermediates of one request phase may use at most " +
    EVAL_BUDGET_BYTES.toString() + " bytes)";
}

/** `(a, b)`: the operand kinds or types in a message. */
export function pairText(a: string, b: string): string {
  return "(" + a + ", " + b + ")";
}

export function kindsOf(a: Value, b: Value): string {
  return pairText(kindName(a.kind), kindName(b.kind));
}

/** "no matching overload for 'name' applied to args": the message of a type error (also in the planner). */
export function noOverload(name: string, args: string): string {
  return "no matching overload for '" + name + "' applied to " + args;
}

/** A node with one operand; `name` (operator or function) is for messages. */
export abstract class UnaryNode extends EvalNode {
  operand: EvalNode;
  name: string;
  constructor(operand: EvalNode, name: string) {
    super();
    this.operand = operand;
    this.name = name;
  }

  /** Evaluates the operand; false when it failed (its error is then this node's result). */
  @inline protected evalOperand(act: Activation): bool {
    const o = this.operand;
    o.eval(act);
    return !this.takeError(o);
  }

  describe(code: ErrorCode): string {
    return noOverload(this.name, kindName(this.operand.v.kind));
  }
}

/**
 * A node with two operands; `name` (operator or function) is for messages. `op` is the operator
 * (Op) of `==`, `<`, `+` … (CompareNode, ArithNode), the StringTest of a StringTestNode.
 */
export abstract class BinaryNode extends EvalNode {
  left: EvalNode;
  right: EvalNode;
  name: string;
  op: i32;
  constructor(left: EvalNode, right: EvalNode, name: string, op: i32) {
    super();
    this.left = left;
    this.right = right;
    this.name = name;
    this.op = op;
  }

  /** Evaluates both operands, left first; false when one failed (its error is then this node's result). */
  @inline protected evalOperands(act: Activation): bool {
    const l = this.left;
    l.eval(act);
    if (this.takeError(l)) return false;
    const r = this.right;
    r.eval(act);
    return !this.takeError(r);
  }

  describe(code: ErrorCode): string {
    return noOverload(this.name, kindsOf(this.left.v, this.right.v));
  }
}


function noSuchAttribute(name: string): string {
  return "no such attribute '" + name + "'";
}

// ---- leaves ---------------------------------------------------------------------------------

export class ConstNode extends EvalNode {
  eval(act: Activation): void {}
  isConst(): bool { return true; }
}

/** A node reading attribute `info`. */
export abstract class AttributeNode extends EvalNode {
  info: AttributeInfo;
  constructor(info: AttributeInfo) {
    super();
    this.info = info;
  }
}

/** Scalar attribute (`request.method`, `response.code`, …): fetch (cached by the activation), then decode. */
export class AttrNode extends AttributeNode {
  eval(act: Activation): void {
    if (!act.fetchView(this.info.id)) {
      this.fail(ErrorCode.NoSuchAttribute);
      return;
    }
    decodeAttribute(this.v, this.info.type.kind, act.viewPtr, act.viewLen, this);
  }

  describe(code: ErrorCode): string {
    if (code == ErrorCode.NoSuchAttribute) return noSuchAttribute(this.info.name);
    if (code == ErrorCode.MalformedAttribute) return "attribute '" + this.info.name + "' has a malformed value";
    return genericMessage(code);
  }
}

/** Decodes Envoy's encoding of a value of static kind `kind` (see proxy-wasm-abi.md §6). */
function decodeAttribute(v: Value, kind: i32, p: usize, n: i32, site: EvalNode): void {
  switch (kind) {
    case Kind.String:
    case Kind.Bytes:
      v.setBytesView(<Kind>kind, null, p, n); // request data: valid for the round
      return;
    case Kind.Int:
    case Kind.Uint:
    case Kind.Timestamp:
    case Kind.Duration:
      if (n != 8) break;
      v.kind = <Kind>kind;
      v.i = load<i64>(p);
      return;
    case Kind.Double:
      if (n != 8) break;
      v.setDouble(load<f64>(p));
      return;
    case Kind.Bool:
      if (n != 1) break;
      v.setBool(load<u8>(p) != 0);
      return;
  }
  v.setError(ErrorCode.MalformedAttribute, site);
}

/** Presence of a whole attribute: `has(response.code)`. Never an error. */
export class AttrPresenceNode extends AttributeNode {
  eval(act: Activation): void {
    this.v.setBool(act.fetchView(this.info.id));
  }
}

/** A map attribute (`request.headers`): a lazy handle, entries are fetched by key on use. */
export class MapAttrNode extends AttributeNode {
  constructor(info: AttributeInfo) {
    super(info);
    this.v.setMap(info.id);
  }
  eval(act: Activation): void {
    this.v.setMap(this.info.id);
  }
}

/** Bare identifier (filter state `wasm.X`) or `filter_state['k']` with a literal key: one property path. */
export class PathNode extends EvalNode {
  path: ArrayBuffer;
  label: string;
  constructor(path: ArrayBuffer, label: string) {
    super();
    this.path = path;
    this.label = label;
  }
  eval(act: Activation): void {
    const buf = act.fetchBare(this.path);
    if (buf === null) {
      this.fail(ErrorCode.NoSuchAttribute);
      return;
    }
    this.v.setRequestView(Kind.Bytes, buf); // CelState default type: bytes
  }
  describe(code: ErrorCode): string {
    if (code == ErrorCode.NoSuchAttribute) return noSuchAttribute(this.label);
    return genericMessage(code);
  }
}

// ---- lists ----------------------------------------------------------------------------------

export class ListNode extends EvalNode {
  elements: EvalNode[];
  allConst: bool = true;
  constructor(elements: EvalNode[]) {
    super();
    this.elements = elements;
    for (let i = 0; i < elements.length; i++) if (!elements[i].isConst()) this.allConst = false;
    this.v.setList(this.items);
  }
  /** The list's value: its elements' slots (every node is its own slot), the same array viewed as Values. */
  @inline get items(): Value[] { return changetype<Value[]>(this.elements); }
  isConst(): bool { return this.allConst; }
  eval(act: Activation): void {
    const els = this.elements;
    for (let i = 0; i < els.length; i++) {
      const e = unchecked(els[i]);
      e.eval(act);
      if (this.takeError(e)) return;
    }
    this.v.setList(this.items); // also after an error round overwrote the slot
  }
}

// ---- map / list access ----------------------------------------------------------------------

/**
 * `operand[index]` on a map attribute or a list, also `map.field` (index = literal field name);
 * and, with `op` Op.In, `key in map` / `value in list` (left = needle, right = haystack).
 * `mapInfo` is set when the map operand is statically a map attribute; `literalKey` holds the key
 * bytes (lower-cased for header maps) when the key is a string literal.
 */
export class MapLookupNode extends BinaryNode {
  mapInfo: AttributeInfo | null;
  literalKey: ArrayBuffer | null;
  label: string; // index: source text of the operand, for messages

  /** `name` is "index" or "'in'" (for messages); `op` Op.In for `in`, else 0. */
  constructor(left: EvalNode, right: EvalNode, name: string, op: i32, mapInfo: AttributeInfo | null, literalKey: ArrayBuffer | null, label: string) {
    super(left, right, name, op);
    this.mapInfo = mapInfo;
    this.literalKey = literalKey;
    this.label = label;
  }

  eval(act: Activation): void {
    if (!this.evalOperands(act)) return;
    const lv = this.left.v;
    const rv = this.right.v;
    if (this.op == Op.In) {
      if (rv.kind == Kind.List) {
        const list = rv.list;
        if (list === null) { this.fail(ErrorCode.Unsupported); return; } // defensive: never trap
        const n = list.length;
        for (let i = 0; i < n; i++) {
          if (valuesEqual(lv, unchecked(list[i])) == 1) { this.v.setBool(true); return; }
        }
        this.v.setBool(false);
        return;
      }
      if (rv.kind == Kind.Map) {
        const found = this.lookup(act, rv, lv);
        if (found >= 0) this.v.setBool(found != 0);
        return;
      }
    } else if (lv.kind == Kind.Map) {
      if (rv.kind != Kind.String) { this.fail(ErrorCode.NoSuchKey); return; }
      if (this.lookup(act, lv, rv) == 0) this.fail(ErrorCode.NoSuchKey);
      return;
    } else if (lv.kind == Kind.List) {
      const list = lv.list;
      if (list === null) { this.fail(ErrorCode.Unsupported); return; } // defensive: never trap
      if (rv.kind != Kind.Int && rv.kind != Kind.Uint) { this.fail(ErrorCode.NoMatchingOverload); return; }
      // as unsigned, a negative int index is out of range too
      if (<u64>rv.i >= <u64>list.length) { this.fail(ErrorCode.IndexOutOfRange); return; }
      this.v.copyFrom(unchecked(list[<i32>rv.i]));
      return;
    }
    this.fail(ErrorCode.NoMatchingOverload);
  }

  /**
   * Looks `key` up in the map value `map`, writing a present entry into this node's slot:
   * 1 present, 0 absent (a non-string key is never present), -1 when this node cannot read that
   * map or the key does not fit the budget (the error is then set).
   */
  private lookup(act: Activation, map: Value, key: Value): i32 {
    const info = this.mapInfo;
    if (info === null || info.id != map.mapAttr) {
      this.fail(ErrorCode.Unsupported);
      return -1;
    }
    if (key.kind != Kind.String) return 0; // string-keyed maps: no other key matches
    let k = this.literalKey;
    if (k === null) {
      // a computed key: fresh bytes, lower-cased for header maps (Envoy matches them case-insensitively);
      // charged twice: the copy, and the property path a host fallback may build from it
      if (!act.budget.charge(2 * <i64>key.len)) {
        this.fail(ErrorCode.BudgetExceeded);
        return -1;
      }
      k = copyBytes(key.ptr, key.len, (info.flags & ATTR_HEADER_MAP) != 0);
    }
    const buf = act.fetchMapEntry(info.id, k);
    if (buf === null) return 0;
    this.v.setRequestView(info.id == AttrId.FilterState ? Kind.Bytes : Kind.String, buf);
    return 1;
  }

  describe(code: ErrorCode): string {
    // only an index raises NoSuchKey and IndexOutOfRange
    const key = this.right.v;
    if (code == ErrorCode.NoSuchKey) return "no such key " + key.toDisplay() + " in " + this.label;
    if (code == ErrorCode.IndexOutOfRange) return "index " + key.toDisplay() + " out of range in " + this.label;
    if (code == ErrorCode.NoMatchingOverload) return "no matching overload for " + this.name + " " + kindsOf(this.left.v, key);
    return genericMessage(code);
  }
}

/**
 * `has(m.f)`: evaluates the select/index node `probe` (the operand); "absent" errors raised by the
 * probe itself become false, anything else (including an error in the operand) propagates.
 */
export class HasNode extends UnaryNode {
  eval(act: Activation): void {
    const p = this.operand;
    p.eval(act);
    const pv = p.v;
    if (pv.kind == Kind.Error) {
      if (pv.errSite === p && (pv.errCode == ErrorCode.NoSuchKey || pv.errCode == ErrorCode.NoSuchAttribute)) {
        this.v.setBool(false);
      } else {
        this.v.copyFrom(pv);
      }
      return;
    }
    this.v.setBool(true);
  }
}

// ---- logic ----------------------------------------------------------------------------------

/**
 * n-ary `&&` / `||` with CEL's commutative error absorption. For `&&` a false operand decides the
 * result even if another operand failed (`err && false` == false, `false && err` == false); with no
 * deciding operand, the first error (or non-bool operand) is the result. `||` is the dual (true
 * decides). Operands run in the order the planner chose (cheapest first) and evaluation stops at
 * the first deciding operand.
 */
export class LogicalNode extends EvalNode {
  operands: StaticArray<EvalNode>; // one object, not an Array and its buffer
  isAnd: bool;
  private badOperand: EvalNode | null = null; // the non-bool operand, for the message

  constructor(operands: EvalNode[], isAnd: bool) {
    super();
    this.operands = StaticArray.fromArray<EvalNode>(operands);
    this.isAnd = isAnd;
  }

  eval(act: Activation): void {
    const ops = this.operands;
    const decisive: i64 = this.isAnd ? 0 : 1;
    let firstBad = -1;
    for (let i = 0; i < ops.length; i++) {
      const o = unchecked(ops[i]);
      o.eval(act);
      const ov = o.v;
      if (ov.kind == Kind.Bool) {
        if (ov.i == decisive) { this.v.setBool(decisive != 0); return; }
      } else if (firstBad < 0) {
        firstBad = i; // remember, but keep going: a later operand may still decide
      }
    }
    if (firstBad < 0) { this.v.setBool(decisive == 0); return; }
    const o = unchecked(ops[firstBad]);
    if (o.v.kind == Kind.Error) {
      this.v.copyFrom(o.v);
    } else {
      this.badOperand = o;
      this.fail(ErrorCode.NoMatchingOverload);
    }
  }

  describe(code: ErrorCode): string {
    const b = this.badOperand;
    return noOverload(this.isAnd ? "&&" : "||", b !== null ? kindName(b.v.kind) : "non-bool");
  }
}

/** `cond ? then : otherwise` (the operand is the condition). */
export class TernaryNode extends UnaryNode {
  then: EvalNode;
  otherwise: EvalNode;
  constructor(cond: EvalNode, then: EvalNode, otherwise: EvalNode) {
    super(cond, "_?_:_");
    this.then = then;
    this.otherwise = otherwise;
  }
  eval(act: Activation): void {
    if (!this.evalOperand(act)) return;
    const cv = this.operand.v;
    if (cv.kind != Kind.Bool) { this.fail(ErrorCode.NoMatchingOverload); return; }
    const branch = cv.i != 0 ? this.then : this.otherwise;
    branch.eval(act);
    this.v.copyFrom(branch.v);
  }
  describe(code: ErrorCode): string {
    return super.describe(code) + " condition";
  }
}

// ---- comparisons ----------------------------------------------------------------------------

/** The orderings (-1, 0, 1 → bits 0, 1, 2) that satisfy Lt, Le, Gt, Ge, three bits each. */
const ORDERINGS: u32 = 0b001 | (0b011 << 3) | (0b100 << 6) | (0b110 << 9);

/**
 * `==` / `!=` (op Eq, Ne) with CEL heterogeneous equality: different types are unequal, numbers
 * compare by value. `< <= > >=` (op Lt, Le, Gt, Ge): numbers across int/uint/double,
 * strings/bytes by bytes, bools, timestamps, durations.
 */
export class CompareNode extends BinaryNode {
  eval(act: Activation): void {
    if (!this.evalOperands(act)) return;
    const a = this.left.v;
    const b = this.right.v;
    const op = this.op;
    if (op <= Op.Ne) {
      const eq = valuesEqual(a, b);
      if (eq < 0) { this.fail(ErrorCode.Unsupported); return; } // only equality fails with Unsupported
      this.v.setBool((eq == 1) != (op == Op.Ne));
      return;
    }
    let c: i32;
    if (isNumericKind(a.kind) && isNumericKind(b.kind)) {
      c = compareNumeric(a, b);
      if (c == 2) { this.v.setBool(false); return; } // NaN: every ordering is false
    } else if (a.kind != b.kind) {
      this.fail(ErrorCode.NoMatchingOverload);
      return;
    } else if (a.kind == Kind.String || a.kind == Kind.Bytes) {
      c = bytesCompare(a, b);
    } else if (a.kind == Kind.Bool || a.kind == Kind.Timestamp || a.kind == Kind.Duration) {
      c = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    } else {
      this.fail(ErrorCode.NoMatchingOverload);
      return;
    }
    // bit c + 1 of the operator's 3 bits in ORDERINGS says whether the ordering c satisfies it
    this.v.setBool(((ORDERINGS >> (3 * (<u32>op - Op.Lt) + <u32>(c + 1))) & 1) != 0);
  }

  describe(code: ErrorCode): string {
    if (code == ErrorCode.Unsupported) return "equality is not supported for " + kindsOf(this.left.v, this.right.v);
    return super.describe(code);
  }
}

// ---- arithmetic -----------------------------------------------------------------------------

@inline function addOverflows(a: i64, b: i64, r: i64): bool { return ((a ^ r) & (b ^ r)) < 0; }
@inline function subOverflows(a: i64, b: i64, r: i64): bool { return ((a ^ b) & (a ^ r)) < 0; }

/** `+ - * / %` (op Add … Mod). */
export class ArithNode extends BinaryNode {
  eval(act: Activation): void {
    if (!this.evalOperands(act)) return;
    const a = this.left.v;
    const b = this.right.v;
    const ka = a.kind;
    if (ka == Kind.Int && b.kind == Kind.Int) { this.intOp(a.i, b.i); return; }
    if (ka == Kind.Uint && b.kind == Kind.Uint) { this.uintOp(<u64>a.i, <u64>b.i); return; }
    if (ka == Kind.Double && b.kind == Kind.Double) { this.doubleOp(a.d, b.d); return; }
    if (this.op == Op.Add && ka == b.kind && (ka == Kind.String || ka == Kind.Bytes)) { this.concat(act.budget, a, b); return; }
    this.timeOp(a, b);
  }

  intOp(a: i64, b: i64): void {
    let r: i64 = 0;
    switch (this.op) {
      case Op.Add:
        r = a + b;
        if (addOverflows(a, b, r)) { this.fail(ErrorCode.IntOverflow); return; }
        break;
      case Op.Sub:
        r = a - b;
        if (subOverflows(a, b, r)) { this.fail(ErrorCode.IntOverflow); return; }
        break;
      case Op.Mul:
        if (a == -1 || b == -1) {
          const other = a == -1 ? b : a;
          if (other == i64.MIN_VALUE) { this.fail(ErrorCode.IntOverflow); return; }
          r = -other;
        } else {
          r = a * b;
          if (b != 0 && r / b != a) { this.fail(ErrorCode.IntOverflow); return; }
        }
        break;
      case Op.Div:
        if (b == 0) { this.fail(ErrorCode.DivideByZero); return; }
        if (b == -1 && a == i64.MIN_VALUE) { this.fail(ErrorCode.IntOverflow); return; }
        r = a / b;
        break;
      case Op.Mod:
        if (b == 0) { this.fail(ErrorCode.ModulusByZero); return; }
        // as cel-go: MIN % -1 is an overflow (and must not reach the trapping wasm instruction)
        if (b == -1 && a == i64.MIN_VALUE) { this.fail(ErrorCode.IntOverflow); return; }
        r = a % b;
        break;
    }
    this.v.setInt(r);
  }

  uintOp(a: u64, b: u64): void {
    let r: u64 = 0;
    switch (this.op) {
      case Op.Add:
        r = a + b;
        if (r < a) { this.fail(ErrorCode.IntOverflow); return; }
        break;
      case Op.Sub:
        if (b > a) { this.fail(ErrorCode.IntOverflow); return; }
        r = a - b;
        break;
      case Op.Mul:
        r = a * b;
        if (a != 0 && r / a != b) { this.fail(ErrorCode.IntOverflow); return; }
        break;
      case Op.Div:
        if (b == 0) { this.fail(ErrorCode.DivideByZero); return; }
        r = a / b;
        break;
      case Op.Mod:
        if (b == 0) { this.fail(ErrorCode.ModulusByZero); return; }
        r = a % b;
        break;
    }
    this.v.setUint(r);
  }

  doubleOp(a: f64, b: f64): void {
    switch (this.op) {
      case Op.Add: this.v.setDouble(a + b); return;
      case Op.Sub: this.v.setDouble(a - b); return;
      case Op.Mul: this.v.setDouble(a * b); return;
      case Op.Div: this.v.setDouble(a / b); return; // IEEE: x/0 = ±Inf, no error in CEL
    }
    this.fail(ErrorCode.NoMatchingOverload); // no % on doubles
  }

  /**
   * String/bytes `+`, in the round's budget arena (budget.ts): a left operand that is the arena's
   * latest region grows in place, so a chain `a + b + c` copies each operand once. Over budget: error.
   */
  concat(budget: EvalBudget, a: Value, b: Value): void {
    const v = this.v;
    if (b.len == 0) { v.copyFrom(a); return; } // views: nothing to copy
    if (a.len == 0) { v.copyFrom(b); return; }
    const total = <i64>a.len + <i64>b.len;
    if (total > <i64>budget.limit) { this.fail(ErrorCode.BudgetExceeded); return; }
    if (budget.extend(a.ptr, a.len, b.len)) {
      memory.copy(a.ptr + <usize>a.len, b.ptr, <usize>b.len);
      v.setBytesView(a.kind, null, a.ptr, <i32>total); // the arena is the budget's (valid for the round)
      return;
    }
    const o = budget.alloc(<i32>total);
    if (o == 0) { this.fail(ErrorCode.BudgetExceeded); return; }
    memory.copy(o, a.ptr, <usize>a.len);
    memory.copy(o + <usize>a.len, b.ptr, <usize>b.len);
    v.setBytesView(a.kind, null, o, <i32>total);
  }

  /** timestamp ± duration, duration ± duration, timestamp - timestamp (all with overflow checks). */
  timeOp(a: Value, b: Value): void {
    const op = this.op;
    const add = op == Op.Add;
    // 0 for a timestamp, 1 for a duration
    const ta = <u32>a.kind - Kind.Timestamp;
    const tb = <u32>b.kind - Kind.Timestamp;
    // ts + ts and dur - ts do not exist
    if (ta > 1 || tb > 1 || (!add && op != Op.Sub) || (add ? ta + tb == 0 : ta > tb)) {
      this.fail(ErrorCode.NoMatchingOverload);
      return;
    }
    // dur ± dur and ts - ts are durations; ts ± dur, dur + ts timestamps
    const kind = (add ? (ta & tb) != 0 : ta == tb) ? Kind.Duration : Kind.Timestamp;
    this.intOp(a.i, b.i); // the same checked + / - on the nanoseconds
    if (this.v.kind == Kind.Int) this.v.kind = kind;
  }

  describe(code: ErrorCode): string {
    if (code == ErrorCode.NoMatchingOverload) return super.describe(code);
    return genericMessage(code) + " in '" + this.name + "'";
  }
}

/** `!x` (op Not) and `-x` (op Neg, int, double or duration). */
export class UnaryOpNode extends UnaryNode {
  op: Op;
  constructor(operand: EvalNode, op: Op) {
    super(operand, opName(op));
    this.op = op;
  }

  eval(act: Activation): void {
    if (!this.evalOperand(act)) return;
    const ov = this.operand.v;
    const k = ov.kind;
    if (this.op == Op.Not) {
      if (k == Kind.Bool) { this.v.setBool(ov.i == 0); return; }
    } else if (k == Kind.Int || k == Kind.Duration) {
      if (ov.i == i64.MIN_VALUE) { this.fail(ErrorCode.IntOverflow); return; }
      this.v.setTime(k, -ov.i);
      return;
    } else if (k == Kind.Double) {
      this.v.setDouble(-ov.d);
      return;
    }
    this.fail(ErrorCode.NoMatchingOverload);
  }

  describe(code: ErrorCode): string {
    if (this.op == Op.Not) return super.describe(code);
    if (code == ErrorCode.IntOverflow) return "integer overflow in unary '-'";
    return "no matching overload for unary '-' applied to " + kindName(this.operand.v.kind);
  }
}
