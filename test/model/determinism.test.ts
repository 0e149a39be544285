// The same board, steps, profile and seed give the same log, byte for byte.

import { expect } from 'chai';
import { PROFILES } from '../../runner/model/profiles/profiles.js';
import { ERRNO } from '../../runner/model/kernel/errno.js';
import type { ModelStep } from '../../runner/model/types.js';
import { BOOT, run, smmuBoard } from './helpers.js';

describe('model determinism', () => {
  const b = smmuBoard([{ kind: 'dmam-alloc', size: 8192 }, { kind: 'dma-transfer', size: 4096 }, { kind: 'log', text: 'up' }]);
  const steps: ModelStep[] = [
    BOOT,
    { op: 'unbind', device: '1000000.dma' },
    { op: 'bind', device: '1000000.dma' },
    { op: 'fail-probe', device: '1000000.dma', errno: -ERRNO.ENOMEM!, times: 1 },
    { op: 'unbind', device: '1000000.dma' },
    { op: 'bind', device: '1000000.dma' },
    { op: 'deferred-timeout' },
  ];

  for (const p of PROFILES) {
    it(`${p.name}: two runs print identical bytes`, () => {
      const a = run(b, p.name, steps, 7);
      const c = run(b, p.name, steps, 7);
      expect(a.text.length).to.be.greaterThan(0);
      expect(c.text).to.equal(a.text);
      expect(c.errnos).to.deep.equal(a.errnos);
    });
  }

  it('the seed changes only what the kernel draws at random (the oops id of pre-v6 kernels)', () => {
    const x = run(b, { base: 'v5.0', revert: [] }, steps, 1).text;
    const y = run(b, { base: 'v5.0', revert: [] }, steps, 2).text;
    expect(x.replace(/end trace [0-9a-f]+/g, '')).to.equal(y.replace(/end trace [0-9a-f]+/g, ''));
  });
});
