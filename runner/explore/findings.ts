// Findings: the distinct failures of a search, one per (board, kernel, title), each with its
// shortest schedule and how many executions hit it; and the search's stats. Merging two
// partial results (work units, --jobs, shards) is associative and commutative, so the result
// is the same however the work was split. Pure.

import type { TitleKind } from '../exec/titles.js';
import { TITLE_KINDS } from '../exec/titles.js';
import { compareSchedules, type DslStep } from './schedule.js';

export interface Finding {
  title: string;
  kind: TitleKind;
  board: string;
  kernel: string;
  device?: string;
  frames: string[];
  /** executions that hit it */
  executions: number;
  /** non-default choices of the schedule below */
  choices: number;
  /** the title was the execution's first failure (a reproducer fails with it first) */
  primary: boolean;
  schedule: DslStep[];
  reproducer?: string;
  report: string[];
}

export interface Stats {
  /** executions run to their end */
  executions: number;
  /** distinct states seen (per work unit, summed) */
  states: number;
  /** executions cut short: their state was explored already, or their order was */
  pruned: number;
  seconds: number;
  complete: boolean;
  /** what cut an incomplete search: "budget" or "time" */
  cut?: 'budget' | 'time';
}

export function emptyStats(): Stats {
  return { executions: 0, states: 0, pruned: 0, seconds: 0, complete: true };
}

export function addStats(a: Stats, b: Stats): Stats {
  const out: Stats = {
    executions: a.executions + b.executions,
    states: a.states + b.states,
    pruned: a.pruned + b.pruned,
    seconds: a.seconds + b.seconds,
    complete: a.complete && b.complete,
  };
  const cut = a.cut ?? b.cut;
  if (cut) out.cut = cut;
  return out;
}

/** the better witness of one finding: the shorter schedule; of two as short, the one it fails with first */
function better(a: Finding, b: Finding): boolean {
  if (a.choices !== b.choices) return a.choices < b.choices;
  if (a.primary !== b.primary) return a.primary;
  return compareSchedules({ cost: a.choices, steps: a.schedule }, { cost: b.choices, steps: b.schedule }) < 0;
}

export function findingKey(f: Pick<Finding, 'board' | 'kernel' | 'title'>): string {
  return `${f.board}\u0000${f.kernel}\u0000${f.title}`;
}

/** Fold `f` into `into` (same key): executions add up, the better witness stays. */
export function mergeFinding(into: Finding, f: Finding): void {
  const executions = into.executions + f.executions;
  if (better(f, into)) Object.assign(into, { ...f, executions });
  else into.executions = executions;
}

export class FindingSet {
  private readonly byKey = new Map<string, Finding>();

  add(f: Finding): void {
    const key = findingKey(f);
    const have = this.byKey.get(key);
    if (have) mergeFinding(have, f);
    else this.byKey.set(key, { ...f, frames: [...f.frames], schedule: f.schedule.slice(), report: [...f.report] });
  }

  /** a witness with fewer choices is known already: count one more execution and say so */
  countIfWorse(board: string, kernel: string, title: string, choices: number): boolean {
    const have = this.byKey.get(findingKey({ board, kernel, title }));
    if (!have || have.choices >= choices) return false;
    have.executions++;
    return true;
  }

  addAll(fs: Iterable<Finding>): void {
    for (const f of fs) this.add(f);
  }

  /** sorted by kind, then title, then board and kernel in the order they were given */
  sorted(boards: readonly string[], kernels: readonly string[]): Finding[] {
    return [...this.byKey.values()].sort((a, b) => {
      const k = TITLE_KINDS.indexOf(a.kind) - TITLE_KINDS.indexOf(b.kind);
      if (k) return k;
      if (a.title !== b.title) return a.title < b.title ? -1 : 1;
      const bi = boards.indexOf(a.board) - boards.indexOf(b.board);
      if (bi) return bi;
      return kernels.indexOf(a.kernel) - kernels.indexOf(b.kernel);
    });
  }

  get size(): number {
    return this.byKey.size;
  }
}
