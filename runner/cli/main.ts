#!/usr/bin/env node
// bringup: the command-line entry. Each command lives in its own module, imported
// only when it runs, so `bringup --version` does not pay for the model or ajv.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Command } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run suites and report TAP/KTAP/TAP14/JUnit/JSON', load: async () => (await import('./commands/run.js')).command },
  validate: { summary: 'check boards and suites against the schemas', load: async () => (await import('./commands/validate.js')).command },
  plan: { summary: 'print the compiled run plan of a suite as JSON', load: async () => (await import('./commands/plan.js')).command },
  log: { summary: 'print the simulated dmesg of a scenario', load: async () => (await import('./commands/log.js')).command },
  kernels: { summary: 'list kernel profiles and behaviours', load: async () => (await import('./commands/kernels.js')).command },
  boards: { summary: 'list the boards and their devices', load: async () => (await import('./commands/boards.js')).command },
  compare: { summary: 'run suites on several targets (model, qemu) and compare verdicts', load: async () => (await import('./commands/compare.js')).command },
};

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
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) {
      const cmd = await COMMANDS[rest[0]]!.load();
      process.stdout.write(cmd.help);
      return 0;
    }
    (name === undefined ? process.stderr : process.stdout).write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '-V' || name === '--version') {
    process.stdout.write(`bringup ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`bringup: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const cmd = await entry.load();
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(cmd.help);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    // node:util parseArgs rejects an unknown or malformed option: that is bad usage, not a crash
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      process.stderr.write(`bringup ${name}: ${(e as Error).message}\n(see bringup ${name} --help)\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bringup: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
