// One run: a fresh target session, the steps in order, inline expects on the lines
// printed since the previous expect, the final expect on the whole log, then the
// kernel-error list, the built-in checks and the known-bad verdict.

import type { Assertions, PatternAt, PlanRun } from '../dsl/plan.js';
import { runLabel } from '../dsl/plan.js';
import type { LogLine } from '../model/api.js';
import type { ModelStep } from '../model/types.js';
import type { RunResult, StepTrace } from '../report/result.js';
import type { Target, TargetSession } from './target.js';
import { evalLogAssertions, evalState, stateQuery } from './assertions.js';
import type { Window } from './assertions.js';
import { evalKernelErrors } from './kernel-errors.js';
import type { Vouch } from './kernel-errors.js';
import { compilePattern } from './patterns.js';
import type { Matcher } from './patterns.js';
import { tail, lineRef } from './lines.js';
import { titlesOf, unexplainedDeferrals } from './titles.js';
import type { CheckFailure } from '../model/api.js';

export interface ExecOptions {
  /** attach the whole log to the result (JUnit's system-out, --log-dir, `bringup log`) */
  keepLog?: boolean;
  /** log lines quoted under a run that did not pass; default 10 */
  tailLines?: number;
  /**
   * with keepLog: also record each board device's state after every step (the HTML
   * report's timeline); costs a state query per step
   */
  trace?: boolean;
}

export function baseResult(run: PlanRun): RunResult {
  return {
    label: runLabel(run),
    id: run.id,
    suite: run.suite,
    scenario: run.scenario,
    board: run.board.id,
    kernel: run.kernel.name,
    file: run.file,
    pos: run.pos,
    status: 'PASS',
    assertions: [],
    notRun: [],
    logLines: 0,
    usec: 0,
  };
}

/** A run the target could not execute: `ok N ... # SKIP <reason>`. */
export function skippedRun(run: PlanRun, reason: string): RunResult {
  const r = baseResult(run);
  r.status = 'SKIP';
  r.reason = reason;
  return r;
}

export function describeStep(step: ModelStep): string {
  switch (step.op) {
    case 'boot':
      return step.hold.length ? `boot (hold ${step.hold.join(', ')})` : 'boot';
    case 'bind':
      return step.driver ? `bind: ${step.device} to ${step.driver}` : `bind: ${step.device}`;
    case 'unbind':
    case 'add-device':
    case 'remove-device':
    case 'fail-probe':
      return `${step.op}: ${step.device}`;
    case 'register-iommu-late':
      return `${step.op}: ${step.iommu}`;
    case 'load-module':
    case 'unload-module':
      return `${step.op}: ${step.driver}`;
    case 'deferred-timeout':
      return step.op;
  }
}

function positiveMatchers(a: Assertions): Matcher[] {
  const ms: Matcher[] = [];
  for (const p of a.log) ms.push(compilePattern(p.pattern));
  for (const p of a.logUnordered) ms.push(compilePattern(p.pattern));
  for (const c of a.count) ms.push(compilePattern(c.pattern));
  return ms;
}

/** Ordered, like `log`: the declared failure lines, in the order the kernel prints them. */
function signatureSeen(sig: readonly PatternAt[], log: readonly LogLine[]): { seen: boolean; missing?: string; after?: number; earlier?: number; lines?: number[] } {
  let cursor = 0;
  const lines: number[] = [];
  for (const pa of sig) {
    const m = compilePattern(pa.pattern);
    let at = -1;
    for (let i = cursor; i < log.length; i++) {
      if (m.test(log[i]!.text)) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      if (cursor === 0) return { seen: false, missing: m.display };
      // the line is there, only out of order: say so, since nothing else would
      let earlier = -1;
      for (let i = 0; i < cursor && earlier < 0; i++) if (m.test(log[i]!.text)) earlier = i;
      return earlier < 0 ? { seen: false, missing: m.display, after: cursor } : { seen: false, missing: m.display, after: cursor, earlier };
    }
    lines.push(at);
    cursor = at + 1;
  }
  return { seen: true, lines };
}

