// rockchip-iommu (drivers/iommu/rockchip-iommu.c, kernel driver "rk_iommu"). A file-scope
// `dma_dev` — "the first registered IOMMU device for domain to use with DMA API" — is
// what rk_iommu_of_xlate allocates its per-device data against and what page-directory
// allocations are mapped through. Until f90aa59eb299 rk_iommu_probe set it only after
// iommu_device_register(), and until f48dcda8f6a4 of_xlate allocated against it: harmless
// while of_xlate ran at client bind, fatal once bcb81ac6ae3c runs it from the
// registration's own bus walk (or a client probes concurrently inside the window).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device, DeviceLink } from '../core/device.js';
import type { IommuInstance } from '../iommu/instance.js';
import { Domain } from '../iommu/group.js';
import { devName } from '../kernel/device-printk.js';
import { oops } from '../kernel/reports.js';
import { devIommuGet } from '../iommu/fwspec.js';
import { genericSingleDeviceGroup } from '../iommu/core.js';
import { deviceLinkAdd, deviceLinkDel } from '../core/links.js';
import { ENODEV, driverGlobals, publishDrvdata, registerAroundSetup, wellBehaved } from './common.js';

interface RkGlobals {
  /** static struct device *dma_dev */
  dmaDev: IommuInstance | null;
}

function globals(k: KernelCtx): RkGlobals {
  return driverGlobals(k, () => ({ dmaDev: null }), 'rockchip');
}

/** struct rk_iommudata: dev_iommu_priv of a client */
interface RkIommuData {
  iommu: IommuInstance;
  link: DeviceLink | null;
}

function rkData(dev: Device): RkIommuData | null {
  return (dev.iommu?.priv as RkIommuData | null | undefined) ?? null;
}

function setDmaDev(k: KernelCtx, inst: IommuInstance): void {
  const g = globals(k);
  if (!g.dmaDev) g.dmaDev = inst;
}

function rkIommuProbe(k: KernelCtx, inst: IommuInstance): number {
  return k.call('rk_iommu_probe', () => {
    // platform_set_drvdata() comes early in every version
    publishDrvdata(inst);
    // "Register in a sensible order": dma_dev, runtime PM, IRQs and mask first
    return registerAroundSetup(k, inst, 'f90aa59eb299', () => setDmaDev(k, inst));
  });
}

function rkIommuOfXlate(k: KernelCtx, dev: Device, inst: IommuInstance): number {
  return k.call('rk_iommu_of_xlate', () => {
    // before f48dcda8f6a4: devm_kzalloc(dma_dev, ...) — devres_add() on dma_dev
    // dereferences it (the devres lock at offset 0x3e8 of struct device); after it, the
    // data hangs off the IOMMU's own device. f90aa59eb299 alone avoids the crash too:
    // dma_dev is then set before anything can reach of_xlate
    const owner = k.has('f48dcda8f6a4') ? inst : globals(k).dmaDev;
    if (!owner) oops(k, { addr: 0x3e8, pc: 'devm_kmalloc', lr: 'rk_iommu_of_xlate' });
    // data->iommu = platform_get_drvdata(of_find_device_by_node(args->np))
    const data: RkIommuData = { iommu: inst, link: null };
    devIommuGet(dev).priv = data;
    return 0;
  });
}

export const rockchipIommu = wellBehaved('rockchip-iommu', 'rk_iommu', 'rk_iommu', {
  suppressBindAttrs: true,
  probe: rkIommuProbe,
  ofXlate: (k, dev, inst) => rkIommuOfXlate(k, dev, inst),
  probeDevice(k, dev) {
    return k.call('rk_iommu_probe_device', () => {
      const data = rkData(dev);
      if (!data) return -ENODEV;
      const iommu = data.iommu;
      // the IOMMU is runtime-PM'd through its clients
      if (iommu.dev) data.link = deviceLinkAdd(k, dev, iommu.dev, 'rk_iommu', true);
      return iommu;
    });
  },
  releaseDevice(k, dev) {
    k.call('rk_iommu_release_device', () => {
      const data = rkData(dev);
      if (data?.link) deviceLinkDel(k, data.link);
      if (data) data.link = null;
    });
  },
  deviceGroup(k, dev, inst) {
    return genericSingleDeviceGroup(k, dev, inst);
  },
  domainAlloc(k, inst, type) {
    return k.call('rk_iommu_domain_alloc_paging', () => {
      // the page directory is dma_map_single()d on dma_dev: no dma_dev, no domain —
      // until dcde1c4aa7ce maps it on the domain's own IOMMU device instead
      if (!k.has('dcde1c4aa7ce') && !globals(k).dmaDev) return null;
      return new Domain(type, inst);
    });
  },
  contextFault(k, inst, dev, iova) {
    // rk_iommu_irq(): a page fault on the IOMMU's own device
    const where = inst.dev ? devName(inst.dev) : `rk_iommu ${inst.name}`;
    k.log(`${where}: Page fault at 0x${iova.toString(16).padStart(8, '0')} of type read`);
    k.log(`${where}: iova = 0x${iova.toString(16).padStart(8, '0')}: dte_index: 0x${(Math.floor(iova / 2 ** 22) & 0x3ff).toString(16)} pte_index: 0x${(Math.floor(iova / 4096) & 0x3ff).toString(16)} page_offset: 0x${(iova & 0xfff).toString(16)}`);
    void dev;
  },
});
