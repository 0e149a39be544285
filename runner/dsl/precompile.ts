// Build step (`npm run build` runs it after tsc): ajv standalone code for the board and
// suite schemas, written to dist/runner/dsl/validators/<kind>.cjs with the hash of the
// schema it came from. bringup then loads its validators instead of compiling both
// schemas (and loading ajv) at every start; schema.ts compiles at run time when a file
// is missing or its schema changed after the build.

import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AJV_OPTIONS, loadSchema, precompiledFile, schemaHash, type DocKind } from './schema.js';

const require = createRequire(import.meta.url);

export function precompile(kind: DocKind): string {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: unknown, v: unknown) => string }).default;
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(loadSchema(kind)));
  const file = precompiledFile(kind);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(kind))};\n`);
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const kind of ['board', 'suite', 'kernel'] as const) precompile(kind);
}
