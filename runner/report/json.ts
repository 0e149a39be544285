// kunit_tool's --json shape (KernelCI-style): a root group whose sub_groups are the
// suites and whose test_cases are the runs. `status` is kunit's closed set (PASS, FAIL,
// SKIP, ERROR: XFAIL reads as PASS, XPASS as FAIL), the bringup verdict is in `verdict`,
// and `misc` has kunit's counts beside kselftest's. dsl-schema/result.schema.json is the
// contract. Each run is written in full (every assertion with its YAML position and the
// log lines it matched, the whole log), so `readJson` gives back the same results and
// any format can be rendered from merged shards.

import { formatLogLine } from '../model/api.js';
import type { AssertionResult, ResultTree, RunResult, RunStatus, Totals } from './result.js';
import { suiteStatus, totalsOf, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';

export type KunitStatus = 'PASS' | 'FAIL' | 'SKIP' | 'ERROR';

/** kunit_tool's status for a bringup verdict: the exit-code view (XFAIL passed, XPASS failed). */
export function kunitStatus(s: RunStatus): KunitStatus {
  switch (s) {
    case 'PASS':
    case 'XFAIL':
      return 'PASS';
    case 'FAIL':
    case 'XPASS':
      return 'FAIL';
    case 'SKIP':
      return 'SKIP';
    case 'ERROR':
      return 'ERROR';
  }
}

function misc(t: Totals, total: number) {
  return {
    pass: t.pass,
    fail: t.fail,
    xfail: t.xfail,
    xpass: t.xpass,
    skip: t.skip,
    error: t.error,
    total,
    // kunit_tool's TestCounts
    tests: total,
    passed: t.pass + t.xfail,
    failed: t.fail + t.xpass,
    crashed: t.error,
    skipped: t.skip,
    errors: 0,
  };
}

function assertionJson(a: AssertionResult): Record<string, unknown> {
  const f: Record<string, unknown> = { type: a.kind, ok: a.ok, file: a.pos.file, line: a.pos.line, column: a.pos.column };
  if (a.step !== undefined) f['step'] = a.step;
  if (a.message) f['message'] = a.message;
  if (a.wanted !== undefined) f['wanted'] = a.wanted;
  if (a.found !== undefined) f['found'] = a.found;
  if (a.details?.length) f['details'] = a.details;
  if (a.lines?.length) f['lines'] = a.lines;
  return f;
}

function testCase(run: RunResult): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name: run.label,
    status: kunitStatus(run.status),
    verdict: run.status,
    id: run.id,
    suite: run.suite,
    scenario: run.scenario,
    board: run.board,
    kernel: run.kernel,
    file: run.file,
    line: run.pos.line,
    column: run.pos.column,
    usec: run.usec,
    log_lines: run.logLines,
  };
  if (run.order !== undefined) c['order'] = run.order;
  if (run.reason !== undefined) c['reason'] = run.reason;
  if (run.knownBad) {
    const kb = run.knownBad;
    const k: Record<string, unknown> = { kernel: kb.kernel, fixed_by: kb.fixedBy, signature_seen: kb.signatureSeen, file: kb.pos.file, line: kb.pos.line, column: kb.pos.column };
    if (kb.lines?.length) k['lines'] = kb.lines;
    c['known_bad'] = k;
  }
  // the failure titles (exec/titles.ts), first the run's own: on FAIL and XFAIL runs
  if (run.titles?.length) c['titles'] = run.titles;
  // the failed assertions a reader wants first; `assertions` has every one, in order
  const failed = run.status === 'XFAIL' ? [] : run.assertions.filter((a) => !a.ok);
  if (failed.length) c['failures'] = failed.map(assertionJson);
  if (run.assertions.length) c['assertions'] = run.assertions.map(assertionJson);
  if (run.panic) c['panic'] = { step: run.panic.step, what: run.panic.what, file: run.panic.pos.file, line: run.panic.pos.line, column: run.panic.pos.column };
  if (run.notRun.length) c['not_run'] = run.notRun.map((s) => ({ step: s.step, what: s.what, file: s.pos.file, line: s.pos.line, column: s.pos.column }));
  if (run.error) c['error'] = run.error.stack !== undefined ? { message: run.error.message, stack: run.error.stack } : { message: run.error.message };
  if (run.steps?.length) c['steps'] = run.steps;
  if (run.events?.length) c['events'] = run.events;
  if (run.tail) c['log_tail'] = run.tail;
  if (run.log) c['log'] = run.log.map(formatLogLine).join('\n');
  return c;
}

export function renderJson(tree: ResultTree, opts: RenderOptions): string {
  const t = treeTotals(tree);
  let total = 0;
  for (const s of tree.suites) total += s.runs.length;
  const anyFail = t.fail + t.xpass + t.error > 0;
  const root: Record<string, unknown> = {
    name: 'bringup',
    status: anyFail ? 'FAIL' : total > 0 && t.skip === total ? 'SKIP' : 'PASS',
    test_cases: [] as unknown[],
    sub_groups: tree.suites.map((s) => ({
      name: s.name,
      file: s.file,
      status: suiteStatus(s),
      test_cases: s.runs.map(testCase),
      sub_groups: [],
      misc: misc(totalsOf(s.runs), s.runs.length),
    })),
    misc: misc(t, total),
  };
  if (opts.context) root['context'] = opts.context;
  return JSON.stringify(root, null, 2) + '\n';
}
