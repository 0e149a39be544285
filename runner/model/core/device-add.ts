// device_add() and device_del(): a device joins its bus (and, where the era does it,
// the IOMMU core hears about it through the bus notifier), then drivers are offered.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import { busProbeDevice, deviceReleaseDriver } from './dd.js';
import { deferredProbeDel } from './deferred.js';
import { devresReleaseAll } from './devres.js';
import { deviceLinkDel } from './links.js';
import { iommuProbeDevice, iommuReleaseDevice } from '../iommu/core.js';
import { ACPI_NAMES, OF_NAMES, firmwareDmaConfigure } from '../iommu/firmware.js';
import { BUS_ADD_DEVICE, BUS_REMOVE_DEVICE, CORE_DEVICE_ADD } from '../kernel/dyndbg.js';

/** the name of the only driver that can match the device */
export function matchKey(dev: Device): string | undefined {
  return dev.iommuInstance ? dev.iommuInstance.impl.driverName : dev.matchDriver;
}

export function deviceAdd(k: KernelCtx, dev: Device): void {
  const rec = k.events;
  // no closure unless something is recorded: this runs once per device per run
  if (rec) rec.within(rec.add('device-added', 'device_add', { device: dev.name }), () => add(k, dev));
  else add(k, dev);
}

function add(k: KernelCtx, dev: Device): void {
  k.call('device_add', () => {
    dev.added = true;
    dev.dead = false;
    k.busDevices[dev.bus].push(dev);
    const key = matchKey(dev);
    if (key) {
      const list = k.devicesByMatch.get(key) ?? [];
      list.push(dev);
      k.devicesByMatch.set(key, list);
    }
    // before v4.12 DMA (and the IOMMU, if it was already there) was set up at creation
    if (!k.on.ofIommuDefers && !dev.iommuInstance) {
      firmwareDmaConfigure(k, dev, k.firmware === 'acpi' ? ACPI_NAMES : OF_NAMES);
    }
    const dd = k.dyndbg;
    if (dd !== null) {
      if (dd.on(CORE_DEVICE_ADD)) dd.emit(k, CORE_DEVICE_ADD, null, `device: '${dev.name}': device_add`);
      if (dd.on(BUS_ADD_DEVICE)) dd.emit(k, BUS_ADD_DEVICE, null, `bus: '${dev.bus}': add device ${dev.name}`);
    }
    // BUS_NOTIFY_ADD_DEVICE: the IOMMU core probes the newcomer (errors are ignored)
    if (k.iommuDeviceList.length > 0 && k.on.ofIommuDefers) {
      k.call('blocking_notifier_call_chain', () => k.call('iommu_bus_notifier', () => iommuProbeDevice(k, dev)));
    }
    busProbeDevice(k, dev);
  });
}

export function deviceDel(k: KernelCtx, dev: Device): void {
  const rec = k.events;
  if (rec) rec.within(rec.add('device-removed', 'device_del', { device: dev.name }), () => del(k, dev));
  else del(k, dev);
}

function del(k: KernelCtx, dev: Device): void {
  k.call('device_del', () => {
    deferredProbeDel(k, dev);
    const dd = k.dyndbg;
    if (dd !== null && dd.on(BUS_REMOVE_DEVICE)) dd.emit(k, BUS_REMOVE_DEVICE, null, `bus: '${dev.bus}': remove device ${dev.name}`);
    if (dev.driver) deviceReleaseDriver(k, dev);
    // BUS_NOTIFY_REMOVED_DEVICE
    iommuReleaseDevice(k, dev);
    devresReleaseAll(k, dev);
    for (const l of dev.links.slice()) deviceLinkDel(k, l);
    const list = k.busDevices[dev.bus];
    const i = list.indexOf(dev);
    if (i >= 0) list.splice(i, 1);
    const key = matchKey(dev);
    const byMatch = key ? k.devicesByMatch.get(key) : undefined;
    if (byMatch && byMatch.indexOf(dev) >= 0) byMatch.splice(byMatch.indexOf(dev), 1);
    dev.added = false;
    dev.dead = true;
  });
}
