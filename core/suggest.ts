// "did you mean" for unknown keys, stage names and references.
import { distance } from "fastest-levenshtein";

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  // Accept a suggestion only when it is plausibly a typo, not an unrelated word.
  return best !== undefined && bestD <= Math.max(1, Math.round(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : "";
}
