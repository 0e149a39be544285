import { expect } from 'chai';
import { Parser } from 'tap-parser';
import type { Result } from 'tap-parser';
import { XMLParser } from 'fast-xml-parser';
import { buildTree, render } from '../../runner/report/index.js';
import type { Format, ResultTree } from '../../runner/report/index.js';
import { allKinds, pinStacks } from './fixtures.js';
import { golden } from './golden.js';

const OPTS = { versionLine: true };

async function tree(): Promise<ResultTree> {
  return buildTree(pinStacks(await allKinds()));
}

function parseTap(text: string): Promise<{ asserts: Result[]; children: Result[][]; final: { ok: boolean; count: number; pass: number; fail: number; skip: number } }> {
  return new Promise((resolve) => {
    const p = new Parser({ strict: true });
    const asserts: Result[] = [];
    const children: Result[][] = [];
    p.on('assert', (a: Result) => asserts.push(a));
    p.on('child', (c: Parser) => {
      const list: Result[] = [];
      children.push(list);
      c.on('assert', (a: Result) => list.push(a));
    });
    p.on('complete', (final) => resolve({ asserts, children, final }));
    p.end(text);
  });
}

describe('report renderers', () => {
  const cases: [Format, string][] = [
    ['tap', 'all-kinds.tap'],
    ['ktap', 'all-kinds.ktap'],
    ['tap14', 'all-kinds.tap14'],
    ['junit', 'all-kinds.xml'],
    ['json', 'all-kinds.json'],
  ];
  for (const [format, file] of cases) {
    it(`${format}: exact text for pass, fail, XFAIL, XPASS, SKIP, panic and ERROR runs`, async () => {
      const text = await render(format, await tree(), OPTS);
      expect(text).to.equal(golden(file, text));
    });
  }

  it('tap: the kselftest result lines, directives and totals', async () => {
    const lines = (await render('tap', await tree(), OPTS)).split('\n');
    expect(lines.slice(0, 2)).to.deep.equal(['TAP version 13', '1..7']);
    expect(lines.filter((l) => /^(not )?ok /.test(l))).to.deep.equal([
      'ok 1 demo.probe [demo-board v6.15]',
      'not ok 2 demo.order [demo-board v6.15]',
      'ok 3 demo.unbind [demo-board v5.0] # XFAIL 376991db4b64',
      'not ok 4 demo.unbind-fixed [demo-board v5.0] # XPASS 376991db4b64',
      'ok 5 demo.qemu-only [demo-board v6.15] # SKIP no qemu-system-aarch64 on PATH',
      'not ok 6 demo.hotplug [demo-board v6.15]',
      'not ok 7 demo.remove [demo-board v6.15] # ERROR model invariant: dev0 <still> "bound" & busy',
    ]);
    expect(lines.at(-2)).to.equal('# Totals: pass:1 fail:2 xfail:1 xpass:1 skip:1 error:1');
    expect(lines.at(-1)).to.equal('');
    // diagnostics come before the result they explain, and cite the YAML position
    const failAt = lines.indexOf('not ok 2 demo.order [demo-board v6.15]');
    expect(lines[failAt - 8]).to.equal('# suites/demo.yaml:22:9: log: no line matches "Adding to iommu group" after line 3 (pattern 2 of 2)');
  });

  it('KSFT_TAP_LEVEL drops the version line in tap and ktap', async () => {
    const t = await tree();
    expect((await render('tap', t, { versionLine: false })).split('\n')[0]).to.equal('1..7');
    expect((await render('ktap', t, { versionLine: false })).split('\n').slice(0, 3)).to.deep.equal(['1..1', '  KTAP version 1', '  # Subtest: demo']);
  });

  it('prints kselftest skip-all plans for an empty run list', async () => {
    const empty = buildTree([]);
    expect(await render('tap', empty, OPTS)).to.equal('TAP version 13\n1..0 # SKIP no runs to execute\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n');
    expect(await render('ktap', empty, OPTS)).to.equal('KTAP version 1\n1..0 # SKIP no runs to execute\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n');
  });

  it('tap: tap-parser reads every run', async () => {
    const { asserts, final } = await parseTap(await render('tap', await tree(), OPTS));
    expect(asserts.map((a) => [a.id, a.ok])).to.deep.equal([[1, true], [2, false], [3, true], [4, false], [5, true], [6, false], [7, false]]);
    expect(asserts[4]!.skip).to.equal('no qemu-system-aarch64 on PATH');
    expect(final).to.deep.include({ ok: false, count: 7, pass: 3, fail: 4, skip: 1 });
  });

  it('tap14: tap-parser sees the suite subtest and the YAML diagnostics', async () => {
    const { asserts, children, final } = await parseTap(await render('tap14', await tree(), OPTS));
    expect(asserts.map((a) => [a.id, a.ok, a.name])).to.deep.equal([[1, false, 'demo']]);
    expect(final).to.deep.include({ ok: false, count: 1 });
    const runs = children[0]!;
    expect(runs.map((a) => [a.id, a.ok])).to.deep.equal([[1, true], [2, false], [3, true], [4, false], [5, true], [6, false], [7, false]]);
    expect(runs[1]!.name).to.equal('demo.order [demo-board v6.15]');
    expect(runs[1]!.diag).to.deep.include({
      severity: 'fail',
      at: { file: 'suites/demo.yaml', line: 22, column: 9 },
      wanted: '"Adding to iommu group"',
      found: 'platform dev0: Adding to iommu group 0',
    });
    expect(runs[5]!.diag!['panic']).to.deep.equal({ step: 2, what: 'add-device: dev1', at: { file: 'suites/demo.yaml', line: 13, column: 9 } });
    expect(runs[6]!.diag!['stack']).to.equal('Error: model invariant: dev0 <still> "bound" & busy\n    at perform (fake.js:1:1)');
  });

  it("junit: junit-10.xsd's shape, read back by an XML parser; YAML positions in the failure and the suite properties", async () => {
    const xml = await render('junit', await tree(), OPTS);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
    const root = doc.testsuites;
    expect(root).to.deep.include({ name: 'bringup', tests: '7', failures: '3', errors: '1' });
    expect(root).to.not.have.property('skipped');
    expect(root.testsuite).to.have.length(1);
    const suite = root.testsuite[0];
    expect(suite).to.deep.include({ name: 'demo', tests: '7', skipped: '1', file: 'suites/demo.yaml' });
    const props = Object.fromEntries(suite.properties.property.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props).to.deep.equal({
      file: 'suites/demo.yaml',
      'demo.probe [demo-board v6.15]': 'PASS at suites/demo.yaml:10:5',
      'demo.order [demo-board v6.15]': 'FAIL at suites/demo.yaml:22:9',
      'demo.unbind [demo-board v5.0]': 'XFAIL at suites/demo.yaml:40:9; fixed by 376991db4b64',
      'demo.unbind-fixed [demo-board v5.0]': 'XPASS at suites/demo.yaml:40:9; fixed by 376991db4b64',
      'demo.qemu-only [demo-board v6.15]': 'SKIP at suites/demo.yaml:10:5; no qemu-system-aarch64 on PATH',
      'demo.hotplug [demo-board v6.15]': 'FAIL at suites/demo.yaml:10:5',
      'demo.remove [demo-board v6.15]': 'ERROR at suites/demo.yaml:10:5; model invariant: dev0 <still> "bound" & busy',
    });
    const cases = suite.testcase;
    expect(cases.map((c: Record<string, unknown>) => c['name'])).to.deep.equal([
      'demo.probe [demo-board v6.15]',
      'demo.order [demo-board v6.15]',
      'demo.unbind [demo-board v5.0]',
      'demo.unbind-fixed [demo-board v5.0]',
      'demo.qemu-only [demo-board v6.15]',
      'demo.hotplug [demo-board v6.15]',
      'demo.remove [demo-board v6.15]',
    ]);
    for (const c of cases) {
      expect(c).to.include({ classname: 'demo' }).and.have.property('time');
      expect(c).to.not.have.any.keys('file', 'line', 'properties');
    }
    expect(cases[0].failure).to.equal(undefined);
    expect(cases[1].failure).to.include({ type: 'log' });
    expect(cases[1].failure.message).to.equal('suites/demo.yaml:22:9: log: no line matches "Adding to iommu group" after line 3 (pattern 2 of 2)');
    expect(cases[2].failure).to.equal(undefined);
    expect(cases[3].failure).to.include({ type: 'xpass' });
    expect(cases[4].skipped).to.include({ message: 'no qemu-system-aarch64 on PATH' });
    expect(cases[5].failure).to.include({ type: 'kernel-error' });
    expect(cases[6].error).to.include({ message: 'suites/demo.yaml:10:5: model invariant: dev0 <still> "bound" & busy', type: 'error' });
    expect(cases[2]['system-out']).to.equal(
      [
        '[    0.000100] ipmmu-vmsa e67b0000.mmu: registered',
        '[    0.000200] platform dev0: Adding to iommu group 0',
        '[    0.000300] demo_drv dev0: probed',
        '[    0.000400] demo_drv dev0: removing',
        '[    0.000500] BUG: Bad page state in process sh  pfn:48000',
      ].join('\n'),
    );
  });

  it('json: the kunit_tool shape', async () => {
    const j = JSON.parse(await render('json', await tree(), OPTS));
    expect(j).to.include({ name: 'bringup', status: 'FAIL' });
    expect(j.test_cases).to.deep.equal([]);
    expect(j.misc).to.deep.equal({ pass: 1, fail: 2, xfail: 1, xpass: 1, skip: 1, error: 1, total: 7, tests: 7, passed: 2, failed: 3, crashed: 1, skipped: 1, errors: 0 });
    expect(j.sub_groups).to.have.length(1);
    expect(j.sub_groups[0].test_cases.map((c: { status: string }) => c.status)).to.deep.equal(['PASS', 'FAIL', 'PASS', 'FAIL', 'SKIP', 'FAIL', 'ERROR']);
    expect(j.sub_groups[0].test_cases.map((c: { verdict: string }) => c.verdict)).to.deep.equal(['PASS', 'FAIL', 'XFAIL', 'XPASS', 'SKIP', 'FAIL', 'ERROR']);
  });
});
