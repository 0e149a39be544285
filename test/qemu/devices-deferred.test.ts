// The model's /sys/kernel/debug/devices_deferred against the real kernel's, step by step, for
// the deferral scenarios of suites/qemu-virt-conformance.yaml (Debian's 6.12 in QEMU; the
// suite's profile is v6.10: both print "%s\t%s" with the reason, here none — probetest and
// the IOMMU wait give no dev_err_probe reason — so every line keeps its dangling tab).
// Needs the assets of `npm run setup:qemu`; without them it is skipped with the reason.

import { expect } from 'chai';
import path from 'node:path';
import { loadPlan } from '../../runner/dsl/index.js';
import { createModelTarget } from '../../runner/exec/targets/model.js';
import { createQemuTarget } from '../../runner/exec/targets/qemu/index.js';
import { loadAssets, repoRoot } from '../../runner/exec/targets/qemu/assets.js';
import { createKernel } from '../../runner/model/index.js';
import { describeStep } from '../../runner/exec/execute.js';

const SCENARIOS = ['probe-defer-at-registration', 'deferred-probe-timeout', 'bind-probe-defer-eagain'];

describe('qemu target: devices_deferred, model against the real kernel', function () {
  this.timeout(600_000);
  const assets = loadAssets();

  beforeEach(function () {
    if (!assets.ok) {
      if (this.currentTest) this.currentTest.title += ` (skipped: ${assets.reason})`;
      this.skip();
    }
  });

  const { plan } = loadPlan([path.join(repoRoot(), 'suites', 'qemu-virt-conformance.yaml')]);
  for (const scenario of SCENARIOS) {
    it(`${scenario}: the same lines after every step`, async () => {
      const run = plan.runs.find((r) => r.scenario === scenario)!;
      const model = await createModelTarget(createKernel).open(run);
      const real = await createQemuTarget().open(run);
      const seen: string[] = [];
      try {
        for (const s of run.steps) {
          if (!('step' in s)) continue;
          await model.perform(s.step);
          await real.perform(s.step);
          const want = await model.devicesDeferred!();
          const got = await real.devicesDeferred!();
          expect(got, `after ${describeStep(s.step)}`).to.deep.equal(want);
          seen.push(...(want ?? []));
        }
      } finally {
        await real.close();
      }
      // the boot-time deferrals were seen (a sysfs bind's -EPROBE_DEFER is not queued from v5.14)
      if (scenario !== 'bind-probe-defer-eagain') expect(seen.length).to.be.greaterThan(0);
      expect(seen.every((l) => /^\S+\t$/.test(l))).to.equal(true);
    });
  }
});
