// ASCII-only case mapping. Every text this filter case-maps is ASCII by its own grammar (HTTP
// methods and header names are tokens, host names are LDH labels, CEL's special doubles are
// letters), and String#toLowerCase/#toUpperCase pull the full Unicode case-map tables (about
// 7 KB of data and 1.4 KB of code) into every worker's module for no gain. Non-ASCII code units
// pass through unchanged. The input comes back as is when nothing changes: no copy.

function mapAscii(s: string, from: u16, to: u16): string {
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = <u16>s.charCodeAt(i);
    if (c >= from && c <= to) break;
    i++;
  }
  if (i == n) return s;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const src = changetype<usize>(s);
  const dst = changetype<usize>(out);
  memory.copy(dst, src, <usize>i << 1);
  for (; i < n; i++) {
    const c = load<u16>(src + (<usize>i << 1));
    store<u16>(dst + (<usize>i << 1), c >= from && c <= to ? c ^ 0x20 : c);
  }
  return out;
}

/** `s` with A–Z mapped to a–z. */
export function asciiLower(s: string): string {
  return mapAscii(s, 0x41, 0x5a);
}

/** `s` with a–z mapped to A–Z. */
export function asciiUpper(s: string): string {
  return mapAscii(s, 0x61, 0x7a);
}
