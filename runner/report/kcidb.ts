// KCIDB v5.3 JSON (kernelci/kcidb-io, kcidb_io/schema/v05_03.py): the kernel profiles as
// checkouts, one build per (kernel, arch), one test per run, and the known-bad bugs as
// issues with an incident on every run that names one. Ids are "<origin>:<local>" and no
// property is ever null. Verdicts map as the schema's statuses describe the tested code:
// PASS, FAIL, SKIP and ERROR as they are; XFAIL is a FAIL with an incident of the known
// issue (KCIDB has no expected failure); XPASS is a PASS with an incident saying that
// issue is absent (`present: false`). bringup's own verdict stays in misc.verdict.
// Submitting is left to the user's credentials (kcidb-submit; see README).

import type { BoardInfo, ReportContext } from './context.js';
import type { ResultTree, RunResult } from './result.js';
import type { RenderOptions } from './options.js';
import { runDiagnostics, failedAssertions } from './diagnostics.js';
import { formatPos } from './result.js';

type Obj = Record<string, unknown>;

const EXCERPT_MAX = 16384;
const ORIGIN = /^[a-z0-9_]+$/;

export type KcidbStatus = 'FAIL' | 'ERROR' | 'MISS' | 'PASS' | 'DONE' | 'SKIP';

export function kcidbStatus(run: RunResult): KcidbStatus {
  switch (run.status) {
    case 'PASS':
    case 'XPASS':
      return 'PASS';
    case 'FAIL':
    case 'XFAIL':
      return 'FAIL';
    case 'SKIP':
      return 'SKIP';
    case 'ERROR':
      return 'ERROR';
  }
}

/** A KCIDB test path segment: [a-zA-Z0-9_-]+ */
function segment(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
}

/** "bringup.<suite>.<scenario>[.<device>]": the test, whatever board and kernel ran it. */
export function testPath(run: RunResult): string {
  const at = run.id.indexOf('@');
  const base = at < 0 ? run.id : run.id.slice(0, at);
  const dot = base.indexOf('.');
  const parts = ['bringup', dot < 0 ? base : base.slice(0, dot)];
  if (dot >= 0) parts.push(base.slice(dot + 1));
  if (at >= 0) parts.push(run.id.slice(at + 1));
  return parts.map(segment).join('.');
}

/** The schema's strings may not hold NUL. */
function clean(s: string): string {
  return s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
}

function excerpt(lines: readonly string[]): string {
  const text = clean(lines.join('\n'));
  if (text.length <= EXCERPT_MAX) return text;
  const cut = '\n[... cut to the KCIDB log_excerpt limit]';
  return text.slice(0, EXCERPT_MAX - cut.length) + cut;
}

function httpsUrl(refs: readonly string[] | undefined): string | undefined {
  return refs?.find((u) => /^https:\/\/[^\s]+$/.test(u));
}

