// `bringup run`: load and compile suites, pick runs, execute them on a target, and
// print one report on stdout (progress and summaries on stderr). Exit codes follow
// kselftest: 0 all passed (XFAIL/SKIP count as passed), 1 any failure or invalid
// input, 4 nothing ran but skips.

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Timings } from '../timings.js';
import type { Command } from '../command.js';
import type { PlanRun } from '../../dsl/plan.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import type { RunResult } from '../../report/result.js';
import { FORMATS, isFormat, JUNIT_SCHEMAS } from '../../report/index.js';
import type { Format, JunitSchema } from '../../report/index.js';
import { isTargetName, TARGETS } from '../../exec/targets/index.js';
import type { TargetName } from '../../exec/targets/index.js';
import { parseShard } from '../../exec/select.js';
import type { Shard } from '../../exec/select.js';

const HELP = `usage: bringup run [options] [PATH...]

Run the scenarios of the suites in PATH (suite files, directories searched for
*.yaml, or suite ids for suites/<id>.yaml; default: suites/) against the kernel model, one run per scenario x board
x kernel (x for-each device), and print the report on stdout. Progress goes to
stderr, ending with the line "N passed, N failed, N skipped".

options:
  --board ID            only runs on this board (repeatable)
  --kernel K            run on these kernels instead of each suite's own
                        (repeatable); a profile name or e.g. v6.14+bcb81ac6ae3c
  --filter GLOB         only runs whose "<suite>.<scenario>" matches GLOB
                        (*, ?, [...]; repeatable, any match selects)
  --format FORMAT       tap (kselftest TAP 13, default), ktap (KTAP v1, runs
                        nested under suites), tap14 (TAP 14 subtests with YAML
                        diagnostics), junit (JUnit XML), json (kunit_tool-like,
                        dsl-schema/result.schema.json), kcidb (KernelCI KCIDB
                        v5.3), html (one self-contained page to look at)
  --output FILE         write the report to FILE instead of stdout
  --html FILE           also write the HTML report to FILE (beside any format)
  --junit-schema S      jenkins (junit-10.xsd, default) or ant (Ant's JUnit.xsd;
                        its timestamp is SOURCE_DATE_EPOCH when set, else now)
  --kcidb-origin NAME   the KCIDB origin of the ids (default bringup)
  --log-dir DIR         write each run's simulated dmesg to
                        DIR/<suite>.<scenario>.<board>.<kernel>.log
  -j, --jobs N          execute on N worker threads (0: one per CPU; default 1);
                        the report is byte-for-byte the same as with --jobs 1
  --shard K/N           run only shard K of N; a run's shard depends only on its
                        id, and the N shards together are the unsharded run
  --target TARGET       model (default) or qemu (a real kernel; runs are
                        reported as SKIP when it is not available)
  --seed N              seed for the values a kernel draws at random (oops ids)
  -f, --no-error-on-fail
                        exit 0 even when runs failed (report-only pipelines)
  --diagnostics FORMAT  text (default) or json, for errors in the input files
  -q, --quiet           no per-run progress lines on stderr (the summary stays)
  -h, --help            show this help

environment:
  KSFT_TAP_LEVEL        when set, tap/ktap/tap14 omit their version line, as
                        kselftest does for a nested producer

exit status:
  0  every run passed (XFAIL and SKIP count as passed)
  1  a run failed, passed although known-bad (XPASS) or errored, or the input
     is invalid ("Bail out! <reason>" on stdout, the errors on stderr)
  4  nothing ran: every run was skipped, or no run matched
`;

interface RunArgs {
  paths: string[];
  boards: string[];
  kernels: string[];
  filters: string[];
  format: Format;
  output?: string;
  html?: string;
  junitSchema: JunitSchema;
  kcidbOrigin?: string;
  logDir?: string;
  jobs: number;
  shard?: Shard;
  target: TargetName;
  seed?: number;
  errorOnFail: boolean;
  diagnosticsJson: boolean;
  quiet: boolean;
}

class BadInput extends Error {}

/** A path as given, or a bare suite id for suites/<id>.yaml. */
export function suitePath(arg: string): string {
  if (existsSync(arg)) return arg;
  const byId = path.join('suites', `${arg}.yaml`);
  return existsSync(byId) ? byId : arg;
}

