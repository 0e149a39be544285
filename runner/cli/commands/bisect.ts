// `bringup bisect SUITE --scenario S --good K1 --bad K2`: the behaviours (commits) that
// flip a scenario between two kernels (runner/explore/bisect.ts), printed with subjects.

import type { Command, CommandDoc } from '../command.js';
import { UsageError } from '../command.js';
import { renderUsage } from '../help.js';
import { bool, parseOptions, str } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';

export const doc: CommandDoc = {
  name: 'bisect',
  summary: 'find the behaviours (commits) that flip a scenario between two kernels',
  synopsis: ['bisect SUITE --scenario NAME --good K1 --bad K2 [--board ID] [--all] [--format text|json]'],
  description: `Find the behaviours (commits) whose presence or absence flips the scenario from
its outcome on the good kernel (a pass) to the bad kernel's failure title.
Either kernel may be the newer one: a fix is named by the commit to apply, a
regression by the commit to revert. Between two mainline releases bisect first
binary-searches the releases in between, then runs delta debugging over the
behaviours the two neighbours differ in, each combination a { base, apply,
revert } kernel. Outcomes compare titles: a combination that fails with another
title, or that the model cannot build, is unresolved (neither good nor bad).
Every set printed was run and gave the good kernel's outcome.

SUITE is a suite file or a suite id (suites/<id>.yaml). To bisect a real kernel
tree instead, let git drive \`bringup run --target qemu --exit-code bisect\`.`,
  operands: 'suite',
  options: [
    { name: 'scenario', type: 'string', value: 'NAME', complete: 'none', help: 'the scenario (NAME@DEVICE for one run of a for-each)' },
    { name: 'good', type: 'string', value: 'K1', complete: 'kernel', help: 'a kernel the scenario passes on' },
    { name: 'bad', type: 'string', value: 'K2', complete: 'kernel', help: 'a kernel it fails on; profiles or e.g. v6.14+bcb81ac6ae3c' },
    { name: 'board', type: 'string', value: 'ID', complete: 'board', help: 'the board, when the scenario runs on several' },
    { name: 'all', type: 'boolean', help: 'every minimal flipping set of the whole difference\nbetween K1 and K2 (exhaustive up to 12 behaviours)' },
    { name: 'format', type: 'string', value: 'FORMAT', choices: ['text', 'json'], help: 'text (default) or json: { good, bad, title,\nminimal: [[ids]], runs }' },
  ],
  examples: [
    { command: 'bringup bisect rcar-dma-teardown --scenario unbind-releases-managed-dma --good v5.1 --bad v5.0', says: 'the fix: 376991db4b64, in 3 runs' },
    { command: 'bringup bisect rcar-dma-teardown --scenario unbind-releases-managed-dma --good v6.15 --bad v5.0 --all', says: 'both fixes of that unbind: 376991db4b64, and the arm64 tear-down removal 8b80549f1bc6' },
    { command: 'bringup bisect rockchip-of-xlate --scenario boot-groups-every-master --good v6.14 --bad next-20250312', says: 'the regression: bcb81ac6ae3c, to revert' },
  ],
  exit: '0  a flipping set found\n1  none: every combination was unresolved\n2  bad usage or input: an unknown scenario, board or kernel, a bad kernel\n   the scenario passes on, two kernels with the same verdict, invalid files',
  seeAlso: ['shrink', 'run', 'kernels'],
};

interface Args {
  suite: string;
  scenario: string;
  good: string;
  bad: string;
  board?: string;
  all: boolean;
  json: boolean;
}

