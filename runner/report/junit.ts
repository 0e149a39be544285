// JUnit XML in the common shape CI systems read (testmoapp/junitxml): <testsuites>
// with counts, one <testsuite> per suite, one <testcase> per run carrying the YAML
// file/line, <failure>/<error>/<skipped>, and the run's dmesg in <system-out>.
// Built with a real serialiser: log lines and messages carry <, &, and quotes.

import { create } from 'xmlbuilder2';
import { formatLogLine } from '../model/api.js';
import type { ResultTree, RunResult, SuiteResult } from './result.js';
import { totalsOf, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { assertionHeadline, failedAssertions, runDiagnostics } from './diagnostics.js';

// Virtual (simulated) seconds: deterministic, so --jobs and reruns print the same bytes.
function seconds(usec: number): string {
  return (usec / 1e6).toFixed(6);
}

function counts(runs: readonly RunResult[]) {
  const t = totalsOf(runs);
  return { tests: runs.length, failures: t.fail + t.xpass, errors: t.error, skipped: t.skip };
}

type Node = ReturnType<ReturnType<typeof create>['ele']>;

function testcase(parent: Node, run: RunResult): void {
  const tc = parent.ele('testcase', {
    name: run.label,
    classname: run.suite,
    file: run.file,
    line: String(run.pos.line),
    time: seconds(run.usec),
  });
  const props = tc.ele('properties');
  props.ele('property', { name: 'board', value: run.board });
  props.ele('property', { name: 'kernel', value: run.kernel });
  props.ele('property', { name: 'status', value: run.status });
  if (run.knownBad) props.ele('property', { name: 'fixed-by', value: run.knownBad.fixedBy });
  const body = () => runDiagnostics(run).join('\n');
  switch (run.status) {
    case 'FAIL':
    case 'XPASS': {
      const first = failedAssertions(run)[0];
      tc.ele('failure', {
        message: first ? assertionHeadline(first) : 'failed',
        type: run.status === 'XPASS' ? 'xpass' : (first?.kind ?? 'failure'),
      }).txt(body());
      break;
    }
    case 'ERROR':
      tc.ele('error', { message: run.error?.message ?? run.reason ?? 'error', type: 'error' }).txt(body());
      break;
    case 'SKIP':
      tc.ele('skipped', { message: run.reason ?? '' });
      break;
    case 'PASS':
    case 'XFAIL':
      break;
  }
  if (run.log) tc.ele('system-out').txt(run.log.map(formatLogLine).join('\n'));
}

function testsuite(root: Node, s: SuiteResult): void {
  const c = counts(s.runs);
  let usec = 0;
  for (const r of s.runs) usec += r.usec;
  const ts = root.ele('testsuite', {
    name: s.name,
    tests: String(c.tests),
    failures: String(c.failures),
    errors: String(c.errors),
    skipped: String(c.skipped),
    time: seconds(usec),
    file: s.file,
  });
  for (const run of s.runs) testcase(ts, run);
}

export function renderJunit(tree: ResultTree, _opts: RenderOptions): string {
  const t = treeTotals(tree);
  let tests = 0;
  let usec = 0;
  for (const s of tree.suites) for (const r of s.runs) { tests++; usec += r.usec; }
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const root = doc.ele('testsuites', {
    name: 'bringup',
    tests: String(tests),
    failures: String(t.fail + t.xpass),
    errors: String(t.error),
    skipped: String(t.skip),
    time: seconds(usec),
  });
  for (const s of tree.suites) testsuite(root, s);
  return doc.end({ prettyPrint: true }) + '\n';
}
