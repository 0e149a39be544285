// Late IOMMU registration: clients added first defer, then bind with groups once the
// IOMMU registers; a disabled IOMMU node means "no IOMMU" from v4.12 (v4.12-rc1 waits
// forever). Boards: QEMU virt with virtio-iommu (a module), Taishan D06 (ACPI/IORT,
// arm-smmu-v3), an R-Car IPMMU.

import { expect } from 'chai';
import { board, device, driver, indexOf, iommu, lines, run, text } from './helpers.js';
import type { ModelBoard } from '../../../runner/model/index.js';

const VIOMMU = '0000:00:01.0';
const CLIENTS = ['0000:00:02.0', '0000:00:03.0', '0000:00:04.0'];

/** boards/qemu-virt-arm64.yaml, as a ModelBoard */
const qemuVirt = board({
  id: 'qemu-virt-arm64',
  model: 'linux,dummy-virt (DT)',
  memory: [{ base: 0x40000000, size: 0x20000000 }],
  iommus: [iommu(VIOMMU, 'virtio-iommu')],
  devices: [
    device('0000:00:02.0', 'virtio-pci', [{ iommu: VIOMMU, ids: [0x10] }], { bus: 'pci', dmaBits: 64 }),
    device('0000:00:03.0', 'virtio-pci', [{ iommu: VIOMMU, ids: [0x18] }], { bus: 'pci', dmaBits: 64 }),
    device('0000:00:04.0', 'e1000e', [{ iommu: VIOMMU, ids: [0x20] }], { bus: 'pci', dmaBits: 64 }),
  ],
  drivers: [driver('virtio-pci', [{ kind: 'dmam-alloc', size: 4096 }]), driver('e1000e', [{ kind: 'dmam-alloc', size: 4096 }, { kind: 'request-irq', irq: 36 }])],
});

const taishanD06 = board({
  id: 'taishan-d06',
  model: 'Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0',
  firmware: 'acpi',
  memory: [{ base: 0x0, size: 0x3fc00000 }, { base: 0x2080000000, size: 0x80000000 }],
  iommus: [iommu('arm-smmu-v3.0.auto', 'arm-smmu-v3'), iommu('arm-smmu-v3.1.auto', 'arm-smmu-v3')],
  devices: [
    device('HISI0162:01', 'hisi_sas_v2_hw', [{ iommu: 'arm-smmu-v3.0.auto', ids: [0x40000] }]),
    device('0000:74:02.0', 'hisi_sas_v3_hw', [{ iommu: 'arm-smmu-v3.1.auto', ids: [0x7410] }], { bus: 'pci', dmaBits: 64 }),
  ],
  drivers: [driver('hisi_sas_v2_hw', [{ kind: 'dmam-alloc', size: 8192 }]), driver('hisi_sas_v3_hw', [{ kind: 'dmam-alloc', size: 8192 }, { kind: 'log', text: 'scsi host0: hisi_sas_v3_hw' }])],
});

function rcar(status: 'okay' | 'disabled', declared = false): ModelBoard {
  return board({
    model: 'Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
    iommus: [iommu('ee480000.mmu', 'ipmmu-vmsa', declared ? { 'of-declared': true } : {}, status)],
    devices: [device('ee300000.sata', 'sata_rcar', [{ iommu: 'ee480000.mmu', ids: [0] }])],
    drivers: [driver('sata_rcar', [{ kind: 'dmam-alloc', size: 2048 }])],
  });
}

