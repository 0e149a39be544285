// Worker threads fed from one queue: `run --jobs` (pool.ts) and `explore --jobs`
// (explore/pool.ts) both cut their work into tasks by index. A thread gets its next task
// when it answers the last, so a slow item holds up one thread only; each answer carries
// the index of its first item, so results land in input order whichever thread is first.
// Items and results are plain data: they cross postMessage as structured clones.

import { parentPort, Worker } from 'node:worker_threads';

export interface PoolTask<T> {
  /** index of items[0] in the whole list */
  start: number;
  items: T[];
}

export type PoolReply<R> = { start: number; results: R[] } | { fatal: string };

export interface PoolOptions<T, R> {
  /** the worker's module: it answers each task through serveTasks() */
  worker: URL;
  workerData: unknown;
  jobs: number;
  items: readonly T[];
  /** items per task */
  chunk: number;
  /** each answer's results, as they arrive */
  onResults(start: number, results: R[]): void;
  /** no task is handed out once this says so */
  stopped?(): boolean;
  /** what an error calls a thread ("worker", "explore worker") */
  name: string;
}

export async function runPool<T, R>(o: PoolOptions<T, R>): Promise<void> {
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(o.worker, { workerData: o.workerData });
      let settled = false;
      const feed = (): void => {
        if (next >= o.items.length || o.stopped?.()) {
          settled = true;
          void w.terminate().then(() => resolve(), reject);
          return;
        }
        const start = next;
        next = Math.min(o.items.length, next + o.chunk);
        w.postMessage({ start, items: o.items.slice(start, next) } satisfies PoolTask<T>);
      };
      w.on('message', (msg: PoolReply<R>) => {
        if ('fatal' in msg) {
          settled = true;
          void w.terminate();
          reject(new Error(`${o.name} failed: ${msg.fatal}`));
          return;
        }
        o.onResults(msg.start, msg.results);
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
          reject(new Error(`${o.name} exited with code ${code} before finishing`));
        }
      });
      feed();
    });
  await Promise.all(Array.from({ length: o.jobs }, one));
}

/** The thread's side: answer each task with handle(items), or with the error that stopped it. */
export function serveTasks<T, R>(handle: (items: T[]) => R[] | Promise<R[]>): void {
  const port = parentPort!;
  port.on('message', (task: PoolTask<T>) => {
    Promise.resolve()
      .then(() => handle(task.items))
      .then(
        (results) => port.postMessage({ start: task.start, results } satisfies PoolReply<R>),
        (err: unknown) => port.postMessage({ fatal: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies PoolReply<R>),
      );
  });
}
