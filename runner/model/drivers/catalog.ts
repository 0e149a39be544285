// The IOMMU driver catalog of MODEL.md, by the name boards use in `driver:`.

import type { IommuDriverImpl } from '../iommu/driver-impl.js';
import { armSmmuV3 } from './arm-smmu-v3.js';
import { ENODEV, wellBehaved } from './common.js';

function fwspecless(name: string, symbol: string): IommuDriverImpl {
  return wellBehaved(name, name, symbol, {
    fwspecless: true,
    initcallRegistered: true,
    initcall: 'arch',
    probeDevice(k, dev) {
      // every device is offered; only PCI devices are behind the remapping hardware
      return k.call(`${symbol}_probe_device`, () => (dev.bus === 'pci' ? (k.iommuDeviceList.find((i) => i.impl.name === name) ?? -ENODEV) : -ENODEV));
    },
    probeFinalize(k, dev) {
      if (dev.group?.defaultDomain?.type === 'dma') dev.dmaOps = 'iommu';
    },
  });
}

const CATALOG = new Map<string, IommuDriverImpl>([
  ['arm-smmu-v3', armSmmuV3],
  // placeholders until each driver's own file models its quirks
  ['ipmmu-vmsa', wellBehaved('ipmmu-vmsa', 'ipmmu-vmsa', 'ipmmu', { initcall: 'subsys', ofDeclared: true })],
  ['rockchip-iommu', wellBehaved('rockchip-iommu', 'rk_iommu', 'rk_iommu')],
  ['mtk-iommu', wellBehaved('mtk-iommu', 'mtk-iommu', 'mtk_iommu')],
  ['exynos-sysmmu', wellBehaved('exynos-sysmmu', 'exynos-sysmmu', 'exynos_iommu', { initcall: 'core' })],
  ['arm-smmu', wellBehaved('arm-smmu', 'arm-smmu', 'arm_smmu')],
  ['intel-iommu', fwspecless('intel-iommu', 'intel_iommu')],
  ['amd-iommu', fwspecless('amd-iommu', 'amd_iommu')],
  ['virtio-iommu', wellBehaved('virtio-iommu', 'virtio_iommu', 'viommu', { initcall: 'module' })],
]);

export const IOMMU_DRIVER_NAMES: readonly string[] = [...CATALOG.keys()];

export function findIommuDriver(name: string): IommuDriverImpl | undefined {
  return CATALOG.get(name);
}
