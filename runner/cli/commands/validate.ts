// `bringup validate [PATH...]`: schema and semantic checks, as dt-doc-validate does for
// bindings, with gcc-style positioned errors.

import type { Command, CommandDoc } from '../command.js';
import { renderUsage } from '../help.js';
import { list, parseOptions, str } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';
import { formatDiagnostics, hasErrors, summarizeDiagnostics, validatePaths } from '../../dsl/index.js';
import { LIMITS_HELP } from '../../dsl/limits.js';
import { diagnosticAnnotations, onGithubActions } from '../github.js';
import { CACHE_ENVIRONMENT, cacheOption, NO_CACHE_OPTION } from '../cache.js';

export const doc: CommandDoc = {
  name: 'validate',
  summary: 'check boards and suites against the schemas',
  synopsis: ['validate [--diagnostics text|json] [PATH...]'],
  description: `Check board and suite files against dsl-schema/board.schema.json and
dsl-schema/suite.schema.json, then check what a schema cannot: ids equal file
names, names are unique, iommus/driver/step references resolve on every board a
scenario runs on, kernel profiles and behaviour ids exist, for-each patterns
match a device, regexes compile. Suites also check the boards they name.

A PATH is a file, a directory searched recursively for *.yaml and *.yml, or a
suite id for suites/<id>.yaml. Default: boards suites.

Errors go to stderr, gcc-style, each followed by the source line and a caret:
  suites/x.yaml:14:7: error: unknown key "iomus" (did you mean "iommus"?)`,
  operands: 'file',
  options: [
    {
      name: 'diagnostics',
      type: 'string',
      value: 'FORMAT',
      choices: ['text', 'json'],
      help: 'text (default) or json: a JSON array on stdout (the\nmachine-readable answer is the command\'s output) of\n{file, line, column, severity, message, instancePath, schemaPath}',
    },
    { name: 'boards-dir', type: 'string', multiple: true, value: 'DIR', complete: 'dir', help: "look for board ids in DIR first (repeatable); then\nboards/ beside the suite's directory, boards/ in it,\nand the suite's directory itself" },
    NO_CACHE_OPTION,
  ],
  examples: [
    { command: 'bringup validate', says: 'every board and suite of the repository' },
    { command: 'bringup validate suites/my-reproducer.yaml', says: 'one suite and the boards it names' },
    { command: 'bringup validate --diagnostics json boards | jq .', says: 'the errors as data, for an editor or a bot' },
  ],
  exit: '0  all files valid\n1  any error\n2  bad usage',
  environment: `GITHUB_ACTIONS=true   each error is also printed as an ::error file=,line=,col=::\n                      workflow command (stderr)\n${CACHE_ENVIRONMENT}`,
  notes: LIMITS_HELP,
  seeAlso: ['run', 'boards', 'kernels'],
};

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, doc.options);
    const json = str(values, 'diagnostics') === 'json';
    // JSON consumers get the loader's diagnostic object instead
    const missing = json ? [] : positionals.map(missingSuite).filter((m) => m !== undefined);
    if (missing.length) {
      for (const m of missing) process.stderr.write(`bringup validate: ${m}\n`);
      return 1;
    }
    const result = validatePaths(positionals.length ? positionals.map(suitePath) : ['boards', 'suites'], { boardsDirs: list(values, 'boards-dir'), ...cacheOption(values) });
    const failed = hasErrors(result.diagnostics);
    if (onGithubActions() && result.diagnostics.length) process.stderr.write(diagnosticAnnotations(result.diagnostics).join('\n') + '\n');
    if (json) {
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
