import type { Command } from '../command.js';

export const command: Command = {
  help: 'usage: bringup plan\n\n(not implemented yet)\n',
  async run() {
    process.stderr.write('bringup plan: not implemented yet\n');
    return 1;
  },
};