export function renderKcidb(tree: ResultTree, opts: RenderOptions): string {
  const origin = opts.kcidbOrigin ?? 'bringup';
  if (!ORIGIN.test(origin)) throw new Error(`KCIDB origin "${origin}" must match [a-z0-9_]+`);
  const ctx: ReportContext = opts.context ?? { target: 'model', boards: {}, suites: {} };
  const target = ctx.target;
  const id = (local: string) => `${origin}:${clean(local)}`;

  const checkouts: Obj[] = [];
  const builds: Obj[] = [];
  const tests: Obj[] = [];
  const issues: Obj[] = [];
  const incidents: Obj[] = [];
  const seenCheckout = new Set<string>();
  const seenBuild = new Set<string>();
  const issueOf = new Map<string, { issue: Obj; fixedBy: string; suites: string[]; kernels: string[] }>();

  const checkoutId = (kernel: string) => {
    const cid = id(`checkout:${kernel}`);
    if (!seenCheckout.has(cid)) {
      seenCheckout.add(cid);
      checkouts.push({
        id: cid,
        origin,
        git_commit_name: clean(kernel),
        comment: clean(target === 'model' ? `bringup's kernel model, profile ${kernel}` : `kernel ${kernel} on bringup's ${target} target`),
        misc: { target, kernel },
      });
    }
    return cid;
  };

  const buildId = (kernel: string, board: BoardInfo | undefined) => {
    const arch = board?.arch;
    const bid = id(arch ? `build:${kernel}:${arch}` : `build:${kernel}`);
    if (!seenBuild.has(bid)) {
      seenBuild.add(bid);
      const b: Obj = { id: bid, origin, checkout_id: checkoutId(kernel) };
      if (arch) b['architecture'] = arch.replace(/[^a-z0-9_]/g, '_');
      b['misc'] = { target, kernel };
      builds.push(b);
    }
    return bid;
  };

  for (const suite of tree.suites) {
    for (const run of suite.runs) {
      const board = ctx.boards[run.board];
      const tid = id(`${run.id}:${run.board}:${run.kernel}`);
      const t: Obj = { id: tid, origin, build_id: buildId(run.kernel, board), path: testPath(run), comment: clean(run.label), status: kcidbStatus(run) };
      const env: Obj = { misc: { board: run.board } };
      if (board?.compatible?.length) env['compatible'] = board.compatible.map(clean);
      if (board) env['comment'] = clean(board.model);
      t['environment'] = env;
      if (run.status !== 'PASS') {
        const lines = runDiagnostics(run);
        if (lines.length) t['log_excerpt'] = excerpt(lines);
      }
      const misc: Obj = {
        target,
        verdict: run.status,
        suite: run.suite,
        scenario: run.scenario,
        board: run.board,
        kernel: run.kernel,
        at: formatPos(run.pos),
        virtual_usec: run.usec,
      };
      const first = run.status === 'FAIL' || run.status === 'XPASS' ? failedAssertions(run)[0] : undefined;
      if (first) misc['failure'] = { at: formatPos(first.pos), type: first.kind, message: clean(first.message) };
      if (run.reason !== undefined && (run.status === 'SKIP' || run.status === 'ERROR')) misc['reason'] = clean(run.reason);
      if (run.knownBad) misc['fixed_by'] = run.knownBad.fixedBy;
      t['misc'] = misc;
      tests.push(t);

      if (run.knownBad && (run.status === 'XFAIL' || run.status === 'XPASS')) {
        const fixedBy = run.knownBad.fixedBy;
        let entry = issueOf.get(fixedBy);
        if (!entry) {
          const issue: Obj = {
            id: id(`known-bad:${fixedBy}`),
            version: 1,
            origin,
            culprit: { code: true, tool: false, harness: false },
            comment: clean(`a known kernel bug, fixed by ${fixedBy}`),
          };
          const url = httpsUrl(ctx.suites[run.suite]?.reference);
          if (url) issue['report_url'] = clean(url);
          entry = { issue, fixedBy, suites: [], kernels: [] };
          issueOf.set(fixedBy, entry);
          issues.push(issue);
        }
        if (!entry.suites.includes(run.suite)) entry.suites.push(run.suite);
        if (!entry.kernels.includes(run.knownBad.kernel)) entry.kernels.push(run.knownBad.kernel);
        const present = run.status === 'XFAIL';
        incidents.push({
          id: id(`incident:${run.id}:${run.board}:${run.kernel}`),
          origin,
          issue_id: entry.issue['id'],
          issue_version: 1,
          test_id: tid,
          present,
          comment: clean(
            present
              ? `${run.label} failed with the known-bad signature declared at ${formatPos(run.knownBad.pos)}`
              : `${run.label} passed although declared known-bad at ${formatPos(run.knownBad.pos)}`,
          ),
        });
      }
    }
  }
  for (const { issue, fixedBy, suites, kernels } of issueOf.values()) issue['misc'] = { fixed_by: fixedBy, suites, kernels };

  const doc = { version: { major: 5, minor: 3 }, checkouts, builds, tests, issues, incidents };
  return JSON.stringify(doc, null, 2) + '\n';
}
