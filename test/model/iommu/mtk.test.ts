// mtk-iommu: the hw list set after registration (before 38e8844005e6) meets
// bcb81ac6ae3c's bus walk in mtk_iommu_device_group (seed 002, MT8183 Juniper / Genio).

import { expect } from 'chai';
import { board, callTrace, device, driver, iommu, lines, run, text } from './helpers.js';
import type { KernelCtx } from '../../../runner/model/kernel/ctx.js';
import type { Kernel } from '../../../runner/model/index.js';

/** the Juniper/Genio trace (seed 002 and the 38e8844005e6 report), innermost first */
const MTK_CHAIN = [
  'mtk_iommu_device_group', '__iommu_probe_device', 'probe_iommu_group', 'bus_for_each_dev',
  'iommu_device_register', 'mtk_iommu_probe', 'platform_probe', 'really_probe', '__driver_probe_device',
  'driver_probe_device', '__device_attach_driver', 'bus_for_each_drv', '__device_attach',
  'device_initial_probe', 'bus_probe_device', 'deferred_probe_work_func', 'process_one_work',
  'worker_thread', 'kthread', 'ret_from_fork',
];

const M4U_PORT = (larb: number, port: number): number => (larb << 5) | port;

const juniper = board({
  id: 'juniper',
  model: 'Google juniper sku16 board (DT)',
  iommus: [iommu('10205000.iommu', 'mtk-iommu', {}, 'okay')],
  devices: [
    device('14017000.larb', 'mtk-smi-larb', [], { compatible: 'mediatek,mt8183-smi-larb' }),
    device('16010000.larb', 'mtk-smi-larb', [], { compatible: 'mediatek,mt8183-smi-larb' }),
    device('14008000.ovl', 'mediatek-disp-ovl', [{ iommu: '10205000.iommu', ids: [M4U_PORT(0, 0)] }]),
    device('16020000.vcodec', 'mtk-vcodec-dec', [{ iommu: '10205000.iommu', ids: [M4U_PORT(1, 2)] }]),
  ],
  drivers: [driver('mtk-smi-larb'), driver('mediatek-disp-ovl', [{ kind: 'dma-alloc', size: 4096 }]), driver('mtk-vcodec-dec')],
});

function ctx(k: Kernel): KernelCtx {
  return (k as unknown as { k: KernelCtx }).k;
}

describe('model/iommu mtk-iommu', () => {
  it('v6.15-rc1 (bcb81ac6ae3c without 38e8844005e6): NULL dereference in mtk_iommu_device_group from the deferred probe worker', () => {
    const k = run(juniper, 'v6.15-rc1');
    const log = lines(k);
    // the board is seed 002's Juniper (CONFIG_ARM64_SW_TTBR0_PAN on a CPU without PAN): a user address faults as unreadable
    const at = log.indexOf('Unable to handle kernel read from unreadable memory at virtual address 0000000000000000');
    expect(at).to.be.greaterThan(-1);
    const block = log.slice(at, log.indexOf('---[ end trace 0000000000000000 ]---', at) + 1);
    expect(block).to.include('Workqueue: events_unbound deferred_probe_work_func');
    // seed 002 shows this build's trace decoded, without offsets: none are printed
    expect(block).to.include('pc : mtk_iommu_device_group');
    expect(block).to.include('lr : mtk_iommu_device_group');
    expect(block.some((l) => /^CPU: \d+ UID: 0 PID: \d+ Comm: kworker\//.test(l))).to.equal(true);
    // the worker dies, the kernel goes on
    expect(k.panicked).to.equal(false);
    expect(k.taint()).to.include('D');
  });

  it('the oops trace is the model call chain: probe_iommu_group under mtk_iommu_probe, from deferred_probe_work_func', () => {
    const k = run(juniper, 'v6.15-rc1');
    // the worker frames are the bottom of a work item's stack
    expect(callTrace(k).slice(0, MTK_CHAIN.length)).to.deep.equal(MTK_CHAIN);
  });

  it('v6.15 (38e8844005e6): no oops; the clients share the M4U group and link to their larbs', () => {
    const k = run(juniper, 'v6.15');
    expect(text(k)).to.not.include('Unable to handle kernel');
    expect(text(k)).to.not.include('mtk_iommu_device_group');
    expect(lines(k)).to.include.members(['platform 14008000.ovl: Adding to iommu group 0', 'platform 16020000.vcodec: Adding to iommu group 0']);
    expect(k.device('14008000.ovl')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
    expect(k.device('16020000.vcodec')).to.include({ bound: true, group: 0 });
    const links = (name: string) => ctx(k).devices.get(name)!.links.filter((l) => l.consumer.name === name).map((l) => [l.supplier.name, l.pmRuntime]);
    expect(links('14008000.ovl')).to.deep.equal([['14017000.larb', true]]);
    expect(links('16020000.vcodec')).to.deep.equal([['16010000.larb', true]]);
    expect(k.checks()).to.deep.equal([]);
  });

  it('v6.14: the bus walk never reaches device_group for unparsed clients', () => {
    const k = run(juniper, 'v6.14');
    expect(text(k)).to.not.include('Unable to handle kernel');
    expect(lines(k)).to.include('mediatek-disp-ovl 14008000.ovl: Adding to iommu group 0');
  });

  it('the M4U defers until its SMI larbs have drivers, and its clients wait for it', () => {
    const k = run(juniper, 'v6.15', [], ['mtk-smi-larb']);
    expect(k.iommu('10205000.iommu')).to.deep.equal({ name: '10205000.iommu', registered: false });
    expect(k.device('10205000.iommu')).to.include({ bound: false, deferred: true });
    expect(k.device('14008000.ovl')).to.include({ bound: false, deferred: true, group: null });
    k.perform({ op: 'load-module', driver: 'mtk-smi-larb' });
    expect(k.iommu('10205000.iommu')!.registered).to.equal(true);
    expect(k.device('14008000.ovl')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
  });
});
