// `npm run fuzz -- [--runs N] [--only loader|dsl|model|NAME]... [--seed S] [--input I] [--jobs J] [--stall SECONDS] [--slow SECONDS]`
//
// Runs the loader, dsl and model properties of test/fuzz with many more inputs than `npm
// test` does. --runs N is N inputs for EVERY selected property (one input is one call of the
// property: one document for a loader property, one pattern and its lines or one document
// for a dsl one, one board + step list for a model one: on 7 profiles, or on all 66 one time
// in sixteen, for "model: one board on many profiles").
//
// Input I of property P under seed S is always the same input, however many --jobs share
// the work: the inputs come in chunks of CHUNK, chunk k drawn by fast-check from a seed
// mixed from (S, P, k), and a failure is reported as (P, S, I) with the command that
// replays it (`--only P --seed S --input I`: that one input, then shrunk). The chunks of
// all properties are shared out to --jobs worker threads (default: the machine's cores),
// round-robin across properties so that each finishes at about the same time.
//
// Each worker writes the input it is on to shared memory: an input that has not finished
// after --stall seconds (default 120) is reported as a hang (a synchronous endless loop
// cannot be interrupted from inside), the worker replaced and the property marked failed;
// an input that ends but took more than --slow seconds (default 5) is listed as SLOW with
// its replay. A worker that dies (out of memory: each has a 2 GB heap) fails the property
// at its input. Exits 1 on any failure.

import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loaderProperties, makeWorkspace, removeWorkspace, type LoaderStats, type NamedProperty } from './lib/loader.js';
import { modelProperties, type ModelStats } from './lib/model.js';
import { dslProperties, type DslStats } from './lib/dsl.js';

/** inputs per chunk: fixed, so that an input's index names it whatever --runs and --jobs are */
export const CHUNK = 1000;

/** the fast-check seed of chunk k of a property (FNV-1a over the three, 31 bits) */
export function chunkSeed(seed: number, name: string, chunk: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}\u0000${name}\u0000${chunk}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}

interface Task {
  id: number;
  name: string;
  chunk: number;
  /** inputs of this chunk to run */
  runs: number;
  seed: number;
  /** replay only this input of the chunk (its index in the chunk), then shrink it */
  only?: number;
}

type ToWorker = { type: 'task'; task: Task } | { type: 'stop' };

type FromWorker =
  | { type: 'ready'; names: string[] }
  | { type: 'slow'; taskId: number; index: number; ms: number }
  | {
      type: 'done';
      taskId: number;
      numRuns: number;
      /** index in the chunk of the first failing input */
      failedAt?: number;
      report: string;
      stats: Record<string, number>;
      wallMs: number;
      cpuMs: number;
    };

// shared with each worker: [task id, input index in the chunk, phase (0 inputs, 1 shrinking), inputs started]
const SLOT_TASK = 0;
const SLOT_INDEX = 1;
const SLOT_PHASE = 2;
const SLOT_STARTED = 3;

function allProperties(): { props: NamedProperty[]; stats: Record<string, LoaderStats | ModelStats | DslStats>; cleanup: () => void } {
  const ws = makeWorkspace();
  const stats: Record<string, LoaderStats | ModelStats | DslStats> = {};
  return {
    props: [...loaderProperties(ws, stats as Record<string, LoaderStats>), ...dslProperties(ws, stats as Record<string, DslStats>), ...modelProperties(stats as Record<string, ModelStats>)],
    stats,
    cleanup: () => removeWorkspace(ws),
  };
}