describe('model/iommu late registration', () => {
  describe('virtio-iommu on the QEMU virt board (modprobe virtio_iommu)', () => {
    for (const profile of ['v6.14', 'v6.15']) {
      it(`${profile}: the clients defer at boot, then every one is grouped and bound`, () => {
        const k = run(qemuVirt, profile, [], ['virtio-iommu']);
        for (const d of CLIENTS) expect(k.device(d)).to.include({ bound: false, deferred: true, group: null });
        k.perform({ op: 'register-iommu-late', iommu: VIOMMU, driver: 'virtio-iommu' });
        expect(k.iommu(VIOMMU)!.registered).to.equal(true);
        CLIENTS.forEach((d, i) => expect(k.device(d)).to.include({ bound: true, deferred: false, group: i, dmaOps: 'iommu' }));
        expect(lines(k)).to.include.members(['virtio_iommu virtio0: input address: 64 bits', 'virtio_iommu virtio0: page mask: 0xfffffffffffff000']);
        expect(k.checks()).to.deep.equal([]);
      });
    }

    it('v6.14 reads like the 6.12 guest: the driver reports, then each client is grouped as it binds', () => {
      const k = run(qemuVirt, 'v6.14', [{ op: 'register-iommu-late', iommu: VIOMMU, driver: 'virtio-iommu' }], ['virtio-iommu']);
      const input = indexOf(k, 'virtio_iommu virtio0: input address: 64 bits');
      const order = ['virtio-pci 0000:00:02.0: Adding to iommu group 0', 'virtio-pci 0000:00:03.0: Adding to iommu group 1', 'e1000e 0000:00:04.0: Adding to iommu group 2'].map((l) => lines(k).indexOf(l));
      expect(order[0]).to.be.greaterThan(input);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    });

    it('v6.15: the registration\'s own bus walk groups the unbound functions ("pci" prefix)', () => {
      const k = run(qemuVirt, 'v6.15', [{ op: 'register-iommu-late', iommu: VIOMMU, driver: 'virtio-iommu' }], ['virtio-iommu']);
      expect(lines(k)).to.include.members(['pci 0000:00:02.0: Adding to iommu group 0', 'pci 0000:00:03.0: Adding to iommu group 1', 'pci 0000:00:04.0: Adding to iommu group 2']);
      expect(text(k)).to.not.include('late IOMMU probe');
    });

    it('not held, udev loads it after init and the clients end up grouped the same way', () => {
      const k = run(qemuVirt, 'v6.15');
      CLIENTS.forEach((d, i) => expect(k.device(d)).to.include({ bound: true, group: i }));
      expect(indexOf(k, 'virtio_iommu virtio0: input address: 64 bits')).to.be.greaterThan(indexOf(k, 'Run /init as init process'));
    });
  });

  describe('arm-smmu-v3 on Taishan D06 (ACPI/IORT)', () => {
    for (const profile of ['v6.14', 'v6.15']) {
      it(`${profile}: a named component and a PCI function wait for their SMMUs, then bind translated`, () => {
        const k = run(taishanD06, profile, [], ['arm-smmu-v3']);
        expect(k.device('HISI0162:01')).to.include({ bound: false, deferred: true });
        expect(k.device('0000:74:02.0')).to.include({ bound: false, deferred: true });
        k.perform({ op: 'register-iommu-late', iommu: 'arm-smmu-v3.0.auto', driver: 'arm-smmu-v3' });
        expect(k.iommu('arm-smmu-v3.0.auto')!.registered).to.equal(true);
        expect(k.iommu('arm-smmu-v3.1.auto')!.registered).to.equal(true);
        expect(k.device('HISI0162:01')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
        expect(k.device('0000:74:02.0')).to.include({ bound: true, group: 1, dmaOps: 'iommu' });
        expect(lines(k)).to.include('arm-smmu-v3 arm-smmu-v3.0.auto: allocated 65536 entries for cmdq');
        expect(k.checks()).to.deep.equal([]);
      });
    }

    it('v6.15 groups from the registration\'s bus walk with the bus name', () => {
      const k = run(taishanD06, 'v6.15', [{ op: 'register-iommu-late', iommu: 'arm-smmu-v3.0.auto', driver: 'arm-smmu-v3' }], ['arm-smmu-v3']);
      expect(lines(k)).to.include.members(['platform HISI0162:01: Adding to iommu group 0', 'pci 0000:74:02.0: Adding to iommu group 1']);
    });

    it('v5.2, SMMU built in: the groups come at bind with the driver name, as in the D06 logs', () => {
      const k = run(taishanD06, 'v5.2');
      expect(lines(k)).to.include.members(['hisi_sas_v2_hw HISI0162:01: Adding to iommu group 0', 'hisi_sas_v3_hw 0000:74:02.0: Adding to iommu group 1']);
    });

    it('v5.2, SMMU later than the initcalls: the clients give up on it and bind without one', () => {
      const k = run(taishanD06, 'v5.2', [{ op: 'register-iommu-late', iommu: 'arm-smmu-v3.0.auto', driver: 'arm-smmu-v3' }], ['arm-smmu-v3']);
      expect(lines(k)).to.include('hisi_sas_v3_hw 0000:74:02.0: ignoring dependency for device, assuming no driver');
      expect(k.device('0000:74:02.0')).to.include({ bound: true, group: null, dmaOps: 'direct' });
    });
  });

  describe('an R-Car IPMMU registered late, and a disabled IPMMU node', () => {
    // v4.19..v6.0 give up on a missing IOMMU once initcalls are done (below); v4.12 and v6.0+ wait
    for (const profile of ['v4.12', 'v6.0', 'v6.15']) {
      it(`${profile}: held at boot, SATA defers; registered late, SATA binds behind it`, () => {
        const k = run(rcar('okay'), profile, [], ['ipmmu-vmsa']);
        expect(k.device('ee300000.sata')).to.include({ bound: false, deferred: true, group: null });
        k.perform({ op: 'register-iommu-late', iommu: 'ee480000.mmu', driver: 'ipmmu-vmsa' });
        expect(k.device('ee300000.sata')).to.include({ bound: true, deferred: false, group: 0, dmaOps: 'iommu' });
      });
    }

    it('v5.14: timeout 0 by default (ce68929f07de, v5.7 .. f516d01b9df2, v6.0): SATA gives up on the held IPMMU at late_initcall', () => {
      const k = run(rcar('okay'), 'v5.14', [], ['ipmmu-vmsa']);
      expect(lines(k)).to.include('sata_rcar ee300000.sata: deferred probe timeout, ignoring dependency');
      expect(k.device('ee300000.sata')).to.include({ bound: true, deferred: false, group: null, dmaOps: 'direct' });
      k.perform({ op: 'register-iommu-late', iommu: 'ee480000.mmu', driver: 'ipmmu-vmsa' });
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: null });
    });

    for (const profile of ['v4.12', 'v5.14', 'v6.15']) {
      it(`${profile}: a disabled IPMMU node means no IOMMU: SATA binds at boot without one`, () => {
        const k = run(rcar('disabled'), profile);
        expect(k.device('ee300000.sata')).to.include({ bound: true, group: null, dmaOps: 'direct' });
        expect(k.iommu('ee480000.mmu')!.registered).to.equal(false);
        expect(k.checks()).to.deep.equal([]);
      });
    }

    it('v4.12-rc1: a disabled node of a built-in (IOMMU_OF_DECLARE) driver makes SATA wait forever', () => {
      // the Gen3 (arm64) IPMMU code declared itself; mainline v4.12-rc1's Gen2 driver did not (thread 004)
      const k = run(rcar('disabled'), 'v4.12-rc1', [{ op: 'deferred-timeout' }]);
      expect(k.device('ee300000.sata')).to.include({ bound: false, deferred: true, group: null });
      expect(text(k)).to.not.include('sata_rcar ee300000.sata');
    });

    it('v4.12-rc1, the arm32 (Gen2) ipmmu-vmsa without IOMMU_OF_DECLARE: a disabled node is taken for an absent driver, SATA binds', () => {
      const k = run({ ...rcar('disabled'), arch: 'arm' }, 'v4.12-rc1', [{ op: 'deferred-timeout' }]);
      expect(k.device('ee300000.sata')).to.include({ bound: true, deferred: false, group: null });
    });

    it('v4.11: devices were configured at creation and never waited for an IOMMU', () => {
      const k = run(rcar('okay'), 'v4.11', [], ['ipmmu-vmsa']);
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: null });
    });
  });
});

