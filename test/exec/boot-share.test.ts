// The model target's boot sharing (runner/exec/targets/model.ts): runs that open with the
// same boot start from a copy of one booted kernel. Whatever a run reports, and every line
// of its log, must be what a run that booted for itself reports.

import { expect } from 'chai';
import { loadPlan } from '../../runner/dsl/index.js';
import type { PlanRun } from '../../runner/dsl/index.js';
import { executeRun } from '../../runner/exec/execute.js';
import { createModelTarget } from '../../runner/exec/targets/model.js';
import { loadTarget } from '../../runner/exec/targets/index.js';
import { EventRecord, createKernel, restoreKernel } from '../../runner/model/index.js';
import type { Kernel, KernelSnapshot } from '../../runner/model/index.js';
import type { RunResult } from '../../runner/report/result.js';

function runsOf(files: string[]): PlanRun[] {
  const { plan, diagnostics } = loadPlan(files);
  expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  return plan.runs;
}

/** a target that shares boots, counting the kernels it boots and the copies it restores */
function countingTarget(): { target: ReturnType<typeof createModelTarget>; made: () => number; restored: () => number } {
  let made = 0;
  let restored = 0;
  const target = createModelTarget(
    (b, p, o) => {
      made++;
      return createKernel(b, p, o);
    },
    {},
    (s: KernelSnapshot): Kernel => {
      restored++;
      return restoreKernel(s);
    },
  );
  return { target, made: () => made, restored: () => restored };
}

async function results(runs: PlanRun[], target: ReturnType<typeof createModelTarget>): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const r of runs) out.push(await executeRun(r, target, { keepLog: true, trace: true }));
  return out;
}

describe('exec/model target: runs that boot alike share one boot', function () {
  this.timeout(60_000);

  it('reports, run for run and line for line, what runs that each boot for themselves report', async () => {
    // unbind/bind runs share their boot; failed-probe runs arm a fault first and boot alone
    const runs = runsOf(['suites/salvator-xs-m3n-bringup.yaml', 'suites/ipmmu-late-probe-warn.yaml', 'suites/hisi-sas-probe-failure.yaml']);
    const shared = countingTarget();
    const got = await results(runs, shared.target);
    const want = await results(runs, createModelTarget(createKernel));
    expect(got.length).to.equal(want.length);
    for (let i = 0; i < want.length; i++) expect(got[i], want[i]!.label).to.deep.equal(want[i]);
    // the sharing happened: most runs of the bringup suite start from a copy
    expect(shared.restored()).to.be.greaterThan(10);
    expect(shared.made() + shared.restored()).to.equal(runs.length);
  });

  it('boots for itself every run whose first step is not its boot', async () => {
    const runs = runsOf(['suites/salvator-xs-m3n-bringup.yaml']).filter((r) => {
      const first = r.steps[0]!;
      return 'expect' in first || first.step.op !== 'boot';
    });
    expect(runs.length).to.be.greaterThan(5);
    const shared = countingTarget();
    // twice: the second time round, each of them has been seen before
    await results(runs, shared.target);
    await results(runs, shared.target);
    expect(shared.restored()).to.equal(0);
    expect(shared.made()).to.equal(2 * runs.length);
  });

  it('only the second run of a boot pays for the snapshot, and only later ones restore', async () => {
    const run = runsOf(['suites/salvator-xs-m3n-bringup.yaml']).find((r) => r.scenario === 'boot')!;
    const shared = countingTarget();
    const logs: string[][] = [];
    for (let i = 0; i < 4; i++) logs.push((await executeRun(run, shared.target, { keepLog: true })).log!.map((l) => l.text));
    expect(shared.made()).to.equal(2);
    expect(shared.restored()).to.equal(2);
    for (const l of logs) expect(l).to.deep.equal(logs[0]);
  });

  it('does not share under an event record (explain sees every boot as it runs)', async () => {
    const run = runsOf(['suites/salvator-xs-m3n-bringup.yaml']).find((r) => r.scenario === 'boot')!;
    let restored = 0;
    const target = createModelTarget(createKernel, { events: new EventRecord() }, (s) => {
      restored++;
      return restoreKernel(s);
    });
    for (let i = 0; i < 3; i++) await executeRun(run, target);
    expect(restored).to.equal(0);
  });

  it('the CLI\'s model target (loadTarget) prints what kernels that boot for themselves print', async () => {
    const runs = runsOf(['suites/salvator-xs-m3n-bringup.yaml']).filter((r) => r.scenario === 'boot' || r.scenario.startsWith('unbind-bind-all'));
    const builtIn = await loadTarget('model');
    const a: RunResult[] = [];
    for (const r of runs) a.push(await executeRun(r, builtIn, { keepLog: true }));
    const b = await results(runs, createModelTarget(createKernel));
    for (let i = 0; i < b.length; i++) expect(a[i]!.log).to.deep.equal(b[i]!.log);
  });
});
