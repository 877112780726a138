// Per-configuration budgets: the matchers' caches (lazy DFA states, bit-parallel tables) and the
// compiled programs of all regexes of one configuration.
//
// Caches grow with traffic, not with the configuration: a request can warm every regex of the
// table. Each configuration's regexes therefore share one budget, so the memory they can take
// is bounded whatever the number of routes; a regex whose cache cannot grow runs on an engine
// that needs none (see index.ts). Memory is never given back (a wasm memory does not shrink),
// so the budget counts what was allocated, for the life of the configuration.

/** Bytes all caches of one configuration's regexes may allocate together. */
export const CACHE_BUDGET_BYTES: i32 = 4 * 1024 * 1024;

/**
 * Compiled instructions all regexes of one configuration may have together: 8 bytes each, next
 * to about 400 bytes per regex, so at most ~32 MiB of programs. Allows e.g. 10^5 route regexes
 * of 40 instructions (typical route regexes have 10–60), or 4·10^4 at the default per-regex
 * limit of 100. An ordinary pattern compiles to about one instruction per byte, so its program
 * costs less than the configuration's JSON; this bounds the patterns where a few bytes compile
 * to many instructions (`a{100}`).
 */
export const MAX_CONFIG_INSTRUCTIONS: i32 = 4000000;

export class CacheBudget {
  used: i32 = 0;
  /** Instructions of the programs compiled for this configuration so far. */
  instructions: i32 = 0;
  constructor(public readonly limit: i32) {}

  /** Takes `bytes` from the budget if they fit; false (nothing taken) otherwise. */
  take(bytes: i32): bool {
    if (bytes > this.limit - this.used) return false;
    this.used += bytes;
    return true;
  }
}

let current = new CacheBudget(CACHE_BUDGET_BYTES);

/** The budget that regexes compiled from now on share. */
export function currentBudget(): CacheBudget { return current; }

/** Starts a fresh budget for the regexes of a new configuration (the old one stays with its regexes). */
export function startBudget(limit: i32 = CACHE_BUDGET_BYTES): void { current = new CacheBudget(limit); }
