// duration('…') and timestamp('…') parsing, to nanoseconds. Literal arguments are parsed once by the
// planner; only computed arguments reach these at run time. All arithmetic is overflow-checked.

export class TimeParse {
  ok: bool = false;
  value: i64 = 0;
}

function failed(): TimeParse {
  return new TimeParse();
}

function success(v: i64): TimeParse {
  const r = new TimeParse();
  r.ok = true;
  r.value = v;
  return r;
}

@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }

/**
 * Go / CEL duration syntax: optional sign, then one or more `<decimal><unit>` with units
 * h, m, s, ms, us (or µs), ns; e.g. "1.5s", "-2h45m", "100ms". "0" alone is allowed.
 */
export function parseDuration(s: string): TimeParse {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (i < n && (s.charCodeAt(i) == 0x2d || s.charCodeAt(i) == 0x2b)) {
    neg = s.charCodeAt(i) == 0x2d;
    i++;
  }
  if (i == n) return failed();
  if (s.substring(i) == "0") return success(0);
  let total: i64 = 0;
  while (i < n) {
    // integer part
    let whole: i64 = 0;
    let digits = 0;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (whole > (i64.MAX_VALUE - 9) / 10) return failed();
      whole = whole * 10 + <i64>(s.charCodeAt(i) - 0x30);
      i++;
      digits++;
    }
    // fraction, kept as numerator/denominator (at most 18 digits matter)
    let frac: i64 = 0;
    let scale: i64 = 1;
    if (i < n && s.charCodeAt(i) == 0x2e) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) {
        if (scale < 1000000000000000000) {
          frac = frac * 10 + <i64>(s.charCodeAt(i) - 0x30);
          scale *= 10;
        }
        i++;
        digits++;
      }
    }
    if (digits == 0) return failed();
    // unit
    let unit: i64 = 0;
    if (s.startsWith("ns", i)) { unit = 1; i += 2; }
    else if (s.startsWith("us", i)) { unit = 1000; i += 2; }
    else if (s.startsWith("µs", i)) { unit = 1000; i += 2; }
    else if (s.startsWith("ms", i)) { unit = 1000000; i += 2; }
    else if (s.startsWith("s", i)) { unit = 1000000000; i += 1; }
    else if (s.startsWith("m", i)) { unit = 60000000000; i += 1; }
    else if (s.startsWith("h", i)) { unit = 3600000000000; i += 1; }
    else return failed();
    if (whole > i64.MAX_VALUE / unit) return failed();
    let part = whole * unit;
    // fractional contribution: frac/scale * unit, computed without overflow (unit <= 3.6e12, frac < scale <= 1e18)
    if (frac > 0) {
      const f = <f64>frac / <f64>scale * <f64>unit;
      const add = <i64>Math.floor(f + 0.5);
      if (part > i64.MAX_VALUE - add) return failed();
      part += add;
    }
    if (total > i64.MAX_VALUE - part) return failed();
    total += part;
  }
  return success(neg ? -total : total);
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

/** Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: i64, m: i64, d: i64): i64 {
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
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** RFC 3339: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM). Range: years 0001–9999 (fits int64 ns only 1678–2262). */
export function parseTimestamp(s: string): TimeParse {
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 2);
  const d = digitsAt(s, 8, 2);
  const h = digitsAt(s, 11, 2);
  const mi = digitsAt(s, 14, 2);
  const se = digitsAt(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return failed();
  if (s.charCodeAt(4) != 0x2d || s.charCodeAt(7) != 0x2d || (s.charCodeAt(10) | 0x20) != 0x74 ||
      s.charCodeAt(13) != 0x3a || s.charCodeAt(16) != 0x3a) return failed();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 60) return failed();
  let i = 19;
  let nanos: i64 = 0;
  if (i < s.length && s.charCodeAt(i) == 0x2e) {
    i++;
    let count = 0;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      if (count < 9) nanos = nanos * 10 + <i64>(s.charCodeAt(i) - 0x30);
      count++;
      i++;
    }
    if (count == 0) return failed();
    for (let k = count; k < 9; k++) nanos *= 10;
  }
  let offsetSeconds: i64 = 0;
  if (i < s.length && (s.charCodeAt(i) | 0x20) == 0x7a) {
    i++;
  } else if (i < s.length && (s.charCodeAt(i) == 0x2b || s.charCodeAt(i) == 0x2d)) {
    const sign: i64 = s.charCodeAt(i) == 0x2d ? -1 : 1;
    const oh = digitsAt(s, i + 1, 2);
    const om = digitsAt(s, i + 4, 2);
    if (oh < 0 || om < 0 || s.charCodeAt(i + 3) != 0x3a || oh > 23 || om > 59) return failed();
    offsetSeconds = sign * (<i64>oh * 3600 + <i64>om * 60);
    i += 6;
  } else {
    return failed();
  }
  if (i != s.length) return failed();
  const secs = daysFromCivil(y, mo, d) * 86400 + <i64>h * 3600 + <i64>mi * 60 + <i64>se - offsetSeconds;
  // int64 nanoseconds cover 1677-09-21 .. 2262-04-11
  if (secs > i64.MAX_VALUE / 1000000000 - 1 || secs < i64.MIN_VALUE / 1000000000 + 1) return failed();
  return success(secs * 1000000000 + nanos);
}
