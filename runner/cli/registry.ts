// The commands, by name. Each module is imported only when its command runs, so
// `bringup --version` does not pay for the model or ajv.

import type { Command } from './command.js';

export interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  run: { summary: 'run suites and report TAP/KTAP/TAP14/JUnit/JSON', load: async () => (await import('./commands/run.js')).command },
  validate: { summary: 'check boards and suites against the schemas', load: async () => (await import('./commands/validate.js')).command },
  plan: { summary: 'print the compiled run plan of a suite as JSON', load: async () => (await import('./commands/plan.js')).command },
  log: { summary: 'print the simulated dmesg of a scenario', load: async () => (await import('./commands/log.js')).command },
  explain: { summary: 'why a device is not bound and why a failure fired, root cause first', load: async () => (await import('./commands/explain.js')).command },
  kernels: { summary: 'list kernel profiles and behaviours', load: async () => (await import('./commands/kernels.js')).command },
  boards: { summary: 'list the boards and their devices', load: async () => (await import('./commands/boards.js')).command },
  shrink: { summary: 'reduce a failing scenario to a minimal board and suite with the same title', load: async () => (await import('./commands/shrink.js')).command },
  bisect: { summary: 'find the behaviours (commits) that flip a scenario between two kernels', load: async () => (await import('./commands/bisect.js')).command },
  compare: { summary: 'run suites on several targets (model, qemu) and compare verdicts', load: async () => (await import('./commands/compare.js')).command },
  completion: { summary: 'print a bash or zsh completion script', load: async () => (await import('./commands/completion.js')).command },
  explore: { summary: 'search a board\'s orders and faults for failures, from the board file alone', load: async () => (await import('./commands/explore.js')).command },
  merge: { summary: 'merge the JSON of explore or run shards into the unsharded result', load: async () => (await import('./commands/merge.js')).command },
};

/** Long option names a command accepts: from its table, else read off its help text. */
export function optionNames(cmd: Command): string[] {
  if (cmd.doc) return [...cmd.doc.options.map((o) => o.name), 'help'];
  return [...new Set([...cmd.help.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!))];
}
