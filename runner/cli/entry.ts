// Which copy of the command line main.ts starts: the bundle the build writes, or the
// modules tsc wrote.
//
// Why a bundle: Node 20's ES module loader spends about 0.3 ms of CPU resolving, reading
// and linking each module, and a cold `bringup run` loads ~120 of them — 8 % of its CPU
// (0.46 → 0.43 s). The bundle (scripts/bundle.mjs) holds the same modules in one file per
// command plus shared chunks. It is used only while it is current: a tsc build after it
// (`tsc -w`, `npm run fuzz`) makes tsc's modules the ones that run, so no edit is ever
// hidden behind an old bundle. BRINGUP_NO_BUNDLE=1 asks for tsc's modules.

import { statSync } from 'node:fs';

function mtime(url: URL): number | undefined {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The URL of the cli module to import, given main.js's own URL. */
export function cliModuleUrl(mainUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const modules = new URL('./cli.js', mainUrl).href;
  if (env['BRINGUP_NO_BUNDLE']) return modules;
  // the build stamps the bundle after writing it; an installed package has no tsc state
  const bundled = mtime(new URL('../bundle/.built', mainUrl));
  if (bundled === undefined) return modules;
  const compiled = mtime(new URL('../../.tsbuildinfo', mainUrl));
  return compiled === undefined || compiled <= bundled ? new URL('../bundle/cli.js', mainUrl).href : modules;
}
