// TAP version 14: suites as 4-space subtests introduced by `# Subtest:`, no nested
// version line, and a YAML diagnostic block under every run that did not simply pass
// (`at` points into the scenario YAML, found/wanted as the TAP14 spec's examples).

import { stringify } from 'yaml';
import type { AssertionResult, ResultTree, RunResult } from './result.js';
import { suiteStatus, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { directive, failedAssertions, okWord } from './diagnostics.js';
import { totalsLine } from './tap.js';

function at(a: { pos: { file: string; line: number; column: number } }) {
  return { file: a.pos.file, line: a.pos.line, column: a.pos.column };
}

function failureEntry(a: AssertionResult): Record<string, unknown> {
  const e: Record<string, unknown> = { message: a.message, type: a.kind, at: at(a) };
  if (a.step !== undefined) e['step'] = a.step;
  if (a.wanted !== undefined) e['wanted'] = a.wanted;
  if (a.found !== undefined) e['found'] = a.found;
  if (a.details?.length) e['details'] = a.details;
  return e;
}

function diagBlock(run: RunResult): Record<string, unknown> | undefined {
  const d: Record<string, unknown> = {};
  const failed = run.status === 'SKIP' || run.status === 'XFAIL' ? [] : failedAssertions(run);
  if (run.status === 'ERROR' && run.error) {
    d['message'] = run.error.message;
    d['severity'] = 'error';
    d['at'] = at(run);
    if (run.error.stack) d['stack'] = run.error.stack;
  } else if (failed.length) {
    const first = failed[0]!;
    d['message'] = first.message;
    d['severity'] = run.status === 'XPASS' ? 'xpass' : 'fail';
    d['at'] = at(first);
    if (first.wanted !== undefined) d['wanted'] = first.wanted;
    if (first.found !== undefined) d['found'] = first.found;
    if (first.details?.length) d['details'] = first.details;
    if (failed.length > 1) d['failures'] = failed.map(failureEntry);
  } else if (run.status === 'XFAIL' && run.knownBad) {
    d['message'] = `known-bad on ${run.knownBad.kernel}: failed with its signature`;
    d['severity'] = 'xfail';
    d['at'] = at(run.knownBad);
  }
  if (run.notRun.length) {
    d['not_run'] = run.notRun.map((s) => ({ step: s.step, what: s.what, at: at(s) }));
  }
  if (run.panic) d['panic'] = { step: run.panic.step, what: run.panic.what, at: at(run.panic) };
  if (run.tail?.length) d['log_tail'] = run.tail;
  return Object.keys(d).length ? d : undefined;
}

function yamlBlock(d: Record<string, unknown>, indent: string, out: string[]): void {
  out.push(`${indent}---`);
  const body = stringify(d, { lineWidth: 0, aliasDuplicateObjects: false }).replace(/\n$/, '');
  for (const l of body.split('\n')) out.push(`${indent}${l}`);
  out.push(`${indent}...`);
}

export function renderTap14(tree: ResultTree, opts: RenderOptions): string {
  const out: string[] = [];
  if (opts.versionLine) out.push('TAP version 14');
  out.push(tree.suites.length === 0 ? '1..0 # no runs to execute' : `1..${tree.suites.length}`);
  tree.suites.forEach((s, si) => {
    out.push(`# Subtest: ${s.name}`, `    1..${s.runs.length}`);
    s.runs.forEach((run, ri) => {
      out.push(`    ${okWord(run)} ${ri + 1} - ${run.label}${directive(run)}`);
      const d = diagBlock(run);
      if (d) yamlBlock(d, '      ', out);
    });
    const st = suiteStatus(s);
    out.push(`${st === 'FAIL' ? 'not ok' : 'ok'} ${si + 1} - ${s.name}${st === 'SKIP' ? ' # SKIP all runs skipped' : ''}`);
  });
  out.push(totalsLine(treeTotals(tree)));
  return out.join('\n') + '\n';
}
