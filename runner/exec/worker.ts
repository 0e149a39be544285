// A --jobs worker thread: load the target once, then execute each chunk it is sent.

import { workerData } from 'node:worker_threads';
import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';
import { executeSequential } from './run-all.js';
import { loadTarget } from './targets/index.js';
import type { WorkerInit } from './worker-protocol.js';
import { serveTasks } from './worker-pool.js';

const init = workerData as WorkerInit;
const targetP = loadTarget(init.target, init.options);

serveTasks<PlanRun, RunResult>(async (runs) => executeSequential(runs, await targetP, init.exec));
