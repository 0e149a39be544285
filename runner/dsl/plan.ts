// The compiled run plan: what `bringup plan` prints and what the runner executes.
// Plain JSON data. Every assertion keeps the YAML position it came from so a failure
// can point at its line.

import type { ModelBoard, ModelStep, ResolvedProfile } from '../model/types.js';

export interface Pos {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
}

export type Pattern =
  | { kind: 'literal'; text: string }
  /** JavaScript RegExp source (Python's (?P<name> already rewritten to (?<name>) */
  | { kind: 'regex'; source: string };

export interface PatternAt {
  pattern: Pattern;
  pos: Pos;
}

export interface CountAssertion {
  pattern: Pattern;
  times?: number;
  atLeast?: number;
  atMost?: number;
  pos: Pos;
}

export type StateAssertion =
  | {
      kind: 'device';
      device: string;
      bound?: boolean;
      driver?: string;
      deferred?: boolean;
      group?: number | 'none';
      dmaOps?: 'none' | 'direct' | 'iommu';
      pos: Pos;
    }
  | { kind: 'iommu'; iommu: string; registered: boolean; pos: Pos }
  | { kind: 'tainted'; letters: string; pos: Pos }
  /** 0 = the last bind/unbind succeeded */
  | { kind: 'errno'; errno: number; pos: Pos };

export interface Assertions {
  log: PatternAt[];
  logUnordered: PatternAt[];
  noLog: PatternAt[];
  count: CountAssertion[];
  state: StateAssertion[];
  pos: Pos;
}

export type PlanStep =
  | { step: ModelStep; pos: Pos }
  | { expect: Assertions; pos: Pos };

export interface KnownBad {
  /** the kernel label this entry matched */
  kernel: string;
  fixedBy: string;
  /** the failure must show these lines, else it is a new failure */
  log: PatternAt[];
  pos: Pos;
}

export interface PlanRun {
  /** "<suite>.<scenario>" (+ "@<device>" under for-each); never contains '#' */
  id: string;
  suite: string;
  scenario: string;
  description?: string;
  /** the for-each binding, e.g. { device: "ee300000.sata" } */
  forEach?: Record<string, string>;
  board: ModelBoard;
  kernel: ResolvedProfile;
  steps: PlanStep[];
  /** whole-log assertions after the last step */
  expect?: Assertions;
  /** false when the scenario says `checks: off` (no kernel-error list, no built-in checks) */
  checks: boolean;
  knownBad?: KnownBad;
  /** the suite file and the scenario's position in it */
  file: string;
  pos: Pos;
  reference: string[];
}

export interface Plan {
  runs: PlanRun[];
}

/** The run's display id with its matrix cell, as TAP prints it. */
export function runLabel(run: PlanRun): string {
  return `${run.id} [${run.board.id} ${run.kernel.name}]`;
}
