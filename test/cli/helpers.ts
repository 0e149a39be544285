// Run the built CLI as a user would: `node dist/runner/cli/main.js ...` in the
// fixture tree (its own boards/ and suites/), with a clean kselftest environment.

import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN = path.join(ROOT, 'dist/runner/cli/main.js');
export const FIXTURES = path.join(ROOT, 'test/cli/fixtures');

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function bringup(args: string[], env: Record<string, string> = {}, cwd = FIXTURES): Promise<CliResult> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'KSFT_TAP_LEVEL') base[k] = v;
  const r = await execa('node', [MAIN, ...args], { cwd, env: { ...base, ...env }, extendEnv: false, reject: false, stripFinalNewline: false });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

/** The result lines of a TAP/KTAP document (any indentation). */
export function resultLines(tap: string): string[] {
  return tap.split('\n').filter((l) => /^\s*(not )?ok \d/.test(l));
}

export function lastLine(s: string): string {
  const lines = s.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.at(-1) ?? '';
}
