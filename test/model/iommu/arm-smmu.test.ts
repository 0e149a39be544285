// arm-smmu (Qualcomm SMMU-500): with b67483b3c44e and without 8b80549f1bc6 a client
// that deferred once keeps dma-direct inside its DMA domain; its first DMA faults.

import { expect } from 'chai';
import { board, device, driver, iommu, kernel, lines, text } from './helpers.js';
import type { KernelRef } from '../../../runner/model/profiles/resolve.js';

const sc8180x = board({
  id: 'sc8180x-primus',
  model: 'Qualcomm Technologies, Inc. SC8180x Primus (DT)',
  memory: [{ base: 0x80000000, size: 0x80000000 }, { base: 0x100000000, size: 0x100000000 }],
  iommus: [iommu('15000000.iommu', 'arm-smmu')],
  devices: [device('1d84000.ufshc', 'ufshcd-qcom', [{ iommu: '15000000.iommu', ids: [0x300] }], { dmaBits: 64 })],
  drivers: [driver('ufshcd-qcom', [{ kind: 'dma-transfer', size: 4096 }, { kind: 'log', text: 'scsi host0: ufshcd' }])],
});

/** the UFS probe defers once (its PHY is not there yet), then runs again from the deferred list */
function deferOnce(profile: KernelRef) {
  const k = kernel(sc8180x, profile);
  k.perform({ op: 'fail-probe', device: '1d84000.ufshc', errno: -517, at: 0, times: 1 });
  k.perform({ op: 'boot', hold: [] });
  return k;
}

const FAULT = /^arm-smmu 15000000\.iommu: Unhandled context fault: fsr=0x402, iova=0x[0-9a-f]{8,}, fsynr=0x[0-9a-f]+, cbfrsynra=0x300, cb=\d+$/;

describe('model/iommu arm-smmu', () => {
  it('next-20240430: the re-probe uses dma-direct addresses as IOVAs: Unhandled context fault, probe fails -EIO', () => {
    const k = deferOnce('next-20240430');
    const log = lines(k);
    const fault = log.findIndex((l) => FAULT.test(l));
    expect(fault).to.be.greaterThan(-1, text(k));
    // the "IOVA" is the buffer's physical address in the top bank
    expect(log[fault]).to.include('iova=0x1fffff000');
    expect(log[fault + 1]).to.equal('ufshcd-qcom 1d84000.ufshc: probe with driver ufshcd-qcom failed with error -5');
    expect(log).to.include('ufshcd-qcom 1d84000.ufshc: Adding to iommu group 0');
    expect(text(k)).to.not.include('scsi host0: ufshcd');
    expect(k.device('1d84000.ufshc')).to.include({ bound: false, group: 0 });
  });

  for (const profile of ['v6.10', 'v6.9']) {
    it(`${profile}: the same deferral keeps iommu-dma ops, no fault`, () => {
      const k = deferOnce(profile);
      expect(text(k)).to.not.include('Unhandled context fault');
      expect(lines(k)).to.include('ufshcd-qcom 1d84000.ufshc: scsi host0: ufshcd');
      expect(k.device('1d84000.ufshc')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
      expect(k.checks()).to.deep.equal([]);
    });
  }

  it('next-20240430 without a deferral: no fault', () => {
    const k = kernel(sc8180x, 'next-20240430');
    k.perform({ op: 'boot', hold: [] });
    expect(text(k)).to.not.include('Unhandled context fault');
    expect(k.device('1d84000.ufshc')).to.include({ bound: true, dmaOps: 'iommu' });
  });
});
