// `bringup compare [PATH...]`: run the same scenarios on several targets (by default the
// model and a real kernel in QEMU) and print, per run, each target's verdict and the lines
// each target printed that the scenario's assertions are about. This is how bringup
// measures its own fidelity: a model that disagrees with the real kernel is a model bug.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import type { Assertions, Pattern, PlanRun } from '../../dsl/plan.js';
import type { LogLine } from '../../model/api.js';
import type { RunResult, RunStatus } from '../../report/result.js';
import type { TargetName } from '../../exec/targets/index.js';

const HELP = `usage: bringup compare [options] [PATH...]

Run the scenarios of the suites in PATH (default: suites/qemu-virt-conformance.yaml)
on each target and print a table: run x target -> verdict, whether the targets
agree, then for every run the log lines each target printed that the run's
log/log-unordered/count patterns match (and the failed assertions, if any).

options:
  --real-kernel LINES   compare the model with these Debian kernel lines (5.10,
                        6.1, 6.12 ... 7.3; repeatable or comma-separated; set up
                        by \`npm run setup:kernels\`): per board and line, the
                        runs execute on the model with the line's profile and on
                        the real kernel in QEMU, one guest reused across the
                        cell; prints the agreement table (board x kernel:
                        scenarios, verdicts agreeing, asserted lines, lines
                        agreeing) and each disagreement's first differing line
  --targets LIST        comma-separated targets (default model,qemu)
  --board ID            only runs on this board (repeatable)
  --kernel K            run on these kernel profiles instead of the suites' own
                        (the qemu target always boots its real kernel)
  --filter GLOB         only runs whose "<suite>.<scenario>" matches (repeatable)
  -j, --jobs N          worker threads per target (default 2: two guests at a time);
                        with --real-kernel, cells run at a time
  --log-dir DIR         write each run's log to DIR/<target>/<run>.log
  --format FORMAT       text (default) or json
  --lines N             at most N asserted lines per target and run (default 20)
  -q, --quiet           no per-run progress on stderr
  -h, --help            show this help

exit status:
  0  every target that ran agrees on every run, and every run passed
  1  a disagreement, a failed or errored run, or invalid input
  2  bad usage (an unknown option or value)
  4  nothing ran on any target (all skipped)
`;

export interface CompareRow {
  id: string;
  label: string;
  verdicts: Record<string, RunStatus>;
  /** the targets that ran it agree (skipped targets are not counted) */
  agree: boolean;
  /** per target: formatted log lines the run's positive patterns match */
  lines: Record<string, string[]>;
  /** per target: failed assertions' messages */
  failures: Record<string, string[]>;
}

export interface CompareReport {
  targets: string[];
  rows: CompareRow[];
  /** per target: why it could not run (every run SKIP with this reason) */
  skipped: Record<string, string>;
}

function assertionBlocks(run: PlanRun): Assertions[] {
  const out: Assertions[] = [];
  for (const s of run.steps) if ('expect' in s) out.push(s.expect);
  if (run.expect) out.push(run.expect);
  return out;
}

/** The patterns a run expects to see printed (log, log-unordered, count). */
export function positivePatterns(run: PlanRun): Pattern[] {
  const ps: Pattern[] = [];
  for (const a of assertionBlocks(run)) {
    for (const p of a.log) ps.push(p.pattern);
    for (const p of a.logUnordered) ps.push(p.pattern);
    for (const c of a.count) ps.push(c.pattern);
  }
  return ps;
}

/** Verdicts agree when every target that ran (not SKIP) reached the same one. */
export function agreement(verdicts: Record<string, RunStatus>): boolean {
  const ran = Object.values(verdicts).filter((v) => v !== 'SKIP');
  return ran.every((v) => v === ran[0]);
}

