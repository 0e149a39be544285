// exynos-sysmmu (drivers/iommu/exynos-iommu.c, Samsung SYSMMU). A master may sit behind
// several SYSMMU instances, each registered separately with the same ops. of_xlate puts
// the SYSMMU on the master's owner list (no fwspec IDs); probe_device only runs once ALL
// of the master's "iommus" entries xlate, and then links the master to EACH controller
// with a runtime-PM device link kept in that SYSMMU's single `data->link` slot — so a
// second master probed through the same SYSMMU overwrites the first one's link, and the
// first master's release later deletes the second one's link (and the second's release
// deletes it again). The driver itself registers in the sensible order (drvdata and
// dma_dev first, iommu_device_register last).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device, DeviceLink } from '../core/device.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { CheckFailure } from '../api.js';
import { devName } from '../kernel/device-printk.js';
import { warn } from '../kernel/reports.js';
import { devIommuGet } from '../iommu/fwspec.js';
import { genericDeviceGroup } from '../iommu/core.js';
import { deviceLinkAdd, deviceLinkDel } from '../core/links.js';
import { EXYNOS_VERSION } from '../kernel/dyndbg.js';
import { ENODEV, driverGlobals, publishDrvdata, registerOnly, wellBehaved } from './common.js';

/** struct sysmmu_drvdata, the fields this model follows */
interface SysmmuData {
  inst: IommuInstance;
  /** data->master: the last master whose xlate took this SYSMMU */
  master: Device | null;
  /** data->link: ONE slot per SYSMMU */
  link: DeviceLink | null;
}

/** struct exynos_iommu_owner: dev_iommu_priv of a master */
interface Owner {
  controllers: SysmmuData[];
}

/** the global dma_dev the page tables are mapped through, as in rockchip's copy of it: driverGlobals 'exynos' */

function sysmmu(inst: IommuInstance): SysmmuData | null {
  return (inst.drvdata?.['sysmmu'] as SysmmuData | undefined) ?? null;
}

function owner(dev: Device): Owner | null {
  // dev->iommu->priv is whichever driver's data: only exynos's own has controllers
  const p = dev.iommu?.priv as Partial<Owner> | null | undefined;
  return p && Array.isArray(p.controllers) ? (p as Owner) : null;
}

function exynosSysmmuProbe(k: KernelCtx, inst: IommuInstance): number {
  return k.call('exynos_sysmmu_probe', () => {
    // __sysmmu_get_version(): a dev_dbg, printed only with dynamic debug on
    const dd = k.dyndbg;
    if (dd !== null && dd.on(EXYNOS_VERSION) && inst.dev) dd.emit(k, EXYNOS_VERSION, inst.dev, `hardware version: ${inst.option<string>('version') ?? '3.3'}`);
    const data: SysmmuData = { inst, master: null, link: null };
    publishDrvdata(inst, { sysmmu: data });
    const g = driverGlobals(k, () => ({ dev: null as IommuInstance | null }), 'exynos');
    if (!g.dev) g.dev = inst;
    return registerOnly(k, inst);
  });
}

function exynosOfXlate(k: KernelCtx, dev: Device, inst: IommuInstance): number {
  return k.call('exynos_iommu_of_xlate', () => {
    const data = sysmmu(inst);
    if (!data) return -ENODEV;
    const di = devIommuGet(dev);
    let o = di.priv as Owner | null;
    if (!o) {
      o = { controllers: [] };
      di.priv = o;
    }
    if (o.controllers.includes(data)) return 0;
    o.controllers.push(data);
    data.master = dev;
    return 0;
  });
}

function linkDel(k: KernelCtx, link: DeviceLink): void {
  k.call('device_link_del', () => {
    if (link.freed) {
      // device_link_put_kref() on a link already released
      warn(k, { file: 'lib/refcount.c', line: 28, fn: 'refcount_warn_saturate', message: 'refcount_t: underflow; use-after-free.' });
      return;
    }
    link.freed = true;
    deviceLinkDel(k, link);
  });
}

export const exynosSysmmu = wellBehaved('exynos-sysmmu', 'exynos-sysmmu', 'exynos_iommu', {
  // core_initcall(exynos_iommu_init); IOMMU_OF_DECLARE("samsung,exynos-sysmmu") in the v4.x era
  initcall: 'core',
  initFn: 'exynos_iommu_init',
  ofDeclared: true,
  suppressBindAttrs: true,
  probe: exynosSysmmuProbe,
  ofXlate: (k, dev, inst) => exynosOfXlate(k, dev, inst),
  probeDevice(k, dev) {
    return k.call('exynos_iommu_probe_device', () => {
      const o = owner(dev);
      if (!o || o.controllers.length === 0) return -ENODEV;
      for (const data of o.controllers) {
        // "SYSMMU will be runtime activated via device link (dependency) to its master"
        if (data.inst.dev) data.link = deviceLinkAdd(k, dev, data.inst.dev, 'exynos-sysmmu', true);
      }
      // "There is always at least one entry, see exynos_iommu_of_xlate()"
      return o.controllers[0]!.inst;
    });
  },
  releaseDevice(k, dev) {
    k.call('exynos_iommu_release_device', () => {
      const o = owner(dev);
      if (!o) return;
      // whatever link sits in each SYSMMU's slot now, whoever made it
      for (const data of o.controllers) if (data.link) linkDel(k, data.link);
    });
  },
  deviceGroup(k, dev, inst) {
    return genericDeviceGroup(k, dev, inst);
  },
  checks(k) {
    // a translated master must keep its runtime-PM link to every SYSMMU in front of it,
    // or the SYSMMU is not resumed with it
    const out: CheckFailure[] = [];
    for (const dev of k.devices.values()) {
      const o = owner(dev);
      if (!o || !dev.group || !dev.bound) continue;
      for (const data of o.controllers) {
        const sdev = data.inst.dev;
        if (!sdev || dev.links.some((l) => l.consumer === dev && l.supplier === sdev && l.pmRuntime)) continue;
        out.push({ check: 'missing-link', device: dev.name, resource: `link to ${sdev.name}`,
          message: `${dev.name}: no runtime-PM device link to its SYSMMU ${sdev.name}` });
      }
    }
    return out;
  },
  contextFault(k, inst, dev, iova) {
    // exynos_sysmmu_irq() → show_fault_information()
    const where = inst.dev ? devName(inst.dev) : `exynos-sysmmu ${inst.name}`;
    k.log(`${where}: ${dev.name}: PAGE FAULT occurred at 0x${iova.toString(16).padStart(8, '0')}`);
  },
});
