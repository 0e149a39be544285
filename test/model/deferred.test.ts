// Deferred probe: retry order, binding when a supplier binds, the timeout of each
// era, and termination.

import { expect } from 'chai';
import { BOOT, board, device, driver, iommu, run } from './helpers.js';

describe('model deferred probe', () => {
  // a waits for b, b waits for c; c's driver arrives at late_initcall
  const chain = board({
    devices: [device('1000.a', 'drv-a'), device('2000.b', 'drv-b'), device('3000.c', 'drv-c')],
    drivers: [
      driver('drv-a', [{ kind: 'wait-for', device: '2000.b' }, { kind: 'log', text: 'a up' }]),
      driver('drv-b', [{ kind: 'wait-for', device: '3000.c' }, { kind: 'log', text: 'b up' }]),
      driver('drv-c', [{ kind: 'log', text: 'c up' }], { initcall: 'late' }),
    ],
  });

  it('a device waiting for a supplier binds after it, in the kernel retry order', () => {
    const r = run(chain, 'v6.15', [BOOT]);
    const order = r.lines.filter((l) => / up$/.test(l));
    expect(order).to.deep.equal(['drv-c 3000.c: c up', 'drv-b 2000.b: b up', 'drv-a 1000.a: a up']);
    for (const d of ['1000.a', '2000.b', '3000.c']) expect(r.k.device(d)).to.include({ bound: true, deferred: false });
    expect(r.k.checks()).to.deep.equal([]);
  });

  it('unbinding a supplier unbinds its consumers first (device links)', () => {
    const r = run(chain, 'v6.15', [BOOT, { op: 'unbind', device: '3000.c' }]);
    expect(r.k.device('2000.b')).to.include({ bound: false });
    expect(r.k.device('1000.a')).to.include({ bound: false });
    expect(r.k.checks()).to.deep.equal([]);
  });

  const orphan = board({
    devices: [device('1000.a', 'drv-a'), device('9000.x', undefined)],
    drivers: [driver('drv-a', [{ kind: 'wait-for', device: '9000.x' }])],
  });
  const steps = [BOOT, { op: 'deferred-timeout' as const }];

  it('v6.x reports a device whose supplier never comes at the timeout, with the reason fw_devlink gave', () => {
    const r = run(orphan, 'v6.15', steps);
    // 7c41da586e9f (v6.8): dev_info(dev, "deferred probe pending: %s", reason ?: "(reason unknown)\n");
    // 68223eeec708 (v5.15): dev_err_probe(dev, -EPROBE_DEFER, "supplier %s not ready\n", ...)
    expect(r.lines).to.include('platform 1000.a: deferred probe pending: platform: supplier 9000.x not ready');
    expect(r.k.device('1000.a')).to.include({ bound: false, deferred: true });
    // the clock passed the 10 s timeout
    expect(r.k.log[r.k.log.length - 1]!.usec).to.be.greaterThan(10_000_000);
  });

  it('v6.0..v6.7 print the older message (25b4e70dcce9: dev_info(dev, "deferred probe pending"))', () => {
    const r = run(orphan, 'v6.1', steps);
    expect(r.lines).to.include('platform 1000.a: deferred probe pending');
    expect(r.text).to.not.include('pending:');
  });

  it('v5.7..v5.19 default the timeout to 0 (ce68929f07de): the timeout work never runs', () => {
    const r = run(orphan, 'v5.14', steps);
    expect(r.text).to.not.include('deferred probe pending');
    expect(r.k.device('1000.a')).to.include({ bound: false, deferred: true });
  });

  it('a device with no driver-core reason keeps "(reason unknown)" (a fault returning -EPROBE_DEFER)', () => {
    const b = board({ devices: [device('1000.a', 'drv-a')], drivers: [driver('drv-a', [{ kind: 'log', text: 'up' }])] });
    const r = run(b, 'v6.15', [{ op: 'fail-probe', device: '1000.a', errno: -517, times: 99 }, BOOT, { op: 'deferred-timeout' }]);
    expect(r.lines).to.include('platform 1000.a: deferred probe pending: (reason unknown)');
  });

  it('v4.20 has no timeout: nothing is printed and the device stays deferred', () => {
    const r = run(orphan, 'v4.20', steps);
    expect(r.text).to.not.include('deferred probe pending');
    expect(r.k.device('1000.a')).to.include({ bound: false, deferred: true });
  });

  it('an IOMMU that never registers: after the timeout the client goes on without it', () => {
    const b = board({
      iommus: [iommu('9050000.smmu')],
      devices: [device('0000:00:02.0', 'virtio-pci', { bus: 'pci', iommus: [{ iommu: '9050000.smmu', ids: [0x10] }] })],
      drivers: [driver('virtio-pci', [{ kind: 'log', text: 'ready' }])],
    });
    const r = run(b, 'v6.15', [{ op: 'boot', hold: ['arm-smmu-v3'] }, { op: 'deferred-timeout' }]);
    expect(r.lines).to.include('virtio-pci 0000:00:02.0: deferred probe timeout, ignoring dependency');
    expect(r.k.device('0000:00:02.0')).to.include({ bound: true, group: null, dmaOps: 'direct' });
    // the IOMMU arriving later does not group a bound device
    r.k.perform({ op: 'register-iommu-late', iommu: '9050000.smmu', driver: 'arm-smmu-v3' });
    expect(r.k.device('0000:00:02.0')).to.include({ group: null });
    expect(r.k.checks().map((c) => c.check)).to.deep.equal(['no-iommu-ops']);
  });

  it('a waiting device is still retried when something else binds: an armed fault fires', () => {
    const b = board({
      devices: [device('1000.a', 'drv-a'), device('2000.b', 'drv-b'), device('3000.c', 'drv-c')],
      drivers: [
        driver('drv-a', [{ kind: 'wait-for', device: '2000.b' }]),
        driver('drv-b', [], { initcall: 'module' }),
        driver('drv-c', [], { initcall: 'module' }),
      ],
    });
    const r = run(b, 'v6.15', [
      { op: 'boot', hold: ['drv-b', 'drv-c'] },
      { op: 'fail-probe', device: '1000.a', errno: -12, at: 0, times: 1 },
      { op: 'load-module', driver: 'drv-c' },
    ]);
    expect(r.lines).to.include('drv-a 1000.a: probe with driver drv-a failed with error -12');
    expect(r.k.device('1000.a')).to.include({ bound: false, deferred: false });
  });

  it('a long chain always terminates, binding every link', () => {
    const n = 200;
    const devices = Array.from({ length: n }, (_, i) => device(`${i}.d`, `drv-${i}`));
    const drivers = Array.from({ length: n }, (_, i) =>
      driver(`drv-${i}`, i + 1 < n ? [{ kind: 'wait-for', device: `${i + 1}.d` }] : [], { initcall: i + 1 < n ? 'device' : 'late' }),
    );
    const r = run(board({ devices, drivers }), 'v6.15', [BOOT]);
    expect(devices.every((d) => r.k.device(d.name)!.bound)).to.equal(true);
  });
});
