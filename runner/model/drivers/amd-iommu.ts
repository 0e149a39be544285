// amd-iommu (drivers/iommu/amd/init.c + iommu.c, AMD-Vi): fwspec-less, registered from
// amd_iommu_init() → iommu_go_to_state(), as the premature-WARN report's trace shows.

import { devName } from '../kernel/device-printk.js';
import { fwspeclessDriver } from './fwspecless.js';

export const amdIommu = fwspeclessDriver({
  name: 'amd-iommu',
  symbol: 'amd_iommu',
  initFrames: ['iommu_go_to_state'],
  before: () => [],
  after: () => ['AMD-Vi: Interrupt remapping enabled'],
  // amd_iommu_report_page_fault(): dev_err on the faulting function, pr_fmt "AMD-Vi: "
  fault: (_inst, dev, iova) => `${devName(dev)}: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0000 address=0x${iova.toString(16)} flags=0x0020]`,
});
