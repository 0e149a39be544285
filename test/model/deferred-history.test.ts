// The deferred-probe history of drivers/base/dd.c as behaviours, each toggled alone: the
// timeout and driver_deferred_probe_check_state() (what an IOMMU lookup does when its IOMMU
// never registered), and devices_deferred with its reasons.

import { expect } from 'chai';
import { board, device, driver, iommu, lateSmmuClient, run } from './helpers.js';
import type { ModelStep } from '../../runner/model/types.js';
import type { KernelCtx } from '../../runner/model/kernel/ctx.js';

const { board: late, held: HELD, late: LATE } = lateSmmuClient();

// a waits for x, which has no driver; b's probe is made to return -EPROBE_DEFER
const waits = board({
  devices: [device('1000.a', 'drv-a'), device('2000.b', 'drv-b'), device('9000.x', undefined)],
  drivers: [driver('drv-a', [{ kind: 'wait-for', device: '9000.x' }]), driver('drv-b', [{ kind: 'log', text: 'up' }])],
});
const WAIT_STEPS: ModelStep[] = [{ op: 'fail-probe', device: '2000.b', errno: -517, times: 99 }, { op: 'boot', hold: [] }];

describe('model behaviours of the deferred-probe history (each toggled alone)', () => {
  it('25b4e70dcce9: with it the IOMMU lookup gives up on a missing IOMMU after initcalls; without it the client waits for ever', () => {
    const on = run(late, 'v5.14', [HELD]);
    expect(on.lines).to.include('foo-dma 1000000.dma: deferred probe timeout, ignoring dependency');
    expect(on.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'direct' });
    const off = run(late, { base: 'v5.14', revert: ['25b4e70dcce9'] }, [HELD, { op: 'deferred-timeout' }]);
    expect(off.text).to.not.include('ignoring dependency');
    expect(off.k.device('1000000.dma')).to.include({ bound: false, deferred: true });
  });

  it('c8c43cee29f6: with it a timeout of 0 answers -ETIMEDOUT with a dev_info; without it the same answer comes as a WARN', () => {
    const on = run(late, 'v5.14', [HELD]);
    expect(on.lines).to.include('foo-dma 1000000.dma: deferred probe timeout, ignoring dependency');
    expect(on.text).to.not.include('WARNING:');
    const off = run(late, { base: 'v5.14', revert: ['c8c43cee29f6'] }, [HELD]);
    expect(off.lines.some((l) => l.startsWith('WARNING: CPU: ') && l.includes(' at drivers/base/dd.c:250 driver_deferred_probe_check_state'))).to.equal(true);
    expect(off.k.taint()).to.include('W');
    expect(off.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'direct' });
  });

  it('e2cec7d68537: with it the 30 s timeout fires and names the devices still pending; without it (-1) nothing fires', () => {
    const on = run(waits, { base: 'v5.6', apply: ['e2cec7d68537'] }, [...WAIT_STEPS, { op: 'deferred-timeout' }]);
    expect(on.lines).to.include.members(['platform 1000.a: deferred probe pending', 'platform 2000.b: deferred probe pending']);
    const off = run(waits, 'v5.6', [...WAIT_STEPS, { op: 'deferred-timeout' }]);
    expect(off.text).to.not.include('deferred probe pending');
  });

  it('ce68929f07de: with it (0) the client gives up on the held SMMU at late_initcall; without it (30 s) it still waits', () => {
    const on = run(late, 'v5.7', [HELD]);
    expect(on.lines).to.include('foo-dma 1000000.dma: deferred probe timeout, ignoring dependency');
    expect(on.k.device('1000000.dma')).to.include({ bound: true, group: null });
    const off = run(late, { base: 'v5.7', revert: ['ce68929f07de'] }, [HELD, LATE]);
    expect(off.text).to.not.include('ignoring dependency');
    expect(off.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'iommu' });
  });

  it('f516d01b9df2: with it (10 s) a module SMMU loaded after boot still gets its client; without it (0) the client went on without', () => {
    const on = run(late, 'v6.0', [HELD, LATE]);
    expect(on.text).to.not.include('ignoring dependency');
    expect(on.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'iommu' });
    const off = run(late, { base: 'v6.0', revert: ['f516d01b9df2'] }, [HELD, LATE]);
    expect(off.lines).to.include('foo-dma 1000000.dma: deferred probe timeout, ignoring dependency');
    expect(off.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'direct', group: null });
  });

  it('28af109a57d1: devices_deferred exists with it, not without it', () => {
    expect(run(waits, 'v4.19', WAIT_STEPS).k.devicesDeferred()).to.deep.equal(['1000.a', '2000.b']);
    expect(run(waits, { base: 'v4.19', revert: ['28af109a57d1'] }, WAIT_STEPS).k.devicesDeferred()).to.equal(undefined);
  });

  it('d090b70ede02: with it a line is name<TAB>reason; without it the bare name', () => {
    expect(run(waits, 'v5.9', WAIT_STEPS).k.devicesDeferred()).to.deep.equal(['1000.a\t', '2000.b\t']);
    expect(run(waits, { base: 'v5.9', revert: ['d090b70ede02'] }, WAIT_STEPS).k.devicesDeferred()).to.deep.equal(['1000.a', '2000.b']);
  });

  it('68223eeec708: with it the driver core records "supplier <name> not ready"; without it no reason', () => {
    expect(run(waits, 'v5.15', WAIT_STEPS).k.devicesDeferred()).to.deep.equal(['1000.a\tplatform: supplier 9000.x not ready', '2000.b\t']);
    expect(run(waits, { base: 'v5.15', revert: ['68223eeec708'] }, WAIT_STEPS).k.devicesDeferred()).to.deep.equal(['1000.a\t', '2000.b\t']);
  });

  it('f0acf637d60f: with it a retry that defers silently clears the old reason; without it the stale reason stays', () => {
    const c = board({
      devices: [device('1000.a', 'drv-a'), device('2000.s', 'drv-s')],
      drivers: [driver('drv-a', [{ kind: 'wait-for', device: '2000.s' }]), driver('drv-s', [], { initcall: 'module' })],
    });
    const retry: ModelStep[] = [
      { op: 'boot', hold: ['drv-s'] },
      { op: 'fail-probe', device: '1000.a', errno: -517, at: 0, times: 1 },
      { op: 'load-module', driver: 'drv-s' },
    ];
    expect(run(c, 'v6.1', retry).k.devicesDeferred()).to.deep.equal(['1000.a\t']);
    expect(run(c, { base: 'v6.1', revert: ['f0acf637d60f'] }, retry).k.devicesDeferred()).to.deep.equal(['1000.a\tplatform: supplier 2000.s not ready']);
  });

  it('7c41da586e9f: with it the timeout prints each pending device\'s reason; without it the bare "deferred probe pending"', () => {
    const on = run(waits, 'v6.8', [...WAIT_STEPS, { op: 'deferred-timeout' }]);
    expect(on.lines).to.include.members(['platform 1000.a: deferred probe pending: platform: supplier 9000.x not ready', 'platform 2000.b: deferred probe pending: (reason unknown)']);
    const off = run(waits, { base: 'v6.8', revert: ['7c41da586e9f'] }, [...WAIT_STEPS, { op: 'deferred-timeout' }]);
    expect(off.lines).to.include.members(['platform 1000.a: deferred probe pending', 'platform 2000.b: deferred probe pending']);
  });
});

