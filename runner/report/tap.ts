// kselftest TAP 13: one flat list of runs, diagnostics as `# ` lines before the
// result they explain, the kselftest totals line last.

import type { ResultTree, Totals } from './result.js';
import { treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { commentLines, directive, okWord, runDiagnostics } from './diagnostics.js';

export function totalsLine(t: Totals): string {
  return `# Totals: pass:${t.pass} fail:${t.fail} xfail:${t.xfail} xpass:${t.xpass} skip:${t.skip} error:${t.error}`;
}

export function renderTap(tree: ResultTree, opts: RenderOptions): string {
  const out: string[] = [];
  if (opts.versionLine) out.push('TAP version 13');
  let n = 0;
  for (const s of tree.suites) n += s.runs.length;
  // kselftest's "skipped everything before a plan" form
  out.push(n === 0 ? '1..0 # SKIP no runs to execute' : `1..${n}`);
  let i = 0;
  for (const s of tree.suites) {
    for (const run of s.runs) {
      commentLines(runDiagnostics(run), '', out);
      out.push(`${okWord(run)} ${++i} ${run.label}${directive(run)}`);
    }
  }
  out.push(totalsLine(treeTotals(tree)));
  return out.join('\n') + '\n';
}
