// The IOMMU core (drivers/iommu/iommu.c): instance registration and the bus walk,
// per-device probe (iommu_init_device → probe_device → device_group → "Adding to iommu
// group N" → default domain → DMA ops), release, and default-domain ownership.
// Two API eras: the add_device era (≤ v5.x) and the probe_device era (v5.14+).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { BusName } from '../types.js';
import type { IommuInstance } from './instance.js';
import { Domain, Group } from './group.js';
import { ERRNO } from '../kernel/errno.js';
import { devInfo, devName } from '../kernel/device-printk.js';
import { warn } from '../kernel/reports.js';
import { busDmaConfigure } from '../core/bus.js';
import { probeConcurrently } from '../core/dd.js';
import { iommuSetupDmaOps } from '../dma/arch.js';
import { devIommuFree, devIommuGet, fwspecInstance } from './fwspec.js';
import { IOMMU_GROUP_ALLOC, IOMMU_GROUP_RELEASE } from '../kernel/dyndbg.js';

const ENODEV = ERRNO.ENODEV!;
const IOMMU_BUSES: readonly BusName[] = ['platform', 'pci', 'amba'];

/** iommu_group_alloc(): ids come from an ida, so the lowest free one */
export function iommuGroupAlloc(k: KernelCtx, inst: IommuInstance): Group {
  while (k.groupIds.has(k.groupIdHint)) k.groupIdHint++;
  const g = new Group(k.groupIdHint, inst);
  k.groupIds.add(g.id);
  k.groups.push(g);
  const dd = k.dyndbg;
  if (dd !== null && dd.on(IOMMU_GROUP_ALLOC)) dd.emit(k, IOMMU_GROUP_ALLOC, null, `iommu: Allocated group ${g.id}`);
  return g;
}

function groupRelease(k: KernelCtx, g: Group): void {
  k.call('iommu_group_release', () => {
    const dd = k.dyndbg;
    if (dd !== null && dd.on(IOMMU_GROUP_RELEASE)) dd.emit(k, IOMMU_GROUP_RELEASE, null, `iommu: Releasing group ${g.id}`);
    g.released = true;
    const i = k.groups.indexOf(g);
    if (i >= 0) k.groups.splice(i, 1);
    k.groupIds.delete(g.id);
    if (g.id < k.groupIdHint) k.groupIdHint = g.id;
    const dom = g.defaultDomain;
    g.defaultDomain = null;
    g.domain = null;
    if (dom && !dom.freed) {
      dom.freed = true;
      g.inst.impl.domainFree(k, dom);
    }
  });
}

/** generic_device_group() / pci_device_group(): a group of its own */
export function genericDeviceGroup(k: KernelCtx, _dev: Device, inst: IommuInstance): Group {
  return k.call('generic_device_group', () => iommuGroupAlloc(k, inst));
}

/** the instance's one group, made on first use (and again after it was released) */
export function instanceGroup(k: KernelCtx, inst: IommuInstance): Group {
  const g = inst.state['group'] as Group | undefined;
  if (g && !g.released) return g;
  const ng = iommuGroupAlloc(k, inst);
  inst.state['group'] = ng;
  return ng;
}

/** generic_single_device_group(): one group per IOMMU instance */
export function genericSingleDeviceGroup(k: KernelCtx, _dev: Device, inst: IommuInstance): Group {
  return k.call('generic_single_device_group', () => instanceGroup(k, inst));
}

function newDomainFor(k: KernelCtx, inst: IommuInstance): Domain | null {
  return k.call('__iommu_domain_alloc', () => inst.impl.domainAlloc(k, inst, 'dma'));
}

/** iommu_setup_default_domain(): allocate the translated default domain and attach the group */
function setupDefaultDomain(k: KernelCtx, g: Group): number {
  return k.call('iommu_setup_default_domain', () => {
    const dom = newDomainFor(k, g.inst);
    if (!dom) return -ERRNO.ENOMEM!;
    for (const dev of g.devices) {
      const r = k.call('__iommu_attach_device', () => g.inst.impl.attachDev(k, dom, dev));
      if (r !== 0) {
        dom.freed = true;
        g.inst.impl.domainFree(k, dom);
        return r;
      }
    }
    g.defaultDomain = dom;
    g.domain = dom;
    return 0;
  });
}