describe('model behaviours of the probe path, later additions (each toggled alone)', () => {
  it('7c35e699c88b: with it devres left before probing fails the probe with -EBUSY and a dev_crit; without it a WARN and the probe goes on', () => {
    // devres a bus or an earlier user left on the device: set in the kernel's own state
    const b = board({ devices: [device('1000.a', 'drv-a')], drivers: [driver('drv-a', [{ kind: 'log', text: 'up' }], { initcall: 'module' })] });
    const leftOver = (r: ReturnType<typeof run>): void => {
      const dev = (r.k as unknown as { k: KernelCtx }).k.devices.get('1000.a')!;
      dev.devres.push({ kind: 'devm', size: 64 });
      r.k.perform({ op: 'load-module', driver: 'drv-a' });
    };
    const on = run(b, 'v5.6', [{ op: 'boot', hold: ['drv-a'] }]);
    leftOver(on);
    const onLines = on.k.log.map((l) => l.text);
    expect(onLines).to.include('platform 1000.a: Resources present before probing');
    expect(on.k.device('1000.a')).to.include({ bound: false });
    const off = run(b, { base: 'v5.6', revert: ['7c35e699c88b'] }, [{ op: 'boot', hold: ['drv-a'] }]);
    leftOver(off);
    const offLines = off.k.log.map((l) => l.text);
    expect(offLines).to.not.include('platform 1000.a: Resources present before probing');
    expect(offLines.some((l) => / at drivers\/base\/dd\.c:\d+ really_probe\b/.test(l))).to.equal(true);
    expect(off.k.device('1000.a')).to.include({ bound: true });
  });

  it('2b28a1a84a0e: with it a module registration restarts the timer (and the default is 10 s); without it the timeout of 0 already gave up', () => {
    const on = run(late, { base: 'v5.18', apply: ['2b28a1a84a0e'] }, [HELD, LATE]);
    expect(on.text).to.not.include('ignoring dependency');
    expect(on.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'iommu' });
    const off = run(late, 'v5.18', [HELD, LATE]);
    expect(off.lines).to.include('foo-dma 1000000.dma: deferred probe timeout, ignoring dependency');
  });

  it('9be4cbd09da8: with it (v5.19) the default is 0 again; without it (v5.19-rc1\'s 10 s) the client waits for the module SMMU', () => {
    const on = run(late, 'v5.19', [HELD]);
    expect(on.lines).to.include('foo-dma 1000000.dma: deferred probe timeout, ignoring dependency');
    const off = run(late, { base: 'v5.19', revert: ['9be4cbd09da8'] }, [HELD, LATE]);
    expect(off.text).to.not.include('ignoring dependency');
    expect(off.k.device('1000000.dma')).to.include({ bound: true, dmaOps: 'iommu' });
  });

  describe('da33e87bd2bf: a client probing while its IOMMU\'s registration still walks the buses', () => {
    const b = board({
      iommus: [iommu('9050000.smmu', 'arm-smmu-v3', { options: { 'probe-during-walk': ['1000000.dma'] } })],
      devices: [device('1000000.dma', 'foo-dma', { iommus: [{ iommu: '9050000.smmu', ids: [1] }] })],
      drivers: [driver('foo-dma', [{ kind: 'dmam-alloc', size: 4096 }, { kind: 'log', text: 'ready' }], { initcall: 'subsys' })],
    });
    const BOOT: ModelStep = { op: 'boot', hold: [] };

    it('without it (v6.15) the client replays the probe the walk has not tried: out-of-order group and the late-probe WARN', () => {
      const r = run(b, { base: 'v6.16', revert: ['da33e87bd2bf'] }, [BOOT]);
      expect(r.lines).to.include('foo-dma 1000000.dma: late IOMMU probe at driver bind, something fishy here!');
      expect(r.lines).to.include('foo-dma 1000000.dma: Adding to iommu group 0');
      expect(r.k.taint()).to.include('W');
    });

    it('with it the client defers until iommu->ready: the walk groups it, then it binds', () => {
      const r = run(b, 'v6.16', [BOOT]);
      expect(r.text).to.not.include('WARNING:');
      expect(r.lines).to.include('platform 1000000.dma: Adding to iommu group 0');
      expect(r.lines.indexOf('platform 1000000.dma: Adding to iommu group 0')).to.be.lessThan(r.lines.indexOf('foo-dma 1000000.dma: ready'));
      expect(r.k.device('1000000.dma')).to.include({ bound: true, group: 0, dmaOps: 'iommu' });
      expect(r.k.checks()).to.deep.equal([]);
    });
  });
});
