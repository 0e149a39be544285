// CLI behaviour that does not depend on what the model prints: help, invalid input,
// empty selections, an unavailable target, the board list.

import { expect } from 'chai';
import { bringup, lastLine } from './helpers.js';

describe('cli: help, input errors and empty runs', function () {
  // each case starts the CLI several times; a loaded CI machine needs the headroom
  this.timeout(180_000);
  for (const cmd of ['run', 'log', 'boards']) {
    it(`bringup ${cmd} --help prints real help`, async () => {
      const r = await bringup([cmd, '--help']);
      expect(r.exitCode).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^usage: bringup ${cmd} `));
      expect(r.stdout.split('\n').length).to.be.greaterThan(8);
    });
  }

  it('invalid suites: diagnostics on stderr, Bail out! on stdout, exit 1', async () => {
    const r = await bringup(['run', 'bad']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal('Bail out! invalid input: 1 error in 1 file\n');
    // the diagnostics' wording is the DSL's; here only where they go and in what order
    expect(r.stderr).to.match(/^bad\/broken\.yaml:8:7: error: unknown key "lgo"/);
    expect(lastLine(r.stderr)).to.equal('1 error in 1 file');
  });

  it('bad options bail out with exit 1', async () => {
    for (const [args, reason] of [
      [['--format', 'xml'], 'unknown --format "xml" (known: tap, ktap, tap14, junit, json, kcidb, html)'],
      [['--shard', '3/2'], '--shard wants K/N with 1 <= K <= N, or auto, not "3/2"'],
      [['--jobs', 'many'], '--jobs wants a whole number, not "many"'],
      [['--target', 'fpga'], 'unknown --target "fpga" (known: model, qemu)'],
    ] as const) {
      const r = await bringup(['run', ...args, 'suites']);
      expect(r.exitCode, args.join(' ')).to.equal(1);
      expect(r.stdout).to.equal(`Bail out! ${reason}\n`);
    }
    const k = await bringup(['run', '--kernel', 'v9.9', 'suites']);
    expect(k.exitCode).to.equal(1);
    expect(k.stdout).to.match(/^Bail out! unknown kernel.*"v9\.9"/);
  });

  it('a filter that matches nothing: skip-all plan, exit 4', async () => {
    const r = await bringup(['run', '--filter', 'nosuch.*', 'suites']);
    expect(r.exitCode).to.equal(4);
    expect(r.stdout).to.equal('TAP version 13\n1..0 # SKIP no runs to execute\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n');
    expect(r.stderr).to.equal('0 passed, 0 failed, 0 skipped\n');
  });

  it('an unavailable target: every run SKIP with the reason, exit 4', async () => {
    const r = await bringup(['run', '--target', 'qemu', '--filter', 'demo.*', 'suites'], { BRINGUP_QEMU_CACHE: '/nonexistent/bringup-qemu' });
    expect(r.exitCode).to.equal(4);
    const results = r.stdout.split('\n').filter((l) => l.startsWith('ok '));
    expect(results).to.have.length(5);
    for (const l of results) expect(l).to.match(/^ok \d demo\.[a-z-]+ \[demo-h3 v5\.[01]\] # SKIP QEMU assets not set up/);
    expect(lastLine(r.stdout)).to.equal('# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:5 error:0');
    expect(lastLine(r.stderr)).to.equal('0 passed, 0 failed, 5 skipped');
    // --no-error-on-fail does not turn "nothing ran" into success
    expect((await bringup(['run', '-f', '--target', 'qemu', 'suites'], { BRINGUP_QEMU_CACHE: '/nonexistent/bringup-qemu' })).exitCode).to.equal(4);
  });

  it('bringup boards lists id, model, arch, firmware, devices and IOMMUs', async () => {
    const r = await bringup(['boards']);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.equal(
      [
        'ID       MODEL                                                              ARCH   FIRMWARE  DEVICES  IOMMUS',
        'demo-h3  Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)  arm64  dt        1        e67b0000.mmu (ipmmu-vmsa)',
        'demo-rk  Rockchip RK3568 EVB1 DDR4 V10 Board                                arm64  dt        1        fdea0800.iommu (rockchip-iommu)',
        '',
      ].join('\n'),
    );
    const j = JSON.parse((await bringup(['boards', '--json', 'boards/demo-h3.yaml'])).stdout);
    expect(j).to.deep.equal([
      {
        id: 'demo-h3',
        model: 'Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
        arch: 'arm64',
        firmware: 'dt',
        devices: 1,
        iommus: [{ name: 'e67b0000.mmu', driver: 'ipmmu-vmsa', status: 'okay' }],
        file: 'boards/demo-h3.yaml',
      },
    ]);
  });
});
