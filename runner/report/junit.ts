// JUnit XML, valid against the schema its reader checks: Jenkins' junit-10.xsd by default
// (what Jenkins, GitLab and most test-report actions read), or Apache Ant's JUnit.xsd
// (`junitSchema: 'ant'`). Neither schema lets a <testcase> carry a file, a line or
// properties, so the YAML position of a failed assertion leads the failure message and
// text, and the suite's <properties> hold every run's verdict with its position.
// Built with a real serialiser: log lines and messages carry <, &, and quotes.

import { create } from 'xmlbuilder2';
import { formatLogLine } from '../model/api.js';
import type { ResultTree, RunResult, SuiteResult } from './result.js';
import { formatPos, totalsOf, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { assertionHeadline, failedAssertions, runDiagnostics } from './diagnostics.js';

// Virtual (simulated) seconds: deterministic, so --jobs and reruns print the same bytes.
// Milliseconds: junit-10.xsd's SUREFIRE_TIME takes at most three decimals.
function seconds(usec: number): string {
  return (usec / 1e6).toFixed(3);
}

function counts(runs: readonly RunResult[]) {
  const t = totalsOf(runs);
  return { tests: runs.length, failures: t.fail + t.xpass, errors: t.error, skipped: t.skip };
}

type Node = ReturnType<ReturnType<typeof create>['ele']>;

/** Where a run's verdict comes from: its first failed assertion, the known-bad entry, or the scenario. */
function verdictPos(run: RunResult): string {
  if (run.status === 'XFAIL' && run.knownBad) return formatPos(run.knownBad.pos);
  if (run.status === 'FAIL' || run.status === 'XPASS') {
    const first = failedAssertions(run)[0];
    if (first) return formatPos(first.pos);
  }
  return formatPos(run.pos);
}

/** "FAIL at suites/x.yaml:22:9", "XFAIL at ...; fixed by 376991db4b64", "SKIP at ...; <why>" */
export function verdictProperty(run: RunResult): string {
  let v = `${run.status} at ${verdictPos(run)}`;
  if (run.knownBad) v += `; fixed by ${run.knownBad.fixedBy}`;
  else if ((run.status === 'SKIP' || run.status === 'ERROR') && run.reason) v += `; ${run.reason}`;
  return v;
}

function properties(parent: Node, s: SuiteResult): void {
  const props = parent.ele('properties');
  props.ele('property', { name: 'file', value: s.file });
  for (const run of s.runs) props.ele('property', { name: run.label, value: verdictProperty(run) });
}

function outcome(tc: Node, run: RunResult): void {
  const body = () => runDiagnostics(run).join('\n');
  switch (run.status) {
    case 'FAIL':
    case 'XPASS': {
      const first = failedAssertions(run)[0];
      tc.ele('failure', {
        message: first ? assertionHeadline(first) : `${formatPos(run.pos)}: failed`,
        type: run.status === 'XPASS' ? 'xpass' : (first?.kind ?? 'failure'),
      }).txt(body());
      break;
    }
    case 'ERROR':
      tc.ele('error', { message: `${formatPos(run.pos)}: ${run.error?.message ?? run.reason ?? 'error'}`, type: 'error' }).txt(body());
      break;
    case 'SKIP':
      tc.ele('skipped', { message: run.reason ?? '' });
      break;
    case 'PASS':
    case 'XFAIL':
      break;
  }
}

function dmesg(run: RunResult): string {
  return run.log ? run.log.map(formatLogLine).join('\n') : '';
}

function suiteTime(s: SuiteResult): number {
  let usec = 0;
  for (const r of s.runs) usec += r.usec;
  return usec;
}

function jenkinsSuite(root: Node, s: SuiteResult): void {
  const c = counts(s.runs);
  const ts = root.ele('testsuite', {
    name: s.name,
    tests: String(c.tests),
    failures: String(c.failures),
    errors: String(c.errors),
    skipped: String(c.skipped),
    time: seconds(suiteTime(s)),
    file: s.file,
  });
  properties(ts, s);
  for (const run of s.runs) {
    const tc = ts.ele('testcase', { name: run.label, classname: run.suite, time: seconds(run.usec) });
    outcome(tc, run);
    if (run.log) tc.ele('system-out').txt(dmesg(run));
  }
}

/**
 * Ant's schema: package and id on each suite, a timestamp and hostname, properties
 * first, and the output only at suite level, so each run's dmesg goes there under a
 * header naming the run.
 */
function antSuite(root: Node, s: SuiteResult, id: number, timestamp: string): void {
  const c = counts(s.runs);
  const ts = root.ele('testsuite', {
    name: s.name,
    package: s.name,
    id: String(id),
    timestamp,
    hostname: 'localhost',
    tests: String(c.tests),
    failures: String(c.failures),
    errors: String(c.errors),
    skipped: String(c.skipped),
    time: seconds(suiteTime(s)),
  });
  properties(ts, s);
  const out: string[] = [];
  for (const run of s.runs) {
    const tc = ts.ele('testcase', { name: run.label, classname: run.suite, time: seconds(run.usec) });
    outcome(tc, run);
    if (run.log) out.push(`==> ${run.label} <==`, dmesg(run));
  }
  ts.ele('system-out').txt(out.join('\n'));
  ts.ele('system-err');
}

export function renderJunit(tree: ResultTree, opts: RenderOptions): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  if (opts.junitSchema === 'ant') {
    const root = doc.ele('testsuites');
    const stamp = opts.timestamp ?? '1970-01-01T00:00:00';
    tree.suites.forEach((s, i) => antSuite(root, s, i, stamp));
    return doc.end({ prettyPrint: true }) + '\n';
  }
  const t = treeTotals(tree);
  let tests = 0;
  let usec = 0;
  for (const s of tree.suites) for (const r of s.runs) { tests++; usec += r.usec; }
  const root = doc.ele('testsuites', {
    name: 'bringup',
    tests: String(tests),
    failures: String(t.fail + t.xpass),
    errors: String(t.error),
    time: seconds(usec),
  });
  for (const s of tree.suites) jenkinsSuite(root, s);
  return doc.end({ prettyPrint: true }) + '\n';
}
