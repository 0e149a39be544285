import { expect } from 'chai';
import { executeRun } from '../../runner/exec/execute.js';
import { executeSequential } from '../../runner/exec/run-all.js';
import { createModelTarget } from '../../runner/exec/targets/model.js';
import { unavailableTarget } from '../../runner/exec/targets/index.js';
import { executeAll } from '../../runner/exec/run-all.js';
import type { FakeScript } from './fake.js';
import { BIND, BOOT, UNBIND, block, expectStep, fakeCreateKernel, lit, mkRun, pattern, pos, re, step } from './fake.js';

const BOOT_LINES = [
  'Booting Linux on physical CPU 0x0000000000 [0x411fd073]',
  'ipmmu-vmsa e67b0000.mmu: registered',
  'platform dev0: Adding to iommu group 0',
  'demo_drv dev0: probed',
];

const SCRIPT: FakeScript = {
  steps: {
    boot: { lines: BOOT_LINES, devices: { dev0: { bound: true, driver: 'demo_drv', group: 0, dmaOps: 'iommu' } }, iommus: { 'e67b0000.mmu': true } },
    'unbind: dev0': {
      lines: ['demo_drv dev0: removing', 'BUG: Bad page state in process sh  pfn:48000', 'page dumped because: nonzero mapcount'],
      devices: { dev0: { bound: false, driver: null } },
      taint: 'B',
    },
    'bind: dev0': { lines: ['demo_drv dev0: probe failed'], errno: -16 },
  },
};

const target = (script: FakeScript = SCRIPT) => createModelTarget(fakeCreateKernel(script));

