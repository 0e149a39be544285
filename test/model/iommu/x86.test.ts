// intel-iommu / amd-iommu: fwspec-less units registered from an initcall; every device is
// offered to probe_device, which filters. bcb81ac6ae3c's WARN sat before that filter, so
// an already-bound platform device (reg-dummy) warned until 73d2f10957f5 (seed 002).

import { expect } from 'chai';
import { board, callTrace, device, driver, iommu, lines, run, text } from './helpers.js';
import type { ModelBoard } from '../../../runner/model/index.js';

function x86(drv: 'intel-iommu' | 'amd-iommu'): ModelBoard {
  return board({
    id: 'x470',
    model: 'System manufacturer System Product Name/PRIME X470-PRO, BIOS 5406 11/13/2019',
    arch: 'x86_64',
    firmware: 'acpi',
    iommus: [iommu(drv === 'amd-iommu' ? 'ivhd0' : 'dmar0', drv)],
    devices: [
      // regulator/dummy.c: a platform device bound at core initcall, no IOMMU
      device('reg-dummy', 'reg-dummy'),
      device('0000:00:00.0', undefined, [], { bus: 'pci' }),
      device('0000:00:14.0', 'xhci_hcd', [], { bus: 'pci', dmaBits: 64 }),
    ],
    drivers: [driver('reg-dummy', [], { initcall: 'core' }), driver('xhci_hcd', [{ kind: 'dma-transfer', size: 4096 }])],
  });
}

const WARN_LINE = 'reg-dummy reg-dummy: late IOMMU probe at driver bind, something fishy here!';

describe('model/iommu intel-iommu and amd-iommu', () => {
  it('next-20250312 (bcb81ac6ae3c alone), AMD: reg-dummy warns at iommu.c:449 during the IOMMU registration', () => {
    const k = run(x86('amd-iommu'), 'next-20250312');
    const log = lines(k);
    const w = log.indexOf(WARN_LINE);
    expect(w).to.be.greaterThan(-1);
    expect(log[w - 1]).to.equal('------------[ cut here ]------------');
    expect(log[w + 1]).to.match(/^WARNING: CPU: 0 PID: 1 at drivers\/iommu\/iommu\.c:449 __iommu_probe_device(\+0x[0-9a-f]+\/0x[0-9a-f]+)?$/);
    // the board is seed 002's X470 (its model): that build's uname and build id
    expect(log).to.include('CPU: 0 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc6-iommu-next+ #1 1d691d7aebf343bde741cf4c8610d78a2ea2d2d9');
    expect(log.slice(w).some((l) => l.startsWith('RIP: 0010:__iommu_probe_device+'))).to.equal(true);
    // the WARN site itself only shows among the "? " entries (the #UD path), as in seed 002
    expect(callTrace(k, w)).to.deep.equal([
      'probe_iommu_group', 'bus_for_each_dev', 'iommu_device_register', 'iommu_go_to_state',
      'amd_iommu_init', 'pci_iommu_init', 'do_one_initcall', 'kernel_init_freeable', 'kernel_init', 'ret_from_fork', 'ret_from_fork_asm',
    ]);
    // probe_device then refuses it: a warning, and still no group for the platform device
    expect(k.device('reg-dummy')).to.include({ bound: true, group: null });
    expect(k.device('0000:00:14.0')).to.include({ bound: true, group: 1, dmaOps: 'iommu' });
    expect(k.taint()).to.equal('W');
  });

  it('next-20250312, Intel: the same WARN under intel_iommu_init', () => {
    const k = run(x86('intel-iommu'), 'next-20250312');
    const w = lines(k).indexOf(WARN_LINE);
    expect(w).to.be.greaterThan(-1);
    expect(callTrace(k, w).slice(2, 5)).to.deep.equal(['iommu_device_register', 'intel_iommu_init', 'pci_iommu_init']);
  });

  for (const drv of ['amd-iommu', 'intel-iommu'] as const) {
    it(`v6.15-rc1 (73d2f10957f5), ${drv}: the check runs after probe_device filtered reg-dummy out, no WARN`, () => {
      const k = run(x86(drv), 'v6.15-rc1');
      expect(text(k)).to.not.include('late IOMMU probe');
      expect(text(k)).to.not.include('WARNING:');
      expect(k.taint()).to.equal('');
      expect(lines(k)).to.include.members(['pci 0000:00:00.0: Adding to iommu group 0', 'pci 0000:00:14.0: Adding to iommu group 1']);
      expect(k.device('0000:00:14.0')).to.include({ bound: true, group: 1, dmaOps: 'iommu' });
      expect(k.checks()).to.deep.equal([]);
    });
  }

  it('v6.14: no WARN either (the check did not exist)', () => {
    const k = run(x86('amd-iommu'), 'v6.14');
    expect(text(k)).to.not.include('late IOMMU probe');
  });

  it('the units print their init lines around the registration', () => {
    const intel = lines(run(x86('intel-iommu'), 'v6.15'));
    const q = intel.indexOf('DMAR: dmar0: Using Queued invalidation');
    const g = intel.indexOf('pci 0000:00:00.0: Adding to iommu group 0');
    const v = intel.indexOf('DMAR: Intel(R) Virtualization Technology for Directed I/O');
    expect(q).to.be.greaterThan(-1);
    expect(g).to.be.greaterThan(q);
    expect(v).to.be.greaterThan(g);
    expect(lines(run(x86('amd-iommu'), 'v6.15'))).to.include('AMD-Vi: Interrupt remapping enabled');
  });

  for (const profile of ['v4.20', 'v5.2']) {
    it(`${profile} (add_device era): the units' DMA ops serve every PCI function they grouped`, () => {
      const k = run(x86('intel-iommu'), profile);
      expect(lines(k)).to.include(profile === 'v4.20' ? 'iommu: Adding device 0000:00:14.0 to group 1' : 'pci 0000:00:14.0: Adding to iommu group 1');
      expect(k.device('0000:00:14.0')).to.include({ bound: true, group: 1, dmaOps: 'iommu' });
      expect(text(k)).to.not.include('DMAR: [DMA Read');
    });
  }

  it('before b67483b3c44e, probe_finalize installs iommu-dma (v6.9)', () => {
    const k = run(x86('intel-iommu'), 'v6.9');
    expect(k.device('0000:00:14.0')).to.include({ bound: true, group: 1, dmaOps: 'iommu' });
  });
});
