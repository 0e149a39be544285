// Compiled runs in the document cache. A suite that checked clean has a key naming all it
// was checked against (its text, its boards, the user profiles, the tool); the runs
// compiled from it under that key are the same every time, so they are stored once and
// read back, in the compiler's order and shape. --board and --filter select from the
// whole list afterwards (the compiler's own filters keep the same runs in the same order);
// --kernel replaces the matrix, and such a plan is compiled afresh.
//
// Each run also gets a digest: a hash of everything the run is (its steps, assertions,
// positions, the board and profile it runs on), which keys its result in the cache.

import { sha256, toolKey } from '../cache/store.js';
import { compileCells, compileSuite, frozen } from './compile.js';
import type { DocCache } from './doc-cache.js';
import { compileGlob } from './patterns.js';
import type { PlanRun } from './plan.js';
import type { LoadedSuite } from './suite.js';
import type { ModelBoard, ResolvedProfile } from '../model/types.js';

/** the key of each suite's clean check, set by the loader */
const suiteKeys = new WeakMap<LoadedSuite, string>();

export function setSuiteKey(suite: LoadedSuite, key: string): void {
  suiteKeys.set(suite, key);
}

const runDigests = new WeakMap<PlanRun, string>();
const objectDigests = new WeakMap<object, string>();

function objectDigest(o: object): string {
  let d = objectDigests.get(o);
  if (d === undefined) {
    d = sha256(JSON.stringify(o));
    objectDigests.set(o, d);
  }
  return d;
}

/** A hash of everything a run is: two runs with one digest execute alike. */
export function runDigest(run: PlanRun): string {
  let d = runDigests.get(run);
  if (d === undefined) {
    d = sha256(JSON.stringify({ ...run, board: 0, kernel: 0 }), objectDigest(run.board), objectDigest(run.kernel));
    runDigests.set(run, d);
  }
  return d;
}

interface Entry {
  boards: string[];
  kernels: ResolvedProfile[];
  /** each run with its board and kernel as indexes into the tables, its scenario index and digest */
  runs: { s: number; d: string; r: Omit<PlanRun, 'board' | 'kernel'> & { board: number; kernel: number } }[];
}

interface Cell {
  run: PlanRun;
  scenario: number;
}

function save(cells: { run: PlanRun; scenario: number; board: string }[]): Entry {
  const boards: string[] = [];
  const kernels: ResolvedProfile[] = [];
  const kernelIndex = new Map<ResolvedProfile, number>();
  const runs = cells.map(({ run, scenario, board }) => {
    let b = boards.indexOf(board);
    if (b < 0) b = boards.push(board) - 1;
    let k = kernelIndex.get(run.kernel);
    if (k === undefined) {
      k = kernels.push(run.kernel) - 1;
      kernelIndex.set(run.kernel, k);
    }
    return { s: scenario, d: runDigest(run), r: { ...run, board: b, kernel: k } };
  });
  return { boards, kernels, runs };
}

function restore(entry: Entry | undefined, suite: LoadedSuite): Cell[] | undefined {
  if (!entry || !Array.isArray(entry.runs) || !Array.isArray(entry.boards) || !Array.isArray(entry.kernels)) return undefined;
  const boards: ModelBoard[] = [];
  for (const ref of entry.boards) {
    const b = suite.boards.get(ref);
    if (!b) return undefined;
    boards.push(frozen(b.board));
  }
  const kernels = entry.kernels.map((k) => frozen(k));
  const out: Cell[] = [];
  for (const { s, d, r } of entry.runs) {
    const run = r as unknown as PlanRun;
    const board = boards[r.board];
    const kernel = kernels[r.kernel];
    if (!board || !kernel) return undefined;
    run.board = board;
    run.kernel = kernel;
    runDigests.set(run, d);
    out.push({ run, scenario: s });
  }
  return out;
}

/**
 * compileSuites for the default matrix, through the cache: the same runs, in the same
 * order, as compileSuites(suites, { boards, filter }).
 */
export function compileSuitesCached(suites: readonly LoadedSuite[], cache: DocCache, opts: { boards?: readonly string[]; filter?: string } = {}): PlanRun[] {
  const out: PlanRun[] = [];
  for (const suite of suites) {
    const key = suiteKeys.get(suite);
    if (key === undefined) {
      out.push(...compileSuite(suite, opts));
      continue;
    }
    // the runs carry the suite's path as it was given (positions, file): part of the key
    const planKey = sha256(toolKey(), 'plan', key, suite.file);
    let cells: Cell[] | undefined;
    try {
      cells = restore(cache.store.getJson<Entry>(planKey), suite);
    } catch {
      cells = undefined;
    }
    if (!cells) {
      const fresh = compileCells(suite);
      cache.store.putJson(planKey, save(fresh));
      cells = fresh;
    }
    const filter = opts.filter === undefined ? undefined : compileGlob(opts.filter);
    for (const c of cells) {
      if (filter && !filter.test(`${suite.doc.suite}.${suite.doc.scenarios[c.scenario]!.name}`)) continue;
      if (opts.boards && !opts.boards.includes(c.run.board.id)) continue;
      out.push(c.run);
    }
  }
  return out;
}
