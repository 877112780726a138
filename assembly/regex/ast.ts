// Abstract syntax tree produced by the parser. Every node records the byte
// offset in the pattern where it starts, for error messages.

import { CharClass } from "./charclass";

export const enum NodeKind {
  /** Matches the empty string. */
  Empty,
  /** One code point (`rune`); `fold` = also its case variants. */
  Literal,
  /** A character class (`cls`, canonical). */
  Class,
  /** Any code point. */
  AnyChar,
  /** Any code point but '\n'. */
  AnyCharNotNL,
  /** Empty-width assertion; `flags` = EMPTY_* bits from program.ts. */
  Assert,
  /** `children` in sequence. */
  Concat,
  /** One of `children`. */
  Alternate,
  /** `sub` repeated min..max times (max = -1: unbounded). */
  Repeat,
}

export class Node {
  rune: i32 = 0;
  fold: bool = false;
  cls: CharClass | null = null;
  flags: i32 = 0;
  children: Node[] = [];
  sub: Node | null = null;
  min: i32 = 0;
  max: i32 = 0;
  /**
   * Largest product of nested {n,m} counts inside this subtree. RE2 rejects a
   * pattern when this exceeds 1000 (e.g. `(a{100}){100}`), which also keeps
   * the expanded program small.
   */
  repeatProduct: i32 = 1;

  constructor(public kind: NodeKind, public pos: i32) {}
}
