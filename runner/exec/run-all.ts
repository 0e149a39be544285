// Execute a list of runs in-process or on worker threads. Results come back in the
// input order whatever the scheduling, so every report is byte-identical across --jobs.

import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';
import type { ExecOptions } from './execute.js';
import { executeRun, skippedRun } from './execute.js';
import type { TargetName, TargetOptions } from './targets/index.js';
import { loadTarget } from './targets/index.js';
import type { Target } from './target.js';

export interface RunAllOptions extends ExecOptions {
  /** a registered target by name, or a Target object (which runs in-process only) */
  target: TargetName | Target;
  seed?: number;
  /** a module exporting createKernel, instead of the built-in model (see TargetOptions) */
  kernelModule?: string;
  /** worker threads; 1 = in-process */
  jobs?: number;
  /** called once per finished run, in completion order (input order when stopAfter is set) */
  onResult?: (r: RunResult) => void;
  /**
   * Stop at the first run (in input order) for which this is true: the results end with
   * it, for any number of jobs (--bail).
   */
  stopAfter?: (r: RunResult) => boolean;
}

export async function executeAll(runs: readonly PlanRun[], opts: RunAllOptions): Promise<RunResult[]> {
  const target = typeof opts.target === 'string' ? await loadTarget(opts.target, targetOptions(opts)) : opts.target;
  const why = await target.unavailable();
  if (why !== undefined) {
    return runs.map((run) => {
      const r = skippedRun(run, why);
      opts.onResult?.(r);
      return r;
    });
  }
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, runs.length));
  if (jobs === 1 || typeof opts.target !== 'string') {
    try {
      return await executeSequential(runs, target, opts);
    } finally {
      // a target this call loaded is this call's to release; a caller's Target object is not
      if (typeof opts.target === 'string') await target.dispose?.();
    }
  }
  const { executeOnWorkers } = await import('./pool.js');
  return executeOnWorkers(runs, jobs, { ...opts, target: opts.target });
}

export function targetOptions(o: { seed?: number; kernelModule?: string }): TargetOptions {
  const t: TargetOptions = {};
  if (o.seed !== undefined) t.seed = o.seed;
  if (o.kernelModule !== undefined) t.kernelModule = o.kernelModule;
  return t;
}

export async function executeSequential(
  runs: readonly PlanRun[],
  target: Target,
  opts: ExecOptions & { onResult?: (r: RunResult) => void; stopAfter?: (r: RunResult) => boolean },
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = await executeRun(runs[i]!, target, opts);
    results.push(r);
    opts.onResult?.(r);
    if (opts.stopAfter?.(r)) break;
  }
  return results;
}
