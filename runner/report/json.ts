// kunit_tool's --json shape (KernelCI-style): a root group whose sub_groups are the
// suites and whose test_cases are the runs, with status PASS|FAIL|SKIP|ERROR plus
// kselftest's XFAIL|XPASS, and misc counts.

import { formatLogLine } from '../model/api.js';
import type { ResultTree, RunResult, Totals } from './result.js';
import { suiteStatus, totalsOf, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { failedAssertions } from './diagnostics.js';

function misc(t: Totals, total: number) {
  return { pass: t.pass, fail: t.fail, xfail: t.xfail, xpass: t.xpass, skip: t.skip, error: t.error, total };
}

function testCase(run: RunResult): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name: run.label,
    id: run.id,
    status: run.status,
    board: run.board,
    kernel: run.kernel,
    file: run.file,
    line: run.pos.line,
  };
  if (run.reason !== undefined) c['reason'] = run.reason;
  if (run.knownBad) c['known_bad'] = { kernel: run.knownBad.kernel, fixed_by: run.knownBad.fixedBy, signature_seen: run.knownBad.signatureSeen };
  if (run.titles?.length && run.status === 'FAIL') c['titles'] = run.titles;
  const failed = run.status === 'XFAIL' ? [] : failedAssertions(run);
  if (failed.length) {
    c['failures'] = failed.map((a) => {
      const f: Record<string, unknown> = { type: a.kind, message: a.message, file: a.pos.file, line: a.pos.line, column: a.pos.column };
      if (a.step !== undefined) f['step'] = a.step;
      if (a.wanted !== undefined) f['wanted'] = a.wanted;
      if (a.found !== undefined) f['found'] = a.found;
      if (a.details?.length) f['details'] = a.details;
      return f;
    });
  }
  if (run.panic) c['panic'] = { step: run.panic.step, what: run.panic.what, line: run.panic.pos.line };
  if (run.notRun.length) c['not_run'] = run.notRun.map((s) => ({ step: s.step, what: s.what, line: s.pos.line }));
  if (run.error) c['error'] = run.error;
  if (run.log) c['log'] = run.log.map(formatLogLine).join('\n');
  else if (run.tail) c['log_tail'] = run.tail;
  return c;
}

export function renderJson(tree: ResultTree, _opts: RenderOptions): string {
  const t = treeTotals(tree);
  let total = 0;
  for (const s of tree.suites) total += s.runs.length;
  const anyFail = t.fail + t.xpass + t.error > 0;
  const root = {
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
  return JSON.stringify(root, null, 2) + '\n';
}
