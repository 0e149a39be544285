import { expect } from 'chai';
import { Progress } from '../../runner/report/progress.js';
import type { RunResult, RunStatus } from '../../runner/report/result.js';
import { exitCodeFor, summaryLine, totalsOf } from '../../runner/report/result.js';

function result(label: string, status: RunStatus): RunResult {
  return {
    label,
    id: label,
    suite: 's',
    scenario: label,
    board: 'b',
    kernel: 'k',
    file: 'f.yaml',
    pos: { file: 'f.yaml', line: 1, column: 1 },
    status,
    assertions: [],
    notRun: [],
    logLines: 0,
    usec: 0,
  };
}

const ALL: RunStatus[] = ['PASS', 'FAIL', 'XFAIL', 'XPASS', 'SKIP', 'ERROR'];

describe('report/progress and exit codes', () => {
  it('writes one plain line per run off a TTY, then the summary', () => {
    let text = '';
    const p = new Progress(6, { write: (s: string) => (text += s), isTTY: false });
    ALL.forEach((s, i) => p.onResult(result(`s.r${i}`, s)));
    p.finish();
    expect(text).to.equal(
      ['[1/6] PASS  s.r0', '[2/6] FAIL  s.r1', '[3/6] XFAIL s.r2', '[4/6] XPASS s.r3', '[5/6] SKIP  s.r4', '[6/6] ERROR s.r5', '2 passed, 3 failed, 1 skipped', ''].join('\n'),
    );
  });

  it('redraws one counter line on a TTY and ends with the summary on its own line', () => {
    let text = '';
    const p = new Progress(2, { write: (s: string) => (text += s), isTTY: true });
    p.onResult(result('a', 'PASS'));
    p.onResult(result('b', 'SKIP'));
    p.finish();
    expect(text).to.equal('\r\x1b[K[1/2] 1 passed, 0 failed, 0 skipped\r\x1b[K[2/2] 1 passed, 0 failed, 1 skipped\r\x1b[K1 passed, 0 failed, 1 skipped\n');
  });

  it('maps totals to kselftest exit codes', () => {
    const codes = (ss: RunStatus[]) => exitCodeFor(totalsOf(ss.map((s, i) => result(String(i), s))));
    expect(codes(['PASS', 'XFAIL', 'SKIP'])).to.equal(0);
    expect(codes(['XFAIL'])).to.equal(0);
    expect(codes(['PASS', 'FAIL'])).to.equal(1);
    expect(codes(['PASS', 'XPASS'])).to.equal(1);
    expect(codes(['SKIP', 'ERROR'])).to.equal(1);
    expect(codes(['SKIP', 'SKIP'])).to.equal(4);
    expect(codes([])).to.equal(4);
    expect(summaryLine(totalsOf(ALL.map((s) => result(s, s))))).to.equal('2 passed, 3 failed, 1 skipped');
  });
});
