// The firmware half of IOMMU set-up, shared by DT (of_iommu_configure/of_iommu_xlate)
// and ACPI (acpi_iommu_configure_id/iort_iommu_xlate): find the IOMMU each `iommus`
// entry names, defer while it is missing, hand the IDs to the driver, then (outside the
// IOMMU core) replay the IOMMU probe for the device.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { IommuRef } from '../types.js';
import { ERRNO } from '../kernel/errno.js';
import { archSetupDmaOps } from '../dma/arch.js';
import { devIommuFree, fwspecFree, iommuFwspecInit } from './fwspec.js';
import { iommuProbeDevice } from './core.js';
import type { IommuInstance } from './instance.js';
import { OF_BEHIND_IOMMU, OF_COHERENT, OF_IOMMU_FAILED, OF_RANGE_MAP_SET } from '../kernel/dyndbg.js';

const EPROBE_DEFER = ERRNO.EPROBE_DEFER!;
const ENODEV = ERRNO.ENODEV!;
/** of_iommu_xlate's "no IOMMU, not an error" answer in the v4.x era */
const NO_IOMMU = 1;

export interface FirmwareNames {
  dmaConfigure: string;
  /** the name before v5.9 (the `_id` variants came with it) */
  dmaConfigureOld: string;
  iommuConfigure: string;
  xlate: string;
}

export const OF_NAMES: FirmwareNames = { dmaConfigure: 'of_dma_configure_id', dmaConfigureOld: 'of_dma_configure', iommuConfigure: 'of_iommu_configure', xlate: 'of_iommu_xlate' };
export const ACPI_NAMES: FirmwareNames = { dmaConfigure: 'acpi_dma_configure_id', dmaConfigureOld: 'acpi_dma_configure', iommuConfigure: 'acpi_iommu_configure_id', xlate: 'iort_iommu_xlate' };

/** the lookup found the IOMMU unusable: the device waits (-EPROBE_DEFER) or goes on without it */
function missing(k: KernelCtx, dev: Device, inst: IommuInstance, ret: number): number {
  const rec = k.events;
  if (rec) {
    const why = inst.available ? 'not registered' : 'disabled';
    const ev = rec.add('iommu-missing', k.stack.top(), { device: dev.name, iommu: inst.name, errno: ret === NO_IOMMU ? 0 : ret, detail: why }, rec.lastStateOf(inst.name) ?? rec.current);
    if (ret === -EPROBE_DEFER) rec.blame(ev);
  }
  return ret;
}

function xlate(k: KernelCtx, dev: Device, ref: IommuRef, names: FirmwareNames): number {
  return k.callWith(names.xlate, xlateBody, dev, ref, undefined);
}

function xlateBody(k: KernelCtx, dev: Device, ref: IommuRef): number {
  const inst = k.iommus.get(ref.iommu);
  if (!inst) return NO_IOMMU;
  // v4.11 configured at device creation and never waited for an IOMMU
  if (!k.on.ofIommuDefers && !inst.registered) return missing(k, dev, inst, NO_IOMMU);
  if (k.on.ofSkipDisabled && !inst.available) return missing(k, dev, inst, k.on.v5_14 ? -ENODEV : NO_IOMMU);
  if (!k.on.v4_20rc1) {
    // v4.12: without a registered instance, wait only for a driver that declared
    // itself for this node, and only while the system is still booting
    const d = inst.impl.ofDeclared;
    const declared = inst.option<boolean>('of-declared') ?? (typeof d === 'function' ? d(k) : d);
    const present = !k.systemRunning && (k.firmware === 'acpi' || declared);
    if (!inst.registered && !present) return missing(k, dev, inst, NO_IOMMU);
    if (!inst.registered) return missing(k, dev, inst, -EPROBE_DEFER);
  }
  const r = iommuFwspecInit(k, dev, inst);
  if (r !== 0) return r;
  return inst.impl.ofXlate(k, dev, inst, ref.ids);
}

/**
 * of_iommu_configure() / acpi_iommu_configure_id(): 0 when the device is set up behind
 * an IOMMU, -ENODEV when it has none, -EPROBE_DEFER to retry, other errors fatal to the
 * IOMMU part only (the device goes on without one).
 */
export function firmwareIommuConfigure(k: KernelCtx, dev: Device, names: FirmwareNames): number {
  return k.callWith(names.iommuConfigure, iommuConfigure, dev, names, undefined);
}

