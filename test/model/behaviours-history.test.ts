// One test per behaviour added with the kernel history (issue #17), as behaviours.test.ts
// does for the first ones: the same board and steps on a profile with and without that
// single behaviour ({ base, apply | revert }).

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOT, board, device, driver, iommu, run } from './helpers.js';
import { BEHAVIOURS } from '../../runner/model/profiles/behaviours.js';
import { ERRNO } from '../../runner/model/kernel/errno.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

describe('model behaviours of the kernel history (each toggled alone)', () => {
  describe('229e6ee43d2a: arm-smmu defers a client whose SMMU registered but has not bound', () => {
    // a client that deferred once is retried on another CPU inside apps_smmu's probe
    const b = board({
      model: 'Qualcomm Technologies, Inc. Robotics RB3gen2 (DT)',
      iommus: [iommu('15000000.iommu', 'arm-smmu', { options: { 'concurrent-probe': ['1d84000.ufshc'] } })],
      devices: [device('1d84000.ufshc', 'ufshcd-qcom', { iommus: [{ iommu: '15000000.iommu', ids: [0x80] }], dmaBits: 64 })],
      drivers: [driver('ufshcd-qcom', [{ kind: 'dmam-alloc', size: 8192 }, { kind: 'log', text: 'scsi host0: ufshcd' }], { initcall: 'subsys' })],
    });

    it('without it, arm_smmu_probe_device() dereferences the NULL SMMU in the async worker', () => {
      const r = run(b, { base: 'v6.13', revert: ['229e6ee43d2a'] }, [BOOT]);
      expect(r.lines).to.include('Unable to handle kernel NULL pointer dereference at virtual address 0000000000000060');
      expect(r.lines.some((l) => l.startsWith('pc : arm_smmu_probe_device+'))).to.equal(true);
      expect(r.lines.some((l) => /^CPU: 1 PID: 41 Comm: kworker\/u8:2 /.test(l))).to.equal(true);
      expect(r.text).to.match(/ iommu_probe_device\+.*\n.* of_iommu_configure\+/);
      expect(r.k.taint()).to.include('D');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: false });
    });

    it('with it, the client defers silently and binds behind the SMMU after it has bound', () => {
      const r = run(b, 'v6.13', [BOOT]);
      expect(r.text).to.not.include('Unable to handle kernel');
      expect(r.lines).to.include('ufshcd-qcom 1d84000.ufshc: scsi host0: ufshcd');
      expect(r.k.device('1d84000.ufshc')).to.include({ bound: true, dmaOps: 'iommu' });
      expect(r.k.taint()).to.equal('');
    });

    it('the LTS lines carry it from their stable release on', () => {
      expect(run(b, 'v6.12.y', [BOOT]).k.device('1d84000.ufshc')).to.include({ bound: true });
      expect(run(b, 'v6.12', [BOOT]).k.device('1d84000.ufshc')).to.include({ bound: false });
      expect(run(b, 'v5.4.y', [BOOT]).text).to.include('Unable to handle kernel');
    });
  });

  describe('45ddcb42949f: a sysfs bind whose probe defers returns -EAGAIN, not -EPROBE_DEFER', () => {
    const b = board({
      devices: [device('ee300000.sata', 'sata_rcar')],
      drivers: [driver('sata_rcar', [{ kind: 'log', text: 'ready' }])],
    });
    const steps = [
      BOOT,
      { op: 'unbind' as const, device: 'ee300000.sata' },
      { op: 'fail-probe' as const, device: 'ee300000.sata', errno: -ERRNO.EPROBE_DEFER!, times: 1 },
      { op: 'bind' as const, device: 'ee300000.sata' },
    ];

    it('without it (ef6dcbdd8eb2 alone), the kernel-internal -517 reaches userspace', () => {
      const r = run(b, { base: 'v5.14', revert: ['45ddcb42949f'] }, steps);
      expect(r.errnos[3]).to.equal(-517);
    });

    it('with it, -EAGAIN', () => {
      const r = run(b, 'v5.14', steps);
      expect(r.errnos[3]).to.equal(-ERRNO.EAGAIN!);
      expect(r.k.device('ee300000.sata')).to.include({ bound: false });
    });
  });

  it('every behaviour of the table has a test that names it', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.test.js')) files.push(path.join(dir, e.name));
      }
    };
    walk(HERE);
    // the titles of describe()/it() blocks of test/model
    const titles = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\b(?:describe|it)\((['`])(.*?)\1/g)].map((m) => m[2]!));
    for (const b of BEHAVIOURS) {
      const names = [b.id, ...(b.aliases ?? [])];
      expect(titles.some((t) => names.some((n) => t.includes(n))), `${b.id}: no describe()/it() under test/model names it`).to.equal(true);
    }
  });
});