/** this thread's CPU time in ms (Linux; NaN elsewhere): the load of other processes does not count */
function threadCpuMs(): number {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8');
    const after = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 of stat(5), utime and stime in clock ticks (USER_HZ = 100 on Linux)
    return (Number(after[11]) + Number(after[12])) * 10;
  } catch {
    return NaN;
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

const STACK_TRACE_LIMIT = 30;

async function worker(shared: Int32Array, slowMs: number): Promise<void> {
  const { props, stats, cleanup } = allProperties();
  const port = parentPort!;
  const send = (m: FromWorker) => port.postMessage(m);
  let task: Task | undefined;
  let started = 0;
  let index = -1;
  // one input: its index where the watchdog reads it; a slow one is reported when it ends
  const hook = fc.beforeEach(() => {
    index = Atomics.add(shared, SLOT_STARTED, 1);
    if (Atomics.load(shared, SLOT_PHASE) === 0) Atomics.store(shared, SLOT_INDEX, (task?.only ?? 0) + index);
    started = performance.now();
    return () => {
      const ms = performance.now() - started;
      if (ms > slowMs && task && Atomics.load(shared, SLOT_PHASE) === 0) send({ type: 'slow', taskId: task.id, index: Atomics.load(shared, SLOT_INDEX), ms });
    };
  });
  const run = async (t: Task): Promise<FromWorker> => {
    task = t;
    const p = props.find((x) => x.name === t.name)!;
    delete stats[t.name];
    Atomics.store(shared, SLOT_TASK, t.id);
    Atomics.store(shared, SLOT_INDEX, t.only ?? 0);
    Atomics.store(shared, SLOT_PHASE, 0);
    Atomics.store(shared, SLOT_STARTED, 0);
    const wall0 = performance.now();
    const cpu0 = threadCpuMs();
    const property = p.property as fc.IProperty<unknown[]>;
    // no stack traces while the inputs run (yaml alone makes an error for most bad inputs,
    // and capturing a stack was ~5% of the time); a failure is replayed with them below
    Error.stackTraceLimit = 0;
    const details = await fc.check(property, {
      numRuns: t.only !== undefined ? 1 : t.runs,
      seed: t.seed,
      endOnFailure: true,
      plugins: [hook],
      ...(t.only !== undefined ? { path: String(t.only) } : {}),
    });
    Error.stackTraceLimit = STACK_TRACE_LIMIT;
    const wallMs = performance.now() - wall0;
    const cpuMs = threadCpuMs() - cpu0;
    const s = { ...((stats[t.name] ?? {}) as unknown as Record<string, number>) };
    if (!details.failed) return { type: 'done', taskId: t.id, numRuns: details.numRuns, report: '', stats: s, wallMs, cpuMs };
    // the first failure, found without shrinking (the watchdog knows its index); now shrink it
    const failedAt = t.only ?? Number((details.counterexamplePath ?? '0').split(':')[0]);
    Atomics.store(shared, SLOT_INDEX, failedAt);
    Atomics.store(shared, SLOT_PHASE, 1);
    const shrunk = await fc.check(property, { seed: t.seed, path: String(failedAt), numRuns: 1, plugins: [hook], interruptAfterTimeLimit: 120_000 });
    const d = shrunk.failed ? shrunk : details;
    const report = `${fc.defaultReportMessage(d) ?? 'failed'}\n${errorText(d.errorInstance)}`;
    return { type: 'done', taskId: t.id, numRuns: details.numRuns, failedAt, report, stats: s, wallMs, cpuMs };
  };
  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      cleanup();
      port.close();
      return;
    }
    run(m.task).then(send, (e: unknown) => send({ type: 'done', taskId: m.task.id, numRuns: 0, failedAt: 0, report: `the runner failed: ${errorText(e)}`, stats: {}, wallMs: 0, cpuMs: 0 }));
  });
  send({ type: 'ready', names: props.map((p) => p.name) });
}

// ---------------------------------------------------------------------------------
// the parent

interface Totals {
  name: string;
  inputs: number;
  wallMs: number;
  cpuMs: number;
  stats: Record<string, number>;
  failed: boolean;
  pending: number;
}

function describeStats(o: Record<string, number>): string {
  if ('valid' in o) return `${o['valid']} valid, ${o['invalid']} rejected with positioned errors, ${o['runs']} runs compiled`;
  if ('lines' in o) return o['lines'] ? `${o['taken']} regexes accepted and matched against ${o['lines']} lines, ${o['declined']} refused` : `${o['taken']} documents the fast parser took, ${o['declined']} it left to yaml`;
  if ('cases' in o) return `${o['cases']} kernels run, max ${o['maxLines']} printk lines, ${o['oopses']} with an oops, ${o['panics']} with a panic`;
  return '';
}

function mergeStats(into: Record<string, number>, s: Record<string, number>): void {
  for (const [k, v] of Object.entries(s)) into[k] = k.startsWith('max') ? Math.max(into[k] ?? 0, v) : (into[k] ?? 0) + v;
}

interface Options {
  runs: number;
  seed: number;
  names: string[];
  jobs: number;
  input?: number;
  stallMs: number;
  slowMs: number;
}

function replayLine(name: string, seed: number, input: number): string {
  return `npm run fuzz -- --only "${name}" --seed ${seed} --input ${input}`;
}

