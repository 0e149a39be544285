// One test per driver-core/DMA/IOMMU-core behaviour: the same board and steps on a
// profile with and without that single behaviour ({ base, apply | revert }).

import { expect } from 'chai';
import { BOOT, board, device, driver, iommu, run, smmuBoard } from './helpers.js';
import { ERRNO } from '../../runner/model/kernel/errno.js';

const BAD_PAGE = 'BUG: Bad page state in process';
const neg = (name: string): number => -ERRNO[name]!;

describe('model behaviours (each toggled alone)', () => {
  describe('376991db4b64: unbind releases devres before the DMA tear-down', () => {
    const b = smmuBoard([{ kind: 'dmam-alloc', size: 8192 }]);
    const coherent = smmuBoard([{ kind: 'dmam-alloc', size: 8192 }]);
    coherent.devices[0]!.dmaCoherent = true;
    const steps = [BOOT, { op: 'unbind' as const, device: '1000000.dma' }];

    it('without it, the dmam buffer is freed through dma-direct: Bad page state per page, taint B', () => {
      // a cache-coherent device: dma_direct_free() takes virt_to_page() of the vmalloc
      // remapping, a reserved page of the lowest bank (as on the Huawei machines)
      const r = run(coherent, { base: 'v5.1', revert: ['376991db4b64'] }, steps);
      expect(r.lines.filter((l) => l.startsWith(BAD_PAGE))).to.have.length(2);
      expect(r.lines.filter((l) => l.startsWith(BAD_PAGE))[0]).to.match(/^BUG: Bad page state in process sh {2}pfn:[0-9a-f]{5}$/);
      expect(r.lines.filter((l) => l === 'Disabling lock debugging due to kernel taint')).to.have.length(1);
      expect(r.k.taint()).to.equal('B');
      expect(r.k.checks().map((c) => c.check)).to.include('foreign-free');
      // offsets of the arm64 v5.1 build the threads show (D06) where it has the call site; none elsewhere
      expect(r.text).to.include(' devres_release_all+0x34/0x54\n');
      expect(r.text).to.include(' unbind_store\n');
    });

    it('without it, a non-coherent device\'s buffer goes through arch_dma_free(): the IOVA taken for a physical address faults', () => {
      const r = run(b, { base: 'v5.1', revert: ['376991db4b64'] }, steps);
      expect(r.lines.find((l) => l.startsWith('Unable to handle kernel'))).to.match(/^Unable to handle kernel paging request at virtual address ffff7e[0-9a-f]{10}$/);
      expect(r.text).to.match(/ __free_pages\n.* __dma_direct_free_pages(\+\S+)?\n.* arch_dma_free\n.* dma_direct_free\n/);
      expect(r.text).to.not.include(BAD_PAGE);
      expect(r.k.taint()).to.equal('D');
    });

    it('before v5.0, a NULL dma_ops meant arm64\'s dummy_dma_ops: the wrong free is silent (thread 000: "How it manages not to blow up ... it just leaks")', () => {
      const r = run(coherent, { base: 'v4.20', revert: ['376991db4b64'] }, steps);
      expect(r.text).to.not.include(BAD_PAGE);
      expect(r.text).to.not.include('Unable to handle kernel');
      expect(r.k.checks().map((c) => c.check)).to.include('foreign-free');
    });

    it('with it, nothing is printed and nothing leaks', () => {
      const r = run(b, 'v5.1', steps);
      expect(r.text).to.not.include(BAD_PAGE);
      expect(r.k.taint()).to.equal('');
      expect(r.k.checks()).to.deep.equal([]);
      expect(r.k.device('1000000.dma')).to.include({ bound: false, driver: null });
    });
  });

  describe('356da6d0cde3: on arm64 NULL dma_ops is dma-direct (v5.0), not dummy_dma_ops', () => {
    const coherent = smmuBoard([{ kind: 'dmam-alloc', size: 8192 }]);
    coherent.devices[0]!.dmaCoherent = true;
    const steps = [BOOT, { op: 'unbind' as const, device: '1000000.dma' }];
    const v50 = { base: 'v5.0' };

    it('without it (v5.0 reverted), the torn-down device\'s free goes to dummy_dma_ops: silent, only the leak check sees it', () => {
      const r = run(coherent, { ...v50, revert: ['356da6d0cde3'] }, steps);
      expect(r.text).to.not.include(BAD_PAGE);
      expect(r.k.taint()).to.equal('');
      expect(r.k.checks().map((c) => c.check)).to.include('foreign-free');
    });

    it('with it (v4.20 + it), the same free reaches dma_direct_free(): Bad page state for each page', () => {
      const r = run(coherent, { base: 'v4.20', apply: ['356da6d0cde3'] }, steps);
      expect(r.lines.filter((l) => l.startsWith(BAD_PAGE))).to.have.length(2);
      expect(r.text).to.match(/ __free_pages\S*\n.* __dma_direct_free_pages\S*\n.* dma_direct_free\S*\n/);
      expect(r.k.taint()).to.equal('B');
    });
  });

  describe('0b777eee88d7: the failed-probe path releases devres before the DMA tear-down', () => {
    const b = smmuBoard([{ kind: 'dmam-alloc', size: 8192 }, { kind: 'log', text: 'scsi host1: foo' }]);
    b.devices[0]!.dmaCoherent = true;
    const steps = [{ op: 'fail-probe' as const, device: '1000000.dma', errno: neg('ENOMEM'), times: 1 }, BOOT];

    it('without it, a probe failing after dmam-alloc hits Bad page state in swapper/0', () => {
      const r = run(b, { base: 'v5.2', revert: ['0b777eee88d7'] }, steps);
      expect(r.lines).to.include('foo-dma: probe of 1000000.dma failed with error -12');
      const bad = r.lines.filter((l) => l.startsWith(BAD_PAGE));
      expect(bad).to.have.length(2);
      expect(bad[0]).to.match(/^BUG: Bad page state in process swapper\/0 {2}pfn:/);
      expect(r.text).to.match(/ devres_release_all\n.* really_probe\n/);
      // really_probe() of that era printed the failure after its error labels ran
      expect(r.lines.indexOf('foo-dma: probe of 1000000.dma failed with error -12')).to.be.greaterThan(r.lines.indexOf(bad[1]!));
    });

    it('with it, the probe fails cleanly', () => {
      const r = run(b, 'v5.2', steps);
      expect(r.lines).to.include('foo-dma: probe of 1000000.dma failed with error -12');
      expect(r.text).to.not.include(BAD_PAGE);
      expect(r.k.checks()).to.deep.equal([]);
    });
  });

  describe('sysfs-bind-errno: the real error from sysfs bind', () => {
    const b = smmuBoard([{ kind: 'log', text: 'ready' }]);
    const dev = '1000000.dma';
    const bind = { op: 'bind' as const, device: dev };
    const unbind = { op: 'unbind' as const, device: dev };
    const steps = [
      BOOT,
      bind, // already bound
      unbind,
      { op: 'fail-probe' as const, device: dev, errno: neg('ENOMEM'), times: 1 },
      bind, // probe fails
      { op: 'fail-probe' as const, device: dev, errno: neg('EPROBE_DEFER'), times: 1 },
      bind, // probe defers
      bind, // succeeds
    ];

    it('before: -ENODEV for a bound device, a failed probe and a deferral', () => {
      const r = run(b, { base: 'v5.14', revert: ['sysfs-bind-errno'] }, steps);
      expect(r.errnos.slice(1)).to.deep.equal([neg('ENODEV'), 0, undefined, neg('ENODEV'), undefined, neg('ENODEV'), 0]);
    });

    it('after: -EBUSY, the probe errno, and -EAGAIN for -EPROBE_DEFER', () => {
      const r = run(b, 'v5.14', steps);
      expect(r.errnos.slice(1)).to.deep.equal([neg('EBUSY'), 0, undefined, neg('ENOMEM'), undefined, neg('EAGAIN'), 0]);
      expect(r.k.lastErrno()).to.equal(0);
    });
  });

  describe('7b07cbefb68d: clients of a not-yet-registered IOMMU defer', () => {
    const b = smmuBoard([{ kind: 'log', text: 'ready' }]);
    const steps = [{ op: 'boot' as const, hold: ['arm-smmu-v3'] }];

    it('without it, the client is configured without the IOMMU when it is created', () => {
      const r = run(b, { base: 'v4.12-rc1', revert: ['7b07cbefb68d'] }, steps);
      expect(r.k.device('1000000.dma')).to.include({ bound: true, deferred: false, group: null, dmaOps: 'direct' });
    });

    it('with it, the client waits, then binds in a group once the IOMMU registers', () => {
      const r = run(b, 'v4.12-rc1', [...steps]);
      expect(r.k.device('1000000.dma')).to.include({ bound: false, deferred: true });
      r.k.perform({ op: 'register-iommu-late', iommu: '9050000.smmu', driver: 'arm-smmu-v3' });
      expect(r.k.device('1000000.dma')).to.include({ bound: true, deferred: false, group: 0, dmaOps: 'iommu' });
      expect(r.k.log.map((l) => l.text)).to.include('iommu: Adding device 1000000.dma to group 0');
    });
  });

  describe('of-iommu-skip-disabled: a disabled IOMMU node means "no IOMMU"', () => {
    const b = smmuBoard([{ kind: 'log', text: 'ready' }], { iommus: [iommu('9050000.smmu', 'arm-smmu-v3', { status: 'disabled' })] });
    const steps = [BOOT, { op: 'deferred-timeout' as const }];

    it('without it, the client defers forever, even past the timeout', () => {
      const r = run(b, { base: 'v4.12', revert: ['of-iommu-skip-disabled'] }, steps);
      expect(r.k.device('1000000.dma')).to.include({ bound: false, deferred: true });
      expect(r.text).to.not.include('ready');
    });

    it('with it, the client binds without an IOMMU', () => {
      const r = run(b, 'v4.12', steps);
      expect(r.k.device('1000000.dma')).to.include({ bound: true, group: null, dmaOps: 'direct' });
      expect(r.lines).to.include('foo-dma 1000000.dma: ready');
    });
  });

  describe('arm32-teardown-clears-ops: a re-probe after deferral sets the IOMMU ops up again', () => {
    const b = smmuBoard([{ kind: 'dmam-alloc', size: 4096 }], { arch: 'arm', model: 'Test arm32 board (DT)' });
    const steps = [{ op: 'fail-probe' as const, device: '1000000.dma', errno: neg('EPROBE_DEFER'), at: 0, times: 1 }, BOOT];

    it('without it, stale arm-iommu ops with no mapping oops on the first DMA allocation', () => {
      const r = run(b, { base: 'v4.12', revert: ['arm32-teardown-clears-ops'] }, steps);
      expect(r.lines).to.include('Unable to handle kernel NULL pointer dereference at virtual address 00000014');
      expect(r.lines).to.include('PC is at __alloc_iova');
      expect(r.lines.some((l) => /^\[<c[0-9a-f]{7}>\] \(__alloc_iova\) from \[<c[0-9a-f]{7}>\] \(__iommu_alloc_buffer\)$/.test(l))).to.equal(true);
      expect(r.k.taint()).to.include('D');
    });

    it('with it, the re-probe maps through the IOMMU', () => {
      const r = run(b, 'v4.12', steps);
      expect(r.text).to.not.include('Unable to handle kernel');
      expect(r.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'arm-iommu' });
    });
  });

  describe('b4ebe6063204: dma-direct honours the bus DMA limit', () => {
    // a 40-bit device on a 32-bit interconnect, RAM only above 4 GiB
    const b = board({
      memory: [{ base: 0x480000000, size: 0x40000000 }],
      busDmaBits: 32,
      devices: [device('ee300000.sata', 'sata_rcar', { dmaBits: 40 })],
      drivers: [driver('sata_rcar', [{ kind: 'dma-alloc', size: 4096 }])],
    });

    it('without it, the allocation lands above the bus limit and "succeeds"', () => {
      const r = run(b, { base: 'v4.20-rc1', revert: ['b4ebe6063204'] }, [BOOT]);
      expect(r.k.device('ee300000.sata')).to.include({ bound: true });
    });

    it('with it, no memory satisfies the limit: the probe fails with -ENOMEM', () => {
      const r = run(b, 'v4.20-rc1', [BOOT]);
      expect(r.lines).to.include('sata_rcar: probe of ee300000.sata failed with error -12');
      expect(r.k.device('ee300000.sata')).to.include({ bound: false });
    });
  });

  describe('6778be4e5209: a DT device gets a bus DMA limit only from dma-ranges', () => {
    // no dma-ranges on this board (no bus-dma-bits), RAM only above 4 GiB
    const b = board({
      memory: [{ base: 0x480000000, size: 0x40000000 }],
      devices: [device('ee300000.sata', 'sata_rcar', { dmaBits: 40 })],
      drivers: [driver('sata_rcar', [{ kind: 'dma-alloc', size: 4096 }])],
    });

    it('without it, the 32-bit default bus mask starves the device under b4ebe6063204', () => {
      const r = run(b, { base: 'v4.20', revert: ['6778be4e5209'] }, [BOOT]);
      expect(r.lines).to.include('sata_rcar: probe of ee300000.sata failed with error -12');
    });

    it('with it, no limit applies', () => {
      const r = run(b, 'v4.20', [BOOT]);
      expect(r.k.device('ee300000.sata')).to.include({ bound: true });
    });
  });

  describe('b67483b3c44e / 8b80549f1bc6: iommu-dma ops set once at IOMMU probe; arm64 tear-down', () => {
    // the client waits for a PHY whose driver registers late, so its first probe defers
    const b = board({
      iommus: [iommu('15000000.iommu')],
      devices: [
        device('1d84000.ufshc', 'ufshcd-qcom', { iommus: [{ iommu: '15000000.iommu', ids: [0x300] }], dmaBits: 36 }),
        device('1d87000.phy', 'qcom-qmp-ufs-phy'),
      ],
      drivers: [
        driver('ufshcd-qcom', [{ kind: 'wait-for', device: '1d87000.phy' }, { kind: 'dma-transfer', size: 4096 }]),
        driver('qcom-qmp-ufs-phy', [], { initcall: 'late' }),
      ],
    });

    it('b67483b3c44e alone: the re-probe keeps dma-direct inside the DMA domain and faults', () => {
      const r = run(b, { base: 'v6.9', apply: ['b67483b3c44e'] }, [BOOT]);
      expect(r.lines.some((l) => l.includes('event 0x10 received'))).to.equal(true);
      expect(r.lines).to.include('ufshcd-qcom: probe of 1d84000.ufshc failed with error -5');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: false, dmaOps: 'none' });
    });

    it('without b67483b3c44e (v6.9), every probe re-installs iommu-dma', () => {
      const r = run(b, 'v6.9', [BOOT]);
      expect(r.text).to.not.include('event 0x10');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: true, dmaOps: 'iommu', group: 0 });
    });

    it('with 8b80549f1bc6 too (v6.10), the ops survive the deferral', () => {
      const r = run(b, 'v6.10', [BOOT]);
      expect(r.text).to.not.include('event 0x10');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: true, dmaOps: 'iommu' });
      const without = run(b, { base: 'v6.10', revert: ['8b80549f1bc6'] }, [BOOT]);
      expect(without.text).to.include('event 0x10 received');
    });
  });

  describe('bcb81ac6ae3c: firmware parsing moves into the IOMMU probe path', () => {
    const b = smmuBoard([{ kind: 'log', text: 'ready' }]);

    it('before, the group is made when the client binds (driver name prefix)', () => {
      const r = run(b, 'v6.14', [BOOT]);
      expect(r.lines).to.include('foo-dma 1000000.dma: Adding to iommu group 0');
    });

    it('after, the IOMMU registration groups the unbound client (bus name prefix)', () => {
      const r = run(b, { base: 'v6.14', apply: ['bcb81ac6ae3c'] }, [BOOT]);
      expect(r.lines).to.include('platform 1000000.dma: Adding to iommu group 0');
      expect(r.k.device('1000000.dma')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
    });
  });

  describe('73d2f10957f5: the late-probe WARN moves after probe_device', () => {
    // an x86 box: reg-dummy is bound at core initcall, the IOMMU registers later
    const b = board({
      arch: 'x86_64',
      firmware: 'acpi',
      model: 'System manufacturer System Product Name/PRIME X470-PRO, BIOS 5406 11/13/2019',
      iommus: [iommu('ivhd0', 'amd-iommu')],
      devices: [device('reg-dummy', 'reg-dummy'), device('0000:00:01.0', 'e1000e', { bus: 'pci' })],
      drivers: [driver('reg-dummy', [], { initcall: 'core' }), driver('e1000e', [])],
    });

    it('with bcb81ac6ae3c alone, every bound device the walk meets warns', () => {
      const r = run(b, { base: 'v6.14', apply: ['bcb81ac6ae3c'] }, [BOOT]);
      expect(r.lines).to.include('reg-dummy reg-dummy: late IOMMU probe at driver bind, something fishy here!');
      expect(r.lines.some((l) => /^WARNING: CPU: 0 PID: 1 at drivers\/iommu\/iommu.c:449 __iommu_probe_device(\+0x[0-9a-f]+\/0x[0-9a-f]+)?$/.test(l))).to.equal(true);
      expect(r.k.taint()).to.equal('W');
    });

    it('with the fix, devices the driver refuses do not warn', () => {
      const r = run(b, { base: 'v6.14', apply: ['bcb81ac6ae3c', '73d2f10957f5'] }, [BOOT]);
      expect(r.text).to.not.include('fishy');
      expect(r.k.device('0000:00:01.0')).to.include({ bound: true, group: 0 });
    });
  });
});
