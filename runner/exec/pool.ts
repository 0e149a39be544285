// --jobs N: worker threads pull chunks of runs from a shared queue. Plans and results
// are plain data, so they cross postMessage as structured clones.

import { Worker } from 'node:worker_threads';
import type { PlanRun } from '../dsl/plan.js';
import type { RunResult } from '../report/result.js';
import type { RunAllOptions } from './run-all.js';
import { targetOptions } from './run-all.js';
import type { TargetName } from './targets/index.js';
import type { WorkerInit, WorkerReply, WorkerTask } from './worker-protocol.js';

export async function executeOnWorkers(runs: readonly PlanRun[], jobs: number, opts: RunAllOptions & { target: TargetName }): Promise<RunResult[]> {
  const results: RunResult[] = new Array(runs.length);
  // small chunks keep the threads balanced; big enough to amortise a message round trip
  const chunk = Math.max(1, Math.min(64, Math.ceil(runs.length / (jobs * 8))));
  let next = 0;
  const init: WorkerInit = { target: opts.target, options: targetOptions(opts), exec: {} };
  if (opts.keepLog !== undefined) init.exec.keepLog = opts.keepLog;
  if (opts.tailLines !== undefined) init.exec.tailLines = opts.tailLines;
  if (opts.trace !== undefined) init.exec.trace = opts.trace;
  const url = new URL('./worker.js', import.meta.url);

  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, { workerData: init });
      let settled = false;
      const feed = () => {
        if (next >= runs.length) {
          settled = true;
          void w.terminate().then(() => resolve(), reject);
          return;
        }
        const start = next;
        next = Math.min(runs.length, next + chunk);
        const task: WorkerTask = { start, runs: runs.slice(start, next) };
        w.postMessage(task);
      };
      w.on('message', (msg: WorkerReply) => {
        if ('fatal' in msg) {
          settled = true;
          void w.terminate();
          reject(new Error(`worker failed: ${msg.fatal}`));
          return;
        }
        msg.results.forEach((r, k) => {
          results[msg.start + k] = r;
          opts.onResult?.(r);
        });
        feed();
      });
      w.on('error', (err) => {
        if (!settled) {
          settled = true;
          reject(err);
        }
      });
      w.on('exit', (code) => {
        if (!settled) {
          settled = true;
          reject(new Error(`worker exited with code ${code} before finishing`));
        }
      });
      feed();
    });

  await Promise.all(Array.from({ length: jobs }, one));
  return results;
}
