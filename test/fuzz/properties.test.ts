// The fuzz properties at a modest count (a few seconds), with a fixed seed so `npm test`
// is repeatable; `npm run fuzz -- --runs N` runs the same properties with many more
// cases and a fresh seed. Plus a spot-check of mutated files through the built CLI.

import { expect } from 'chai';
import fc from 'fast-check';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loaderProperties, loadOne, makeWorkspace, mutate, removeWorkspace, serialize, type Mutation, type Workspace } from './lib/loader.js';
import { modelProperties, runChecked } from './lib/model.js';
import { dslProperties } from './lib/dsl.js';
import { bringup } from '../cli/helpers.js';
import { createKernel, resolveKernel } from '../../runner/model/index.js';
import { board, device, driver, iommu } from '../model/helpers.js';

const COUNTS: Record<string, number> = {
  'loader: mutated shipped files': 60,
  'loader: random YAML documents': 80,
  'loader: byte flips (non-UTF-8)': 30,
  'loader: plan options': 30,
  'loader: valid mutants run end to end': 40,
  'dsl: fast YAML parser agrees with yaml': 150,
  'dsl: user regex matchers agree with RE2': 400,
  'model: random steps, boards and kernels': 200,
  'model: one board on many profiles': 40,
  'model: random steps on the shipped boards': 100,
};

describe('fuzz/properties', function () {
  this.timeout(120000);
  let ws: Workspace;
  before(() => (ws = makeWorkspace()));
  after(() => removeWorkspace(ws));

  it('has the loader properties', () => {
    const names = loaderProperties(ws).map((p) => p.name);
    expect(names).to.deep.equal(Object.keys(COUNTS).filter((n) => n.startsWith('loader')));
  });

  for (const name of Object.keys(COUNTS)) {
    it(`${name} (${COUNTS[name]} cases)`, () => {
      const props = name.startsWith('loader') ? loaderProperties(ws) : name.startsWith('dsl') ? dslProperties(ws) : modelProperties();
      const p = props.find((x) => x.name === name)!;
      return fc.assert(p.property as fc.IProperty<unknown[]>, { numRuns: COUNTS[name], seed: 20261121 });
    });
  }

  it('mutated shipped files rejected by the loader fail `bringup validate` with positioned errors', async () => {
    const cases = fc.sample(
      fc.record({
        file: fc.nat(),
        muts: fc.array(
          fc.record({
            op: fc.constantFrom<Mutation['op']>('delete', 'rename', 'retype', 'wrap'),
            a: fc.nat(),
            b: fc.nat(),
            key: fc.constantFrom('__proto__', 'iomus', ''),
            keyMode: fc.nat(5),
            value: fc.constantFrom<unknown>(42, null, 'x', []),
            depth: fc.constantFrom(2, 80),
            wrapMap: fc.boolean(),
          }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
      { numRuns: 4, seed: 7 },
    );
    let checked = 0;
    for (const c of cases) {
      const f = ws.shipped[c.file % ws.shipped.length]!;
      const text = serialize(mutate(f.data, c.muts), { flow: false, indent: 2, quote: false, yaml: true });
      const out = loadOne(ws, f.kind, f.id, text);
      if (out.valid) continue;
      // the same file through the CLI (loadOne removed it again)
      const rel = path.relative(ws.dir, out.file);
      writeFileSync(out.file, text);
      try {
        const r = await bringup(['validate', rel], {}, ws.dir);
        expect(r.exitCode, r.stderr).to.equal(1);
        const heads = r.stderr.split('\n').filter((l) => l.startsWith(`${rel}:`));
        expect(heads.length, r.stderr).to.equal(out.diagnostics.length);
        for (const h of heads) expect(h).to.match(/^[^:]+:[1-9]\d*:[1-9]\d*: error: \S/);
        expect(r.stderr).to.match(/\d+ errors? in 1 file/);
      } finally {
        rmSync(out.file, { force: true });
      }
      checked++;
    }
    expect(checked).to.be.greaterThan(0);
  });

  it('the invariant checker sees a device its group does not list', () => {
    const b = board({
      iommus: [iommu('9050000.smmu')],
      devices: [device('1000000.dma', 'foo', { iommus: [{ iommu: '9050000.smmu', ids: [1] }] })],
      drivers: [driver('foo', [{ kind: 'dmam-alloc', size: 4096 }])],
    });
    const ok = runChecked(b, resolveKernel('v6.15'), [{ op: 'boot', hold: [] }, { op: 'unbind', device: '1000000.dma' }], 0);
    expect(ok.log).to.include('Adding to iommu group 0');
    // the same checks on a kernel whose group list was tampered with
    const k = createKernel(b, resolveKernel('v6.15'));
    k.perform({ op: 'boot', hold: [] });
    const ctx = (k as unknown as { k: { groups: { devices: unknown[] }[] } }).k;
    ctx.groups[0]!.devices.length = 0;
    return import('./lib/model.js').then(({ invariantViolations }) => {
      expect(invariantViolations(k)).to.deep.equal(['1000000.dma is in iommu group 0 but not listed by it']);
    });
  });
});
