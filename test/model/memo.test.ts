// Memo: a value made once per key, the same object each time, and a table that starts over
// at its bound instead of growing.

import { expect } from 'chai';
import { Memo } from '../../runner/model/kernel/memo.js';

describe('model Memo', () => {
  it('makes a value once per key and hands back the same one', () => {
    let made = 0;
    const m = new Memo((k: string) => {
      made++;
      return { k };
    });
    const a = m.get('x');
    expect(m.get('x')).to.equal(a);
    expect(m.get('y')).to.not.equal(a);
    expect(made).to.equal(2);
  });

  it('starts over at its bound: a key asked again after that is made again', () => {
    let made = 0;
    const m = new Memo((k: number) => {
      made++;
      return `v${k}`;
    }, 2);
    m.get(1);
    m.get(2);
    expect(made).to.equal(2);
    m.get(3); // the table was full: cleared, then 3 kept
    expect(made).to.equal(3);
    expect(m.get(3)).to.equal('v3');
    expect(made).to.equal(3);
    m.get(1);
    expect(made).to.equal(4);
  });
});
