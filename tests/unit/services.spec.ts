// `services` (config/services.ts) and host selection (classify/hosts.ts), without a proxy host:
// configuration errors with their JSON paths, the Gateway API hostname rule, and which service an
// :authority selects (exact, case, port, IPv6, wildcards and their depth, precedence, fallback).
import { parseConfig, ParsedConfig } from "../../assembly/config/index";
import { hostError, ServiceSpec } from "../../assembly/config/services";
import { HostSelector, NO_SERVICE } from "../../assembly/classify/hosts";

function parse(json: string): ParsedConfig {
  return parseConfig(Uint8Array.wrap(String.UTF8.encode(json)));
}

function problems(json: string): string {
  const p = parse(json);
  const out: string[] = [];
  for (let i = 0; i < p.diags.errors.length; i++) out.push(p.diags.errors[i].toString());
  return out.join(" | ");
}

function warnings(json: string): string {
  const p = parse(json);
  const out: string[] = [];
  for (let i = 0; i < p.diags.warnings.length; i++) out.push(p.diags.warnings[i].toString());
  return out.join(" | ");
}

function dropped(json: string): string {
  return parse(json).diags.dropped.join(", ");
}

/** "name:host,host;name2:host" of the services kept ("-" for none). */
function kept(json: string): string {
  const services = parse(json).native!.services;
  const out: string[] = [];
  for (let i = 0; i < services.length; i++) {
    const s = services[i];
    out.push(s.name + ":" + (s.isFallback ? "*" : s.hosts.join(",")) + "(" + s.routes.length.toString() + ")");
  }
  return out.length == 0 ? "-" : out.join(";");
}

const R = '"routes": [{"name": "GET /healthz", "method": "GET", "path": "/healthz"}]';

