// The path side of RequestView (one lazy scan: URL end, query range, segments) and the delimiter search, plus
// route-table cases that depend on it: literals longer than a word, segments longer than any
// literal, delimiters at every offset of an 8-byte word.
import { parseJsonString } from "../../assembly/config/json";
import { Diagnostics } from "../../assembly/config/diagnostics";
import { readNativeConfig, NativeConfig } from "../../assembly/config/native";
import { RouteTable } from "../../assembly/routes/table";
import { RequestView } from "../../assembly/routes/request";
import { findSegmentEnd, findUrlPathEnd, findQueryEnd, fnvBytes } from "../../assembly/routes/bytes";

function view(path: string): RequestView {
  const v = new RequestView();
  v.reset(String.UTF8.encode("GET"), String.UTF8.encode(path), null);
  return v;
}

function segmentText(v: RequestView, k: i32): string {
  const start = v.segmentStart(k);
  const end = v.segmentEnd(k, 64);
  return String.UTF8.decodeUnsafe(v.pathPtr + <usize>start, <usize>(end - start));
}

class Table {
  config: NativeConfig = new NativeConfig();
  table: RouteTable = new RouteTable([]);
  view: RequestView = new RequestView();
  constructor(routesJson: string) {
    const diags = new Diagnostics();
    const config = readNativeConfig(parseJsonString('{"routes": ' + routesJson + "}").value!.asObject(), diags);
    if (!diags.ok) throw new Error(diags.errors[0].toString());
    this.config = config;
    this.table = new RouteTable(config.routes);
    this.view.prepare(this.table.headerSlots, this.table.queryNames);
  }
  classify(path: string): string {
    this.view.reset(String.UTF8.encode("GET"), String.UTF8.encode(path), null);
    const r = this.table.match(this.view);
    return r < 0 ? "-" : this.config.routes[r].name;
  }
}

describe("delimiter search", () => {
  it("finds each delimiter at every offset of a word, and none past the range", () => {
    const buf = new ArrayBuffer(40);
    const p = changetype<usize>(buf);
    const delimiters: u8[] = [0x2f, 0x3f, 0x23];
    for (let d = 0; d < 3; d++) {
      for (let at = 0; at < 40; at++) {
        memory.fill(p, 0x61, 40);
        store<u8>(p + <usize>at, delimiters[d]);
        expect(findSegmentEnd(p, 0, 40)).toBe(at);
        expect(findSegmentEnd(p, 0, at)).toBe(at); // the range ends before it
        expect(findUrlPathEnd(p, 0, 40)).toBe(d == 0 ? 40 : at);
        expect(findQueryEnd(p, 0, 40)).toBe(d == 2 ? at : 40);
        if (at > 0) expect(findSegmentEnd(p, at - 1, 40)).toBe(at);
      }
    }
    memory.fill(p, 0x61, 40);
    expect(findSegmentEnd(p, 3, 37)).toBe(37);
  });
  it("does not mistake bytes one bit away from a delimiter for it", () => {
    const near: u8[] = [0x2e, 0x30, 0x3e, 0x0f, 0x1f, 0x6f, 0xaf, 0xbf, 0x22, 0x24, 0x33, 0x03, 0xa3, 0x7f, 0x2b, 0x27];
    const buf = new ArrayBuffer(near.length * 3);
    const p = changetype<usize>(buf);
    for (let i = 0; i < buf.byteLength; i++) store<u8>(p + <usize>i, near[i % near.length]);
    expect(findSegmentEnd(p, 0, buf.byteLength)).toBe(buf.byteLength);
    expect(findUrlPathEnd(p, 0, buf.byteLength)).toBe(buf.byteLength);
    expect(findQueryEnd(p, 0, buf.byteLength)).toBe(buf.byteLength);
  });
});

describe("RequestView: URL path, query and fragment by length", () => {
  it("splits at the first '?' or '#'", () => {
    expect(view("/a/b?x=1#f").urlPathLen).toBe(4);
    expect(view("/a/b#f?x=1").urlPathLen).toBe(4);
    expect(view("/a/b").urlPathLen).toBe(4);
    expect(view("").urlPathLen).toBe(0);
    expect(view("?x").urlPathLen).toBe(0);
  });
  it("gives the query range, without the fragment; none after a fragment", () => {
    const v = view("/a?x=1&y=2#frag");
    expect(v.queryStart).toBe(3);
    expect(v.queryEnd).toBe(10);
    expect(view("/a?").queryStart).toBe(3);
    expect(view("/a?").queryEnd).toBe(3);
    expect(view("/a#x?y").queryStart).toBe(-1);
    expect(view("/a#x?y").queryEnd).toBe(-1);
    expect(view("/a").queryStart).toBe(-1);
  });
  it("reads only as far as asked for a bounded prefix", () => {
    const v = view("/static/a.css?v=1");
    expect(v.urlPrefixLen(4)).toBe(4);
    expect(v.urlPrefixLen(100)).toBe(13);
    expect(v.urlPathLen).toBe(13);
    expect(view("/ab?c").urlPrefixLen(3)).toBe(3);
    expect(view("/ab?c").urlPrefixLen(4)).toBe(3);
  });
  it("agrees whichever question comes first", () => {
    const a = view("/x/yy/zzz?q#f");
    expect(segmentText(a, 0)).toBe("x");
    expect(a.urlPathLen).toBe(9);
    const b = view("/x/yy/zzz?q#f");
    expect(b.urlPathLen).toBe(9);
    expect(segmentText(b, 0)).toBe("x");
    expect(segmentText(b, 1)).toBe("yy");
    expect(segmentText(b, 2)).toBe("zzz");
    expect(b.hasSegment(3)).toBe(false);
  });
});

