// arm-smmu-v3 (drivers/iommu/arm/arm-smmu-v3): the well-behaved reference driver. On
// Taishan its instances come from IORT and are named arm-smmu-v3.N.auto; clients get
// their stream IDs from IORT named components or the PCI root complex.

import { genericDeviceGroup, iommuGroupAlloc } from '../iommu/core.js';
import { registerInSensibleOrder, wellBehaved, xlateToPriv } from './common.js';

export const armSmmuV3 = wellBehaved('arm-smmu-v3', 'arm-smmu-v3', 'arm_smmu', {
  ofDeclared: true,
  initFn: 'arm_smmu_driver_init',
  suppressBindAttrs: true,
  probe(k, inst) {
    return k.call('arm_smmu_device_probe', () => {
      k.log(`arm-smmu-v3 ${inst.name}: ias 48-bit, oas 48-bit (features 0x00000fef)`);
      k.log(`arm-smmu-v3 ${inst.name}: allocated 65536 entries for cmdq`);
      k.log(`arm-smmu-v3 ${inst.name}: allocated 32768 entries for evtq`);
      return registerInSensibleOrder(k, inst);
    });
  },
  ofXlate(k, dev, inst, ids) {
    // under ACPI the stream IDs come from IORT (named component or PCI root complex ID
    // mappings): iort_iommu_xlate → acpi_iommu_fwspec_init adds them, no driver callback
    if (k.firmware === 'acpi') return k.call('acpi_iommu_fwspec_init', () => xlateToPriv(k, dev, inst, ids));
    return k.call('arm_smmu_of_xlate', () => xlateToPriv(k, dev, inst, ids));
  },
  deviceGroup(k, dev, inst) {
    // PCI functions get ACS-isolated groups of their own; platform devices one each
    return k.call('arm_smmu_device_group', () => (dev.bus === 'pci' ? k.call('pci_device_group', () => iommuGroupAlloc(k, inst)) : genericDeviceGroup(k, dev, inst)));
  },
  contextFault(k, inst, dev, iova) {
    k.log(`arm-smmu-v3 ${inst.name}: event 0x10 received:`);
    k.log(`arm-smmu-v3 ${inst.name}: \t0x${(dev.iommu?.ids[0] ?? 0).toString(16).padStart(8, '0')}00000010`);
    k.log(`arm-smmu-v3 ${inst.name}: \t0x${iova.toString(16).padStart(16, '0')}`);
  },
});
