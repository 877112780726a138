// The one sort of the module: an in-place heapsort of i64 keys, for configure-time code.
//
// Why not Array#sort: the standard library's sort (runs merged, short runs by insertion) is about
// 1.1 KB of code for each element type (issue 14, module size), and every sort here sorts i64
// keys at configure time: values packed so that ascending order is the order wanted (a key in the
// high bits, a position in the low ones), or indices ordered by a comparator. Heapsort needs no
// memory and makes at most about 2·n·log2(n) comparisons, whatever the input (10,000 keys: under
// 300,000). It is not stable; no caller needs it to be: packed keys end in a distinct position,
// and the comparator of sortBy breaks ties itself.

/** A comparator: negative when a goes before b, positive when after, 0 when either order will do. */
export type Order = (a: i64, b: i64) => i32;

/** Sorts `a` in ascending order. */
export function sortAscending(a: i64[]): void {
  heapSort(a.dataStart, a.length, null);
}

/** Sorts `a` by `order`. */
export function sortBy(a: i64[], order: Order): void {
  heapSort(a.dataStart, a.length, order);
}

@inline function before(x: i64, y: i64, order: Order | null): bool {
  return order === null ? x < y : order(x, y) < 0;
}

@inline function slot(p: usize, i: i32): usize {
  return p + (<usize>i << 3);
}

/** Sorts the n keys at p: builds a max-heap, then moves its top to the end, n - 1 times. */
function heapSort(p: usize, n: i32, order: Order | null): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(p, i, n, order);
  for (let end = n - 1; end > 0; end--) {
    const top = load<i64>(p);
    store<i64>(p, load<i64>(slot(p, end)));
    store<i64>(slot(p, end), top);
    siftDown(p, 0, end, order);
  }
}

/** Moves the key at `root` down the heap of the first n keys until neither child goes after it. */
function siftDown(p: usize, root: i32, n: i32, order: Order | null): void {
  const v = load<i64>(slot(p, root));
  let i = root;
  while (true) {
    let child = 2 * i + 1;
    if (child >= n) break;
    let c = load<i64>(slot(p, child));
    if (child + 1 < n) {
      const right = load<i64>(slot(p, child + 1));
      if (before(c, right, order)) {
        child++;
        c = right;
      }
    }
    if (!before(v, c, order)) break;
    store<i64>(slot(p, i), c);
    i = child;
  }
  store<i64>(slot(p, i), v);
}
