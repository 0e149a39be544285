// rockchip-iommu: the global dma_dev set after registration (before f90aa59eb299) meets
// bcb81ac6ae3c's of_xlate from the registration's bus walk (seed 002, Odroid-M1 oops).

import { expect } from 'chai';
import { board, callTrace, device, driver, iommu, lines, run, text } from './helpers.js';
import type { KernelCtx } from '../../../runner/model/kernel/ctx.js';
import type { Kernel } from '../../../runner/model/index.js';

/** seed 002 (Marek Szyprowski, 2025-03-13): the Call trace of the RK3568 oops, innermost first */
const SEED_002_CHAIN = [
  'devm_kmalloc', 'rk_iommu_of_xlate', 'of_iommu_xlate', 'of_iommu_configure', 'of_dma_configure_id',
  'platform_dma_configure', '__iommu_probe_device', 'probe_iommu_group', 'bus_for_each_dev',
  'iommu_device_register', 'rk_iommu_probe', 'platform_probe', 'really_probe', '__driver_probe_device',
  'driver_probe_device', '__driver_attach', 'bus_for_each_dev', 'driver_attach', 'bus_add_driver',
  'driver_register', '__platform_driver_register', 'rk_iommu_driver_init', 'do_one_initcall',
  'kernel_init_freeable', 'kernel_init', 'ret_from_fork',
];

const odroidM1 = board({
  id: 'odroid-m1',
  model: 'Hardkernel ODROID-M1 (DT)',
  iommus: [iommu('fe043e00.iommu', 'rockchip-iommu'), iommu('fdea0800.iommu', 'rockchip-iommu')],
  devices: [
    device('fe040000.vop', 'rockchip-vop2', [{ iommu: 'fe043e00.iommu', ids: [] }]),
    device('fdea0000.video-codec', 'hantro-vpu', [{ iommu: 'fdea0800.iommu', ids: [] }]),
  ],
  drivers: [driver('rockchip-vop2', [{ kind: 'dma-alloc', size: 4096 }]), driver('hantro-vpu')],
});

function ctx(k: Kernel): KernelCtx {
  return (k as unknown as { k: KernelCtx }).k;
}

describe('model/iommu rockchip-iommu', () => {
  it('next-20250312 (bcb81ac6ae3c without f90aa59eb299): devm_kmalloc NULL dereference at 0x3e8 in PID 1, then panic', () => {
    const k = run(odroidM1, 'next-20250312');
    const log = lines(k);
    expect(log).to.include('Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8');
    expect(log).to.include('Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP');
    // the board is seed 002's ODROID-M1: its build's CPU and uname
    expect(log).to.include('CPU: 3 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc3+ #15533');
    expect(log).to.include('Hardware name: Hardkernel ODROID-M1 (DT)');
    expect(log).to.include('pc : devm_kmalloc+0x2c/0x114');
    expect(log).to.include('lr : rk_iommu_of_xlate+0x30/0x90');
    expect(log).to.include(' devm_kmalloc+0x2c/0x114 (P)');
    expect(log).to.include('Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b');
    expect(k.panicked).to.equal(true);
    expect(k.taint()).to.equal('D');
    // the first client is reached before the registration returns: nothing is grouped
    expect(text(k)).to.not.include('Adding to iommu group');
  });

  it('the oops trace is the model call chain, and it reads like seed 002', () => {
    const k = run(odroidM1, { base: 'v6.14', apply: ['bcb81ac6ae3c'] });
    expect(callTrace(k)).to.deep.equal(SEED_002_CHAIN);
  });

  it('v6.15-rc1 (f90aa59eb299): dma_dev is set first, every client is grouped in the bus walk', () => {
    const k = run(odroidM1, 'v6.15-rc1');
    const log = lines(k);
    expect(text(k)).to.not.include('Unable to handle kernel');
    expect(log).to.include('platform fe040000.vop: Adding to iommu group 0');
    expect(log).to.include('platform fdea0000.video-codec: Adding to iommu group 1');
    expect(k.device('fe040000.vop')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
    expect(k.device('fdea0000.video-codec')).to.include({ bound: true, group: 1 });
    expect(k.panicked).to.equal(false);
    expect(k.checks()).to.deep.equal([]);
  });

  it('v6.14: of_xlate runs only at client bind, after dma_dev is set', () => {
    const k = run(odroidM1, 'v6.14');
    expect(lines(k)).to.include('rockchip-vop2 fe040000.vop: Adding to iommu group 0');
    expect(text(k)).to.not.include('Unable to handle kernel');
    expect(k.device('fe040000.vop')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
  });

  it('probe_device links each client to its IOMMU for runtime PM; release drops the link', () => {
    const k = run(odroidM1, 'v6.15', [{ op: 'remove-device', device: 'fdea0000.video-codec' }]);
    const vop = ctx(k).devices.get('fe040000.vop')!;
    expect(vop.links.map((l) => [l.consumer.name, l.supplier.name, l.owner, l.pmRuntime])).to.deep.equal([
      ['fe040000.vop', 'fe043e00.iommu', 'rk_iommu', true],
    ]);
    expect(ctx(k).devices.get('fdea0800.iommu')!.links).to.deep.equal([]);
    expect(lines(k)).to.include('platform fdea0000.video-codec: Removing from iommu group 1');
  });

  it('domain_alloc_paging returns NULL while dma_dev is unset (the second-order hazard)', async () => {
    const { rockchipIommu } = await import('../../../runner/model/drivers/rockchip-iommu.js');
    const k = run(board({ iommus: [iommu('fe043e00.iommu', 'rockchip-iommu')], devices: [], drivers: [] }), 'v6.14', [], ['rockchip-iommu']);
    const inst = ctx(k).iommus.get('fe043e00.iommu')!;
    expect(rockchipIommu.domainAlloc(ctx(k), inst, 'dma')).to.equal(null);
    k.perform({ op: 'register-iommu-late', iommu: 'fe043e00.iommu', driver: 'rockchip-iommu' });
    expect(rockchipIommu.domainAlloc(ctx(k), inst, 'dma')).to.not.equal(null);
  });
});
