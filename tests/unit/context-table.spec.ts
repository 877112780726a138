import { ContextTable } from "../../assembly/abi/context-table";

class Obj {
  constructor(public id: u32) {}
}

// xorshift32: deterministic pseudo-random ids and operations.
let seed: u32 = 0x2545f491;
function next(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

// The lowest id of the sliding window of open streams (closures cannot capture locals).
let window: u32 = 1;

// Ids to draw from, so that operations keep hitting the same, colliding entries.
const POOL = new StaticArray<u32>(40);

/** Runs `ops` random set/delete/get operations on ids from `pick` against a Map; returns mismatches. */
function differential(ops: i32, pick: () => u32): i32 {
  const t = new ContextTable<Obj>();
  const ref = new Map<u32, Obj>();
  let mismatches = 0;
  for (let i = 0; i < ops; i++) {
    const id = pick();
    const op = next() % 3;
    if (op == 0) {
      const o = new Obj(id);
      t.set(id, o);
      ref.set(id, o);
    } else if (op == 1) {
      const got = t.delete(id);
      const want = ref.has(id) ? ref.get(id) : null;
      if (got !== want) mismatches++;
      ref.delete(id);
    } else {
      const got = t.get(id);
      const want = ref.has(id) ? ref.get(id) : null;
      if (got !== want) mismatches++;
    }
    if (t.size != ref.size) mismatches++;
  }
  // Every id the reference still holds is found, whatever the cache holds.
  const keys = ref.keys();
  for (let i = 0; i < keys.length; i++) if (t.get(keys[i]) !== ref.get(keys[i])) mismatches++;
  return mismatches;
}

describe("ContextTable", () => {
  it("finds what was set, forgets what was deleted, replaces on a second set", () => {
    const t = new ContextTable<Obj>();
    const a = new Obj(2);
    const b = new Obj(3);
    t.set(2, a);
    t.set(3, b);
    expect(t.get(2)).toBe(a);
    expect(t.get(3)).toBe(b);
    expect(t.get(4)).toBeNull();
    const a2 = new Obj(2);
    t.set(2, a2);
    expect(t.get(2)).toBe(a2);
    expect(t.size).toBe(2);
    expect(t.delete(2)).toBe(a2);
    expect(t.get(2)).toBeNull(); // also when it was the cached id
    expect(t.delete(2)).toBeNull();
    expect(t.size).toBe(1);
  });

  it("keeps id 0 apart from the empty-slot marker", () => {
    const t = new ContextTable<Obj>();
    expect(t.get(0)).toBeNull();
    const z = new Obj(0);
    t.set(0, z);
    expect(t.get(0)).toBe(z);
    expect(t.size).toBe(1);
    expect(t.delete(0)).toBe(z);
    expect(t.get(0)).toBeNull();
  });

  it("grows with the open contexts, keeping every entry", () => {
    const t = new ContextTable<Obj>();
    for (let id: u32 = 1; id <= 10000; id++) t.set(id, new Obj(id));
    expect(t.size).toBe(10000);
    expect(t.capacity).toBeGreaterThanOrEqual(20000);
    let missing = 0;
    for (let id: u32 = 1; id <= 10000; id++) {
      const o = t.get(id);
      if (o === null || o.id != id) missing++;
    }
    expect(missing).toBe(0);
  });

  it("matches a Map under random operations: consecutive ids as Envoy allocates them", () => {
    expect(differential(200000, (): u32 => {
      window += next() % 3 == 0 ? 1 : 0;
      return window + next() % 64;
    })).toBe(0);
  });

  it("matches a Map under random operations: a few dozen random 32-bit ids (collisions, long runs, shifts back)", () => {
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < POOL.length; i++) POOL[i] = next();
      POOL[0] = 0;
      expect(differential(20000, (): u32 => POOL[next() % <u32>POOL.length])).toBe(0);
    }
  });
});
