// `bringup boards`: the boards a suite can name, one line each.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';

const HELP = `usage: bringup boards [--json] [PATH...]

List the boards in PATH (board files or directories; default: boards/): id,
model ("Hardware name:"), arch, firmware, number of devices, and the IOMMUs
with their drivers. Invalid board files are reported on stderr.

options:
  --json       print the same as a JSON array
  -h, --help   show this help

exit status: 0 listed, 1 invalid input, 2 bad usage.
`;

export const command: Command = {
  help: HELP,
  async run(argv) {
    // an unknown option throws: main.ts answers it as bad usage (exit 2)
    const parsed = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
    const dsl = await import('../../dsl/index.js');
    const loaded = dsl.loadBoards(parsed.positionals.length ? parsed.positionals : ['boards']);
    if (loaded.diagnostics.length) process.stderr.write(dsl.formatDiagnostics(loaded.diagnostics));
    const rows = loaded.boards.map(({ board, file }) => ({
      id: board.id,
      model: board.model,
      arch: board.arch,
      firmware: board.firmware,
      devices: board.devices.length,
      iommus: board.iommus.map((i) => ({ name: i.name, driver: i.driver, status: i.status })),
      file,
    }));
    if (parsed.values.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else {
      const table = [
        ['ID', 'MODEL', 'ARCH', 'FIRMWARE', 'DEVICES', 'IOMMUS'],
        ...rows.map((r) => [
          r.id,
          r.model,
          r.arch,
          r.firmware,
          String(r.devices),
          r.iommus.length ? r.iommus.map((i) => `${i.name} (${i.driver}${i.status === 'disabled' ? ', disabled' : ''})`).join(', ') : '-',
        ]),
      ];
      const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
      const lines = table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
      process.stdout.write(lines.join('\n') + '\n');
    }
    return dsl.hasErrors(loaded.diagnostics) ? 1 : 0;
  },
};
