// The shrink and bisect commands as a user runs them: the JSON keys of EXPLORE.md, the files
// shrink writes, every kind of bad input answered with a sentence and exit 2 (never a stack
// trace), and `bringup run --exit-code bisect` for git bisect run.

import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bringup, ROOT } from '../cli/helpers.js';

/** No JavaScript stack frame leaks into what a user reads. */
function noStack(r: { stdout: string; stderr: string }): void {
  expect(r.stderr + r.stdout).to.not.match(/\n\s+at .+\(.*:\d+:\d+\)|internal error/);
}

describe('bringup shrink / bisect (CLI)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-cli14-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('shrink', () => {
    it('--format json has the spec keys and the files it names load and fail with the title', async () => {
      const out = path.join(tmp, 'json');
      const r = await bringup(['shrink', 'suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--out', out, '--format', 'json'], {}, ROOT);
      expect(r.exitCode, r.stderr).to.equal(0);
      const j = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(j).to.include.keys('title', 'before', 'after', 'runs', 'board', 'suite', 'slipped');
      expect(j['title']).to.equal('Unable to handle kernel paging request in devres_release_all');
      expect(j['board']).to.equal(path.join(out, 'salvator-x-h3.min.yaml'));
      expect(j['suite']).to.equal(path.join(out, 'rcar-dma-teardown.min.yaml'));
      for (const k of ['devices', 'drivers', 'probeActions', 'steps', 'lines']) {
        expect((j['after'] as Record<string, number>)[k]).to.be.at.most((j['before'] as Record<string, number>)[k]!);
      }
      const v = await bringup(['validate', j['board'] as string, j['suite'] as string], {}, ROOT);
      expect(v.exitCode, v.stderr).to.equal(0);
      const run = await bringup(['run', j['suite'] as string, '--format', 'json', '-q'], {}, ROOT);
      expect(run.exitCode).to.equal(1);
      expect(run.stdout).to.include('Unable to handle kernel paging request in devres_release_all');
    });

    it('writes beside the input by default, and prints the sizes and the runs', async () => {
      const tree = path.join(tmp, 'tree');
      mkdirSync(path.join(tree, 'suites'), { recursive: true });
      cpSync(path.join(ROOT, 'boards'), path.join(tree, 'boards'), { recursive: true });
      cpSync(path.join(ROOT, 'suites/hisi-sas-probe-failure.yaml'), path.join(tree, 'suites/hisi-sas-probe-failure.yaml'));
      const r = await bringup(['shrink', 'hisi-sas-probe-failure', '--scenario', 'failed-probe-releases-managed-dma'], {}, tree);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^title: BUG: Bad page state in devres_release_all$/m);
      expect(r.stdout).to.match(/^devices\s+\d+\s+1$/m);
      expect(r.stdout).to.match(/^runs: \d+ /m);
      const suite = path.join(tree, 'suites/hisi-sas-probe-failure.min.yaml');
      const board = path.join(tree, 'boards/huawei-d06.min.yaml');
      expect(existsSync(suite) && existsSync(board)).to.equal(true);
      expect(readFileSync(suite, 'utf8')).to.match(/^# yaml-language-server: \$schema=\.\.\/\.\.\/.*dsl-schema\/suite\.schema\.json\n/);
      expect(readFileSync(suite, 'utf8')).to.match(/^boards: \[huawei-d06\.min\]$/m);
      const v = await bringup(['validate', suite], {}, tree);
      expect(v.exitCode, v.stderr).to.equal(0);
    });

    it('names the release-looking flip v4.20 → v5.0 by its commit (356da6d0cde3: NULL dma_ops is dma-direct)', async () => {
      const r = await bringup(['bisect', 'suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--good', 'v4.20', '--bad', 'v5.0'], {}, ROOT);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.include('356da6d0cde3  dma-mapping: bypass indirect calls for dma-direct');
    });

    const bad: [string, string[], RegExp][] = [
      ['an unknown scenario', ['suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dam'], /no scenario "unbind-releases-managed-dam" .*did you mean "unbind-releases-managed-dma"/],
      ['a run that passes', ['suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--kernel', 'v5.1'], /passes on v5\.1: nothing to shrink/],
      ['an unknown kernel', ['suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--kernel', 'v5.01'], /--kernel: unknown kernel "v5\.01"/],
      ['a board the scenario does not run on', ['suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-hisi-sas-v2', '--board', 'salvator-x-h3'], /does not run on board "salvator-x-h3"/],
      ['a missing suite', ['suites/rcar-dma-teardwn.yaml', '--scenario', 'x'], /no such file or directory "suites\/rcar-dma-teardwn\.yaml" \(did you mean suites\/rcar-dma-teardown\.yaml\?\)/],
      ['a missing --scenario', ['suites/rcar-dma-teardown.yaml'], /missing --scenario/],
      ['an unknown option', ['suites/rcar-dma-teardown.yaml', '--scenario', 'x', '--kernal', 'v5.0'], /unknown option --kernal \(did you mean --kernel\?\)/],
    ];
    for (const [what, args, message] of bad) {
      it(`answers ${what} with exit 2 and a sentence`, async () => {
        const r = await bringup(['shrink', ...args, '--out', path.join(tmp, 'never')], {}, ROOT);
        expect(r.exitCode).to.equal(2);
        expect(r.stderr).to.match(message);
        noStack(r);
        expect(existsSync(path.join(tmp, 'never', 'rcar-dma-teardown.min.yaml'))).to.equal(false);
      });
    }

    it('answers an invalid suite with its positioned errors and exit 2', async () => {
      const dir = path.join(tmp, 'invalid');
      mkdirSync(path.join(dir, 'suites'), { recursive: true });
      writeFileSync(path.join(dir, 'suites', 'broken.yaml'), 'suite: broken\nboards: [nowhere]\nscenarios:\n  - name: s\n    steps: [boot]\n');
      const r = await bringup(['shrink', 'suites/broken.yaml', '--scenario', 's'], {}, dir);
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.match(/suites\/broken\.yaml:2:\d+: error: unknown board "nowhere"/);
      noStack(r);
    });
  });

  describe('bisect', () => {
    it('--format json has the spec keys and names the fix', async () => {
      const r = await bringup(['bisect', 'suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--good', 'v5.1', '--bad', 'v5.0', '--format', 'json'], {}, ROOT);
      expect(r.exitCode, r.stderr).to.equal(0);
      const j = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(j).to.include({ good: 'v5.1', bad: 'v5.0', title: 'Unable to handle kernel paging request in devres_release_all' });
      expect(j['minimal']).to.deep.equal([['376991db4b64']]);
      expect(j['runs']).to.be.a('number').and.at.most(12);
    });

    it('prints each set with its commit subject and the run that verified it; --all lists every set', async () => {
      const r = await bringup(['bisect', 'suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--good', 'v6.15', '--bad', 'v5.0', '--all'], {}, ROOT);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.include('+376991db4b64  driver core: Postpone DMA tear-down until after devres release');
      expect(r.stdout).to.include('+8b80549f1bc6  arm64: Properly clean up iommu-dma remnants');
      expect(r.stdout).to.include('verified: v5.0+376991db4b64: pass');
      expect(r.stdout).to.include('verified: v5.0+8b80549f1bc6: pass');
      expect(r.stdout).to.match(/^runs: \d+$/m);
    });

    it('names a regression by the commit to revert', async () => {
      const r = await bringup(['bisect', 'rockchip-of-xlate', '--scenario', 'boot-groups-every-master', '--good', 'v6.14', '--bad', 'next-20250312'], {}, ROOT);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.include('-bcb81ac6ae3c  iommu: Get DT/ACPI parsing into the proper probe path');
      expect(r.stdout).to.include('a regression');
    });

    const bad: [string, string[], RegExp][] = [
      ['an unknown scenario', ['--scenario', 'nope', '--good', 'v5.1', '--bad', 'v5.0'], /no scenario "nope"/],
      ['a bad kernel it passes on', ['--scenario', 'unbind-releases-managed-dma', '--good', 'v5.0', '--bad', 'v5.1'], /passes on the bad kernel v5\.1/],
      ['an unknown kernel', ['--scenario', 'unbind-releases-managed-dma', '--good', 'v5.1', '--bad', 'v55.0'], /--bad: unknown kernel "v55\.0"/],
      ['a missing --good', ['--scenario', 'unbind-releases-managed-dma', '--bad', 'v5.0'], /missing --good/],
    ];
    for (const [what, args, message] of bad) {
      it(`answers ${what} with exit 2 and a sentence`, async () => {
        const r = await bringup(['bisect', 'suites/rcar-dma-teardown.yaml', ...args], {}, ROOT);
        expect(r.exitCode).to.equal(2);
        expect(r.stderr).to.match(message);
        noStack(r);
      });
    }
  });

  describe('run --exit-code bisect', () => {
    const run = (...args: string[]) => bringup(['run', 'suites/rcar-dma-teardown.yaml', '--filter', '*.unbind-releases-managed-dma', '-q', '--exit-code', 'bisect', ...args], {}, ROOT);
    it('exits 0 when the runs pass', async () => {
      expect((await run('--kernel', 'v5.1')).exitCode).to.equal(0);
    });
    it('exits 1 when a run fails, even as its known-bad entry expects (XFAIL)', async () => {
      expect((await run('--kernel', 'v5.0')).exitCode).to.equal(1);
    });
    it('exits 125 when nothing could be tested: invalid input, or only skips', async () => {
      expect((await run('--kernel', 'v5.01')).exitCode).to.equal(125);
      expect((await run('--kernel', 'v5.1', '--jobs', 'x')).exitCode).to.equal(125);
      const none = await bringup(['run', 'suites/rcar-dma-teardown.yaml', '--filter', 'nothing-matches', '-q', '--exit-code', 'bisect'], {}, ROOT);
      expect(none.exitCode).to.equal(125);
    });
    it('keeps kselftest codes by default, and refuses an unknown mode', async () => {
      expect((await bringup(['run', 'suites/rcar-dma-teardown.yaml', '--kernel', 'v5.0', '-q'], {}, ROOT)).exitCode).to.equal(0);
      const r = await bringup(['run', 'suites/rcar-dma-teardown.yaml', '--exit-code', 'git', '-q'], {}, ROOT);
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.include('unknown --exit-code "git" (known: kselftest, bisect)');
    });
  });
});
