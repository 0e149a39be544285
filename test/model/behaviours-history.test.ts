// One test per behaviour added with the kernel history (issue #17), as behaviours.test.ts
// does for the first ones: the same board and steps on a profile with and without that
// single behaviour ({ base, apply | revert }).

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOT, board, device, driver, iommu, run } from './helpers.js';
import { BEHAVIOURS } from '../../runner/model/profiles/behaviours.js';
import { ERRNO } from '../../runner/model/kernel/errno.js';
import { KernelCtx } from '../../runner/model/kernel/ctx.js';
import { IommuInstance } from '../../runner/model/iommu/instance.js';
import { Group } from '../../runner/model/iommu/group.js';
import { Device } from '../../runner/model/core/device.js';
import { findIommuDriver } from '../../runner/model/drivers/catalog.js';
import { iommuDeviceUseDefaultDomain } from '../../runner/model/iommu/core.js';
import { resolveKernel, type KernelRef } from '../../runner/model/profiles/resolve.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

describe('model behaviours of the kernel history (each toggled alone)', () => {
  describe('229e6ee43d2a: arm-smmu defers a client whose SMMU registered but has not bound', () => {
    // a client that deferred once is retried on another CPU inside apps_smmu's probe
    const b = board({
      model: 'Qualcomm Technologies, Inc. Robotics RB3gen2 (DT)',
      iommus: [iommu('15000000.iommu', 'arm-smmu', { options: { 'concurrent-probe': ['1d84000.ufshc'] } })],
      devices: [device('1d84000.ufshc', 'ufshcd-qcom', { iommus: [{ iommu: '15000000.iommu', ids: [0x80] }], dmaBits: 64 })],
      drivers: [driver('ufshcd-qcom', [{ kind: 'dmam-alloc', size: 8192 }, { kind: 'log', text: 'scsi host0: ufshcd' }], { initcall: 'subsys' })],
    });

    it('without it, arm_smmu_probe_device() dereferences the NULL SMMU in the async worker', () => {
      const r = run(b, { base: 'v6.13', revert: ['229e6ee43d2a'] }, [BOOT]);
      expect(r.lines).to.include('Unable to handle kernel NULL pointer dereference at virtual address 0000000000000060');
      expect(r.lines).to.include('pc : arm_smmu_probe_device');
      expect(r.lines.some((l) => /^CPU: 1 PID: 41 Comm: kworker\/u8:2 /.test(l))).to.equal(true);
      // no thread shows this build's offsets: the frames are printed bare
      expect(r.text).to.match(/ iommu_probe_device\n.* of_iommu_configure\n/);
      expect(r.k.taint()).to.include('D');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: false });
    });

    it('with it, the client defers silently and binds behind the SMMU after it has bound', () => {
      const r = run(b, 'v6.13', [BOOT]);
      expect(r.text).to.not.include('Unable to handle kernel');
      expect(r.lines).to.include('ufshcd-qcom 1d84000.ufshc: scsi host0: ufshcd');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: true, dmaOps: 'iommu' });
      expect(r.k.taint()).to.equal('');
    });

    it('the LTS lines carry it from their stable release on', () => {
      expect(run(b, 'v6.12.y', [BOOT]).k.device('1d84000.ufshc')).to.include({ bound: true });
      expect(run(b, 'v6.12', [BOOT]).k.device('1d84000.ufshc')).to.include({ bound: false });
      expect(run(b, 'v5.4.y', [BOOT]).text).to.include('Unable to handle kernel');
    });
  });

  describe('45ddcb42949f: a sysfs bind whose probe defers returns -EAGAIN, not -EPROBE_DEFER', () => {
    const b = board({
      devices: [device('ee300000.sata', 'sata_rcar')],
      drivers: [driver('sata_rcar', [{ kind: 'log', text: 'ready' }])],
    });
    const steps = [
      BOOT,
      { op: 'unbind' as const, device: 'ee300000.sata' },
      { op: 'fail-probe' as const, device: 'ee300000.sata', errno: -ERRNO.EPROBE_DEFER!, times: 1 },
      { op: 'bind' as const, device: 'ee300000.sata' },
    ];

    it('without it (ef6dcbdd8eb2 alone), the kernel-internal -517 reaches userspace', () => {
      const r = run(b, { base: 'v5.14', revert: ['45ddcb42949f'] }, steps);
      expect(r.errnos[3]).to.equal(-517);
    });

    it('with it, -EAGAIN', () => {
      const r = run(b, 'v5.14', steps);
      expect(r.errnos[3]).to.equal(-ERRNO.EAGAIN!);
      expect(r.k.device('ee300000.sata')).to.include({ bound: false });
    });
  });

  describe('f48dcda8f6a4: rk_iommu_of_xlate allocates against the IOMMU, not the global dma_dev', () => {
    // RK3568: the VOP's IOMMU registers first, and under bcb81ac6ae3c its walk runs of_xlate
    const b = board({
      model: 'Hardkernel ODROID-M1 (DT)',
      iommus: [iommu('fe043e00.iommu', 'rockchip-iommu')],
      devices: [device('fe040000.vop', 'rockchip-vop2', { iommus: [{ iommu: 'fe043e00.iommu', ids: [] }] })],
      drivers: [driver('rockchip-vop2', [{ kind: 'log', text: 'ready' }])],
    });

    it('without it (and without f90aa59eb299), devm_kmalloc on the NULL dma_dev oopses in the walk', () => {
      const r = run(b, { base: 'v6.15-rc1', revert: ['f48dcda8f6a4', 'f90aa59eb299'] }, [BOOT]);
      expect(r.lines).to.include('Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8');
      expect(r.lines.some((l) => /^pc : devm_kmalloc(\+|$)/.test(l))).to.equal(true);
    });

    it('with it alone, of_xlate no longer touches dma_dev', () => {
      const r = run(b, { base: 'v6.15-rc1', revert: ['f90aa59eb299'] }, [BOOT]);
      expect(r.text).to.not.include('devm_kmalloc');
      expect(r.text).to.not.include('Unable to handle kernel');
    });
  });

  describe('dcde1c4aa7ce: a rockchip domain no longer needs the global dma_dev', () => {
    // under bcb81ac6ae3c with f48dcda8f6a4 alone, of_xlate survives but dma_dev is still unset
    // when the walk allocates the default domain
    const b = board({
      iommus: [iommu('fe043e00.iommu', 'rockchip-iommu')],
      devices: [device('fe040000.vop', 'rockchip-vop2', { iommus: [{ iommu: 'fe043e00.iommu', ids: [] }] })],
      drivers: [driver('rockchip-vop2', [{ kind: 'log', text: 'ready' }])],
    });

    it('without it, no domain can be allocated before dma_dev is set: the walk fails and the client runs without its IOMMU', () => {
      const r = run(b, { base: 'v6.15-rc1', revert: ['f90aa59eb299', 'dcde1c4aa7ce'] }, [BOOT]);
      expect(r.k.device('fe040000.vop')).to.include({ group: null });
    });

    it('with it, the default domain is allocated in the walk', () => {
      const r = run(b, { base: 'v6.15-rc1', revert: ['f90aa59eb299'] }, [BOOT]);
      expect(r.k.device('fe040000.vop')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
    });
  });

  describe('b46064a18810: iommu_device_use_default_domain() defers while the group has no default domain', () => {
    // the state bus_iommu_probe() leaves between grouping a device and finalising its group
    function useDefaultDomain(kernel: KernelRef): number {
      const k = new KernelCtx(board({}), resolveKernel(kernel), 0);
      const inst = new IommuInstance({ name: '10000000.iommu', driver: 'arm-smmu', status: 'okay', options: {} }, findIommuDriver('arm-smmu')!);
      const dev = new Device('20000000.dev', 'platform', undefined, 'okay', [], 32, 'cdrv', undefined);
      dev.group = new Group(0, inst);
      return iommuDeviceUseDefaultDomain(k, dev);
    }

    it('without it, the client goes on (on dma-direct, to be switched to iommu-dma underfoot)', () => {
      expect(useDefaultDomain({ base: 'v6.15', revert: ['b46064a18810'] })).to.equal(0);
    });

    it('with it, -EPROBE_DEFER: the probe is retried once the IOMMU driver has finished', () => {
      expect(useDefaultDomain('v6.15')).to.equal(-ERRNO.EPROBE_DEFER!);
    });
  });

  describe('the register-before-ready window of each catalog driver (a client probing on another CPU)', () => {
    // a client that deferred at core initcall is retried on another CPU while the IOMMU
    // instance sits between iommu_device_register() and the end of its probe (v6.14: no
    // bcb81ac6ae3c, so only a concurrent probe reaches the window)
    const windowBoard = (drv: string) =>
      board({
        iommus: [iommu('10000000.iommu', drv, { options: { 'concurrent-probe': ['20000000.dev'] } })],
        devices: [device('20000000.dev', 'cdrv', { iommus: [{ iommu: '10000000.iommu', ids: [1] }] })],
        drivers: [driver('cdrv', [{ kind: 'log', text: 'ready' }], { initcall: 'core' })],
      });

    it('mtk-iommu (9e3a2a643653): the hw list is NULL in mtk_iommu_device_group before 38e8844005e6', () => {
      const bad = run(windowBoard('mtk-iommu'), 'v6.14', [BOOT]);
      expect(bad.lines.some((l) => /^pc : mtk_iommu_device_group(\+|$)/.test(l))).to.equal(true);
      const good = run(windowBoard('mtk-iommu'), { base: 'v6.14', apply: ['38e8844005e6'] }, [BOOT]);
      expect(good.k.device('20000000.dev')).to.include({ bound: true, dmaOps: 'iommu' });
      expect(run(windowBoard('mtk-iommu'), 'v6.12.y', [BOOT]).k.device('20000000.dev')).to.include({ bound: true });
    });

    it('rockchip-iommu: dma_dev is NULL in rk_iommu_of_xlate before f48dcda8f6a4 / f90aa59eb299', () => {
      const bad = run(windowBoard('rockchip-iommu'), 'v6.14', [BOOT]);
      expect(bad.lines.some((l) => /^pc : devm_kmalloc(\+|$)/.test(l))).to.equal(true);
      const good = run(windowBoard('rockchip-iommu'), { base: 'v6.14', apply: ['f90aa59eb299'] }, [BOOT]);
      expect(good.k.device('20000000.dev')).to.include({ bound: true, dmaOps: 'iommu' });
    });

    it('ipmmu-vmsa: drvdata is NULL in ipmmu_init_platform_device before d9d3cede4167, so the client runs untranslated', () => {
      const bad = run(windowBoard('ipmmu-vmsa'), 'v6.14', [BOOT]);
      expect(bad.k.device('20000000.dev')).to.include({ bound: true, group: null });
      const good = run(windowBoard('ipmmu-vmsa'), { base: 'v6.14', apply: ['d9d3cede4167'] }, [BOOT]);
      expect(good.k.device('20000000.dev')).to.include({ bound: true, dmaOps: 'iommu' });
    });

    it('mtk-iommu before 9e3a2a643653 (no shared hw list yet): no window', () => {
      const r = run(windowBoard('mtk-iommu'), { base: 'v6.14', revert: ['9e3a2a643653'] }, [BOOT]);
      expect(r.text).to.not.include('Unable to handle kernel');
      expect(r.k.device('20000000.dev')).to.include({ bound: true, dmaOps: 'iommu' });
    });

    it('exynos-sysmmu publishes its data and registers last: no window', () => {
      for (const drv of ['exynos-sysmmu']) {
        const r = run(windowBoard(drv), 'v6.14', [BOOT]);
        expect(r.k.device('20000000.dev'), drv).to.include({ bound: true, dmaOps: 'iommu' });
        expect(r.text, drv).to.not.include('Unable to handle kernel');
      }
    });
  });

  describe('a6a4c7e2c5b8: the IOMMU core probes devices through ->probe_device (v5.8)', () => {
    // the arm-smmu race board: which driver callback meets the unbound SMMU names the era
    const b = board({
      iommus: [iommu('15000000.iommu', 'arm-smmu', { options: { 'concurrent-probe': ['1d84000.ufshc'] } })],
      devices: [device('1d84000.ufshc', 'ufshcd-qcom', { iommus: [{ iommu: '15000000.iommu', ids: [0x80] }] })],
      drivers: [driver('ufshcd-qcom', [{ kind: 'log', text: 'ready' }], { initcall: 'subsys' })],
    });

    it('without it, ->add_device is called straight from of_iommu_configure', () => {
      const r = run(b, { base: 'v5.8', revert: ['a6a4c7e2c5b8'] }, [BOOT]);
      expect(r.lines.some((l) => /^pc : arm_smmu_add_device(\+|$)/.test(l))).to.equal(true);
      expect(r.text).to.not.match(/ iommu_probe_device(\+|\n)/);
    });

    it('with it, iommu_probe_device() → __iommu_probe_device() → ->probe_device', () => {
      const r = run(b, 'v5.8', [BOOT]);
      expect(r.lines.some((l) => /^pc : arm_smmu_probe_device(\+|$)/.test(l))).to.equal(true);
      // offsets print only where a thread shows them for the build
      expect(r.text).to.match(/ __iommu_probe_device(\+\S+)?\n.* iommu_probe_device(\+\S+)?\n/);
    });
  });

  describe('512881eacfa7 / 25f3bcfc54bc: the bus claims the default domain at bind and gives it back at unbind', () => {
    const b = board({
      iommus: [iommu('9050000.smmu')],
      devices: [device('1000000.dma', 'foo-dma', { iommus: [{ iommu: '9050000.smmu', ids: [1] }] })],
      drivers: [driver('foo-dma', [{ kind: 'log', text: 'ready' }])],
    });
    const owner = (r: ReturnType<typeof run>): boolean =>
      ((r.k as unknown as { k: KernelCtx }).k.devices.get('1000000.dma') as unknown as { dmaOwner: boolean }).dmaOwner;
    const unbind = { op: 'unbind' as const, device: '1000000.dma' };

    it('512881eacfa7: without it the bound driver owns nothing; with it, iommu_device_use_default_domain() made it the owner', () => {
      expect(owner(run(b, { base: 'v5.19', revert: ['512881eacfa7'] }, [BOOT]))).to.equal(false);
      expect(owner(run(b, 'v5.19', [BOOT]))).to.equal(true);
    });

    it('25f3bcfc54bc: without it the ownership outlives the unbind; with it, dma_cleanup gives it back', () => {
      expect(owner(run(b, { base: 'v5.19', revert: ['25f3bcfc54bc'] }, [BOOT, unbind]))).to.equal(true);
      expect(owner(run(b, 'v5.19', [BOOT, unbind]))).to.equal(false);
    });
  });

  it('every behaviour of the table has a test that names it', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.test.js')) files.push(path.join(dir, e.name));
      }
    };
    walk(HERE);
    // the titles of describe()/it() blocks of test/model
    const titles = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\b(?:describe|it)\((['`])(.*?)\1/g)].map((m) => m[2]!));
    for (const b of BEHAVIOURS) {
      const names = [b.id, ...(b.aliases ?? [])];
      expect(titles.some((t) => names.some((n) => t.includes(n))), `${b.id}: no describe()/it() under test/model names it`).to.equal(true);
    }
  });
});
