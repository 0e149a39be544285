// bringup bisect: the behaviours whose presence or absence flips a scenario from the good
// kernel's outcome (a pass) to the bad kernel's failure (EXPLORE.md "bisect"). Either kernel
// may be the newer one: a fix is found by applying what the good one has, a regression by
// reverting what the bad one added — both are "change these behaviours of the bad kernel to
// the good kernel's state", tried as { base, apply, revert } kernels.
//
//   1. Run both ends. The bad one must fail with a title; the good one must not show it.
//   2. On the mainline chain, binary-search the releases between them (syzbot's release walk).
//   3. ddmin over the difference of the two neighbours' behaviour sets (ddmin.ts), or with
//      `all`, every minimal flipping set of the whole difference of the two ends.
//
// Outcomes compare titles, not pass/fail: a combination is "good" when it gives the good
// kernel's outcome, "bad" when it fails with the bad kernel's title, and unresolved
// otherwise (another title, an error) — syzbot's bisections went wrong by drifting onto
// another bug. Every answer is a combination that was run. Deterministic: runs are cached
// by behaviour set, and the same inputs give the same answer in the same number of runs.

import type { PlanRun } from '../dsl/plan.js';
import { BEHAVIOURS, type Behaviour } from '../model/profiles/behaviours.js';
import type { ResolvedProfile } from '../model/types.js';
import { allMinimal, ddmin, type Verdict } from './ddmin.js';
import { describeOutcome, sameOutcome, type ModelRunner, type Outcome } from './outcome.js';
import { chainBetween, combination, resolvedOf, tableOrder } from './profile-chain.js';

/** The kernels (and outcomes) compared: bad first. */
export interface Tested {
  kernel: string;
  outcome: Outcome;
}

export interface FlipChange {
  id: string;
  subject: string;
  landed: string;
  /** apply: the good kernel has it and the bad one lacks it (a fix); revert: the other way (a culprit) */
  change: 'apply' | 'revert';
}

export interface FlippingSet {
  changes: FlipChange[];
  /** the combination that was run: the bad kernel with these changes */
  kernel: string;
  outcome: Outcome;
}

export interface BisectResult {
  good: string;
  bad: string;
  title: string;
  goodOutcome: Outcome;
  /** the release walk, in the order its kernels were run */
  chain: Tested[];
  /** the two kernels the behaviours were searched between */
  from: string;
  to: string;
  /** how many behaviours they differ in */
  difference: number;
  sets: FlippingSet[];
  /** with `all`: every subset was tried */
  exhaustive: boolean;
  runs: number;
  /** combinations that were neither good nor bad, with what they did */
  unresolved: Tested[];
}

/** Bisect cannot start: the message says why (the CLI exits 2 with it). */
export class CannotBisect extends Error {}

export interface BisectOptions {
  runner: ModelRunner;
  /** the scenario's run on a kernel */
  runOn: (k: ResolvedProfile) => PlanRun;
  all?: boolean;
}

const BY_ID = new Map<string, Behaviour>(BEHAVIOURS.map((b) => [b.id, b]));

