// A --jobs worker thread: load the target once, then execute each chunk it is sent.

import { parentPort, workerData } from 'node:worker_threads';
import { executeSequential } from './run-all.js';
import { loadTarget } from './targets/index.js';
import type { WorkerInit, WorkerReply, WorkerTask } from './worker-protocol.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const targetP = loadTarget(init.target, init.options);

port.on('message', (task: WorkerTask) => {
  targetP
    .then((target) => executeSequential(task.runs, target, init.exec))
    .then(
      (results) => port.postMessage({ start: task.start, results } satisfies WorkerReply),
      (err: unknown) => port.postMessage({ fatal: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies WorkerReply),
    );
});