function groupMessage(k: KernelCtx, dev: Device, g: Group): void {
  k.events?.add('group-added', k.stack.top(), { device: dev.name, iommu: g.inst.name, detail: String(g.id) });
  if (k.on.v5_0) devInfo(k, dev, `Adding to iommu group ${g.id}`);
  else k.log(`iommu: Adding device ${dev.name} to group ${g.id}`);
}

function groupFailMessage(k: KernelCtx, dev: Device, g: Group, err: number): void {
  if (k.on.v5_0) k.log(`${devName(dev)}: Failed to add to iommu group ${g.id}: ${err}`);
  else k.log(`iommu: Failed to add device ${dev.name} to group ${g.id}: ${err}`);
}

function lateProbeWarn(k: KernelCtx, dev: Device, line: number): void {
  warn(k, {
    file: 'drivers/iommu/iommu.c',
    line,
    fn: '__iommu_probe_device',
    message: `${devName(dev)}: late IOMMU probe at driver bind, something fishy here!`,
  });
}

/** iommu_init_device() (inlined into __iommu_probe_device in traces) */
function iommuInitDevice(k: KernelCtx, dev: Device): number {
  devIommuGet(dev);
  // bcb81ac6ae3c: firmware parsing runs from here for a device no driver holds yet
  if (k.on.initDeviceConfigures && !dev.driver) busDmaConfigure(k, dev);
  const inst = fwspecInstance(k, dev);
  if (!inst) {
    devIommuFree(dev);
    return -ENODEV;
  }
  if (k.on.initDeviceConfigures && !k.on.lateProbeWarnAfter && dev.driver) lateProbeWarn(k, dev, 449);
  const r = inst.impl.probeDevice(k, dev);
  if (typeof r === 'number') {
    devIommuFree(dev);
    return r;
  }
  dev.iommu!.iommuDev = r;
  const g = inst.impl.deviceGroup(k, dev, r);
  if (typeof g === 'number') {
    inst.impl.releaseDevice?.(k, dev);
    devIommuFree(dev);
    return g;
  }
  dev.group = g;
  return 0;
}

/** __iommu_probe_device() of the probe_device era */
function iommuProbeDeviceModern(k: KernelCtx, dev: Device, groupList: Set<Group> | null): number {
  return k.callWith('__iommu_probe_device', probeDeviceModern, dev, groupList, undefined);
}

function probeDeviceModern(k: KernelCtx, dev: Device, groupList: Set<Group> | null): number {
  // v6.14 looked the ops up before anything else
  if (!k.on.initDeviceConfigures && !fwspecInstance(k, dev)) return -ENODEV;
  if (dev.group) return 0;
  let r = iommuInitDevice(k, dev);
  if (r !== 0) return r;
  if (k.on.lateProbeWarnAfter && dev.driver) lateProbeWarn(k, dev, 571);
  const g = dev.group!;
  g.devices.push(dev);
  groupMessage(k, dev, g);
  if (g.domain) {
    r = k.call('__iommu_device_set_domain', () => g.inst.impl.attachDev(k, g.domain!, dev));
  } else if (!g.defaultDomain && !groupList) {
    r = setupDefaultDomain(k, g);
  } else if (!g.defaultDomain) {
    groupList!.add(g);
  }
  if (r !== 0) {
    removeFromGroup(k, dev, false);
    return r;
  }
  if (g.defaultDomain && k.on.coreSetsDmaOps) iommuSetupDmaOps(k, dev);
  return 0;
}

