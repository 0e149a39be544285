// End to end on a real kernel: boots Debian's 6.12 arm64 kernel in QEMU and runs
// suites/qemu-virt-conformance.yaml through the executor. Needs the assets of
// `npm run setup:qemu`; without them these tests are skipped with the reason (CI runs npm test
// before setup:qemu, then runs the suite itself through .ci/run).

import { expect } from 'chai';
import path from 'node:path';
import { loadPlan } from '../../runner/dsl/index.js';
import { executeAll } from '../../runner/exec/run-all.js';
import { createQemuTarget } from '../../runner/exec/targets/qemu/index.js';
import { loadAssets, repoRoot } from '../../runner/exec/targets/qemu/assets.js';
import { Guest } from '../../runner/exec/targets/qemu/guest.js';
import type { QemuSession } from '../../runner/exec/targets/qemu/session.js';
import { BLK, planRun } from './fixtures.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('qemu target: availability', () => {
  it('reports why it is unavailable when the assets are missing', async () => {
    const t = createQemuTarget({ cacheDir: '/nonexistent/bringup-qemu' });
    expect(await t.unavailable()).to.match(/QEMU assets not set up/);
  });
});

describe('qemu target: end to end (real kernel)', function () {
  this.timeout(300_000);
  const assets = loadAssets();

  beforeEach(function () {
    // skipped only when `npm run setup:qemu` has not produced the kernel, initramfs and QEMU
    if (!assets.ok) {
      // the reason shows in the spec reporter's pending line
      if (this.currentTest) this.currentTest.title += ` (skipped: ${assets.reason})`;
      this.skip();
    }
  });

  it('kills a guest that does not come up in time, by PID', async () => {
    const t = createQemuTarget({ bootTimeoutMs: 300 });
    const s = await t.open(planRun('boot-timeout', []));
    let err: unknown;
    try {
      await s.perform({ op: 'boot', hold: [] });
    } catch (e) {
      err = e;
    }
    expect(String(err)).to.match(/timed out after 300 ms waiting for === INIT UP/);
    await s.close();
  });

  it('Guest.close() powers off, and kill() is by PID', async () => {
    if (!assets.ok) return;
    const g = new Guest([assets.assets.qemu, '-machine', 'virt,accel=tcg', '-nographic', '-nodefaults', '-serial', 'stdio', '-monitor', 'none']);
    expect(alive(g.pid)).to.equal(true);
    await g.close(200);
    expect(alive(g.pid)).to.equal(false);
  });

  it('a guest that dies mid-run reports the step as a panic and is reaped', async () => {
    const t = createQemuTarget();
    const s = (await t.open(planRun('guest-dies', []))) as QemuSession;
    const boot = await s.perform({ op: 'boot', hold: [] });
    expect(boot).to.deep.equal({ oopsed: false, panicked: false });
    expect(s.log().some((l) => l.text.includes(`${BLK}: Adding to iommu group`))).to.equal(true);
    const pid = s.guestPid!;
    process.kill(pid, 'SIGKILL');
    const o = await s.perform({ op: 'unbind', device: BLK });
    expect(o.panicked).to.equal(true);
    expect(s.log()[s.log().length - 1]!.text).to.match(/QEMU exited unexpectedly/);
    await s.close();
    expect(alive(pid)).to.equal(false);
  });

  // A representative subset keeps `npm test` quick on a machine that has the assets; CI runs
  // the whole suite through .ci/run, and BRINGUP_QEMU_E2E=full runs it all here.
  const SUBSET = new Set(['boot-all-grouped', 'late-iommu-registration', 'bind-probe-fails-eio', 'bind-probe-defer-eagain']);
  const full = process.env['BRINGUP_QEMU_E2E'] === 'full';

  it(`passes ${full ? '' : 'a subset of '}suites/qemu-virt-conformance.yaml on Linux 6.12 (2 guests in parallel)`, async () => {
    const { plan, diagnostics } = loadPlan([path.join(repoRoot(), 'suites', 'qemu-virt-conformance.yaml')]);
    expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    const runs = full ? plan.runs : plan.runs.filter((r) => SUBSET.has(r.scenario));
    expect(runs.length).to.be.at.least(SUBSET.size);
    const t0 = Date.now();
    const results = await executeAll(runs, { target: 'qemu', jobs: 2 });
    const bad = results.filter((r) => r.status !== 'PASS').map((r) => `${r.id}: ${r.status} ${r.reason ?? ''} ${r.assertions.filter((a) => !a.ok).map((a) => a.message).join('; ')}`);
    expect(bad).to.deep.equal([]);
    console.log(`      (${results.length} runs on the real kernel in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });
});
