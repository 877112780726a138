// UTF-8 decoding shared by the pattern parser and the matchers.
//
// The matchers follow Go's regexp semantics for malformed input: a byte that
// does not start a valid, shortest-form UTF-8 sequence is one character,
// U+FFFD, of width 1. Decoding therefore never fails and never reads past
// `len`, whatever the bytes are (the input is attacker-controlled).
//
// A decoded character is returned packed into one i32 so the hot loops need
// no allocation or globals: bits 0..20 = code point, bits 21..23 = width in
// bytes (1..4), bit 24 = "the bytes were invalid" (the code point is then
// U+FFFD and the width 1).

export const RUNE_ERROR: i32 = 0xfffd;
export const MAX_RUNE: i32 = 0x10ffff;

const WIDTH_SHIFT: i32 = 21;
const INVALID_BIT: i32 = 1 << 24;
const INVALID_RESULT: i32 = RUNE_ERROR | (1 << WIDTH_SHIFT) | INVALID_BIT;

// @ts-ignore: decorator
@inline export function runeOf(packed: i32): i32 { return packed & 0x1fffff; }
// @ts-ignore: decorator
@inline export function widthOf(packed: i32): i32 { return (packed >>> WIDTH_SHIFT) & 7; }
// @ts-ignore: decorator
@inline export function isInvalid(packed: i32): bool { return (packed & INVALID_BIT) != 0; }

// @ts-ignore: decorator
@inline function isCont(b: u32): bool { return (b & 0xc0) == 0x80; }

/** Decodes the character starting at `p`; `end` is one past the last readable byte (p < end). */
export function decodeRune(p: usize, end: usize): i32 {
  const b0 = <u32>load<u8>(p);
  if (b0 < 0x80) return <i32>b0 | (1 << WIDTH_SHIFT);
  const avail = end - p;
  if (b0 < 0xc2) return INVALID_RESULT; // stray continuation byte or overlong 2-byte lead
  if (b0 < 0xe0) {
    if (avail < 2) return INVALID_RESULT;
    const b1 = <u32>load<u8>(p, 1);
    if (!isCont(b1)) return INVALID_RESULT;
    return <i32>(((b0 & 0x1f) << 6) | (b1 & 0x3f)) | (2 << WIDTH_SHIFT);
  }
  if (b0 < 0xf0) {
    if (avail < 3) return INVALID_RESULT;
    const b1 = <u32>load<u8>(p, 1);
    const b2 = <u32>load<u8>(p, 2);
    // E0 needs A0..BF (no overlongs), ED needs 80..9F (no surrogates).
    const lo: u32 = b0 == 0xe0 ? 0xa0 : 0x80;
    const hi: u32 = b0 == 0xed ? 0x9f : 0xbf;
    if (b1 < lo || b1 > hi || !isCont(b2)) return INVALID_RESULT;
    return <i32>(((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)) | (3 << WIDTH_SHIFT);
  }
  if (b0 < 0xf5) {
    if (avail < 4) return INVALID_RESULT;
    const b1 = <u32>load<u8>(p, 1);
    const b2 = <u32>load<u8>(p, 2);
    const b3 = <u32>load<u8>(p, 3);
    // F0 needs 90..BF (no overlongs), F4 needs 80..8F (nothing above U+10FFFF).
    const lo: u32 = b0 == 0xf0 ? 0x90 : 0x80;
    const hi: u32 = b0 == 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi || !isCont(b2) || !isCont(b3)) return INVALID_RESULT;
    return <i32>(((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) | (4 << WIDTH_SHIFT);
  }
  return INVALID_RESULT;
}

/**
 * Offset of the first byte in [p, p+len) that does not start a valid, shortest-form UTF-8
 * sequence (no surrogates, nothing above U+10FFFF), or -1 when all of it is valid.
 */
export function firstInvalidUtf8(p: usize, len: i32): i32 {
  const end = p + <usize>len;
  for (let i = 0; i < len;) {
    if (load<u8>(p + <usize>i) < 0x80) { i++; continue; }
    const d = decodeRune(p + <usize>i, end);
    if (isInvalid(d)) return i;
    i += widthOf(d);
  }
  return -1;
}

/** Number of bytes needed to encode code point `c` in UTF-8. */
export function utf8Length(c: i32): i32 {
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c < 0x10000) return 3;
  return 4;
}

/** Writes the UTF-8 encoding of `c` at `p`; returns the number of bytes written (compile time only). */
export function encodeRune(c: i32, p: usize): i32 {
  const n = utf8Length(c);
  if (n == 1) {
    store<u8>(p, <u8>c);
    return 1;
  }
  // Lead byte 110xxxxx / 1110xxxx / 11110xxx, then 10xxxxxx continuation bytes.
  let shift = 6 * (n - 1);
  store<u8>(p, <u8>(((0xff00 >> n) & 0xff) | (c >> shift)));
  for (let i = 1; i < n; i++) {
    shift -= 6;
    store<u8>(p + <usize>i, <u8>(0x80 | ((c >> shift) & 0x3f)));
  }
  return n;
}

/** ASCII word character as RE2 defines it for \w and \b: [0-9A-Za-z_]. */
// @ts-ignore: decorator
@inline export function isWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f;
}

/** Value of the hexadecimal digit `c` (a character code), or -1. */
export function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20; // ASCII letters to lower case
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}