/** ops->add_device → iommu_group_get_for_dev() → iommu_group_add_device(), before a6a4c7e2c5b8 */
function iommuAddDeviceOld(k: KernelCtx, dev: Device): number {
  const inst = fwspecInstance(k, dev);
  if (!inst) return -ENODEV;
  if (dev.group) return 0;
  return k.call(`${inst.impl.symbol}_add_device`, () => {
    const owner = inst.impl.probeDevice(k, dev);
    if (typeof owner === 'number') return owner;
    devIommuGet(dev).iommuDev = owner;
    return k.call('iommu_group_get_for_dev', () => {
      const g = owner.impl.deviceGroup(k, dev, owner);
      if (typeof g === 'number') return g;
      const fresh = g.devices.length === 0;
      if (!g.defaultDomain) {
        const dom = newDomainFor(k, owner);
        g.defaultDomain = dom;
        g.domain = dom;
      }
      const r = k.call('iommu_group_add_device', () => {
        g.devices.push(dev);
        dev.group = g;
        const ret = g.domain ? k.call('__iommu_attach_device', () => owner.impl.attachDev(k, g.domain!, dev)) : 0;
        if (ret !== 0) {
          g.devices.pop();
          dev.group = null;
          groupFailMessage(k, dev, g, ret);
        }
        return ret;
      });
      if (r !== 0) {
        // iommu_group_put(): the last reference releases the group and its domain
        if (fresh) {
          k.call('kobject_put', () => k.call('kobject_del.part.0', () => k.call('kobject_put', () => groupRelease(k, g))));
        }
        return r;
      }
      groupMessage(k, dev, g);
      return 0;
    });
  });
}

/** the era's per-device IOMMU probe; groupList is set during a registration's bus walk */
export function iommuProbeDeviceLocked(k: KernelCtx, dev: Device, groupList: Set<Group> | null): number {
  // a6a4c7e2c5b8 (v5.8): the core allocates groups and default domains around ->probe_device
  return k.on.probeDeviceOps ? iommuProbeDeviceModern(k, dev, groupList) : iommuAddDeviceOld(k, dev);
}

/** iommu_probe_device(): the single-device path (replay at bind, BUS_NOTIFY_ADD_DEVICE) */
export function iommuProbeDevice(k: KernelCtx, dev: Device): number {
  const body = (): number => {
    const r = iommuProbeDeviceLocked(k, dev, null);
    if (r === 0) finalize(k, dev);
    return r;
  };
  // iommu_probe_device() arrived with a6a4c7e2c5b8; before, the replay and the bus notifier
  // called ops->add_device directly (traces show ipmmu_add_device under of_iommu_configure)
  return k.on.probeDeviceOps ? k.call('iommu_probe_device', body) : body();
}

function finalize(k: KernelCtx, dev: Device): void {
  const inst = dev.iommu?.iommuDev;
  if (inst?.impl.probeFinalize) inst.impl.probeFinalize(k, dev);
}

/** bus_iommu_probe(): probe every device of the bus, then give new groups their default domain */
function busIommuProbe(k: KernelCtx, bus: BusName): number {
  const groups = new Set<Group>();
  // ≤ v5.x (add_device era): the devices this walk put in a group, for their finalize
  const added: Device[] = [];
  const err = k.call('bus_for_each_dev', () => {
    const devs = k.busDevices[bus].slice();
    for (let i = 0; i < devs.length; i++) {
      const dev = devs[i]!;
      if (dev.dead) continue;
      const had = dev.group;
      const r = k.callWith('probe_iommu_group', iommuProbeDeviceLocked, dev, groups, undefined);
      if (r === -ENODEV) continue;
      if (r !== 0) return r;
      if (!had && dev.group) added.push(dev);
    }
    return 0;
  });
  if (err !== 0) return err;
  if (!k.on.probeDeviceOps) {
    // the drivers then set their DMA ops per device (x86: intel/amd dma ops for every
    // device they took), as the single-device path does after add_device
    for (let i = 0; i < added.length; i++) finalize(k, added[i]!);
    return 0;
  }
  if (groups.size === 0) return 0;
  for (const g of groups) {
    if (g.defaultDomain) continue;
    const r = setupDefaultDomain(k, g);
    if (r !== 0) return r;
    if (k.on.coreSetsDmaOps) for (let i = 0; i < g.devices.length; i++) iommuSetupDmaOps(k, g.devices[i]!);
  }
  for (const g of groups) for (let i = 0; i < g.devices.length; i++) finalize(k, g.devices[i]!);
  return 0;
}