describe("services: configuration", () => {
  it("reads services with hosts, routes, a default, and one fallback", () => {
    const json = '{"services": [{"name": "podinfo", "hosts": ["podinfo", "*.podinfo.example.com"], "default": "p other", ' + R + '},' +
      ' {"name": "rest", ' + R + '}]}';
    const p = parse(json);
    expect(p.diags.ok).toBe(true, problems(json));
    expect(p.native!.hasServices).toBe(true);
    expect(kept(json)).toBe("podinfo:podinfo,*.podinfo.example.com(1);rest:*(1)");
    expect(p.native!.services[0].defaultValue).toBe("p other");
    expect(p.native!.services[1].defaultValue).toBeNull();
    expect(p.native!.routes.length).toBe(0);
  });
  it("route names repeat across services; errors in a service's routes name their JSON path", () => {
    const json = '{"services": [{"name": "a", "hosts": ["a"], ' + R + '}, {"name": "b", "hosts": ["b"], "routes": [' +
      '{"name": "GET /healthz", "path": "/healthz"}, {"name": "x", "path": "/users/{id"}, {"name": "y", "pth": "/y", "path": "/y"}]}]}';
    expect(problems(json)).toBe("services[1].routes[1].path: unclosed '{' at column 8 | services[1].routes[2].pth: unknown field (did you mean 'path'?)");
    expect(dropped(json)).toBe("services[1].routes[1]");
    expect(kept(json)).toBe("a:a(1);b:b(2)");
  });
  it("a host claimed by two services is an error naming both JSON paths; the later claim is left out", () => {
    const json = '{"services": [{"name": "a", "hosts": ["x", "shared"], ' + R + '}, {"name": "b", "hosts": ["shared", "y"], ' + R + '}]}';
    expect(problems(json)).toBe("services[1].hosts[0]: \"shared\" is already a host of services[0] (\"a\", at services[0].hosts[1]): a host belongs to one service");
    expect(dropped(json)).toBe("services[1].hosts[0]");
    expect(kept(json)).toBe("a:x,shared(1);b:y(1)");
  });
  it("a service whose every host is left out is left out (it must not become the fallback)", () => {
    const json = '{"services": [{"name": "a", "hosts": ["x"], ' + R + '}, {"name": "b", "hosts": ["x", "Bad_Host"], ' + R + '}]}';
    expect(dropped(json)).toBe("services[1].hosts[0], services[1].hosts[1], services[1]");
    expect(kept(json)).toBe("a:x(1)");
  });
  it("the same host twice in one service is a warning", () => {
    const json = '{"services": [{"name": "a", "hosts": ["x", "x"], ' + R + '}]}';
    expect(problems(json)).toBe("");
    expect(warnings(json)).toBe("services[0].hosts[1]: \"x\" is listed twice (first at services[0].hosts[0])");
  });
  it("at most one service without hosts", () => {
    const json = '{"services": [{"name": "a", ' + R + '}, {"name": "b", "hosts": ["b"]}, {"name": "c", ' + R + '}]}';
    expect(problems(json)).toBe("services[2]: a second service without \"hosts\" (services[0], \"a\", already takes the requests no other service claims): give it hosts");
    expect(dropped(json)).toBe("services[2]");
    expect(kept(json)).toBe("a:*(1);b:b(0)");
  });
  it("a service without routes counts its requests as unmatched (warning)", () => {
    expect(warnings('{"services": [{"name": "b", "hosts": ["b"], "routes": []}]}'))
      .toBe("services[0].routes: no routes: every request of this service is unmatched");
  });
  it("service names are distinct labels, and not the label of unclaimed requests", () => {
    expect(problems('{"services": [{"name": "a", "hosts": ["a"]}, {"name": "a", "hosts": ["b"]}]}'))
      .toBe("services[1].name: \"a\" is already the name of services[0]: service names are distinct");
    expect(problems('{"services": [{"name": "a;b", "hosts": ["a"]}, {"name": "a_b", "hosts": ["b"]}]}'))
      .toBe("services[1].name: \"a_b\" and \"a;b\" (services[0]) give the same label destination_service_name=\"a_b\": their requests would share series");
    expect(problems('{"services": [{"name": "unknown", "hosts": ["a"]}]}'))
      .toBe("services[0].name: \"unknown\" is the destination_service_name of requests no service claims: rename the service");
    expect(dropped('{"services": [{"name": "a", "hosts": ["a"]}, {"name": "a", "hosts": ["b"]}]}')).toBe("services[1]");
  });
  it("a dropped service claims no host: a later service may have it", () => {
    const json = '{"services": [{"name": "", "hosts": ["a"]}, {"name": "b", "hosts": ["a"]}]}';
    expect(problems(json)).toBe("services[0].name: must not be empty");
    expect(kept(json)).toBe("b:a(0)");
  });
  it("checks shapes and types", () => {
    expect(problems('{"services": {}}')).toBe("services: must be a list, found an object");
    expect(problems('{"services": [3]}')).toBe("services[0]: must be an object like {\"name\": \"...\", \"hosts\": [...], \"routes\": [...]}, found a number");
    expect(problems('{"services": [{"hosts": ["a"]}]}')).toBe("services[0].name: is required");
    expect(problems('{"services": [{"name": "a", "hosts": "a"}]}'))
      .toBe("services[0].hosts: must be a list of host names, found a string (omit it for the service that takes the requests no other service claims)");
    expect(problems('{"services": [{"name": "a", "hosts": []}]}'))
      .toBe("services[0].hosts: must not be empty (omit it for the service that takes the requests no other service claims)");
    expect(problems('{"services": [{"name": "a", "hosts": [1]}]}')).toBe("services[0].hosts[0]: must be a host name, found a number");
    expect(problems('{"services": [{"name": "a", "hosts": ["a"], "default": ""}]}')).toBe("services[0].default: must not be empty (omit it to use the top-level default)");
    expect(problems('{"services": [{"name": "a", "host": ["a"]}]}')).toBe("services[0].host: unknown field (did you mean 'hosts'?)");
    expect(problems('{"services": [{"name": "a", "hosts": ["a"], "routes": {}}]}')).toBe("services[0].routes: must be a list, found an object");
    expect(warnings('{"services": []}')).toBe("services: no services: every request is unmatched");
  });
  it("routes and services together: the flat routes are left out", () => {
    const json = '{' + R + ', "services": [{"name": "a", ' + R + '}]}';
    expect(problems(json)).toBe("routes: \"routes\" and \"services\" cannot be combined: move these routes into a service (a service without \"hosts\" takes the requests no other service claims)");
    expect(dropped(json)).toBe("routes");
    expect(kept(json)).toBe("a:*(1)");
    expect(problems('{"services": [], "attributes": []}')).toBe("\"services\" (native form) and \"attributes\" (attributegen form) cannot be combined");
  });
});

