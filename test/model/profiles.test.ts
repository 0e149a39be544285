import { expect } from 'chai';
import { PROFILES, NEWEST_PROFILE, LTS_LINES, findProfile, nearestProfile } from '../../runner/model/profiles/profiles.js';
import { BEHAVIOURS } from '../../runner/model/profiles/behaviours.js';
import { KernelCtx } from '../../runner/model/kernel/ctx.js';
import { board } from './helpers.js';
import { resolveKernel, UnknownKernelError } from '../../runner/model/profiles/resolve.js';

describe('model/profiles', () => {
  it('keeps the 16 profiles of MODEL.md, in order, among every mainline release v4.11..v7.3', () => {
    const names = PROFILES.map((p) => p.name);
    const old = ['v4.11', 'v4.12-rc1', 'v4.12', 'v4.20-rc1', 'v4.20', 'v5.0', 'v5.1', 'v5.2', 'v5.14', 'v6.9',
      'next-20240430', 'v6.10', 'v6.14', 'next-20250312', 'v6.15-rc1', 'v6.15'];
    expect(names.filter((n) => old.includes(n))).to.deep.equal(old);
    const mainline = [
      ...[11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((m) => `v4.${m}`),
      ...Array.from({ length: 20 }, (_, m) => `v5.${m}`),
      ...Array.from({ length: 20 }, (_, m) => `v6.${m}`),
      'v7.0', 'v7.1', 'v7.2', 'v7.3',
    ];
    expect(names.filter((n) => /^v\d+\.\d+$/.test(n))).to.deep.equal(mainline);
    expect(NEWEST_PROFILE).to.equal('v7.3');
    expect(names[names.length - 1]).to.equal('v7.3');
  });

  it('has the LTS lines right after the release each branched from', () => {
    const names = PROFILES.map((p) => p.name);
    for (const line of LTS_LINES) {
      const i = names.indexOf(`v${line}.y`);
      expect(i, line).to.be.greaterThan(0);
      expect(names[i - 1]).to.equal(`v${line}`);
      // the mainline set plus backports only: nothing that landed later unless backported to it
      const p = findProfile(`v${line}.y`)!;
      for (const id of p.behaviours) {
        const b = BEHAVIOURS.find((x) => x.id === id)!;
        if (!findProfile(`v${line}`)!.behaviours.includes(id)) expect(b.backports?.map((x) => x.line), id).to.include(line);
      }
    }
  });

  it('an unknown version names the nearest existing newer profile', () => {
    expect(nearestProfile('v6.15-rc3')).to.equal('v6.15');
    expect(nearestProfile('6.16')).to.equal('v6.16');
    expect(nearestProfile('v4.10')).to.equal('v4.11');
    expect(nearestProfile('v9.1')).to.equal('v7.3');
    expect(nearestProfile('6.1.120')).to.equal('v6.1.y');
    expect(nearestProfile('v6.16.3')).to.equal('v6.16');
    expect(nearestProfile('vendor')).to.equal(undefined);
  });

  it('has() rejects an id that is not in the behaviour table, as since() does for eras', () => {
    const k = new KernelCtx(board({}), resolveKernel('v6.12'), 0);
    expect(k.has('b67483b3c44e')).to.equal(true);
    expect(k.has('229e6ee43d2a')).to.equal(false);
    expect(() => k.has('bcb81ac6ae3')).to.throw(/no such behaviour/);
    expect(() => k.since('v6.99')).to.throw(/unknown profile/);
  });

  it('releases carry what landed up to them', () => {
    expect(findProfile('v4.11')!.behaviours).to.deep.equal([]);
    expect(findProfile('v5.0')!.behaviours).to.not.include('376991db4b64');
    expect(findProfile('v5.1')!.behaviours).to.include('376991db4b64').and.not.include('0b777eee88d7');
    expect(findProfile('v5.2')!.behaviours).to.include('0b777eee88d7');
    expect(findProfile('v6.15-rc1')!.behaviours).to.include.members(['bcb81ac6ae3c', '73d2f10957f5', 'f90aa59eb299']);
    expect(findProfile('v6.15-rc1')!.behaviours).to.not.include.members(['38e8844005e6']);
    expect(findProfile('v6.15-rc1')!.behaviours).to.not.include('d9d3cede4167');
  });

  it('linux-next snapshots are a release plus exactly the listed commits', () => {
    const n = findProfile('next-20240430')!.behaviours;
    expect(n).to.include('b67483b3c44e').and.not.include('8b80549f1bc6');
    const m = findProfile('next-20250312')!.behaviours;
    expect(m).to.include('bcb81ac6ae3c').and.not.include('73d2f10957f5');
  });

  it('resolves {base, apply, revert} with a stable label', () => {
    const r = resolveKernel({ base: 'v6.14', apply: ['bcb81ac6ae3c'], revert: ['8b80549f1bc6'] });
    expect(r.name).to.equal('v6.14+bcb81ac6ae3c-8b80549f1bc6');
    expect(r.base).to.equal('v6.14');
    expect(r.behaviours).to.include('bcb81ac6ae3c').and.not.include('8b80549f1bc6');
  });

  it('rejects unknown ids naming the known ones', () => {
    expect(() => resolveKernel('v9.9')).to.throw(UnknownKernelError, /unknown kernel profile "v9.9" \(did you mean "v7.3"\?\) \(known: v4.11, v4.12-rc1/);
    expect(() => resolveKernel({ base: 'v6.14', apply: ['deadbeef0000'] })).to.throw(/unknown behaviour "deadbeef0000" \(known: 7b07cbefb68d,/);
  });
});
