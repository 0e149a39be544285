import type { Command } from '../command.js';

export const command: Command = {
  help: 'usage: bringup log\n\n(not implemented yet)\n',
  async run() {
    process.stderr.write('bringup log: not implemented yet\n');
    return 1;
  },
};
