// /sys/kernel/debug/devices_deferred as each era's kernel prints it (drivers/base/dd.c,
// deferred_devs_show), and the deferred-probe reason behind its second column.

import { expect } from 'chai';
import { BOOT, board, device, driver, run } from './helpers.js';

// a waits for x, which has no driver; b's probe is made to return -EPROBE_DEFER
const b = board({
  devices: [device('1000.a', 'drv-a'), device('2000.b', 'drv-b'), device('9000.x', undefined)],
  drivers: [driver('drv-a', [{ kind: 'wait-for', device: '9000.x' }]), driver('drv-b', [{ kind: 'log', text: 'up' }])],
});
const steps = [{ op: 'fail-probe' as const, device: '2000.b', errno: -517, times: 99 }, BOOT];

describe('model devices_deferred', () => {
  it('v4.12: no such file (it came with v4.19: absent from v4.18\'s dd.c, present in v5.0\'s)', () => {
    expect(run(b, 'v4.12', steps).k.devicesDeferred()).to.equal(undefined);
    expect(run(b, 'v4.18', steps).k.devicesDeferred()).to.equal(undefined);
  });

  it('v4.19..v5.8: seq_printf(s, "%s\\n", dev_name(curr->device)) — bare names, pending-list order', () => {
    for (const k of ['v4.19', 'v5.4', 'v5.8']) expect(run(b, k, steps).k.devicesDeferred(), k).to.deep.equal(['1000.a', '2000.b']);
  });

  it('v5.9 (d090b70ede02): seq_printf(s, "%s\\t%s", dev_name(curr->device), reason ?: "\\n") — a tab even without a reason', () => {
    // before 68223eeec708 nothing in the model sets a reason: the driver core's supplier check only dev_dbg()s
    for (const k of ['v5.9', 'v5.10', 'v5.14']) expect(run(b, k, steps).k.devicesDeferred(), k).to.deep.equal(['1000.a\t', '2000.b\t']);
  });

  it('v5.15 (68223eeec708): dev_err_probe(dev, -EPROBE_DEFER, "supplier %s not ready\\n") stores "%s: %pV" with the bus name', () => {
    for (const k of ['v5.15', 'v6.1', 'v6.15']) {
      expect(run(b, k, steps).k.devicesDeferred(), k).to.deep.equal(['1000.a\tplatform: supplier 9000.x not ready', '2000.b\t']);
    }
  });

  it('f0acf637d60f: a retry clears the reason of the last attempt; binding drops the device and its reason', () => {
    const c = board({
      devices: [device('1000.a', 'drv-a'), device('2000.s', 'drv-s')],
      drivers: [driver('drv-a', [{ kind: 'wait-for', device: '2000.s' }]), driver('drv-s', [], { initcall: 'module' })],
    });
    const r = run(c, 'v6.15', [{ op: 'boot', hold: ['drv-s'] }]);
    expect(r.k.devicesDeferred()).to.deep.equal(['1000.a\tplatform: supplier 2000.s not ready']);
    // the supplier binds; a's retry now fails its first action with -EPROBE_DEFER: no reason
    r.k.perform({ op: 'fail-probe', device: '1000.a', errno: -517, at: 0, times: 1 });
    r.k.perform({ op: 'load-module', driver: 'drv-s' });
    expect(r.k.devicesDeferred()).to.deep.equal(['1000.a\t']);
    r.k.perform({ op: 'bind', device: '1000.a' });
    expect(r.k.devicesDeferred()).to.deep.equal([]);
    expect(r.k.device('1000.a')).to.include({ bound: true });
  });
});
