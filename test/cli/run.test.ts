// End-to-end `bringup run` on the fixture suites against the real model. Report text
// is asserted exactly; where it quotes the kernel log, the expected lines are taken
// from `bringup log` of the same run, so the tests pin the report, not the model's prose.

import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Parser } from 'tap-parser';
import type { Result } from 'tap-parser';
import { XMLParser } from 'fast-xml-parser';
import { bringup, lastLine, resultLines } from './helpers.js';

async function dmesg(scenario: string, kernel: string): Promise<string[]> {
  const r = await bringup(['log', 'demo', '--scenario', scenario, '--kernel', kernel]);
  expect(r.exitCode, r.stderr).to.equal(0);
  return r.stdout.replace(/\n$/, '').split('\n');
}

const PASSING = ['--filter', 'demo.probe', '--filter', 'demo.unbind', 'suites'];

describe('cli: bringup run (model)', function () {
  // each case starts the CLI several times; a loaded CI machine needs the headroom
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-cli-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('tap: PASS and XFAIL, exit 0, summary last on stderr', async () => {
    const r = await bringup(['run', ...PASSING]);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.equal(
      [
        'TAP version 13',
        '1..3',
        'ok 1 demo.probe [demo-h3 v5.1]',
        '# known-bad on v5.0 (fixed by 376991db4b64): failed with its signature, as declared at suites/demo.yaml:35:9',
        'ok 2 demo.unbind [demo-h3 v5.0] # XFAIL 376991db4b64',
        'ok 3 demo.unbind [demo-h3 v5.1]',
        '# Totals: pass:2 fail:0 xfail:1 xpass:0 skip:0 error:0',
        '',
      ].join('\n'),
    );
    expect(r.stderr).to.equal(
      ['[1/3] PASS  demo.probe [demo-h3 v5.1]', '[2/3] XFAIL demo.unbind [demo-h3 v5.0]', '[3/3] PASS  demo.unbind [demo-h3 v5.1]', '3 passed, 0 failed, 0 skipped', ''].join('\n'),
    );
  });

  it('tap: a failing run with its YAML position, what matched, and the log tail; exit 1', async () => {
    const log = await dmesg('missing-line', 'v5.1');
    const at = log.findIndex((l) => l.includes('Adding to iommu group'));
    const r = await bringup(['run', '--filter', 'demo.missing-line', 'suites']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal(
      [
        'TAP version 13',
        '1..1',
        `# suites/demo.yaml:22:38: log: no line matches "this line is never printed" after line ${at + 1} (pattern 2 of 2)`,
        `#   matched "Adding to iommu group" at line ${at + 1} ${log[at]!.slice(0, 14)}`,
        '#   nearest: no line comes close',
        `#   searched the whole log (${log.length} lines)`,
        `# log tail (last ${Math.min(10, log.length)} of ${log.length} lines):`,
        ...log.slice(-10).map((l) => `#   ${l}`),
        'not ok 1 demo.missing-line [demo-h3 v5.1]',
        '# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0',
        '',
      ].join('\n'),
    );
    expect(lastLine(r.stderr)).to.equal('0 passed, 1 failed, 0 skipped');
    const f = await bringup(['run', '--no-error-on-fail', '--filter', 'demo.missing-line', 'suites']);
    expect(f.exitCode).to.equal(0);
    expect(f.stdout).to.equal(r.stdout);
  });

  it('tap: XPASS is not ok with the fixed-by, exit 1', async () => {
    const log = await dmesg('fixed-but-listed', 'v5.1');
    const r = await bringup(['run', '--filter', 'demo.fixed-*', 'suites']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal(
      [
        'TAP version 13',
        '1..1',
        '# suites/demo.yaml:45:9: known-bad on v5.1 (fixed by 376991db4b64), but the run passed: drop the known-bad entry or check the profile',
        `# log tail (last ${Math.min(10, log.length)} of ${log.length} lines):`,
        ...log.slice(-10).map((l) => `#   ${l}`),
        'not ok 1 demo.fixed-but-listed [demo-h3 v5.1] # XPASS 376991db4b64',
        '# Totals: pass:0 fail:0 xfail:0 xpass:1 skip:0 error:0',
        '',
      ].join('\n'),
    );
  });

  it('ktap: runs nested under their suite, per-suite counts, KSFT_TAP_LEVEL drops the version line', async () => {
    const r = await bringup(['run', '--format', 'ktap', ...PASSING]);
    expect(r.exitCode).to.equal(0);
    const body = [
      '1..1',
      '  KTAP version 1',
      '  # Subtest: demo',
      '  1..3',
      '  ok 1 demo.probe [demo-h3 v5.1]',
      '  # known-bad on v5.0 (fixed by 376991db4b64): failed with its signature, as declared at suites/demo.yaml:35:9',
      '  ok 2 demo.unbind [demo-h3 v5.0] # XFAIL 376991db4b64',
      '  ok 3 demo.unbind [demo-h3 v5.1]',
      '# demo: pass:3 fail:0 skip:0 total:3',
      'ok 1 demo',
      '# Totals: pass:2 fail:0 xfail:1 xpass:0 skip:0 error:0',
      '',
    ];
    expect(r.stdout).to.equal(['KTAP version 1', ...body].join('\n'));
    const nested = await bringup(['run', '--format', 'ktap', ...PASSING], { KSFT_TAP_LEVEL: '1' });
    expect(nested.stdout).to.equal(body.join('\n'));
    const tap = await bringup(['run', ...PASSING], { KSFT_TAP_LEVEL: '1' });
    expect(tap.stdout.split('\n')[0]).to.equal('1..3');
  });

  it('tap14: subtests with YAML diagnostics that tap-parser reads', async () => {
    const at = (await dmesg('missing-line', 'v5.1')).findIndex((l) => l.includes('Adding to iommu group')) + 1;
    const r = await bringup(['run', '--format', 'tap14', '--filter', 'demo.*', 'suites']);
    expect(r.exitCode).to.equal(1);
    expect(resultLines(r.stdout)).to.deep.equal([
      '    ok 1 - demo.probe [demo-h3 v5.1]',
      '    not ok 2 - demo.missing-line [demo-h3 v5.1]',
      '    ok 3 - demo.unbind [demo-h3 v5.0] # XFAIL 376991db4b64',
      '    ok 4 - demo.unbind [demo-h3 v5.1]',
      '    not ok 5 - demo.fixed-but-listed [demo-h3 v5.1] # XPASS 376991db4b64',
      'not ok 1 - demo',
    ]);
    const children: Result[] = [];
    const final = await new Promise<{ ok: boolean; count: number }>((resolve) => {
      const p = new Parser({ strict: true });
      p.on('child', (c: Parser) => c.on('assert', (a: Result) => children.push(a)));
      p.on('complete', resolve);
      p.end(r.stdout);
    });
    expect(final).to.deep.include({ ok: false, count: 1 });
    expect(children.map((a) => a.ok)).to.deep.equal([true, false, true, true, false]);
    expect(children[1]!.diag).to.deep.include({
      message: `log: no line matches "this line is never printed" after line ${at} (pattern 2 of 2)`,
      severity: 'fail',
      at: { file: 'suites/demo.yaml', line: 22, column: 38 },
      wanted: '"this line is never printed"',
    });
  });

  it('tap: tap-parser accepts the whole kselftest document', async () => {
    const r = await bringup(['run', 'suites']);
    const asserts: Result[] = [];
    const final = await new Promise<{ ok: boolean; count: number; pass: number; fail: number; plan: { end: number } }>((resolve) => {
      const p = new Parser({ strict: true });
      p.on('assert', (a: Result) => asserts.push(a));
      p.on('complete', resolve);
      p.end(r.stdout);
    });
    expect(final).to.deep.include({ ok: false, count: 5, pass: 3, fail: 2 });
    expect(final.plan.end).to.equal(5);
    expect(asserts.map((a) => a.id)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('junit: exact document (junit-10.xsd), the verdicts with their YAML positions as suite properties, the run logs in system-out', async () => {
    const probe = await dmesg('probe', 'v5.1');
    const unbind50 = await dmesg('unbind', 'v5.0');
    const unbind51 = await dmesg('unbind', 'v5.1');
    const usec = (l: string[]) => Math.round(Number(l.at(-1)!.slice(1, 13).trim()) * 1e6);
    const secs = (l: string[]) => (usec(l) / 1e6).toFixed(3);
    const r = await bringup(['run', '--format', 'junit', ...PASSING]);
    expect(r.exitCode).to.equal(0);
    const total = ((usec(probe) + usec(unbind50) + usec(unbind51)) / 1e6).toFixed(3);
    const esc = (l: string[]) => l.join('\n').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(r.stdout).to.equal(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="bringup" tests="3" failures="0" errors="0" time="${total}">`,
        `  <testsuite name="demo" tests="3" failures="0" errors="0" skipped="0" time="${total}" file="suites/demo.yaml">`,
        '    <properties>',
        '      <property name="file" value="suites/demo.yaml"/>',
        '      <property name="demo.probe [demo-h3 v5.1]" value="PASS at suites/demo.yaml:7:5"/>',
        '      <property name="demo.unbind [demo-h3 v5.0]" value="XFAIL at suites/demo.yaml:35:9; fixed by 376991db4b64"/>',
        '      <property name="demo.unbind [demo-h3 v5.1]" value="PASS at suites/demo.yaml:24:5"/>',
        '    </properties>',
        `    <testcase name="demo.probe [demo-h3 v5.1]" classname="demo" time="${secs(probe)}">`,
        `      <system-out>${esc(probe)}</system-out>`,
        '    </testcase>',
        `    <testcase name="demo.unbind [demo-h3 v5.0]" classname="demo" time="${secs(unbind50)}">`,
        `      <system-out>${esc(unbind50)}</system-out>`,
        '    </testcase>',
        `    <testcase name="demo.unbind [demo-h3 v5.1]" classname="demo" time="${secs(unbind51)}">`,
        `      <system-out>${esc(unbind51)}</system-out>`,
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('junit: failures and XPASS read back by an XML parser', async () => {
    const at = (await dmesg('missing-line', 'v5.1')).findIndex((l) => l.includes('Adding to iommu group')) + 1;
    const r = await bringup(['run', '--format', 'junit', 'suites']);
    expect(r.exitCode).to.equal(1);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(r.stdout);
    expect(doc.testsuites).to.deep.include({ tests: '5', failures: '2', errors: '0' });
    const cases = doc.testsuites.testsuite[0].testcase;
    expect(cases[1].failure).to.deep.include({
      type: 'log',
      message: `suites/demo.yaml:22:38: log: no line matches "this line is never printed" after line ${at} (pattern 2 of 2)`,
    });
    expect(cases[4].failure).to.deep.include({ type: 'xpass' });
  });

  it('json: the kunit_tool shape with every status, the bringup verdict beside it', async () => {
    const r = await bringup(['run', '--format', 'json', 'suites']);
    const j = JSON.parse(r.stdout);
    expect(j.status).to.equal('FAIL');
    expect(j.misc).to.deep.equal({ pass: 2, fail: 1, xfail: 1, xpass: 1, skip: 0, error: 0, total: 5, tests: 5, passed: 3, failed: 2, crashed: 0, skipped: 0, errors: 0 });
    const cases = j.sub_groups[0].test_cases;
    expect(cases.map((c: { name: string; status: string; verdict: string }) => `${c.status} ${c.verdict} ${c.name}`)).to.deep.equal([
      'PASS PASS demo.probe [demo-h3 v5.1]',
      'FAIL FAIL demo.missing-line [demo-h3 v5.1]',
      'PASS XFAIL demo.unbind [demo-h3 v5.0]',
      'PASS PASS demo.unbind [demo-h3 v5.1]',
      'FAIL XPASS demo.fixed-but-listed [demo-h3 v5.1]',
    ]);
    expect(cases[1].failures[0]).to.deep.include({ type: 'log', file: 'suites/demo.yaml', line: 22, column: 38 });
    expect(cases[0].log.split('\n')).to.deep.equal(await dmesg('probe', 'v5.1'));
  });

  it('--output writes the report to a file and nothing to stdout', async () => {
    const out = path.join(tmp, 'out', 'report.tap');
    const r = await bringup(['run', '--output', out, ...PASSING]);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.equal('');
    expect(readFileSync(out, 'utf8')).to.equal((await bringup(['run', ...PASSING])).stdout);
  });

  it('--html FILE writes the HTML report beside the format asked for; --junit-schema and --kcidb-origin', async () => {
    const html = path.join(tmp, 'html', 'report.html');
    const r = await bringup(['run', '--html', html, ...PASSING]);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.equal((await bringup(['run', ...PASSING])).stdout);
    const page = readFileSync(html, 'utf8');
    expect(page).to.match(/^<!DOCTYPE html>/).and.include('bringup: 3 runs, 0 failed');
    expect(page).to.equal((await bringup(['run', '--format', 'html', ...PASSING])).stdout);
    const ant = await bringup(['run', '--format', 'junit', '--junit-schema', 'ant', ...PASSING], { SOURCE_DATE_EPOCH: '1741774830' });
    expect(ant.stdout).to.include('<testsuite name="demo" package="demo" id="0" timestamp="2025-03-12T10:20:30" hostname="localhost"');
    const kcidb = JSON.parse((await bringup(['run', '--format', 'kcidb', '--kcidb-origin', 'my_lab', ...PASSING])).stdout);
    expect(kcidb.tests[0].id).to.equal('my_lab:demo.probe:demo-h3:v5.1');
    const bad = await bringup(['run', '--format', 'kcidb', '--kcidb-origin', 'My-Lab', ...PASSING]);
    expect(bad.exitCode).to.equal(1);
    expect(bad.stdout).to.equal('Bail out! --kcidb-origin wants [a-z0-9_]+ (KCIDB\'s origin rule), not "My-Lab"\n');
    const schema = await bringup(['run', '--format', 'junit', '--junit-schema', 'surefire', ...PASSING]);
    expect(schema.exitCode).to.equal(1);
    expect(schema.stdout).to.equal('Bail out! unknown --junit-schema "surefire" (known: jenkins, ant)\n');
  });

  it('--log-dir writes one dmesg file per run, named by run id', async () => {
    const dir = path.join(tmp, 'logs');
    const r = await bringup(['run', '--log-dir', dir, 'suites']);
    expect(r.exitCode).to.equal(1);
    expect(readdirSync(dir).sort()).to.deep.equal([
      'demo.fixed-but-listed.demo-h3.v5.1.log',
      'demo.missing-line.demo-h3.v5.1.log',
      'demo.probe.demo-h3.v5.1.log',
      'demo.unbind.demo-h3.v5.0.log',
      'demo.unbind.demo-h3.v5.1.log',
    ]);
    expect(readFileSync(path.join(dir, 'demo.unbind.demo-h3.v5.0.log'), 'utf8')).to.equal((await dmesg('unbind', 'v5.0')).join('\n') + '\n');
  });

  it('--jobs 2 prints the same bytes as --jobs 1, in every format', async () => {
    for (const format of ['tap', 'ktap', 'tap14', 'junit', 'json', 'kcidb', 'html']) {
      const one = await bringup(['run', '--format', format, '--jobs', '1', 'suites']);
      const two = await bringup(['run', '--format', format, '--jobs', '2', 'suites']);
      expect(two.stdout, format).to.equal(one.stdout);
      expect(two.exitCode).to.equal(one.exitCode);
      expect(lastLine(two.stderr)).to.equal(lastLine(one.stderr));
    }
  });

  it('--shard K/N: the shards partition the unsharded run', async () => {
    const all = await bringup(['run', '--format', 'json', 'suites']);
    const cases = (s: string) => (JSON.parse(s).sub_groups as { test_cases: { name: string; status: string }[] }[]).flatMap((g) => g.test_cases.map((c) => `${c.name} ${c.status}`));
    const whole = cases(all.stdout);
    expect(whole).to.have.length(5);
    for (const n of [2, 3]) {
      const parts: string[][] = [];
      for (let k = 1; k <= n; k++) {
        const r = await bringup(['run', '--format', 'json', '--shard', `${k}/${n}`, 'suites']);
        parts.push(cases(r.stdout));
      }
      const union = parts.flat();
      expect(union.slice().sort(), `${n} shards`).to.deep.equal(whole.slice().sort());
      expect(new Set(union).size).to.equal(union.length);
    }
    // a shard is the same whatever else is selected: stable under --filter
    const s1 = cases((await bringup(['run', '--format', 'json', '--shard', '1/2', 'suites'])).stdout);
    const s1f = cases((await bringup(['run', '--format', 'json', '--shard', '1/2', '--filter', 'demo.unbind', 'suites'])).stdout);
    expect(s1f).to.deep.equal(s1.filter((c) => c.startsWith('demo.unbind ')));
  });

  it('--board and --kernel pick and replace the matrix', async () => {
    const r = await bringup(['run', '--kernel', 'v5.0', '--kernel', 'v5.2', '--filter', 'demo.probe', 'suites']);
    expect(resultLines(r.stdout)).to.deep.equal(['ok 1 demo.probe [demo-h3 v5.0]', 'ok 2 demo.probe [demo-h3 v5.2]']);
    const h3 = await bringup(['run', '--board', 'demo-h3', '--filter', 'demo.unbind', 'suites']);
    expect(resultLines(h3.stdout)).to.deep.equal(['ok 1 demo.unbind [demo-h3 v5.0] # XFAIL 376991db4b64', 'ok 2 demo.unbind [demo-h3 v5.1]']);
    // a board the suites do not use is a mistake in the command line: invalid input
    const other = await bringup(['run', '--board', 'demo-rk', 'suites']);
    expect(other.exitCode).to.equal(1);
    expect(other.stdout).to.match(/^Bail out! .*demo-rk/);
  });

  it('bringup log prints the dmesg of one run, or each run under a header', async () => {
    const one = await bringup(['log', 'demo', '--scenario', 'probe']);
    expect(one.exitCode).to.equal(0);
    expect(one.stdout).to.match(/^\[ {4}0\.\d{6}\] /);
    expect(one.stdout).to.include('ee300000.sata: Adding to iommu group 0\n');
    const two = await bringup(['log', 'suites/demo.yaml', '--scenario', 'unbind']);
    const lines = two.stdout.split('\n');
    expect(lines[0]).to.equal('==> demo.unbind [demo-h3 v5.0] <==');
    expect(lines).to.include('==> demo.unbind [demo-h3 v5.1] <==');
    expect(two.stdout).to.include('Unable to handle kernel paging request at virtual address');
    const missing = await bringup(['log', 'demo', '--scenario', 'nope']);
    expect(missing.exitCode).to.equal(1);
    expect(missing.stderr).to.equal('bringup log: no run matches scenario "nope" (scenarios: probe, missing-line, unbind, fixed-but-listed)\n');
  });
});
