// The search (runner/explore/search.ts): exact counts on a tiny board, the reductions find
// the same titles as naive enumeration with fewer executions, and the result is the same for
// --jobs 2 and for four shards merged.

import { expect } from 'chai';
import { resolveKernelLabel } from '../../runner/dsl/index.js';
import type { ModelBoard } from '../../runner/model/index.js';
import type { BoardDevice, BoardDriver } from '../../runner/model/types.js';
import { explore, type ExploreResult } from '../../runner/explore/explore.js';
import { exploreJson } from '../../runner/explore/render.js';
import { Footprints } from '../../runner/explore/independence.js';
import { mergeExplore } from '../../runner/explore/merge.js';
import { options, run, target, titles } from './helpers.js';

const drv = (name: string): BoardDriver => ({ name, initcall: 'device', probe: [{ kind: 'devm-alloc', size: 64 }], remove: [], async: false, driverManagedDma: false });
const dev = (name: string, driver: string): BoardDevice => ({ name, driver, bus: 'platform', iommus: [], dmaBits: 32, status: 'okay', present: true });
/** two devices, two drivers of one initcall level, one probe action each, no IOMMU */
const TINY: ModelBoard = {
  id: 'tiny',
  model: 'Tiny (DT)',
  arch: 'arm64',
  firmware: 'dt',
  memory: [{ base: 0x40000000, size: 0x10000000 }],
  iommus: [],
  devices: [dev('a.dev', 'drv-a'), dev('b.dev', 'drv-b')],
  drivers: [drv('drv-a'), drv('drv-b')],
};

/** the JSON with its one wall-time figure zeroed */
function json(r: ExploreResult): string {
  return exploreJson({ ...r, stats: { ...r.stats, seconds: 0 } });
}

