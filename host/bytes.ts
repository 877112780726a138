// Byte helpers shared by the stream, the hostcalls and the property resolver.

/** The one empty value handed out for "no bytes" (never written to). */
export const EMPTY_BYTES = new Uint8Array(0);

/** a + b, without copying when either is empty. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A body given as text (UTF-8) or bytes; undefined is empty. */
export function toBytes(b: string | Uint8Array | undefined): Uint8Array {
  if (b === undefined) return EMPTY_BYTES;
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
}
