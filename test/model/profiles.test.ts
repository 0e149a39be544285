import { expect } from 'chai';
import { PROFILES, NEWEST_PROFILE, findProfile } from '../../runner/model/profiles/profiles.js';
import { resolveKernel, UnknownKernelError } from '../../runner/model/profiles/resolve.js';

describe('model/profiles', () => {
  it('has the 16 profiles of MODEL.md in order', () => {
    expect(PROFILES.map((p) => p.name)).to.deep.equal([
      'v4.11', 'v4.12-rc1', 'v4.12', 'v4.20-rc1', 'v4.20', 'v5.0', 'v5.1', 'v5.2', 'v5.14', 'v6.9',
      'next-20240430', 'v6.10', 'v6.14', 'next-20250312', 'v6.15-rc1', 'v6.15',
    ]);
    expect(NEWEST_PROFILE).to.equal('v6.15');
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
    expect(() => resolveKernel('v9.9')).to.throw(UnknownKernelError, /unknown kernel profile "v9.9" \(known: v4.11, v4.12-rc1/);
    expect(() => resolveKernel({ base: 'v6.14', apply: ['deadbeef0000'] })).to.throw(/unknown behaviour "deadbeef0000" \(known: 7b07cbefb68d,/);
  });
});