describe("services: host names follow the Gateway API hostname rule", () => {
  it("accepts host names, IPv4-like names and a leading wildcard label", () => {
    const good = ["podinfo", "podinfo.podinfo.svc.cluster.local", "a-b.c0", "0", "10.0.0.1", "*.example.com", "*.a", "x--y.z"];
    for (let i = 0; i < good.length; i++) expect(hostError(good[i])).toBeNull(good[i]);
  });
  it("refuses what the Gateway schema's pattern refuses, saying why", () => {
    expect(hostError("")!).toBe("must not be empty");
    expect(hostError("Podinfo")!).toBe("\"Podinfo\": host names are written in lower case (Gateway API hostname; matching ignores case): use \"podinfo\"");
    expect(hostError("podinfo:9898")!).toBe("\"podinfo:9898\": hosts are matched without the port (the port of :authority is ignored): use \"podinfo\"");
    expect(hostError("[::1]")!.includes("IPv6")).toBe(true);
    expect(hostError("*")!.includes("\"*\" alone is not a host")).toBe(true);
    expect(hostError("*example.com")!).toBe("\"*example.com\": a wildcard is a whole first label, \"*.\" followed by a host name");
    expect(hostError("a.*.com")!).toBe("\"a.*.com\": '*' only as the whole first label (\"*.example.com\"), at column 3");
    expect(hostError("a..b")!).toBe("\"a..b\": empty label at column 3");
    expect(hostError("a.")!).toBe("\"a.\": empty label at column 3");
    expect(hostError(".a")!).toBe("\".a\": empty label at column 1");
    expect(hostError("-a")!).toBe("\"-a\": a label must start with a letter or digit (column 1)");
    expect(hostError("a-.b")!).toBe("\"a-.b\": a label must end with a letter or digit (column 2)");
    expect(hostError("a_b")!).toBe("\"a_b\": invalid character at column 2 (host names have letters, digits, '-' and '.')");
    expect(hostError("*.")!).toBe("\"*.\": \"*.\" must be followed by a host name");
    expect(hostError("a".repeat(254))!).toBe("is 254 characters long, more than the 253 of a host name");
    expect(hostError("a".repeat(253))).toBeNull();
  });
});

// ---- host selection ----------------------------------------------------------------------

function servicesOf(json: string): ServiceSpec[] {
  const p = parse(json);
  if (!p.diags.ok) throw new Error("fixture invalid: " + p.diags.errors[0].toString());
  return p.native!.services;
}

const shop = new HostSelector(servicesOf('{"services": [' +
  '{"name": "podinfo", "hosts": ["podinfo", "podinfo.podinfo.svc.cluster.local"]},' +
  '{"name": "example", "hosts": ["*.example.com"]},' +
  '{"name": "api", "hosts": ["*.api.example.com", "api.example.com"]},' +
  '{"name": "exact-under-wildcard", "hosts": ["special.api.example.com"]},' +
  '{"name": "v4", "hosts": ["10.0.0.1"]}]}'));

const withFallback = new HostSelector(servicesOf('{"services": [{"name": "podinfo", "hosts": ["podinfo"]}, {"name": "rest"}]}'));

function select(selector: HostSelector, authority: string): i32 {
  const bytes = String.UTF8.encode(authority);
  return selector.select(changetype<usize>(bytes), bytes.byteLength);
}

