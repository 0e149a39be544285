// The catalog of MODEL.md: every driver name boards use, with the kernel's own driver
// names (what dev_printk prints) and the initcall each registers from.

import { expect } from 'chai';
import { IOMMU_DRIVER_NAMES } from '../../../runner/model/index.js';
import { findIommuDriver } from '../../../runner/model/drivers/catalog.js';

describe('model/iommu catalog', () => {
  it('has every driver of MODEL.md, in the board schema\'s order', () => {
    expect(IOMMU_DRIVER_NAMES).to.deep.equal([
      'ipmmu-vmsa', 'rockchip-iommu', 'mtk-iommu', 'exynos-sysmmu', 'arm-smmu', 'arm-smmu-v3', 'intel-iommu', 'amd-iommu', 'virtio-iommu',
    ]);
  });

  it('uses the kernel\'s driver names and registration points', () => {
    const view = (n: string) => {
      const d = findIommuDriver(n)!;
      return [d.driverName, d.initcall, Boolean(d.fwspecless), Boolean(d.initcallRegistered)];
    };
    expect(view('ipmmu-vmsa')).to.deep.equal(['ipmmu-vmsa', 'subsys', false, false]);
    expect(view('rockchip-iommu')).to.deep.equal(['rk_iommu', 'device', false, false]);
    expect(view('mtk-iommu')).to.deep.equal(['mtk-iommu', 'device', false, false]);
    expect(view('exynos-sysmmu')).to.deep.equal(['exynos-sysmmu', 'core', false, false]);
    expect(view('arm-smmu')).to.deep.equal(['arm-smmu', 'device', false, false]);
    expect(view('arm-smmu-v3')).to.deep.equal(['arm-smmu-v3', 'device', false, false]);
    expect(view('intel-iommu')).to.deep.equal(['intel-iommu', 'arch', true, true]);
    expect(view('amd-iommu')).to.deep.equal(['amd-iommu', 'arch', true, true]);
    expect(view('virtio-iommu')).to.deep.equal(['virtio_iommu', 'module', false, false]);
    expect(findIommuDriver('omap-iommu')).to.equal(undefined);
  });

  it('rockchip, exynos and arm-smmu-v3 have no sysfs bind/unbind (suppress_bind_attrs)', () => {
    expect(IOMMU_DRIVER_NAMES.filter((n) => findIommuDriver(n)!.suppressBindAttrs)).to.deep.equal(['rockchip-iommu', 'exynos-sysmmu', 'arm-smmu-v3']);
  });

  it('only ipmmu-vmsa refuses devices by an allowlist; the x86 units take PCI functions only', () => {
    expect(Object.keys(Object.fromEntries(IOMMU_DRIVER_NAMES.filter((n) => findIommuDriver(n)!.accepts).map((n) => [n, 1])))).to.deep.equal([
      'ipmmu-vmsa', 'intel-iommu', 'amd-iommu',
    ]);
  });
});
