// :authority → service, for configurations with `services` (config/services.ts).
//
// Per request: the host part of :authority (port stripped, one trailing '.' of a fully qualified
// name dropped) is copied lower-cased and REVERSED into a fixed scratch area ("svc.podinfo" for
// "podinfo.svc"), hashed in the same pass. In reverse, every suffix of the host that starts at a
// '.' is a prefix of the scratch, and its hash is the running hash at that point: the wildcard
// "*.example.com" is the key ".example.com" reversed, looked up when the scan reaches that '.'.
// So one pass over at most 253 bytes finds the exact host and the longest matching wildcard, with
// one hash lookup per '.', whatever the number of services; nothing is allocated.
//
// Precedence (Gateway API hostname semantics): an exact host, else the longest wildcard suffix
// ("*.example.com" matches "a.example.com" and "a.b.example.com", never "example.com"), else the
// service without hosts (the fallback), else none. What no configured host can be goes straight to
// the fallback: an empty host, an IPv6 literal ("[::1]:8080"), a host longer than 253 bytes.
import { ByteKeyTable, FNV_OFFSET, fnvStep } from "../routes/bytes";
import { ServiceSpec, MAX_HOST_LENGTH } from "../config/services";

export const NO_SERVICE: i32 = -1;

// Namespaces of the host table.
const EXACT: i32 = 0;
const WILDCARD: i32 = 1;

/** The reversed, lower-cased host of the request being selected (never more than MAX_HOST_LENGTH bytes). */
const SCRATCH: usize = memory.data(256);

export class HostSelector {
  private table: ByteKeyTable = new ByteKeyTable();
  /** Longest wildcard key (".example.com": 12): a longer suffix is not looked up. */
  private maxWildcardLen: i32 = 0;
  private wildcards: i32 = 0;
  /** Index of the service without hosts, or NO_SERVICE. */
  fallback: i32 = NO_SERVICE;

  /** `services[i]` gets index i. Hosts are validated and distinct (config/services.ts). */
  constructor(services: ServiceSpec[]) {
    let fallback = NO_SERVICE;
    for (let s = 0; s < services.length; s++) {
      const service = services[s];
      if (service.isFallback) fallback = s;
      for (let h = 0; h < service.hosts.length; h++) {
        const host = service.hosts[h];
        if (host.startsWith("*.")) {
          const suffix = host.substring(1); // ".example.com"
          this.table.addText(WILDCARD, reversed(suffix), s);
          this.maxWildcardLen = max(this.maxWildcardLen, suffix.length);
          this.wildcards++;
        } else {
          this.table.addText(EXACT, reversed(host), s);
        }
      }
    }
    this.fallback = fallback;
    this.table.freeze();
  }

  /** The service for the :authority bytes at ptr..ptr+len. */
  select(ptr: usize, len: i32): i32 {
    const n = hostLength(ptr, len);
    if (n <= 0) return this.fallback;
    // Reverse and lower-case into the scratch area.
    for (let i = 0; i < n; i++) {
      let c = <u32>load<u8>(ptr + <usize>(n - 1 - i));
      if (c - 0x41 < 26) c |= 0x20;
      store<u8>(SCRATCH + <usize>i, <u8>c);
    }
    let h = FNV_OFFSET;
    let wildcard = NO_SERVICE;
    const lookWildcards = this.wildcards > 0;
    const limit = min(this.maxWildcardLen, n - 1); // a wildcard needs a label before its suffix
    for (let i = 0; i < n; i++) {
      const c = <u32>load<u8>(SCRATCH + <usize>i);
      h = fnvStep(h, c);
      if (c == 0x2e /* . */ && lookWildcards && i < limit) {
        // suffix = scratch[0, i + 1): a longer one found later (further left in the host) wins
        const s = this.table.find(WILDCARD, SCRATCH, i + 1, h);
        if (s >= 0) wildcard = s;
      }
    }
    const exact = this.table.find(EXACT, SCRATCH, n, h);
    if (exact >= 0) return exact;
    return wildcard >= 0 ? wildcard : this.fallback;
  }
}

/**
 * Length of the host part of an authority ("host", "host:port", "host.:port"), or 0 when no
 * configured host can be it. At most MAX_HOST_LENGTH + 2 bytes are looked at, however long the
 * authority is.
 */
function hostLength(ptr: usize, len: i32): i32 {
  if (len <= 0) return 0;
  if (load<u8>(ptr) == 0x5b /* [ */) return 0; // IPv6 literal: never a configured host
  const limit = min(len, MAX_HOST_LENGTH + 2); // the host, a trailing '.', and the ':'
  let end = 0;
  while (end < limit && load<u8>(ptr + <usize>end) != 0x3a /* : */) end++;
  if (end == limit && limit < len) return 0; // no ':' in reach: longer than any host
  if (end > 0 && load<u8>(ptr + <usize>(end - 1)) == 0x2e /* . */) end--;
  return end <= MAX_HOST_LENGTH ? end : 0;
}

/** `text` reversed (configure time; hosts are ASCII, validated). */
function reversed(text: string): string {
  const n = text.length;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const from = changetype<usize>(text);
  const to = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u16>(to + (<usize>i << 1), load<u16>(from + (<usize>(n - 1 - i) << 1)));
  return out;
}
