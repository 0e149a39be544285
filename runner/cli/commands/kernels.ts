// `bringup kernels`: the profile table with each profile's full behaviour set, then
// the behaviour table (MODEL.md).

import { existsSync } from 'node:fs';
import type { Command, CommandDoc } from '../command.js';
import { renderUsage } from '../help.js';
import { bool, parseOptions } from '../options.js';
import { BEHAVIOURS } from '../../model/profiles/behaviours.js';
import { PROFILES } from '../../model/profiles/profiles.js';
import { resolveKernel, userProfiles } from '../../model/profiles/resolve.js';
import { formatDiagnostics, hasErrors, validatePaths } from '../../dsl/index.js';

export const doc: CommandDoc = {
  name: 'kernels',
  summary: 'list kernel profiles and behaviours',
  synopsis: ['kernels [--json]'],
  description: `Print the kernel profiles (each with its full behaviour set) and the behaviours
(id, release it landed in, subject). A suite names a profile in "kernels:", or
writes { base: PROFILE, apply: [ID...], revert: [ID...] }; a known-bad entry's
"fixed-by:" is a behaviour id. Profiles defined in kernels/<name>.yaml
(dsl-schema/kernel.schema.json) are listed after the built-in ones; LTS lines
(v6.1.y) are their release plus this area's backports.`,
  options: [{ name: 'json', type: 'boolean', help: 'print the same as JSON' }],
  examples: [
    { command: 'bringup kernels', says: 'the profile table, then the behaviour table' },
    { command: "bringup kernels --json | jq -r '.profiles[].name'", says: 'the profile names, one a line' },
  ],
  exit: '0  listed\n1  a kernels/ profile file has errors\n2  bad usage',
  seeAlso: ['run', 'boards'],
};

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const { values } = parseOptions(argv, doc.options, { positionals: false });
    // the user profiles of the current project, checked as validate checks them
    if (existsSync('kernels')) {
      const loaded = validatePaths(['kernels']);
      process.stderr.write(formatDiagnostics(loaded.diagnostics));
      if (hasErrors(loaded.diagnostics)) return 1;
    }
    const user = userProfiles().map((u) => ({ name: u.name, note: u.note ?? `${u.base} + [${(u.apply ?? []).join(' ')}] - [${(u.revert ?? []).join(' ')}]`, behaviours: resolveKernel(u.name).behaviours, user: true }));
    const profiles = [...PROFILES, ...user];
    if (bool(values, 'json')) {
      process.stdout.write(JSON.stringify({ profiles, behaviours: BEHAVIOURS }, null, 2) + '\n');
      return 0;
    }
    const out: string[] = ['Profiles:'];
    const width = Math.max(...profiles.map((p) => p.name.length));
    for (const p of profiles) {
      out.push(`  ${p.name.padEnd(width)}  ${p.note}`);
      out.push(`  ${''.padEnd(width)}  behaviours: ${p.behaviours.length ? p.behaviours.join(' ') : '(none)'}`);
    }
    out.push('', `Behaviours (${BEHAVIOURS.length}):`);
    const idw = Math.max(...BEHAVIOURS.map((b) => b.id.length));
    const lw = Math.max(...BEHAVIOURS.map((b) => b.landed.length));
    for (const b of BEHAVIOURS) {
      out.push(`  ${b.id.padEnd(idw)}  ${b.landed.padEnd(lw)}  ${b.subject}${b.aliases ? ` (also: ${b.aliases.join(', ')})` : ''}`);
      if (b.backports?.length) out.push(`  ${''.padEnd(idw + lw + 2)}  backported: ${b.backports.map((p) => `${p.release} (${p.commit})`).join(', ')}`);
    }
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};
