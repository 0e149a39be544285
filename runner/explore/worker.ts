// An explore --jobs worker thread: search each unit it is sent (search.ts), reply with the results.

import { parentPort, workerData } from 'node:worker_threads';
import { searchUnit } from './search.js';
import { effectiveBudget } from './options.js';
import type { ExploreWorkerInit, ExploreWorkerReply, ExploreWorkerTask } from './pool.js';

const init = workerData as ExploreWorkerInit;
const port = parentPort!;

port.on('message', (task: ExploreWorkerTask) => {
  try {
    const budget = effectiveBudget(init.options);
    const results = task.units.map((u) =>
      searchUnit(init.targets[u.target]!, init.options, u, {
        ...(budget !== undefined ? { cap: budget } : {}),
        ...(init.deadline !== undefined ? { deadline: init.deadline } : {}),
      }),
    );
    port.postMessage({ start: task.start, results } satisfies ExploreWorkerReply);
  } catch (e) {
    port.postMessage({ fatal: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies ExploreWorkerReply);
  }
});
