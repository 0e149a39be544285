// `bringup kernels`: the profile table with each profile's full behaviour set, then
// the behaviour table (MODEL.md).

import type { Command, CommandDoc } from '../command.js';
import { renderUsage } from '../help.js';
import { bool, parseOptions } from '../options.js';
import { BEHAVIOURS } from '../../model/profiles/behaviours.js';
import { PROFILES } from '../../model/profiles/profiles.js';

export const doc: CommandDoc = {
  name: 'kernels',
  summary: 'list kernel profiles and behaviours',
  synopsis: ['kernels [--json]'],
  description: `Print the kernel profiles (each with its full behaviour set) and the behaviours
(id, release it landed in, subject). A suite names a profile in "kernels:", or
writes { base: PROFILE, apply: [ID...], revert: [ID...] }; a known-bad entry's
"fixed-by:" is a behaviour id.`,
  options: [{ name: 'json', type: 'boolean', help: 'print the same as JSON' }],
  examples: [
    { command: 'bringup kernels', says: 'the profile table, then the behaviour table' },
    { command: "bringup kernels --json | jq -r '.profiles[].name'", says: 'the profile names, one a line' },
  ],
  exit: '0  listed\n2  bad usage',
  seeAlso: ['run', 'boards'],
};

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const { values } = parseOptions(argv, doc.options, { positionals: false });
    if (bool(values, 'json')) {
      process.stdout.write(JSON.stringify({ profiles: PROFILES, behaviours: BEHAVIOURS }, null, 2) + '\n');
      return 0;
    }
    const out: string[] = ['Profiles:'];
    const width = Math.max(...PROFILES.map((p) => p.name.length));
    for (const p of PROFILES) {
      out.push(`  ${p.name.padEnd(width)}  ${p.note}`);
      out.push(`  ${''.padEnd(width)}  behaviours: ${p.behaviours.length ? p.behaviours.join(' ') : '(none)'}`);
    }
    out.push('', 'Behaviours:');
    const idw = Math.max(...BEHAVIOURS.map((b) => b.id.length));
    const lw = Math.max(...BEHAVIOURS.map((b) => b.landed.length));
    for (const b of BEHAVIOURS) out.push(`  ${b.id.padEnd(idw)}  ${b.landed.padEnd(lw)}  ${b.subject}`);
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};
