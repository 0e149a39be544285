// ipmmu-vmsa: the allowlist, root/leaf IPMMUs, page tables behind the 32-bit bus limit
// with the ipmmu_domain_free crash (v4.20-rc1), and drvdata published after registration
// meeting bcb81ac6ae3c (the "late IOMMU probe" WARN of Geert's R-Car M3-N report).

import { expect } from 'chai';
import { board, callTrace, device, driver, indexOf, iommu, lines, run, text } from './helpers.js';
import type { ModelBoard } from '../../../runner/model/index.js';

const H3_MEMORY = [{ base: 0x48000000, size: 0x38000000 }, { base: 0x500000000, size: 0x40000000 }];

/** Salvator-X H3: root IPMMU-MM, one cache IPMMU for SATA/SDHI, a 32-bit bus limit */
function salvatorH3(busDmaBits: number | undefined): ModelBoard {
  return board({
    id: 'salvator-x-h3',
    model: 'Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
    memory: H3_MEMORY,
    ...(busDmaBits !== undefined ? { busDmaBits } : {}),
    iommus: [
      // the leaf is listed first: it must wait for its root
      iommu('ee480000.mmu', 'ipmmu-vmsa', { main: 'e67b0000.mmu', allowlist: ['ee300000.sata'] }),
      iommu('e67b0000.mmu', 'ipmmu-vmsa'),
    ],
    devices: [
      device('ee300000.sata', 'sata_rcar', [{ iommu: 'ee480000.mmu', ids: [2] }]),
      device('ee100000.mmc', 'renesas_sdhi_internal_dmac', [{ iommu: 'ee480000.mmu', ids: [3] }], { dmaBits: 32 }),
    ],
    drivers: [driver('sata_rcar', [{ kind: 'dmam-alloc', size: 2048 }]), driver('renesas_sdhi_internal_dmac', [{ kind: 'dma-transfer', size: 512 }])],
  });
}

/** Salvator-XS M3-N: two cache IPMMUs; SATA sits behind the last one to register */
const salvatorM3N = board({
  id: 'salvator-xs-m3n',
  model: 'Renesas Salvator-X 2nd version board based on r8a77965 (DT)',
  memory: [{ base: 0x48000000, size: 0x78000000 }, { base: 0x600000000, size: 0x80000000 }],
  iommus: [
    iommu('e67b0000.mmu', 'ipmmu-vmsa'),
    iommu('ec670000.mmu', 'ipmmu-vmsa', { main: 'e67b0000.mmu' }),
    iommu('ee480000.mmu', 'ipmmu-vmsa', { main: 'e67b0000.mmu' }),
  ],
  devices: [
    device('ec700000.dma-controller', 'rcar-dmac', [{ iommu: 'ec670000.mmu', ids: [0] }]),
    device('ee300000.sata', 'sata_rcar', [{ iommu: 'ee480000.mmu', ids: [0] }]),
  ],
  drivers: [driver('rcar-dmac'), driver('sata_rcar', [{ kind: 'dmam-alloc', size: 2048 }])],
});

