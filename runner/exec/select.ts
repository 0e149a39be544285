// Choosing runs: --board, --kernel, --filter (a glob on suite.scenario) and --shard.

import type { PlanRun } from '../dsl/plan.js';
import { runLabel } from '../dsl/plan.js';

// one glob dialect for the whole tool: the DSL's (for-each patterns), matched in linear time
export { compileGlob, globToRegExp } from '../dsl/patterns.js';
import { compileGlob } from '../dsl/patterns.js';

export interface Selection {
  boards?: string[];
  kernels?: string[];
  filters?: string[];
}

export function selectRuns(runs: readonly PlanRun[], sel: Selection): PlanRun[] {
  const globs = (sel.filters ?? []).map(compileGlob);
  return runs.filter((r) => {
    if (sel.boards?.length && !sel.boards.includes(r.board.id)) return false;
    if (sel.kernels?.length && !sel.kernels.includes(r.kernel.name)) return false;
    if (globs.length) {
      // for-each runs are "<suite>.<scenario>@<device>": the glob sees both spellings
      const plain = `${r.suite}.${r.scenario}`;
      if (!globs.some((g) => g.test(plain) || g.test(r.id))) return false;
    }
    return true;
  });
}

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export function parseShard(s: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return undefined;
  return { index, count };
}

/** FNV-1a: a run's shard depends only on its label, not on which other runs exist. */
export function labelHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shardRuns(runs: readonly PlanRun[], shard: Shard): PlanRun[] {
  if (shard.count === 1) return runs.slice();
  return runs.filter((r) => labelHash(runLabel(r)) % shard.count === shard.index - 1);
}