/** iommu_device_register(): visible at once, then the bus walk; any error unregisters */
export function iommuDeviceRegister(k: KernelCtx, inst: IommuInstance): number {
  const r = k.call('iommu_device_register', () => {
    k.events?.add('iommu-registered', 'iommu_device_register', { device: inst.name });
    inst.registered = true;
    k.iommuDeviceList.push(inst);
    inst.walking = true;
    // a client's probe on another CPU (driver_async_probe) racing this registration: it runs
    // before the walk reaches the client, finding the instance already on iommu_device_list
    for (let i = 0; i < inst.probeDuringWalk.length; i++) {
      const dev = k.devices.get(inst.probeDuringWalk[i]!);
      if (dev) probeConcurrently(k, dev);
    }
    let err = 0;
    for (let i = 0; i < IOMMU_BUSES.length && err === 0; i++) err = busIommuProbe(k, IOMMU_BUSES[i]!);
    // (an oops unwinds through here without clearing it: the kernel is dead by then)
    inst.walking = false;
    if (err !== 0) iommuDeviceUnregister(k, inst);
    return err;
  });
  // the window between iommu_device_register() and the IOMMU device's driver_bound():
  // the instance is visible to of_iommu_configure() but not yet bound to its driver
  if (r === 0 && inst.concurrentProbe.length > 0 && inst.dev && !inst.dev.bound) {
    for (const name of inst.concurrentProbe) {
      const dev = k.devices.get(name);
      if (dev) probeConcurrently(k, dev);
    }
  }
  return r;
}

function removeFromGroup(k: KernelCtx, dev: Device, announce: boolean): void {
  const g = dev.group;
  if (!g) return;
  const i = g.devices.indexOf(dev);
  if (i >= 0) g.devices.splice(i, 1);
  if (announce) devInfo(k, dev, `Removing from iommu group ${g.id}`);
  k.events?.add('group-removed', k.stack.top(), { device: dev.name, iommu: g.inst.name, detail: String(g.id) });
  dev.group = null;
  dev.iommu?.iommuDev?.impl.releaseDevice?.(k, dev);
  devIommuFree(dev);
  if (g.devices.length === 0) groupRelease(k, g);
}

/** iommu_release_device() (BUS_NOTIFY_REMOVED_DEVICE) */
export function iommuReleaseDevice(k: KernelCtx, dev: Device): void {
  if (!dev.group) return;
  k.call('iommu_release_device', () => removeFromGroup(k, dev, true));
}

export function iommuDeviceUnregister(k: KernelCtx, inst: IommuInstance): void {
  k.call('iommu_device_unregister', () => {
    k.events?.add('iommu-unregistered', 'iommu_device_unregister', { device: inst.name });
    const i = k.iommuDeviceList.indexOf(inst);
    if (i >= 0) k.iommuDeviceList.splice(i, 1);
    for (const dev of k.devices.values()) if (dev.iommu?.iommuDev === inst) removeFromGroup(k, dev, false);
    inst.registered = false;
  });
}

/** iommu_device_use_default_domain(): claim the group's default domain for a driver */
export function iommuDeviceUseDefaultDomain(k: KernelCtx, dev: Device): number {
  const g = dev.group;
  if (!g) return 0;
  // b46064a18810: "We may race against bus_iommu_probe() finalising groups here"
  if (!g.defaultDomain) return k.has('b46064a18810') ? -ERRNO.EPROBE_DEFER! : 0;
  dev.dmaOwner = true;
  return 0;
}

export function iommuDeviceUnuseDefaultDomain(_k: KernelCtx, dev: Device): void {
  dev.dmaOwner = false;
}
