// Operands that name suites: a file, a directory, or a bare suite id for
// suites/<id>.yaml. A name that is none of these is a typo more often than not, so it is
// answered before anything loads — without a made-up file:line:column (there is no file)
// and with the nearest suite it could have meant.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { closest } from '../dsl/suggest.js';

/** A path as given, or a bare suite id for suites/<id>.yaml. */
export function suitePath(arg: string): string {
  if (arg === '' || existsSync(arg)) return arg;
  const byId = path.join('suites', `${arg}.yaml`);
  return existsSync(byId) ? byId : arg;
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return [];
  }
}

/** `suites/<near>.yaml` (or a file next to a mistyped path), or undefined. */
export function nearestSuite(arg: string): string | undefined {
  const dir = path.dirname(arg);
  const base = path.basename(arg).replace(/\.ya?ml$/, '');
  const candidates = new Map<string, string>();
  // the directory the user named first, then suites/ for a bare id
  for (const d of dir === '.' && !arg.startsWith('./') ? ['suites'] : [dir, 'suites']) {
    for (const f of yamlFiles(d)) {
      const id = f.replace(/\.ya?ml$/, '');
      if (!candidates.has(id)) candidates.set(id, path.join(d, f));
    }
  }
  const near = closest(base, candidates.keys());
  return near === undefined ? undefined : candidates.get(near);
}

/** Why an operand names nothing, or undefined when it does. */
export function missingSuite(arg: string): string | undefined {
  if (arg === '' || existsSync(suitePath(arg))) return undefined;
  const near = nearestSuite(arg);
  const what = /[/\\]|\.ya?ml$/.test(arg) ? 'no such file or directory' : 'no such file, directory or suite id';
  return `${what} "${arg}"${near ? ` (did you mean ${near}?)` : ''}`;
}
