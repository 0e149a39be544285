// A run whose kernel panics: the remaining steps are reported as not run, the
// kernel-error list names the oops lines, and a known-bad panic is an XFAIL.

import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { bringup, resultLines } from './helpers.js';

const KERNEL_ERRORS = ['Oops', 'BUG:', 'WARNING:', 'Kernel panic', 'Unable to handle kernel'];

async function panicLog(): Promise<string[]> {
  const r = await bringup(['log', 'panic/panic.yaml', '--scenario', 'boot-rk']);
  return r.stdout.replace(/\n$/, '').split('\n');
}

describe('cli: a panicking run', function () {
  this.timeout(180_000);

  it('tap: kernel errors in log order, not-run steps, log tail; XFAIL when known-bad', async () => {
    const log = await panicLog();
    const text = (l: string) => l.slice(15);
    expect(log.some((l) => text(l).startsWith('Kernel panic - not syncing'))).to.equal(true);
    const errors = KERNEL_ERRORS.map((kw) => ({ kw, lines: log.flatMap((l, i) => (text(l).includes(kw) ? [i] : [])) }))
      .filter((e) => e.lines.length > 0)
      .sort((a, b) => a.lines[0]! - b.lines[0]!);
    const r = await bringup(['run', 'panic']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal(
      [
        'TAP version 13',
        '1..2',
        // the run's failure title (exec/titles.ts) comes first
        '# title: Unable to handle kernel NULL pointer dereference in rk_iommu_of_xlate',
        // and the command that explains it (bringup explain)
        '#   why: bringup explain panic/panic.yaml --scenario boot-rk --board demo-rk --kernel next-20250312',
        ...errors.flatMap((e) => [
          `# panic/panic.yaml:7:5: kernel error: "${e.kw}" on ${e.lines.length} line${e.lines.length === 1 ? '' : 's'}, first at line ${e.lines[0]! + 1}`,
          ...e.lines.slice(0, 5).map((i) => `#   line ${i + 1} ${log[i]}`),
          '#   the scenario does not expect it; list the line in an expect (log/count) if it is intended, or set checks: off',
        ]),
        '# not run: steps 2-3: the kernel panicked at step 1 (boot)',
        '#   step 2 (panic/panic.yaml:10:9): unbind: fdea0000.vop',
        '#   step 3 (panic/panic.yaml:11:9): expect',
        `# log tail (last 10 of ${log.length} lines):`,
        ...log.slice(-10).map((l) => `#   ${l}`),
        'not ok 1 panic.boot-rk [demo-rk next-20250312]',
        '# known-bad on next-20250312 (fixed by f90aa59eb299): failed with its signature, as declared at panic/panic.yaml:19:9',
        '# not run: step 2: the kernel panicked at step 1 (boot)',
        '#   step 2 (panic/panic.yaml:17:9): unbind: fdea0000.vop',
        'ok 2 panic.boot-rk-known [demo-rk next-20250312] # XFAIL f90aa59eb299',
        '# Totals: pass:0 fail:1 xfail:1 xpass:0 skip:0 error:0',
        '',
      ].join('\n'),
    );
  });

  it('ktap, tap14, junit and json carry the same verdicts and the panic', async () => {
    const ktap = await bringup(['run', '--format', 'ktap', 'panic']);
    expect(resultLines(ktap.stdout)).to.deep.equal([
      '  not ok 1 panic.boot-rk [demo-rk next-20250312]',
      '  ok 2 panic.boot-rk-known [demo-rk next-20250312] # XFAIL f90aa59eb299',
      'not ok 1 panic',
    ]);
    expect(ktap.stdout).to.include('\n# panic: pass:1 fail:1 skip:0 total:2\nnot ok 1 panic\n');

    const tap14 = await bringup(['run', '--format', 'tap14', 'panic']);
    expect(tap14.stdout).to.include(
      ['      panic:', '        step: 1', '        what: boot', '        at:', '          file: panic/panic.yaml', '          line: 9', '          column: 9'].join('\n'),
    );

    const junit = await bringup(['run', '--format', 'junit', 'panic']);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' }).parse(junit.stdout);
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases[0].failure).to.deep.include({ type: 'kernel-error' });
    expect(cases[0].failure['#text']).to.include('not run: steps 2-3: the kernel panicked at step 1 (boot)');
    expect(cases[0]['system-out']).to.include('Kernel panic - not syncing: Attempted to kill init!');
    expect(cases[1].failure).to.equal(undefined);

    const json = JSON.parse((await bringup(['run', '--format', 'json', 'panic'])).stdout);
    const [c0, c1] = json.sub_groups[0].test_cases;
    expect(c0).to.deep.include({ status: 'FAIL', verdict: 'FAIL', panic: { step: 1, what: 'boot', file: 'panic/panic.yaml', line: 9, column: 9 } });
    expect(c0.not_run).to.deep.equal([
      { step: 2, what: 'unbind: fdea0000.vop', file: 'panic/panic.yaml', line: 10, column: 9 },
      { step: 3, what: 'expect', file: 'panic/panic.yaml', line: 11, column: 9 },
    ]);
    expect(c1).to.deep.include({ status: 'PASS', verdict: 'XFAIL' });
    expect(c1.known_bad).to.deep.include({ kernel: 'next-20250312', fixed_by: 'f90aa59eb299', signature_seen: true, file: 'panic/panic.yaml', line: 19, column: 9 });
  });
});
