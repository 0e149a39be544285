// Building blocks the catalog drivers share: the "sensible order" platform probe
// (publish drvdata, then register), fwspec-based xlate/probe_device, and plain domains.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { IommuDriverImpl } from '../iommu/driver-impl.js';
import type { IommuInstance } from '../iommu/instance.js';
import { Domain, type DomainType, type Group } from '../iommu/group.js';
import { ERRNO } from '../kernel/errno.js';
import { devIommuGet, iommuFwspecAddIds } from '../iommu/fwspec.js';
import { genericDeviceGroup, iommuDeviceRegister } from '../iommu/core.js';

export const ENODEV = ERRNO.ENODEV!;
export const EINVAL = ERRNO.EINVAL!;
export const ENXIO = ERRNO.ENXIO!;
export const EBUSY = ERRNO.EBUSY!;
export const ENOMEM = ERRNO.ENOMEM!;
export const EPROBE_DEFER = ERRNO.EPROBE_DEFER!;

/**
 * A driver's file-scope globals (rockchip's dma_dev, mtk's shared hw_list), one set per
 * simulated kernel so two kernels in one process never share them. They live on the
 * kernel: the canonical state (explore) reads them there, and a snapshot copies them.
 */
export function driverGlobals<T extends object>(k: KernelCtx, init: () => T, name: string): T {
  let g = k.globals.get(name) as T | undefined;
  if (!g) k.globals.set(name, (g = init()));
  return g;
}

/** platform_set_drvdata(): from now on platform_get_drvdata() on the instance returns data */
export function publishDrvdata(inst: IommuInstance, data: Record<string, unknown> = {}): void {
  inst.drvdata = { ...inst.state, ...data };
}

/** iommu_device_sysfs_add() + iommu_device_register(), with nothing published first */
export function registerOnly(k: KernelCtx, inst: IommuInstance): number {
  k.call('iommu_device_sysfs_add', () => undefined);
  return iommuDeviceRegister(k, inst);
}

/**
 * The probe-order quirk several drivers shared: the last piece of set-up (drvdata, a
 * global, a list) runs before iommu_device_register() once `fix` landed, after it before —
 * so the registration's bus walk sees it missing.
 */
export function registerAroundSetup(k: KernelCtx, inst: IommuInstance, fix: string, setup: () => void): number {
  if (k.has(fix)) {
    setup();
    return registerOnly(k, inst);
  }
  const r = registerOnly(k, inst);
  if (r !== 0) return r;
  setup();
  return 0;
}

/** platform_set_drvdata() then iommu_device_sysfs_add() + iommu_device_register() */
export function registerInSensibleOrder(k: KernelCtx, inst: IommuInstance, data: Record<string, unknown> = {}): number {
  publishDrvdata(inst, data);
  return registerOnly(k, inst);
}

/** the instance a device's fwspec names, as drivers keep it in dev_iommu_priv */
export function xlateToPriv(_k: KernelCtx, dev: Device, inst: IommuInstance, ids: readonly number[]): number {
  iommuFwspecAddIds(dev, ids);
  const di = devIommuGet(dev);
  if (!di.priv) di.priv = inst.drvdata ? inst : null;
  return 0;
}

export function privInstance(dev: Device): IommuInstance | number {
  const priv = dev.iommu?.priv as IommuInstance | null | undefined;
  return priv ?? -ENODEV;
}

export function plainDomainAlloc(_k: KernelCtx, inst: IommuInstance, type: DomainType): Domain | null {
  return new Domain(type, inst);
}

/** A well-behaved driver: the template the catalog entries start from. */
export function wellBehaved(name: string, driverName: string, symbol: string, overrides: Partial<IommuDriverImpl> = {}): IommuDriverImpl {
  // the frame names, made once per driver, not at every call of every device's probe
  const probeFn = `${symbol}_probe`;
  const ofXlateFn = `${symbol}_of_xlate`;
  const probeDeviceFn = `${symbol}_probe_device`;
  const deviceGroupFn = `${symbol}_device_group`;
  return {
    name,
    driverName,
    symbol,
    initcall: 'device',
    ofDeclared: false,
    probe(k, inst) {
      return k.call(probeFn, () => registerInSensibleOrder(k, inst));
    },
    ofXlate(k, dev, inst, ids) {
      return k.call(ofXlateFn, () => xlateToPriv(k, dev, inst, ids));
    },
    probeDevice(k, dev) {
      return k.call(probeDeviceFn, () => privInstance(dev));
    },
    deviceGroup(k, dev, inst): Group | number {
      return k.call(deviceGroupFn, () => genericDeviceGroup(k, dev, inst));
    },
    domainAlloc: plainDomainAlloc,
    attachDev() {
      return 0;
    },
    domainFree() {},
    contextFault(k, inst, dev, iova) {
      k.log(`${driverName} ${inst.name}: Unhandled context fault: iova=0x${iova.toString(16)} (${dev.name})`);
    },
    ...overrides,
  };
}
