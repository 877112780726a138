// Which conditions of one attributegen match list can hold for a request, found with one lookup.
//
// attributegen lists are often long lists of `request.method == 'GET' && request.url_path ==
// '/users'`, one per operation, and are evaluated in order until one holds: a request for the
// last operation, or for none, evaluated them all (issue 14: 100 conditions cost 4.6× the floor).
// Most of those conditions are an && of tests one of which is `A == 'literal'` for the same
// request attribute A: such a condition is false whenever A's value is another string, whatever
// its other tests (CEL: `false && error` is false, so not even an error can come of it). The index
// maps each literal to the conditions that require it; a request reads A once, looks its value up,
// and evaluates, in configuration order, only the conditions requiring that value and the ones not
// in the index. What the list answers (the first condition that holds, or the first error) is
// the same: the conditions skipped are exactly some of those that are false.
//
// A is chosen per list: the request attribute with the most distinct literals (request.url_path,
// typically). An attribute absent in a request (a host without it) means the index does not
// apply: every condition is evaluated, as without it.
import { Program, Activation } from "../cel/index";
import { AttrId } from "../cel/attributes";
import { ByteKeyTable, fnvBytes, toInt32Array } from "../routes/bytes";
import { sortAscending } from "../sort";
import { i32At } from "../unchecked";

/** Lists with fewer conditions in the index than this are evaluated in order (nothing to skip). */
const MIN_INDEXED: i32 = 4;
/** Candidate key attributes: the request's string attributes, fixed for the whole stream. */
const FIRST_KEY: i32 = AttrId.RequestPath;
const LAST_KEY: i32 = AttrId.RequestQuery;

export class ConditionIndex {
  /** Literal (UTF-8, namespace 0) → list id. */
  private literals: ByteKeyTable;
  /** The conditions requiring list id k's literal are listData[listStart[k] .. listStart[k + 1]), ascending. */
  private listData: Int32Array;
  private listStart: Int32Array;
  /** The conditions not in the index, ascending. */
  private others: Int32Array;

  // The walk of the current request (one list is evaluated at a time): the next position in
  // `others` and in the literal's list, or, when the attribute is absent, the next condition of all.
  private nextOther: i32 = 0;
  private nextListed: i32 = 0;
  private listEnd: i32 = 0;
  private nextAny: i32 = -1;

  private constructor(readonly attr: i32, private count: i32, programs: Array<Program | null>) {
    const literals = new ByteKeyTable();
    const pairs: i64[] = []; // (list id << 32 | condition), sorted into the lists
    const others: i32[] = [];
    for (let m = 0; m < count; m++) {
      const program = programs[m];
      const required = program !== null ? program.requiredValue(attr) : null;
      if (required === null) {
        others.push(m);
        continue;
      }
      const text = String.UTF8.decode(required);
      let list = literals.intern(0, text, 0, text.length, literals.size);
      if (list < 0) list = literals.size - 1;
      pairs.push((<i64>list << 32) | <i64>m);
    }
    literals.freeze();
    sortAscending(pairs);
    const lists = literals.size;
    const start = new Int32Array(lists + 1);
    const data = new Int32Array(pairs.length);
    for (let i = 0; i < pairs.length; i++) {
      const list = <i32>(pairs[i] >> 32);
      data[i] = <i32>(pairs[i] & 0xffffffff);
      start[list + 1] = i + 1;
    }
    this.literals = literals;
    this.listData = data;
    this.listStart = start;
    this.others = toInt32Array(others);
  }

  /**
   * The index of a match list (`programs` in order; null = always true), or null when no request
   * attribute is required by at least MIN_INDEXED of them with two or more distinct values.
   */
  static build(programs: Array<Program | null>): ConditionIndex | null {
    const n = programs.length;
    let best = -1;
    let bestDistinct = 1;
    for (let attr = FIRST_KEY; attr <= LAST_KEY; attr++) {
      const seen = new ByteKeyTable();
      let indexed = 0;
      for (let m = 0; m < n; m++) {
        const program = programs[m];
        const required = program !== null ? program.requiredValue(attr) : null;
        if (required === null) continue;
        indexed++;
        const text = String.UTF8.decode(required);
        seen.intern(0, text, 0, text.length, 0);
      }
      if (indexed >= MIN_INDEXED && seen.size > bestDistinct) {
        best = attr;
        bestDistinct = seen.size;
      }
    }
    return best < 0 ? null : new ConditionIndex(best, n, programs);
  }

  /**
   * Starts the walk of one request: the first condition to evaluate, -1 when none can hold.
   * Reads the key attribute through `act` (cached for the round, as the conditions read it).
   */
  first(act: Activation): i32 {
    this.nextOther = 0;
    if (!act.fetchView(this.attr)) {
      this.nextAny = 0;
      return this.next();
    }
    this.nextAny = -1;
    const ptr = act.viewPtr;
    const len = act.viewLen;
    const list = this.literals.find(0, ptr, len, fnvBytes(ptr, len));
    if (list < 0) {
      this.nextListed = this.listEnd = 0;
    } else {
      this.nextListed = i32At(this.listStart, list);
      this.listEnd = i32At(this.listStart, list + 1);
    }
    return this.next();
  }

  /** The next condition to evaluate, in configuration order; -1 at the end. */
  next(): i32 {
    const any = this.nextAny;
    if (any >= 0) {
      if (any >= this.count) return -1;
      this.nextAny = any + 1;
      return any;
    }
    const others = this.others;
    const o = this.nextOther;
    const other = o < others.length ? i32At(others, o) : i32.MAX_VALUE;
    const l = this.nextListed;
    const listed = l < this.listEnd ? i32At(this.listData, l) : i32.MAX_VALUE;
    if (other < listed) {
      this.nextOther = o + 1;
      return other;
    }
    if (listed == i32.MAX_VALUE) return -1;
    this.nextListed = l + 1;
    return listed;
  }
}