/** "bound <driver>", "deferred", "unbound" or "absent", as the timeline reads a device. */
function deviceWord(d: { added: boolean; bound: boolean; driver: string | null; deferred: boolean } | undefined): string {
  if (!d || !d.added) return 'absent';
  if (d.bound) return d.driver ? `bound ${d.driver}` : 'bound';
  return d.deferred ? 'deferred' : 'unbound';
}

async function traceDevices(session: TargetSession, run: PlanRun): Promise<Record<string, string>> {
  const names = run.board.devices.map((d) => d.name);
  const snap = await session.snapshot({ devices: names, iommus: [] });
  const out: Record<string, string> = {};
  for (const n of names) out[n] = deviceWord(snap.devices[n]);
  return out;
}

export async function executeRun(run: PlanRun, target: Target, opts: ExecOptions = {}): Promise<RunResult> {
  const res = baseResult(run);
  const out = res.assertions;
  const vouches: Vouch[] = [];
  let session: TargetSession | undefined;
  let log: readonly LogLine[] = [];
  try {
    session = await target.open(run);
    let windowStart = 0;
    const windows: number[] = [];
    let stepErrno: number | undefined;
    let panicked = false;
    const evalBlock = async (a: Assertions, w: Window) => {
      evalLogAssertions(a, w, out);
      if (a.state.length) evalState(a.state, await session!.snapshot(stateQuery(a.state)), stepErrno, w.step, w.log, out);
      if (run.checks) vouches.push({ from: w.from, to: w.to, matchers: positiveMatchers(a) });
    };
    for (let i = 0; i < run.steps.length; i++) {
      const s = run.steps[i]!;
      if (panicked) {
        res.notRun.push({ step: i + 1, pos: s.pos, what: 'expect' in s ? 'expect' : describeStep(s.step) });
        continue;
      }
      if ('expect' in s) {
        log = session.log();
        await evalBlock(s.expect, { log, from: windowStart, to: log.length, step: i + 1 });
        windowStart = log.length;
        windows.push(windowStart);
      } else {
        const from = opts.keepLog ? session.log().length : 0;
        const o = await session.perform(s.step);
        if (o.errno !== undefined) stepErrno = o.errno;
        if (o.panicked) {
          panicked = true;
          res.panic = { step: i + 1, what: describeStep(s.step), pos: s.pos };
        }
        if (opts.keepLog) {
          const now = session.log();
          const t: StepTrace = { step: i + 1, what: describeStep(s.step), from, to: now.length, usec: now.length ? now[now.length - 1]!.usec : 0 };
          if (o.errno !== undefined) t.errno = o.errno;
          if (o.panicked) t.panicked = true;
          else if (opts.trace) t.devices = await traceDevices(session, run);
          (res.steps ??= []).push(t);
        }
      }
    }
    log = session.log();
    if (run.expect) await evalBlock(run.expect, { log, from: 0, to: log.length });
    let checkFailures: CheckFailure[] = [];
    if (run.checks) {
      evalKernelErrors(log, vouches, run.pos, out);
      // after a panic the kernel's state is whatever it was mid-call; the panic is the verdict
      if (!panicked) {
        checkFailures = await session.checks();
        for (const c of checkFailures) {
          const what = [c.device, c.resource].filter(Boolean).join(' ');
          out.push({ kind: 'check', ok: false, pos: run.pos, message: `check ${c.check}: ${c.message}`, wanted: c.check, found: what || c.message });
        }
      }
    }
    if (opts.keepLog) res.windows = windows;
    finish(res, run, log, opts);
    if (res.status === 'FAIL' || res.status === 'XFAIL') {
      const titles = await runTitles(run, session, log, checkFailures, panicked);
      if (titles.length) res.titles = titles;
    }
  } catch (err) {
    // a target may refuse a run it cannot do (a board QEMU cannot build): that is a skip
    if (!session && err instanceof Error && (err as { skip?: unknown }).skip === true) return skippedRun(run, firstLine(err.message));
    res.status = 'ERROR';
    const e = err instanceof Error ? err : new Error(String(err));
    res.error = e.stack ? { message: e.message, stack: targetFrames(e.stack) } : { message: e.message };
    res.reason = firstLine(e.message) || e.name;
    try {
      if (session) log = session.log();
    } catch {
      // the session is broken; the error above is what the run reports
    }
    summarise(res, log, opts);
  } finally {
    if (session) {
      try {
        await session.close();
      } catch {
        // closing a failed session must not hide the run's own verdict
      }
    }
  }
  return res;
}