export async function buildComparison(
  runs: readonly PlanRun[],
  results: ReadonlyMap<string, readonly RunResult[]>,
  maxLines = 20,
): Promise<CompareReport> {
  const { compilePattern } = await import('../../exec/patterns.js');
  const { formatLogLine } = await import('../../model/api.js');
  const targets = [...results.keys()];
  const skipped: Record<string, string> = {};
  for (const t of targets) {
    const rs = results.get(t)!;
    if (rs.length && rs.every((r) => r.status === 'SKIP')) skipped[t] = rs[0]!.reason ?? 'skipped';
  }
  const rows: CompareRow[] = runs.map((run, i) => {
    const matchers = positivePatterns(run).map((p) => compilePattern(p));
    const verdicts: Record<string, RunStatus> = {};
    const lines: Record<string, string[]> = {};
    const failures: Record<string, string[]> = {};
    for (const t of targets) {
      const r = results.get(t)![i]!;
      verdicts[t] = r.status;
      const log: readonly LogLine[] = r.log ?? [];
      const seen: string[] = [];
      for (const l of log) {
        if (matchers.some((m) => m.test(l.text))) {
          seen.push(formatLogLine(l));
          if (seen.length >= maxLines) break;
        }
      }
      lines[t] = seen;
      failures[t] = r.assertions.filter((a) => !a.ok).map((a) => `${a.pos.file}:${a.pos.line}: ${a.message}`);
      if (r.status === 'ERROR' && r.reason) failures[t].push(`error: ${r.reason}`);
    }
    return { id: run.id, label: `${run.id} [${run.board.id} ${run.kernel.name}]`, verdicts, agree: agreement(verdicts), lines, failures };
  });
  return { targets, rows, skipped };
}

export function renderText(rep: CompareReport): string {
  const out: string[] = [];
  const idW = Math.max(8, ...rep.rows.map((r) => r.id.length));
  const colW = Math.max(7, ...rep.targets.map((t) => t.length + 1));
  out.push(['run'.padEnd(idW), ...rep.targets.map((t) => t.padEnd(colW)), 'agree'].join('  '));
  out.push(['-'.repeat(idW), ...rep.targets.map(() => '-'.repeat(colW)), '-----'].join('  '));
  for (const r of rep.rows) {
    out.push([r.id.padEnd(idW), ...rep.targets.map((t) => r.verdicts[t]!.padEnd(colW)), r.agree ? 'yes' : 'NO'].join('  '));
  }
  const agreeN = rep.rows.filter((r) => r.agree).length;
  out.push('');
  out.push(`${agreeN}/${rep.rows.length} runs agree across ${rep.targets.join(', ')}`);
  for (const [t, why] of Object.entries(rep.skipped)) out.push(`target ${t} did not run: ${why}`);
  for (const r of rep.rows) {
    out.push('');
    out.push(`== ${r.label}${r.agree ? '' : '   <-- targets disagree'}`);
    for (const t of rep.targets) {
      if (r.verdicts[t] === 'SKIP') {
        out.push(`  ${t}: SKIP`);
        continue;
      }
      out.push(`  ${t}: ${r.verdicts[t]}`);
      for (const l of r.lines[t]!) out.push(`    ${l}`);
      if (!r.lines[t]!.length) out.push('    (no asserted line printed)');
      for (const f of r.failures[t]!) out.push(`    ! ${f}`);
    }
  }
  return out.join('\n') + '\n';
}

export function exitCode(rep: CompareReport): number {
  const ran = rep.targets.filter((t) => !(t in rep.skipped));
  if (!ran.length) return 4;
  for (const r of rep.rows) {
    if (!r.agree) return 1;
    for (const t of ran) {
      const v = r.verdicts[t];
      if (v === 'FAIL' || v === 'ERROR' || v === 'XPASS') return 1;
    }
  }
  return 0;
}

class BadInput extends Error {}

