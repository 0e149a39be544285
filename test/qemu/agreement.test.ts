// The agreement measure of `bringup compare --real-kernel` and `npm run conformance`: line
// normalisation, the lines each expect asserted on (per window), multiset agreement, the
// first differing line, the line → profile mapping, and a cell run against fake targets with
// the real-kernel cache.

import { expect } from 'chai';
import { assertedLines, cellRow, compareRun, firstDifference, lineAgreement, normaliseLine, profileForLine, renderAgreementTable } from '../../runner/cli/commands/agreement.js';
import { runCell } from '../../runner/cli/commands/compare-cells.js';
import { compilePattern } from '../../runner/exec/patterns.js';
import { baseResult } from '../../runner/exec/execute.js';
import type { Assertions, PlanRun } from '../../runner/dsl/plan.js';
import type { RunResult, RunStatus } from '../../runner/report/result.js';
import type { Target, TargetSession } from '../../runner/exec/target.js';
import { planRun } from './fixtures.js';

const pos = { file: 's.yaml', line: 1, column: 1 };
const lit = (text: string) => ({ pattern: { kind: 'literal' as const, text }, pos });
const block = (a: Partial<Assertions>): Assertions => ({ log: [], logUnordered: [], noLog: [], count: [], state: [], pos, ...a });

/** boot, expect(state), unbind, expect(log "removed"), bind, expect(log "probed") */
function run(): PlanRun {
  const r = planRun('u', [{ op: 'boot', hold: [] }]);
  return {
    ...r,
    steps: [
      r.steps[0]!,
      { expect: block({}), pos },
      { step: { op: 'unbind', device: '0000:00:05.0' }, pos },
      { expect: block({ log: [lit('probetest: removed')] }), pos },
      { step: { op: 'bind', device: '0000:00:05.0' }, pos },
      { expect: block({ log: [lit('probetest: probed')], noLog: [lit('failed')] }), pos },
    ],
  };
}

function result(r: PlanRun, status: RunStatus, lines: string[], windows: number[], failed: string[] = []): RunResult {
  return {
    ...baseResult(r),
    status,
    assertions: failed.map((message) => ({ kind: 'state' as const, ok: false, pos, message })),
    log: lines.map((text, i) => ({ usec: i, text })),
    windows,
  };
}

describe('agreement: lines', () => {
  it('normalises what a real kernel varies between boots, keeps group numbers and errnos', () => {
    expect(normaliseLine('[   12.000001] virtio_blk virtio3: [vda] 32768 512-byte logical blocks')).to.equal('virtio_blk virtioN: [vda] 32768 512-byte logical blocks');
    expect(normaliseLine('e1000e 0000:00:03.0 eth1: removed PHC')).to.equal('e1000e 0000:00:03.0 ethN: removed PHC');
    expect(normaliseLine('pci 0000:00:04.0: Adding to iommu group 3')).to.equal('pci 0000:00:04.0: Adding to iommu group 3');
    expect(normaliseLine('fault addr 0xffff80001234 [PID: 77]')).to.equal('fault addr 0x… [PID: …]');
  });

  it('each expect asserts on the lines of its own window only', () => {
    const r = run();
    // the boot printed "probetest: probed" too: it is in the first window, which asserts nothing
    const log = ['probetest 0000:00:05.0: probetest: probed', 'probetest 0000:00:05.0: probetest: removed', 'probetest 0000:00:05.0: probetest: probed'].map((text, i) => ({ usec: i, text }));
    expect(assertedLines(r, log, [1, 2, 3], compilePattern)).to.deep.equal(['probetest 0000:00:05.0: probetest: removed', 'probetest 0000:00:05.0: probetest: probed']);
  });

  it('counts agreement on multisets of lines', () => {
    expect(lineAgreement(['a', 'a', 'b'], ['a', 'b', 'c'])).to.deep.equal({ lines: 4, agree: 2 });
    expect(lineAgreement([], [])).to.deep.equal({ lines: 0, agree: 0 });
  });

  it('names both sides\' first differing line, else their first failed assertion', () => {
    const r = run();
    const m = result(r, 'PASS', ['x', 'probetest 0000:00:05.0: probetest: removed', 'probetest 0000:00:05.0: probetest: probed'], [1, 2, 3]);
    const q = result(r, 'FAIL', ['x', 'probetest 0000:00:05.0: probetest: removed', 'probetest: probe of 0000:00:05.0 failed with error -5'], [1, 2, 3], ['state: 0000:00:05.0 bound: false, wanted bound: true']);
    const c = compareRun(r, m, q, compilePattern);
    expect(c.agree).to.equal(false);
    expect(c.lines).to.equal(2);
    expect(c.linesAgree).to.equal(1);
    expect(firstDifference(c)).to.deep.equal({ model: 'probetest 0000:00:05.0: probetest: probed', real: '(no further asserted line)' });
    const same = compareRun(r, m, { ...m, status: 'FAIL', assertions: [{ kind: 'state', ok: false, pos, step: 6, message: 'state: errno -16, wanted 0' }] }, compilePattern);
    expect(firstDifference(same)).to.deep.equal({ model: '(PASS)', real: 'step 6: state: errno -16, wanted 0' });
    const row = cellRow('b', '6.1', 'v5.14', [c, same], 12.4);
    expect(row).to.deep.equal({ board: 'b', kernel: '6.1', profile: 'v5.14', scenarios: 2, verdicts_agree: 0, lines: 4, lines_agree: 3, seconds: 12 });
    expect(renderAgreementTable([row])).to.match(/^board\s+kernel\s+profile\s+scenarios\s+verdicts agree\s+lines\s+lines agree\s+seconds\n/);
    expect(renderAgreementTable([row])).to.include('0 (0.0%)');
  });

  it('maps a Debian kernel line to its own profile, else the newest mainline one below', () => {
    const ps = ['v4.11', 'v5.2', 'v5.14', 'next-20250312', 'v6.10', 'v6.12', 'v6.12.y', 'v6.15-rc1', 'v6.15', 'v6.16'];
    expect(profileForLine('6.16', ps)).to.deep.equal({ profile: 'v6.16', exact: true });
    expect(profileForLine('6.12', ps), 'a stable line is its .y profile').to.deep.equal({ profile: 'v6.12.y', exact: true });
    expect(profileForLine('6.11', ps)).to.deep.equal({ profile: 'v6.10', exact: false });
    expect(profileForLine('5.10', ps)).to.deep.equal({ profile: 'v5.2', exact: false });
    expect(profileForLine('7.3', ps)).to.deep.equal({ profile: 'v6.16', exact: false });
    expect(() => profileForLine('4.4', ps)).to.throw(/no model profile/);
  });
});

