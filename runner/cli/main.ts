#!/usr/bin/env node
// bringup: the command-line entry. It only picks which copy of the command line to start
// (entry.ts says why there are two) and turns its answer into the exit code.

import { cliModuleUrl } from './entry.js';

const { main } = (await import(cliModuleUrl(import.meta.url))) as typeof import('./cli.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bringup: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
