// The CLI's cache (runner/cache, dsl/doc-cache.ts, dsl/plan-cache.ts, exec/result-cache.ts):
// never a stale hit, the same output with and without it for any --jobs, exact positions
// from restored files, and no harm when it is damaged or cannot be written.

import { expect } from 'chai';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bringup, ROOT } from '../cli/helpers.js';
import { Cache } from '../../runner/cache/store.js';
import { DocCache } from '../../runner/dsl/doc-cache.js';
import { compileSuites, loadPlan, loadSuites } from '../../runner/dsl/index.js';
import { compileSuitesCached, runDigest } from '../../runner/dsl/plan-cache.js';

const TINY = `suite: tiny
boards: [salvator-x-h3]
kernels: [v6.15]
scenarios:
  - name: boot
    steps:
      - boot
      - expect:
          log: ["ee300000.sata: Adding to iommu group 0"]
          state:
            - { device: ee300000.sata, bound: true }
`;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

describe('cache', function () {
  this.timeout(180000);
  let tmp: string;
  let env: Record<string, string>;
  let ws: string;

  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bringup-cache-'));
    env = { XDG_CACHE_HOME: path.join(tmp, 'xdg') };
    ws = path.join(tmp, 'ws');
    mkdirSync(path.join(ws, 'boards'), { recursive: true });
    mkdirSync(path.join(ws, 'suites'));
    mkdirSync(path.join(ws, 'kernels'));
    copyFileSync(path.join(ROOT, 'boards/salvator-x-h3.yaml'), path.join(ws, 'boards/salvator-x-h3.yaml'));
    writeFileSync(path.join(ws, 'suites/tiny.yaml'), TINY);
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const edit = (file: string, from: string, to: string) => {
    const p = path.join(ws, file);
    const text = readFileSync(p, 'utf8');
    expect(text).to.include(from);
    writeFileSync(p, text.replace(from, to));
  };
  /** the same command with and without the cache: the output must be the same */
  const both = async (args: string[]) => {
    const cached = await bringup(args, env, ws);
    const fresh = await bringup([...args, '--no-cache'], env, ws);
    expect(cached.stdout).to.equal(fresh.stdout);
    expect(cached.stderr).to.equal(fresh.stderr);
    expect(cached.exitCode).to.equal(fresh.exitCode);
    return cached;
  };

  it('lives under $XDG_CACHE_HOME/bringup and is used on the second run', async () => {
    const first = await both(['run', 'suites']);
    expect(first.exitCode).to.equal(0);
    const entries = files(path.join(tmp, 'xdg', 'bringup'));
    expect(entries.length).to.be.greaterThan(3);
    await both(['run', 'suites']);
    // nothing new: every file, check, plan and result was found
    expect(files(path.join(tmp, 'xdg', 'bringup'))).to.have.members(entries);
    // a rebuilt bringup is another tool: nothing of the old one is used
    const model = path.join(ROOT, 'dist/runner/model/index.js');
    const t = statSync(model).mtime;
    utimesSync(model, t, new Date(t.getTime() + 1000));
    try {
      await both(['run', 'suites']);
      expect(files(path.join(tmp, 'xdg', 'bringup')).length).to.be.at.least(2 * entries.length - 1);
    } finally {
      utimesSync(model, t, t);
    }
  });

  it('keeps itself bounded: the oldest entries go first', () => {
    const c = new Cache(path.join(tmp, 'store'));
    for (let i = 0; i < 40; i++) {
      const key = i.toString(16).padStart(64, '0');
      c.put(key, 'x'.repeat(1000));
      const f = path.join(tmp, 'store', 'v1', key.slice(0, 2), key);
      utimesSync(f, new Date(1e12 + i * 1000), new Date(1e12 + i * 1000));
    }
    c.prune(Date.now(), 20_000);
    const left = files(path.join(tmp, 'store', 'v1')).filter((f) => !f.endsWith('.pruned'));
    expect(left.length).to.equal(15);
    // the newest stayed
    expect(c.get((39).toString(16).padStart(64, '0'))).to.equal('x'.repeat(1000));
    expect(c.get((0).toString(16).padStart(64, '0'))).to.equal(undefined);
    // and not again within the hour
    c.put('ff'.padStart(64, 'f'), 'y'.repeat(30_000));
    c.prune(Date.now(), 20_000);
    expect(c.get('ff'.padStart(64, 'f'))).to.equal('y'.repeat(30_000));
  });

  it('sees a one-byte edit of a board or a suite, with exact positions', async () => {
    expect((await both(['validate', 'boards', 'suites'])).stderr).to.equal('2 files OK\n');
    // the board: a driver name off by one byte is an error at its line and column
    edit('boards/salvator-x-h3.yaml', 'driver: sata_rcar', 'driver: sata_rcaR');
    const bad = await both(['validate', 'boards', 'suites']);
    expect(bad.exitCode).to.equal(1);
    expect(bad.stderr).to.match(/boards\/salvator-x-h3\.yaml:\d+:\d+: error: unknown driver "sata_rcaR"/);
    edit('boards/salvator-x-h3.yaml', 'driver: sata_rcaR', 'driver: sata_rcar');
    expect((await both(['validate', 'boards', 'suites'])).exitCode).to.equal(0);
    // the suite: a log line off by one byte fails the run, at the pattern's position
    expect((await both(['run', 'suites'])).exitCode).to.equal(0);
    edit('suites/tiny.yaml', 'group 0"', 'group 1"');
    const failed = await both(['run', 'suites']);
    expect(failed.exitCode).to.equal(1);
    expect(failed.stdout).to.include('suites/tiny.yaml:9:17');
    // one more byte (a line break at the top) moves every position down a line
    writeFileSync(path.join(ws, 'suites/tiny.yaml'), '\n' + readFileSync(path.join(ws, 'suites/tiny.yaml'), 'utf8'));
    expect((await both(['run', 'suites'])).stdout).to.include('suites/tiny.yaml:10:17');
    // the path as given is what every position says
    expect((await both(['run', './suites/tiny.yaml'])).stdout).to.include('./suites/tiny.yaml:10:17');
    expect((await both(['run', path.join(ws, 'suites/tiny.yaml')])).stdout).to.include(`${path.join(ws, 'suites/tiny.yaml')}:10:17`);
    edit('suites/tiny.yaml', 'group 1"', 'group 0"');
    expect((await both(['run', 'suites'])).exitCode).to.equal(0);
  });

  it('sees an edit of a user kernel profile and of the boards a suite resolves', async () => {
    writeFileSync(path.join(ws, 'kernels/mine.yaml'), 'kernel: mine\nbase: v6.15\n');
    edit('suites/tiny.yaml', 'kernels: [v6.15]', 'kernels: [mine]');
    expect((await both(['run', 'suites'])).exitCode).to.equal(0);
    // the same suite text, another profile: its runs are other runs
    writeFileSync(path.join(ws, 'kernels/mine.yaml'), 'kernel: mine\nbase: v5.0\n');
    const old = await both(['run', 'suites']);
    expect(old.stdout).to.include('[salvator-x-h3 mine]');
    expect((await both(['plan', 'suites/tiny.yaml'])).stdout).to.include('"base": "v5.0"');
    // a broken profile is an error in the suite that names it, cached or not
    writeFileSync(path.join(ws, 'kernels/mine.yaml'), 'kernel: mine\nbase: v0.1\n');
    const broken = await both(['validate', 'suites']);
    expect(broken.exitCode).to.equal(1);
    expect(broken.stderr).to.include('defined in kernels/mine.yaml, which has errors');
    // the suite's board, edited without touching the suite: the suite is checked again
    writeFileSync(path.join(ws, 'kernels/mine.yaml'), 'kernel: mine\nbase: v6.15\n');
    expect((await both(['validate', 'suites'])).exitCode).to.equal(0);
    const board = path.join(ws, 'boards/salvator-x-h3.yaml');
    writeFileSync(board, readFileSync(board, 'utf8').replaceAll('ee300000.sata', 'ee300000.satb'));
    const gone = await both(['validate', 'suites']);
    expect(gone.exitCode).to.equal(1);
    expect(gone.stderr).to.match(/suites\/tiny\.yaml:11:\d+: error: unknown device "ee300000\.sata"/);
  });

  it('is the same with a damaged entry, and runs without one it cannot write', async () => {
    const ref = await bringup(['run', 'suites'], env, ws);
    for (const f of files(path.join(tmp, 'xdg', 'bringup'))) writeFileSync(f, '{"damaged":');
    const damaged = await bringup(['run', 'suites'], env, ws);
    expect(damaged.stdout).to.equal(ref.stdout);
    expect(damaged.stderr).to.equal(ref.stderr);
    // XDG_CACHE_HOME names a file: nothing can be written below it
    writeFileSync(path.join(tmp, 'not-a-dir'), '');
    const none = await bringup(['run', 'suites'], { XDG_CACHE_HOME: path.join(tmp, 'not-a-dir') }, ws);
    expect(none.stdout).to.equal(ref.stdout);
    expect(none.stderr).to.equal(ref.stderr);
    if (process.getuid?.() !== 0) {
      // a read-only cache is read, never written
      chmodSync(path.join(tmp, 'xdg'), 0o500);
      const ro = await bringup(['run', 'suites'], env, ws);
      expect(ro.stdout).to.equal(ref.stdout);
      chmodSync(path.join(tmp, 'xdg'), 0o700);
    }
  });

  it('gives the shipped suites the same output with and without it, for any --jobs', async () => {
    const plain = await bringup(['run', '--no-cache'], {}, ROOT);
    // an empty cache filled by two workers, then read by one process
    const filled = await bringup(['run', '--jobs', '2'], env, ROOT);
    expect(filled.stdout).to.equal(plain.stdout);
    expect(filled.stderr.split('\n').at(-2)).to.equal(plain.stderr.split('\n').at(-2));
    const warm = await bringup(['run'], env, ROOT);
    expect(warm.stdout).to.equal(plain.stdout);
    expect(warm.stderr).to.equal(plain.stderr);
    expect(warm.exitCode).to.equal(plain.exitCode);
    // the results of a run with its log are other entries; a half-filled cache for --bail
    const args = ['run', 'suites/rcar-dma-teardown.yaml', 'suites/hisi-sas-probe-failure.yaml', '--format', 'json'];
    const json = await bringup([...args, '--no-cache'], {}, ROOT);
    expect((await bringup([...args, '--jobs', '2'], env, ROOT)).stdout).to.equal(json.stdout);
    expect((await bringup(args, env, ROOT)).stdout).to.equal(json.stdout);
    const bail = await bringup(['run', '--bail', '--no-cache', '-f'], {}, ROOT);
    expect((await bringup(['run', '--bail', '--jobs', '2', '-f'], env, ROOT)).stdout).to.equal(bail.stdout);
  });

  it('stores compiled runs that select as the compiler does (--board, --filter) with the same digests', () => {
    const docs = new DocCache(new Cache(path.join(tmp, 'store')));
    const paths = [path.join(ROOT, 'suites')];
    const plain = loadSuites(paths);
    for (let pass = 0; pass < 2; pass++) {
      const loaded = loadSuites(paths, { cache: docs });
      for (const sel of [{}, { filter: '*bringup.*unbind*' }, { boards: ['salvator-x-h3', 'odroid-m1'] }, { filter: 'rcar-*', boards: ['taishan-2280-d05'] }]) {
        const want = compileSuites(plain.suites, sel);
        const got = compileSuitesCached(loaded.suites, docs, sel);
        expect(JSON.stringify(got)).to.equal(JSON.stringify(want));
        expect(got.map(runDigest)).to.deep.equal(want.map(runDigest));
      }
    }
    // and through loadPlan, as the CLI calls it
    const a = loadPlan(paths, { board: 'lager-r8a7790', cache: docs });
    const b = loadPlan(paths, { board: 'lager-r8a7790' });
    expect(JSON.stringify(a.plan.runs)).to.equal(JSON.stringify(b.plan.runs));
  });

  it('restores a file with the positions a diagnostic or an assertion asks for', () => {
    const docs = new DocCache(new Cache(path.join(tmp, 'store')));
    const paths = [path.join(ROOT, 'suites')];
    loadSuites(paths, { cache: docs });
    const again = loadSuites(paths, { cache: docs });
    const plain = loadSuites(paths);
    expect(again.suites.map((s) => s.source.via)).to.satisfy((v: string[]) => v.every((x) => x === 'cache'));
    for (const [i, s] of again.suites.entries()) {
      const p = plain.suites[i]!;
      for (let k = 0; k < s.doc.scenarios.length; k++) {
        for (const at of [['scenarios', k], ['scenarios', k, 'name'], ['scenarios', k, 'steps', 0], ['scenarios', k, 'nope']] as const) {
          expect(s.source.span(at, 'key'), `${s.file} ${at.join('/')}`).to.deep.equal(p.source.span(at, 'key'));
          expect(s.source.span(at), `${s.file} ${at.join('/')}`).to.deep.equal(p.source.span(at));
        }
      }
    }
  });
});
