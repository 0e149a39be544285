// The ajv standalone validators `npm run build` writes (runner/dsl/precompile.ts) report
// exactly what a validator compiled at run time reports, error object for error object.

import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import { compileValidator, precompiledFile, schemaHash, type DocKind } from '../../runner/dsl/schema.js';
import { SourceFile } from '../../runner/dsl/source.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

describe('dsl precompiled validators', () => {
  for (const kind of ['board', 'suite'] as const satisfies readonly DocKind[]) {
    it(`${kind}: generated from the current schema, same errors as a run-time compile`, function () {
      const file = precompiledFile(kind);
      if (!existsSync(file)) this.skip(); // built with tsc alone: schema.ts compiles at run time
      const pre = require(file) as ValidateFunction & { schemaHash?: string };
      expect(pre.schemaHash).to.equal(schemaHash(kind));
      const compiled = compileValidator(kind);
      let errors = 0;
      for (const f of [...yamlFiles(path.join(root, 'test/fixtures')), ...yamlFiles(path.join(root, 'suites')), ...yamlFiles(path.join(root, 'boards'))]) {
        const src = new SourceFile(f, readFileSync(f, 'utf8'));
        if (!src.parsed || src.data === null || src.data === undefined) continue;
        expect(pre(src.data), f).to.equal(compiled(src.data));
        expect(pre.errors ?? null, f).to.deep.equal(compiled.errors ?? null);
        errors += compiled.errors?.length ?? 0;
      }
      expect(errors).to.be.greaterThan(0);
    });
  }
});
