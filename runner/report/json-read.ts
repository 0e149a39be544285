// The inverse of renderJson: the results (and context) a `--format json` report holds,
// so merged shards render as any format, byte for byte as the unsharded run would.
// The input is trusted to be this program's own output (validate it against
// dsl-schema/result.schema.json first when it comes from elsewhere).

import type { LogLine } from '../model/api.js';
import type { ReportContext } from './context.js';
import type { AssertionKind, AssertionResult, ResultTree, RunEvent, RunResult, RunStatus, StepTrace } from './result.js';

type J = Record<string, unknown>;

function pos(o: J) {
  return { file: o['file'] as string, line: o['line'] as number, column: o['column'] as number };
}

const STAMP = /^\[\s*(\d+)\.(\d{6})\] ([\s\S]*)$/;

/** "[    0.001237] text" back to a record (formatLogLine's inverse). */
export function parseLogLine(s: string): LogLine {
  const m = STAMP.exec(s);
  if (!m) return { usec: 0, text: s };
  return { usec: Number(m[1]) * 1_000_000 + Number(m[2]), text: m[3]! };
}

function assertion(o: J): AssertionResult {
  const a: AssertionResult = { kind: o['type'] as AssertionKind, ok: o['ok'] as boolean, pos: pos(o), message: (o['message'] as string | undefined) ?? '' };
  if (o['step'] !== undefined) a.step = o['step'] as number;
  if (o['wanted'] !== undefined) a.wanted = o['wanted'] as string;
  if (o['found'] !== undefined) a.found = o['found'] as string;
  if (o['details'] !== undefined) a.details = o['details'] as string[];
  if (o['lines'] !== undefined) a.lines = o['lines'] as number[];
  return a;
}

function run(c: J): RunResult {
  const r: RunResult = {
    label: c['name'] as string,
    id: c['id'] as string,
    suite: c['suite'] as string,
    scenario: c['scenario'] as string,
    board: c['board'] as string,
    kernel: c['kernel'] as string,
    file: c['file'] as string,
    pos: { file: c['file'] as string, line: c['line'] as number, column: c['column'] as number },
    status: c['verdict'] as RunStatus,
    assertions: ((c['assertions'] as J[] | undefined) ?? []).map(assertion),
    notRun: ((c['not_run'] as J[] | undefined) ?? []).map((s) => ({ step: s['step'] as number, what: s['what'] as string, pos: pos(s) })),
    logLines: c['log_lines'] as number,
    usec: c['usec'] as number,
  };
  if (c['reason'] !== undefined) r.reason = c['reason'] as string;
  const p = c['panic'] as J | undefined;
  if (p) r.panic = { step: p['step'] as number, what: p['what'] as string, pos: pos(p) };
  const e = c['error'] as J | undefined;
  if (e) r.error = e['stack'] !== undefined ? { message: e['message'] as string, stack: e['stack'] as string } : { message: e['message'] as string };
  const kb = c['known_bad'] as J | undefined;
  if (kb) {
    r.knownBad = { kernel: kb['kernel'] as string, fixedBy: kb['fixed_by'] as string, pos: pos(kb), signatureSeen: kb['signature_seen'] as boolean };
    if (kb['lines'] !== undefined) r.knownBad.lines = kb['lines'] as number[];
  }
  if (c['titles'] !== undefined) r.titles = c['titles'] as string[];
  if (c['log_tail'] !== undefined) r.tail = c['log_tail'] as string[];
  if (typeof c['log'] === 'string') r.log = c['log'] === '' ? [] : (c['log'] as string).split('\n').map(parseLogLine);
  if (c['order'] !== undefined) r.order = c['order'] as number;
  if (c['steps'] !== undefined) r.steps = c['steps'] as StepTrace[];
  if (c['events'] !== undefined) r.events = c['events'] as RunEvent[];
  return r;
}

export function readJson(text: string): { tree: ResultTree; context?: ReportContext } {
  const root = JSON.parse(text) as J;
  const groups = (root['sub_groups'] as J[] | undefined) ?? [];
  const tree: ResultTree = {
    suites: groups.map((g) => ({ name: g['name'] as string, file: g['file'] as string, runs: (g['test_cases'] as J[]).map(run) })),
  };
  return root['context'] ? { tree, context: root['context'] as ReportContext } : { tree };
}
