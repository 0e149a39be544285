// Runner robustness: a model bug inside one run (a JavaScript exception) is that run's
// `not ok ... # ERROR` with the JS stack in its diagnostics; every other run still
// reports, in-process and on worker threads alike.

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../../runner/dsl/index.js';
import { executeAll } from '../../runner/exec/run-all.js';
import { createModelTarget } from '../../runner/exec/targets/model.js';
import { buildTree, render } from '../../runner/report/index.js';
import { createKernel } from './lib/buggy-model.js';
import { FIXTURES } from '../cli/helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BUGGY = path.join(HERE, 'lib/buggy-model.js');

async function tap(jobs: number): Promise<string> {
  const { plan, diagnostics } = loadPlan([path.join(FIXTURES, 'suites/demo.yaml')]);
  expect(diagnostics).to.deep.equal([]);
  const results =
    jobs === 1
      ? await executeAll(plan.runs, { target: createModelTarget(createKernel) })
      : await executeAll(plan.runs, { target: 'model', kernelModule: BUGGY, jobs });
  return render('tap', buildTree(results), { versionLine: true });
}

describe('fuzz/runner robustness', function () {
  this.timeout(60000);

  for (const jobs of [1, 2]) {
    it(`a JS exception in one run is that run's ERROR with the stack; the others report (--jobs ${jobs})`, async () => {
      const out = await tap(jobs);
      const results = out.split('\n').filter((l) => /^(not )?ok \d/.test(l));
      // demo.yaml: probe, missing-line, unbind x2 kernels, fixed-but-listed, ...
      const errors = results.filter((l) => l.includes('# ERROR'));
      expect(errors.length).to.be.greaterThan(0);
      for (const l of errors) expect(l).to.match(/^not ok \d+ demo\.\S+ \[demo-h3 v5\.[01]\] # ERROR Cannot read properties of undefined \(reading 'id'\)$/);
      expect(results.length - errors.length).to.be.greaterThan(0);
      expect(results.some((l) => /^ok \d+ demo\.probe /.test(l))).to.equal(true);
      // the diagnostics before the ERROR line carry the message and the JS stack down to the model
      const lines = out.split('\n');
      const at = lines.indexOf(errors[0]!);
      const diag = lines.slice(0, at).reverse();
      const block = diag.slice(0, diag.findIndex((l) => /^(not )?ok \d/.test(l))).reverse();
      expect(block).to.include("# error: Cannot read properties of undefined (reading 'id')");
      expect(block.some((l) => /^#\s+at modelBugInUnbind \(.*buggy-model\.js:\d+:\d+\)$/.test(l)), block.join('\n')).to.equal(true);
      expect(out).to.match(/^# Totals: pass:\d+ fail:\d+ xfail:\d+ xpass:\d+ skip:\d+ error:[1-9]\d*$/m);
    });
  }
});
