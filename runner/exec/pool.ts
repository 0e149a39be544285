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
  // --bail: results are handed on in input order, and nothing is handed on or started
  // after the first stop, so the outcome is the one --jobs 1 gives
  const ordered = opts.stopAfter !== undefined;
  let delivered = 0;
  let stopAt = -1;
  const deliver = () => {
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
  // from dist/runner/exec or from the bundle beside it (dist/runner/bundle)
  const url = new URL('../exec/worker.js', import.meta.url);

  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(url, { workerData: init });
      let settled = false;
      const feed = () => {
        if (next >= runs.length || stopAt >= 0) {
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
          if (!ordered) opts.onResult?.(r);
        });
        if (ordered) deliver();
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
  return stopAt >= 0 ? results.slice(0, stopAt + 1) : results;
}