describe('model/iommu late registration, every DT driver of the catalog', () => {
  const DRIVERS = ['ipmmu-vmsa', 'rockchip-iommu', 'mtk-iommu', 'exynos-sysmmu', 'arm-smmu', 'arm-smmu-v3', 'virtio-iommu'];
  /** IOMMU_OF_DECLARE'd in the v4.12 era: of_iommu_driver_present() says "wait" while booting */
  const DECLARED = new Set(['ipmmu-vmsa', 'mtk-iommu', 'exynos-sysmmu', 'arm-smmu', 'arm-smmu-v3']);

  function oneClient(drv: string, status: 'okay' | 'disabled'): ModelBoard {
    return board({
      iommus: [iommu('10000000.iommu', drv, {}, status)],
      devices: [
        device('10100000.dma', 'client-a', [{ iommu: '10000000.iommu', ids: [1] }]),
        device('10200000.gpu', 'client-b', [{ iommu: '10000000.iommu', ids: [2] }]),
      ],
      drivers: [driver('client-a', [{ kind: 'dmam-alloc', size: 4096 }]), driver('client-b', [{ kind: 'dma-transfer', size: 4096 }])],
    });
  }

  for (const drv of DRIVERS) {
    // v6.0+: the 10 s deferred_probe_timeout (f516d01b9df2) lets a module IOMMU come late
    for (const profile of ['v6.1', 'v6.14', 'v6.15']) {
      it(`${drv} on ${profile}: the clients defer, then bind in groups behind it`, () => {
        const k = run(oneClient(drv, 'okay'), profile, [], [drv]);
        for (const d of ['10100000.dma', '10200000.gpu']) expect(k.device(d)).to.include({ bound: false, deferred: true, group: null });
        k.perform({ op: 'register-iommu-late', iommu: '10000000.iommu', driver: drv });
        expect(k.iommu('10000000.iommu')!.registered).to.equal(true);
        for (const d of ['10100000.dma', '10200000.gpu']) {
          expect(k.device(d)).to.include({ bound: true, deferred: false, dmaOps: 'iommu' });
          expect(k.device(d)!.group).to.be.a('number');
        }
        expect(text(k)).to.not.include('Unable to handle kernel');
        expect(k.checks()).to.deep.equal([]);
      });
    }

    for (const profile of ['v4.12', 'v6.15']) {
      it(`${drv} on ${profile}: a disabled node means no IOMMU`, () => {
        const k = run(oneClient(drv, 'disabled'), profile);
        for (const d of ['10100000.dma', '10200000.gpu']) expect(k.device(d)).to.include({ bound: true, group: null, dmaOps: 'direct' });
      });
    }

    it(`${drv} on v4.12-rc1: a disabled node ${DECLARED.has(drv) ? 'keeps the clients waiting forever' : 'of a driver that never declared itself means no IOMMU'}`, () => {
      const k = run(oneClient(drv, 'disabled'), 'v4.12-rc1', [{ op: 'deferred-timeout' }]);
      for (const d of ['10100000.dma', '10200000.gpu']) {
        expect(k.device(d)).to.include(DECLARED.has(drv) ? { bound: false, deferred: true } : { bound: true, group: null });
      }
    });
  }
});