function iommuConfigure(k: KernelCtx, dev: Device, names: FirmwareNames): number {
  if (dev.iommus.length === 0) return failed(k, dev, names, -ENODEV, NO_IOMMU);
  const parsed = dev.iommu?.fwspecIommu;
  if (parsed) {
    // already parsed (at an earlier bind, or by the IOMMU core): nothing to do
    if (k.on.v5_14) return 0;
    // ≤ v5.x: reuse the fwspec and replay add_device; one without ops starts again
    if (parsed.registered) {
      // bcb81ac6ae3c: the IOMMU core is the one asking (a replay would ask again, without end)
      if (k.on.initDeviceConfigures) return 0;
      const r = iommuProbeDevice(k, dev);
      return r === 0 ? 0 : failed(k, dev, names, r, r);
    }
    fwspecFree(dev);
  }
  const devIommuPresent = dev.iommu !== null;
  let err = 0;
  for (let i = 0; i < dev.iommus.length && err === 0; i++) err = xlate(k, dev, dev.iommus[i]!, names);
  if (err === NO_IOMMU) {
    fwspecFree(dev);
    return failed(k, dev, names, -ENODEV, NO_IOMMU);
  }
  if (err !== 0) {
    if (devIommuPresent) fwspecFree(dev);
    else devIommuFree(dev);
  }
  // the replay: probe the device now, unless the IOMMU core itself is asking
  if (err === 0 && (!k.on.initDeviceConfigures || !devIommuPresent)) err = iommuProbeDevice(k, dev);
  return err === 0 ? 0 : failed(k, dev, names, err, err);
}

/**
 * of_iommu_configure()'s dev_dbg "Adding to IOMMU failed: %d" for an error `ret` (what it
 * returns) whose cause in the code before v6.8 was `old` (NO_IOMMU, positive: no IOMMU).
 * 5b4ea8b06eb7 (v6.8, "iommu/of: Use -ENODEV consistently in of_iommu_configure()") made "no
 * IOMMU" an -ENODEV like any error, and logs everything but -EPROBE_DEFER.
 */
function failed(k: KernelCtx, dev: Device, names: FirmwareNames, ret: number, old: number): number {
  const dd = k.dyndbg;
  if (dd === null || names !== OF_NAMES || ret === -EPROBE_DEFER || !dd.on(OF_IOMMU_FAILED)) return ret;
  if (k.on.v6_8 || old < 0) dd.emit(k, OF_IOMMU_FAILED, dev, `Adding to IOMMU failed: ${k.on.v6_8 ? ret : old}`);
  return ret;
}

/** of_dma_configure_id() / acpi_dma_configure_id(): IOMMU first, then the arch DMA ops */
export function firmwareDmaConfigure(k: KernelCtx, dev: Device, names: FirmwareNames): number {
  // of_dma_configure_id()/acpi_dma_configure_id() are the v5.9+ names
  return k.callWith(k.on.v5_14 ? names.dmaConfigure : names.dmaConfigureOld, dmaConfigure, dev, names, undefined);
}

function dmaConfigure(k: KernelCtx, dev: Device, names: FirmwareNames): number {
  const dd = names === OF_NAMES ? k.dyndbg : null;
  // dev->dma_range_map from the bus's dma-ranges; bcb81ac6ae3c keeps one already set
  let setMap = false;
  if (dev.dmaRangeMap && k.on.initDeviceConfigures) {
    if (dd !== null && dd.on(OF_RANGE_MAP_SET)) dd.emit(k, OF_RANGE_MAP_SET, dev, 'dma_range_map already set');
  } else if (k.busDmaBits !== undefined) {
    setMap = true;
    dev.dmaRangeMap = true;
  }
  if (dd !== null && dd.on(OF_COHERENT)) dd.emit(k, OF_COHERENT, dev, `device is${dev.dmaCoherent ? ' ' : ' not '}dma coherent`);
  const ret = firmwareIommuConfigure(k, dev, names);
  if (ret === -EPROBE_DEFER) {
    if (setMap) dev.dmaRangeMap = false;
    return ret;
  }
  if (dd !== null && dd.on(OF_BEHIND_IOMMU)) dd.emit(k, OF_BEHIND_IOMMU, dev, `device is${ret === 0 ? ' ' : ' not '}behind an iommu`);
  archSetupDmaOps(k, dev, ret === 0);
  return 0;
}
