// explore(targets, options): every unit of every target (search.ts), on this thread or on
// --jobs worker threads, for the whole search or one --shard of it, folded into one result.
// The result depends only on the targets and options (and, for --shard, on K/N): units are
// searched alone and folded in their canonical order, a --budget cut falls at the same
// execution in that order whatever the split. Only `seconds` is wall time.

import type { ExploreOptions } from './options.js';
import { effectiveBudget } from './options.js';
import type { Target } from './execution.js';
import { searchUnit, unitCount, type Unit, type UnitResult } from './search.js';
import { addStats, emptyStats, FindingSet, type Finding, type Stats } from './findings.js';

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export interface ExploreResult {
  boards: string[];
  kernels: string[];
  findings: Finding[];
  stats: Stats;
  /** set on the result of one shard: `bringup merge` folds the N of them */
  shard?: Shard;
}

export interface RunOptions {
  jobs?: number;
  shard?: Shard;
  /** called after each unit, in completion order (progress) */
  onUnit?: (done: number, total: number, r: UnitResult) => void;
}

/** every unit of every target, in canonical order */
export function allUnits(targets: readonly Target[], o: ExploreOptions): Unit[] {
  const budget = effectiveBudget(o);
  const out: Unit[] = [];
  targets.forEach((t, ti) => {
    const n = unitCount(t, o, budget);
    for (let i = 0; i < n; i++) out.push({ target: ti, index: i });
  });
  return out;
}

/** the units of shard K/N: every N-th unit in canonical order */
export function shardUnits(units: readonly Unit[], shard: Shard | undefined): Unit[] {
  if (!shard || shard.count === 1) return units.slice();
  return units.filter((_, i) => i % shard.count === shard.index - 1);
}

export function uniqueInOrder(xs: readonly string[]): string[] {
  return xs.filter((x, i) => xs.indexOf(x) === i);
}

/** Fold unit results (in canonical order) into one result. */
export function fold(targets: readonly Target[], results: readonly UnitResult[], seconds: number, shard?: Shard): ExploreResult {
  const boards = uniqueInOrder(targets.map((t) => t.board.id));
  const kernels = uniqueInOrder(targets.map((t) => t.profile.name));
  const set = new FindingSet();
  let stats = emptyStats();
  for (const r of results) {
    set.addAll(r.findings);
    stats = addStats(stats, { ...r.stats, seconds: 0 });
  }
  stats.seconds = Math.round(seconds * 1000) / 1000;
  const out: ExploreResult = { boards, kernels, findings: set.sorted(boards, kernels), stats };
  if (shard && shard.count > 1) out.shard = shard;
  return out;
}

/**
 * Run the units in canonical order on this thread, applying the budget as a running total
 * (the unit that crosses it is searched up to the budget, the rest not at all).
 */
export function searchSequential(targets: readonly Target[], o: ExploreOptions, units: readonly Unit[], deadline: number | undefined, onUnit?: RunOptions['onUnit']): UnitResult[] {
  const budget = effectiveBudget(o);
  const out: UnitResult[] = [];
  let spent = 0;
  for (const u of units) {
    const limits: { cap?: number; deadline?: number } = {};
    if (budget !== undefined) limits.cap = budget - spent;
    if (deadline !== undefined) limits.deadline = deadline;
    const r = searchUnit(targets[u.target]!, o, u, limits);
    out.push(r);
    spent += r.stats.executions + r.stats.pruned;
    onUnit?.(out.length, units.length, r);
    if (!r.stats.complete) {
      // what was not searched at all is cut by the same bound
      for (const rest of units.slice(out.length)) out.push({ unit: rest, findings: [], stats: { ...emptyStats(), complete: false, cut: r.stats.cut! } });
      break;
    }
  }
  return out;
}

export async function explore(targets: readonly Target[], o: ExploreOptions, run: RunOptions = {}): Promise<ExploreResult> {
  const started = Date.now();
  const deadline = o.time !== undefined ? started + o.time * 1000 : undefined;
  const units = shardUnits(allUnits(targets, o), run.shard);
  const jobs = Math.max(1, Math.min(run.jobs ?? 1, units.length));
  let results: UnitResult[];
  if (jobs === 1) results = searchSequential(targets, o, units, deadline, run.onUnit);
  else {
    const { searchOnWorkers } = await import('./pool.js');
    results = await searchOnWorkers(targets, o, units, jobs, deadline, run.onUnit);
  }
  return fold(targets, results, (Date.now() - started) / 1000, run.shard);
}
