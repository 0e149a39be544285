import type { Command } from '../command.js';

export const command: Command = {
  help: 'usage: bringup validate\n\n(not implemented yet)\n',
  async run() {
    process.stderr.write('bringup validate: not implemented yet\n');
    return 1;
  },
};