describe('explore: search', function () {
  this.timeout(120_000);

  describe('exact counts on a tiny board (two devices a, b; one probe action each; faults -ENOMEM)', () => {
    // The default execution meets 6 points: the device level's order (drv-a, drv-b), faults
    // before and after each probe's one action (a@0, a@1, b@0, b@1: none or -ENOMEM), and the
    // quiescent point after boot (stop, unbind a, rebind a, unbind b, rebind b).
    const t = { board: TINY, profile: resolveKernelLabel('v6.15') };

    it('naive, depth 1: 1 default + 1 order + 4 faults + 4 quiescent steps = 10', async () => {
      const r = await explore([t], options({ depth: 1, reduce: false, faults: [-12] }));
      expect(r.stats).to.include({ executions: 10, pruned: 0, complete: true });
    });

    it('naive, depth 2: 10 + 36 pairs = 46', async () => {
      // second choices after the first: b-first order 8 (4 faults, 4 steps); a@0 and a@1 4 each
      // (b's 2 faults, unbind/rebind b); b@0, b@1 2 each; unbind a 2, unbind b 2 (the other
      // device's steps); rebind a 6, rebind b 6 (the bind's 2 faults, then 4 steps)
      const r = await explore([t], options({ depth: 2, reduce: false, faults: [-12] }));
      expect(r.stats).to.include({ executions: 46, pruned: 0, complete: true });
    });

    it('reduced, depth 2: choices on a and on b never interact, so no pair of them is run; 7 executions', async () => {
      // 1 default + a@0, b@0 + 4 quiescent steps. Not run: the b-first order (a and b commute:
      // a sleeps, so the order is known explored), a@1 and b@1 (after a devm-alloc the failed
      // probe releases, a fault is the @0 one). Cut part-way (4): rebind a reaches the default
      // execution's state at the quiescent point, and three second choices reach states
      // explored before.
      const r = await explore([t], options({ depth: 2, faults: [-12] }));
      expect(r.stats).to.include({ executions: 7, pruned: 4, complete: true });
      // the -EIO twin of every fault is the -ENOMEM one (one probe error is like another)
      const twins = await explore([t], options({ depth: 2, faults: [-12, -5] }));
      expect(twins.stats).to.include({ executions: 7, pruned: 4 });
    });

    it('a fault after an action a failed probe undoes without a trace is the fault before it; after any other action it is not', () => {
      const probe = (...kinds: BoardDriver['probe']): ModelBoard => ({ ...TINY, drivers: [{ ...drv('drv-a'), probe: kinds }, drv('drv-b')] });
      const same = (b: ModelBoard): string[] => [...new Footprints(b).sameAsEarlierFault].sort();
      expect(same(TINY)).to.deep.equal(['fault:a.dev@1', 'fault:b.dev@1']);
      expect(same(probe({ kind: 'request-irq', irq: 7 }, { kind: 'dmam-alloc', size: 4096 }, { kind: 'log', text: 'x' }, { kind: 'devm-alloc', size: 8 }))).to.deep.equal(['fault:a.dev@1', 'fault:a.dev@4', 'fault:b.dev@1']);
    });
  });

  it('reductions: lager-r8a7790 v4.12-rc1 at depth 2 — the same titles as naive enumeration, >= 10x fewer runs (cut ones counted)', async () => {
    const naive = await run('lager-r8a7790', 'v4.12-rc1', { reduce: false });
    const reduced = await run('lager-r8a7790', 'v4.12-rc1');
    expect(titles(reduced)).to.deep.equal(titles(naive));
    expect(titles(reduced)).to.include('deferred probe never completed: ec700000.dma-controller');
    expect(naive.stats.executions).to.be.at.least(10 * (reduced.stats.executions + reduced.stats.pruned));
  });

  it('the same JSON for --jobs 2 and for shards 1/4..4/4 merged as for a plain run (seconds aside)', async () => {
    const plain = await run('lager-r8a7790', 'v4.12-rc1');
    const jobs = await run('lager-r8a7790', 'v4.12-rc1', {}, { jobs: 2 });
    expect(json(jobs)).to.equal(json(plain));
    const shards: Record<string, unknown>[] = [];
    for (let k = 1; k <= 4; k++) shards.push(JSON.parse(exploreJson(await run('lager-r8a7790', 'v4.12-rc1', {}, { shard: { index: k, count: 4 } }))));
    expect(shards.every((s) => s['shard'] !== undefined)).to.equal(true);
    const merged = mergeExplore(shards.reverse(), ['4', '3', '2', '1']);
    expect(json(merged)).to.equal(json(plain));
    expect(() => mergeExplore(shards.slice(1), ['3', '2', '1'])).to.throw(/missing shard 4\/4/);
  });

  it('a budget cuts the search at the same place with --jobs 2, and says so', async () => {
    const plain = await run('lager-r8a7790', 'v4.12-rc1', { budget: 60 });
    const jobs = await run('lager-r8a7790', 'v4.12-rc1', { budget: 60 }, { jobs: 2 });
    expect(plain.stats).to.include({ complete: false, cut: 'budget' });
    expect(plain.stats.executions + plain.stats.pruned).to.equal(60);
    expect(json(jobs)).to.equal(json(plain));
  });

  it('random and pct are reproducible from their seed, and find the oops of odroid-m1 next-20250312', async () => {
    for (const strategy of ['random', 'pct'] as const) {
      const a = await run('odroid-m1', 'next-20250312', { strategy, budget: 200, seed: 7 });
      const b = await run('odroid-m1', 'next-20250312', { strategy, budget: 200, seed: 7 });
      expect(json(a)).to.equal(json(b));
      expect(titles(a)).to.include('Unable to handle kernel NULL pointer dereference in rk_iommu_of_xlate');
      expect(a.stats.executions + a.stats.pruned).to.equal(200);
    }
  });

  it('every finding replays from its schedule: the DSL steps give the same titles without a chooser', async () => {
    const { createKernel } = await import('../../runner/model/index.js');
    const { dslToModel } = await import('../../runner/explore/schedule.js');
    const { titlesOf, unexplainedDeferrals } = await import('../../runner/exec/titles.js');
    const t = target('huawei-d06', 'v5.1');
    const r = await explore([t], options({ depth: 1 }));
    expect(r.findings.length).to.be.greaterThan(0);
    for (const f of r.findings) {
      const steps = dslToModel(f.schedule);
      const k = createKernel(t.board, t.profile);
      for (const s of steps) k.perform(s);
      const states = t.board.devices.map((d) => k.device(d.name)!);
      const got = titlesOf({ log: k.log.map((l) => l.text), checks: k.checks(), deferred: unexplainedDeferrals(t.board, steps, states) }).map((x) => x.title);
      expect(got, f.title).to.include(f.title);
    }
  });
});
