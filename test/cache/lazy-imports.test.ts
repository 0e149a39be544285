// What a command loads: `bringup run` pays for neither explore, shrink, bisect, explain,
// merge, the HTML/KCIDB/JUnit reports nor the libraries it does not need; with the cache
// warm it loads not even the model (only its errno names and the dyndbg query syntax the DSL
// checks), yaml, ajv or re2js. Modules are recorded by a loader
// hook (ESM) and read off the CommonJS cache at exit (yaml, ajv, re2js and the
// precompiled validators are CommonJS).

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { MAIN, ROOT } from '../cli/helpers.js';

describe('cache/lazy imports', function () {
  this.timeout(120000);
  let tmp: string;
  let env: Record<string, string>;

  before(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bringup-lazy-'));
    env = { ...(process.env as Record<string, string>), XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    writeFileSync(path.join(tmp, 'hooks.mjs'), `export async function load(url, context, next) { process._rawDebug('esm ' + url); return next(url, context); }\n`);
    writeFileSync(
      path.join(tmp, 'record.mjs'),
      `import { register, createRequire } from 'node:module';
register(${JSON.stringify(new URL(`file://${path.join(tmp, 'hooks.mjs')}`).href)});
const req = createRequire(import.meta.url);
process.on('exit', () => { for (const k of Object.keys(req.cache)) process._rawDebug('cjs ' + k); });
`,
    );
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /**
   * The package-relative paths of every module a command loaded: of tsc's modules, or of the
   * bundle's chunks (main.js starts the bundle; runner/cli/entry.ts), each read as the modules
   * it holds, so both copies answer to the same expectations.
   */
  const loaded = async (args: string[], bundle = true): Promise<string[]> => {
    const r = await execa('node', ['--import', path.join(tmp, 'record.mjs'), MAIN, ...args], { cwd: ROOT, env: { ...env, ...(bundle ? {} : { BRINGUP_NO_BUNDLE: '1' }) }, reject: false });
    const chunks = JSON.parse(readFileSync(path.join(ROOT, 'dist/runner/bundle/modules.json'), 'utf8')) as Record<string, string[]>;
    const files = String(r.stderr)
      .split('\n')
      .filter((l) => /^(esm|cjs) /.test(l))
      .map((l) => l.replace(/^(esm|cjs) (file:\/\/)?/, '').replace(`${ROOT}/`, ''));
    expect(files.some((f) => f.startsWith('dist/runner/bundle/')), `${args.join(' ')} ran the ${bundle ? 'bundle' : 'modules'}`).to.equal(bundle);
    return files.flatMap((f) => chunks[f] ?? [f]);
  };
  const unused = [/runner\/explore\//, /cli\/commands\/(explore|shrink|bisect|explain|merge|compare)\./, /report\/(html|html-page|kcidb|junit|tap14|ktap|timeline)\./, /node_modules\/(xmlbuilder2|execa)\//];

  for (const copy of ['bundle', 'modules'] as const) {
    it(`run loads nothing of the commands and reports it does not use (${copy})`, async () => {
      const mods = await loaded(['run', '--no-cache'], copy === 'bundle');
      expect(mods.some((m) => m.includes('runner/model/'))).to.equal(true);
      for (const re of unused) expect(mods.filter((m) => re.test(m)), String(re)).to.deep.equal([]);
      // every shipped file is in the fast parser's subset: yaml is never needed
      expect(mods.filter((m) => m.includes('node_modules/yaml/'))).to.deep.equal([]);
    });

    it(`a warm run and a warm validate load neither the model nor yaml, ajv or re2js (${copy})`, async () => {
      await loaded(['run'], copy === 'bundle');
      await loaded(['validate'], copy === 'bundle');
      for (const args of [['run'], ['validate']]) {
        const mods = await loaded(args, copy === 'bundle');
        expect(mods.length, args.join(' ')).to.be.greaterThan(10);
        const heavy = mods.filter((m) => /node_modules\/(yaml|ajv|re2js)\/|runner\/model\/(core|iommu|drivers|dma)\/|runner\/model\/kernel\/(?!errno\.|ddebug-query\.)|runner\/dsl\/validators\/|runner\/exec\/execute\./.test(m));
        expect(heavy, args.join(' ')).to.deep.equal([]);
        for (const re of unused) expect(mods.filter((m) => re.test(m)), String(re)).to.deep.equal([]);
      }
    });
  }

  it('the registry imports each command on use only', () => {
    const registry = readFileSync(path.join(ROOT, 'dist/runner/cli/registry.js'), 'utf8');
    expect(registry).to.not.match(/^import .*commands\//m);
  });
});
