// --jobs N for explore: worker threads take units from a shared queue; results come back in
// canonical order. A --budget is applied afterwards as a running total over that order: each
// unit is searched with the whole budget as its cap, and the unit that crosses the total is
// searched again with what was left — the same cut a single thread makes.

import { Worker } from 'node:worker_threads';
import type { ExploreOptions } from './options.js';
import { effectiveBudget } from './options.js';
import type { Target } from './execution.js';
import type { Unit, UnitResult } from './search.js';
import { searchUnit } from './search.js';
import { emptyStats } from './findings.js';
import type { RunOptions } from './explore.js';

export interface ExploreWorkerInit {
  targets: Target[];
  options: ExploreOptions;
  deadline?: number;
}

export type ExploreWorkerTask = { start: number; units: Unit[] };
export type ExploreWorkerReply = { start: number; results: UnitResult[] } | { fatal: string };

export async function searchOnWorkers(targets: readonly Target[], o: ExploreOptions, units: readonly Unit[], jobs: number, deadline: number | undefined, onUnit?: RunOptions['onUnit']): Promise<UnitResult[]> {
  const results: UnitResult[] = new Array(units.length);
  const init: ExploreWorkerInit = { targets: targets.slice(), options: o };
  if (deadline !== undefined) init.deadline = deadline;
  // from dist/runner/explore or from the bundle beside it (dist/runner/bundle)
  const url = new URL('../explore/worker.js', import.meta.url);
  let next = 0;
  let done = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, { workerData: init });
      let settled = false;
      const feed = (): void => {
        if (next >= units.length) {
          settled = true;
          void w.terminate().then(() => resolve(), reject);
          return;
        }
        const start = next++;
        w.postMessage({ start, units: [units[start]!] } satisfies ExploreWorkerTask);
      };
      w.on('message', (msg: ExploreWorkerReply) => {
        if ('fatal' in msg) {
          settled = true;
          void w.terminate();
          reject(new Error(`explore worker failed: ${msg.fatal}`));
          return;
        }
        msg.results.forEach((r, i) => {
          results[msg.start + i] = r;
          onUnit?.(++done, units.length, r);
        });
        feed();
      });
      w.on('error', (e) => {
        if (!settled) {
          settled = true;
          reject(e);
        }
      });
      w.on('exit', (code) => {
        if (!settled) {
          settled = true;
          reject(new Error(`explore worker exited with code ${code}`));
        }
      });
      feed();
    });
  await Promise.all(Array.from({ length: jobs }, one));
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
