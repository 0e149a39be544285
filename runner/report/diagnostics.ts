// The plain-text explanation of a run, shared by the TAP/KTAP `# ` lines and the
// JUnit failure body: each failed assertion at its YAML position, steps a panic
// left unrun, the error stack, and the log tail.

import type { AssertionResult, RunResult } from './result.js';
import { formatPos } from './result.js';

export function assertionHeadline(a: AssertionResult): string {
  return `${formatPos(a.pos)}: ${a.step !== undefined ? `step ${a.step}: ` : ''}${a.message}`;
}

export function failedAssertions(run: RunResult): AssertionResult[] {
  return run.assertions.filter((a) => !a.ok);
}

function shellWord(s: string): string {
  return /^[\w./:@+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** the `bringup explain` command line that explains this run */
export function explainCommand(run: RunResult): string {
  const scenario = run.id.startsWith(`${run.suite}.`) ? run.id.slice(run.suite.length + 1) : run.scenario;
  return ['bringup explain', run.file, '--scenario', scenario, '--board', run.board, '--kernel', run.kernel].map((w, i) => (i === 0 ? w : shellWord(w))).join(' ');
}

/** Lines without a comment prefix; renderers add `# ` or indentation. */
export function runDiagnostics(run: RunResult): string[] {
  const out: string[] = [];
  if (run.status === 'XFAIL' && run.knownBad) {
    out.push(`known-bad on ${run.knownBad.kernel} (fixed by ${run.knownBad.fixedBy}): failed with its signature, as declared at ${formatPos(run.knownBad.pos)}`);
  } else if (run.status !== 'SKIP') {
    // the bug's name first: the same title on two runs is the same bug
    if (run.titles?.length && run.status !== 'XPASS') {
      out.push(`title: ${run.titles[0]}`);
      for (const t of run.titles.slice(1)) out.push(`  also: ${t}`);
      // the chain of causes behind it (explore/explain.ts), for a failure nobody declared
      if (run.status === 'FAIL') out.push(`  why: ${explainCommand(run)}`);
    }
    for (const a of run.assertions) {
      if (a.ok) continue;
      out.push(assertionHeadline(a));
      if (a.details) for (const d of a.details) out.push(`  ${d}`);
    }
  }
  if (run.notRun.length) {
    const first = run.notRun[0]!.step;
    const last = run.notRun[run.notRun.length - 1]!.step;
    const range = first === last ? `step ${first}` : `steps ${first}-${last}`;
    const p = run.panic;
    out.push(`not run: ${range}: the kernel panicked at step ${p?.step} (${p?.what})`);
    for (const s of run.notRun) out.push(`  step ${s.step} (${formatPos(s.pos)}): ${s.what}`);
  }
  if (run.error) {
    out.push(`error: ${run.error.message}`);
    if (run.error.stack) for (const l of run.error.stack.split('\n').slice(1)) out.push(`  ${l.trim()}`);
  }
  if (run.tail && run.tail.length) {
    out.push(`log tail (last ${run.tail.length} of ${run.logLines} lines):`);
    for (const l of run.tail) out.push(`  ${l}`);
  }
  return out;
}

/** The text after `# ` on a result line, or '' for a plain ok/not ok. */
export function directive(run: RunResult): string {
  switch (run.status) {
    case 'PASS':
    case 'FAIL':
      return '';
    case 'XFAIL':
      return ` # XFAIL ${oneLine(run.reason ?? '')}`.trimEnd();
    case 'XPASS':
      return ` # XPASS ${oneLine(run.reason ?? '')}`.trimEnd();
    case 'SKIP':
      return ` # SKIP ${oneLine(run.reason ?? '')}`.trimEnd();
    case 'ERROR':
      return ` # ERROR ${oneLine(run.reason ?? '')}`.trimEnd();
  }
}

export function okWord(run: RunResult): 'ok' | 'not ok' {
  return run.status === 'FAIL' || run.status === 'XPASS' || run.status === 'ERROR' ? 'not ok' : 'ok';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/** `# text` lines, with an empty diagnostic as a bare `#`. */
export function commentLines(lines: readonly string[], indent: string, out: string[]): void {
  for (const l of lines) out.push(l.length ? `${indent}# ${l}` : `${indent}#`);
}
