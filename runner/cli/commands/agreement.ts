// The agreement measure of `bringup compare` and `npm run conformance` (issue #18): per run,
// do the model and the real kernel reach the same verdict, and do they print the same lines
// where the run's assertions look? Per board × kernel cell: scenarios, verdicts agreeing,
// asserted lines, asserted lines agreeing; per disagreement, both sides' first differing line.

import type { Assertions, PlanRun } from '../../dsl/plan.js';
import type { LogLine } from '../../model/api.js';
import type { RunResult, RunStatus } from '../../report/result.js';
import type { Matcher } from '../../exec/patterns.js';

export interface AgreementRow {
  board: string;
  /** the real kernel (a Debian line such as 6.1, or the kernel the qemu target booted) */
  kernel: string;
  /** the model profile that stood for it */
  profile: string;
  scenarios: number;
  verdicts_agree: number;
  lines: number;
  lines_agree: number;
  /** wall time of the cell, both targets */
  seconds: number;
}

export interface Disagreement {
  board: string;
  kernel: string;
  scenario: string;
  model: RunStatus;
  real: RunStatus;
  why: string;
  /** the first asserted line where the two logs differ (normalised), or the first failed assertion */
  first: { model: string; real: string };
}

/** One run on both targets. */
export interface RunComparison {
  run: PlanRun;
  model: RunResult;
  real: RunResult;
  agree: boolean;
  /** normalised asserted lines of each side, in log order */
  modelLines: string[];
  realLines: string[];
  lines: number;
  linesAgree: number;
}

/**
 * A line as both targets can be held to it: the message without its timestamp, with what a
 * real kernel varies from boot to boot masked (addresses and pointers, PIDs, the numbering of
 * virtio and network devices); IOMMU group numbers and errnos are kept, they are behaviour.
 */
export function normaliseLine(text: string): string {
  return text
    .replace(/^\[\s*\d+\.\d+\]\s*/, '')
    .replace(/\b0x[0-9a-f]{5,}\b/gi, '0x…')
    .replace(/\b[0-9a-f]{12,16}\b/gi, '…')
    .replace(/\bPID: \d+/g, 'PID: …')
    .replace(/\bvirtio\d+\b/g, 'virtioN')
    .replace(/\beth\d+\b/g, 'ethN')
    .replace(/\s+$/, '');
}

function positive(a: Assertions): Array<{ pattern: Assertions['log'][number]['pattern'] }> {
  return [...a.log, ...a.logUnordered, ...a.count];
}

/**
 * The lines each expect block asserted on: the lines of its window (since the previous
 * expect; the whole log for the final one) that its positive patterns match. `windows` holds
 * the log length at each inline expect, in order (RunResult.windows).
 */
export function assertedLines(run: PlanRun, log: readonly LogLine[], windows: readonly number[] | undefined, compile: (p: Assertions['log'][number]['pattern']) => Matcher): string[] {
  const out: string[] = [];
  let from = 0;
  let k = 0;
  const take = (a: Assertions, lo: number, hi: number) => {
    const ms = positive(a).map((p) => compile(p.pattern));
    if (!ms.length) return;
    for (let i = lo; i < hi && i < log.length; i++) if (ms.some((m) => m.test(log[i]!.text))) out.push(normaliseLine(log[i]!.text));
  };
  for (const s of run.steps) {
    if (!('expect' in s)) continue;
    const to = windows?.[k] ?? log.length;
    take(s.expect, from, to);
    from = to;
    k++;
  }
  if (run.expect) take(run.expect, 0, log.length);
  return out;
}

/** |A ∪ B| and |A ∩ B| as multisets. */
export function lineAgreement(a: readonly string[], b: readonly string[]): { lines: number; agree: number } {
  const count = (xs: readonly string[]) => {
    const m = new Map<string, number>();
    for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
    return m;
  };
  const ca = count(a);
  const cb = count(b);
  let lines = 0;
  let agree = 0;
  for (const k of new Set([...ca.keys(), ...cb.keys()])) {
    const x = ca.get(k) ?? 0;
    const y = cb.get(k) ?? 0;
    lines += Math.max(x, y);
    agree += Math.min(x, y);
  }
  return { lines, agree };
}

function firstFailure(r: RunResult): string {
  if (r.status === 'ERROR') return `error: ${r.reason ?? r.error?.message ?? '?'}`;
  const a = r.assertions.find((x) => !x.ok);
  return a ? `${a.step !== undefined ? `step ${a.step}: ` : ''}${a.message}` : `(${r.status})`;
}

