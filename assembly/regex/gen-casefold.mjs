// Generates the case-folding tables in casefold.ts from the JavaScript
// engine's Unicode data: two code points are case variants when
// /^a$/iu.test(b), which is Unicode simple case folding (CaseFolding.txt,
// statuses C and S) — the same relation RE2 uses for (?i).
//
//   node assembly/regex/gen-casefold.mjs > /tmp/tables.txt   (then paste into casefold.ts)
//
// Prints FOLD_RANGES (orbits of two, run-length encoded, three LEB128 numbers per range) and FOLD_ORBITS
// (orbits of three or more, each ending in 0).

const parent = new Map();
const find = (x) => { while (parent.get(x) !== x) { parent.set(x, parent.get(parent.get(x))); x = parent.get(x); } return x; };
const add = (x) => { if (!parent.has(x)) parent.set(x, x); };
const union = (a, b) => { add(a); add(b); const ra = find(a), rb = find(b); if (ra !== rb) parent.set(ra, rb); };

const sameUnderFold = (a, b) => new RegExp(`^\\u{${a.toString(16)}}$`, 'iu').test(String.fromCodePoint(b));
for (let c = 0; c <= 0x10ffff; c++) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  const s = String.fromCodePoint(c);
  for (const v of [s.toLowerCase(), s.toUpperCase()]) {
    const cps = [...v];
    if (cps.length !== 1) continue;
    const d = cps[0].codePointAt(0);
    if (d !== c && sameUnderFold(c, d)) union(c, d);
  }
}
// Some orbit members are reachable only through another member's mapping (e.g. ſ → S → s): close over them.
for (const c of [...parent.keys()]) {
  const s = String.fromCodePoint(c);
  for (const v of [s.toLowerCase().toUpperCase(), s.toUpperCase().toLowerCase()]) {
    const cps = [...v];
    if (cps.length === 1 && sameUnderFold(c, cps[0].codePointAt(0))) union(c, cps[0].codePointAt(0));
  }
}
const orbits = new Map();
for (const c of parent.keys()) {
  const r = find(c);
  if (!orbits.has(r)) orbits.set(r, []);
  orbits.get(r).push(c);
}
const delta = new Map(); // code point → partner - code point, for orbits of two
const big = [];
for (const members of orbits.values()) {
  members.sort((a, b) => a - b);
  if (members.length === 2) {
    delta.set(members[0], members[1] - members[0]);
    delta.set(members[1], members[0] - members[1]);
  } else {
    big.push(members);
  }
}
const cps = [...delta.keys()].sort((a, b) => a - b);
const ranges = [];
for (let i = 0; i < cps.length; ) {
  const c = cps[i];
  const d = delta.get(c);
  // Alternating pairs: c ↔ c+1 for a run of consecutive code points.
  if (d === 1 && delta.get(c + 1) === -1) {
    let j = i;
    while (j + 1 < cps.length && cps[j + 1] === cps[j] + 1 && delta.get(cps[j]) === ((cps[j] - c) % 2 === 0 ? 1 : -1)) j++;
    if (delta.get(cps[j]) !== -1) j--; // end on the second of a pair
    ranges.push([c, cps[j], (c & 1) === 0 ? 'EVEN_ODD' : 'ODD_EVEN']);
    i = j + 1;
    continue;
  }
  let j = i;
  while (j + 1 < cps.length && cps[j + 1] === cps[j] + 1 && delta.get(cps[j + 1]) === d) j++;
  ranges.push([c, cps[j], String(d)]);
  i = j + 1;
}
// Self-check: decoding the ranges must give back exactly the two-member orbits.
const decoded = new Map();
for (const [lo, hi, d] of ranges) {
  for (let c = lo; c <= hi; c++) {
    const partner = d === 'EVEN_ODD' ? c ^ 1 : d === 'ODD_EVEN' ? ((c & 1) ? c + 1 : c - 1) : c + Number(d);
    if (decoded.has(c)) throw new Error(`code point ${c} encoded twice`);
    decoded.set(c, partner);
  }
}
if (decoded.size !== delta.size) throw new Error(`encoded ${decoded.size} code points, expected ${delta.size}`);
for (const [c, d] of delta) if (decoded.get(c) !== c + d) throw new Error(`wrong partner for ${c}`);

// Compact form: a byte stream of three LEB128 numbers per range — the gap from the end of the
// previous range (lo - (previous hi + 1), from 0 for the first), hi - lo, and the partner code:
// 0 = EVEN_ODD, 1 = ODD_EVEN, else 2 + zigzag(partner - c). Most numbers take one byte, so the
// table is about half the size of three u16 per range.
const leb = (n, out) => { do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); };
const zigzag = (d) => d >= 0 ? 2 * d : -2 * d - 1;
const bytes = [];
const rows = [];
let prevEnd = 0;
for (const [lo, hi, d] of ranges) {
  const row = [];
  if (lo < prevEnd) throw new Error(`range ${lo}..${hi} not sorted`);
  leb(lo - prevEnd, row);
  leb(hi - lo, row);
  leb(d === 'EVEN_ODD' ? 0 : d === 'ODD_EVEN' ? 1 : 2 + zigzag(Number(d)), row);
  prevEnd = hi + 1;
  rows.push(row);
  bytes.push(...row);
}
// Self-check: the stream decodes to the ranges.
{
  let p = 0, start = 0;
  const next = () => { let v = 0, s = 0, b; do { b = bytes[p++]; v += (b & 0x7f) * 2 ** s; s += 7; } while (b & 0x80); return v; };
  for (const [lo, hi, d] of ranges) {
    const rlo = start + next(), rhi = rlo + next(), c = next();
    start = rhi + 1;
    const z = c - 2, dd = c === 0 ? 'EVEN_ODD' : c === 1 ? 'ODD_EVEN' : String((z & 1) ? -(z + 1) / 2 : z / 2);
    if (rlo !== lo || rhi !== hi || dd !== d) throw new Error(`range ${lo}..${hi} does not decode`);
  }
  if (p !== bytes.length) throw new Error('trailing bytes');
}
for (const m of big) for (const c of m) if (c > 0xffff || c === 0) throw new Error(`orbit member ${c} outside 1..U+FFFF`);
const hex = (n) => '0x' + n.toString(16);
console.log(`// ${ranges.length} ranges (${bytes.length} bytes), ${big.length} larger orbits (generated by gen-casefold.mjs, Unicode ${process.versions.unicode})`);
console.log('const FOLD_RANGES: StaticArray<u8> = [');
let line = '';
for (const row of rows) {
  const text = row.map(hex).join(', ') + ',';
  if (line.length + text.length + 1 > 110) { console.log('  ' + line.trimEnd()); line = ''; }
  line += text + ' ';
}
if (line) console.log('  ' + line.trimEnd());
console.log('];');
console.log('const FOLD_ORBITS: StaticArray<u16> = [');
for (const m of big.sort((a, b) => a[0] - b[0])) console.log('  ' + m.map(hex).join(', ') + ', 0,');
console.log('];');
