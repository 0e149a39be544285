// "Which line almost matched?" — only computed for a failed assertion, so it can
// afford an edit distance per line. The answer points a person at the typo or the
// changed kernel message instead of making them read the whole log.

import type { LogLine } from '../model/api.js';
import type { Matcher } from './patterns.js';
import { wordsOf } from './patterns.js';

export interface NearMiss {
  /** index into the log */
  index: number;
  /** edits needed to make the pattern appear in the line (literal patterns) */
  edits?: number;
  sharedWords: number;
  totalWords: number;
}

// Windows longer than this are not scanned with edit distances: the failure path
// must stay cheap even for a log of a long soak scenario.
const MAX_SCAN = 5000;

/**
 * The line in log[from, to) closest to the pattern: smallest approximate-substring
 * edit distance for literals, most shared words for regexes (and as tie-break).
 * Undefined when nothing is even half-way close.
 */
export function nearestLine(
  m: Matcher,
  literal: string | undefined,
  log: readonly LogLine[],
  from: number,
  to: number,
): NearMiss | undefined {
  const start = Math.max(from, to - MAX_SCAN);
  const wanted = new Set(m.words);
  const need = literal === undefined ? undefined : charCounts(literal);
  let best: NearMiss | undefined;
  for (let i = start; i < to; i++) {
    const text = log[i]!.text;
    // a line whose characters alone rule out beating the best so far is not measured
    if (need && best?.edits !== undefined && missingChars(need, text) > best.edits) continue;
    let shared = 0;
    if (wanted.size > 0) {
      const seen = new Set<string>();
      for (const w of wordsOf(text)) if (wanted.has(w) && !seen.has(w)) { seen.add(w); shared++; }
    }
    const edits = literal === undefined ? undefined : substringDistance(literal, text);
    const cand: NearMiss = { index: i, sharedWords: shared, totalWords: wanted.size };
    if (edits !== undefined) cand.edits = edits;
    if (!best || better(cand, best)) best = cand;
  }
  if (!best) return undefined;
  const closeByEdits = literal !== undefined && best.edits !== undefined && best.edits <= Math.max(1, Math.floor(literal.length / 2));
  const closeByWords = best.totalWords > 0 && best.sharedWords * 2 >= best.totalWords;
  return closeByEdits || closeByWords ? best : undefined;
}

function better(a: NearMiss, b: NearMiss): boolean {
  if (a.edits !== undefined && b.edits !== undefined && a.edits !== b.edits) return a.edits < b.edits;
  return a.sharedWords > b.sharedWords;
}

/** how many times each UTF-16 code unit occurs in `s` */
function charCounts(s: string): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    m.set(c, (m.get(c) ?? 0) + 1);
  }
  return m;
}

/**
 * A lower bound of substringDistance(needle, hay): the needle's characters that no
 * substring of `hay` can supply (each costs an edit). A line beyond the best distance so
 * far by this bound alone cannot win (edits decide before shared words).
 */
export function missingChars(need: ReadonlyMap<number, number>, hay: string): number {
  const have = new Map<number, number>();
  for (let i = 0; i < hay.length; i++) {
    const c = hay.charCodeAt(i);
    if (need.has(c)) have.set(c, (have.get(c) ?? 0) + 1);
  }
  let missing = 0;
  need.forEach((n, c) => {
    const h = have.get(c) ?? 0;
    if (h < n) missing += n - h;
  });
  return missing;
}

/** Levenshtein distance of `needle` to its best-matching substring of `hay`. */
export function substringDistance(needle: string, hay: string): number {
  const n = needle.length;
  if (n === 0) return 0;
  let prev = new Uint32Array(n + 1);
  let cur = new Uint32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  let best = n;
  for (let i = 1; i <= hay.length; i++) {
    // row start is free: the substring may begin anywhere in the line
    cur[0] = 0;
    const c = hay.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const sub = prev[j - 1]! + (needle.charCodeAt(j - 1) === c ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = cur[j - 1]! + 1;
      cur[j] = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
    }
    if (cur[n]! < best) best = cur[n]!;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return best;
}
