import { ByteKeyTable, fnvBytes } from "../../assembly/routes/bytes";

function lookup(t: ByteKeyTable, ns: i32, key: string): i32 {
  const b = String.UTF8.encode(key);
  return t.find(ns, changetype<usize>(b), b.byteLength, fnvBytes(changetype<usize>(b), b.byteLength));
}

describe("ByteKeyTable", () => {
  it("answers while it is built, and -1 for keys it does not hold", () => {
    const t = new ByteKeyTable();
    expect(lookup(t, 0, "users")).toBe(-1); // empty
    t.addText(0, "users", 7);
    expect(lookup(t, 0, "users")).toBe(7); // not frozen yet: the route table deduplicates keys this way
    expect(t.intern(0, "users", 0, 5, 8)).toBe(7); // present: keeps its value, adds nothing
    expect(t.size).toBe(1);
    t.freeze();
    expect(lookup(t, 0, "users")).toBe(7);
    expect(lookup(t, 0, "user")).toBe(-1);
    expect(lookup(t, 0, "users2")).toBe(-1);
    expect(lookup(t, 0, "")).toBe(-1);
  });

  it("keeps namespaces apart and compares the bytes, not only the hash", () => {
    const t = new ByteKeyTable();
    t.addText(1, "items", 10);
    t.addText(2, "items", 20);
    t.addText(1, "ïtems", 30); // non-ASCII: UTF-8 in the arena
    t.addTextRange(3, "/api/orders/", 5, 11, 40); // "orders"
    t.freeze();
    expect(lookup(t, 1, "items")).toBe(10);
    expect(lookup(t, 2, "items")).toBe(20);
    expect(lookup(t, 3, "items")).toBe(-1);
    expect(lookup(t, 1, "ïtems")).toBe(30);
    expect(lookup(t, 3, "orders")).toBe(40);
  });

  it("finds every one of 20,000 keys after freeze, and none of 20,000 others", () => {
    const t = new ByteKeyTable();
    t.reserve(20000, 20000 * 8);
    for (let i = 0; i < 20000; i++) t.addText(i % 7, "k" + i.toString(), i);
    t.freeze();
    let wrong = 0;
    for (let i = 0; i < 20000; i++) {
      if (lookup(t, i % 7, "k" + i.toString()) != i) wrong++;
      if (lookup(t, (i + 1) % 7, "k" + i.toString()) != -1) wrong++;
      if (lookup(t, i % 7, "x" + i.toString()) != -1) wrong++;
    }
    expect(wrong).toBe(0);
    expect(t.size).toBe(20000);
  });

  it("freezeWith maps each entry's value through the given table", () => {
    const t = new ByteKeyTable();
    t.addText(0, "a", 0);
    t.addText(0, "b", 1);
    const values = new Int32Array(2);
    values[0] = 100;
    values[1] = 200;
    t.freezeWith(values);
    expect(lookup(t, 0, "a")).toBe(100);
    expect(lookup(t, 0, "b")).toBe(200);
  });
});
