import type { Command } from '../command.js';

export const command: Command = {
  help: 'usage: bringup boards\n\n(not implemented yet)\n',
  async run() {
    process.stderr.write('bringup boards: not implemented yet\n');
    return 1;
  },
};
