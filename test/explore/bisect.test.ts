// bisect (runner/explore/bisect.ts, ddmin.ts): ddmin and the all-minimal search on small
// predicates with the number of tests pinned; then on the model, one test per known-bad
// entry of the shipped suites (bad = its kernel, good = each other kernel of the scenario:
// the answer is exactly its fixed-by), the two next-20250312 regressions against v6.14
// (the answer is the commit that introduced them), and the R-Car unbind from v5.0 to v6.15,
// which two different behaviours each fix on their own.

import { expect } from 'chai';
import { loadSuites } from '../../runner/dsl/index.js';
import type { LoadedSuite } from '../../runner/dsl/index.js';
import { kernelLabel } from '../../runner/dsl/kernels.js';
import { canonicalBehaviour } from '../../runner/model/profiles/behaviours.js';
import { allMinimal, ddmin, type Verdict } from '../../runner/explore/ddmin.js';
import { bisect, CannotBisect, type BisectResult } from '../../runner/explore/bisect.js';
import { ModelRunner } from '../../runner/explore/outcome.js';
import { chooseScenario, compileFor, resolveLabel, runOn, type ScenarioChoice } from '../../runner/explore/scenario-run.js';
import { chainBetween, combination } from '../../runner/explore/profile-chain.js';
import { findProfile } from '../../runner/model/profiles/profiles.js';
import type { ResolvedProfile } from '../../runner/model/types.js';

/** A predicate over subsets of 0..n-1 that counts its calls. */
function counting(flips: (s: ReadonlySet<number>) => Verdict) {
  const calls: number[][] = [];
  const test = async (subset: readonly number[]) => {
    calls.push([...subset]);
    return flips(new Set(subset));
  };
  return { test, calls };
}

const range = (n: number) => [...Array(n).keys()];
const has = (s: ReadonlySet<number>, ...xs: number[]) => xs.every((x) => s.has(x));

