// `bringup shrink SUITE --scenario S`: reduce a failing run to a minimal board and suite
// with the same failure title (runner/explore/shrink.ts), write them, print the sizes.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command, CommandDoc } from '../command.js';
import { UsageError } from '../command.js';
import { renderUsage } from '../help.js';
import { parseOptions, str } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';
import type { ResolvedProfile } from '../../model/types.js';

export const doc: CommandDoc = {
  name: 'shrink',
  summary: 'reduce a failing scenario to a minimal board and suite with the same title',
  synopsis: ['shrink SUITE --scenario NAME [--board ID] [--kernel K] [--out DIR] [--format text|json]'],
  description: `Reduce a failing scenario to a minimal board and suite that fail with the same
title. DSL-aware passes drop devices, IOMMUs, drivers, steps, assertions, probe
actions, iommus entries and ids, and memory banks, lower fail-probe at:/times:
and drop optional values, big cuts first, until no single removal keeps the
title: the result is 1-minimal. A candidate that fails with another title is
never kept; each such title is listed as "slipped", a finding of its own. Names
(devices, drivers, the board's model) stay as the kernel prints them.

SUITE is a suite file or a suite id (suites/<id>.yaml). The board and suite are
written as <board>.min.yaml and <suite>.min.yaml, each beside its input or in
--out DIR; they validate, carry the yaml-language-server modeline, and run as
any suite: \`bringup run\` reports the failure with its title.`,
  operands: 'suite',
  options: [
    { name: 'scenario', type: 'string', value: 'NAME', complete: 'none', help: 'the scenario (NAME@DEVICE for one run of a for-each)' },
    { name: 'board', type: 'string', value: 'ID', complete: 'board', help: 'the board, when the scenario runs on several' },
    { name: 'kernel', type: 'string', value: 'K', complete: 'kernel', help: "the kernel it fails on (default: its known-bad kernel,\nelse its first); a profile or e.g. v6.14+bcb81ac6ae3c" },
    { name: 'out', type: 'string', value: 'DIR', complete: 'dir', help: 'write DIR/<suite>.min.yaml and DIR/<board>.min.yaml\n(default: each beside its input)' },
    { name: 'format', type: 'string', value: 'FORMAT', choices: ['text', 'json'], help: 'text (default) or json: { title, before, after, runs,\nboard, suite, slipped }' },
  ],
  examples: [
    { command: 'bringup shrink rcar-dma-teardown --scenario unbind-releases-managed-dma --out /tmp/min', says: 'the SATA controller, its IPMMU, one dmam-alloc, boot and unbind' },
    { command: 'bringup shrink of-iommu-probe-deferral --scenario disabled-ipmmu-means-no-iommu --format json', says: 'the sizes before and after, the runs and the files, as JSON' },
  ],
  exit: '0  shrunk and written\n1  the files could not be written\n2  bad usage or input: an unknown scenario, board or kernel, a run that\n   passes or fails without a title, invalid files',
  seeAlso: ['bisect', 'run', 'log'],
};

interface Args {
  suite: string;
  scenario: string;
  board?: string;
  kernel?: string;
  out?: string;
  json: boolean;
}

function parse(argv: string[]): Args {
  const { values: v, positionals } = parseOptions(argv, doc.options);
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one SUITE at a time' : 'missing SUITE (a suite file or id)');
  const scenario = str(v, 'scenario');
  if (scenario === undefined) throw new UsageError('missing --scenario NAME');
  const a: Args = { suite: positionals[0]!, scenario, json: str(v, 'format') === 'json' };
  for (const k of ['board', 'kernel', 'out'] as const) {
    const x = str(v, k);
    if (x !== undefined) a[k] = x;
  }
  return a;
}

