// An explore --jobs worker thread: search each unit it is sent (search.ts), answer with the results.

import { workerData } from 'node:worker_threads';
import { serveTasks } from '../exec/worker-pool.js';
import { searchUnit, type Unit, type UnitResult } from './search.js';
import { effectiveBudget } from './options.js';
import type { ExploreWorkerInit } from './pool.js';

const init = workerData as ExploreWorkerInit;

serveTasks<Unit, UnitResult>((units) => {
  const budget = effectiveBudget(init.options);
  return units.map((u) =>
    searchUnit(init.targets[u.target]!, init.options, u, {
      ...(budget !== undefined ? { cap: budget } : {}),
      ...(init.deadline !== undefined ? { deadline: init.deadline } : {}),
    }),
  );
});
