// The result tree every renderer reads: suite → run → assertions. Plain data, so a
// worker thread can hand a run's result back through postMessage unchanged, and so
// every format prints the same verdicts.

import type { Pos } from '../dsl/plan.js';
import type { LogLine } from '../model/api.js';

/** kselftest's verdicts, plus ERROR for a target that threw. */
export type RunStatus = 'PASS' | 'FAIL' | 'SKIP' | 'ERROR' | 'XFAIL' | 'XPASS';

/** What an assertion result checked; JUnit uses the failure kinds as `type`. */
export type AssertionKind =
  | 'log'
  | 'log-unordered'
  | 'no-log'
  | 'count'
  | 'state'
  | 'kernel-error'
  | 'check'
  | 'known-bad';

export interface AssertionResult {
  kind: AssertionKind;
  ok: boolean;
  /** where in the YAML the assertion (or, for run-level checks, the scenario) is */
  pos: Pos;
  /** 1-based index of the step holding the expect; undefined for the scenario's final expect */
  step?: number;
  /** one line a person reads first; empty for passing assertions (nobody reads them) */
  message: string;
  wanted?: string;
  found?: string;
  /** further plain-text lines: what matched where, the nearest line, ... */
  details?: string[];
  /** 0-based indexes of the log lines this assertion matched (log patterns, counts, kernel errors) */
  lines?: number[];
}

export interface NotRunStep {
  /** 1-based step index */
  step: number;
  pos: Pos;
  /** e.g. "unbind: ee300000.sata" */
  what: string;
}

export interface RunResult {
  /** "<suite>.<scenario>[@device] [<board> <kernel>]": the TAP description */
  label: string;
  id: string;
  suite: string;
  scenario: string;
  board: string;
  kernel: string;
  /** the suite file */
  file: string;
  /** the scenario's position */
  pos: Pos;
  status: RunStatus;
  /** directive text: the SKIP reason, the fixed-by of XFAIL/XPASS, the ERROR message */
  reason?: string;
  /** every assertion evaluated, in evaluation order */
  assertions: AssertionResult[];
  /** steps left after a panic */
  notRun: NotRunStep[];
  /** the step whose kernel call panicked */
  panic?: { step: number; what: string; pos: Pos };
  /** set on ERROR */
  error?: { message: string; stack?: string };
  knownBad?: { kernel: string; fixedBy: string; pos: Pos; signatureSeen: boolean; /** the signature's matched log lines (0-based) */ lines?: number[] };
  /** with --shard: the run's position in the unsharded run (bringup merge restores the order) */
  order?: number;
  /** the failure titles of a run that failed (FAIL, XFAIL), first seen first: the first is the run's title (exec/titles.ts) */
  titles?: string[];
  /** number of log lines the run printed */
  logLines: number;
  /** virtual time at the end of the run (µs) — deterministic, unlike wall time */
  usec: number;
  /** the last lines of the log, formatted, kept only for runs that did not pass */
  tail?: string[];
  /** the whole log, kept only when a consumer (JUnit, --log-dir, `bringup log`) asked */
  log?: LogLine[];
  /** with `log`: the log's length at each inline expect, in step order (where each window ends) */
  windows?: number[];
  /** each step as performed, kept with the log: what it printed and when */
  steps?: StepTrace[];
  /**
   * What happened to which device when, from the target itself. No target records it yet;
   * the HTML timeline derives events from the steps and the log when this is absent.
   */
  events?: RunEvent[];
}

export interface StepTrace {
  /** 1-based step index */
  step: number;
  /** e.g. "unbind: ee300000.sata" */
  what: string;
  /** log[from, to) is what the step printed */
  from: number;
  to: number;
  /** virtual time (µs) of the step's last line, or of the line before it when it printed none */
  usec: number;
  /** a bind/unbind's sysfs result */
  errno?: number;
  panicked?: boolean;
  /** each board device after the step: "bound <driver>", "deferred", "unbound" or "absent" (traced runs only) */
  devices?: Record<string, string>;
}

export type RunEventKind = 'probe' | 'defer' | 'bind' | 'unbind' | 'fault' | 'report';

export interface RunEvent {
  /** virtual time (µs) */
  usec: number;
  /** the device (or IOMMU) it happened to; '' for the kernel as a whole */
  device: string;
  kind: RunEventKind;
  /** false for a failed probe or bind */
  ok: boolean;
  /** one line saying what happened */
  text: string;
  /** the log line (0-based) that shows it */
  line?: number;
  /** the step (1-based) during which it happened */
  step?: number;
}

export interface SuiteResult {
  name: string;
  file: string;
  runs: RunResult[];
}

export interface ResultTree {
  suites: SuiteResult[];
}

export interface Totals {
  pass: number;
  fail: number;
  xfail: number;
  xpass: number;
  skip: number;
  error: number;
}

/** Group runs by suite, keeping the order in which suites and runs first appear. */
export function buildTree(runs: readonly RunResult[]): ResultTree {
  const bySuite = new Map<string, SuiteResult>();
  for (const run of runs) {
    let suite = bySuite.get(run.suite);
    if (!suite) {
      suite = { name: run.suite, file: run.file, runs: [] };
      bySuite.set(run.suite, suite);
    }
    suite.runs.push(run);
  }
  return { suites: [...bySuite.values()] };
}

export function emptyTotals(): Totals {
  return { pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0 };
}

export function addToTotals(t: Totals, status: RunStatus): void {
  switch (status) {
    case 'PASS': t.pass++; break;
    case 'FAIL': t.fail++; break;
    case 'XFAIL': t.xfail++; break;
    case 'XPASS': t.xpass++; break;
    case 'SKIP': t.skip++; break;
    case 'ERROR': t.error++; break;
  }
}

export function totalsOf(runs: Iterable<RunResult>): Totals {
  const t = emptyTotals();
  for (const r of runs) addToTotals(t, r.status);
  return t;
}

export function treeTotals(tree: ResultTree): Totals {
  const t = emptyTotals();
  for (const s of tree.suites) for (const r of s.runs) addToTotals(t, r.status);
  return t;
}

/** XFAIL and SKIP count as passed, as kselftest's exit code does. */
export function isFailure(status: RunStatus): boolean {
  return status === 'FAIL' || status === 'XPASS' || status === 'ERROR';
}

/** KTAP parent rule: fail if any child fails, skip if all were skipped, else pass. */
export function suiteStatus(suite: SuiteResult): 'PASS' | 'FAIL' | 'SKIP' {
  let allSkipped = suite.runs.length > 0;
  for (const r of suite.runs) {
    if (isFailure(r.status)) return 'FAIL';
    if (r.status !== 'SKIP') allSkipped = false;
  }
  return allSkipped ? 'SKIP' : 'PASS';
}

/** The `N passed, N failed, N skipped` summary of the progress stream. */
export function summaryLine(t: Totals): string {
  return `${t.pass + t.xfail} passed, ${t.fail + t.xpass + t.error} failed, ${t.skip} skipped`;
}

/** kselftest exit codes: 0 all passed, 1 any failure, 4 nothing ran but skips. */
export function exitCodeFor(t: Totals): 0 | 1 | 4 {
  if (t.fail + t.xpass + t.error > 0) return 1;
  if (t.pass + t.xfail === 0) return 4;
  return 0;
}

export function formatPos(pos: Pos): string {
  return `${pos.file}:${pos.line}:${pos.column}`;
}
