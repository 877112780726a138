// Test documents with bytes a JavaScript-style string cannot hold: "%ff" in the text stands for
// the raw byte 0xff ("%%" for a '%'); everything else is UTF-8 encoded.
export function rawBytes(text: string): Uint8Array {
  const utf8 = Uint8Array.wrap(String.UTF8.encode(text));
  const out = new Uint8Array(utf8.length);
  let n = 0;
  for (let i = 0; i < utf8.length; i++) {
    const c = utf8[i];
    if (c == 0x25 /* % */ && i + 1 < utf8.length && utf8[i + 1] == 0x25) {
      out[n++] = 0x25;
      i++;
    } else if (c == 0x25 && i + 2 < utf8.length) {
      out[n++] = <u8>(hex(utf8[i + 1]) * 16 + hex(utf8[i + 2]));
      i += 2;
    } else {
      out[n++] = c;
    }
  }
  return out.slice(0, n);
}

function hex(c: u8): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return c - 0x41 + 10;
}