describe('agreement: a cell', () => {
  /** a real kernel that prints what it is told per step and reports every device bound */
  function fakeQemu(opened: string[]): Target {
    return {
      name: 'qemu',
      unavailable: async () => undefined,
      open: async (r: PlanRun): Promise<TargetSession> => {
        opened.push(r.id);
        const log: { usec: number; text: string }[] = [];
        return {
          perform: async (s) => {
            if (s.op === 'unbind') log.push({ usec: 1, text: 'probetest 0000:00:05.0: probetest: removed' });
            if (s.op === 'bind') log.push({ usec: 2, text: 'probetest 0000:00:05.0: probetest: probed' });
            return { oopsed: false, panicked: false, errno: 0 };
          },
          log: () => log,
          snapshot: async () => ({ devices: {}, iommus: {}, taint: '', lastErrno: 0 }),
          checks: async () => [],
          close: async () => undefined,
        };
      },
    };
  }

  it('runs the model and the real kernel, and takes real results from the cache when it has them', async () => {
    const r = run();
    const opened: string[] = [];
    const store = new Map<string, RunResult>();
    const secs = new Map<string, number>();
    const cache = {
      get: (_c: unknown, x: PlanRun) => store.get(x.id),
      put: (_c: unknown, x: PlanRun, res: RunResult, s: number) => void (store.set(x.id, res), secs.set(x.id, s)),
      seconds: (_c: unknown, x: PlanRun) => (secs.has(x.id) ? 3600 : undefined),
    };
    const cell = { board: 'qemu-virt-arm64', line: '6.12', kernel: '6.12', profile: 'v6.10', runs: [r] };
    const first = await runCell(cell, { realTarget: async () => fakeQemu(opened), realCache: cache });
    expect(opened).to.deep.equal([r.id]);
    expect(first.real[0]!.status).to.equal('PASS');
    expect(first.row.scenarios).to.equal(1);
    const second = await runCell(cell, { realTarget: async () => fakeQemu(opened), realCache: cache });
    expect(opened, 'the cached run is not booted again').to.have.length(1);
    expect(second.comparisons[0]!.realLines).to.deep.equal(first.comparisons[0]!.realLines);
    expect(secs.get(r.id), 'the real run\'s wall time is recorded with it').to.be.a('number');
    expect(second.row.seconds, 'a cached run counts the wall time measuring it took').to.be.at.least(3600);
    expect(second.untimed).to.equal(0);
    store.set('other', store.get(r.id)!);
    secs.clear();
    const third = await runCell(cell, { realTarget: async () => fakeQemu(opened), realCache: cache });
    expect(third.untimed, 'a cached run without a recorded time is counted as untimed').to.equal(1);
  });
});
