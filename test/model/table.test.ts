// A kernel's tables by name (runner/model/kernel/table.ts) answer as the Maps they replaced:
// random adds and replacements on a Table and a Map side by side, with snapshot copies taken
// at random points that then go their own way (each copy against a Map copied at the same
// point), compared after every operation: get, has, size, values, keys, entries, forEach and
// iteration, in the order names were added. A copy shares its original's index of names
// until either adds one: neither may see the other's names or values.

import { expect } from 'chai';
import { Table } from '../../runner/model/kernel/table.js';
import { rng } from '../../runner/explore/rng.js';

interface Pair {
  t: Table<number>;
  m: Map<string, number>;
}

function same(p: Pair, where: string): void {
  const { t, m } = p;
  const seen: [string, number][] = [];
  t.forEach((v, k, self) => {
    if (self !== t) throw new Error(`${where}: forEach's third argument`);
    seen.push([k, v]);
  });
  const got = JSON.stringify({ size: t.size, values: [...t.values()], keys: [...t.keys()], entries: [...t.entries()], it: [...t], seen, at: [...m.keys()].map((_, i) => t.at(i)), get: NAMES.map((k) => t.get(k) ?? null), has: NAMES.map((k) => t.has(k)) });
  const want = JSON.stringify({ size: m.size, values: [...m.values()], keys: [...m.keys()], entries: [...m.entries()], it: [...m], seen: [...m], at: [...m.values()], get: NAMES.map((k) => m.get(k) ?? null), has: NAMES.map((k) => m.has(k)) });
  expect(got, where).to.equal(want);
}

const NAMES = Array.from({ length: 12 }, (_, i) => `dev${i}`);

describe('model: kernel tables', () => {
  it('answer as a Map does, and copies go their own way (random adds, replacements and copies)', () => {
    let compared = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const next = rng(seed);
      const pairs: Pair[] = [{ t: new Table<number>(), m: new Map() }];
      for (let step = 0; step < 160; step++) {
        const p = pairs[Math.floor(next() * pairs.length)]!;
        const r = next();
        if (r < 0.15 && pairs.length < 8) {
          // a snapshot's copy: values the caller made, names shared
          const vals = [...p.t.values()].map((v) => v + 1000);
          pairs.push({ t: p.t.withValues(vals), m: new Map([...p.m].map(([k, v]) => [k, v + 1000])) });
        } else {
          const k = NAMES[Math.floor(next() * NAMES.length)]!;
          const v = Math.floor(next() * 100);
          expect(p.t.set(k, v)).to.equal(p.t);
          p.m.set(k, v);
        }
        for (const [i, q] of pairs.entries()) same(q, `seed ${seed} step ${step} table ${i}`);
        compared++;
      }
    }
    expect(compared).to.equal(4000);
  });

  it('a copy made before its original adds a name never sees it, nor the original the copy\'s', () => {
    const a = new Table<string>();
    a.set('x', 'a1').set('y', 'a2');
    const b = a.withValues([...a.values()].map((v) => v.toUpperCase()));
    a.set('z', 'a3');
    b.set('w', 'B4');
    b.set('x', 'B1');
    expect([...a]).to.deep.equal([['x', 'a1'], ['y', 'a2'], ['z', 'a3']]);
    expect([...b]).to.deep.equal([['x', 'B1'], ['y', 'A2'], ['w', 'B4']]);
    expect(a.has('w')).to.equal(false);
    expect(b.has('z')).to.equal(false);
    expect(() => a.withValues(['one'])).to.throw(/1 values for 3 names/);
    // two empty tables share nothing they write
    const e1 = new Table<number>();
    const e2 = new Table<number>();
    e1.set('only', 1);
    expect(e2.size).to.equal(0);
    expect(e2.has('only')).to.equal(false);
  });
  it('a table like another (a board\'s next kernel) answers as a Map, whether its names come in the other\'s order or not', () => {
    let compared = 0;
    for (let seed = 1; seed <= 25; seed++) {
      const next = rng(seed);
      const model = new Table<number>();
      for (const k of NAMES) if (next() < 0.7) model.set(k, 0);
      const order = [...model.keys()];
      const pairs: Pair[] = [];
      for (let j = 0; j < 4; j++) {
        const p: Pair = { t: Table.like<number>(model), m: new Map() };
        // a prefix of the model's names in its order (what a kernel of the same board adds), then anything
        const prefix = Math.floor(next() * (order.length + 1));
        for (let n = 0; n < prefix; n++) {
          p.t.set(order[n]!, n);
          p.m.set(order[n]!, n);
          same(p, `seed ${seed} like ${j} prefix ${n}`);
        }
        pairs.push(p);
      }
      for (let step = 0; step < 60; step++) {
        const p = pairs[Math.floor(next() * pairs.length)]!;
        const k = NAMES[Math.floor(next() * NAMES.length)]!;
        const v = Math.floor(next() * 100);
        p.t.set(k, v);
        p.m.set(k, v);
        // the model going on adding names is seen by none of the tables like it
        if (next() < 0.1) model.set(`late${step}`, step);
        for (const [i, q] of pairs.entries()) same(q, `seed ${seed} step ${step} like ${i}`);
        compared++;
      }
      for (const k of order) expect(model.get(k), `seed ${seed}: the model keeps its own values`).to.equal(0);
    }
    expect(compared).to.equal(1500);
  });
});
