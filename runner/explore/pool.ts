// --jobs N for explore: worker threads take units from a shared queue; results come back in
// canonical order. A --budget is applied afterwards as a running total over that order: each
// unit is searched with the whole budget as its cap, and the unit that crosses the total is
// searched again with what was left — the same cut a single thread makes.

import type { ExploreOptions } from './options.js';
import { effectiveBudget } from './options.js';
import type { Target } from './execution.js';
import type { Unit, UnitResult } from './search.js';
import { searchUnit } from './search.js';
import { emptyStats } from './findings.js';
import type { RunOptions } from './explore.js';
import { runPool } from '../exec/worker-pool.js';

export interface ExploreWorkerInit {
  targets: Target[];
  options: ExploreOptions;
  deadline?: number;
}

export async function searchOnWorkers(targets: readonly Target[], o: ExploreOptions, units: readonly Unit[], jobs: number, deadline: number | undefined, onUnit?: RunOptions['onUnit']): Promise<UnitResult[]> {
  const results: UnitResult[] = new Array(units.length);
  const init: ExploreWorkerInit = { targets: targets.slice(), options: o };
  if (deadline !== undefined) init.deadline = deadline;
  let done = 0;
  await runPool<Unit, UnitResult>({
    // from dist/runner/explore or from the bundle beside it (dist/runner/bundle)
    worker: new URL('../explore/worker.js', import.meta.url),
    workerData: init,
    jobs,
    items: units,
    chunk: 1,
    onResults: (start, rs) => {
      rs.forEach((r, i) => {
        results[start + i] = r;
        onUnit?.(++done, units.length, r);
      });
    },
    name: 'explore worker',
  });
  return cutAtBudget(targets, o, units, results, deadline);
}

/** the running-total budget cut over canonical order, as searchSequential makes it */
function cutAtBudget(targets: readonly Target[], o: ExploreOptions, units: readonly Unit[], results: UnitResult[], deadline: number | undefined): UnitResult[] {
  const budget = effectiveBudget(o);
  const out: UnitResult[] = [];
  let spent = 0;
  for (let i = 0; i < results.length; i++) {
    let r = results[i]!;
    if (budget !== undefined && spent + r.stats.executions + r.stats.pruned > budget) {
      r = searchUnit(targets[units[i]!.target]!, o, units[i]!, { cap: budget - spent, ...(deadline !== undefined ? { deadline } : {}) });
    }
    out.push(r);
    spent += r.stats.executions + r.stats.pruned;
    if (!r.stats.complete) {
      for (const rest of units.slice(i + 1)) out.push({ unit: rest, findings: [], stats: { ...emptyStats(), complete: false, cut: r.stats.cut! } });
      break;
    }
  }
  return out;
}
