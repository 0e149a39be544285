// The x86 IOMMUs (intel-iommu, amd-iommu): no device of their own and no fwspec. Each
// unit is registered from the driver's initcall (pci_iommu_init → <x>_iommu_init) with
// a NULL fwnode, so the IOMMU core offers EVERY device to their probe_device, which
// filters (PCI functions only). That filtering happening after the core's checks is
// what made bcb81ac6ae3c's premature "late IOMMU probe" WARN fire on x86.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { IommuDriverImpl } from '../iommu/driver-impl.js';
import type { IommuInstance } from '../iommu/instance.js';
import { iommuGroupAlloc } from '../iommu/core.js';
import { iommuSetupDmaOps } from '../dma/arch.js';
import { ENODEV, registerInSensibleOrder, wellBehaved } from './common.js';

export interface FwspeclessSpec {
  name: string;
  /** C prefix: intel_iommu, amd_iommu */
  symbol: string;
  /** frames between <symbol>_init and iommu_device_register (amd: iommu_go_to_state) */
  initFrames: readonly string[];
  /** printed before the unit registers */
  before(inst: IommuInstance): string[];
  /** printed once it has */
  after(inst: IommuInstance): string[];
  /** the fault report of a DMA the unit blocked */
  fault(inst: IommuInstance, dev: Device, iova: number): string;
}

function nested<T>(k: KernelCtx, frames: readonly string[], body: () => T): T {
  if (frames.length === 0) return body();
  return k.call(frames[0]!, () => nested(k, frames.slice(1), body));
}

export function fwspeclessDriver(spec: FwspeclessSpec): IommuDriverImpl {
  const { name, symbol } = spec;
  const probeDeviceFn = `${symbol}_probe_device`;
  const deviceGroupFn = `${symbol}_device_group`;
  const probeFinalizeFn = `${symbol}_probe_finalize`;
  return wellBehaved(name, name, symbol, {
    fwspecless: true,
    initcallRegistered: true,
    // rootfs_initcall(pci_iommu_init): after subsys, before the device drivers
    initcall: 'arch',
    probe(k, inst) {
      for (const line of spec.before(inst)) k.log(line);
      const r = nested(k, spec.initFrames, () => registerInSensibleOrder(k, inst));
      if (r === 0) for (const line of spec.after(inst)) k.log(line);
      return r;
    },
    ofXlate() {
      return -ENODEV;
    },
    probeDevice(k, dev) {
      // every device is offered; only PCI functions sit behind the remapping hardware
      return k.call(probeDeviceFn, () => {
        if (dev.bus !== 'pci') return -ENODEV;
        return k.iommuDeviceList.find((i) => i.impl.name === name) ?? -ENODEV;
      });
    },
    deviceGroup(k, dev, inst) {
      return k.call(deviceGroupFn, () => k.call('pci_device_group', () => iommuGroupAlloc(k, inst)));
    },
    probeFinalize(k, dev) {
      // before b67483b3c44e the x86 drivers installed iommu-dma from .probe_finalize
      if (!k.on.coreSetsDmaOps) k.call(probeFinalizeFn, () => iommuSetupDmaOps(k, dev));
    },
    contextFault(k, inst, dev, iova) {
      k.log(spec.fault(inst, dev, iova));
    },
    accepts(_k, dev) {
      return dev.bus === 'pci';
    },
  });
}
