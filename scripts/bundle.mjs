// The build's last step: bundle tsc's command-line modules (dist/runner/cli/cli.js and
// everything it imports, one chunk per command loaded on demand) into dist/runner/bundle,
// then stamp it. runner/cli/entry.ts says why and when main.js uses it. The bundle sits at
// the same depth as tsc's room directories (dist/runner/<room>/), so every path a module
// derives from import.meta.url points at the same place from either copy. Libraries stay
// external (node_modules), as in the unbundled tree.

import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';

const outdir = 'dist/runner/bundle';
rmSync(outdir, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: ['dist/runner/cli/cli.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outdir,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
// which of tsc's modules each chunk holds: what a test of lazy loading reads (test/cache/lazy-imports.test.ts)
const modules = Object.fromEntries(Object.entries(metafile.outputs).map(([out, o]) => [out, Object.keys(o.inputs)]));
writeFileSync(`${outdir}/modules.json`, `${JSON.stringify(modules, null, 1)}\n`);
writeFileSync(`${outdir}/.built`, '');