describe('ddmin', () => {
  it('finds one culprit among 8 in 2·log2(8) = 6 tests at most', async () => {
    const { test, calls } = counting((s) => (s.has(5) ? 'flip' : 'stay'));
    expect(await ddmin(range(8), test)).to.deep.equal([5]);
    // halves [0..3] stay, [4..7] flip; [4,5] flip; [4] stays, [5] flips
    expect(calls).to.deep.equal([[0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [4], [5]]);
  });

  it('keeps two changes that flip only together, and no third', async () => {
    const { test } = counting((s) => (has(s, 1, 6) ? 'flip' : 'stay'));
    expect(await ddmin(range(8), test)).to.deep.equal([1, 6]);
  });

  it('treats an unresolved combination as not flipping', async () => {
    // anything holding 2 without 5 cannot be built
    const { test } = counting((s) => (s.has(2) && !s.has(5) ? 'unresolved' : s.has(2) ? 'flip' : 'stay'));
    expect(await ddmin(range(6), test)).to.deep.equal([2, 5]);
  });
});

describe('allMinimal', () => {
  const two = (s: ReadonlySet<number>): Verdict => (s.has(1) || has(s, 4, 6) ? 'flip' : 'stay');

  it('exhaustively, lists every minimal set by size', async () => {
    const { test } = counting(two);
    const r = await allMinimal(range(8), test);
    expect(r).to.deep.equal({ sets: [[1], [4, 6]], exhaustive: true });
  });

  it('past the exhaustive size, finds the same sets with ddmin inside each set left out', async () => {
    const { test, calls } = counting(two);
    const r = await allMinimal(range(8), test, 4);
    expect(r).to.deep.equal({ sets: [[1], [4, 6]], exhaustive: false });
    expect(calls.length).to.be.below(1 << 8);
  });

  it('exhaustively, is exact where adding a change undoes a flip (the ddmin search is not)', async () => {
    // {2} flips and {0,1} flips, but all three together do not
    const flips = (s: ReadonlySet<number>): Verdict => (s.has(2) !== has(s, 0, 1) ? 'flip' : 'stay');
    expect((await allMinimal(range(3), counting(flips).test)).sets).to.deep.equal([[2], [0, 1]]);
    expect((await allMinimal(range(3), counting(flips).test, 0)).sets).to.deep.equal([]);
  });

  it('finds nothing when nothing flips', async () => {
    const { test } = counting(() => 'stay');
    expect((await allMinimal(range(5), test)).sets).to.deep.equal([]);
  });
});

describe('the mainline chain', () => {
  const p = (n: string): ResolvedProfile => ({ name: n, base: n, behaviours: [...findProfile(n)!.behaviours] });

  it('runs between two releases in walking order, either way', () => {
    const up = chainBetween(p('v5.0'), p('v5.4'))!.map((x) => x.name);
    expect(up[0]).to.equal('v5.0');
    expect(up.at(-1)).to.equal('v5.4');
    expect(chainBetween(p('v5.4'), p('v5.0'))!.map((x) => x.name)).to.deep.equal([...up].reverse());
  });

  it('leaves LTS lines, linux-next and { base, apply, revert } kernels off it', () => {
    expect(chainBetween(p('v6.12.y'), p('v6.13'))).to.equal(undefined);
    expect(chainBetween(p('next-20250312'), p('v6.15'))).to.equal(undefined);
    expect(chainBetween(resolveLabel('k', 'v5.0+376991db4b64'), p('v5.4'))).to.equal(undefined);
  });

  it('names a combination as resolveKernel names it', () => {
    const k = combination('v5.0', [...findProfile('v5.0')!.behaviours, '376991db4b64']);
    expect(k.name).to.equal('v5.0+376991db4b64');
    expect(resolveLabel('k', k.name).behaviours).to.deep.equal(k.behaviours);
  });
});

interface Case {
  name: string;
  choice: ScenarioChoice;
  bad: ResolvedProfile;
  good: ResolvedProfile;
  want: string;
}

/** Every known-bad entry of the shipped suites, against every other kernel of its scenario. */
function knownBadCases(suites: readonly LoadedSuite[]): Case[] {
  const out: Case[] = [];
  for (const suite of suites) {
    suite.doc.scenarios.forEach((sc) => {
      for (const kb of sc['known-bad'] ?? []) {
        const badLabel = kernelLabel(kb.kernel)!;
        for (const ref of sc.boards ?? suite.doc.boards ?? []) {
          const board = suite.boards.get(ref)!;
          const choice = chooseScenario(suite, sc.name, board.id);
          if (choice.device !== undefined) continue;
          for (const run of compileFor(choice, undefined)) {
            if (run.kernel.name === badLabel) continue;
            out.push({
              name: `${suite.id}.${sc.name} [${board.id}]: ${badLabel} → ${run.kernel.name} names ${kb['fixed-by']}`,
              choice,
              bad: resolveLabel('bad', badLabel),
              good: run.kernel,
              want: canonicalBehaviour(kb['fixed-by'])!,
            });
          }
        }
      }
    });
  }
  return out;
}

describe('bisect on the model', function () {
  this.timeout(60_000);
  const { suites } = loadSuites(['suites']);
  const byId = (id: string) => suites.find((s) => s.id === id)!;
  const runs: number[] = [];
  let runner: ModelRunner;
  before(async () => {
    runner = await ModelRunner.create();
  });

  describe('names the fixed-by behaviour of every known-bad entry', () => {
    const cases = knownBadCases(suites);
    it('has the shipped cases (at least the 13 known-bad runs of 11 fixes)', () => {
      expect(new Set(cases.map((c) => c.want)).size).to.be.at.least(11);
    });
    for (const c of cases) {
      it(c.name, async () => {
        const r = await bisect(c.good, c.bad, { runner, runOn: (k) => runOn(c.choice, k) });
        runs.push(r.runs);
        expect(r.sets.map((s) => s.changes.map((x) => x.id))).to.deep.equal([[c.want]]);
        expect(r.sets[0]!.changes[0]!.change).to.equal('apply');
        expect(r.sets[0]!.outcome).to.deep.equal(r.goodOutcome);
      });
    }
  });

  describe('names the commit that introduced each next-20250312 regression (good = v6.14)', () => {
    for (const [suite, scenario] of [
      ['iommu-premature-warn', 'boot-without-warning'],
      ['rockchip-of-xlate', 'boot-groups-every-master'],
    ] as const) {
      it(`${suite}.${scenario}: bcb81ac6ae3c, reverted`, async () => {
        const choice = chooseScenario(byId(suite), scenario, undefined);
        const r = await bisect(resolveLabel('good', 'v6.14'), resolveLabel('bad', 'next-20250312'), { runner, runOn: (k) => runOn(choice, k) });
        runs.push(r.runs);
        expect(r.sets.map((s) => s.changes.map((x) => [x.id, x.change]))).to.deep.equal([[['bcb81ac6ae3c', 'revert']]]);
        expect(r.sets[0]!.kernel).to.equal('next-20250312-bcb81ac6ae3c');
      });
    }
  });

  // (a describe of its own: mocha runs a suite's own tests before its nested suites)
  describe('over those cases', () => {
    it('takes a median of at most 12 runs', () => {
      expect(runs.length).to.be.at.least(15);
      const sorted = [...runs].sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length / 2)]).to.be.at.most(12);
    });
  });

  describe('the R-Car unbind from v5.0 to v6.15 flips with 376991db4b64 and with 8b80549f1bc6', () => {
    const wide = () => chooseScenario(byId('rcar-dma-teardown'), 'unbind-releases-managed-dma', undefined);
    const v50 = () => resolveLabel('bad', 'v5.0');
    const v615 = () => resolveLabel('good', 'v6.15');
    const verify = async (r: BisectResult, choice: ScenarioChoice) => {
      for (const s of r.sets) {
        // applied to v5.0 alone, each set fixes it; without any one of its changes it does not
        const ids = s.changes.map((c) => c.id);
        const fixed = await runner.outcome(runOn(choice, resolveLabel('k', `v5.0${ids.map((i) => `+${i}`).join('')}`)));
        expect(fixed, ids.join('+')).to.deep.equal({ kind: 'pass' });
        for (const drop of ids) {
          const rest = ids.filter((i) => i !== drop);
          const o = await runner.outcome(runOn(choice, resolveLabel('k', `v5.0${rest.map((i) => `+${i}`).join('')}`)));
          expect(o.kind, `${ids.join('+')} without ${drop}`).to.not.equal('pass');
        }
      }
    };

    it('plain bisect walks the releases and names one minimal set', async () => {
      const choice = wide();
      const r = await bisect(v615(), v50(), { runner, runOn: (k) => runOn(choice, k) });
      expect(r.sets).to.have.length(1);
      expect([['376991db4b64'], ['8b80549f1bc6']]).to.deep.include(r.sets[0]!.changes.map((c) => c.id));
      expect(r.chain.length).to.be.at.least(2);
      await verify(r, choice);
    });

    it('--all names every minimal set, each verified by a run', async () => {
      const choice = wide();
      const r = await bisect(v615(), v50(), { runner, runOn: (k) => runOn(choice, k), all: true });
      const sets = r.sets.map((s) => s.changes.map((c) => c.id));
      expect(sets).to.deep.include(['376991db4b64']);
      expect(sets).to.deep.include(['8b80549f1bc6']);
      for (const s of r.sets) expect(s.outcome).to.deep.equal({ kind: 'pass' });
      await verify(r, choice);
    });
  });

  describe('refuses what it cannot bisect', () => {
    const choice = () => chooseScenario(byId('rcar-dma-teardown'), 'unbind-releases-managed-dma', undefined);
    const refusal = async (good: string, bad: string) => {
      try {
        await bisect(resolveLabel('good', good), resolveLabel('bad', bad), { runner, runOn: (k) => runOn(choice(), k) });
      } catch (e) {
        expect(e).to.be.instanceOf(CannotBisect);
        return (e as Error).message;
      }
      throw new Error('bisect did not refuse');
    };
    it('a bad kernel the scenario passes on', async () => {
      expect(await refusal('v5.0', 'v5.1')).to.match(/passes on the bad kernel v5\.1/);
    });
    it('two kernels with the same verdict', async () => {
      expect(await refusal('v5.1', 'v5.2')).to.match(/passes on the bad kernel/);
    });
  });

  it('v4.20 (silent leak through dummy_dma_ops) to v5.0 (the oops) flips with 356da6d0cde3 (NULL dma_ops is dma-direct)', async () => {
    const choice = () => chooseScenario(byId('rcar-dma-teardown'), 'unbind-releases-managed-dma', undefined);
    const r = await bisect(resolveLabel('good', 'v4.20'), resolveLabel('bad', 'v5.0'), { runner, runOn: (k) => runOn(choice(), k) });
    expect(r.difference).to.equal(1);
    expect(r.sets.map((x) => x.changes.map((c) => c.id))).to.deep.equal([['356da6d0cde3']]);
  });
});
