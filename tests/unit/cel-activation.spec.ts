import { stripQuery, AttrId } from "../../assembly/cel/index";
import { serializePairs, TableActivation } from "./support/table-activation";

function text(b: ArrayBuffer | null): string {
  return b === null ? "<null>" : String.UTF8.decode(b);
}

describe("cel activation: url_path fallback", () => {
  it("strips the query and fragment from request.path", () => {
    expect<string>(text(stripQuery(String.UTF8.encode("/a/b?x=1#f")))).toBe("/a/b");
    expect<string>(text(stripQuery(String.UTF8.encode("/a#f?x")))).toBe("/a");
    expect<string>(text(stripQuery(String.UTF8.encode("?x")))).toBe("");
  });

  it("returns the same buffer when there is nothing to strip (no allocation)", () => {
    const p = String.UTF8.encode("/plain/path");
    expect<bool>(stripQuery(p) === p).toBe(true);
  });
});

describe("cel activation: pairs serialization", () => {
  it("encodes count, sizes and NUL-terminated keys/values", () => {
    const b = serializePairs(["a", "bc"], ["1", ""]);
    const p = changetype<usize>(b);
    expect<u32>(load<u32>(p)).toBe(2);
    expect<u32>(load<u32>(p + 4)).toBe(1);
    expect<u32>(load<u32>(p + 8)).toBe(1);
    expect<u32>(load<u32>(p + 12)).toBe(2);
    expect<u32>(load<u32>(p + 16)).toBe(0);
    expect<i32>(b.byteLength).toBe(4 + 16 + 2 + 2 + 3 + 1);
    expect<u8>(load<u8>(p + 20)).toBe(0x61);
    expect<u8>(load<u8>(p + 21)).toBe(0);
  });
});

describe("cel activation: caching", () => {
  it("serves repeated fetches from the cache within a round", () => {
    const act = new TableActivation().setString("request.method", "GET");
    act.reset();
    expect<string>(text(act.fetch(AttrId.RequestMethod))).toBe("GET");
    expect<string>(text(act.fetch(AttrId.RequestMethod))).toBe("GET");
    expect<i32>(act.loads).toBe(1);
    act.reset();
    act.fetch(AttrId.RequestMethod);
    expect<i32>(act.loads).toBe(2);
  });

  it("caches absent attributes as absent", () => {
    const act = new TableActivation();
    act.reset();
    expect<bool>(act.fetch(AttrId.ResponseCode) === null).toBe(true);
    expect<bool>(act.fetch(AttrId.ResponseCode) === null).toBe(true);
    expect<i32>(act.loads).toBe(1);
  });

  it("keys map entries by content, not by buffer identity", () => {
    const act = new TableActivation().setHeader("request.headers", "user", "u");
    act.reset();
    expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, String.UTF8.encode("user")))).toBe("u");
    expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, String.UTF8.encode("user")))).toBe("u");
    expect<bool>(act.fetchMapEntry(AttrId.ResponseHeaders, String.UTF8.encode("user")) === null).toBe(true);
    expect<i32>(act.loads).toBe(2);
  });

  it("ends a round: what it fetched is let go, and a later fetch loads again", () => {
    const act = new TableActivation().setString("request.url_path", "/a").setHeader("request.headers", "k", "v");
    act.reset();
    expect<string>(text(act.fetch(AttrId.RequestUrlPath))).toBe("/a");
    expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, String.UTF8.encode("k")))).toBe("v");
    act.endRound();
    expect<string>(text(act.fetch(AttrId.RequestUrlPath))).toBe("/a");
    expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, String.UTF8.encode("k")))).toBe("v");
    expect<i32>(act.loads).toBe(4);
  });

  it("rejects out-of-range attribute ids without trapping", () => {
    const act = new TableActivation();
    expect<bool>(act.fetch(-1) === null).toBe(true);
    expect<bool>(act.fetch(AttrId.COUNT) === null).toBe(true);
    expect<bool>(act.fetch(100000) === null).toBe(true);
  });

  it("survives many rounds without growing the keyed cache past the working set", () => {
    const act = new TableActivation().setFilterState("a", "1");
    const key = String.UTF8.encode("a");
    for (let i = 0; i < 1000; i++) {
      act.reset();
      expect<string>(text(act.fetchBare(key))).toBe("1");
      act.fetchBare(key);
    }
    expect<i32>(act.loads).toBe(1000);
  });

  it("indexes many distinct keyed lookups in one round (each loaded once, all found again)", () => {
    const act = new TableActivation();
    const n = 300; // past several growths of the index
    for (let i = 0; i < n; i++) act.setHeader("request.headers", "x-h" + i.toString(), "v" + i.toString());
    for (let round = 0; round < 3; round++) {
      act.reset();
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < n; i++) {
          const key = String.UTF8.encode("x-h" + i.toString()); // a fresh buffer: found by content
          expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, key))).toBe("v" + i.toString());
        }
        expect<bool>(act.fetchMapEntry(AttrId.RequestHeaders, String.UTF8.encode("x-none")) === null).toBe(true);
      }
      expect<i32>(act.loads).toBe((round + 1) * (n + 1));
    }
  });

  it("keeps the same key of different maps and bare paths apart", () => {
    const act = new TableActivation().setHeader("request.headers", "k", "req").setHeader("response.headers", "k", "resp")
      .setPath("k", "bare");
    act.reset();
    const k = String.UTF8.encode("k");
    expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, k))).toBe("req");
    expect<string>(text(act.fetchMapEntry(AttrId.ResponseHeaders, k))).toBe("resp");
    expect<string>(text(act.fetchBare(k))).toBe("bare");
    expect<string>(text(act.fetchMapEntry(AttrId.RequestHeaders, k))).toBe("req");
    expect<i32>(act.loads).toBe(3);
  });
});
