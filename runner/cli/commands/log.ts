// `bringup log SUITE`: execute the matching run(s) and print the simulated dmesg,
// formatted as the kernel prints it, so a person can read what a scenario did.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';

const HELP = `usage: bringup log SUITE [--scenario NAME] [--kernel K]... [--board ID]...

Run the scenarios of SUITE against the kernel model and print each run's
simulated dmesg ("[%5lu.%06lu] message" lines). With several matching runs, each
log is preceded by a "==> <run id> [<board> <kernel>] <==" header line.

SUITE is a suite file, a directory of suites, or a suite id (suites/<id>.yaml).

options:
  --scenario NAME   only this scenario (for-each runs: every device; or one
                    run as NAME@DEVICE)
  --kernel K        run on this kernel instead of the suite's (repeatable)
  --board ID        only runs on this board (repeatable)
  --seed N          seed for the values a kernel draws at random
  --target TARGET   model (default) or qemu
  -h, --help        show this help

exit status: 0 logs printed, 1 invalid input, no matching run, or a run errored,
2 bad usage.
`;


export const command: Command = {
  help: HELP,
  async run(argv) {
    // an unknown option throws: main.ts answers it as bad usage (exit 2)
    const parsed = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        kernel: { type: 'string', multiple: true },
        board: { type: 'string', multiple: true },
        seed: { type: 'string' },
        target: { type: 'string' },
      },
      allowPositionals: true,
    });
    const { values: v, positionals } = parsed;
    if (positionals.length !== 1) {
      process.stderr.write(`bringup log: ${positionals.length ? 'one SUITE at a time' : 'missing SUITE'}\n(see bringup log --help)\n`);
      return 2;
    }
    const { isTargetName } = await import('../../exec/targets/index.js');
    const target = v.target ?? 'model';
    if (!isTargetName(target)) {
      process.stderr.write(`bringup log: unknown --target "${target}"\n`);
      return 1;
    }
    if (v.seed !== undefined && !/^\d+$/.test(v.seed)) {
      process.stderr.write(`bringup log: --seed wants a whole number, not "${v.seed}"\n`);
      return 1;
    }
    const { loadRuns, suitePath, tolerateClosedStdout } = await import('./run.js');
    tolerateClosedStdout();
    const loaded = await loadRuns({ paths: [suitePath(positionals[0]!)], boards: v.board ?? [], kernels: v.kernel ?? [], diagnosticsJson: false });
    if (typeof loaded === 'number') return loaded;
    const runs = v.scenario === undefined ? loaded : loaded.filter((r) => r.scenario === v.scenario || r.id === `${r.suite}.${v.scenario}`);
    if (!runs.length) {
      const names = [...new Set(loaded.map((r) => r.scenario))].join(', ');
      process.stderr.write(`bringup log: no run matches${v.scenario ? ` scenario "${v.scenario}"` : ''} (scenarios: ${names || 'none'})\n`);
      return 1;
    }
    const { executeAll } = await import('../../exec/run-all.js');
    const { formatLogLine } = await import('../../model/api.js');
    const results = await executeAll(runs, { target, keepLog: true, ...(v.seed !== undefined ? { seed: Number(v.seed) } : {}) });
    const out: string[] = [];
    let code = 0;
    results.forEach((r, i) => {
      if (results.length > 1) {
        if (i > 0) out.push('');
        out.push(`==> ${r.label} <==`);
      }
      for (const l of r.log ?? []) out.push(formatLogLine(l));
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
