import { expect } from 'chai';
import { executeAll } from '../../runner/exec/run-all.js';
import { buildTree, render } from '../../runner/report/index.js';
import type { PlanRun } from '../../runner/dsl/plan.js';
import { BIND, BOOT, UNBIND, block, lit, mkRun, step } from './fake.js';

const FAKE_MODEL = new URL('./fake-model.js', import.meta.url).href;

function manyRuns(n: number): PlanRun[] {
  const runs: PlanRun[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    if (kind === 0) runs.push(mkRun({ scenario: `probe-${i}`, expect: block({ log: [lit('Adding to iommu group')] }) }));
    else if (kind === 1) runs.push(mkRun({ scenario: `unbind-${i}`, kernel: 'v5.0', steps: [step(BOOT, 12), step(UNBIND, 13)], knownBad: { kernel: 'v5.0', fixedBy: '376991db4b64', log: [lit('BUG: Bad page state')] } }));
    else if (kind === 2) runs.push(mkRun({ scenario: `panic-${i}`, steps: [step(BOOT, 12), step({ op: 'add-device', device: 'dev1' }, 13), step(BIND, 14)] }));
    else runs.push(mkRun({ scenario: `error-${i}`, steps: [step(BOOT, 12), step({ op: 'remove-device', device: 'dev0' }, 13)] }));
  }
  return runs;
}

describe('exec/pool (--jobs)', () => {
  it('gives the same results, in the same order, on 1 and 3 threads', async () => {
    const runs = manyRuns(40);
    const seen: string[] = [];
    const one = await executeAll(runs, { target: 'model', kernelModule: FAKE_MODEL, jobs: 1 });
    const three = await executeAll(runs, { target: 'model', kernelModule: FAKE_MODEL, jobs: 3, onResult: (r) => seen.push(r.label) });
    expect(seen).to.have.length(40);
    expect(three.map((r) => r.status)).to.deep.equal(one.map((r) => r.status));
    expect(one.slice(0, 4).map((r) => r.status)).to.deep.equal(['PASS', 'XFAIL', 'FAIL', 'ERROR']);
    // error stacks name the thread's module URLs identically; everything else must match too
    const tap = async (rs: typeof one) => render('tap', buildTree(rs), { versionLine: true });
    expect(await tap(three)).to.equal(await tap(one));
    const junit = async (rs: typeof one) => render('junit', buildTree(rs), { versionLine: true });
    const keep = { target: 'model' as const, kernelModule: FAKE_MODEL, keepLog: true };
    expect(await junit(await executeAll(runs, { ...keep, jobs: 4 }))).to.equal(await junit(await executeAll(runs, { ...keep, jobs: 1 })));
  });
});
