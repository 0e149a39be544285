// KTAP stays readable by the kernel's kunit_tool: its parser's rules (kunit-rules.ts) read
// the KTAP of the all-kinds fixture and of the default run with 0 errors, one subtest per
// suite and per run, and kunit's statuses (XFAIL passed, SKIP skipped, XPASS and ERROR failed).

import { expect } from 'chai';
import { render } from '../../runner/report/index.js';
import type { RunResult } from '../../runner/report/index.js';
import type { Status } from './kunit-rules.js';
import { parseRunTests } from './kunit-rules.js';
import { allKindsOutputs, shippedOutputs } from './outputs.js';
import type { Outputs } from './outputs.js';

function kunitOf(r: RunResult): Status {
  if (r.status === 'SKIP') return 'SKIPPED';
  return r.status === 'PASS' || r.status === 'XFAIL' ? 'SUCCESS' : 'FAILURE';
}

async function check(o: Outputs): Promise<void> {
  const ktap = await render('ktap', o.tree, o.opts);
  const main = parseRunTests(ktap.split('\n'));
  expect(main.errorMessages).to.deep.equal([]);
  expect(main.counts.errors).to.equal(0);
  expect(main.subtests.map((s) => s.name)).to.deep.equal(o.tree.suites.map((s) => s.name));
  o.tree.suites.forEach((suite, i) => {
    const parsed = main.subtests[i]!;
    expect(parsed.subtests.map((t) => [t.name, t.status])).to.deep.equal(suite.runs.map((r) => [r.label, kunitOf(r)]));
  });
  const runs = o.tree.suites.flatMap((s) => s.runs);
  expect(main.counts).to.deep.include({
    passed: runs.filter((r) => kunitOf(r) === 'SUCCESS').length,
    failed: runs.filter((r) => kunitOf(r) === 'FAILURE').length,
    skipped: runs.filter((r) => r.status === 'SKIP').length,
    crashed: 0,
  });
}

describe('report/ktap: kunit_parser.py rules', function () {
  this.timeout(120_000);

  it('the all-kinds fixture: 0 parser errors, every run with its kunit status', async () => {
    await check(await allKindsOutputs());
  });

  it('the default run: 0 parser errors, every run with its kunit status', async () => {
    const o = await shippedOutputs();
    expect(o.tree.suites.flatMap((s) => s.runs).length).to.be.greaterThan(400);
    await check(o);
  });

  it('a quoted log line that kunit_parser takes for the end of the output does not end it', async () => {
    const o = await allKindsOutputs();
    const suites = structuredClone(o.tree.suites);
    const failed = suites[0]!.runs[1]!;
    failed.tail = ['[    1.000000] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)', '[    1.000100] reboot: System halted'];
    const tree = { suites };
    const ktap = await render('ktap', tree, o.opts);
    expect(ktap).to.include('#   [    1.000000] Kernel\u00a0panic - not syncing: VFS: Unable to mount root fs');
    await check({ ...o, tree });
    // the rule is live: the same text without the no-break space cuts the parse short
    const raw = ktap.replace(/\u00a0/g, ' ');
    expect(parseRunTests(raw.split('\n')).errorMessages.length).to.be.greaterThan(0);
  });
});
