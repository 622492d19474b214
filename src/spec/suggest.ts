/**
 * "Did you mean" suggestions for misspelled keys and values.
 * Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions): `imgae` is one edit from `image`.
 */

/** Edit distance counting insertions, deletions, substitutions and swaps of two neighbouring characters. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows are enough: the transposition step looks two rows back.
  let prevPrev: number[] = new Array<number>(b.length + 1).fill(0);
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, prevPrev[j - 2]! + 1);
      }
      cur[j] = best;
    }
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[b.length]!;
}

/**
 * The closest candidate to `input`, or undefined when nothing is close enough to be a plausible typo.
 * Case is ignored for the distance; ties go to the earlier candidate.
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const needle = input.toLowerCase();
  // Short words get one edit, longer ones up to a third of their length (at most 3).
  const limit = Math.min(3, Math.max(1, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  const squashed = squash(input);
  for (const candidate of candidates) {
    if (candidate === input) continue;
    // A key written with dashes or camelCase instead of snake_case (`mem-limit`, `memLimit`) is a typo of it.
    if (squash(candidate) === squashed) return candidate;
    const d = editDistance(needle, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[-_.\s]/g, '');
}