export async function bisect(good: ResolvedProfile, bad: ResolvedProfile, opts: BisectOptions): Promise<BisectResult> {
  const { runner } = opts;
  const runs0 = runner.runs;
  const cache = new Map<string, Outcome>();
  const unresolved: Tested[] = [];
  const run = async (k: ResolvedProfile): Promise<Outcome> => {
    const key = `${k.base}\0${tableOrder(k.behaviours).join(' ')}`;
    let o = cache.get(key);
    if (!o) {
      try {
        o = await runner.outcome(opts.runOn(k));
      } catch (e) {
        // a combination the model cannot build
        o = { kind: 'unresolved', why: (e as Error).message };
      }
      cache.set(key, o);
    }
    return o;
  };

  const badOutcome = await run(bad);
  const goodOutcome = await run(good);
  if (badOutcome.kind === 'pass') throw new CannotBisect(`the scenario passes on the bad kernel ${bad.name}: nothing to bisect (give a kernel it fails on with --bad)`);
  if (badOutcome.kind !== 'fail') throw new CannotBisect(`on the bad kernel ${bad.name} the scenario ${describeOutcome(badOutcome)}: bisect follows a failure title, and there is none`);
  if (goodOutcome.kind === 'unresolved') throw new CannotBisect(`the good kernel ${good.name} gives no verdict: ${describeOutcome(goodOutcome)}`);
  if (sameOutcome(goodOutcome, badOutcome)) throw new CannotBisect(`${good.name} and ${bad.name} give the same verdict (${badOutcome.title}): nothing flips between them`);
  const title = badOutcome.title;
  const verdictOf = (o: Outcome): Verdict => (sameOutcome(o, goodOutcome) ? 'flip' : o.kind === 'fail' && o.title === title ? 'stay' : 'unresolved');

  // 2. the release walk
  const chainRun: Tested[] = [];
  let from = bad;
  let to = good;
  const chain = opts.all ? undefined : chainBetween(bad, good);
  if (chain && chain.length > 2) {
    let lo = 0;
    let hi = chain.length - 1;
    const skipped = new Set<number>();
    while (hi - lo > 1) {
      // the middle, or the untried release nearest to it (git bisect's skip)
      const mid = Math.floor((lo + hi) / 2);
      const order = [...Array(hi - lo - 1).keys()].map((i) => lo + 1 + i).sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid) || a - b);
      const at = order.find((i) => !skipped.has(i));
      if (at === undefined) break;
      const k = resolvedOf(chain[at]!);
      const o = await run(k);
      chainRun.push({ kernel: k.name, outcome: o });
      const v = verdictOf(o);
      if (v === 'stay') lo = at;
      else if (v === 'flip') hi = at;
      else skipped.add(at);
    }
    from = resolvedOf(chain[lo]!);
    to = resolvedOf(chain[hi]!);
  }

  // 3. the behaviours between `from` (bad outcome) and `to` (good outcome)
  const fromSet = new Set(from.behaviours);
  const toSet = new Set(to.behaviours);
  const delta = tableOrder([...new Set([...from.behaviours, ...to.behaviours])].filter((b) => fromSet.has(b) !== toSet.has(b)));
  if (!delta.length) {
    throw new CannotBisect(`${from.name} and ${to.name} have the same behaviours: the flip comes with the release itself (its log formats and version checks), not with a behaviour`);
  }
  const sets: FlippingSet[] = [];
  let exhaustive = false;
  {
    // the changes go onto the bad side's release; when that release cannot show the good
    // outcome whatever is changed (its own code paths disagree), the good side's release
    // carries them instead — if on it the bad side's behaviours still fail the same way
    let base = from.base;
    const kernelFor = (subset: readonly string[], on: string) => {
      const s = new Set(subset);
      const behaviours = [...from.behaviours.filter((b) => !s.has(b)), ...subset.filter((b) => toSet.has(b))];
      return combination(on, behaviours);
    };
    const testOn =
      (on: string) =>
      async (subset: readonly string[]): Promise<Verdict> => {
        const k = kernelFor(subset, on);
        const o = await run(k);
        const v = verdictOf(o);
        if (v === 'unresolved' && !unresolved.some((u) => u.kernel === k.name)) unresolved.push({ kernel: k.name, outcome: o });
        return v;
      };
    const otherBase = async (): Promise<boolean> => from.base !== to.base && (await testOn(to.base)([])) === 'stay' && (await testOn(to.base)(delta)) === 'flip';
    let found: { sets: string[][]; exhaustive: boolean };
    if (opts.all) {
      found = await allMinimal(delta, testOn(base));
      if (!found.sets.length && (await otherBase())) {
        base = to.base;
        found = await allMinimal(delta, testOn(base));
      }
    } else {
      if ((await testOn(base)(delta)) !== 'flip') {
        if (!(await otherBase())) {
          throw new CannotBisect(
            `the flip between ${from.name} and ${to.name} comes with the release itself (its log formats and version checks), not with any of its ${delta.length} behaviours`,
          );
        }
        base = to.base;
      }
      found = { sets: [await ddmin(delta, testOn(base))], exhaustive: false };
    }
    exhaustive = found.exhaustive;
    for (const s of found.sets) {
      const k = kernelFor(s, base);
      sets.push({
        changes: s.map((id) => {
          const b = BY_ID.get(id);
          return { id, subject: b?.subject ?? '', landed: b?.landed ?? '', change: toSet.has(id) ? 'apply' : 'revert' };
        }),
        kernel: k.name,
        outcome: await run(k),
      });
    }
  }
  return {
    good: good.name,
    bad: bad.name,
    title,
    goodOutcome,
    chain: chainRun,
    from: from.name,
    to: to.name,
    difference: delta.length,
    sets,
    exhaustive,
    runs: runner.runs - runs0,
    unresolved,
  };
}
