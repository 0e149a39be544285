// "did you mean": the closest candidate by edit distance, when it is close enough to be a
// plausible typo rather than a different word. Bounded work whatever the input: a distance
// is only computed up to the largest one that would be suggested (3), in a diagonal band of
// two rows, and words longer than MAX_SUGGEST_LENGTH are not compared at all.

/** names longer than this get no suggestion (no real name is; a hostile one costs nothing) */
export const MAX_SUGGEST_LENGTH = 256;

/** candidates compared per suggestion: a board with 10,000 devices does not make each typo cost 10,000 distances */
export const MAX_SUGGEST_CANDIDATES = 5000;

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), or
 * max + 1 when it is larger than max. O(a × max) time, O(b) space.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a.length < b.length) [a, b] = [b, a];
  const n = b.length;
  const band = Number.isFinite(max) ? max : a.length + n;
  const big = max + 1;
  // three rows: i-2 (for transpositions), i-1 and i
  let prev2 = new Array<number>(n + 1).fill(big);
  let prev = Array.from({ length: n + 1 }, (_, j) => (j <= band ? j : big));
  let cur = new Array<number>(n + 1).fill(big);
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - band);
    const hi = Math.min(n, i + band);
    // only the band is computed; its two neighbours are "too far" so the next row reads no stale cell
    cur[lo - 1] = lo === 1 ? (i <= band ? i : big) : big;
    if (hi < n) cur[hi + 1] = big;
    let rowMin = cur[lo - 1]!;
    for (let j = lo; j <= hi; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = Math.min(v, big);
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > max) return big;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[n]!, big);
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > MAX_SUGGEST_LENGTH) return undefined;
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  let compared = 0;
  for (const c of candidates) {
    if (++compared > MAX_SUGGEST_CANDIDATES) break;
    if (c === word || c.length > MAX_SUGGEST_LENGTH) continue;
    const lc = c.toLowerCase();
    // a third of the length (at least 1, at most 3) keeps "iomus"→"iommus" but not "bus"→"iommus"
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(w.length, c.length) / 3)));
    // a truncated name ("x86" for "x86_64") is a likely slip too, ranked after real typos
    const distance = editDistance(w, lc, limit);
    const score = w.length >= 3 && lc.startsWith(w) ? Math.min(distance, limit + 0.5) : distance;
    if (score <= limit + 0.5 && score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(word: unknown, candidates: Iterable<string>): string {
  if (typeof word !== 'string') return '';
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}
