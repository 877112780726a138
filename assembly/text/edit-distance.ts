// Levenshtein distance, for "did you mean …?" hints (did-you-mean.ts; configure time only).
export function editDistance(a: string, b: string): i32 {
  const n = b.length;
  // Two rows of the table; every index below is within 0..n (unchecked: no bounds-check code).
  let prev = new StaticArray<i32>(n + 1);
  let cur = new StaticArray<i32>(n + 1);
  for (let j = 0; j <= n; j++) unchecked((prev[j] = j));
  for (let i = 1; i <= a.length; i++) {
    unchecked((cur[0] = i));
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cost = ca == b.charCodeAt(j - 1) ? 0 : 1;
      unchecked((cur[j] = min(min(unchecked(prev[j]) + 1, unchecked(cur[j - 1]) + 1), unchecked(prev[j - 1]) + cost)));
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return unchecked(prev[n]);
}
