// Device links: a consumer's driver asks for one to its supplier (the `wait-for`
// action does, as drivers do with device_link_add), and IOMMU drivers make runtime-PM
// links from clients to their IOMMU. Unbinding a supplier unbinds its consumers first.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device, DeviceLink } from './device.js';
import { deviceReleaseDriver } from './dd.js';
import { CORE_DROPPING, CORE_LINKED } from '../kernel/dyndbg.js';

export function deviceLinkAdd(k: KernelCtx, consumer: Device, supplier: Device, owner: string, pmRuntime: boolean): DeviceLink {
  return k.call('device_link_add', () => {
    const existing = consumer.links.find((l) => l.consumer === consumer && l.supplier === supplier && l.owner === owner);
    if (existing) return existing;
    const link: DeviceLink = { consumer, supplier, owner, pmRuntime };
    consumer.links.push(link);
    supplier.links.push(link);
    const dd = k.dyndbg;
    if (dd !== null && dd.on(CORE_LINKED)) dd.emit(k, CORE_LINKED, consumer, `Linked as a consumer to ${supplier.name}`);
    return link;
  });
}

/** the link's last reference goes: __device_link_del() */
export function deviceLinkDel(k: KernelCtx, link: DeviceLink): void {
  const dd = k.dyndbg;
  if (dd !== null && dd.on(CORE_DROPPING)) dd.emit(k, CORE_DROPPING, link.consumer, `Dropping the link to ${link.supplier.name}`);
  for (const d of [link.consumer, link.supplier]) {
    const i = d.links.indexOf(link);
    if (i >= 0) d.links.splice(i, 1);
  }
}

/** device_links_unbind_consumers(): driver-core links whose supplier is going away */
export function deviceLinksUnbindConsumers(k: KernelCtx, supplier: Device): void {
  const consumers = supplier.links.filter((l) => l.supplier === supplier && l.owner === 'driver-core').map((l) => l.consumer);
  for (const c of consumers) if (c.driver) k.call('device_links_unbind_consumers', () => deviceReleaseDriver(k, c));
}

/** device_links_driver_cleanup(): AUTOREMOVE_CONSUMER links go with the consumer's driver */
export function deviceLinksDriverCleanup(k: KernelCtx, consumer: Device): void {
  // no links, nothing to delete: the frame would be pushed and popped with nothing seen
  if (consumer.links.length === 0) return;
  k.call('device_links_driver_cleanup', () => {
    for (const l of consumer.links.filter((x) => x.consumer === consumer && x.owner === 'driver-core')) deviceLinkDel(k, l);
  });
}

/**
 * device_links_no_driver() on a failed probe: __device_links_no_driver() deletes the
 * consumer's DL_FLAG_AUTOREMOVE(_CONSUMER) links, as an unbind's cleanup does (since v4.10).
 */
export function deviceLinksNoDriver(k: KernelCtx, consumer: Device): void {
  // every failed probe comes here, most with no links: then nothing would see the frame
  if (consumer.links.length === 0) return;
  k.call('device_links_no_driver', () => {
    for (const l of consumer.links.filter((x) => x.consumer === consumer && x.owner === 'driver-core')) deviceLinkDel(k, l);
  });
}

/**
 * fw_devlink (drivers/base/core.c, drivers/of/property.c): the IOMMU device a DT client's
 * `iommus` names is a supplier the client's really_probe() waits for
 * (device_links_check_suppliers() → -EPROBE_DEFER until it binds) when fw_devlink is on
 * (e590474768f1, reverted by 3e4c982f1ce7, on again with ea718c699055) and the property is
 * mandatory: a9dd8f3c2cf3 made it optional, i.e. ignored unless fw_devlink.strict=1, which
 * was the default only between 71066545b48e and its revert d8ab4685adc1. No device (a
 * disabled node) makes no link. Returns the supplier that is not bound yet, else null.
 */
export function fwDevlinkWaitingSupplier(k: KernelCtx, dev: Device): Device | null {
  if (dev.iommus.length === 0 || k.firmware !== 'dt') return null;
  if (!k.on.iommuDevlink) return null;
  for (const ref of dev.iommus) {
    const sup = k.iommus.get(ref.iommu)?.dev;
    if (sup && sup.added && !sup.bound) return sup;
  }
  return null;
}