interface CompareArgs {
  paths: string[];
  realKernels: string[];
  targets: TargetName[];
  boards: string[];
  kernels: string[];
  filters: string[];
  jobs: number;
  logDir?: string;
  json: boolean;
  lines: number;
  quiet: boolean;
}

async function parse(argv: string[]): Promise<CompareArgs> {
  const { isTargetName, TARGETS } = await import('../../exec/targets/index.js');
  // parseArgs's own errors go to main.ts, which answers them in bringup's words
  const parsed = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string' },
      'real-kernel': { type: 'string', multiple: true },
      board: { type: 'string', multiple: true },
      kernel: { type: 'string', multiple: true },
      filter: { type: 'string', multiple: true },
      jobs: { type: 'string', short: 'j' },
      'log-dir': { type: 'string' },
      format: { type: 'string' },
      lines: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    allowPositionals: true,
  });
  const v = parsed.values;
  const targets = (v.targets ?? 'model,qemu').split(',').map((s) => s.trim()).filter(Boolean);
  if (targets.length < 1) throw new BadInput('--targets wants at least one target');
  for (const t of targets) if (!isTargetName(t)) throw new BadInput(`unknown target "${t}" (known: ${TARGETS.join(', ')})`);
  const num = (name: string, s: string | undefined, dflt: number) => {
    if (s === undefined) return dflt;
    if (!/^\d+$/.test(s)) throw new BadInput(`--${name} wants a whole number, not "${s}"`);
    return Number(s);
  };
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new BadInput(`unknown --format "${format}" (known: text, json)`);
  const realKernels = (v['real-kernel'] ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
  for (const l of realKernels) if (!/^\d+\.\d+$/.test(l)) throw new BadInput(`--real-kernel wants Debian kernel lines such as 6.1 or 7.3, not "${l}"`);
  if (realKernels.length && v.targets !== undefined) throw new BadInput('--real-kernel compares the model with qemu; it takes no --targets');
  if (realKernels.length && v.kernel?.length) throw new BadInput('--real-kernel picks each line\'s own profile; it takes no --kernel');
  const args: CompareArgs = {
    paths: parsed.positionals.length ? parsed.positionals : ['suites/qemu-virt-conformance.yaml'],
    realKernels,
    targets: targets as TargetName[],
    boards: v.board ?? [],
    kernels: v.kernel ?? [],
    filters: v.filter ?? [],
    jobs: Math.max(1, num('jobs', v.jobs, 2)),
    json: format === 'json',
    lines: num('lines', v.lines, 20),
    quiet: v.quiet ?? false,
  };
  if (v['log-dir'] !== undefined) args.logDir = v['log-dir'];
  return args;
}