describe("RequestView: segments", () => {
  it("delimits segments in order, ending at '/', '?', '#' or the end", () => {
    const v = view("/users/42/?x=/a/b");
    expect(v.hasSegment(0)).toBe(true);
    expect(segmentText(v, 0)).toBe("users");
    expect(v.hasSegment(1)).toBe(true);
    expect(segmentText(v, 1)).toBe("42");
    expect(v.hasSegment(2)).toBe(true);
    expect(segmentText(v, 2)).toBe("");
    expect(v.hasSegment(3)).toBe(false);
    expect(v.urlPathLen).toBe(10);
    const root = view("/");
    expect(segmentText(root, 0)).toBe("");
    expect(root.hasSegment(1)).toBe(false);
  });
  it("hashes a segment in the same pass when it fits the limit", () => {
    const v = view("/abcdefghij/k");
    const end = v.segmentEnd(0, 10);
    expect(end).toBe(11);
    expect(v.segmentHash(0)).toBe(fnvBytes(v.pathPtr + 1, 10));
    v.segmentEnd(1, 10);
    expect(v.segmentHash(1)).toBe(fnvBytes(v.pathPtr + 12, 1));
  });
  it("finds the end of a segment longer than the limit", () => {
    const v = view("/" + "x".repeat(5000) + "/y?q");
    expect(v.segmentEnd(0, 8)).toBe(5001);
    expect(v.hasSegment(1)).toBe(true);
    expect(segmentText(v, 1)).toBe("y");
    expect(v.urlPathLen).toBe(5003);
  });
  it("grows its segment cache for deep paths and starts afresh on the next request", () => {
    const v = view("/" + "a/".repeat(40) + "end");
    for (let k = 0; k < 40; k++) expect(segmentText(v, k)).toBe("a");
    expect(segmentText(v, 40)).toBe("end");
    v.reset(String.UTF8.encode("GET"), String.UTF8.encode("/b/c"), null);
    expect(segmentText(v, 0)).toBe("b");
    expect(segmentText(v, 1)).toBe("c");
    expect(v.hasSegment(2)).toBe(false);
  });
});

const long = new Table(`[
  {"name": "long-literal", "path": "/api/abcdefghijklmnopqrstuvwxyz0123456789/items"},
  {"name": "param", "path": "/api/{id}"},
  {"name": "nested", "path": "/api/{id}/x"},
  {"name": "rest", "path": "/files/**"},
  {"name": "pre", "path_prefix": "/static/"},
  {"name": "re", "path_regex": "^/re/[a-z]+$"}]`);

describe("route table over long and odd paths", () => {
  it("matches literals longer than a word and rejects near misses", () => {
    expect(long.classify("/api/abcdefghijklmnopqrstuvwxyz0123456789/items")).toBe("long-literal");
    expect(long.classify("/api/abcdefghijklmnopqrstuvwxyz0123456789/items?q=1")).toBe("long-literal");
    expect(long.classify("/api/abcdefghijklmnopqrstuvwxyz0123456789X/items")).toBe("-");
    expect(long.classify("/api/abcdefghijklmnopqrstuvwxyz012345678/x")).toBe("nested");
  });
  it("sends a segment longer than every literal to parameters and catch-alls", () => {
    const seg = "y".repeat(70000);
    expect(long.classify("/api/" + seg)).toBe("param");
    expect(long.classify("/api/" + seg + "/x")).toBe("nested");
    expect(long.classify("/api/" + seg + "?" + seg)).toBe("param");
    expect(long.classify("/files/" + seg + "/" + seg)).toBe("rest");
    expect(long.classify("/static/" + seg)).toBe("pre");
    expect(long.classify("/re/" + "q".repeat(70000))).toBe("re");
    expect(long.classify("/re/" + "q".repeat(70000) + "?x=1")).toBe("re");
    expect(long.classify("/re/" + "q".repeat(70000) + "/")).toBe("-");
  });
  it("sees a '?' or '#' at any offset as the end of the path", () => {
    for (let n = 1; n < 20; n++) {
      const seg = "z".repeat(n);
      expect(long.classify("/api/" + seg + "?/x")).toBe("param");
      expect(long.classify("/api/" + seg + "#/x")).toBe("param");
      expect(long.classify("/api/" + seg + "/x#")).toBe("nested");
    }
  });
});
