// `bringup run`: load and compile suites, pick runs, execute them on a target, and
// print one report on stdout (progress and summaries on stderr). Exit codes follow
// kselftest: 0 all passed (XFAIL/SKIP count as passed), 1 any failure or invalid
// input, 4 nothing ran but skips.

import { logFileName, prepareLogDir, prepareOutput, writeFileAtomic, writeLogs } from '../result-files.js';
import { MAX_GLOB_LENGTH } from '../../dsl/patterns.js';
import { availableParallelism } from 'node:os';
import { Timings } from '../timings.js';
import type { Command, CommandDoc } from '../command.js';
import { UsageError } from '../command.js';
import { renderUsage } from '../help.js';
import { bool, list, parseOptions, str, wholeNumber } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';
import { resolveShard } from '../shard.js';
import type { PlanRun } from '../../dsl/plan.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import type { DocCache } from '../../dsl/doc-cache.js';
import type { Cache } from '../../cache/store.js';
import { CACHE_ENVIRONMENT, commandCache, NO_CACHE_OPTION } from '../cache.js';
import type { RunResult } from '../../report/result.js';
import { FORMATS, JUNIT_SCHEMAS } from '../../report/index.js';
import type { Format, JunitSchema } from '../../report/index.js';
import { TARGETS } from '../../exec/targets/index.js';
import type { TargetName } from '../../exec/targets/index.js';
import type { Shard } from '../../exec/select.js';
import { BISECT_SKIP, bisectExitCode, bisectRequested, EXIT_CODE_MODES, type ExitCodeMode } from '../exit-bisect.js';
import { settleIfLongLived } from '../tier-up.js';

export { suitePath };

