// The one worker pool behind run --jobs and explore --jobs: results by index whatever
// thread answers first, and a thread's error ends the pool naming it.

import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runPool } from '../../runner/exec/worker-pool.js';

const POOL = new URL('../../runner/exec/worker-pool.js', import.meta.url).href;

describe('exec/worker-pool', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-pool-'));
    // squares each item after a pause that makes later tasks finish first; 13 is an error
    writeFileSync(
      path.join(dir, 'square.mjs'),
      `import { serveTasks } from ${JSON.stringify(POOL)};
serveTasks(async (items) => {
  if (items.includes(13)) throw new Error('unlucky 13');
  await new Promise((r) => setTimeout(r, 20 - items[0]));
  return items.map((n) => n * n);
});
`,
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every item answered once, in input order, in chunks handed out by index', async () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    const out: number[] = new Array(items.length);
    const starts: number[] = [];
    await runPool<number, number>({ worker: pathToFileURL(path.join(dir, 'square.mjs')), workerData: null, jobs: 3, items, chunk: 5, name: 'test worker', onResults: (start, rs) => {
      starts.push(start);
      rs.forEach((r, k) => (out[start + k] = r));
    } });
    expect(out).to.deep.equal(items.map((n) => n * n));
    expect(starts.sort((a, b) => a - b)).to.deep.equal([0, 5, 10]);
  });

  it('stops handing out tasks once told to', async () => {
    const got: number[] = [];
    await runPool<number, number>({ worker: pathToFileURL(path.join(dir, 'square.mjs')), workerData: null, jobs: 1, items: [1, 2, 3, 4], chunk: 1, name: 'test worker', onResults: (start) => got.push(start), stopped: () => got.length >= 2 });
    expect(got).to.deep.equal([0, 1]);
  });

  it('a thread\'s error rejects the pool with the pool\'s name and the error', async () => {
    const err = await runPool<number, number>({ worker: pathToFileURL(path.join(dir, 'square.mjs')), workerData: null, jobs: 2, items: [11, 12, 13, 14], chunk: 1, name: 'test worker', onResults: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).message).to.match(/^test worker failed: Error: unlucky 13/);
  });
});
