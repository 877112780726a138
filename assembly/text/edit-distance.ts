// Levenshtein distance, for "did you mean …?" hints (did-you-mean.ts; configure time only).
export function editDistance(a: string, b: string): i32 {
  const n = b.length;
  let prev = new Array<i32>(n + 1);
  let cur = new Array<i32>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) == b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = min(min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[n];
}
