// Device links: a consumer's driver asks for one to its supplier (the `wait-for`
// action does, as drivers do with device_link_add), and IOMMU drivers make runtime-PM
// links from clients to their IOMMU. Unbinding a supplier unbinds its consumers first.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device, DeviceLink } from './device.js';
import { deviceReleaseDriver } from './dd.js';

export function deviceLinkAdd(k: KernelCtx, consumer: Device, supplier: Device, owner: string, pmRuntime: boolean): DeviceLink {
  return k.call('device_link_add', () => {
    const existing = consumer.links.find((l) => l.consumer === consumer && l.supplier === supplier && l.owner === owner);
    if (existing) return existing;
    const link: DeviceLink = { consumer, supplier, owner, pmRuntime };
    consumer.links.push(link);
    supplier.links.push(link);
    return link;
  });
}

export function deviceLinkDel(link: DeviceLink): void {
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
  k.call('device_links_driver_cleanup', () => {
    for (const l of consumer.links.filter((x) => x.consumer === consumer && x.owner === 'driver-core')) deviceLinkDel(l);
  });
}

/**
 * device_links_no_driver() on a failed probe: __device_links_no_driver() deletes the
 * consumer's DL_FLAG_AUTOREMOVE(_CONSUMER) links, as an unbind's cleanup does (since v4.10).
 */
export function deviceLinksNoDriver(k: KernelCtx, consumer: Device): void {
  k.call('device_links_no_driver', () => {
    for (const l of consumer.links.filter((x) => x.consumer === consumer && x.owner === 'driver-core')) deviceLinkDel(l);
  });
}
