// exynos-sysmmu: several SYSMMUs per master, probe_device only once all of them are
// registered, a runtime-PM link per controller kept in ONE slot per SYSMMU.

import { expect } from 'chai';
import { board, device, driver, iommu, kernel, lines, run, text } from './helpers.js';
import type { KernelCtx } from '../../../runner/model/kernel/ctx.js';
import type { Kernel } from '../../../runner/model/index.js';

const odroidXU3 = board({
  id: 'odroid-xu3',
  model: 'Hardkernel Odroid XU3 (DT)',
  arch: 'arm',
  iommus: [iommu('14640000.sysmmu', 'exynos-sysmmu'), iommu('14680000.sysmmu', 'exynos-sysmmu'), iommu('14650000.sysmmu', 'exynos-sysmmu')],
  devices: [
    // FIMD sits behind two SYSMMUs
    device('14400000.fimd', 'exynos5-fimd', [{ iommu: '14640000.sysmmu', ids: [] }, { iommu: '14680000.sysmmu', ids: [] }]),
    // two masters behind one SYSMMU: the slot is shared
    device('14450000.mixer', 'exynos-mixer', [{ iommu: '14650000.sysmmu', ids: [] }]),
    device('14530000.hdmi', 'exynos-hdmi', [{ iommu: '14650000.sysmmu', ids: [] }]),
  ],
  drivers: [driver('exynos5-fimd'), driver('exynos-mixer'), driver('exynos-hdmi')],
});

function links(k: Kernel, consumer: string): Array<[string, boolean]> {
  const dev = (k as unknown as { k: KernelCtx }).k.devices.get(consumer)!;
  return dev.links.filter((l) => l.consumer === dev).map((l) => [l.supplier.name, l.pmRuntime]);
}

/** booted with thread 002's debug on (Robin's Odroid-XU3 log has the driver's dev_dbg lines) */
function debugRun(profile: string): Kernel {
  const k = kernel(odroidXU3, profile);
  k.perform({ op: 'boot', hold: [], dyndbg: ['module exynos_iommu +p'] });
  return k;
}

describe('model/iommu exynos-sysmmu', () => {
  it('SYSMMUs probe at core initcall; their version is a dev_dbg, printed only with dynamic debug on', () => {
    const k = run(odroidXU3, 'v6.15');
    expect(text(k)).to.not.include('hardware version');
    expect(k.iommu('14640000.sysmmu')!.registered).to.equal(true);
    const d = debugRun('v6.15');
    expect(lines(d).slice(0, 6)).to.include('exynos-sysmmu 14640000.sysmmu: hardware version: 3.3');
  });

  it('v6.15: a master with two SYSMMUs is probed only once both are registered', () => {
    const k = debugRun('v6.15');
    const log = lines(k);
    const second = log.indexOf('exynos-sysmmu 14680000.sysmmu: hardware version: 3.3');
    const grouped = log.indexOf('platform 14400000.fimd: Adding to iommu group 0');
    expect(second).to.be.greaterThan(-1);
    expect(grouped).to.be.greaterThan(second);
    expect(links(k, '14400000.fimd')).to.deep.equal([['14640000.sysmmu', true], ['14680000.sysmmu', true]]);
    expect(k.checks()).to.deep.equal([]);
  });

  it('v6.14: the same links, made when the master binds', () => {
    const k = run(odroidXU3, 'v6.14');
    expect(lines(k)).to.include('exynos5-fimd 14400000.fimd: Adding to iommu group 0');
    expect(links(k, '14400000.fimd')).to.deep.equal([['14640000.sysmmu', true], ['14680000.sysmmu', true]]);
  });

  it('the second master through a SYSMMU overwrites the first one\'s link slot: releasing the first drops the second\'s link', () => {
    const k = run(odroidXU3, 'v6.15');
    expect(links(k, '14450000.mixer')).to.deep.equal([['14650000.sysmmu', true]]);
    expect(links(k, '14530000.hdmi')).to.deep.equal([['14650000.sysmmu', true]]);
    k.perform({ op: 'remove-device', device: '14450000.mixer' });
    // hdmi is still bound and translated, but its SYSMMU is no longer runtime-PM linked to it
    expect(k.device('14530000.hdmi')).to.include({ bound: true, group: 2 });
    expect(links(k, '14530000.hdmi')).to.deep.equal([]);
    expect(text(k)).to.not.include('refcount_t');
    expect(k.checks()).to.deep.equal([
      { check: 'missing-link', device: '14530000.hdmi', resource: 'link to 14650000.sysmmu', message: '14530000.hdmi: no runtime-PM device link to its SYSMMU 14650000.sysmmu' },
    ]);
  });

  it('…and releasing the second master deletes that link again: refcount underflow WARN', () => {
    const k = run(odroidXU3, 'v6.15', [{ op: 'remove-device', device: '14450000.mixer' }, { op: 'remove-device', device: '14530000.hdmi' }]);
    const log = lines(k);
    const w = log.indexOf('refcount_t: underflow; use-after-free.');
    expect(w).to.be.greaterThan(-1);
    expect(log[w + 1]).to.match(/^WARNING: CPU: 0 PID: 2691 at lib\/refcount\.c:28 refcount_warn_saturate(\+0x[0-9a-f]+\/0x[0-9a-f]+)?$/);
    // arm32 v6.x: " fn from caller" lines, from __warn()'s own dump_stack_lvl()
    const trace = log.slice(w).filter((l) => / from /.test(l)).map((l) => l.trim().split(' from ')[0]);
    expect(trace.slice(0, 9)).to.deep.equal(['unwind_backtrace', 'show_stack', 'dump_stack_lvl', '__warn', 'warn_slowpath_fmt',
      'refcount_warn_saturate', 'device_link_del', 'exynos_iommu_release_device', 'iommu_release_device']);
    expect(k.taint()).to.equal('W');
  });

  it('one master per SYSMMU: release is clean', () => {
    const k = run(odroidXU3, 'v6.15', [{ op: 'remove-device', device: '14400000.fimd' }]);
    expect(lines(k)).to.include('platform 14400000.fimd: Removing from iommu group 0');
    expect(text(k)).to.not.include('refcount_t');
    expect(k.taint()).to.equal('');
  });
});
