// `bringup log SUITE`: execute the matching run(s) and print the simulated dmesg,
// formatted as the kernel prints it, so a person can read what a scenario did.

import { cacheOption, NO_CACHE_OPTION } from '../cache.js';
import type { Command, CommandDoc } from '../command.js';
import { UsageError } from '../command.js';
import { renderUsage } from '../help.js';
import { list, parseOptions, str, wholeNumber } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';
import { TARGETS } from '../../exec/targets/index.js';
import type { TargetName } from '../../exec/targets/index.js';

export const doc: CommandDoc = {
  name: 'log',
  summary: 'print the simulated dmesg of a scenario',
  synopsis: ['log SUITE [--scenario NAME] [--kernel K]... [--board ID]...'],
  description: `Run the scenarios of SUITE against the kernel model and print each run's
simulated dmesg ("[%5lu.%06lu] message" lines). With several matching runs, each
log is preceded by a "==> <run id> [<board> <kernel>] <==" header line.

SUITE is a suite file, a directory of suites, or a suite id (suites/<id>.yaml).`,
  operands: 'suite',
  options: [
    { name: 'scenario', type: 'string', value: 'NAME', complete: 'none', help: 'only this scenario (for-each runs: every device; or one\nrun as NAME@DEVICE)' },
    { name: 'kernel', type: 'string', multiple: true, value: 'K', complete: 'kernel', help: "run on this kernel instead of the suite's (repeatable)" },
    { name: 'board', type: 'string', multiple: true, value: 'ID', complete: 'board', help: 'only runs on this board (repeatable)' },
    { name: 'seed', type: 'string', value: 'N', complete: 'none', help: 'seed for the values a kernel draws at random' },
    { name: 'target', type: 'string', value: 'TARGET', choices: TARGETS, help: 'model (default) or qemu' },
    { name: 'boards-dir', type: 'string', multiple: true, value: 'DIR', complete: 'dir', help: "look for board ids in DIR first (repeatable); then\nboards/ beside the suite's directory, boards/ in it,\nand the suite's directory itself" },
    NO_CACHE_OPTION,
    { name: 'why', type: 'boolean', help: 'after each log, why each device is not bound and why each\nfailure fired, root cause first (as bringup explain prints it)' },
  ],
  examples: [
    { command: 'bringup log hisi-sas-probe-failure --kernel v5.1', says: 'the Bad page state report of the buggy kernel, to compare with the thread' },
    { command: 'bringup log salvator-x-h3-bringup --scenario late-iommu-registration --kernel v6.14', says: 'one scenario on one kernel' },
    { command: 'bringup log rcar-dma-teardown --scenario unbind-releases-managed-dma --kernel v5.0 --why', says: 'the Bad page state, then its chain back to the unbind and the decisive fix' },
    { command: 'diff <(bringup log S --scenario X --kernel v6.14) <(bringup log S --scenario X --kernel v6.15)', says: 'what changed between two eras (prefixes such as "platform X:" vs "<driver> X:" included)' },
  ],
  exit: '0  logs printed\n1  invalid input, no matching run, or a run errored\n2  bad usage',
  seeAlso: ['run', 'plan', 'kernels', 'explain'],
};

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const { values: v, positionals } = parseOptions(argv, doc.options);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one SUITE at a time' : 'missing SUITE (a suite file, directory or id)');
    const missing = missingSuite(positionals[0]!);
    if (missing) {
      process.stderr.write(`bringup log: ${missing}\n`);
      return 1;
    }
    const target = (str(v, 'target') ?? 'model') as TargetName;
    const seed = wholeNumber(v, 'seed');
    const scenario = str(v, 'scenario');
    const { loadRuns, tolerateClosedStdout } = await import('./run.js');
    tolerateClosedStdout();
    const loaded = await loadRuns({ paths: [suitePath(positionals[0]!)], boards: list(v, 'board'), kernels: list(v, 'kernel'), boardsDirs: list(v, 'boards-dir'), diagnosticsJson: false, ...cacheOption(v) });
    if (typeof loaded === 'number') return loaded;
    const runs = scenario === undefined ? loaded : loaded.filter((r) => r.scenario === scenario || r.id === `${r.suite}.${scenario}`);
    if (!runs.length) {
      const names = [...new Set(loaded.map((r) => r.scenario))];
      const { closest } = await import('../../dsl/suggest.js');
      const near = scenario === undefined ? undefined : closest(scenario, names);
      process.stderr.write(
        `bringup log: no run matches${scenario ? ` scenario "${scenario}"` : ''}${near ? ` (did you mean "${near}"?)` : ''} (scenarios: ${names.join(', ') || 'none'})\n`,
      );
      return 1;
    }
    const { executeAll } = await import('../../exec/run-all.js');
    const { formatLogLine } = await import('../../model/api.js');
    const results = await executeAll(runs, { target, keepLog: true, ...(seed !== undefined ? { seed } : {}) });
    const why = v['why'] === true ? await import('../../explore/explain.js') : undefined;
    const whyText = why ? (await import('../../explore/explain-render.js')).renderText : undefined;
    const out: string[] = [];
    let code = 0;
    results.forEach((r, i) => {
      if (results.length > 1) {
        if (i > 0) out.push('');
        out.push(`==> ${r.label} <==`);
      }
      for (const l of r.log ?? []) out.push(formatLogLine(l));
      if (why && whyText) {
        // the explanation replays the run on the model with an event record
        out.push('', '--- why ---');
        if (target !== 'model') out.push(`(explained on the model: the ${target} target records no events)`);
        out.push(whyText([why.explainRun(runs[i]!)]).trimEnd());
      }
      if (r.status === 'SKIP') {
        process.stderr.write(`bringup log: ${r.label}: not run: ${r.reason}\n`);
        code = 1;
      } else if (r.status === 'ERROR') {
        process.stderr.write(`bringup log: ${r.label}: error: ${r.error?.message}\n`);
        code = 1;
      }
    });
    process.stdout.write(out.length ? out.join('\n') + '\n' : '');
    return code;
  },
};
