// `bringup kernels`: the profile table with each profile's full behaviour set, then
// the behaviour table (MODEL.md).

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { BEHAVIOURS } from '../../model/profiles/behaviours.js';
import { PROFILES } from '../../model/profiles/profiles.js';

const HELP = `usage: bringup kernels [--json]

Print the kernel profiles (each with its full behaviour set) and the behaviours
(id, release it landed in, subject). A suite names a profile in "kernels:", or
writes { base: PROFILE, apply: [ID...], revert: [ID...] }.

options:
  --json   print the same as JSON
`;

export const command: Command = {
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: false });
    if (values.json) {
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
