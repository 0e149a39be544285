// intel-iommu (drivers/iommu/intel/iommu.c, VT-d DMAR units, e.g. dmar0 on q35):
// fwspec-less, registered from intel_iommu_init(). Lines as QEMU q35 prints them.

import { fwspeclessDriver } from './fwspecless.js';

export const intelIommu = fwspeclessDriver({
  name: 'intel-iommu',
  symbol: 'intel_iommu',
  initFrames: [],
  before: (inst) => [`DMAR: ${inst.name}: Using Queued invalidation`],
  after: () => ['DMAR: Intel(R) Virtualization Technology for Directed I/O'],
  fault: (inst, dev, iova) =>
    `DMAR: [DMA Read NO_PASID] Request device [${dev.name.replace(/^[0-9a-f]{4}:/, '')}] fault addr 0x${iova.toString(16)} [fault reason 0x06] PTE Read access is not set (${inst.name})`,
});
