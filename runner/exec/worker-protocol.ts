// Messages between the pool and its worker threads.

import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';
import type { ExecOptions } from './execute.js';
import type { TargetName, TargetOptions } from './targets/index.js';

export interface WorkerInit {
  target: TargetName;
  options: TargetOptions;
  exec: ExecOptions;
}

export interface WorkerTask {
  /** index of runs[0] in the whole list */
  start: number;
  runs: PlanRun[];
}

export type WorkerReply = { start: number; results: RunResult[] } | { fatal: string };
