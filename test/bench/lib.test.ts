// The bench harness's pure helpers. No timing here: figures belong to `npm run bench`.

import { expect } from 'chai';
import { seedScenarios, timedBatch } from '../../bench/throughput.js';
import { chainBoard, formatNumber, formatTable, growthExponent, median, meets, paired, perSecond, ratio, spread, spreadNote, syntheticBoard, verdict } from '../../bench/lib.js';

describe('bench helpers', () => {
  it('median: odd, even, unsorted, single; empty throws', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([7])).to.equal(7);
    expect(() => median([])).to.throw();
  });

  it('median does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).to.deep.equal([3, 1, 2]);
  });

  it('ratio, perSecond and the growth exponent', () => {
    expect(ratio(300, 150)).to.equal(2);
    expect(ratio(0, 0)).to.equal(1);
    expect(ratio(1, 0)).to.equal(Infinity);
    expect(perSecond(500, 250)).to.equal(2000);
    expect(growthExponent(100, 1, 1000, 10)).to.be.closeTo(1, 1e-12);
    expect(growthExponent(100, 1, 1000, 100)).to.be.closeTo(2, 1e-12);
  });

  it('spread and paired samples: the range beside a median, differences and ratios pair by pair', () => {
    expect(spread([3, 9, 1])).to.deep.equal({ min: 1, max: 9 });
    expect(() => spread([])).to.throw();
    expect(spreadNote([120, 80, 100])).to.equal('median of 3, 80.0-120');
    // the second pair ran while the machine was twice as slow: its ratio is still 2
    expect(paired([200, 400], [100, 200])).to.deep.equal({ diff: [100, 200], ratio: [2, 2] });
    expect(() => paired([1], [1, 2])).to.throw();
    expect(() => paired([], [])).to.throw();
  });

  it('targets: PASS/MISS by comparison, a non-finite value never passes', () => {
    expect(meets(10_000, { cmp: '>=', limit: 10_000 })).to.equal(true);
    expect(meets(150, { cmp: '<=', limit: 150 })).to.equal(true);
    expect(meets(1000, { cmp: '<', limit: 1000 })).to.equal(false);
    expect(meets(Infinity, { cmp: '>=', limit: 1 })).to.equal(false);
    expect(verdict({ section: 's', name: 'n', value: 1, unit: '' })).to.equal('');
    expect(verdict({ section: 's', name: 'n', value: 1, unit: '', target: { cmp: '<', limit: 2 } })).to.equal('PASS');
  });

  it('formats numbers to about three significant figures', () => {
    expect(formatNumber(12345.6)).to.equal('12,346');
    expect(formatNumber(123.4)).to.equal('123');
    expect(formatNumber(12.34)).to.equal('12.3');
    expect(formatNumber(1.234)).to.equal('1.23');
    expect(formatNumber(0.01234)).to.equal('0.0123');
    expect(formatNumber(Infinity)).to.equal('inf');
  });

  it('the table has one section header per section and counts met targets', () => {
    const t = formatTable([
      { section: 'a', name: 'x', value: 2, unit: 'ms', target: { cmp: '<', limit: 3 } },
      { section: 'a', name: 'y', value: 5, unit: 'ms', target: { cmp: '<', limit: 3 } },
      { section: 'b', name: 'z', value: 1, unit: 'x' },
    ]);
    const lines = t.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('['))).to.deep.equal(['[a]', '[b]']);
    expect(lines.find((l) => l.startsWith('x '))).to.match(/PASS/);
    expect(lines.find((l) => l.startsWith('y '))).to.match(/MISS/);
    expect(lines[lines.length - 1]).to.equal('1/2 targets met');
  });

  for (const n of [100, 1000, 10_000]) {
    it(`synthetic board of ${n} devices behind 16 arm-smmu-v3`, () => {
      const b = syntheticBoard({ devices: n });
      expect(b.devices).to.have.length(n);
      expect(b.iommus).to.have.length(16);
      expect(b.iommus.every((i) => i.driver === 'arm-smmu-v3')).to.equal(true);
      expect(b.drivers).to.have.length(n / 10);
      expect(new Set(b.devices.map((d) => d.name)).size).to.equal(n);
      const drivers = new Set(b.drivers.map((d) => d.name));
      const iommus = new Set(b.iommus.map((i) => i.name));
      expect(b.devices.every((d) => drivers.has(d.driver!) && d.iommus.every((r) => iommus.has(r.iommu)))).to.equal(true);
      // every IOMMU serves n/16 devices, each with its own stream ID
      const ids = new Set(b.devices.map((d) => `${d.iommus[0]!.iommu}/${d.iommus[0]!.ids[0]}`));
      expect(ids.size).to.equal(n);
    });
  }

  it('the deferred chain: device i waits for device i+1, the last waits for nothing', () => {
    const b = chainBoard(5);
    expect(b.devices).to.have.length(5);
    expect(b.drivers).to.have.length(5);
    for (let i = 0; i < 4; i++) expect(b.drivers[i]!.probe).to.deep.equal([{ kind: 'wait-for', device: b.devices[i + 1]!.name }]);
    expect(b.drivers[4]!.probe).to.deep.equal([]);
    expect(b.devices.map((d) => d.driver)).to.deep.equal(b.drivers.map((d) => d.name));
  });

  it('timedBatch counts runs against the clock it is given', () => {
    let t = 0;
    let calls = 0;
    // each clock read advances 1 ms; each run advances nothing
    const rate = timedBatch(() => void calls++, 100, () => t++);
    expect(calls).to.be.greaterThan(0);
    expect(rate).to.equal((calls * 1000) / (t - 1));
  });

  it('seed scenarios: boot, unbind/bind and fail-probe per client, late IOMMU holds every IOMMU driver', () => {
    const b = syntheticBoard({ devices: 3, iommus: 2 });
    const sc = seedScenarios(b);
    expect(sc.map((s) => s.name)).to.deep.equal(['boot', 'unbind/bind', 'fail-probe', 'late-IOMMU']);
    expect(sc[1]!.variants).to.have.length(3);
    expect(sc[1]!.variants[0]).to.deep.equal([{ op: 'boot', hold: [] }, { op: 'unbind', device: b.devices[0]!.name }, { op: 'bind', device: b.devices[0]!.name }]);
    expect(sc[3]!.variants[0]![0]).to.deep.equal({ op: 'boot', hold: ['arm-smmu-v3'] });
    expect(sc[3]!.variants[0]!.slice(1).map((s) => s.op)).to.deep.equal(['register-iommu-late', 'register-iommu-late']);
  });
});
