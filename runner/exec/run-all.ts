// Execute a list of runs in-process or on worker threads. Results come back in the
// input order whatever the scheduling, so every report is byte-identical across --jobs.

import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';
import type { ExecOptions } from './execute.js';
import type { TargetName, TargetOptions } from './targets/index.js';
import { loadTarget } from './targets/index.js';
import type { Target } from './target.js';
import type { ResultCache } from './result-cache.js';

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
  /**
   * Results kept from earlier runs (result-cache.ts): used for the model target only; the
   * runs it lacks are executed and added to it. The results are the same either way.
   */
  results?: ResultCache;
}

export async function executeAll(runs: readonly PlanRun[], opts: RunAllOptions): Promise<RunResult[]> {
  // the model is always available; its modules are loaded only if a run is not in the cache
  if (opts.results && opts.target === 'model' && opts.kernelModule === undefined) return executeCached(runs, { ...opts, target: 'model' }, opts.results);
  const { skippedRun } = await import('./execute.js');
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
  const { executeRun } = await import('./execute.js');
  const results: RunResult[] = [];
  for (let i = 0; i < runs.length; i++) {
    const r = await executeRun(runs[i]!, target, opts);
    results.push(r);
    opts.onResult?.(r);
    if (opts.stopAfter?.(r)) break;
  }
  return results;
}

/** executeAll with a result cache: the same results, in the same order, as without it. */
async function executeCached(runs: readonly PlanRun[], opts: RunAllOptions & { target: TargetName }, cache: ResultCache): Promise<RunResult[]> {
  const all = cache.getAll(runs);
  if (all) {
    const out: RunResult[] = [];
    for (const r of all) {
      out.push(r);
      opts.onResult?.(r);
      if (opts.stopAfter?.(r)) break;
    }
    return out;
  }
  const results = await executeEach(runs, opts, cache);
  cache.putAll(runs, results);
  return results;
}

async function executeEach(runs: readonly PlanRun[], opts: RunAllOptions & { target: TargetName }, cache: ResultCache): Promise<RunResult[]> {
  const cached = runs.map((r) => cache.get(r));
  const missing = cached.flatMap((r, i) => (r ? [] : [i]));
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, runs.length));
  const results: RunResult[] = [];
  if (jobs === 1 || missing.length <= 1) {
    let run: ((run: PlanRun) => Promise<RunResult>) | undefined;
    for (let i = 0; i < runs.length; i++) {
      let r = cached[i];
      if (!r) {
        if (!run) {
          const target = await loadTarget('model', targetOptions(opts));
          const { executeRun } = await import('./execute.js');
          run = (p) => executeRun(p, target, opts);
        }
        r = await run(runs[i]!);
        cache.put(runs[i]!, r);
      }
      results.push(r);
      opts.onResult?.(r);
      if (opts.stopAfter?.(r)) break;
    }
    return results;
  }
  // --bail: nothing after the first cached failure can be reported
  let limit = runs.length;
  if (opts.stopAfter) {
    const f = cached.findIndex((r) => r !== undefined && opts.stopAfter!(r));
    if (f >= 0) limit = f + 1;
  }
  const todo = missing.filter((i) => i < limit);
  const ordered = opts.stopAfter !== undefined;
  if (!ordered) for (const r of cached) if (r) opts.onResult?.(r);
  const { executeOnWorkers } = await import('./pool.js');
  const { results: _drop, onResult, ...rest } = opts;
  const fresh = todo.length ? await executeOnWorkers(todo.map((i) => runs[i]!), jobs, { ...rest, ...(ordered || !onResult ? {} : { onResult }) }) : [];
  fresh.forEach((r, k) => cache.put(runs[todo[k]!]!, r));
  const byIndex = new Map(fresh.map((r, k) => [todo[k]!, r]));
  for (let i = 0; i < limit; i++) {
    const r = cached[i] ?? byIndex.get(i);
    // a run the workers never reached lies after the first failure (--bail)
    if (!r) break;
    results.push(r);
    if (ordered) opts.onResult?.(r);
    if (opts.stopAfter?.(r)) break;
  }
  return results;
}
