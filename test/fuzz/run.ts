// `npm run fuzz -- [--runs N] [--only loader|model|NAME] [--seed S] [--path P] [--jobs J] [--stall SECONDS] [--slow SECONDS]`
//
// Runs the loader and model properties of test/fuzz with many more cases than `npm test`
// does, each property on a worker thread with a watchdog: a case that does not finish
// within --stall seconds (default 120) is reported with the seed and path that replay it,
// since a synchronous endless loop cannot be interrupted from inside; a case slower than
// --slow seconds (default 5) is listed as SLOW with its replay. Prints, per
// property, how many inputs were tried and how long it took; exits 1 on any failure.

import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loaderProperties, makeWorkspace, removeWorkspace, type LoaderStats, type NamedProperty } from './lib/loader.js';
import { modelProperties, type ModelStats } from './lib/model.js';

interface Job {
  name: string;
  runs: number;
  seed: number;
  path?: string;
}

type FromWorker =
  | { type: 'case'; n: number }
  | { type: 'done'; name: string; failed: boolean; numRuns: number; numShrinks: number; report: string; stats: unknown; seed: number };

function allProperties(loaderStats: Record<string, LoaderStats>, modelStats: Record<string, ModelStats>): { props: NamedProperty[]; cleanup: () => void } {
  const ws = makeWorkspace();
  return { props: [...loaderProperties(ws, loaderStats), ...modelProperties(modelStats)], cleanup: () => removeWorkspace(ws) };
}

function propertyNames(): string[] {
  const { props, cleanup } = allProperties({}, {});
  cleanup();
  return props.map((p) => p.name);
}

async function worker(job: Job): Promise<void> {
  const loaderStats: Record<string, LoaderStats> = {};
  const modelStats: Record<string, ModelStats> = {};
  const { props, cleanup } = allProperties(loaderStats, modelStats);
  const p = props.find((x) => x.name === job.name)!;
  let n = 0;
  const hook = () => void parentPort!.postMessage({ type: 'case', n: ++n } satisfies FromWorker);
  const property = (p.property as fc.IPropertyWithHooks<unknown[]>).beforeEach(hook);
  const details = await fc.check(property as fc.IProperty<unknown[]>, { numRuns: job.runs, seed: job.seed, ...(job.path ? { path: job.path } : {}) });
  cleanup();
  parentPort!.postMessage({
    type: 'done',
    name: p.name,
    failed: details.failed,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    report: details.failed ? `${fc.defaultReportMessage(details) ?? 'failed'}\n${details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : String(details.errorInstance)}` : '',
    stats: loaderStats[p.name] ?? modelStats[p.name] ?? {},
    seed: details.seed,
  } satisfies FromWorker);
}

function describeStats(s: unknown): string {
  if (!s || typeof s !== 'object') return '';
  const o = s as Record<string, number>;
  if ('valid' in o) return `${o['valid']} valid, ${o['invalid']} rejected with positioned errors, ${o['runs']} runs compiled`;
  if ('cases' in o) return `${o['cases']} kernels run twice, max ${o['maxLines']} printk lines, ${o['oopses']} with an oops, ${o['panics']} with a panic`;
  return '';
}

async function runJob(job: Job, stallSeconds: number, slowSeconds: number): Promise<boolean> {
  const started = Date.now();
  return new Promise((resolve) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: job });
    let lastCase = 0;
    let lastAt = Date.now();
    let lastPrint = Date.now();
    let settled = false;
    let slow = 0;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      resolve(ok);
    };
    const timer = setInterval(() => {
      if (Date.now() - lastAt > stallSeconds * 1000) {
        process.stdout.write(
          `FAIL ${job.name}: case ${lastCase} did not finish within ${stallSeconds} s (a run that does not end)\n` +
            `     replay: npm run fuzz -- --only "${job.name}" --seed ${job.seed} --path ${lastCase - 1} --runs 1\n`,
        );
        void w.terminate();
        finish(false);
      }
    }, 1000);
    w.on('message', (m: FromWorker) => {
      if (m.type === 'case') {
        // a case that ends but takes seconds is worth a look too (a quadratic path)
        const took = Date.now() - lastAt;
        if (lastCase > 0 && took > slowSeconds * 1000) {
          slow++;
          if (slow <= 5) process.stdout.write(`SLOW ${job.name}: case ${lastCase} took ${(took / 1000).toFixed(1)} s; replay: npm run fuzz -- --only "${job.name}" --seed ${job.seed} --path ${lastCase - 1} --runs 1\n`);
        }
        lastCase = m.n;
        lastAt = Date.now();
        if (Date.now() - lastPrint > 30_000) {
          lastPrint = Date.now();
          process.stderr.write(`  ${job.name}: ${m.n}/${job.runs} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        }
        return;
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const stats = describeStats(m.stats);
      if (m.failed) {
        process.stdout.write(`FAIL ${m.name}: failed after ${m.numRuns} inputs (${m.numShrinks} shrinks) in ${secs} s\n${m.report}\n`);
      } else {
        process.stdout.write(`ok   ${m.name}: ${m.numRuns} inputs tried in ${secs} s (seed ${m.seed})${stats ? `; ${stats}` : ''}\n`);
      }
      finish(!m.failed);
    });
    w.on('error', (e) => {
      process.stdout.write(`FAIL ${job.name}: worker error ${e.stack ?? e.message}\n`);
      finish(false);
    });
    w.on('exit', (code) => {
      if (!settled) {
        process.stdout.write(`FAIL ${job.name}: worker exited with code ${code}\n`);
        finish(false);
      }
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10000' },
      only: { type: 'string', multiple: true },
      seed: { type: 'string' },
      path: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      stall: { type: 'string', default: '120' },
      slow: { type: 'string', default: '5' },
    },
  });
  const runs = Number(values.runs);
  const jobs = Math.max(1, Number(values.jobs));
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  const names = propertyNames().filter((n) => !values.only?.length || values.only.some((o) => n === o || n.startsWith(`${o}:`)));
  if (!Number.isInteger(runs) || runs < 1 || names.length === 0) {
    process.stderr.write(`fuzz: nothing to run (--runs ${values.runs}, --only ${values.only?.join(',') ?? ''}); properties: ${propertyNames().join(' | ')}\n`);
    return 2;
  }
  process.stdout.write(`fuzz: ${names.length} properties, ${runs} inputs each, seed ${seed}, ${jobs} at a time\n`);
  const started = Date.now();
  const queue = names.map((name): Job => ({ name, runs, seed, ...(values.path ? { path: values.path } : {}) }));
  let failed = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) if (!(await runJob(job, Number(values.stall), Number(values.slow)))) failed++;
    }),
  );
  process.stdout.write(`fuzz: ${names.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return failed ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  void worker(workerData as Job);
}