export const doc: CommandDoc = {
  name: 'run',
  summary: 'run suites and report TAP/KTAP/TAP14/JUnit/JSON',
  synopsis: ['run [options] [PATH...]', 'run --list [--format json] [options] [PATH...]'],
  description: `Run the scenarios of the suites in PATH against the kernel model (or a real
kernel in QEMU), one run per scenario x board x kernel (x for-each device), and
print the report on stdout. Progress goes to stderr, ending with the line
"N passed, N failed, N skipped".

A PATH is a suite file, a directory searched for *.yaml, or a suite id for
suites/<id>.yaml; default: suites/. A run's id is "<suite>.<scenario>"
("@<device>" under for-each) and TAP describes it as "<id> [<board> <kernel>]";
--list prints those descriptions, --filter, --shard and --rerun-failed select by
them.`,
  operands: 'suite',
  options: [
    { name: 'board', type: 'string', multiple: true, value: 'ID', complete: 'board', help: 'only runs on this board (repeatable)' },
    { name: 'kernel', type: 'string', multiple: true, value: 'K', complete: 'kernel', help: "run on these kernels instead of each suite's own\n(repeatable); a profile name or e.g. v6.14+bcb81ac6ae3c" },
    { name: 'filter', type: 'string', multiple: true, value: 'GLOB', complete: 'none', help: 'only runs whose "<suite>.<scenario>" matches GLOB\n(*, ?, [...]; repeatable, any match selects)' },
    {
      name: 'format',
      type: 'string',
      value: 'FORMAT',
      choices: FORMATS,
      help: 'tap (kselftest TAP 13, default), ktap (KTAP v1, runs\nnested under suites), tap14 (TAP 14 subtests with YAML\ndiagnostics), junit (JUnit XML), json (kunit_tool-like,\ndsl-schema/result.schema.json), kcidb (KernelCI KCIDB\nv5.3), html (one self-contained page to look at);\nwith --list: text (default) or json',
    },
    { name: 'junit-schema', type: 'string', value: 'S', choices: JUNIT_SCHEMAS, help: "jenkins (junit-10.xsd, default) or ant (Ant's JUnit.xsd;\nits timestamp is SOURCE_DATE_EPOCH when set, else now)" },
    { name: 'kcidb-origin', type: 'string', value: 'NAME', complete: 'none', help: 'the KCIDB origin of the ids (default bringup)' },
    { name: 'output', short: 'o', type: 'string', value: 'FILE', complete: 'file', help: 'write the report to FILE instead of stdout (whole or\nnot at all: a temporary file renamed over it)' },
    { name: 'html', type: 'string', value: 'FILE', complete: 'file', help: 'also write the HTML report to FILE (beside any format)' },
    { name: 'log-dir', type: 'string', value: 'DIR', complete: 'dir', help: "write each run's simulated dmesg to\nDIR/<suite>.<scenario>.<board>.<kernel>.log (%, /, \\, ~\nand control characters %XX-encoded; a name over 255\nbytes ends in ~<hash>.log)" },
    { name: 'boards-dir', type: 'string', multiple: true, value: 'DIR', complete: 'dir', help: "look for board ids in DIR first (repeatable); then\nboards/ beside the suite's directory, boards/ in it,\nand the suite's directory itself" },
    { name: 'jobs', short: 'j', type: 'string', value: 'N', complete: 'none', help: 'execute on N worker threads (0: one per CPU; default 1);\nthe report is byte-for-byte the same as with --jobs 1' },
    {
      name: 'shard',
      type: 'string',
      value: 'K/N',
      complete: 'none',
      help: 'run only shard K of N; a run\'s shard depends only on its\nid, and the N shards together are the unsharded run.\n"auto": K and N from the CI engine (GitLab parallel:\nCI_NODE_INDEX/CI_NODE_TOTAL, 1-based; Kubernetes Indexed\nJob: JOB_COMPLETION_INDEX, 0-based, with --shard-total)',
    },
    { name: 'shard-total', type: 'string', value: 'N', complete: 'none', help: 'the number of shards for --shard auto where the\nenvironment does not say it (Kubernetes: completions)' },
    { name: 'list', type: 'boolean', help: 'print the runs that would run, one description a line\n(--format json: a JSON array), and run nothing' },
    { name: 'rerun-failed', type: 'string', value: 'FILE', complete: 'file', help: 'only the runs that failed, passed although known-bad\n(XPASS) or errored in FILE, a --format json report\n(or a bringup merge of shards)' },
    { name: 'bail', type: 'boolean', help: 'stop after the first failed run; the report holds the\nruns up to it (the same for any --jobs)' },
    { name: 'target', type: 'string', value: 'TARGET', choices: TARGETS, help: 'model (default) or qemu (a real kernel; runs are\nreported as SKIP when it is not available)' },
    { name: 'seed', type: 'string', value: 'N', complete: 'none', help: 'seed for the values a kernel draws at random (oops ids)' },
    { name: 'no-error-on-fail', short: 'f', type: 'boolean', help: 'exit 0 even when runs failed (report-only pipelines)' },
    { name: 'exit-code', type: 'string', value: 'MODE', choices: EXIT_CODE_MODES, help: 'kselftest (default, see EXIT STATUS) or bisect, for git\nbisect run: 0 every run passed, 1 a run failed (XFAIL\ntoo), 125 an error, invalid input or nothing but skips' },
    { name: 'diagnostics', type: 'string', value: 'FORMAT', choices: ['text', 'json'], help: 'text (default) or json, for errors in the input files' },
    { name: 'quiet', short: 'q', type: 'boolean', help: 'no per-run progress lines on stderr (the summary stays)' },
    NO_CACHE_OPTION,
  ],
  examples: [
    { command: 'bringup run', says: 'every suite in suites/ on the model, TAP on stdout' },
    { command: 'bringup run hisi-sas-probe-failure --kernel v5.1', says: 'one suite by id, on one kernel profile' },
    { command: "bringup run --list --filter 'rcar-*'", says: 'the runs a filter selects, without running them' },
    { command: 'bringup run --format json --output result.json -f', says: 'a JSON report for later, exit 0 even if runs failed' },
    { command: 'bringup run --rerun-failed result.json', says: 'only what failed or errored in that report' },
    { command: 'bringup run --shard 2/4 --format json --output shard-2.json', says: 'the second of four shards (a GitHub matrix job); bringup merge joins them' },
    { command: 'bringup run --shard auto --format json --output shard.json', says: 'the shard a GitLab "parallel:" job or a Kubernetes Indexed Job is (see examples/ci/)' },
    { command: 'bringup run --bail -j 0', says: 'on every CPU, stop at the first failure' },
  ],
  exit: `0  every run passed (XFAIL and SKIP count as passed); --list printed
1  a run failed, passed although known-bad (XPASS) or errored, or the input
   or a option is invalid ("Bail out! <reason>" on stdout, the errors on stderr)
4  nothing ran: every run was skipped, or no run matched
With --exit-code bisect (git bisect run): 0 every run passed, 1 a run failed,
125 the commit could not be tested (an error, invalid input, only skips)`,
  environment: `KSFT_TAP_LEVEL        when set, tap/ktap/tap14 omit their version line, as
                      kselftest does for a nested producer
GITHUB_ACTIONS=true   invalid input and failed assertions are also printed as
                      ::error file=,line=,col=:: workflow commands (stderr)
GITHUB_STEP_SUMMARY   a file: a Markdown table of the totals and failed runs is
                      appended to it (GitHub Actions sets it)
CI_NODE_INDEX, CI_NODE_TOTAL, JOB_COMPLETION_INDEX
                      read by --shard auto
BRINGUP_TIMINGS=1     phase times (CPU and wall ms) as one JSON line on stderr
${CACHE_ENVIRONMENT}`,
  seeAlso: ['validate', 'log', 'plan', 'completion'],
};

