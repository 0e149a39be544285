// --rerun-failed FILE: the runs that failed (FAIL, XPASS) or errored in a previous
// `--format json` result (or a `bringup merge` of shards), by their TAP description,
// so a CI job can retry just those.

import { readFileSync } from 'node:fs';
import { UsageError } from './command.js';

const FAILED = new Set(['FAIL', 'XPASS', 'ERROR']);

/**
 * Where JSON.parse stopped, as ":line:column", or ''. V8 says "at position N" for some
 * errors and, for others, quotes the text around the error ("...<10 chars before and
 * after>..." for a long input, the whole text for a short one).
 */
function jsonErrorAt(text: string, message: string): string {
  let at = -1;
  const pos = /at position (\d+)/.exec(message);
  const around = /\.\.\."([\s\S]*?)"\.\.\. is not valid JSON/.exec(message);
  const token = /^Unexpected token '(.)'/.exec(message);
  if (pos) at = Number(pos[1]);
  else if (around && text.indexOf(around[1]!) >= 0) at = text.indexOf(around[1]!) + Math.min(10, around[1]!.length);
  else if (token) at = text.indexOf(token[1]!);
  if (at < 0) return '';
  const upTo = text.slice(0, at);
  return `:${upTo.split('\n').length}:${at - upTo.lastIndexOf('\n')}`;
}

interface Group {
  test_cases?: unknown;
  sub_groups?: unknown;
}

/** The labels ("<id> [<board> <kernel>]") of the failed and errored runs in FILE. */
export function failedRunLabels(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--rerun-failed ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}${jsonErrorAt(text, (e as Error).message)}: error: not JSON (--rerun-failed wants the output of bringup run --format json): ${(e as Error).message.replace(/, (\.\.\.)?"[\s\S]*$/, '')}`);
  }
  const notResult = () => new UsageError(`${file}: error: not a bringup JSON result (--rerun-failed wants the output of bringup run --format json or bringup merge)`);
  if (typeof root !== 'object' || root === null || !Array.isArray((root as Group).sub_groups)) throw notResult();
  const labels: string[] = [];
  const walk = (g: Group) => {
    if (Array.isArray(g.test_cases)) {
      for (const c of g.test_cases as unknown[]) {
        const tc = c as { name?: unknown; status?: unknown };
        if (typeof tc?.name !== 'string' || typeof tc.status !== 'string') throw notResult();
        if (FAILED.has(tc.status)) labels.push(tc.name);
      }
    }
    if (Array.isArray(g.sub_groups)) for (const s of g.sub_groups as unknown[]) if (typeof s === 'object' && s !== null) walk(s as Group);
  };
  walk(root as Group);
  return labels;
}