async function fuzz(o: Options): Promise<number> {
  const out = (s: string) => process.stdout.write(s);
  const totals = new Map<string, Totals>(o.names.map((name) => [name, { name, inputs: 0, wallMs: 0, cpuMs: 0, stats: {}, failed: false, pending: 0 }]));
  // round-robin across properties, chunk by chunk
  const queue: Task[] = [];
  let nextId = 1;
  if (o.input !== undefined) {
    const chunk = Math.floor(o.input / CHUNK);
    for (const name of o.names) queue.push({ id: nextId++, name, chunk, runs: 1, seed: chunkSeed(o.seed, name, chunk), only: o.input % CHUNK });
  } else {
    for (let k = 0; k * CHUNK < o.runs; k++) {
      for (const name of o.names) queue.push({ id: nextId++, name, chunk: k, runs: Math.min(CHUNK, o.runs - k * CHUNK), seed: chunkSeed(o.seed, name, k) });
    }
  }
  for (const t of queue) totals.get(t.name)!.pending++;
  const byId = new Map(queue.map((t) => [t.id, t]));
  const globalIndex = (t: Task, index: number) => t.chunk * CHUNK + index;
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  let lastProgress = Date.now();
  let slowShown = 0;

  const finishTask = (t: Task) => {
    const tot = totals.get(t.name)!;
    if (--tot.pending === 0) {
      const secs = tot.wallMs / 1000;
      const rate = (ms: number) => (ms > 0 ? `${Math.round((tot.inputs * 1000) / ms)}/s` : '-');
      const st = describeStats(tot.stats);
      if (!tot.failed) out(`ok   ${t.name}: ${tot.inputs} inputs in ${secs.toFixed(1)} s of worker time (${rate(tot.wallMs)}; ${rate(tot.cpuMs)} of its CPU time)${st ? `; ${st}` : ''}\n`);
    }
  };
  const failProperty = (t: Task, text: string) => {
    const tot = totals.get(t.name)!;
    tot.failed = true;
    out(text);
    // the rest of a failed property's inputs are not run: its first failure is the news
    for (let i = queue.length - 1; i >= 0; i--) {
      if (queue[i]!.name === t.name) {
        queue.splice(i, 1);
        tot.pending--;
      }
    }
  };

  return new Promise((resolve) => {
    let live = 0;
    const spawn = () => {
      const shared = new Int32Array(new SharedArrayBuffer(4 * 4));
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { shared, slowMs: o.slowMs }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
      live++;
      let current: Task | undefined;
      let seen = '';
      let seenAt = Date.now();
      let dead = false;
      const next = () => {
        current = queue.shift();
        if (!current) {
          w.postMessage({ type: 'stop' } satisfies ToWorker);
          return;
        }
        seen = '';
        seenAt = Date.now();
        w.postMessage({ type: 'task', task: current } satisfies ToWorker);
      };
      const where = () => {
        const index = Atomics.load(shared, SLOT_INDEX);
        const shrinking = Atomics.load(shared, SLOT_PHASE) === 1;
        return { index, shrinking };
      };
      const retire = (why: string) => {
        if (dead) return;
        dead = true;
        clearInterval(timer);
        const t = current;
        current = undefined;
        if (t) {
          const { index, shrinking } = where();
          const g = globalIndex(t, index);
          failProperty(t, `FAIL ${t.name}: input ${g} (seed ${o.seed}) ${why}${shrinking ? ' while its failure was being shrunk' : ''}\n     replay: ${replayLine(t.name, o.seed, g)}\n`);
          finishTask(t);
        }
        void w.terminate();
        live--;
        // the remaining work goes on, on a fresh worker
        if (queue.length) spawn();
        else if (live === 0) done();
      };
      const timer = setInterval(() => {
        if (!current) return;
        const key = `${Atomics.load(shared, SLOT_TASK)}:${Atomics.load(shared, SLOT_STARTED)}:${Atomics.load(shared, SLOT_PHASE)}`;
        if (key !== seen) {
          seen = key;
          seenAt = Date.now();
        } else if (Date.now() - seenAt > o.stallMs) {
          retire(`did not finish within ${o.stallMs / 1000} s (a run that does not end)`);
        }
        if (Date.now() - lastProgress > 30_000) {
          lastProgress = Date.now();
          const doneInputs = [...totals.values()].reduce((a, t) => a + t.inputs, 0);
          process.stderr.write(`  fuzz: ${doneInputs} of ${o.names.length * o.runs} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        }
      }, 1000);
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready') return next();
        if (m.type === 'slow') {
          const t = byId.get(m.taskId)!;
          if (++slowShown <= 10) out(`SLOW ${t.name}: input ${globalIndex(t, m.index)} took ${(m.ms / 1000).toFixed(1)} s; replay: ${replayLine(t.name, o.seed, globalIndex(t, m.index))}\n`);
          return;
        }
        const t = byId.get(m.taskId)!;
        const tot = totals.get(t.name)!;
        tot.inputs += m.numRuns;
        tot.wallMs += m.wallMs;
        tot.cpuMs += m.cpuMs;
        mergeStats(tot.stats, m.stats);
        if (m.failedAt !== undefined) {
          const g = globalIndex(t, m.failedAt);
          failProperty(t, `FAIL ${t.name}: input ${g} (seed ${o.seed}) failed\n     replay: ${replayLine(t.name, o.seed, g)}\n${m.report.replace(/^/gm, '     ')}\n`);
        }
        finishTask(t);
        next();
      });
      w.on('error', (e) => retire(`ended its worker: ${errorText(e)}`));
      w.on('exit', (code) => {
        if (dead) return;
        if (current) return retire(`ended its worker (exit code ${code})`);
        dead = true;
        clearInterval(timer);
        live--;
        if (live === 0) done();
      });
    };
    const done = () => {
      const failed = [...totals.values()].filter((t) => t.failed).length;
      const cpu = process.cpuUsage(cpu0);
      out(
        `fuzz: ${o.names.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s` +
          ` (${o.jobs} workers, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s of CPU, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')})\n`,
      );
      resolve(failed ? 1 : 0);
    };
    for (let i = 0; i < Math.min(o.jobs, queue.length); i++) spawn();
  });
}

const PROPERTY_NAMES_HINT = 'loader | dsl | model | a property name (see `npm run fuzz -- --list`)';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10000' },
      only: { type: 'string', multiple: true },
      seed: { type: 'string' },
      input: { type: 'string' },
      jobs: { type: 'string', default: String(os.availableParallelism()) },
      stall: { type: 'string', default: '120' },
      slow: { type: 'string', default: '5' },
      list: { type: 'boolean', default: false },
    },
  });
  const { props, cleanup } = allProperties();
  const all = props.map((p) => p.name);
  cleanup();
  if (values.list) {
    process.stdout.write(`${all.join('\n')}\n`);
    return 0;
  }
  const runs = Number(values.runs);
  const jobs = Math.max(1, Math.floor(Number(values.jobs)) || 1);
  const input = values.input !== undefined ? Number(values.input) : undefined;
  const names = all.filter((n) => !values.only?.length || values.only.some((o) => n === o || n.startsWith(`${o}:`)));
  const bad = (why: string) => {
    process.stderr.write(`fuzz: ${why}\n`);
    return 2;
  };
  if (!Number.isInteger(runs) || runs < 1) return bad(`--runs ${values.runs}: a positive integer`);
  if (names.length === 0) return bad(`--only ${values.only?.join(',') ?? ''} selects nothing (${PROPERTY_NAMES_HINT}); properties: ${all.join(' | ')}`);
  if (input !== undefined && (!Number.isInteger(input) || input < 0)) return bad(`--input ${values.input}: an input index (0, 1, ...)`);
  if (input !== undefined && values.seed === undefined) return bad('--input needs the --seed of the run that reported it');
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  if (!Number.isInteger(seed)) return bad(`--seed ${values.seed}: an integer`);
  process.stdout.write(
    input !== undefined
      ? `fuzz: input ${input} of ${names.length} propert${names.length === 1 ? 'y' : 'ies'}, seed ${seed}\n`
      : `fuzz: ${names.length} properties, ${runs} inputs each, seed ${seed}, ${jobs} workers\n`,
  );
  return fuzz({ runs, seed, names, jobs, ...(input !== undefined ? { input } : {}), stallMs: Number(values.stall) * 1000, slowMs: Number(values.slow) * 1000 });
}

if (isMainThread) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`fuzz: ${errorText(e)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  const d = workerData as { shared: Int32Array; slowMs: number };
  void worker(d.shared, d.slowMs);
}
