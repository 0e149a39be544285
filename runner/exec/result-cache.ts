// Results of model runs in the cache. The model is deterministic — the same run (its
// steps, assertions and positions, the board and profile it runs on) on the same build of
// bringup with the same seed prints the same log and reaches the same verdict — so a run
// whose digest (dsl/plan-cache.ts) and options were executed before is not executed again:
// its result is read back, and every report made from it is the same byte for byte. Only
// the built-in model target is cached (a real kernel is not deterministic), and never an
// ERROR (its message is about the machine, not the run).

import { sha256, toolKey, type Cache } from '../cache/store.js';
import { runDigest } from '../dsl/plan-cache.js';
import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';

export interface ResultCacheOptions {
  seed?: number;
  keepLog?: boolean;
  trace?: boolean;
  tailLines?: number;
}

export class ResultCache {
  private readonly options: string;

  constructor(
    readonly store: Cache,
    o: ResultCacheOptions = {},
  ) {
    this.options = JSON.stringify([o.seed ?? 0, o.keepLog ?? false, o.trace ?? false, o.tailLines ?? null]);
  }

  private key(run: PlanRun): string {
    return sha256(toolKey(), 'result', this.options, runDigest(run));
  }

  get(run: PlanRun): RunResult | undefined {
    const r = this.store.getJson<RunResult>(this.key(run));
    return r && typeof r === 'object' && typeof r.status === 'string' ? r : undefined;
  }

  put(run: PlanRun, result: RunResult): void {
    if (result.status === 'ERROR') return;
    this.store.putJson(this.key(run), result);
  }

  /** the key of a whole list of runs: one read when the same command runs again */
  private groupKey(runs: readonly PlanRun[]): string {
    return sha256(toolKey(), 'results', this.options, ...runs.map(runDigest));
  }

  /** The results of all these runs, in order, when this very list ran before. */
  getAll(runs: readonly PlanRun[]): RunResult[] | undefined {
    const all = this.store.getJson<RunResult[]>(this.groupKey(runs));
    return Array.isArray(all) && all.length === runs.length && all.every((r) => r && typeof r.status === 'string') ? all : undefined;
  }

  putAll(runs: readonly PlanRun[], results: readonly RunResult[]): void {
    if (results.length !== runs.length || results.some((r) => r.status === 'ERROR')) return;
    this.store.putJson(this.groupKey(runs), results);
  }
}
