// Abstract syntax tree produced by the parser. Every node records the byte
// offset in the pattern where it starts, for error messages.

import { CharClass } from "./charclass";

export const enum NodeKind {
  /** Matches the empty string. */
  Empty,
  /** One code point (`rune`). Under (?i) the parser makes a Class of a character with case variants. */
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

/** Shared by every node without children (never mutated): no array per leaf. */
const NO_CHILDREN: Node[] = [];

export class Node {
  rune: i32 = 0;
  cls: CharClass | null = null;
  flags: i32 = 0;
  children: Node[] = NO_CHILDREN;
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

// Nodes are recycled across compilations: an AST lives only while one pattern is compiled (the
// compiled Regex keeps no node), and configuring 10^5 regex routes would otherwise leave 10^5
// ASTs of garbage before the next collection (see filter/memory.ts).
const pool: Node[] = [];
let poolUsed: i32 = 0;
/** Past this many pooled nodes the pool is dropped after use, so one huge pattern is not kept. */
const MAX_POOLED_NODES: i32 = 4096;

/** A node from the pool, reset, as `new Node(kind, pos)`. Valid until the next releaseNodes(). */
export function newNode(kind: NodeKind, pos: i32): Node {
  if (poolUsed == pool.length) pool.push(new Node(kind, pos));
  const node = unchecked(pool[poolUsed++]);
  node.kind = kind;
  node.pos = pos;
  node.rune = 0;
  node.cls = null;
  node.flags = 0;
  node.children = NO_CHILDREN;
  node.sub = null;
  node.min = 0;
  node.max = 0;
  node.repeatProduct = 1;
  return node;
}

/** A child list for a Concat/Alternate node (recycled with the node pool). */
export function newChildList(): Node[] {
  if (listsUsed == lists.length) lists.push([]);
  const list = unchecked(lists[listsUsed++]);
  list.length = 0;
  return list;
}

const lists: Node[][] = [];
let listsUsed: i32 = 0;

/** Ends the current AST: every node and child list from newNode()/newChildList() may be reused. */
export function releaseNodes(): void {
  if (pool.length > MAX_POOLED_NODES) pool.length = 0;
  if (lists.length > MAX_POOLED_NODES) lists.length = 0;
  // Dropped child lists must not keep old nodes alive for the collector.
  for (let i = 0; i < listsUsed && i < lists.length; i++) unchecked(lists[i]).length = 0;
  poolUsed = 0;
  listsUsed = 0;
}