/**
 * The titles of a failed run: its log's reports, its checks' leaks and invariants, and the
 * devices still deferred that nothing in the scenario explains (not after a panic, whose
 * state is mid-call).
 */
async function runTitles(run: PlanRun, session: TargetSession, log: readonly LogLine[], checks: CheckFailure[], panicked: boolean): Promise<string[]> {
  let deferred: string[] = [];
  if (!panicked) {
    const names = run.board.devices.map((d) => d.name);
    const snap = await session.snapshot({ devices: names, iommus: [] });
    const states = [];
    for (const n of names) {
      const st = snap.devices[n];
      if (st) states.push(st);
    }
    const steps: ModelStep[] = [];
    for (const s of run.steps) if (!('expect' in s)) steps.push(s.step);
    deferred = unexplainedDeferrals(run.board, steps, states);
  }
  return titlesOf({ log: log.map((l) => l.text), checks, deferred }).map((t) => t.title);
}

/**
 * The frames from the throw down to the executor: those are the target's (the
 * model's) own. The executor's callers differ between the main thread and a worker,
 * and the report must not depend on --jobs.
 */
function targetFrames(stack: string): string {
  const lines = stack.split('\n');
  const cut = lines.findIndex((l) => /^\s+at (async )?executeRun\b/.test(l));
  return (cut < 0 ? lines : lines.slice(0, cut)).join('\n');
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return (nl < 0 ? s : s.slice(0, nl)).trim();
}

function finish(res: RunResult, run: PlanRun, log: readonly LogLine[], opts: ExecOptions): void {
  let failed = false;
  for (const a of res.assertions) if (!a.ok) { failed = true; break; }
  const kb = run.knownBad;
  if (kb) {
    const sig = signatureSeen(kb.log, log);
    res.knownBad = { kernel: kb.kernel, fixedBy: kb.fixedBy, pos: kb.pos, signatureSeen: sig.seen };
    if (sig.lines?.length) res.knownBad.lines = sig.lines;
    res.reason = kb.fixedBy;
    if (failed && sig.seen) res.status = 'XFAIL';
    else if (failed) {
      res.status = 'FAIL';
      const where = sig.after !== undefined ? ` after ${lineRef(log, sig.after - 1)}` : '';
      res.assertions.push({
        kind: 'known-bad',
        ok: false,
        pos: kb.pos,
        message: `known-bad on ${kb.kernel} (fixed by ${kb.fixedBy}): the run failed, but its signature ${sig.missing} is missing${where}: this is a new failure`,
        wanted: sig.missing!,
        found: 'a failure without the signature',
        ...(sig.earlier !== undefined
          ? { details: [`${sig.missing} appears at ${lineRef(log, sig.earlier)}, before the previous signature line: known-bad log lines are matched in order`] }
          : {}),
      });
      delete res.reason;
    } else {
      res.status = 'XPASS';
      res.assertions.push({
        kind: 'known-bad',
        ok: false,
        pos: kb.pos,
        message: `known-bad on ${kb.kernel} (fixed by ${kb.fixedBy}), but the run passed: drop the known-bad entry or check the profile`,
        wanted: 'a failure',
        found: 'a pass',
      });
    }
  } else res.status = failed ? 'FAIL' : 'PASS';
  summarise(res, log, opts);
}

function summarise(res: RunResult, log: readonly LogLine[], opts: ExecOptions): void {
  res.logLines = log.length;
  res.usec = log.length ? log[log.length - 1]!.usec : 0;
  if (res.status === 'FAIL' || res.status === 'XPASS' || res.status === 'ERROR') res.tail = tail(log, opts.tailLines ?? 10);
  if (opts.keepLog) res.log = log.slice();
}
