// Bus types: how a driver matches a device, and the bus dma_configure/dma_cleanup
// hooks really_probe calls (platform/amba/pci → the firmware's DMA configuration).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import type { Driver } from './driver.js';
import { ofDmaConfigure } from '../iommu/of.js';
import { acpiDmaConfigure } from '../iommu/iort.js';
import { iommuDeviceUseDefaultDomain, iommuDeviceUnuseDefaultDomain } from '../iommu/core.js';
import { archTeardownDmaOps } from '../dma/arch.js';

export function driverMatchDevice(_k: KernelCtx, drv: Driver, dev: Device): boolean {
  if (drv.bus !== dev.bus) return false;
  if (drv.iommuImpl) return dev.iommuInstance?.impl === drv.iommuImpl;
  return dev.matchDriver === drv.name;
}

function dmaConfigureFn(dev: Device): string {
  return dev.bus === 'pci' ? 'pci_dma_configure' : dev.bus === 'amba' ? 'amba_dma_configure' : 'platform_dma_configure';
}

/** bus->dma_configure(): firmware DMA set-up, then (512881eacfa7) claim the default domain */
export function busDmaConfigure(k: KernelCtx, dev: Device): number {
  return k.callWith(dmaConfigureFn(dev), dmaConfigure, dev, undefined, undefined);
}

function dmaConfigure(k: KernelCtx, dev: Device): number {
  let ret = k.firmware === 'acpi' ? acpiDmaConfigure(k, dev) : ofDmaConfigure(k, dev);
  // "@drv may not be valid when we're called from the IOMMU layer" (bcb81ac6ae3c)
  if (ret !== 0 || !dev.driver || dev.driver.driverManagedDma) return ret;
  // 512881eacfa7: the bus claims the default domain for the driver (DMA ownership)
  if (!k.on.dmaOwnership) return ret;
  ret = iommuDeviceUseDefaultDomain(k, dev);
  if (ret !== 0) archTeardownDmaOps(k, dev);
  return ret;
}

/** bus->dma_cleanup(): give the default domain back */
export function busDmaCleanup(k: KernelCtx, dev: Device): void {
  if (dev.driver?.driverManagedDma) return;
  iommuDeviceUnuseDefaultDomain(k, dev);
}