/** Both sides' first differing asserted line; if the lines agree, each side's first failed assertion. */
export function firstDifference(c: RunComparison): { model: string; real: string } {
  const n = Math.max(c.modelLines.length, c.realLines.length);
  for (let i = 0; i < n; i++) {
    const m = c.modelLines[i];
    const r = c.realLines[i];
    if (m !== r) return { model: m ?? '(no further asserted line)', real: r ?? '(no further asserted line)' };
  }
  return { model: firstFailure(c.model), real: firstFailure(c.real) };
}

export function compareRun(run: PlanRun, model: RunResult, real: RunResult, compile: (p: Assertions['log'][number]['pattern']) => Matcher): RunComparison {
  const modelLines = assertedLines(run, model.log ?? [], model.windows, compile);
  const realLines = assertedLines(run, real.log ?? [], real.windows, compile);
  const { lines, agree } = lineAgreement(modelLines, realLines);
  return { run, model, real, agree: model.status === real.status, modelLines, realLines, lines, linesAgree: agree };
}

/** Sum the comparisons of one board × kernel cell. */
export function cellRow(board: string, kernel: string, profile: string, cs: readonly RunComparison[], seconds: number): AgreementRow {
  const ran = cs.filter((c) => c.real.status !== 'SKIP' && c.model.status !== 'SKIP');
  return {
    board,
    kernel,
    profile,
    scenarios: ran.length,
    verdicts_agree: ran.filter((c) => c.agree).length,
    lines: ran.reduce((n, c) => n + c.lines, 0),
    lines_agree: ran.reduce((n, c) => n + c.linesAgree, 0),
    seconds: Math.round(seconds),
  };
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');

export function renderAgreementTable(rows: readonly AgreementRow[]): string {
  const head = ['board', 'kernel', 'profile', 'scenarios', 'verdicts agree', 'lines', 'lines agree', 'seconds'];
  const body = rows.map((r) => [
    r.board,
    r.kernel,
    r.profile,
    String(r.scenarios),
    `${r.verdicts_agree} (${pct(r.verdicts_agree, r.scenarios)})`,
    String(r.lines),
    `${r.lines_agree} (${pct(r.lines_agree, r.lines)})`,
    String(r.seconds),
  ]);
  const tot = rows.reduce((t, r) => ({ s: t.s + r.scenarios, v: t.v + r.verdicts_agree, l: t.l + r.lines, la: t.la + r.lines_agree, sec: t.sec + r.seconds }), { s: 0, v: 0, l: 0, la: 0, sec: 0 });
  body.push(['total', '', '', String(tot.s), `${tot.v} (${pct(tot.v, tot.s)})`, String(tot.l), `${tot.la} (${pct(tot.la, tot.l)})`, String(tot.sec)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n') + '\n';
}

export function renderDisagreements(ds: readonly Disagreement[]): string {
  if (!ds.length) return 'no verdict disagreements\n';
  const out: string[] = [`${ds.length} verdict disagreement${ds.length === 1 ? '' : 's'}:`];
  for (const d of ds) {
    out.push(`== ${d.scenario} [${d.board} ${d.kernel}]: model ${d.model}, real ${d.real}`);
    out.push(`   model: ${d.first.model}`);
    out.push(`   real:  ${d.first.real}`);
    if (d.why) out.push(`   why:   ${d.why}`);
  }
  return out.join('\n') + '\n';
}

/**
 * Debian kernel line → the model profile of the same version: the stable line's profile
 * (`v6.12.y`, mainline plus the fixes backported to it) where the model has one, since Debian
 * ships stable point releases (6.12.118); else the release's own (`v6.16`); else, where the
 * model has none yet, the newest mainline profile below it (a profile holds every behaviour
 * that landed up to it, so the nearest older one models a kernel that has none of the later
 * ones). `exact` says whether the profile is the line's own.
 */
export function profileForLine(line: string, profiles: readonly string[]): { profile: string; exact: boolean } {
  if (profiles.includes(`v${line}.y`)) return { profile: `v${line}.y`, exact: true };
  const parse = (p: string) => p.replace(/^v/, '').split('.').map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d) return d;
    }
    return 0;
  };
  const want = parse(line);
  let best: { name: string; v: number[] } | undefined;
  for (const p of profiles) {
    if (!/^v\d+\.\d+$/.test(p)) continue;
    const v = parse(p);
    if (cmp(v, want) > 0) continue;
    if (!best || cmp(v, best.v) > 0) best = { name: p, v };
  }
  if (!best) throw new Error(`no model profile at or below v${line}`);
  return { profile: best.name, exact: cmp(best.v, want) === 0 };
}
