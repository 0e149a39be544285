// `bringup explore` and `bringup merge` as a user runs them: exit 0/1/2, text and JSON, bad
// usage and invalid boards answered without running, the boot pins checked like every other
// key, and run --format json shards merged back into the unsharded report, byte for byte.

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bringup, ROOT } from '../cli/helpers.js';

describe('explore: the CLI', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bringup-explore-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exit 1 with findings (text), 0 without; the last line says the search is complete', async () => {
    const bad = await bringup(['explore', 'odroid-m1', '--kernel', 'next-20250312'], {}, ROOT);
    expect(bad.exitCode, bad.stderr).to.equal(1);
    expect(bad.stdout).to.match(/^oops {6}Unable to handle kernel NULL pointer dereference in rk_iommu_of_xlate$/m);
    expect(bad.stdout).to.match(/complete within bounds \(dfs, depth 2, faults 4, unbind\)\n$/);
    const good = await bringup(['explore', 'boards/prime-x470-pro.yaml', '--kernel', 'v6.15-rc1', '--depth', '1'], {}, ROOT);
    expect(good.exitCode, good.stdout + good.stderr).to.equal(0);
    expect(good.stdout).to.match(/^0 findings on prime-x470-pro with v6\.15-rc1: /);
  });

  it('--format json has the keys of EXPLORE.md; --out writes reproducers that validate', async () => {
    const out = path.join(dir, 'repro');
    const r = await bringup(['explore', 'lager-r8a7790', '--kernel', 'v4.12-rc1', '--format', 'json', '--out', out], {}, ROOT);
    expect(r.exitCode).to.equal(1);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(j)).to.deep.equal(['boards', 'kernels', 'findings', 'stats']);
    expect(j['boards']).to.deep.equal(['lager-r8a7790']);
    const f = (j['findings'] as Record<string, unknown>[])[0]!;
    for (const k of ['title', 'kind', 'board', 'kernel', 'device', 'frames', 'executions', 'schedule', 'reproducer', 'report']) expect(f, k).to.have.property(k);
    expect(j['stats']).to.have.all.keys('executions', 'states', 'pruned', 'seconds', 'complete');
    const files = readdirSync(out).filter((x) => x.endsWith('.yaml')).sort();
    expect(files).to.include('lager-r8a7790--rcar-dmac-probe.yaml');
    const v = await bringup(['validate', ...files.map((x) => path.join(out, x))], {}, ROOT);
    expect(v.exitCode, v.stdout + v.stderr).to.equal(0);
    const run = await bringup(['run', path.join(out, 'lager-r8a7790--rcar-dmac-probe.yaml')], {}, ROOT);
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.include('# title: Unable to handle kernel NULL pointer dereference in rcar_dmac_probe\n');
  });

  it('bad usage and invalid boards exit 2 before anything runs, with positioned errors', async () => {
    for (const args of [['explore'], ['explore', 'odroid-m1', '--depth', 'x'], ['explore', 'odroid-m1', '--strategy', 'bfs'], ['explore', 'odroid-m1', '--faults', '-EWHAT'], ['explore', 'odroid-m1', '--shard', '5/4'], ['explore', 'odroid-m1', '--shard', 'auto'], ['explore', 'odroid-m1', '--kernel', 'v9.99'], ['explore', 'no-such-board']]) {
      const r = await bringup(args, {}, ROOT);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stdout, args.join(' ')).to.equal('');
    }
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'board: broken\nmodel: m\narch: arm64\nfirmware: dt\nmemory: []\ndevices:\n  - name: a\n    bus: nowhere\n');
    const r = await bringup(['explore', broken], {}, ROOT);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.match(/broken\.yaml:\d+:\d+: error: /);
  });

  it('--shard auto reads CI_NODE_INDEX/CI_NODE_TOTAL (1-based) or JOB_COMPLETION_INDEX (0-based) with --shard-total', async () => {
    const a = await bringup(['explore', 'odroid-m1', '--kernel', 'next-20250312', '--format', 'json', '--shard', 'auto'], { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' }, ROOT);
    expect(JSON.parse(a.stdout)['shard']).to.equal('2/3');
    const b = await bringup(['explore', 'odroid-m1', '--kernel', 'next-20250312', '--format', 'json', '--shard', 'auto', '--shard-total', '3'], { JOB_COMPLETION_INDEX: '1' }, ROOT);
    expect(JSON.parse(b.stdout)['shard']).to.equal('2/3');
  });

  it('merge: explore shards give the plain JSON (seconds aside); a missing shard is refused', async () => {
    const plain = await bringup(['explore', 'lager-r8a7790', '--kernel', 'v4.12-rc1', '--format', 'json'], {}, ROOT);
    const files: string[] = [];
    for (let k = 1; k <= 3; k++) {
      const s = await bringup(['explore', 'lager-r8a7790', '--kernel', 'v4.12-rc1', '--format', 'json', '--shard', `${k}/3`], {}, ROOT);
      const f = path.join(dir, `explore-${k}.json`);
      writeFileSync(f, s.stdout);
      files.push(f);
    }
    const m = await bringup(['merge', ...files], {}, ROOT);
    expect(m.exitCode).to.equal(1);
    const noSeconds = (s: string) => s.replace(/"seconds": [\d.]+/, '"seconds": 0');
    expect(noSeconds(m.stdout)).to.equal(noSeconds(plain.stdout));
    const missing = await bringup(['merge', files[0]!, files[2]!], {}, ROOT);
    expect(missing.exitCode).to.equal(2);
    expect(missing.stderr).to.include('missing shard 2/3');
  });

  it('merge: run --shard K/N --format json shards give the unsharded report, byte for byte, in any format', async () => {
    const suites = ['suites/rcar-dma-teardown.yaml', 'suites/of-iommu-probe-deferral.yaml', 'suites/odroid-m1-bringup.yaml'];
    const plain = await bringup(['run', '--format', 'json', ...suites], {}, ROOT);
    const files: string[] = [];
    for (let k = 1; k <= 4; k++) {
      const f = path.join(dir, `run-${k}.json`);
      await bringup(['run', '--format', 'json', '--shard', `${k}/4`, '--output', f, ...suites], {}, ROOT);
      files.push(f);
    }
    expect(readFileSync(files[0]!, 'utf8')).to.include('"order": ');
    const m = await bringup(['merge', ...files.reverse()], {}, ROOT);
    expect(m.exitCode).to.equal(plain.exitCode);
    expect(m.stdout).to.equal(plain.stdout);
    const tap = await bringup(['run', ...suites], {}, ROOT);
    const mtap = await bringup(['merge', '--format', 'tap', ...files], {}, ROOT);
    expect(mtap.stdout).to.equal(tap.stdout);
  });

  it('the boot pins are checked against the board like every other name, at their YAML position', async () => {
    const d = path.join(dir, 'pins');
    mkdirSync(path.join(d, 'boards'), { recursive: true });
    writeFileSync(path.join(d, 'boards', 'lager-r8a7790.yaml'), readFileSync(path.join(ROOT, 'boards', 'lager-r8a7790.yaml')));
    writeFileSync(
      path.join(d, 'pins.yaml'),
      [
        'suite: pins',
        'boards: [lager-r8a7790]',
        'kernels: [v4.12]',
        'scenarios:',
        '  - name: pinned',
        '    steps:',
        '      - boot:',
        '          order: [rcar-dmac, no-such-driver]',
        '          late: [ipmmu-vmsa]',
        '          deferred-order: [ec700000.dma-controller, ec7OOOOO.dma-controller]',
        '          retry-after: [e6700000.dma-controller]',
        '          async-order: [e6720000.dma-controller]',
        '',
      ].join('\n'),
    );
    const r = await bringup(['validate', path.join(d, 'pins.yaml')], {}, ROOT);
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.match(/pins\.yaml:8:30: error: unknown driver "no-such-driver" on board lager-r8a7790/);
    expect(r.stderr).to.match(/pins\.yaml:10:53: error: unknown device "ec7OOOOO\.dma-controller" on board lager-r8a7790/);
    expect(r.stderr.match(/error:/g)?.length).to.equal(2);
  });
});
