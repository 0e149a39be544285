// The IOMMU driver catalog of MODEL.md, by the name boards use in `driver:`. Each
// driver is one file with its real quirks, switched by the profile's behaviours.

import type { IommuDriverImpl } from '../iommu/driver-impl.js';
import type { BoardIommu, ModelBoard } from '../types.js';
import { armSmmuV3 } from './arm-smmu-v3.js';
import { armSmmu } from './arm-smmu.js';
import { ipmmuVmsa } from './ipmmu-vmsa.js';
import { rockchipIommu } from './rockchip-iommu.js';
import { mtkIommu } from './mtk-iommu.js';
import { exynosSysmmu } from './exynos-sysmmu.js';
import { intelIommu } from './intel-iommu.js';
import { amdIommu } from './amd-iommu.js';
import { virtioIommu } from './virtio-iommu.js';

/**
 * Every driver as an object of one shape (every key, in one order): the IOMMU core reads
 * `inst.impl.<op>` at every device of every bus walk, and nine object literals of six shapes
 * made those reads megamorphic once a process had run boards of several drivers.
 */
function uniform(d: IommuDriverImpl): IommuDriverImpl {
  return {
    name: d.name,
    driverName: d.driverName,
    symbol: d.symbol,
    initcall: d.initcall,
    initFn: d.initFn,
    initcallRegistered: d.initcallRegistered,
    ofDeclared: d.ofDeclared,
    fwspecless: d.fwspecless,
    suppressBindAttrs: d.suppressBindAttrs,
    probe: d.probe,
    ofXlate: d.ofXlate,
    probeDevice: d.probeDevice,
    deviceGroup: d.deviceGroup,
    domainAlloc: d.domainAlloc,
    attachDev: d.attachDev,
    domainFree: d.domainFree,
    releaseDevice: d.releaseDevice,
    probeFinalize: d.probeFinalize,
    contextFault: d.contextFault,
    accepts: d.accepts,
    checks: d.checks,
    suppliers: d.suppliers,
  };
}

const CATALOG = new Map<string, IommuDriverImpl>(
  [ipmmuVmsa, rockchipIommu, mtkIommu, exynosSysmmu, armSmmu, armSmmuV3, intelIommu, amdIommu, virtioIommu].map((d) => [d.name, uniform(d)]),
);

export const IOMMU_DRIVER_NAMES: readonly string[] = [...CATALOG.keys()];

export function findIommuDriver(name: string): IommuDriverImpl | undefined {
  return CATALOG.get(name);
}

/** what an IOMMU instance of the board waits for before it registers (explore, titles) */
export function iommuSuppliers(board: ModelBoard, node: BoardIommu): string[] {
  return findIommuDriver(node.driver)?.suppliers?.(board, node) ?? [];
}
