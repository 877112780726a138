// "Did you mean …?" hints for unknown names: configuration keys (config/reader.ts) and CEL
// attributes and functions (cel/planner.ts) share this one policy. Configure time only.
//
// Policy: a candidate spelled the same up to case, '_' and '-' wins at once (camelCase or
// kebab-case for a snake_case key, `startswith` for `startsWith`, are the commonest mistakes);
// otherwise the nearest candidate by edit distance, if it is within one edit for names up to five
// characters and two for longer ones — further than that a hint is more often noise than help.
// Ties go to the candidate listed first.
import { editDistance } from "./edit-distance";
import { asciiLower } from "./ascii-case";
import { replaceChar } from "./replace";

function normalized(name: string): string {
  return asciiLower(replaceChar(replaceChar(name, 0x5f /* _ */, -1), 0x2d /* - */, -1));
}

/** The candidate `word` most likely misspells (see the policy above), or "". */
export function closestName(word: string, candidates: string[]): string {
  const lower = asciiLower(word);
  const plain = normalized(word);
  let best = "";
  let bestDistance = i32.MAX_VALUE;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    if (normalized(c) == plain) return c;
    const d = editDistance(lower, asciiLower(c));
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const limit = word.length <= 5 ? 1 : 2;
  return bestDistance <= limit ? best : "";
}

/** " (did you mean 'x'?)" for the closest candidate, or "" when none is close. */
export function didYouMean(word: string, candidates: string[]): string {
  const hint = closestName(word, candidates);
  return hint.length > 0 ? " (did you mean '" + hint + "'?)" : "";
}
