import { expect } from 'chai';
import { globToRegExp, labelHash, parseShard, selectRuns, shardRuns } from '../../runner/exec/select.js';
import { runLabel } from '../../runner/dsl/plan.js';
import type { PlanRun } from '../../runner/dsl/plan.js';
import { kernel, mkRun } from './fake.js';

function matrix(): PlanRun[] {
  const runs: PlanRun[] = [];
  for (const scenario of ['probe', 'unbind', 'late-iommu', 'fail-probe']) {
    for (const k of ['v5.0', 'v5.1', 'v6.15']) {
      const r = mkRun({ scenario, kernel: k });
      runs.push(r);
      if (scenario === 'fail-probe') {
        const each = { ...r, id: `${r.id}@ee300000.sata`, forEach: { device: 'ee300000.sata' }, kernel: kernel(k) };
        runs.push(each);
      }
    }
  }
  return runs;
}

describe('exec/select', () => {
  it('globs: *, ?, classes, everything else literal', () => {
    expect(globToRegExp('demo.*').test('demo.probe')).to.equal(true);
    expect(globToRegExp('demo.*').test('demoXprobe')).to.equal(false);
    expect(globToRegExp('*.un?ind').test('demo.unbind')).to.equal(true);
    expect(globToRegExp('demo.[pu]*').test('demo.unbind')).to.equal(true);
    expect(globToRegExp('demo.[!pu]*').test('demo.unbind')).to.equal(false);
    expect(globToRegExp('a+b(c)').test('a+b(c)')).to.equal(true);
  });

  it('--filter sees suite.scenario, also for for-each runs; --board and --kernel select', () => {
    const runs = matrix();
    expect(selectRuns(runs, { filters: ['demo.fail-probe'] }).map((r) => r.id)).to.deep.equal([
      'demo.fail-probe',
      'demo.fail-probe@ee300000.sata',
      'demo.fail-probe',
      'demo.fail-probe@ee300000.sata',
      'demo.fail-probe',
      'demo.fail-probe@ee300000.sata',
    ]);
    expect(selectRuns(runs, { filters: ['*@ee3*'] })).to.have.length(3);
    expect(selectRuns(runs, { filters: ['demo.probe', 'demo.unbind'], kernels: ['v5.1'] }).map(runLabel)).to.deep.equal([
      'demo.probe [demo-board v5.1]',
      'demo.unbind [demo-board v5.1]',
    ]);
    expect(selectRuns(runs, { boards: ['other'] })).to.deep.equal([]);
  });

  it('parses K/N', () => {
    expect(parseShard('2/3')).to.deep.equal({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3']) expect(parseShard(bad), bad).to.equal(undefined);
  });

  it('shards partition the runs and do not depend on the other runs', () => {
    const runs = matrix();
    for (const n of [1, 2, 3, 5, 8]) {
      const parts = Array.from({ length: n }, (_, k) => shardRuns(runs, { index: k + 1, count: n }).map(runLabel));
      expect(parts.flat().sort()).to.deep.equal(runs.map(runLabel).sort());
    }
    const some = runs.filter((_, i) => i % 2 === 0);
    const inShard = new Set(shardRuns(runs, { index: 2, count: 3 }).map(runLabel));
    expect(shardRuns(some, { index: 2, count: 3 }).map(runLabel)).to.deep.equal(some.map(runLabel).filter((l) => inShard.has(l)));
    expect(labelHash('demo.probe [b v5.0]')).to.equal(labelHash('demo.probe [b v5.0]'));
  });
});
