// bringup's command line (main.ts starts it). Bad usage of any command is answered here
// in one voice: `bringup <command>: <what is wrong> (did you mean ...?)`, exit 2.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { UsageError } from './command.js';
import { COMMANDS, optionNames } from './registry.js';
import { renderManPage } from './help.js';
import { translateParseArgsError } from './options.js';
import { closest } from '../dsl/suggest.js';
import { tierUpLate } from './tier-up.js';

export function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: bringup <command> [options]',
    '',
    'Declarative Linux board bring-up scenarios, run against a model of the driver core',
    'and IOMMU subsystem (or a real kernel in QEMU).',
    '',
    'commands:',
    ...lines,
    '',
    'options:',
    '  -h, --help     show help (`bringup <command> --help` for a command)',
    '  -V, --version  print the version',
    '',
    '`bringup help <command>` prints a command\'s manual page, with examples.',
    '',
  ].join('\n');
}

function unknownCommand(name: string): string {
  const near = closest(name, Object.keys(COMMANDS));
  return `bringup: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ''}\n\n${usage()}`;
}

async function help(topic: string | undefined): Promise<number> {
  if (topic === undefined) {
    process.stdout.write(usage());
    return 0;
  }
  const entry = COMMANDS[topic];
  if (!entry) {
    process.stderr.write(unknownCommand(topic));
    return 2;
  }
  const cmd = await entry.load();
  process.stdout.write(cmd.doc ? renderManPage(cmd.doc) : cmd.help);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(usage());
    return 2;
  }
  if (name === '-h' || name === '--help') return help(undefined);
  if (name === 'help') return help(rest[0]);
  if (name === '-V' || name === '--version') {
    process.stdout.write(`bringup ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(unknownCommand(name));
    return 2;
  }
  tierUpLate();
  const cmd = await entry.load();
  const end = rest.indexOf('--');
  const opts = end < 0 ? rest : rest.slice(0, end);
  if (opts.includes('-h') || opts.includes('--help')) {
    process.stdout.write(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    // bad usage, whether a command threw its own UsageError or let parseArgs throw
    const message = e instanceof UsageError ? e.message : translateParseArgsError(e, optionNames(cmd));
    if (message === undefined) throw e;
    process.stderr.write(`bringup ${name}: ${message}\n(see bringup help ${name})\n`);
    return 2;
  }
}
