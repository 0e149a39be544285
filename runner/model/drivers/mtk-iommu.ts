// mtk-iommu (drivers/iommu/mtk_iommu.c, MediaTek M4U v2: MT8183, MT8195). Its probe
// waits for the SMI larbs behind it (option `larbs: [device...]`, -EPROBE_DEFER until
// each has a driver), publishes drvdata, and — until 38e8844005e6 — only hooks the
// instance onto the (shared) hw_list AFTER iommu_device_register(). With bcb81ac6ae3c
// the registration's bus walk reaches mtk_iommu_device_group, which takes the first
// entry of a hw_list that is still NULL.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { BoardIommu, ModelBoard } from '../types.js';
import type { Group } from '../iommu/group.js';
import { devName, devInfo } from '../kernel/device-printk.js';
import { oops } from '../kernel/reports.js';
import { iommuGroupAlloc } from '../iommu/core.js';
import { deviceLinkAdd } from '../core/links.js';
import { supplierMissing } from '../core/probe.js';
import { EINVAL, ENODEV, EPROBE_DEFER, driverGlobals, privInstance, publishDrvdata, registerAroundSetup, wellBehaved } from './common.js';

interface MtkGlobals {
  /** plat_data->hw_list: the instances sharing one page table (MTK_SHARE_PGTABLE) */
  hwList: IommuInstance[];
}


/** MTK_M4U_TO_LARB(id): the larb a client's M4U port id sits behind */
function larbOf(id: number): number {
  return (id >> 5) & 0x1f;
}

/**
 * The SMI larbs of the M4U ("mediatek,larbs"): the `larbs` option, else every board
 * device whose compatible is an SMI larb, in board order (the index is the larb id).
 */
function larbs(k: KernelCtx, inst: IommuInstance): string[] {
  // the board never changes: read the DT once per instance (probe_device runs per client)
  let list = inst.state['larbs'] as string[] | undefined;
  if (!list) {
    list = boardLarbs(k.board, inst.node);
    inst.state['larbs'] = list;
  }
  return list;
}

function boardLarbs(board: ModelBoard, node: BoardIommu): string[] {
  return (node.options['larbs'] as string[] | undefined) ?? board.devices.filter((d) => d.compatible?.includes('smi-larb')).map((d) => d.name);
}

/** data->hw_list = &plat_data->hw_list after list_add_tail(&data->list, ...) */
function joinHwList(k: KernelCtx, inst: IommuInstance): void {
  const g = driverGlobals<MtkGlobals>(k, () => ({ hwList: [] }), 'mtk');
  if (!g.hwList.includes(inst)) g.hwList.push(inst);
  inst.drvdata!['hwList'] = g.hwList;
}

function mtkIommuProbe(k: KernelCtx, inst: IommuInstance): number {
  return k.call('mtk_iommu_probe', () => {
    // mtk_iommu_mm_dts_parse(): every larb must already have its driver
    for (const name of larbs(k, inst)) {
      const larb = k.devices.get(name);
      if (!larb || !larb.driver) {
        supplierMissing(k, inst.name, name);
        return -EPROBE_DEFER;
      }
    }
    publishDrvdata(inst, { hwList: null });
    return registerAroundSetup(k, inst, '38e8844005e6', () => joinHwList(k, inst));
  });
}

function mtkIommuProbeDevice(k: KernelCtx, dev: Device): IommuInstance | number {
  return k.call('mtk_iommu_probe_device', () => {
    const data = privInstance(dev);
    if (typeof data === 'number') return data;
    const names = larbs(k, data);
    // no larbs described: an infra/APU-type M4U, nothing to link
    if (names.length === 0) return data;
    const ids = dev.iommu?.ids ?? [];
    const larbid = larbOf(ids[0] ?? 0);
    for (const id of ids) {
      if (larbOf(id) !== larbid) {
        devInfo(k, dev, `Can only use one larb. Fail@larb${larbid}-${larbOf(id)}.`);
        return -EINVAL;
      }
    }
    const larbdev = names[larbid] !== undefined ? k.devices.get(names[larbid]!) : undefined;
    if (!larbdev) return -EINVAL;
    // the larb is runtime-PM'd through its masters
    deviceLinkAdd(k, dev, larbdev, 'mtk-iommu', true);
    return data;
  });
}

function mtkIommuDeviceGroup(k: KernelCtx, dev: Device, inst: IommuInstance): Group | number {
  return k.call('mtk_iommu_device_group', () => {
    const cData = (dev.iommu?.priv as IommuInstance | null | undefined) ?? inst;
    // 9e3a2a643653 made the group come from the first M4U of the shared hw list (the list
    // 38e8844005e6 publishes before registering); before it each M4U answered for itself
    const hwList = k.has('9e3a2a643653') ? (cData.drvdata?.['hwList'] as IommuInstance[] | null | undefined) : [cData];
    // mtk_iommu_get_frst_data(): list_first_entry() is not NULL-safe
    if (!hwList) oops(k, { addr: 0, pc: 'mtk_iommu_device_group' });
    const data = hwList[0];
    if (!data) return -ENODEV;
    const g = data.state['m4uGroup'] as Group | undefined;
    if (g && !g.released) return g;
    const ng = iommuGroupAlloc(k, data);
    data.state['m4uGroup'] = ng;
    return ng;
  });
}

export const mtkIommu = wellBehaved('mtk-iommu', 'mtk-iommu', 'mtk_iommu', {
  // IOMMU_OF_DECLARE(mtkm4u, "mediatek,mt8173-m4u", ...) in the v4.x era
  ofDeclared: true,
  probe: mtkIommuProbe,
  probeDevice: mtkIommuProbeDevice,
  deviceGroup: mtkIommuDeviceGroup,
  suppliers: boardLarbs,
  contextFault(k, inst, dev, iova) {
    // mtk_iommu_isr(): a translation fault on the M4U
    const where = inst.dev ? devName(inst.dev) : `mtk-iommu ${inst.name}`;
    const port = dev.iommu?.ids[0] ?? 0;
    k.log(`${where}: fault type=0x2 iova=0x${iova.toString(16)} pa=0x0 master=0x${port.toString(16)}(larb=${larbOf(port)} port=${port & 0x1f}) layer=0 read`);
  },
});