describe('exec/executeRun', () => {
  it('passes when the ordered log patterns match in order', async () => {
    const run = mkRun({ scenario: 'ok', expect: block({ log: [lit('registered'), lit('Adding to iommu group'), re('probed$')] }) });
    const r = await executeRun(run, target());
    expect(r.status).to.equal('PASS');
    expect(r.assertions.map((a) => [a.kind, a.ok])).to.deep.equal([['log', true], ['log', true], ['log', true]]);
    expect(r.logLines).to.equal(4);
    expect(r.usec).to.equal(400);
    expect(r.tail).to.equal(undefined);
  });

  it('records the log lines each assertion matched (the HTML report highlights them)', async () => {
    const run = mkRun({
      scenario: 'lines',
      checks: false,
      expect: block({
        log: [lit('registered'), re('probed$')],
        logUnordered: [lit('Adding to iommu group')],
        count: [{ pattern: pattern('dev0'), atLeast: 1, pos: pos(24) }],
        noLog: [lit('never printed')],
      }),
    });
    const r = await executeRun(run, target());
    expect(r.assertions.map((a) => [a.kind, a.lines])).to.deep.equal([
      ['log', [1]],
      ['log', [3]],
      ['log-unordered', [2]],
      ['no-log', undefined],
      ['count', [2, 3]],
    ]);
  });

  it('with the log kept, records each step: the lines it printed and when; with trace, every device after it', async () => {
    const steps = [step(BOOT, 12), step(UNBIND, 13), step(BIND, 14)];
    const kept = await executeRun(mkRun({ scenario: 'steps', steps, checks: false }), target(), { keepLog: true });
    expect(kept.steps).to.deep.equal([
      { step: 1, what: 'boot', from: 0, to: 4, usec: 400 },
      { step: 2, what: 'unbind: dev0', from: 4, to: 7, usec: 700, errno: 0 },
      { step: 3, what: 'bind: dev0', from: 7, to: 8, usec: 800, errno: -16 },
    ]);
    const board = { ...mkRun({ scenario: 'x' }).board, devices: [{ name: 'dev0', bus: 'platform' as const, iommus: [], dmaBits: 32, status: 'okay' as const, present: true }] };
    const traced = await executeRun({ ...mkRun({ scenario: 'steps', steps, checks: false }), board }, target(), { keepLog: true, trace: true });
    expect(traced.steps!.map((s) => s.devices)).to.deep.equal([{ dev0: 'bound demo_drv' }, { dev0: 'unbound' }, { dev0: 'unbound' }]);
    const plain = await executeRun(mkRun({ scenario: 'steps', steps, checks: false }), target());
    expect(plain.steps).to.equal(undefined);
  });

  it('explains a missing ordered line: what matched where, the nearest line, the window', async () => {
    const run = mkRun({ scenario: 'miss', expect: block({ log: [lit('registered', 21), lit('Adding to iomu group', 22), lit('probed', 23)] }) });
    const r = await executeRun(run, target());
    expect(r.status).to.equal('FAIL');
    const failed = r.assertions.filter((a) => !a.ok);
    expect(failed).to.have.length(1);
    const f = failed[0]!;
    expect(f.pos).to.deep.equal(pos(22));
    expect(f.message).to.equal('log: no line matches "Adding to iomu group" after line 2 (pattern 2 of 3)');
    expect(f.details).to.deep.equal([
      'matched "registered" at line 2 [    0.000200]',
      'nearest (1 edit away): line 3 [    0.000300] platform dev0: Adding to iommu group 0',
      'searched the whole log (4 lines)',
    ]);
    expect(f.found).to.equal('platform dev0: Adding to iommu group 0');
    expect(r.tail).to.deep.equal(BOOT_LINES.map((t, i) => `[    0.000${i + 1}00] ${t}`));
  });

  it('says when a line is there but out of order', async () => {
    const run = mkRun({ scenario: 'order', expect: block({ log: [lit('probed'), lit('registered')] }) });
    const r = await executeRun(run, target());
    const f = r.assertions.find((a) => !a.ok)!;
    expect(f.details).to.deep.equal([
      'matched "probed" at line 4 [    0.000400]',
      '"registered" appears at line 2 [    0.000200], before the previous match at line 4: the order differs',
      'searched the whole log (4 lines)',
    ]);
  });

  it('scopes an inline expect to the lines printed since the previous expect', async () => {
    const run = mkRun({
      scenario: 'window',
      checks: false,
      steps: [
        step(BOOT, 12),
        expectStep(block({ log: [lit('probed')] }), 13),
        step(UNBIND, 14),
        expectStep(block({ log: [lit('removing')], noLog: [lit('probed', 25)] }), 15),
        expectStep(block({ logUnordered: [lit('removing', 26)] }), 16),
      ],
    });
    const r = await executeRun(run, target());
    expect(r.status).to.equal('FAIL');
    const f = r.assertions.filter((a) => !a.ok);
    expect(f.map((a) => [a.kind, a.step, a.message])).to.deep.equal([['log-unordered', 5, 'log-unordered: no line matches "removing"']]);
    expect(f[0]!.details!.at(-1)).to.equal('searched the lines printed since the previous expect: none were printed');
  });

  it('evaluates no-log and count', async () => {
    const run = mkRun({
      scenario: 'counts',
      checks: false,
      steps: [step(BOOT, 12), step(UNBIND, 13)],
      expect: block({
        noLog: [lit('BUG: Bad page state', 31)],
        count: [
          { pattern: pattern('dev0'), times: 3, pos: pos(32) },
          { pattern: pattern('dev0'), atLeast: 2, atMost: 3, pos: pos(33) },
          { pattern: pattern('demo_drv'), atMost: 1, pos: pos(34) },
        ],
      }),
    });
    const r = await executeRun(run, target());
    const f = r.assertions.filter((a) => !a.ok);
    expect(f.map((a) => a.message)).to.deep.equal([
      'no-log: "BUG: Bad page state" matches 1 line',
      'count: "demo_drv" matches 2 lines, wanted at most 1',
    ]);
    expect(f[0]!.details![0]).to.equal('line 6 [    0.000600] BUG: Bad page state in process sh  pfn:48000');
    expect(f[1]!.found).to.equal('2');
  });

  it('checks device, IOMMU, taint and errno state', async () => {
    const run = mkRun({
      scenario: 'state',
      checks: false,
      steps: [step(BOOT, 12), step(BIND, 13)],
      expect: block({
        state: [
          { kind: 'device', device: 'dev0', bound: true, driver: 'demo_drv', group: 0, dmaOps: 'iommu', deferred: false, pos: pos(31) },
          { kind: 'device', device: 'dev0', group: 'none', pos: pos(32) },
          { kind: 'device', device: 'nodev', bound: true, pos: pos(33) },
          { kind: 'iommu', iommu: 'e67b0000.mmu', registered: true, pos: pos(34) },
          { kind: 'tainted', letters: '', pos: pos(35) },
          { kind: 'errno', errno: -16, pos: pos(36) },
          { kind: 'errno', errno: 0, pos: pos(37) },
        ],
      }),
    });
    const r = await executeRun(run, target());
    const f = r.assertions.filter((a) => !a.ok);
    expect(f.map((a) => [a.pos.line, a.message])).to.deep.equal([
      [32, 'state: dev0 group: 0, wanted group: none'],
      [33, 'state: device nodev does not exist on the target'],
      [37, 'state: last bind/unbind returned -EBUSY (-16), wanted 0'],
    ]);
    expect(f[0]!.details).to.deep.equal([
      'dev0 now: bound: true, driver: demo_drv, deferred: false, group: 0, dma-ops: iommu',
      'last lines about dev0:',
      '  line 3 [    0.000300] platform dev0: Adding to iommu group 0',
      '  line 4 [    0.000400] demo_drv dev0: probed',
      '  line 5 [    0.000500] demo_drv dev0: probe failed',
    ]);
  });

  it("counts arm32's arm-iommu ops as iommu and compares taint letters as a set", async () => {
    const script: FakeScript = { steps: { boot: { devices: { dev0: { bound: true, dmaOps: 'arm-iommu' } }, taint: 'WB' } } };
    const run = mkRun({
      scenario: 'arm',
      expect: block({ state: [{ kind: 'device', device: 'dev0', dmaOps: 'iommu', pos: pos(31) }, { kind: 'tainted', letters: 'BW', pos: pos(32) }] }),
    });
    expect((await executeRun(run, target(script))).status).to.equal('PASS');
  });

  it('fails on the kernel-error list unless the scenario expects those lines', async () => {
    const steps = [step(BOOT, 12), step(UNBIND, 13)];
    const plain = await executeRun(mkRun({ scenario: 'err', steps }), target());
    expect(plain.status).to.equal('FAIL');
    const f = plain.assertions.filter((a) => !a.ok);
    expect(f.map((a) => [a.kind, a.message, a.pos.line])).to.deep.equal([
      ['kernel-error', 'kernel error: "BUG:" on 1 line, first at line 6', 10],
    ]);

    const vouched = await executeRun(mkRun({ scenario: 'err', steps, expect: block({ log: [lit('BUG: Bad page state')] }) }), target());
    expect(vouched.status).to.equal('PASS');

    const off = await executeRun(mkRun({ scenario: 'err', steps, checks: false }), target());
    expect(off.status).to.equal('PASS');
  });

  it('vouches for error lines only inside the expect window that lists them', async () => {
    const steps = [step(BOOT, 12), expectStep(block({ noLog: [lit('BUG:')], count: [{ pattern: pattern('BUG:'), atMost: 5, pos: pos(21) }] }), 13), step(UNBIND, 14)];
    const r = await executeRun(mkRun({ scenario: 'scoped', steps }), target());
    expect(r.status).to.equal('FAIL');
    expect(r.assertions.filter((a) => !a.ok).map((a) => a.kind)).to.deep.equal(['kernel-error']);
  });

  it('reports the built-in checks', async () => {
    const script: FakeScript = { ...SCRIPT, checks: [{ check: 'leaked-devres', device: 'dev0', resource: 'dmam 2048', message: 'dev0: leaked dmam buffer of 2048 bytes' }] };
    const r = await executeRun(mkRun({ scenario: 'chk' }), target(script));
    expect(r.status).to.equal('FAIL');
    expect(r.assertions.at(-1)).to.deep.include({ kind: 'check', ok: false, message: 'check leaked-devres: dev0: leaked dmam buffer of 2048 bytes', found: 'dev0 dmam 2048' });
  });

  it('stops at a panic and reports the remaining steps as not run', async () => {
    const script: FakeScript = {
      steps: { boot: { lines: ['Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8', 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'], panic: true } },
    };
    const run = mkRun({ scenario: 'panic', steps: [step(BOOT, 12), step(UNBIND, 13), expectStep(block({ log: [lit('x')] }), 14)] });
    const r = await executeRun(run, target(script));
    expect(r.status).to.equal('FAIL');
    expect(r.panic).to.deep.equal({ step: 1, what: 'boot', pos: pos(12) });
    expect(r.notRun).to.deep.equal([
      { step: 2, pos: pos(13), what: 'unbind: dev0' },
      { step: 3, pos: pos(14), what: 'expect' },
    ]);
    expect(r.assertions.map((a) => a.message)).to.deep.equal([
      'kernel error: "Unable to handle kernel" on 1 line, first at line 1',
      'kernel error: "Kernel panic" on 1 line, first at line 2',
    ]);
  });

  describe('known-bad', () => {
    const steps = [step(BOOT, 12), step(UNBIND, 13)];
    it('is XFAIL when the run fails and shows the signature', async () => {
      const r = await executeRun(mkRun({ scenario: 'kb', kernel: 'v5.0', steps, knownBad: { kernel: 'v5.0', fixedBy: '376991db4b64', log: [lit('BUG: Bad page state')] } }), target());
      expect(r.status).to.equal('XFAIL');
      expect(r.reason).to.equal('376991db4b64');
      expect(r.knownBad).to.deep.equal({ kernel: 'v5.0', fixedBy: '376991db4b64', pos: pos(40), signatureSeen: true, lines: [5] });
    });
    it('is a plain failure when the signature is missing', async () => {
      const r = await executeRun(mkRun({ scenario: 'kb', kernel: 'v5.0', steps, knownBad: { kernel: 'v5.0', fixedBy: '376991db4b64', log: [lit('Unable to handle kernel')] } }), target());
      expect(r.status).to.equal('FAIL');
      expect(r.reason).to.equal(undefined);
      expect(r.assertions.at(-1)!.message).to.equal(
        'known-bad on v5.0 (fixed by 376991db4b64): the run failed, but its signature "Unable to handle kernel" is missing: this is a new failure',
      );
    });
    it('is XPASS when the run passes', async () => {
      const r = await executeRun(mkRun({ scenario: 'kb', kernel: 'v5.0', knownBad: { kernel: 'v5.0', fixedBy: '376991db4b64', log: [lit('BUG:')] } }), target());
      expect(r.status).to.equal('XPASS');
      expect(r.reason).to.equal('376991db4b64');
    });
  });

  it('turns a target exception into ERROR and keeps running the other runs', async () => {
    const script: FakeScript = { steps: { ...SCRIPT.steps, 'unbind: dev0': { throws: 'model invariant broken: dev0 has no devres' } } };
    const runs = [mkRun({ scenario: 'boom', steps: [step(BOOT, 12), step(UNBIND, 13)] }), mkRun({ scenario: 'fine' })];
    const rs = await executeSequential(runs, target(script), {});
    expect(rs.map((r) => r.status)).to.deep.equal(['ERROR', 'PASS']);
    expect(rs[0]!.reason).to.equal('model invariant broken: dev0 has no devres');
    expect(rs[0]!.error!.stack).to.match(/^Error: model invariant broken/);
    expect(rs[0]!.tail).to.have.length(4);
  });

  it('a run the target refuses to open (skip: true) is a SKIP with the reason, not an ERROR', async () => {
    const refusing = {
      ...target(),
      name: 'qemu',
      async open(): Promise<never> {
        throw Object.assign(new Error('not runnable on the qemu target: board arch arm'), { skip: true });
      },
    };
    const r = await executeRun(mkRun({ scenario: 'arm32' }), refusing);
    expect(r.status).to.equal('SKIP');
    expect(r.reason).to.equal('not runnable on the qemu target: board arch arm');
  });

  it('keeps the whole log only when asked', async () => {
    const r = await executeRun(mkRun({ scenario: 'log' }), target(), { keepLog: true });
    expect(r.log!.map((l) => l.text)).to.deep.equal(BOOT_LINES);
  });


  it('reports every run as SKIP with the reason when the target is unavailable', async () => {
    const seen: string[] = [];
    const t = unavailableTarget('qemu', 'no qemu-system-aarch64 on PATH');
    const rs = await executeAll([mkRun({ scenario: 'q' }), mkRun({ scenario: 'r' })], { target: t, onResult: (r) => seen.push(r.status) });
    expect(rs.map((r) => [r.status, r.reason])).to.deep.equal([
      ['SKIP', 'no qemu-system-aarch64 on PATH'],
      ['SKIP', 'no qemu-system-aarch64 on PATH'],
    ]);
    expect(seen).to.deep.equal(['SKIP', 'SKIP']);
  });
});
