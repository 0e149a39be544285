// The outcome of one run, as shrink and bisect compare them: it passed, it failed with a
// title (exec/titles.ts: the run's first failure), it failed an expectation of the scenario
// with nothing the kernel reported (no title: told apart by the first failed assertion), or
// it could not be judged (the target threw). Known-bad entries are not part
// of it: an XFAIL and a FAIL with one title are the same failure here.
//
// Deterministic: the model gives the same outcome for the same run every time, so one run
// per candidate is enough (syzbot runs each revision ten times because real kernels are not).

import type { PlanRun } from '../dsl/plan.js';
import { executeRun } from '../exec/execute.js';
import { loadTarget } from '../exec/targets/index.js';
import type { Target } from '../exec/target.js';

export type Outcome =
  | { kind: 'pass' }
  | { kind: 'fail'; title: string; titles: string[] }
  /** failed without a title: the scenario expected something the kernel did silently */
  | { kind: 'untitled'; assertion: string }
  /** no verdict: the target failed (or the model refused the kernel) */
  | { kind: 'unresolved'; why: string };

/** "pass", the title, or "unresolved (why)": how outcomes print. */
export function describeOutcome(o: Outcome): string {
  if (o.kind === 'pass') return 'pass';
  if (o.kind === 'fail') return o.title;
  if (o.kind === 'untitled') return `failed without a title (${o.assertion})`;
  return `unresolved (${o.why})`;
}

/** Two outcomes are one verdict when both pass, fail with one title, or fail one assertion untitled. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.kind === 'pass' || b.kind === 'pass') return a.kind === b.kind;
  if (a.kind === 'fail' && b.kind === 'fail') return a.title === b.title;
  if (a.kind === 'untitled' && b.kind === 'untitled') return a.assertion === b.assertion;
  return false;
}

/** Runs plans on the in-process model and counts what it ran. */
export class ModelRunner {
  /** model executions so far */
  runs = 0;

  private constructor(private readonly target: Target) {}

  static async create(seed?: number): Promise<ModelRunner> {
    return new ModelRunner(await loadTarget('model', seed === undefined ? {} : { seed }));
  }

  async outcome(run: PlanRun): Promise<Outcome> {
    this.runs++;
    const plain: PlanRun = { ...run };
    delete plain.knownBad;
    const r = await executeRun(plain, this.target);
    if (r.status === 'PASS') return { kind: 'pass' };
    if (r.status === 'ERROR') return { kind: 'unresolved', why: r.reason ?? 'the target failed' };
    if (r.status === 'SKIP') return { kind: 'unresolved', why: r.reason ?? 'skipped' };
    const titles = r.titles ?? [];
    if (!titles.length) {
      const first = r.assertions.find((a) => !a.ok);
      return { kind: 'untitled', assertion: first ? first.message : 'no failed assertion' };
    }
    return { kind: 'fail', title: titles[0]!, titles };
  }
}
