// fw_devlink and the IOMMU lookup's give-up check as behaviours, each toggled alone: whether a
// DT client waits for its IOMMU's device through a device link (drivers/base/core.c,
// drivers/of/property.c), and whether of_iommu asks driver_deferred_probe_check_state().

import { expect } from 'chai';
import { lateSmmuClient, run } from './helpers.js';

const { board: late, held: HELD, late: LATE } = lateSmmuClient();
const GAVE_UP = 'foo-dma 1000000.dma: deferred probe timeout, ignoring dependency';

/** the client waited (at the link, or at the lookup) and bound behind the SMMU */
function waitedForTheSmmu(r: ReturnType<typeof run>): void {
  expect(r.text).to.not.include('ignoring dependency');
  expect(r.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'iommu' });
}

describe('model behaviours of fw_devlink and the IOMMU lookup (each toggled alone)', () => {
  it('e590474768f1: with it (and `iommus` still mandatory) the client waits for the SMMU\'s device; without it the lookup gives up at late_initcall', () => {
    waitedForTheSmmu(run(late, { base: 'v5.11', apply: ['e590474768f1'] }, [HELD, LATE]));
    expect(run(late, 'v5.11', [HELD, LATE]).lines).to.include(GAVE_UP);
  });

  it('a9dd8f3c2cf3: with it `iommus` is optional and makes no link; without it fw_devlink links the client to the SMMU', () => {
    expect(run(late, { base: 'v5.11', apply: ['e590474768f1', 'a9dd8f3c2cf3'] }, [HELD, LATE]).lines).to.include(GAVE_UP);
    waitedForTheSmmu(run(late, { base: 'v5.11', apply: ['e590474768f1'] }, [HELD, LATE]));
  });

  it('3e4c982f1ce7: with it fw_devlink is off again; without it the link holds the client', () => {
    expect(run(late, { base: 'v5.11', apply: ['e590474768f1', '3e4c982f1ce7'] }, [HELD, LATE]).lines).to.include(GAVE_UP);
    waitedForTheSmmu(run(late, { base: 'v5.11', apply: ['e590474768f1'] }, [HELD, LATE]));
  });

  it('ea718c699055: with it fw_devlink is on (a mandatory `iommus` links); without it not', () => {
    waitedForTheSmmu(run(late, { base: 'v5.11', apply: ['ea718c699055'] }, [HELD, LATE]));
    expect(run(late, 'v5.11', [HELD, LATE]).lines).to.include(GAVE_UP);
  });

  it('71066545b48e: with it (strict, before its revert) the optional `iommus` links; without it not', () => {
    const on = run(late, { base: 'v6.0', revert: ['d8ab4685adc1'] }, [HELD, LATE]);
    waitedForTheSmmu(on);
    expect(on.k.devicesDeferred()).to.deep.equal([]);
    const held = run(late, { base: 'v6.0', revert: ['d8ab4685adc1'] }, [HELD, { op: 'deferred-timeout' }]);
    expect(held.k.devicesDeferred()).to.deep.equal(['1000000.dma\tplatform: supplier 9050000.smmu not ready']);
    const off = run(late, { base: 'v6.0', revert: ['d8ab4685adc1', '71066545b48e'] }, [HELD, { op: 'deferred-timeout' }]);
    expect(off.lines).to.include(GAVE_UP);
  });

  it('d8ab4685adc1: with it (v6.0) no link: the 10 s timeout lets the client go on without the SMMU; without it the link holds it', () => {
    const on = run(late, 'v6.0', [HELD, { op: 'deferred-timeout' }]);
    expect(on.lines).to.include(GAVE_UP);
    expect(on.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'direct' });
    const off = run(late, { base: 'v6.0', revert: ['d8ab4685adc1'] }, [HELD, { op: 'deferred-timeout' }]);
    expect(off.text).to.not.include('ignoring dependency');
    expect(off.k.device('1000000.dma')).to.include({ bound: false, deferred: true });
  });

  it('b09796d528bb: with it the DT lookup answers -ENODEV for the held SMMU and the client binds at once without it; without it the client defers and gives up at late_initcall', () => {
    const on = run(late, { base: 'v5.19', apply: ['b09796d528bb'] }, [HELD, LATE]);
    expect(on.text).to.not.include('ignoring dependency');
    expect(on.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'direct', group: null });
    expect(run(late, 'v5.19', [HELD]).lines).to.include(GAVE_UP);
  });

  it('a4f124908617: with it (v6.0) the client waits for the module SMMU and binds behind it; without it the client went on without the SMMU', () => {
    waitedForTheSmmu(run(late, 'v6.0', [HELD, LATE]));
    const off = run(late, { base: 'v6.0', revert: ['a4f124908617'] }, [HELD, LATE]);
    expect(off.text).to.not.include('ignoring dependency');
    expect(off.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'direct', group: null });
  });
});