function parse(argv: string[]): RunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        board: { type: 'string', multiple: true },
        kernel: { type: 'string', multiple: true },
        filter: { type: 'string', multiple: true },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        html: { type: 'string' },
        'junit-schema': { type: 'string' },
        'kcidb-origin': { type: 'string' },
        'log-dir': { type: 'string' },
        jobs: { type: 'string', short: 'j' },
        shard: { type: 'string' },
        target: { type: 'string' },
        seed: { type: 'string' },
        'no-error-on-fail': { type: 'boolean', short: 'f' },
        diagnostics: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    throw new BadInput((e as Error).message);
  }
  const v = parsed.values;
  const format = v.format ?? 'tap';
  if (!isFormat(format)) throw new BadInput(`unknown --format "${format}" (known: ${FORMATS.join(', ')})`);
  const junitSchema = v['junit-schema'] ?? 'jenkins';
  if (!(JUNIT_SCHEMAS as readonly string[]).includes(junitSchema)) throw new BadInput(`unknown --junit-schema "${junitSchema}" (known: ${JUNIT_SCHEMAS.join(', ')})`);
  const kcidbOrigin = v['kcidb-origin'];
  if (kcidbOrigin !== undefined && !/^[a-z0-9_]+$/.test(kcidbOrigin)) throw new BadInput(`--kcidb-origin wants [a-z0-9_]+ (KCIDB's origin rule), not "${kcidbOrigin}"`);
  const target = v.target ?? 'model';
  if (!isTargetName(target)) throw new BadInput(`unknown --target "${target}" (known: ${TARGETS.join(', ')})`);
  let jobs = 1;
  if (v.jobs !== undefined) {
    if (!/^\d+$/.test(v.jobs)) throw new BadInput(`--jobs wants a whole number, not "${v.jobs}"`);
    jobs = Number(v.jobs) === 0 ? availableParallelism() : Number(v.jobs);
  }
  let shard: Shard | undefined;
  if (v.shard !== undefined) {
    shard = parseShard(v.shard);
    if (!shard) throw new BadInput(`--shard wants K/N with 1 <= K <= N, not "${v.shard}"`);
  }
  let seed: number | undefined;
  if (v.seed !== undefined) {
    if (!/^\d+$/.test(v.seed)) throw new BadInput(`--seed wants a whole number, not "${v.seed}"`);
    seed = Number(v.seed);
  }
  const diagnostics = v.diagnostics ?? 'text';
  if (diagnostics !== 'text' && diagnostics !== 'json') throw new BadInput(`unknown --diagnostics "${diagnostics}" (known: text, json)`);
  const args: RunArgs = {
    paths: parsed.positionals.length ? parsed.positionals.map(suitePath) : ['suites'],
    boards: v.board ?? [],
    kernels: v.kernel ?? [],
    filters: v.filter ?? [],
    format,
    junitSchema: junitSchema as JunitSchema,
    jobs,
    target,
    errorOnFail: !v['no-error-on-fail'],
    diagnosticsJson: diagnostics === 'json',
    quiet: v.quiet ?? false,
  };
  if (v.output !== undefined) args.output = v.output;
  if (v.html !== undefined) args.html = v.html;
  if (kcidbOrigin !== undefined) args.kcidbOrigin = kcidbOrigin;
  if (v['log-dir'] !== undefined) args.logDir = v['log-dir'];
  if (shard) args.shard = shard;
  if (seed !== undefined) args.seed = seed;
  return args;
}

/**
 * A reader that stops early (`bringup run | head`) closes the pipe: that is not an
 * error of the run, so the rest of the report is dropped quietly.
 */
export function tolerateClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

/** kselftest's fatal-input form: the reason on stdout, where the TAP consumer reads. */
function bail(reason: string): number {
  process.stdout.write(`Bail out! ${reason}\n`);
  return 1;
}

function printDiagnostics(diags: Diagnostic[], json: boolean, fmt: (d: Diagnostic[], o: { json?: boolean }) => string): void {
  if (diags.length) process.stderr.write(fmt(diags, { json }));
}