async function compareCommand(argv: string[]): Promise<number> {
  let args: CompareArgs;
  try {
    args = await parse(argv);
  } catch (e) {
    if (!(e instanceof BadInput)) throw e;
    process.stderr.write(`bringup compare: ${e.message}\n(see bringup compare --help)\n`);
    return 2;
  }
  const { loadRuns } = await import('./run.js');
  const files = await import('../result-files.js');
  // the log directories must work before any target runs
  for (const t of args.logDir ? args.targets : []) {
    const problem = files.prepareLogDir(path.join(args.logDir!, t));
    if (problem) {
      process.stderr.write(`bringup compare: cannot use --log-dir ${args.logDir}: ${problem}\n`);
      return 1;
    }
  }
  if (args.realKernels.length) return compareCellsCommand(args);
  const loaded = await loadRuns({ paths: args.paths, boards: args.boards, kernels: args.kernels, diagnosticsJson: false });
  if (typeof loaded === 'number') return loaded;
  const { selectRuns } = await import('../../exec/select.js');
  const runs = selectRuns(loaded, { filters: args.filters });
  const { executeAll } = await import('../../exec/run-all.js');
  const { formatLogLine } = await import('../../model/api.js');
  const results = new Map<string, RunResult[]>();
  let logsLost = false;
  for (const t of args.targets) {
    const t0 = Date.now();
    let n = 0;
    const rs = await executeAll(runs, {
      target: t,
      jobs: args.jobs,
      keepLog: true,
      onResult: (r) => {
        n++;
        if (!args.quiet) process.stderr.write(`[${t} ${n}/${runs.length}] ${r.status.padEnd(5)} ${r.label}\n`);
      },
    });
    if (!args.quiet) process.stderr.write(`${t}: ${runs.length} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    results.set(t, rs);
    if (args.logDir) {
      try {
        files.writeLogs(path.join(args.logDir, t), rs, formatLogLine);
      } catch (e) {
        process.stderr.write(`bringup compare: cannot write the logs: ${(e as Error).message}\n`);
        logsLost = true;
      }
    }
  }
  const rep = await buildComparison(runs, results, args.lines);
  process.stdout.write(args.json ? JSON.stringify(rep, null, 2) + '\n' : renderText(rep));
  const code = exitCode(rep);
  return logsLost && code === 0 ? 1 : code;
}

/** --real-kernel: board × line cells, the agreement table and the disagreements. */
async function compareCellsCommand(args: CompareArgs): Promise<number> {
  const { loadRuns, logFileName } = await import('./run.js');
  const { selectRuns } = await import('../../exec/select.js');
  const { PROFILES } = await import('../../model/profiles/profiles.js');
  const { profileForLine, renderAgreementTable, renderDisagreements } = await import('./agreement.js');
  const { runCells } = await import('./compare-cells.js');
  const { formatLogLine } = await import('../../model/api.js');
  const cells: import('./compare-cells.js').Cell[] = [];
  for (const line of args.realKernels) {
    const { profile } = profileForLine(line, PROFILES.map((p) => p.name));
    const loaded = await loadRuns({ paths: args.paths, boards: args.boards, kernels: [profile], diagnosticsJson: false });
    if (typeof loaded === 'number') return loaded;
    const runs = selectRuns(loaded, { filters: args.filters });
    for (const board of [...new Set(runs.map((r) => r.board.id))]) {
      cells.push({ board, line, kernel: line, profile, runs: runs.filter((r) => r.board.id === board) });
    }
  }
  const results = await runCells(cells, args.jobs, {
    onResult: (t, cell, r, n) => {
      if (!args.quiet) process.stderr.write(`[${cell.board} ${cell.kernel} ${t} ${n}/${cell.runs.length}] ${r.status.padEnd(5)} ${r.id}\n`);
    },
  });
  if (args.logDir) {
    for (const c of results) {
      for (const [t, rs] of [['model', c.model], ['qemu', c.real]] as const) {
        const dir = path.join(args.logDir, t, `${c.cell.board}-${c.cell.kernel}`);
        mkdirSync(dir, { recursive: true });
        for (const r of rs) if (r.status !== 'SKIP') writeFileSync(path.join(dir, logFileName(r)), (r.log ?? []).map(formatLogLine).join('\n') + '\n');
      }
    }
  }
  const rows = results.map((c) => c.row);
  const disagreements = results.flatMap((c) => c.disagreements);
  const skipped = results.filter((c) => c.skipped !== undefined).map((c) => ({ board: c.cell.board, kernel: c.cell.kernel, why: c.skipped! }));
  if (args.json) {
    process.stdout.write(JSON.stringify({ rows, disagreements, skipped }, null, 2) + '\n');
  } else {
    process.stdout.write(renderAgreementTable(rows.filter((r) => r.scenarios > 0)));
    for (const s of skipped) process.stdout.write(`skipped ${s.board} ${s.kernel}: ${s.why}\n`);
    process.stdout.write('\n' + renderDisagreements(disagreements));
  }
  if (results.every((c) => c.skipped !== undefined)) return 4;
  return disagreements.length ? 1 : 0;
}

export const command: Command = {
  help: HELP,
  run: compareCommand,
};
