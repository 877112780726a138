// The memory budget of one evaluation round (every condition evaluated for one request in one
// phase shares it).
//
// Results are views, so evaluation allocates only for intermediates: string/bytes concatenation,
// computed map keys, text decoded by conversions (double('…'), duration('…'), …). Without a bound,
// a condition such as `(p + p + p + …).size() > 0` on a 1 MiB path turned one request into
// hundreds of MiB of linear memory, which a VM never gives back. So every intermediate is charged
// here and the round may use at most EVAL_BUDGET_BYTES; beyond that the node that asked gets an
// error (the condition does not match and counts as a runtime error), never a trap.
//
// Concatenation results live in a bump arena owned by the activation and reused every round, so
// steady-state evaluation allocates nothing and the arena's memory is bounded once for the VM:
// chunks grow geometrically up to the budget, never beyond (at most about twice the budget ever
// allocated, and nothing after that).

/** Bytes of intermediates one evaluation round may allocate. */
export const EVAL_BUDGET_BYTES: i32 = 1 << 20;

const FIRST_CHUNK: i32 = 256;

export class EvalBudget {
  readonly limit: i32;
  /** Bytes charged this round (arena regions and allocations made elsewhere). */
  private spent: i32 = 0;
  private chunk: ArrayBuffer | null = null;
  /** Bytes of `chunk` handed out this round. */
  private top: i32 = 0;

  constructor(limit: i32 = EVAL_BUDGET_BYTES) {
    this.limit = limit;
  }

  /** Starts a new round: everything handed out before may be overwritten. */
  reset(): void {
    this.spent = 0;
    this.top = 0;
  }

  /** Bytes charged so far this round. */
  get used(): i32 {
    return this.spent;
  }

  /**
   * Charges an allocation made elsewhere (a decoded string, a copied key). False, and nothing is
   * charged, when it would exceed the budget: the caller must then not allocate.
   */
  charge(bytes: i64): bool {
    if (bytes < 0 || bytes > <i64>(this.limit - this.spent)) return false;
    this.spent += <i32>bytes;
    return true;
  }

  /** The buffer that holds the regions handed out by the latest alloc/extend. */
  get owner(): ArrayBuffer | null {
    return this.chunk;
  }

  /** A fresh region of `len` (> 0) bytes valid until reset(); 0 when the budget does not allow it. */
  alloc(len: i32): usize {
    if (len <= 0 || !this.charge(len)) return 0;
    let chunk = this.chunk;
    if (chunk === null || chunk.byteLength - this.top < len) {
      // Regions handed out earlier this round stay valid: no collection runs within a round (one
      // host callback), and once it has ended nothing refers to the old chunk any more.
      // Room for twice the region, so a chain `a + b + c` can keep growing it in place.
      let cap = chunk !== null ? chunk.byteLength : FIRST_CHUNK;
      while (cap < 2 * len || (chunk !== null && cap <= chunk.byteLength)) cap <<= 1;
      chunk = new ArrayBuffer(min(cap, max(len, this.limit)));
      this.chunk = chunk;
      this.top = 0;
    }
    const at = changetype<usize>(chunk) + <usize>this.top;
    this.top += len;
    return at;
  }

  /**
   * Grows the region [ptr, ptr + len) in place by `extra` bytes when it is the latest region of
   * the current chunk and the budget and the chunk allow it (`a + b + c` then copies each operand
   * once). False when it cannot; nothing is charged then.
   */
  extend(ptr: usize, len: i32, extra: i32): bool {
    const chunk = this.chunk;
    if (chunk === null || extra < 0) return false;
    const base = changetype<usize>(chunk);
    if (ptr + <usize>len != base + <usize>this.top || ptr < base) return false;
    if (chunk.byteLength - this.top < extra || !this.charge(extra)) return false;
    this.top += extra;
    return true;
  }
}
