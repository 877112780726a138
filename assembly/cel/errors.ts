// Configure-time (compile) errors.

export class CelError {
  /** Full human-readable message, ending in "at column N" (N = `column`, 0-based). */
  message: string;
  /** The message without the position, for callers that format positions themselves. */
  reason: string;
  /** 0-based column (in code points) of the offending token in the source. */
  column: i32;
  constructor(reason: string, column: i32) {
    this.reason = reason;
    this.column = column;
    this.message = reason + " at column " + column.toString();
  }
}

/** Converts a UTF-16 offset into a 0-based code-point column (what a user counts in the YAML). */
export function columnOf(src: string, offset: i32): i32 {
  let col = 0;
  const end = min(offset, src.length);
  for (let i = 0; i < end; i++) {
    const c = src.charCodeAt(i);
    // count a surrogate pair once: skip the low half
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const hi = src.charCodeAt(i - 1);
      if (hi >= 0xd800 && hi <= 0xdbff) continue;
    }
    col++;
  }
  return col;
}

export function makeError(src: string, reason: string, offset: i32): CelError {
  return new CelError(reason, columnOf(src, offset));
}
