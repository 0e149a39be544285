// nearestLine() skips the edit distance of a line whose characters alone rule it out
// (missingChars, a lower bound): the line it names must be the one measuring every line names.

import { expect } from 'chai';
import type { LogLine } from '../../runner/model/api.js';
import { literalMatcher } from '../../runner/exec/patterns.js';
import { missingChars, nearestLine, substringDistance } from '../../runner/exec/nearest.js';
import type { NearMiss } from '../../runner/exec/nearest.js';
import { wordsOf } from '../../runner/exec/patterns.js';

/** nearestLine as it reads without the bound: every line measured */
function measuredEverywhere(literal: string, log: readonly LogLine[]): NearMiss | undefined {
  const wanted = new Set(literalMatcher(literal).words);
  let best: NearMiss | undefined;
  for (let i = 0; i < log.length; i++) {
    const text = log[i]!.text;
    const shared = new Set(wordsOf(text).filter((w) => wanted.has(w))).size;
    const cand: NearMiss = { index: i, sharedWords: shared, totalWords: wanted.size, edits: substringDistance(literal, text) };
    const better = !best || (cand.edits !== best.edits ? cand.edits! < best.edits! : cand.sharedWords > best.sharedWords);
    if (better) best = cand;
  }
  if (!best) return undefined;
  const closeByEdits = best.edits! <= Math.max(1, Math.floor(literal.length / 2));
  const closeByWords = best.totalWords > 0 && best.sharedWords * 2 >= best.totalWords;
  return closeByEdits || closeByWords ? best : undefined;
}

/** a small deterministic generator (no test depends on Math.random) */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ['ipmmu-vmsa', 'e67b0000.mmu', 'probe', 'failed', 'with', 'error', '-12', 'sata_rcar', 'ee300000.sata', 'Adding', 'to', 'iommu', 'group', '0', 'deferred', 'pending'];

function line(r: () => number): string {
  const n = 1 + Math.floor(r() * 8);
  const ws: string[] = [];
  for (let i = 0; i < n; i++) ws.push(WORDS[Math.floor(r() * WORDS.length)]!);
  let s = ws.join(' ');
  // a typo now and then, so near misses of every distance occur
  if (r() < 0.3 && s.length > 2) {
    const at = Math.floor(r() * s.length);
    s = s.slice(0, at) + String.fromCharCode(97 + Math.floor(r() * 26)) + s.slice(at + 1);
  }
  return s;
}

describe('exec/nearest: the near-miss line', () => {
  it('missingChars never exceeds the edit distance (it is a lower bound)', () => {
    const r = rng(7);
    for (let k = 0; k < 2000; k++) {
      const needle = line(r);
      const hay = line(r);
      const need = new Map<number, number>();
      for (const ch of needle) need.set(ch.charCodeAt(0), (need.get(ch.charCodeAt(0)) ?? 0) + 1);
      expect(missingChars(need, hay), `${needle} / ${hay}`).to.be.at.most(substringDistance(needle, hay));
    }
  });

  it('names the line that measuring every line names, over 500 random logs', () => {
    const r = rng(11);
    let skippedSome = false;
    for (let k = 0; k < 500; k++) {
      const log: LogLine[] = [];
      const n = 1 + Math.floor(r() * 40);
      for (let i = 0; i < n; i++) log.push({ usec: i, text: line(r) });
      const literal = line(r);
      const got = nearestLine(literalMatcher(literal), literal, log, 0, log.length);
      expect(got, literal).to.deep.equal(measuredEverywhere(literal, log));
      if (got && log.some((l) => l.text.length > 0 && substringDistance(literal, l.text) > got.edits! + 3)) skippedSome = true;
    }
    // the bound had lines to rule out
    expect(skippedSome).to.equal(true);
  });
});