const ROWS = [
  ['devices', 'devices'],
  ['iommus', 'IOMMUs'],
  ['drivers', 'drivers'],
  ['probeActions', 'probe actions'],
  ['steps', 'steps'],
  ['assertions', 'assertions'],
  ['lines', 'lines'],
] as const;

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const args = parse(argv);
    const { InputError, loadOneSuite, chooseScenario, compileFor, kernelDoc, resolveLabel } = await import('../../explore/scenario-run.js');
    const { deriveReproducer, outputFiles, setHeaders } = await import('../../explore/reproducer.js');
    const { shrink, NotFailing } = await import('../../explore/shrink.js');
    const { ModelRunner, describeOutcome } = await import('../../explore/outcome.js');
    const { formatDiagnostics } = await import('../../dsl/index.js');
    const file = suitePath(args.suite);
    try {
      const missing = missingSuite(args.suite);
      if (missing) throw new InputError(missing);
      const suite = loadOneSuite(file);
      const choice = chooseScenario(suite, args.scenario, args.board);
      // the kernel written out as { base, apply, revert } against a built-in profile: a
      // user profile file beside the input need not be beside the reproducer
      let kernel: ResolvedProfile;
      if (args.kernel !== undefined) kernel = resolveLabel('--kernel', args.kernel);
      else {
        const runs = compileFor(choice, undefined);
        kernel = (runs.find((r) => r.knownBad) ?? runs[0]!).kernel;
      }
      const kernelRef = kernelDoc(kernel);
      const files = outputFiles(file, choice.board.file, args.out);
      try {
        mkdirSync(path.dirname(files.suiteFile), { recursive: true });
        mkdirSync(path.dirname(files.boardFile), { recursive: true });
      } catch (e) {
        throw new InputError(`cannot use --out ${args.out}: ${(e as Error).message}`);
      }
      const scenario = args.scenario;
      const start = deriveReproducer(choice, kernelRef, files, []);
      const runner = await ModelRunner.create();
      let result;
      try {
        result = await shrink(start, { files, kernel, runner });
      } catch (e) {
        if (!(e instanceof NotFailing)) throw e;
        const o = e.outcome;
        throw new InputError(
          o.kind === 'pass'
            ? `scenario "${scenario}" passes on ${kernel.name}: nothing to shrink (name a kernel it fails on with --kernel)`
            : `scenario "${scenario}" on ${kernel.name} has no title to keep: ${describeOutcome(o)}`,
        );
      }
      setHeaders(result.reproducer, files, [
        `A minimal reproducer of "${result.title}" on ${kernel.name}:`,
        `bringup shrink ${file} --scenario ${scenario} (board ${choice.board.id}), ${result.runs} runs.`,
      ]);
      const text = result.reproducer.text();
      try {
        writeFileSync(files.boardFile, text.board);
        writeFileSync(files.suiteFile, text.suite);
      } catch (e) {
        process.stderr.write(`bringup shrink: cannot write the reproducer: ${(e as Error).message}\n`);
        return 1;
      }
      const after = result.reproducer.size();
      if (args.json) {
        const out = {
          title: result.title,
          before: result.before,
          after,
          runs: result.runs,
          board: files.boardFile,
          suite: files.suiteFile,
          slipped: result.slipped,
          kernel: kernel.name,
          scenario,
          candidates: result.candidates,
          complete: result.complete,
          passes: result.passes,
        };
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return 0;
      }
      const lines = [`title: ${result.title}`, `kernel: ${kernel.name}, board: ${choice.board.id}`, ''];
      const w = Math.max(...ROWS.map(([, l]) => l.length));
      lines.push(`${''.padEnd(w)}  before  after`);
      for (const [k, label] of ROWS) lines.push(`${label.padEnd(w)}  ${String(result.before[k]).padStart(6)}  ${String(after[k]).padStart(5)}`);
      lines.push('');
      lines.push(
        `runs: ${result.runs} (${result.candidates} candidates: ${result.invalid} refused by the loader, ${result.cached} answered from the cache; ${result.sweeps} sweeps${result.complete ? '' : '; stopped by the run budget before a fixpoint'})`,
      );
      lines.push(`passes: ${result.passes.filter((p) => p.tried).map((p) => `${p.name} ${p.accepted}/${p.tried}`).join(', ')}`);
      if (result.slipped.length) {
        lines.push('slipped (other failures met on the way, each its own finding):');
        for (const t of result.slipped) lines.push(`  ${t}`);
      }
      lines.push(`wrote ${files.boardFile}`, `wrote ${files.suiteFile}`);
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      if (e.diagnostics.length) process.stderr.write(formatDiagnostics(e.diagnostics, {}));
      process.stderr.write(`bringup shrink: ${e.message}\n`);
      return 2;
    }
  },
};
