// What a run --jobs worker thread is started with (the tasks and answers are worker-pool.ts's).

import type { ExecOptions } from './execute.js';
import type { TargetName, TargetOptions } from './targets/index.js';

export interface WorkerInit {
  target: TargetName;
  options: TargetOptions;
  exec: ExecOptions;
}