function parse(argv: string[]): Args {
  const { values: v, positionals } = parseOptions(argv, doc.options);
  if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one SUITE at a time' : 'missing SUITE (a suite file or id)');
  const need = (k: string): string => {
    const x = str(v, k);
    if (x === undefined) throw new UsageError(`missing --${k}`);
    return x;
  };
  const a: Args = { suite: positionals[0]!, scenario: need('scenario'), good: need('good'), bad: need('bad'), all: bool(v, 'all'), json: str(v, 'format') === 'json' };
  const board = str(v, 'board');
  if (board !== undefined) a.board = board;
  return a;
}

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const args = parse(argv);
    const { InputError, loadOneSuite, chooseScenario, resolveLabel, runOn } = await import('../../explore/scenario-run.js');
    const { bisect, CannotBisect } = await import('../../explore/bisect.js');
    const { ModelRunner, describeOutcome } = await import('../../explore/outcome.js');
    const { formatDiagnostics } = await import('../../dsl/index.js');
    const file = suitePath(args.suite);
    let result;
    let label: string;
    try {
      const missing = missingSuite(args.suite);
      if (missing) throw new InputError(missing);
      const suite = loadOneSuite(file);
      const choice = chooseScenario(suite, args.scenario, args.board);
      const good = resolveLabel('--good', args.good);
      const bad = resolveLabel('--bad', args.bad);
      label = `${suite.id}.${args.scenario} on ${choice.board.id}`;
      const runner = await ModelRunner.create();
      result = await bisect(good, bad, { runner, runOn: (k) => runOn(choice, k), all: args.all });
    } catch (e) {
      if (!(e instanceof InputError) && !(e instanceof CannotBisect)) throw e;
      if (e instanceof InputError && e.diagnostics.length) process.stderr.write(formatDiagnostics(e.diagnostics, {}));
      process.stderr.write(`bringup bisect: ${e.message}\n`);
      return 2;
    }
    const code = result.sets.length ? 0 : 1;
    if (args.json) {
      const out = {
        good: result.good,
        bad: result.bad,
        title: result.title,
        minimal: result.sets.map((s) => s.changes.map((c) => c.id)),
        runs: result.runs,
        sets: result.sets.map((s) => ({ kernel: s.kernel, outcome: describeOutcome(s.outcome), changes: s.changes })),
        between: [result.from, result.to],
        difference: result.difference,
        chain: result.chain.map((t) => ({ kernel: t.kernel, outcome: describeOutcome(t.outcome) })),
        exhaustive: result.exhaustive,
        unresolved: result.unresolved.map((t) => ({ kernel: t.kernel, outcome: describeOutcome(t.outcome) })),
      };
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return code;
    }
    const lines = [`bisect ${label}`, `  bad  ${result.bad}: ${result.title}`, `  good ${result.good}: ${describeOutcome(result.goodOutcome)}`];
    if (result.chain.length) {
      lines.push(`  releases: ${result.chain.map((t) => `${t.kernel} ${t.outcome.kind === 'fail' && t.outcome.title === result.title ? 'bad' : describeOutcome(t.outcome) === describeOutcome(result.goodOutcome) ? 'good' : 'skip'}`).join(', ')}`);
    }
    lines.push(`  between ${result.from} and ${result.to}: ${result.difference} behaviour${result.difference === 1 ? '' : 's'} apart`);
    lines.push('');
    if (!result.sets.length) lines.push('no flipping set: every combination was unresolved');
    else if (args.all) lines.push(`${result.sets.length} minimal flipping set${result.sets.length === 1 ? '' : 's'}${result.exhaustive ? ' (every combination tried)' : ''}:`);
    result.sets.forEach((s, i) => {
      const kinds = new Set(s.changes.map((c) => c.change));
      const what = kinds.size > 1 ? 'together' : kinds.has('apply') ? `a fix: in ${result.to}, not in ${result.from}` : `a regression: in ${result.from}, not in ${result.to}`;
      lines.push(`${args.all ? `${i + 1}. ` : ''}flips with ${s.changes.length === 1 ? 'one behaviour' : `${s.changes.length} behaviours, all needed`} (${what}):`);
      for (const c of s.changes) lines.push(`  ${c.change === 'apply' ? '+' : '-'}${c.id}  ${c.subject}${c.landed ? ` (${c.landed})` : ''}`);
      lines.push(`  verified: ${s.kernel}: ${describeOutcome(s.outcome)}`);
    });
    if (result.unresolved.length) lines.push(`unresolved combinations: ${result.unresolved.length} (${result.unresolved.slice(0, 3).map((u) => `${u.kernel}: ${describeOutcome(u.outcome)}`).join('; ')}${result.unresolved.length > 3 ? '; ...' : ''})`);
    lines.push(`runs: ${result.runs}`);
    process.stdout.write(lines.join('\n') + '\n');
    return code;
  },
};
