// The bounds and knobs of one search (EXPLORE.md `bringup explore`), each with its default.
// Plain data: a worker thread gets them through postMessage unchanged.

export type Strategy = 'dfs' | 'random' | 'pct';

export const STRATEGIES: readonly Strategy[] = ['dfs', 'random', 'pct'];

/** -ENOMEM, -EIO, -EPROBE_DEFER, -ENODEV: the faults a probe meets in the field */
export const DEFAULT_FAULTS: readonly number[] = [-12, -5, -517, -19];

export interface ExploreOptions {
  /** most non-default choices in one schedule (default 2) */
  depth: number;
  /** the errnos a fault point may inject; [] turns faults off (default DEFAULT_FAULTS) */
  faults: number[];
  /** sysfs unbind and unbind + bind at quiescent points (default true) */
  unbind: boolean;
  /** most executions (default: none for dfs, 10,000 for random and pct) */
  budget?: number;
  /** most wall seconds (default: none) */
  time?: number;
  /** dfs is complete within the bounds; random and pct sample (default dfs) */
  strategy: Strategy;
  /** seeds random and pct (default 0) */
  seed: number;
  /** state hashing and sleep sets; false enumerates naively (for measuring the reduction) */
  reduce: boolean;
}

export const DEFAULT_SAMPLES = 10_000;

export function defaultOptions(): ExploreOptions {
  return { depth: 2, faults: [...DEFAULT_FAULTS], unbind: true, strategy: 'dfs', seed: 0, reduce: true };
}

/** the execution budget in force: explicit, else the sampling strategies' default */
export function effectiveBudget(o: ExploreOptions): number | undefined {
  return o.budget ?? (o.strategy === 'dfs' ? undefined : DEFAULT_SAMPLES);
}
