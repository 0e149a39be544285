// bringup compare: the table and the agreement rule, on hand-made results.

import { expect } from 'chai';
import { agreement, buildComparison, exitCode, positivePatterns, renderText } from '../../runner/cli/commands/compare.js';
import type { Assertions, PlanRun } from '../../runner/dsl/plan.js';
import type { RunResult, RunStatus } from '../../runner/report/result.js';
import { planRun } from './fixtures.js';
import { baseResult } from '../../runner/exec/execute.js';

const pos = { file: 'suites/s.yaml', line: 3, column: 5 };

function withExpect(run: PlanRun, texts: string[]): PlanRun {
  const a: Assertions = {
    log: texts.map((t) => ({ pattern: { kind: 'literal', text: t }, pos })),
    logUnordered: [],
    noLog: [{ pattern: { kind: 'literal', text: 'never' }, pos }],
    count: [],
    state: [],
    pos,
  };
  return { ...run, steps: [...run.steps, { expect: a, pos }] };
}

function result(run: PlanRun, status: RunStatus, lines: string[], failed: string[] = []): RunResult {
  return {
    ...baseResult(run),
    label: run.id,
    status,
    ...(status === 'SKIP' ? { reason: 'QEMU assets not set up' } : {}),
    assertions: failed.map((m) => ({ kind: 'log' as const, ok: false, pos, message: m })),
    logLines: lines.length,
    log: lines.map((text, i) => ({ usec: i * 1000, text })),
  };
}

describe('bringup compare', () => {
  const run = withExpect(planRun('grouped', [{ op: 'boot', hold: [] }]), ['Adding to iommu group']);

  it('collects the positive patterns of every expect', () => {
    expect(positivePatterns(run)).to.deep.equal([{ kind: 'literal', text: 'Adding to iommu group' }]);
  });

  it('agreement ignores skipped targets', () => {
    expect(agreement({ model: 'PASS', qemu: 'PASS' })).to.equal(true);
    expect(agreement({ model: 'PASS', qemu: 'SKIP' })).to.equal(true);
    expect(agreement({ model: 'PASS', qemu: 'FAIL' })).to.equal(false);
  });

  it('prints the verdict table and the asserted lines of each target', async () => {
    const results = new Map([
      ['model', [result(run, 'PASS', ['Linux version 6.10.0', 'virtio-pci 0000:00:02.0: Adding to iommu group 0'])]],
      ['qemu', [result(run, 'FAIL', ['Linux version 6.12.95', 'pci 0000:00:02.0: Added to deferred list'], ['log: no line matches "Adding to iommu group"'])]],
    ]);
    const rep = await buildComparison([run], results);
    expect(rep.rows[0]!.verdicts).to.deep.equal({ model: 'PASS', qemu: 'FAIL' });
    expect(rep.rows[0]!.agree).to.equal(false);
    expect(rep.rows[0]!.lines['model']).to.deep.equal(['[    0.001000] virtio-pci 0000:00:02.0: Adding to iommu group 0']);
    expect(rep.rows[0]!.lines['qemu']).to.deep.equal([]);
    const text = renderText(rep);
    expect(text).to.match(/qemu-test\.grouped\s+PASS\s+FAIL\s+NO/);
    expect(text).to.include('0/1 runs agree across model, qemu');
    expect(text).to.include('<-- targets disagree');
    expect(text).to.include('! suites/s.yaml:3: log: no line matches "Adding to iommu group"');
    expect(exitCode(rep)).to.equal(1);
  });

  it('a target that could not run is named, and alone does not fail the comparison', async () => {
    const results = new Map([
      ['model', [result(run, 'PASS', ['virtio-pci 0000:00:02.0: Adding to iommu group 0'])]],
      ['qemu', [result(run, 'SKIP', [])]],
    ]);
    const rep = await buildComparison([run], results);
    expect(rep.skipped).to.deep.equal({ qemu: 'QEMU assets not set up' });
    expect(renderText(rep)).to.include('target qemu did not run: QEMU assets not set up');
    expect(exitCode(rep)).to.equal(0);
    const none = await buildComparison([run], new Map([['qemu', [result(run, 'SKIP', [])]]]));
    expect(exitCode(none)).to.equal(4);
  });
});
