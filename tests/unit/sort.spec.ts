import { sortAscending, sortBy } from "../../assembly/sort";

// xorshift32: deterministic pseudo-random keys.
let seed: u32 = 0x9e3779b9;
function next(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

/** n keys from a range of `spread` values (small spreads make many equal keys), signed. */
function randomKeys(n: i32, spread: u32): i64[] {
  const a = new Array<i64>(n);
  for (let i = 0; i < n; i++) a[i] = <i64>(next() % spread) - <i64>(spread >> 1);
  return a;
}

function copy(a: i64[]): i64[] {
  return a.slice(0);
}

/** Whether a and b hold the same keys in the same order. */
function same(a: i64[], b: i64[]): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}

describe("sortAscending", () => {
  it("sorts like the standard library's sort, for lengths 0 to 200 and many repeated keys", () => {
    let mismatches = 0;
    for (let n = 0; n <= 200; n++) {
      for (let spread: u32 = 2; spread <= 2000; spread *= 10) {
        const keys = randomKeys(n, spread);
        const want = copy(keys);
        want.sort((a: i64, b: i64): i32 => (a < b ? -1 : a > b ? 1 : 0));
        sortAscending(keys);
        if (!same(keys, want)) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it("sorts keys that use all 64 bits, already sorted and reversed input", () => {
    const keys: i64[] = [i64.MAX_VALUE, 0, -1, i64.MIN_VALUE, 1 << 40, -(1 << 40), 7];
    sortAscending(keys);
    expect(same(keys, [i64.MIN_VALUE, -(1 << 40), -1, 0, 7, 1 << 40, i64.MAX_VALUE])).toBe(true);
    const up = new Array<i64>(1000);
    for (let i = 0; i < 1000; i++) up[i] = i;
    const down = new Array<i64>(1000);
    for (let i = 0; i < 1000; i++) down[i] = 999 - i;
    sortAscending(up);
    sortAscending(down);
    expect(same(up, down)).toBe(true);
    expect(down[0]).toBe(0);
    expect(down[999]).toBe(999);
  });
});

describe("sortBy", () => {
  it("sorts by the comparator: descending by the high half, ties by the low half ascending", () => {
    let mismatches = 0;
    const order = (a: i64, b: i64): i32 => {
      const ha = a >> 32, hb = b >> 32;
      if (ha != hb) return ha > hb ? -1 : 1;
      return a < b ? -1 : a > b ? 1 : 0;
    };
    for (let n = 0; n <= 120; n++) {
      const keys = new Array<i64>(n);
      for (let i = 0; i < n; i++) keys[i] = (<i64>(next() % 5) << 32) | <i64>(next() % 1000);
      const want = copy(keys);
      want.sort(order);
      sortBy(keys, order);
      if (!same(keys, want)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