describe('model/iommu ipmmu-vmsa', () => {
  describe('page tables behind a 32-bit bus limit (v4.20-rc1)', () => {
    it('v4.20-rc1: the context cannot be initialised, the group add fails and ipmmu_domain_free oopses', () => {
      const k = run(salvatorH3(32), 'v4.20-rc1');
      const order = [
        'ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables',
        'sata_rcar ee300000.sata: Unable to initialize IPMMU context',
        'iommu: Failed to add device ee300000.sata to group 0: -22',
        'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000038',
        'pc : ipmmu_domain_free+0x1c/0xa0',
      ];
      const at = order.map((l) => lines(k).indexOf(l));
      expect(at.every((i) => i >= 0)).to.equal(true, JSON.stringify(at));
      expect(at).to.deep.equal([...at].sort((a, b) => a - b));
      // seed 001: ipmmu_domain_free had returned from a call (lr inside itself) when it faulted
      expect(lines(k)).to.include('lr : ipmmu_domain_free+0x14/0xa0');
      const trace = callTrace(k);
      expect(trace.slice(0, 2)).to.deep.equal(['ipmmu_domain_free', 'iommu_group_release']);
      const from = trace.indexOf('iommu_group_get_for_dev');
      expect(trace.slice(from, from + 6)).to.deep.equal(['iommu_group_get_for_dev', 'ipmmu_add_device', 'of_iommu_configure', 'of_dma_configure', 'platform_dma_configure', 'really_probe']);
      expect(k.taint()).to.include('D');
      expect(k.device('ee300000.sata')).to.include({ bound: false, group: null });
    });

    it('v4.20 (ipmmu-early-domain-free): the same failure, no crash; SATA binds without the IOMMU', () => {
      const k = run(salvatorH3(32), 'v4.20');
      expect(lines(k)).to.include.members([
        'ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables',
        'sata_rcar ee300000.sata: Unable to initialize IPMMU context',
        'iommu: Failed to add device ee300000.sata to group 0: -22',
      ]);
      expect(text(k)).to.not.include('Unable to handle kernel');
      expect(k.taint()).to.equal('');
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: null, dmaOps: 'direct' });
    });

    it('v4.12 (before b4ebe6063204): the bus limit does not apply to dma-direct, the page tables map 1:1', () => {
      const k = run(salvatorH3(32), 'v4.12');
      expect(text(k)).to.not.include('Cannot accommodate');
      expect(lines(k)).to.include.members(['sata_rcar ee300000.sata: Using IPMMU context 0', 'iommu: Adding device ee300000.sata to group 0']);
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
    });

    it('v4.20-rc1 without dma-ranges: of_dma_configure still sets a 32-bit bus mask, so the same failure', () => {
      const k = run(salvatorH3(undefined), 'v4.20-rc1');
      expect(text(k)).to.include('Cannot accommodate DMA translation for IOMMU page tables');
      expect(text(k)).to.include('Unable to handle kernel NULL pointer dereference');
    });

    it('with 6778be4e5209 (bus mask only from dma-ranges) page tables in the high bank are fine', () => {
      const k = run(salvatorH3(undefined), { base: 'v4.20-rc1', apply: ['6778be4e5209'] });
      expect(text(k)).to.not.include('Cannot accommodate');
      expect(text(k)).to.not.include('Unable to handle kernel');
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
    });
  });

  describe('allowlist and root/leaf instances', () => {
    it('a device off the allowlist gets -ENODEV from of_xlate and binds without the IOMMU; the checks accept it', () => {
      const k = run(salvatorH3(undefined), 'v6.15');
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
      expect(k.device('ee100000.mmc')).to.include({ bound: true, group: null, dmaOps: 'direct' });
      expect(text(k)).to.not.include('ee100000.mmc: Adding to iommu group');
      expect(k.checks()).to.deep.equal([]);
    });

    it('the leaf defers until its root has probed; the Gen3 root never registers, the leaf does', () => {
      const k = run(salvatorH3(undefined), 'v6.15');
      expect(k.device('ee480000.mmu')).to.include({ bound: true, driver: 'ipmmu-vmsa' });
      expect(k.device('e67b0000.mmu')).to.include({ bound: true, driver: 'ipmmu-vmsa' });
      expect(k.iommu('ee480000.mmu')!.registered).to.equal(true);
      expect(k.iommu('e67b0000.mmu')!.registered).to.equal(false);
      expect(k.device('ee480000.mmu')!.deferred).to.equal(false);
    });

    it('a leaf whose root never probes stays deferred, and so do its clients', () => {
      const b = salvatorH3(undefined);
      b.iommus[1] = { ...b.iommus[1]!, status: 'disabled' };
      const k = run(b, 'v6.15');
      expect(k.device('ee480000.mmu')).to.include({ bound: false, deferred: true });
      expect(k.iommu('ee480000.mmu')!.registered).to.equal(false);
      expect(k.device('ee300000.sata')).to.include({ bound: false, deferred: true });
    });

    it('clients of one leaf share its group: "Using" then "Reusing IPMMU context"', () => {
      const b = salvatorH3(undefined);
      b.iommus[0] = { ...b.iommus[0]!, options: { main: 'e67b0000.mmu' } };
      const k = run(b, 'v6.15');
      expect(lines(k)).to.include.members([
        'platform ee300000.sata: Adding to iommu group 0',
        'platform ee100000.mmc: Adding to iommu group 0',
        // Gen3 keeps context 0 for the firmware
        'ipmmu-vmsa e67b0000.mmu: IPMMU context 0 is reserved',
        'platform ee300000.sata: Using IPMMU context 1',
        'platform ee100000.mmc: Reusing IPMMU context 1',
      ]);
    });

    it('arm32 (R-Car Gen2): one group per device and the arm_iommu mapping path', () => {
      const b = board({
        model: 'Koelsch (DT)',
        arch: 'arm',
        iommus: [iommu('ee000000.mmu', 'ipmmu-vmsa')],
        devices: [
          device('ee100000.mmc', 'sh_mobile_sdhi', [{ iommu: 'ee000000.mmu', ids: [1] }]),
          device('ee140000.mmc', 'sh_mobile_sdhi', [{ iommu: 'ee000000.mmu', ids: [2] }]),
        ],
        drivers: [driver('sh_mobile_sdhi', [{ kind: 'dma-alloc', size: 4096 }])],
      });
      const k = run(b, 'v5.14');
      expect(k.device('ee100000.mmc')).to.include({ bound: true, group: 0, dmaOps: 'arm-iommu' });
      expect(k.device('ee140000.mmc')).to.include({ bound: true, group: 1, dmaOps: 'arm-iommu' });
    });
  });

  describe('drvdata published after iommu_device_register (before d9d3cede4167)', () => {
    it('v6.15-rc1: the last leaf\'s client is probed only at bind: "late IOMMU probe" WARN at iommu.c:571', () => {
      const k = run(salvatorM3N, 'v6.15-rc1');
      const log = lines(k);
      const w = log.indexOf('sata_rcar ee300000.sata: late IOMMU probe at driver bind, something fishy here!');
      expect(w).to.be.greaterThan(-1);
      expect(log[w - 1]).to.equal('------------[ cut here ]------------');
      expect(log[w + 1]).to.equal('WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:571 __iommu_probe_device+0x208/0x38c');
      expect(callTrace(k, w).slice(0, 6)).to.deep.equal(['__iommu_probe_device', 'iommu_probe_device', 'of_iommu_configure', 'of_dma_configure_id', 'platform_dma_configure', 'really_probe']);
      // a warning, not a failure: the device still gets its group after it
      expect(indexOf(k, 'sata_rcar ee300000.sata: Adding to iommu group 1')).to.be.greaterThan(w);
      // the first leaf's client was picked up by the second leaf's bus walk
      expect(log).to.include('platform ec700000.dma-controller: Adding to iommu group 0');
      expect(k.taint()).to.equal('W');
      expect(k.device('ee300000.sata')).to.include({ bound: true, group: 1, dmaOps: 'iommu' });
    });

    it('next-20250312 (without 73d2f10957f5): the same WARN, from inside iommu_init_device (line 449)', () => {
      const k = run(salvatorM3N, 'next-20250312');
      // no thread shows this build's offset of the site inside iommu_init_device: none is printed
      expect(lines(k)).to.include('WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:449 __iommu_probe_device');
    });

    it('v6.15 (d9d3cede4167): drvdata first, every client is grouped in a bus walk, no WARN', () => {
      const k = run(salvatorM3N, 'v6.15');
      expect(text(k)).to.not.include('late IOMMU probe');
      expect(lines(k)).to.include.members(['platform ec700000.dma-controller: Adding to iommu group 0', 'platform ee300000.sata: Adding to iommu group 1']);
      expect(k.taint()).to.equal('');
    });

    it('v6.14: of_xlate only at bind, so the order never mattered', () => {
      const k = run(salvatorM3N, 'v6.14');
      expect(text(k)).to.not.include('late IOMMU probe');
      expect(lines(k)).to.include('sata_rcar ee300000.sata: Adding to iommu group 1');
    });
  });
});
