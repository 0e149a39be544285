// The model's log lines against the reference threads' own lines (quoted here as
// fixtures): same words, same layout; only the numbers a machine chooses may differ.

import { expect } from 'chai';
import { formatLogLine } from '../../runner/model/api.js';
import { ERRNO } from '../../runner/model/kernel/errno.js';
import { Taint } from '../../runner/model/kernel/taint.js';
import { BOOT, board, device, driver, iommu, run, smmuBoard } from './helpers.js';

/** a reference line with its machine-chosen numbers turned into patterns */
function shape(line: string): RegExp {
  const parts = line.split(/(0x[0-9a-f]+|\b[0-9]+\b)/);
  const body = parts
    .map((p, i) => (i % 2 === 1 ? (p.startsWith('0x') ? '0x[0-9a-f]+' : '[0-9]+') : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

describe('model log formats (reference fixtures)', () => {
  it('printk timestamps are [%5lu.%06lu]', () => {
    expect(formatLogLine({ usec: 89_134_043, text: 'x' })).to.equal('[   89.134043] x');
    expect(formatLogLine({ usec: 1_237, text: 'x' })).to.equal('[    0.001237] x');
  });

  it('print_tainted() is fixed width: 18 flags in v5.0, 19 once TAINT_TEST exists', () => {
    const t = new Taint(18);
    t.add('B');
    // 000: "CPU: 5 PID: 2691 Comm: sh Tainted: G    B 5.0.0 #121" (mail collapsed the blanks)
    expect(t.print()).to.equal(`Tainted: G    B${' '.repeat(12)}`);
    const m = new Taint(19);
    m.add('B');
    // 002 (mtk): "Tainted: G    B              6.14.0-05877-g1a9239bb4253"
    expect(`${m.print()} 6.14.0`).to.equal('Tainted: G    B              6.14.0');
  });

  describe('D06 probe failure (000, v5.1-rc1): Bad page state in swapper/0', () => {
    const b = board({
      model: 'Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0 - V1.12.01 01/29/2019',
      firmware: 'acpi',
      iommus: [iommu('arm-smmu-v3.2.auto')],
      devices: [device('0000:74:02.0', 'hisi_sas_v3_hw', { bus: 'pci', dmaBits: 64, iommus: [{ iommu: 'arm-smmu-v3.2.auto', ids: [0x7410] }] })],
      drivers: [driver('hisi_sas_v3_hw', [{ kind: 'dmam-alloc', size: 8192 }, { kind: 'log', text: 'scsi host1: hisi_sas_v3_hw' }])],
    });
    const r = run(b, 'v5.1', [{ op: 'fail-probe', device: '0000:74:02.0', errno: -ERRNO.EIO!, times: 1 }, BOOT]);
    const fixtures = [
      'hisi_sas_v3_hw 0000:74:02.0: Adding to iommu group 2',
      'BUG: Bad page state in process swapper/0  pfn:313f5',
      'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
      'bad because of flags: 0x1000(reserved)',
      'Modules linked in:',
      'Hardware name: Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0 - V1.12.01 01/29/2019',
      'Disabling lock debugging due to kernel taint',
    ];
    for (const f of fixtures) {
      it(`prints a line like "${f}"`, () => {
        const re = f.startsWith('BUG:') ? /^BUG: Bad page state in process swapper\/0 {2}pfn:[0-9a-f]{5}$/ : shape(f);
        expect(r.lines.some((l) => re.test(l)), `no line like: ${f}\n${r.text}`).to.equal(true);
      });
    }

    it('the first report says "Not tainted", the second already carries B', () => {
      const cpu = r.lines.filter((l) => l.startsWith('CPU: '));
      // the D06 of thread 000: its build's CPU and uname
      expect(cpu[0]).to.equal('CPU: 49 PID: 1 Comm: swapper/0 Not tainted 5.1.0-rc1-43081-g22d97fd-dirty #1433');
      expect(cpu[1]).to.equal('CPU: 49 PID: 1 Comm: swapper/0 Tainted: G    B             5.1.0-rc1-43081-g22d97fd-dirty #1433');
    });

    it('the call trace reads like the thread (bad_page … devres_release_all, really_probe, … do_one_initcall)', () => {
      const start = r.lines.indexOf('Call trace:');
      const frames = r.lines.slice(start + 1, start + 30).map((l) => l.trim().replace(/\+.*$/, ''));
      const expected = ['dump_backtrace', 'show_stack', 'dump_stack', 'bad_page', 'free_pages_check_bad', '__free_pages_ok', '__free_pages',
        '__dma_direct_free_pages', 'dma_direct_free', 'dma_free_attrs', 'dmam_release', 'release_nodes', 'devres_release_all', 'really_probe'];
      expect(frames.slice(0, expected.length)).to.deep.equal(expected);
      expect(frames).to.include.members(['driver_probe_device', '__driver_attach', 'bus_for_each_dev', 'driver_attach', 'bus_add_driver',
        'driver_register', '__pci_register_driver', 'do_one_initcall', 'kernel_init_freeable', 'kernel_init', 'ret_from_fork']);
    });
  });

  it('D05 unbind (000, v5.0): the report names the shell and the sysfs path', () => {
    const b = smmuBoard([{ kind: 'dmam-alloc', size: 8192 }]);
    b.devices[0]!.dmaCoherent = true;
    const r = run(b, 'v5.0', [BOOT, { op: 'unbind', device: '1000000.dma' }]);
    expect(r.lines).to.include.members(['Modules linked in:']);
    expect(r.lines.find((l) => l.startsWith('CPU: '))).to.match(shape('CPU: 5 PID: 2691 Comm: sh Not tainted 5.0.0 #121'));
    const start = r.lines.indexOf('Call trace:');
    const frames = r.lines.slice(start + 1).map((l) => l.trim().replace(/\+.*$/, ''));
    expect(frames.slice(12, 26)).to.deep.equal(['devres_release_all', 'device_release_driver_internal', 'device_release_driver', 'unbind_store', 'drv_attr_store',
      'sysfs_kf_write', 'kernfs_fop_write', '__vfs_write', 'vfs_write', 'ksys_write', '__arm64_sys_write', 'el0_svc_common', 'el0_svc_handler', 'el0_svc']);
  });

  it('the probe-failure message follows the era', () => {
    const b = smmuBoard([]);
    const steps = [{ op: 'fail-probe' as const, device: '1000000.dma', errno: -ERRNO.EINVAL!, times: 1 }, BOOT];
    expect(run(b, 'v5.2', steps).lines).to.include('foo-dma: probe of 1000000.dma failed with error -22');
    // qemu-target.md, 6.12: "probetest 0000:00:04.0: probe with driver probetest failed with error -5"
    expect(run(b, 'v6.15', steps).lines).to.include('foo-dma 1000000.dma: probe with driver foo-dma failed with error -22');
  });

  it('an oops in PID 1 ends in the init panic (002, Odroid-M1)', () => {
    // a client whose DMA allocation goes through stale arm32 ops oopses in swapper/0
    const b = smmuBoard([{ kind: 'dmam-alloc', size: 4096 }], { arch: 'arm', model: 'Test arm32 (DT)' });
    const r = run(b, { base: 'v4.12', revert: ['arm32-teardown-clears-ops'] },
      [{ op: 'fail-probe', device: '1000000.dma', errno: -ERRNO.EPROBE_DEFER!, at: 0, times: 1 }, BOOT, { op: 'unbind', device: '1000000.dma' }]);
    // the retry happens in the deferred worker, so the kernel goes on
    expect(r.k.panicked).to.equal(false);
    // arm32 __do_kernel_fault: a read through an empty first-level entry is a section translation fault (FSR 0x5)
    expect(r.lines).to.include('Internal error: Oops: 5 [#1] SMP ARM');
  });
});