describe("services: which service an :authority selects", () => {
  it("exact names, case-insensitively, with any port stripped", () => {
    expect(select(shop, "podinfo")).toBe(0);
    expect(select(shop, "PodInfo")).toBe(0);
    expect(select(shop, "podinfo:9898")).toBe(0);
    expect(select(shop, "PODINFO.PODINFO.SVC.CLUSTER.LOCAL:80")).toBe(0);
    expect(select(shop, "podinfo.podinfo")).toBe(NO_SERVICE);
    expect(select(shop, "podinf")).toBe(NO_SERVICE);
    expect(select(shop, "podinfox")).toBe(NO_SERVICE);
    expect(select(shop, "10.0.0.1:8080")).toBe(4);
  });
  it("one trailing dot of a fully qualified name is ignored", () => {
    expect(select(shop, "podinfo.")).toBe(0);
    expect(select(shop, "podinfo.:9898")).toBe(0);
    expect(select(shop, "podinfo..")).toBe(NO_SERVICE);
  });
  it("wildcards match one or more labels in front of the suffix, never the suffix itself", () => {
    expect(select(shop, "a.example.com")).toBe(1);
    expect(select(shop, "a.b.c.example.com:443")).toBe(1);
    expect(select(shop, "A.Example.COM")).toBe(1);
    expect(select(shop, "example.com")).toBe(NO_SERVICE);
    expect(select(shop, ".example.com")).toBe(NO_SERVICE);
    expect(select(shop, "aexample.com")).toBe(NO_SERVICE);
    expect(select(shop, "example.com.evil")).toBe(NO_SERVICE);
  });
  it("exact over wildcard, longer wildcard suffix over shorter", () => {
    expect(select(shop, "api.example.com")).toBe(2); // exact, though *.example.com matches too
    expect(select(shop, "v1.api.example.com")).toBe(2); // *.api.example.com beats *.example.com
    expect(select(shop, "x.v1.api.example.com")).toBe(2);
    expect(select(shop, "special.api.example.com")).toBe(3); // exact beats *.api.example.com
    expect(select(shop, "x.special.api.example.com")).toBe(2);
    expect(select(shop, "other.example.com")).toBe(1);
  });
  it("IPv6 literals, empty and over-long hosts are claimed by no host", () => {
    expect(select(shop, "[::1]:8080")).toBe(NO_SERVICE);
    expect(select(shop, "[fe80::1]")).toBe(NO_SERVICE);
    expect(select(shop, "")).toBe(NO_SERVICE);
    expect(select(shop, ":8080")).toBe(NO_SERVICE);
    expect(select(shop, "a".repeat(300) + ".example.com")).toBe(NO_SERVICE);
    expect(select(shop, "a".repeat(241) + ".example.com")).toBe(1); // 253 bytes: still a host
    expect(select(shop, "a".repeat(242) + ".example.com")).toBe(NO_SERVICE);
  });
  it("what no host claims goes to the service without hosts", () => {
    expect(select(withFallback, "podinfo:80")).toBe(0);
    expect(select(withFallback, "other")).toBe(1);
    expect(select(withFallback, "[::1]:80")).toBe(1);
    expect(select(withFallback, "")).toBe(1);
  });
  it("garbage authorities never trap and select something valid", () => {
    let seed: u32 = 12345;
    const buf = new ArrayBuffer(600);
    for (let round = 0; round < 2000; round++) {
      seed = seed * 1103515245 + 12345;
      const len = <i32>((seed >> 8) % 600);
      for (let i = 0; i < len; i++) {
        seed = seed * 1103515245 + 12345;
        // mostly host-like bytes, so the wildcard and exact paths are exercised too
        const r = (seed >> 16) & 0xff;
        const c = r < 64 ? 0x2e : r < 128 ? 0x61 + (r % 3) : r < 140 ? 0x3a : r < 150 ? 0x5b : r;
        store<u8>(changetype<usize>(buf) + <usize>i, <u8>c);
      }
      const s = shop.select(changetype<usize>(buf), len);
      expect(s >= NO_SERVICE && s < 5).toBe(true);
    }
  });
});
