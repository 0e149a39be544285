// `bringup plan SUITE`: the compiled run plan as JSON, exactly what `bringup run` executes.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { formatDiagnostics, hasErrors, loadPlan, PlanOptionError, summarizeDiagnostics } from '../../dsl/index.js';
import { LIMITS_HELP } from '../../dsl/limits.js';

const HELP = `usage: bringup plan [--board ID] [--kernel K]... [--filter GLOB] SUITE...

Print the compiled run plan of the suites as JSON on stdout: one run per
scenario × board × kernel (× for-each device), each with its resolved board,
its kernel profile (the behaviour set), its steps (register-iommu-late turned
into a driver held at boot, faults armed) and its assertions with their YAML
positions. Compiling is deterministic: the same files give the same plan.

SUITE is a suite file, a directory of suites, or a suite id (suites/<id>.yaml).

options:
  --board ID            only runs on this board (repeatable)
  --kernel K            run on these kernels instead of the suite's (repeatable);
                        a profile name or a label such as v6.14+bcb81ac6ae3c
  --filter GLOB         only scenarios whose "<suite>.<scenario>" matches
  --diagnostics FORMAT  text (default) or json, for errors in the input
  -h, --help            show this help

exit status: 0 plan printed, 1 invalid input, 2 bad usage.

${LIMITS_HELP}`;

function suitePath(arg: string): string {
  if (existsSync(arg)) return arg;
  const byId = path.join('suites', `${arg}.yaml`);
  return existsSync(byId) ? byId : arg;
}

export const command: Command = {
  help: HELP,
  async run(argv) {
    // an unknown option throws: main.ts answers it as bad usage (exit 2)
    const parsed = parseArgs({
      args: argv,
      options: {
        board: { type: 'string', multiple: true },
        kernel: { type: 'string', multiple: true },
        filter: { type: 'string' },
        diagnostics: { type: 'string' },
      },
      allowPositionals: true,
    });
    const { values, positionals } = parsed;
    if (positionals.length === 0) {
      process.stderr.write(`bringup plan: missing SUITE\n\n${HELP}`);
      return 2;
    }
    let result;
    try {
      result = loadPlan(positionals.map(suitePath), {
        ...(values.board ? { board: values.board } : {}),
        ...(values.kernel ? { kernels: values.kernel } : {}),
        ...(values.filter !== undefined ? { filter: values.filter } : {}),
      });
    } catch (e) {
      if (e instanceof PlanOptionError) {
        process.stderr.write(`bringup plan: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    if (hasErrors(result.diagnostics)) {
      const json = values.diagnostics === 'json';
      process.stderr.write(formatDiagnostics(result.diagnostics, { json }));
      if (!json) process.stderr.write(`${summarizeDiagnostics(result.diagnostics)}\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify(result.plan, null, 2) + '\n');
    return 0;
  },
};
