// duration('…') and timestamp('…') parsing, to nanoseconds. Literal arguments are parsed once by the
// planner; only computed arguments reach these at run time. All arithmetic is overflow-checked.
// Both return the nanoseconds, or NO_TIME (a value neither can produce: durations are at most
// i64.MAX_VALUE in magnitude, timestamps end at 2262) — no result object per parse.

/** The result of a parse that failed: no duration or timestamp in range is i64.MIN_VALUE. */
export const NO_TIME: i64 = i64.MIN_VALUE;

@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }

/** Duration units, two-letter ones before the one-letter ones they start with, and their nanoseconds. */
const UNITS: StaticArray<string> = ["ns", "us", "µs", "ms", "s", "m", "h"];
const UNIT_NS: StaticArray<i64> = [1, 1000, 1000, 1000000, 1000000000, 60000000000, 3600000000000];

/**
 * Go / CEL duration syntax: optional sign, then one or more `<decimal><unit>` with units
 * h, m, s, ms, us (or µs), ns; e.g. "1.5s", "-2h45m", "100ms". "0" alone is allowed.
 */
export function parseDuration(s: string): i64 {
  const n = s.length;
  // charCodeAt is -1 past the end
  const sign = s.charCodeAt(0);
  const neg = sign == 0x2d;
  let i = neg || sign == 0x2b ? 1 : 0;
  if (i == n) return NO_TIME;
  if (i == n - 1 && s.charCodeAt(i) == 0x30) return 0; // "0" alone
  let total: i64 = 0;
  while (i < n) {
    // integer part
    let whole: i64 = 0;
    let digits = 0;
    let c: i32;
    while (isDigit((c = s.charCodeAt(i)))) {
      if (whole > (i64.MAX_VALUE - 9) / 10) return NO_TIME;
      whole = whole * 10 + <i64>(c - 0x30);
      i++;
      digits++;
    }
    // fraction, kept as numerator/denominator (at most 18 digits matter)
    let frac: i64 = 0;
    let scale: i64 = 1;
    if (c == 0x2e) {
      while (isDigit((c = s.charCodeAt(++i)))) {
        if (scale < 1000000000000000000) {
          frac = frac * 10 + <i64>(c - 0x30);
          scale *= 10;
        }
        digits++;
      }
    }
    if (digits == 0) return NO_TIME;
    // unit
    let unit: i64 = 0;
    for (let k = 0; k < UNITS.length; k++) {
      const name = unchecked(UNITS[k]);
      if (s.startsWith(name, i)) {
        unit = unchecked(UNIT_NS[k]);
        i += name.length;
        break;
      }
    }
    if (unit == 0) return NO_TIME;
    if (whole > i64.MAX_VALUE / unit) return NO_TIME;
    let part = whole * unit;
    // fractional contribution: frac/scale * unit, computed without overflow (unit <= 3.6e12, frac < scale <= 1e18)
    if (frac > 0) {
      const f = <f64>frac / <f64>scale * <f64>unit;
      const add = <i64>Math.floor(f + 0.5);
      if (part > i64.MAX_VALUE - add) return NO_TIME;
      part += add;
    }
    if (total > i64.MAX_VALUE - part) return NO_TIME;
    total += part;
  }
  return neg ? -total : total;
}

function digitsAt(s: string, at: i32, count: i32): i32 {
  if (at + count > s.length) return -1;
  let v = 0;
  for (let k = 0; k < count; k++) {
    const c = s.charCodeAt(at + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/**
 * Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil). In i32:
 * years have four digits here, so every term stays within a few million.
 */
function daysFromCivil(y: i32, m: i32, d: i32): i32 {
  y -= m <= 2 ? 1 : 0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: i32, m: i32): i32 {
  if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  return 31 - ((0xa50 >> m) & 1); // bits 4, 6, 9, 11: the 30-day months
}

/** The fixed part of a timestamp: a digit where this has '0', else this character ('t' in either case). */
const STAMP = "0000-00-00t00:00:00";

/** RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM). Range: years 0001–9999 (fits int64 ns only 1678–2262). */
export function parseTimestamp(s: string): i64 {
  const n = s.length;
  const fixed = STAMP.length;
  if (n <= fixed) return NO_TIME; // a zone must follow
  for (let k = 0; k < fixed; k++) {
    const c = s.charCodeAt(k);
    const t = STAMP.charCodeAt(k);
    if (t == 0x30 ? !isDigit(c) : (t == 0x74 ? c | 0x20 : c) != t) return NO_TIME;
  }
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const se = digitsAt(s, 17, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 60) return NO_TIME;
  let i = fixed;
  let nanos: i64 = 0;
  // charCodeAt is -1 past the end
  if (s.charCodeAt(i) == 0x2e) {
    let count = 0;
    let c: i32;
    while (isDigit((c = s.charCodeAt(++i)))) {
      if (count < 9) nanos = nanos * 10 + <i64>(c - 0x30);
      count++;
    }
    if (count == 0) return NO_TIME;
    for (let k = count; k < 9; k++) nanos *= 10;
  }
  let secs = h * 3600 + mi * 60 + se; // then minus the zone's offset
  const z = s.charCodeAt(i);
  if ((z | 0x20) == 0x7a) {
    i++;
  } else if (z == 0x2b || z == 0x2d) {
    const oh = digitsAt(s, i + 1, 2);
    const om = digitsAt(s, i + 4, 2);
    if (oh < 0 || om < 0 || s.charCodeAt(i + 3) != 0x3a || oh > 23 || om > 59) return NO_TIME;
    const offset = oh * 3600 + om * 60;
    secs -= z == 0x2d ? -offset : offset;
    i += 6;
  } else {
    return NO_TIME;
  }
  if (i != n) return NO_TIME;
  const total = <i64>daysFromCivil(y, mo, d) * 86400 + <i64>secs;
  // int64 nanoseconds cover 1677-09-21 .. 2262-04-11
  if (total > i64.MAX_VALUE / 1000000000 - 1 || total < i64.MIN_VALUE / 1000000000 + 1) return NO_TIME;
  return total * 1000000000 + nanos;
}
