// The two result sets every report format is checked on: the all-kinds fixture (pass,
// fail, xfail, xpass, skip, panic and error runs) and the default run (every shipped
// suite on the model), each with the context the CLI would give its renderers.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../../runner/dsl/index.js';
import { executeAll } from '../../runner/exec/run-all.js';
import { buildTree, contextOf } from '../../runner/report/index.js';
import type { RenderOptions, ResultTree } from '../../runner/report/index.js';
import { allKinds, allKindsContext, pinStacks } from './fixtures.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const REPORT_FIXTURES = path.join(ROOT, 'test/fixtures/report');

export interface Outputs {
  name: string;
  tree: ResultTree;
  opts: RenderOptions;
}

const BASE: RenderOptions = { versionLine: true, timestamp: '2025-03-12T10:20:30' };

export async function allKindsOutputs(): Promise<Outputs> {
  return { name: 'all-kinds fixture', tree: buildTree(pinStacks(await allKinds())), opts: { ...BASE, context: allKindsContext() } };
}

let shipped: Promise<Outputs> | undefined;

/** `bringup run` of suites/ with the log and trace kept (as --format html asks), computed once. */
export function shippedOutputs(): Promise<Outputs> {
  shipped ??= (async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const { plan, diagnostics } = loadPlan(['suites']);
      if (diagnostics.some((d) => d.severity === 'error')) throw new Error('shipped suites do not load');
      const results = await executeAll(plan.runs, { target: 'model', keepLog: true, trace: true });
      return { name: 'default run', tree: buildTree(results), opts: { ...BASE, context: contextOf(plan.runs, 'model') } };
    } finally {
      process.chdir(cwd);
    }
  })();
  return shipped;
}

/** Whether an outside tool is on PATH (tests that need it skip with a message when not). */
export function have(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Skip the current test, saying what is missing and how CI gets it. */
export function skipWithout(ctx: Mocha.Context, tool: string, install: string): void {
  process.stdout.write(`      (skipped: ${tool} is not installed; .ci/run installs it with ${install})\n`);
  ctx.skip();
}
