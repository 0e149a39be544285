// `bringup merge`: fold the JSON of N shards into the result of the unsharded run, for
// explore results and for `bringup run --format json` reports. Pure, apart from reading.
//
// explore: the shards' work units are disjoint and each unit's result depends only on the
// unit, so the findings fold (executions add up, the shortest schedule stays) and the stats
// add up to the unsharded ones; only `seconds`, wall time, is the shards' sum.
// run: every run of a shard carries `order`, its place in the unsharded run; the merged
// report lists the runs in that order, suites as they first appear, and the context's
// boards and suites likewise — what the unsharded run renders.

import type { ExploreResult, Shard } from './explore.js';
import { addStats, emptyStats, FindingSet, type Finding, type Stats } from './findings.js';
import { uniqueInOrder } from './explore.js';
import type { ReportContext, ResultTree, RunResult } from '../report/index.js';
import { buildTree } from '../report/index.js';

export class MergeError extends Error {}

type J = Record<string, unknown>;

export function isExploreJson(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && Array.isArray((doc as J)['findings']) && typeof (doc as J)['stats'] === 'object';
}

export function isRunJson(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && (doc as J)['name'] === 'bringup' && Array.isArray((doc as J)['sub_groups']);
}

function parseShard(v: unknown, file: string): Shard | undefined {
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^(\d+)\/(\d+)$/.exec(v) : null;
  if (!m) throw new MergeError(`${file}: "shard" is not K/N`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** the shards must be 1..N of one N, each once; or none of them a shard */
function checkShards(shards: Array<Shard | undefined>, files: readonly string[]): void {
  const present = shards.filter((s): s is Shard => s !== undefined);
  if (present.length === 0) return;
  if (present.length !== shards.length) throw new MergeError(`${files[shards.indexOf(undefined)]}: not a shard, but ${files[shards.findIndex((s) => s)]} is`);
  const n = present[0]!.count;
  const seen = new Set<number>();
  present.forEach((s, i) => {
    if (s.count !== n) throw new MergeError(`${files[i]}: shard ${s.index}/${s.count}, but ${files[0]} is one of ${n}`);
    if (seen.has(s.index)) throw new MergeError(`${files[i]}: shard ${s.index}/${n} is given twice`);
    seen.add(s.index);
  });
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new MergeError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')}`);
}

function readFinding(o: J): Finding {
  const f: Finding = {
    title: o['title'] as string,
    kind: o['kind'] as Finding['kind'],
    board: o['board'] as string,
    kernel: o['kernel'] as string,
    frames: (o['frames'] as string[]) ?? [],
    executions: o['executions'] as number,
    choices: (o['choices'] as number) ?? 0,
    primary: (o['primary'] as boolean) ?? true,
    schedule: (o['schedule'] as Finding['schedule']) ?? [],
    report: (o['report'] as string[]) ?? [],
  };
  if (o['device'] !== undefined) f.device = o['device'] as string;
  if (o['reproducer'] !== undefined) f.reproducer = o['reproducer'] as string;
  return f;
}

/** Fold explore results (shards of one search, or separate searches) into one. */
export function mergeExplore(docs: readonly J[], files: readonly string[]): ExploreResult {
  checkShards(
    docs.map((d, i) => parseShard(d['shard'], files[i]!)),
    files,
  );
  const boards = uniqueInOrder(docs.flatMap((d) => (d['boards'] as string[]) ?? []));
  const kernels = uniqueInOrder(docs.flatMap((d) => (d['kernels'] as string[]) ?? []));
  const set = new FindingSet();
  let stats: Stats = emptyStats();
  for (const d of docs) {
    for (const f of (d['findings'] as J[]) ?? []) set.add(readFinding(f));
    const s = d['stats'] as J;
    const part: Stats = {
      executions: s['executions'] as number,
      states: s['states'] as number,
      pruned: s['pruned'] as number,
      seconds: s['seconds'] as number,
      complete: s['complete'] as boolean,
    };
    if (s['cut'] !== undefined) part.cut = s['cut'] as Stats['cut'] & string;
    stats = addStats(stats, part);
  }
  stats.seconds = Math.round(stats.seconds * 1000) / 1000;
  return { boards, kernels, findings: set.sorted(boards, kernels), stats };
}

export interface MergedRuns {
  tree: ResultTree;
  context?: ReportContext;
}

/**
 * Fold `bringup run --format json` shards: the runs in their unsharded order (`order`), or
 * in the order given when no run carries one.
 */
export function mergeRuns(parts: ReadonlyArray<{ tree: ResultTree; context?: ReportContext }>, files: readonly string[]): MergedRuns {
  const runs: RunResult[] = [];
  parts.forEach((p, i) => {
    for (const s of p.tree.suites) {
      for (const r of s.runs) {
        if (r.order === undefined && parts.length > 1) throw new MergeError(`${files[i]}: run ${r.label} has no "order": give the JSON of \`bringup run --shard K/N --format json\``);
        runs.push(r);
      }
    }
  });
  if (parts.length > 1) {
    const seen = new Map<number, string>();
    for (const r of runs) {
      if (seen.has(r.order!)) throw new MergeError(`run ${r.label} and ${seen.get(r.order!)} are both number ${r.order} of the unsharded run: a shard was given twice?`);
      seen.set(r.order!, r.label);
    }
    runs.sort((a, b) => a.order! - b.order!);
    // a gap means a shard is missing: the last shard of N still numbers every run
    runs.forEach((r, i) => {
      if (r.order !== i) throw new MergeError(`run number ${i} of the unsharded run is in none of the files: a shard is missing`);
    });
  }
  for (const r of runs) delete r.order;
  const tree = buildTree(runs);
  const contexts = parts.map((p) => p.context).filter((c): c is ReportContext => c !== undefined);
  if (contexts.length === 0) return { tree };
  const context: ReportContext = { target: contexts[0]!.target, boards: {}, suites: {} };
  for (const r of runs) {
    if (!context.boards[r.board]) {
      const b = contexts.find((c) => c.boards[r.board])?.boards[r.board];
      if (b) context.boards[r.board] = b;
    }
    if (!context.suites[r.suite]) {
      const s = contexts.find((c) => c.suites[r.suite])?.suites[r.suite];
      if (s) context.suites[r.suite] = s;
    }
  }
  return { tree, context };
}
