// main.js starts the bundle only while it is current (runner/cli/entry.ts), and the bundle
// behaves as tsc's modules do.

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliModuleUrl } from '../../runner/cli/entry.js';
import { bringup, MAIN, ROOT } from './helpers.js';

describe('the command line starts the bundle only while it is current', () => {
  let dir: string;
  let main: string;
  const at = (rel: string, seconds: number): void => {
    const f = path.join(dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, '');
    utimesSync(f, seconds, seconds);
  };
  const pick = (env: NodeJS.ProcessEnv = {}): string => path.relative(dir, new URL(cliModuleUrl(main, env)).pathname);

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-entry-'));
    main = pathToFileURL(path.join(dir, 'dist/runner/cli/main.js')).href;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a bundle stamped after the last tsc build is used', () => {
    at('dist/.tsbuildinfo', 1000);
    at('dist/runner/bundle/.built', 2000);
    expect(pick()).to.equal('dist/runner/bundle/cli.js');
  });

  it('a tsc build after the bundle (tsc -w, npm run fuzz) makes tsc\'s modules run: no edit hides behind an old bundle', () => {
    at('dist/runner/bundle/.built', 1000);
    at('dist/.tsbuildinfo', 2000);
    expect(pick()).to.equal('dist/runner/cli/cli.js');
  });

  it('no stamp (no bundle, or one cut short) → tsc\'s modules; an installed package without tsc state → the bundle', () => {
    at('dist/.tsbuildinfo', 1000);
    expect(pick()).to.equal('dist/runner/cli/cli.js');
    rmSync(path.join(dir, 'dist/.tsbuildinfo'));
    at('dist/runner/bundle/.built', 1000);
    expect(pick()).to.equal('dist/runner/bundle/cli.js');
  });

  it('BRINGUP_NO_BUNDLE=1 asks for tsc\'s modules', () => {
    at('dist/runner/bundle/.built', 2000);
    expect(pick({ BRINGUP_NO_BUNDLE: '1' })).to.equal('dist/runner/cli/cli.js');
  });

  it('the build leaves a current bundle, so this checkout\'s main.js runs it', () => {
    expect(path.relative(ROOT, new URL(cliModuleUrl(pathToFileURL(MAIN).href, {})).pathname)).to.equal('dist/runner/bundle/cli.js');
  });

  it('the bundle and tsc\'s modules print the same bytes and exit the same: a run, bad input, bad usage', async () => {
    for (const args of [['run', '--no-cache', 'suites/demo.yaml'], ['validate', '--no-cache', 'bad'], ['run', '--jobs', 'x'], ['explore', '--depth', '1', 'boards/demo-rk.yaml', '--format', 'json']]) {
      const bundled = await bringup(args);
      const modules = await bringup(args, { BRINGUP_NO_BUNDLE: '1' });
      const seconds = (s: string): string => s.replace(/"seconds": [0-9.]+/g, '"seconds": N').replace(/\d+(\.\d+)?\s?(ms|s)\b/g, 'T');
      expect({ out: seconds(bundled.stdout), err: seconds(bundled.stderr), code: bundled.exitCode }, args.join(' ')).to.deep.equal({ out: seconds(modules.stdout), err: seconds(modules.stderr), code: modules.exitCode });
    }
  });
});
