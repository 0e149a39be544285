// run --jobs N: chunks of runs on worker threads (worker-pool.ts).

import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';
import type { RunAllOptions } from './run-all.js';
import { targetOptions } from './run-all.js';
import type { TargetName } from './targets/index.js';
import type { WorkerInit } from './worker-protocol.js';
import { runPool } from './worker-pool.js';

export async function executeOnWorkers(runs: readonly PlanRun[], jobs: number, opts: RunAllOptions & { target: TargetName }): Promise<RunResult[]> {
  const results: RunResult[] = new Array(runs.length);
  // --bail: results are handed on in input order, and nothing is handed on or started
  // after the first stop, so the outcome is the one --jobs 1 gives
  const ordered = opts.stopAfter !== undefined;
  let delivered = 0;
  let stopAt = -1;
  const deliver = (): void => {
    while (stopAt < 0 && delivered < runs.length && results[delivered] !== undefined) {
      const r = results[delivered]!;
      opts.onResult?.(r);
      if (opts.stopAfter?.(r)) stopAt = delivered;
      delivered++;
    }
  };
  const init: WorkerInit = { target: opts.target, options: targetOptions(opts), exec: {} };
  if (opts.keepLog !== undefined) init.exec.keepLog = opts.keepLog;
  if (opts.tailLines !== undefined) init.exec.tailLines = opts.tailLines;
  if (opts.trace !== undefined) init.exec.trace = opts.trace;
  await runPool<PlanRun, RunResult>({
    // from dist/runner/exec or from the bundle beside it (dist/runner/bundle)
    worker: new URL('../exec/worker.js', import.meta.url),
    workerData: init,
    jobs,
    items: runs,
    // small chunks keep the threads balanced; big enough to amortise a message round trip
    chunk: Math.max(1, Math.min(64, Math.ceil(runs.length / (jobs * 8)))),
    onResults: (start, rs) => {
      rs.forEach((r, k) => {
        results[start + k] = r;
        if (!ordered) opts.onResult?.(r);
      });
      if (ordered) deliver();
    },
    stopped: () => stopAt >= 0,
    name: 'worker',
  });
  return stopAt >= 0 ? results.slice(0, stopAt + 1) : results;
}