const HELP = renderUsage(doc);

interface RunArgs {
  paths: string[];
  boards: string[];
  kernels: string[];
  filters: string[];
  boardsDirs: string[];
  format: Format;
  junitSchema: JunitSchema;
  kcidbOrigin?: string;
  list: boolean;
  listJson: boolean;
  output?: string;
  html?: string;
  logDir?: string;
  jobs: number;
  shard?: Shard;
  rerunFailed?: string;
  bail: boolean;
  target: TargetName;
  seed?: number;
  errorOnFail: boolean;
  exitCode: ExitCodeMode;
  diagnosticsJson: boolean;
  quiet: boolean;
  /** undefined under --no-cache */
  cache?: Cache;
}

function parse(argv: string[]): RunArgs {
  const { values: v, positionals } = parseOptions(argv, doc.options);
  const listing = bool(v, 'list');
  const format = str(v, 'format') ?? 'tap';
  if (listing && format !== 'tap' && format !== 'json') {
    throw new UsageError(`--list prints one run a line, or a JSON array with --format json; not --format ${format}`);
  }
  let jobs = wholeNumber(v, 'jobs') ?? 1;
  if (jobs === 0) jobs = availableParallelism();
  const seed = wholeNumber(v, 'seed');
  const shard = resolveShard(str(v, 'shard'), str(v, 'shard-total'));
  const kcidbOrigin = str(v, 'kcidb-origin');
  if (kcidbOrigin !== undefined && !/^[a-z0-9_]+$/.test(kcidbOrigin)) throw new UsageError(`--kcidb-origin wants [a-z0-9_]+ (KCIDB's origin rule), not "${kcidbOrigin}"`);
  for (const f of list(v, 'filter')) if (f.length > MAX_GLOB_LENGTH) throw new UsageError(`--filter is ${f.length} characters long (the limit is ${MAX_GLOB_LENGTH})`);
  const args: RunArgs = {
    paths: positionals.length ? positionals.map(suitePath) : ['suites'],
    boards: list(v, 'board'),
    kernels: list(v, 'kernel'),
    filters: list(v, 'filter'),
    boardsDirs: list(v, 'boards-dir'),
    format: (listing ? 'tap' : format) as Format,
    junitSchema: (str(v, 'junit-schema') ?? 'jenkins') as JunitSchema,
    list: listing,
    listJson: listing && format === 'json',
    jobs,
    bail: bool(v, 'bail'),
    target: (str(v, 'target') ?? 'model') as TargetName,
    errorOnFail: !bool(v, 'no-error-on-fail'),
    exitCode: (str(v, 'exit-code') ?? 'kselftest') as ExitCodeMode,
    diagnosticsJson: str(v, 'diagnostics') === 'json',
    quiet: bool(v, 'quiet'),
  };
  const output = str(v, 'output');
  if (output !== undefined) args.output = output;
  const html = str(v, 'html');
  if (html !== undefined) args.html = html;
  const logDir = str(v, 'log-dir');
  if (logDir !== undefined) args.logDir = logDir;
  if (shard) args.shard = shard;
  if (kcidbOrigin !== undefined) args.kcidbOrigin = kcidbOrigin;
  const rerun = str(v, 'rerun-failed');
  if (rerun !== undefined) args.rerunFailed = rerun;
  if (seed !== undefined) args.seed = seed;
  const cache = commandCache(v);
  if (cache) args.cache = cache;
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

async function printDiagnostics(diags: Diagnostic[], json: boolean, fmt: (d: Diagnostic[], o: { json?: boolean }) => string): Promise<void> {
  if (!diags.length) return;
  process.stderr.write(fmt(diags, { json }));
  const gh = await import('../github.js');
  if (gh.onGithubActions()) process.stderr.write(gh.diagnosticAnnotations(diags).join('\n') + '\n');
}

export async function loadRuns(args: Pick<RunArgs, 'paths' | 'boards' | 'kernels' | 'diagnosticsJson'> & { boardsDirs?: string[]; cache?: DocCache }): Promise<PlanRun[] | number> {
  const dsl = await import('../../dsl/index.js');
  let result;
  try {
    result = dsl.loadPlan(args.paths, {
      ...(args.boards.length ? { board: args.boards } : {}),
      ...(args.kernels.length ? { kernels: args.kernels } : {}),
      ...(args.boardsDirs?.length ? { boardsDirs: args.boardsDirs } : {}),
      ...(args.cache ? { cache: args.cache } : {}),
    });
  } catch (e) {
    if (e instanceof dsl.PlanOptionError) {
      process.stderr.write(`bringup: ${e.message}\n`);
      return bail(e.message);
    }
    throw e;
  }
  await printDiagnostics(result.diagnostics, args.diagnosticsJson, dsl.formatDiagnostics);
  if (dsl.hasErrors(result.diagnostics)) {
    const summary = dsl.summarizeDiagnostics(result.diagnostics);
    if (!args.diagnosticsJson) process.stderr.write(`${summary}\n`);
    return bail(`invalid input: ${summary}`);
  }
  return result.plan.runs;
}

export { logFileName };

/** --list: the runs' TAP descriptions, one a line, or a JSON array of what each is. */
function listing(runs: readonly PlanRun[], json: boolean, label: (r: PlanRun) => string): string {
  if (!json) return runs.map((r) => label(r) + '\n').join('');
  const rows = runs.map((r) => ({
    name: label(r),
    id: r.id,
    suite: r.suite,
    scenario: r.scenario,
    board: r.board.id,
    kernel: r.kernel.name,
    file: r.file,
    line: r.pos.line,
  }));
  return JSON.stringify(rows, null, 2) + '\n';
}

/** Write the report (or the listing) to --output or stdout; false when --output failed. */
function emit(text: string, output: string | undefined): boolean {
  if (output === undefined) {
    process.stdout.write(text);
    return true;
  }
  try {
    writeFileAtomic(output, text);
    return true;
  } catch (e) {
    process.stderr.write(`bringup run: cannot write the results: ${(e as Error).message}\n`);
    return false;
  }
}

export async function runCommand(argv: string[]): Promise<number> {
  const timings = new Timings();
  timings.mark('start-up');
  tolerateClosedStdout();
  // git bisect run reads any other early exit as "bad": an untested commit is 125
  const untested = (code: number): number => (bisectRequested(argv) ? BISECT_SKIP : code);
  let args: RunArgs;
  let rerun: string[] | undefined;
  try {
    args = parse(argv);
    if (args.rerunFailed !== undefined) rerun = (await import('../rerun.js')).failedRunLabels(args.rerunFailed);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bringup run: ${e.message}\n(see bringup help run)\n`);
    return untested(bail(e.message));
  }
  // a mistyped suite id is answered before anything loads (there is no file to point at)
  const missing = args.paths.map(missingSuite).filter((m) => m !== undefined);
  if (missing.length) {
    for (const m of missing) process.stderr.write(`bringup run: ${m}\n`);
    return untested(bail(missing[0]!));
  }
  // where the results go must work before anything runs
  const logDirProblem = args.logDir === undefined || args.list ? undefined : prepareLogDir(args.logDir);
  const outputProblem = args.output === undefined ? undefined : prepareOutput(args.output);
  const htmlProblem = args.html === undefined || args.list ? undefined : prepareOutput(args.html);
  const unusable = logDirProblem
    ? `--log-dir ${args.logDir}: ${logDirProblem}`
    : outputProblem
      ? `--output ${args.output}: ${outputProblem}`
      : htmlProblem
        ? `--html ${args.html}: ${htmlProblem}`
        : undefined;
  if (unusable) {
    process.stderr.write(`bringup run: cannot use ${unusable}\n`);
    return untested(bail(`cannot use ${unusable}`));
  }
  const docs = args.cache && new (await import('../../dsl/doc-cache.js')).DocCache(args.cache);
  const loaded = await loadRuns({ paths: args.paths, boards: args.boards, kernels: args.kernels, diagnosticsJson: args.diagnosticsJson, boardsDirs: args.boardsDirs, ...(docs ? { cache: docs } : {}) });
  if (typeof loaded === 'number') return untested(loaded);
  timings.mark('load');
  const { selectRuns, shardRuns } = await import('../../exec/select.js');
  const { runLabel } = await import('../../dsl/plan.js');
  let runs = selectRuns(loaded, { filters: args.filters });
  if (rerun !== undefined) runs = rerunSelection(runs, rerun, args.rerunFailed!, runLabel);
  // a shard's runs remember their place in the unsharded run: bringup merge restores it
  const order = new Map(runs.map((r, i) => [r, i]));
  if (args.shard) runs = shardRuns(runs, args.shard);
  if (args.list) return emit(listing(runs, args.listJson, runLabel), args.output) ? 0 : 1;

  const { executeAll } = await import('../../exec/run-all.js');
  const { Progress } = await import('../../report/progress.js');
  const report = await import('../../report/index.js');
  const progress = new Progress(runs.length, process.stderr, args.quiet);
  const keepLog = args.logDir !== undefined || args.html !== undefined || report.formatWantsLog(args.format);
  const trace = args.html !== undefined || report.formatWantsTrace(args.format);
  // the model is deterministic: a run executed before on this build is read back
  const resultCache = args.cache && args.target === 'model' ? new (await import('../../exec/result-cache.js')).ResultCache(args.cache, { ...(args.seed !== undefined ? { seed: args.seed } : {}), keepLog, trace }) : undefined;
  const results = await executeAll(runs, {
    target: args.target,
    jobs: args.jobs,
    keepLog,
    trace,
    ...(resultCache ? { results: resultCache } : {}),
    onResult: (r) => {
      progress.onResult(r);
      settleIfLongLived();
    },
    ...(args.bail ? { stopAfter: (r: RunResult) => report.isFailure(r.status) } : {}),
    ...(args.seed !== undefined ? { seed: args.seed } : {}),
  });
  timings.mark('execution');
  if (args.shard) results.forEach((r, i) => (r.order = order.get(runs[i]!)!));
  const opts = { ...report.renderOptionsFromEnv(), junitSchema: args.junitSchema, context: report.contextOf(runs, args.target) };
  if (args.kcidbOrigin !== undefined) opts.kcidbOrigin = args.kcidbOrigin;
  const tree = report.buildTree(results);
  const text = await report.render(args.format, tree, opts);
  const html = args.html === undefined ? undefined : args.format === 'html' ? text : await report.render('html', tree, opts);
  // the report first: a log or HTML file that cannot be written must not cost it
  let failed = !emit(text, args.output);
  try {
    if (args.html) writeFileAtomic(args.html, html!);
    if (args.logDir) writeLogs(args.logDir, results, (await import('../../model/api.js')).formatLogLine);
  } catch (e) {
    process.stderr.write(`bringup run: cannot write the results: ${(e as Error).message}\n`);
    failed = true;
  }
  if (failed) {
    progress.finish();
    return untested(1);
  }
  if (results.length < runs.length) {
    const last = results.at(-1)!;
    process.stderr.write(`bringup run: --bail: stopped after the first failure, ${last.label}; ${runs.length - results.length} of ${runs.length} runs not run\n`);
  }
  const gh = await import('../github.js');
  if (gh.onGithubActions()) {
    const notes = gh.resultAnnotations(results);
    if (notes.length) process.stderr.write(notes.join('\n') + '\n');
    gh.writeStepSummary(gh.stepSummary(results, report.totalsOf(results)));
  }
  const totals = progress.finish();
  timings.mark('reporting');
  timings.print();
  if (args.exitCode === 'bisect') return bisectExitCode(totals);
  const code = report.exitCodeFor(totals);
  // nothing failed last time: nothing to retry is a success, not "nothing ran"
  if (code === 4 && rerun !== undefined && rerun.length === 0) return 0;
  return code === 1 && !args.errorOnFail ? 0 : code;
}

/** Keep the runs FILE says failed; say which of its failures are no longer in the plan. */
function rerunSelection(runs: PlanRun[], failed: readonly string[], file: string, label: (r: PlanRun) => string): PlanRun[] {
  const wanted = new Set(failed);
  const kept = runs.filter((r) => wanted.has(label(r)));
  const found = new Set(kept.map(label));
  const gone = [...wanted].filter((l) => !found.has(l));
  let note = `bringup run: --rerun-failed ${file}: ${wanted.size} failed or errored run${wanted.size === 1 ? '' : 's'}, ${kept.length} selected`;
  if (gone.length) note += `; not in this plan (renamed, or left out by PATH/--board/--kernel/--filter): ${gone.slice(0, 5).join(', ')}${gone.length > 5 ? `, and ${gone.length - 5} more` : ''}`;
  process.stderr.write(note + '\n');
  return kept;
}

export const command: Command = {
  help: HELP,
  doc,
  run: runCommand,
};
