import type { Command } from '../command.js';

export const command: Command = {
  help: 'usage: bringup run\n\n(not implemented yet)\n',
  async run() {
    process.stderr.write('bringup run: not implemented yet\n');
    return 1;
  },
};
