// dev->iommu and its fwspec: which IOMMU instance firmware names for a device.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device, DevIommu } from '../core/device.js';
import type { IommuInstance } from './instance.js';
import { ERRNO } from '../kernel/errno.js';
import { deferredProbeCheckState } from '../core/deferred.js';
import { causing } from '../kernel/events.js';

export function devIommuGet(dev: Device): DevIommu {
  if (!dev.iommu) dev.iommu = { fwspecIommu: null, ids: [], priv: null, iommuDev: null };
  return dev.iommu;
}

/** dev_iommu_free(): the fwspec and the driver's per-device data go with it */
export function devIommuFree(dev: Device): void {
  dev.iommu = null;
}

export function fwspecFree(dev: Device): void {
  if (!dev.iommu) return;
  dev.iommu.fwspecIommu = null;
  dev.iommu.ids = [];
}

/** iommu_fwspec_init(): needs the instance registered, else the era's deferral answer */
export function iommuFwspecInit(k: KernelCtx, dev: Device, inst: IommuInstance): number {
  return k.callWith('iommu_fwspec_init', fwspecInit, dev, inst, undefined);
}

function fwspecInit(k: KernelCtx, dev: Device, inst: IommuInstance): number {
  if (!inst.registered) {
    const rec = k.events;
    // caused by where the IOMMU's own story stands (a failed probe...), if it has one
    const miss = rec?.add('iommu-missing', 'iommu_fwspec_init', { device: dev.name, iommu: inst.name, detail: 'not registered' }, rec.lastStateOf(inst.name) ?? rec.current);
    // b09796d528bb (v6.0-rc1): of_iommu_xlate() answered -ENODEV (no IOMMU) instead of asking
    // driver_deferred_probe_check_state(), leaving the wait to fw_devlink; a4f124908617 put it back
    const deleted = k.firmware === 'dt' && k.on.ofXlateNoDeferredCheck;
    const ret = deleted ? -ERRNO.ENODEV! : rec ? causing(rec, miss, () => deferredProbeCheckState(k, dev)) : deferredProbeCheckState(k, dev);
    if (miss !== undefined && ret === -ERRNO.EPROBE_DEFER!) rec!.blame(miss);
    return ret;
  }
  // da33e87bd2bf: a client's own probe (no dev->iommu yet) waits until iommu_device_register()
  // has finished its bus walk (!READ_ONCE(iommu->ready)), as if the IOMMU were not there yet
  if (inst.walking && !dev.iommu && k.has('da33e87bd2bf')) {
    const rec = k.events;
    if (rec) rec.blame(rec.add('iommu-missing', 'iommu_fwspec_init', { device: dev.name, iommu: inst.name, detail: 'not ready' }, rec.lastStateOf(inst.name) ?? rec.current));
    return -ERRNO.EPROBE_DEFER!;
  }
  const di = devIommuGet(dev);
  if (di.fwspecIommu && di.fwspecIommu.impl !== inst.impl) return -ERRNO.EINVAL!;
  if (!di.fwspecIommu) di.fwspecIommu = inst;
  return 0;
}

export function iommuFwspecAddIds(dev: Device, ids: readonly number[]): void {
  devIommuGet(dev).ids.push(...ids);
}

/** the registered instance whose ops serve this device: its fwspec's, or a fwspec-less one (x86) */
export function fwspecInstance(k: KernelCtx, dev: Device): IommuInstance | null {
  const fw = dev.iommu?.fwspecIommu;
  if (fw) return fw.registered ? fw : null;
  const list = k.iommuDeviceList;
  for (let i = 0; i < list.length; i++) if (list[i]!.impl.fwspecless) return list[i]!;
  return null;
}
