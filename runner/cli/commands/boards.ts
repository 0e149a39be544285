// `bringup boards`: the boards a suite can name, one line each.

import type { Command, CommandDoc } from '../command.js';
import { renderUsage } from '../help.js';
import { bool, parseOptions } from '../options.js';

export const doc: CommandDoc = {
  name: 'boards',
  summary: 'list the boards and their devices',
  synopsis: ['boards [--json] [PATH...]'],
  description: `List the boards in PATH (board files or directories; default: boards/): id,
model ("Hardware name:"), arch, firmware, number of devices, and the IOMMUs
with their drivers. Invalid board files are reported on stderr.`,
  operands: 'file',
  options: [{ name: 'json', type: 'boolean', help: 'print the same as a JSON array' }],
  examples: [
    { command: 'bringup boards', says: 'the shipped boards, one a line' },
    { command: 'bringup boards --json my-boards/', says: 'your own boards as data' },
  ],
  exit: '0  listed\n1  invalid input\n2  bad usage',
  seeAlso: ['kernels', 'validate'],
};

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const parsed = parseOptions(argv, doc.options);
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
    if (bool(parsed.values, 'json')) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
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