export async function loadRuns(args: Pick<RunArgs, 'paths' | 'boards' | 'kernels' | 'diagnosticsJson'>): Promise<PlanRun[] | number> {
  const dsl = await import('../../dsl/index.js');
  let result;
  try {
    result = dsl.loadPlan(args.paths, {
      ...(args.boards.length ? { board: args.boards } : {}),
      ...(args.kernels.length ? { kernels: args.kernels } : {}),
    });
  } catch (e) {
    if (e instanceof dsl.PlanOptionError) {
      process.stderr.write(`bringup: ${e.message}\n`);
      return bail(e.message);
    }
    throw e;
  }
  printDiagnostics(result.diagnostics, args.diagnosticsJson, dsl.formatDiagnostics);
  if (dsl.hasErrors(result.diagnostics)) {
    const summary = dsl.summarizeDiagnostics(result.diagnostics);
    if (!args.diagnosticsJson) process.stderr.write(`${summary}\n`);
    return bail(`invalid input: ${summary}`);
  }
  return result.plan.runs;
}

/** One dmesg file per run, named by its id and matrix cell (no spaces, no '/'). */
export function logFileName(r: Pick<RunResult, 'id' | 'board' | 'kernel'>): string {
  return `${r.id}.${r.board}.${r.kernel}.log`.replace(/[/\\]/g, '_');
}

function existsDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function writeLogs(dir: string, results: readonly RunResult[]): Promise<void> {
  const { formatLogLine } = await import('../../model/api.js');
  for (const r of results) {
    if (r.status === 'SKIP') continue;
    const text = (r.log ?? []).map(formatLogLine).join('\n');
    writeFileSync(path.join(dir, logFileName(r)), text.length ? text + '\n' : '');
  }
}

export async function runCommand(argv: string[]): Promise<number> {
  const timings = new Timings();
  timings.mark('start-up');
  tolerateClosedStdout();
  let args: RunArgs;
  try {
    args = parse(argv);
  } catch (e) {
    if (!(e instanceof BadInput)) throw e;
    process.stderr.write(`bringup run: ${e.message}\n(see bringup run --help)\n`);
    return bail(e.message);
  }
  // where the results go must work before anything runs
  try {
    if (args.logDir) mkdirSync(args.logDir, { recursive: true });
    if (args.output) mkdirSync(path.dirname(path.resolve(args.output)), { recursive: true });
    if (args.html) mkdirSync(path.dirname(path.resolve(args.html)), { recursive: true });
  } catch (e) {
    const what = `cannot use ${args.logDir && !existsDir(args.logDir) ? `--log-dir ${args.logDir}` : args.output && !existsDir(path.dirname(path.resolve(args.output))) ? `--output ${args.output}` : `--html ${args.html}`}: ${(e as Error).message}`;
    process.stderr.write(`bringup run: ${what}\n`);
    return bail(what);
  }
  const loaded = await loadRuns(args);
  if (typeof loaded === 'number') return loaded;
  timings.mark('load');
  const { selectRuns, shardRuns } = await import('../../exec/select.js');
  let runs = selectRuns(loaded, { filters: args.filters });
  if (args.shard) runs = shardRuns(runs, args.shard);

  const { executeAll } = await import('../../exec/run-all.js');
  const { Progress } = await import('../../report/progress.js');
  const report = await import('../../report/index.js');
  const progress = new Progress(runs.length, process.stderr, args.quiet);
  const results = await executeAll(runs, {
    target: args.target,
    jobs: args.jobs,
    keepLog: args.logDir !== undefined || args.html !== undefined || report.formatWantsLog(args.format),
    trace: args.html !== undefined || report.formatWantsTrace(args.format),
    onResult: (r) => progress.onResult(r),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
  timings.mark('execution');
  const opts = { ...report.renderOptionsFromEnv(), junitSchema: args.junitSchema, context: report.contextOf(runs, args.target) };
  if (args.kcidbOrigin !== undefined) opts.kcidbOrigin = args.kcidbOrigin;
  const tree = report.buildTree(results);
  const text = await report.render(args.format, tree, opts);
  const html = args.html === undefined ? undefined : args.format === 'html' ? text : await report.render('html', tree, opts);
  try {
    if (args.logDir) await writeLogs(args.logDir, results);
    if (args.output) writeFileSync(args.output, text);
    if (args.html) writeFileSync(args.html, html!);
  } catch (e) {
    process.stderr.write(`bringup run: cannot write the results: ${(e as Error).message}\n`);
    progress.finish();
    return 1;
  }
  if (!args.output) process.stdout.write(text);
  const totals = progress.finish();
  timings.mark('reporting');
  timings.print();
  const code = report.exitCodeFor(totals);
  return code === 1 && !args.errorOnFail ? 0 : code;
}

export const command: Command = {
  help: HELP,
  run: runCommand,
};
