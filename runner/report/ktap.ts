// KTAP v1 as KUnit prints it: suites at the top level, each suite's runs as a nested
// KTAP document indented two spaces (version line, `# Subtest:`, plan, results), the
// KUnit per-suite counts line, then the suite's own result line.

import type { ResultTree, SuiteResult } from './result.js';
import { suiteStatus, totalsOf, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { commentLines, directive, okWord, runDiagnostics } from './diagnostics.js';
import { totalsLine } from './tap.js';

// kunit_parser.py stops reading KTAP at the first line holding one of these (it takes them
// for the end of a kernel's test output), even inside a diagnostic: a quoted log line
// that holds one gets a no-break space for its first space, so the parser reads on.
const KUNIT_END = /List of all partitions:|Kernel panic - not syncing: VFS:|reboot: System halted/;

export function defuseKunitEnd(line: string): string {
  return KUNIT_END.test(line) ? line.replace(KUNIT_END, (m) => m.replace(' ', '\u00a0')) : line;
}

export function suiteCountsLine(s: SuiteResult): string {
  const t = totalsOf(s.runs);
  // KUnit counts: XFAIL passed, XPASS and ERROR failed
  return `# ${s.name}: pass:${t.pass + t.xfail} fail:${t.fail + t.xpass + t.error} skip:${t.skip} total:${s.runs.length}`;
}

export function renderKtap(tree: ResultTree, opts: RenderOptions): string {
  const out: string[] = [];
  if (opts.versionLine) out.push('KTAP version 1');
  out.push(tree.suites.length === 0 ? '1..0 # SKIP no runs to execute' : `1..${tree.suites.length}`);
  tree.suites.forEach((s, si) => {
    out.push('  KTAP version 1', `  # Subtest: ${s.name}`, `  1..${s.runs.length}`);
    s.runs.forEach((run, ri) => {
      commentLines(runDiagnostics(run).map(defuseKunitEnd), '  ', out);
      out.push(`  ${okWord(run)} ${ri + 1} ${run.label}${directive(run)}`);
    });
    out.push(suiteCountsLine(s));
    const st = suiteStatus(s);
    out.push(`${st === 'FAIL' ? 'not ok' : 'ok'} ${si + 1} ${s.name}${st === 'SKIP' ? ' # SKIP all runs skipped' : ''}`);
  });
  out.push(totalsLine(treeTotals(tree)));
  return out.join('\n') + '\n';
}
