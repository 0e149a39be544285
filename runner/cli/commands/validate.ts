// `bringup validate [PATH...]`: schema and semantic checks, as dt-doc-validate does for
// bindings, with gcc-style positioned errors.

import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { formatDiagnostics, hasErrors, summarizeDiagnostics, validatePaths } from '../../dsl/index.js';
import { LIMITS_HELP } from '../../dsl/limits.js';

const HELP = `usage: bringup validate [--diagnostics text|json] [PATH...]

Check board and suite files against dsl-schema/board.schema.json and
dsl-schema/suite.schema.json, then check what a schema cannot: ids equal file
names, names are unique, iommus/driver/step references resolve on every board a
scenario runs on, kernel profiles and behaviour ids exist, for-each patterns
match a device, regexes compile. Suites also check the boards they name.

A PATH is a file or a directory searched recursively for *.yaml and *.yml.
Default: boards suites.

Errors go to stderr, gcc-style, each followed by the source line and a caret:
  suites/x.yaml:14:7: error: unknown key "iomus" (did you mean "iommus"?)

options:
  --diagnostics FORMAT  text (default) or json: a JSON array on stdout (the
                        machine-readable answer is the command's output) of
                        {file, line, column, severity, message, instancePath, schemaPath}
  -h, --help            show this help

exit status: 0 all files valid, 1 any error, 2 bad usage.

${LIMITS_HELP}`;

export const command: Command = {
  help: HELP,
  async run(argv) {
    // an unknown option throws: main.ts answers it as bad usage (exit 2)
    const { values, positionals } = parseArgs({ args: argv, options: { diagnostics: { type: 'string' } }, allowPositionals: true });
    const format = values.diagnostics ?? 'text';
    if (format !== 'text' && format !== 'json') {
      process.stderr.write(`bringup validate: --diagnostics must be text or json, not "${format}"\n`);
      return 2;
    }
    const result = validatePaths(positionals.length ? positionals : ['boards', 'suites']);
    const failed = hasErrors(result.diagnostics);
    if (format === 'json') {
      process.stdout.write(formatDiagnostics(result.diagnostics, { json: true }));
      return failed ? 1 : 0;
    }
    process.stderr.write(formatDiagnostics(result.diagnostics));
    const n = result.files.length;
    if (failed) process.stderr.write(`${summarizeDiagnostics(result.diagnostics)} (${n} file${n === 1 ? '' : 's'} checked)\n`);
    else process.stderr.write(`${n} file${n === 1 ? '' : 's'} OK\n`);
    return failed ? 1 : 0;
  },
};
