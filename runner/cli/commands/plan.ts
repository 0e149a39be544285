// `bringup plan SUITE`: the compiled run plan as JSON, exactly what `bringup run` executes.

import { cacheOption, NO_CACHE_OPTION } from '../cache.js';
import type { PlanRun } from '../../dsl/plan.js';
import type { Command, CommandDoc } from '../command.js';
import { UsageError } from '../command.js';
import { renderUsage } from '../help.js';
import { list, parseOptions, str } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';
import { formatDiagnostics, hasErrors, loadPlan, PlanOptionError, summarizeDiagnostics } from '../../dsl/index.js';
import { LIMITS_HELP } from '../../dsl/limits.js';
import { diagnosticAnnotations, onGithubActions } from '../github.js';

export const doc: CommandDoc = {
  name: 'plan',
  summary: 'print the compiled run plan of a suite as JSON',
  synopsis: ['plan [--board ID] [--kernel K]... [--filter GLOB] SUITE...'],
  description: `Print the compiled run plan of the suites as JSON on stdout: one run per
scenario x board x kernel (x for-each device), each with its resolved board,
its kernel profile (the behaviour set), its steps (register-iommu-late turned
into a driver held at boot, faults armed) and its assertions with their YAML
positions. Compiling is deterministic: the same files give the same plan.

SUITE is a suite file, a directory of suites, or a suite id (suites/<id>.yaml).`,
  operands: 'suite',
  options: [
    { name: 'board', type: 'string', multiple: true, value: 'ID', complete: 'board', help: 'only runs on this board (repeatable)' },
    { name: 'kernel', type: 'string', multiple: true, value: 'K', complete: 'kernel', help: "run on these kernels instead of the suite's (repeatable);\na profile name or a label such as v6.14+bcb81ac6ae3c" },
    { name: 'filter', type: 'string', value: 'GLOB', complete: 'none', help: 'only scenarios whose "<suite>.<scenario>" matches' },
    { name: 'diagnostics', type: 'string', value: 'FORMAT', choices: ['text', 'json'], help: 'text (default) or json, for errors in the input' },
    { name: 'boards-dir', type: 'string', multiple: true, value: 'DIR', complete: 'dir', help: "look for board ids in DIR first (repeatable); then\nboards/ beside the suite's directory, boards/ in it,\nand the suite's directory itself" },
    NO_CACHE_OPTION,
  ],
  examples: [
    { command: 'bringup plan rcar-dma-teardown', says: 'every run of a suite, with resolved boards and behaviour sets' },
    { command: "bringup plan rcar-dma-teardown --kernel v5.0 | jq '.runs[].id'", says: 'the run ids on one kernel' },
  ],
  exit: '0  plan printed\n1  invalid input\n2  bad usage',
  notes: LIMITS_HELP,
  seeAlso: ['run', 'log', 'validate'],
};

/** Past this many board devices printed in all (runs x devices), each board is printed once. */
export const PLAN_INLINE_DEVICES = 100_000;

/**
 * The plan as JSON. Each run embeds its board, unless that would print more than
 * PLAN_INLINE_DEVICES devices in all (a for-each over a 10,000-device board is 10,000
 * runs of it): then the boards come once, in "boards", and each run's "board" is
 * { "id", "$ref": "#/boards/<i>" }. Written run by run, so memory does not grow with
 * runs x devices either way.
 */
export function writePlan(runs: readonly PlanRun[], write: (text: string) => void): void {
  const devices = runs.reduce((n, r) => n + r.board.devices.length, 0);
  const indent = (json: string) => json.replace(/\n/g, '\n    ');
  const refs = new Map<object, number>();
  const boards: PlanRun['board'][] = [];
  if (devices > PLAN_INLINE_DEVICES) {
    for (const r of runs) if (!refs.has(r.board)) refs.set(r.board, boards.push(r.board) - 1);
    write('{\n  "boards": [');
    boards.forEach((b, i) => write(`${i ? ',' : ''}\n    ${indent(JSON.stringify(b, null, 2))}`));
    write(boards.length ? '\n  ],\n  "runs": [' : '],\n  "runs": [');
  } else write('{\n  "runs": [');
  runs.forEach((r, i) => {
    const at = refs.get(r.board);
    const run = at === undefined ? r : { ...r, board: { id: r.board.id, $ref: `#/boards/${at}` } };
    write(`${i ? ',' : ''}\n    ${indent(JSON.stringify(run, null, 2))}`);
  });
  write(runs.length ? '\n  ]\n}\n' : ']\n}\n');
}

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, doc.options);
    if (positionals.length === 0) throw new UsageError('missing SUITE (a suite file, directory or id)');
    const missing = positionals.map(missingSuite).filter((m) => m !== undefined);
    if (missing.length) {
      for (const m of missing) process.stderr.write(`bringup plan: ${m}\n`);
      return 1;
    }
    const board = list(values, 'board');
    const kernels = list(values, 'kernel');
    const filter = str(values, 'filter');
    let result;
    try {
      result = loadPlan(positionals.map(suitePath), {
        ...(board.length ? { board } : {}),
        ...(kernels.length ? { kernels } : {}),
        ...(filter !== undefined ? { filter } : {}),
        boardsDirs: list(values, 'boards-dir'),
        ...cacheOption(values),
      });
    } catch (e) {
      if (e instanceof PlanOptionError) {
        process.stderr.write(`bringup plan: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    if (hasErrors(result.diagnostics)) {
      const json = str(values, 'diagnostics') === 'json';
      process.stderr.write(formatDiagnostics(result.diagnostics, { json }));
      if (onGithubActions()) process.stderr.write(diagnosticAnnotations(result.diagnostics).join('\n') + '\n');
      if (!json) process.stderr.write(`${summarizeDiagnostics(result.diagnostics)}\n`);
      return 1;
    }
    writePlan(result.plan.runs, (t) => process.stdout.write(t));
    return 0;
  },
};
