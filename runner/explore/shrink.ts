// bringup shrink: reduce a failing run to a minimal board and suite that fail with the
// SAME title (EXPLORE.md "shrink"). Hypothesis's shape: one target (the smallest
// reproducer found so far), one order (`Reproducer.order()`), one gate (`attempt`), and a
// named list of DSL-aware passes (shrink-passes.ts) swept until a sweep changes nothing.
//
// The gate rejects, without running, a candidate that is not smaller or that the DSL
// loader refuses; it caches every verdict by the candidate's canonical YAML; it accepts
// only a failure with the target's title. A failure with another title is a slipped
// signature (syzkaller's repro drifting to another bug): never accepted, kept in `slipped`.
//
// Deterministic: the same input gives the same passes, candidates, result and run count.

import type { ResolvedProfile } from '../model/types.js';
import type { Outcome } from './outcome.js';
import { describeOutcome, ModelRunner } from './outcome.js';
import { compileReproducer, smaller, type Reproducer, type ReproducerFiles, type ReproducerSize } from './reproducer.js';
import { SHRINK_PASSES, type Edit, type ShrinkContext, type ShrinkPass } from './shrink-passes.js';

export interface PassStats {
  name: string;
  /** candidates the pass proposed */
  tried: number;
  accepted: number;
  /** model runs its candidates cost */
  runs: number;
}

export interface ShrinkOptions {
  files: ReproducerFiles;
  kernel: ResolvedProfile;
  runner: ModelRunner;
  /** the passes to sweep (default: all, in SHRINK_PASSES order) */
  passes?: readonly ShrinkPass[];
  /** most model runs before stopping with what is found (default 5000) */
  budget?: number;
}

export interface ShrinkResult {
  title: string;
  before: ReproducerSize;
  after: ReproducerSize;
  /** model runs, the start's included (cache hits and refused candidates cost none) */
  runs: number;
  /** candidates the gate saw, and how many it refused unrun or answered from its cache */
  candidates: number;
  invalid: number;
  cached: number;
  sweeps: number;
  /** the other titles candidates failed with, first seen first */
  slipped: string[];
  passes: PassStats[];
  /** false when the budget stopped the sweeps before a fixpoint */
  complete: boolean;
  reproducer: Reproducer;
}

/** The start could not be shrunk: it passes, or fails without a title. */
export class NotFailing extends Error {
  constructor(readonly outcome: Outcome) {
    super(describeOutcome(outcome));
  }
}

/** Cut off by the budget: unwinds out of the pass that hit it. */
class BudgetSpent {}

export async function shrink(start: Reproducer, opts: ShrinkOptions): Promise<ShrinkResult> {
  const { files, kernel, runner } = opts;
  const budget = opts.budget ?? 5000;
  const runs0 = runner.runs;
  const first = compileReproducer(start, files, kernel);
  if (!first.run) throw new Error(`the reproducer does not load: ${first.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('; ')}`);
  const outcome = await runner.outcome(first.run);
  if (outcome.kind !== 'fail') throw new NotFailing(outcome);
  const title = outcome.title;

  let target = start;
  let order = target.order();
  const cache = new Map<string, Outcome | 'invalid'>([[target.key(), outcome]]);
  const slipped: string[] = [];
  const stats = (opts.passes ?? SHRINK_PASSES).map((p) => ({ pass: p, s: { name: p.name, tried: 0, accepted: 0, runs: 0 } }));
  let candidates = 0;
  let invalid = 0;
  let cached = 0;
  let current: PassStats | undefined;

  const attempt = async (edit: Edit): Promise<boolean> => {
    const cand = target.clone();
    edit(cand);
    cand.changed();
    candidates++;
    current!.tried++;
    const candOrder = cand.order();
    if (!smaller(candOrder, order)) return false;
    const key = cand.key();
    let verdict = cache.get(key);
    if (verdict !== undefined) cached++;
    else {
      const compiled = compileReproducer(cand, files, kernel);
      if (!compiled.run) verdict = 'invalid';
      else {
        if (runner.runs - runs0 >= budget) throw new BudgetSpent();
        verdict = await runner.outcome(compiled.run);
        current!.runs++;
      }
      cache.set(key, verdict);
    }
    if (verdict === 'invalid') {
      invalid++;
      return false;
    }
    if (verdict.kind !== 'fail') return false;
    if (verdict.title !== title) {
      if (!slipped.includes(verdict.title)) slipped.push(verdict.title);
      return false;
    }
    target = cand;
    order = candOrder;
    current!.accepted++;
    return true;
  };
  const ctx: ShrinkContext = {
    get target() {
      return target;
    },
    attempt,
  };

  let sweeps = 0;
  let complete = true;
  try {
    for (;;) {
      sweeps++;
      const at = order;
      for (const { pass, s } of stats) {
        current = s;
        await pass.sweep(ctx);
      }
      if (!smaller(order, at)) break;
    }
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
    complete = false;
  }
  return {
    title,
    before: start.size(),
    after: target.size(),
    runs: runner.runs - runs0,
    candidates,
    invalid,
    cached,
    sweeps,
    slipped,
    passes: stats.map((x) => x.s),
    complete,
    reproducer: target,
  };
}
