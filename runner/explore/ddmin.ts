// Delta debugging over a set of changes (Zeller, "Yesterday, my program worked", ESEC/FSE
// 1999; ddmin from Zeller & Hildebrandt, TSE 2002). A test applies a subset of the changes
// and says whether that flips the outcome, keeps it, or cannot be judged (an unresolved
// combination: dd's "?", git bisect's 125) — unresolved counts as "does not flip".
//
//   ddmin        one 1-minimal flipping subset: removing any one change loses the flip.
//                O(log n) tests when one change is to blame, O(n²) at worst.
//   allMinimal   every minimal flipping subset: exhaustively (by size, skipping supersets of
//                those found — exact even when flipping is not monotone) when the set is
//                small; otherwise by ddmin again inside each "one element of a found set
//                left out" (exact when adding changes never undoes a flip).
//
// Pure apart from the test, which callers cache: the same test gives the same answer.

export type Verdict = 'flip' | 'stay' | 'unresolved';
export type SubsetTest<T> = (subset: readonly T[]) => Promise<Verdict>;

/** n nearly equal, contiguous, non-empty parts */
function split<T>(c: readonly T[], n: number): T[][] {
  const parts: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((c.length - start) / (n - i));
    parts.push(c.slice(start, end));
    start = end;
  }
  return parts.filter((p) => p.length > 0);
}

/** A 1-minimal subset of `all` that flips; `all` itself must flip. */
export async function ddmin<T>(all: readonly T[], test: SubsetTest<T>): Promise<T[]> {
  let c = [...all];
  let n = 2;
  while (c.length >= 2) {
    const parts = split(c, n);
    let next: T[] | undefined;
    for (const p of parts) {
      if ((await test(p)) === 'flip') {
        next = p;
        n = 2;
        break;
      }
    }
    // with two parts each complement is the other part, tested already
    if (!next && parts.length > 2) {
      for (const p of parts) {
        const complement = c.filter((x) => !p.includes(x));
        if ((await test(complement)) === 'flip') {
          next = complement;
          n = Math.max(n - 1, 2);
          break;
        }
      }
    }
    if (next) c = next;
    else if (n >= c.length) break;
    else n = Math.min(2 * n, c.length);
  }
  return c;
}

export interface AllMinimal<T> {
  sets: T[][];
  /** every subset was tested (or ruled out as a superset of a flipping one) */
  exhaustive: boolean;
}

/** At most this many changes are searched exhaustively (2^12 subsets at worst). */
export const EXHAUSTIVE_MAX = 12;

/** Every minimal flipping subset of `all`, smallest first; `all` itself must flip. */
export async function allMinimal<T>(all: readonly T[], test: SubsetTest<T>, exhaustiveMax = EXHAUSTIVE_MAX): Promise<AllMinimal<T>> {
  if (all.length <= exhaustiveMax) return { sets: await exhaustive(all, test), exhaustive: true };
  const sets: T[][] = [];
  const seen = new Set<string>();
  const key = (u: readonly T[]) => u.map((x) => all.indexOf(x)).join(',');
  const explore = async (u: readonly T[]): Promise<void> => {
    if (seen.has(key(u))) return;
    seen.add(key(u));
    // a found set inside u would be found again: look past it, leaving out one of its changes
    const inside = sets.find((s) => s.every((x) => u.includes(x)));
    if (inside) {
      for (const x of inside) await explore(u.filter((y) => y !== x));
      return;
    }
    if ((await test(u)) !== 'flip') return;
    const m = await ddmin(u, test);
    sets.push(m);
    for (const x of m) await explore(u.filter((y) => y !== x));
  };
  await explore(all);
  return { sets: sortSets(sets, all), exhaustive: false };
}

async function exhaustive<T>(all: readonly T[], test: SubsetTest<T>): Promise<T[][]> {
  const found: number[] = [];
  const n = all.length;
  const masks: number[] = [];
  for (let m = 1; m < 1 << n; m++) masks.push(m);
  masks.sort((a, b) => popcount(a) - popcount(b) || a - b);
  for (const m of masks) {
    if (found.some((f) => (f & m) === f)) continue;
    const subset = all.filter((_, i) => m & (1 << i));
    if ((await test(subset)) === 'flip') found.push(m);
  }
  return found.map((m) => all.filter((_, i) => m & (1 << i)));
}

function popcount(m: number): number {
  let c = 0;
  for (let x = m; x; x &= x - 1) c++;
  return c;
}

/** Smaller sets first, then by the position of their changes in `all`. */
function sortSets<T>(sets: T[][], all: readonly T[]): T[][] {
  const pos = (s: T[]) => s.map((x) => all.indexOf(x)).sort((a, b) => a - b);
  return sets
    .map((s) => [...s].sort((a, b) => all.indexOf(a) - all.indexOf(b)))
    .sort((a, b) => {
      if (a.length !== b.length) return a.length - b.length;
      const pa = pos(a);
      const pb = pos(b);
      for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
      return 0;
    });
}
