// The event record: recording changes nothing the kernel does, and each state change
// names the event that caused it (the links explain walks back).

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSuites, loadSuites } from '../../runner/dsl/index.js';
import { createKernel, EventRecord, formatLogLine, type ModelEvent } from '../../runner/model/index.js';
import type { ModelStep } from '../../runner/model/types.js';
import type { PlanRun } from '../../runner/dsl/plan.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PLAN = compileSuites(loadSuites([path.join(ROOT, 'suites')]).suites);

function steps(run: PlanRun): ModelStep[] {
  return run.steps.flatMap((s) => ('step' in s ? [s.step] : []));
}

function record(run: PlanRun): { rec: EventRecord; log: string } {
  const rec = new EventRecord();
  const k = createKernel(run.board, run.kernel, { events: rec });
  for (const s of steps(run)) k.perform(s);
  return { rec, log: k.log.map(formatLogLine).join('\n') };
}

function findRun(id: string, kernel: string): PlanRun {
  const r = PLAN.find((x) => x.id === id && x.kernel.name === kernel);
  if (!r) throw new Error(`no run ${id} on ${kernel}`);
  return r;
}

/** the event and its causes, innermost first: "kind device", up to the step */
function causes(rec: EventRecord, e: ModelEvent): string[] {
  const out: string[] = [];
  for (let c: ModelEvent | undefined = e; c; c = c.cause === null ? undefined : rec.events[c.cause]) out.push(`${c.kind} ${c.device ?? c.driver ?? c.detail ?? ''}`.trim());
  return out;
}

describe('model event record', () => {
  it('recording leaves every shipped run byte-identical, and every cause points back', function () {
    this.timeout(60000);
    expect(PLAN.length).to.be.greaterThan(400);
    for (const run of PLAN) {
      const k = createKernel(run.board, run.kernel);
      for (const s of steps(run)) k.perform(s);
      const { rec, log } = record(run);
      expect(log, run.id).to.equal(k.log.map(formatLogLine).join('\n'));
      rec.events.forEach((e, i) => {
        expect(e.id).to.equal(i);
        if (e.kind === 'step') expect(e.cause).to.equal(null);
        else expect(e.cause, `${run.id} ${e.kind}`).to.be.a('number').that.is.lessThan(i);
      });
    }
  });

  it('R-Car unbind on v5.0: the paging fault ← the free through dma-direct ← the ops torn down first ← the unbind step', () => {
    const { rec } = record(findRun('rcar-dma-teardown.unbind-releases-managed-dma', 'v5.0'));
    const report = rec.events.find((e) => e.kind === 'report')!;
    // thread 000: arch_dma_free() takes the IOVA for a physical address; its struct page is unmapped
    expect(report.detail).to.equal('Unable to handle kernel paging request at virtual address ffffffbf029ffffc');
    expect(report.fn).to.equal('__free_pages');
    expect(report.frames).to.include('devres_release_all');
    expect(causes(rec, report)).to.deep.equal([
      'report Unable to handle kernel paging request at virtual address ffffffbf029ffffc',
      'foreign-free ee300000.sata',
      'ops-torn-down ee300000.sata',
      'unbound ee300000.sata',
      'step ee300000.sata',
    ]);
    const teardown = rec.events.find((e) => e.kind === 'ops-torn-down' && e.device === 'ee300000.sata')!;
    expect(teardown).to.include({ fn: 'arch_teardown_dma_ops', step: 2 });
    expect(rec.events[teardown.cause!]).to.include({ kind: 'unbound', fn: 'device_release_driver' });
  });

  it('an injected fault: the failed probe is caused by the fired fault, armed at its step', () => {
    const { rec } = record(findRun('hisi-sas-probe-failure.failed-probe-releases-managed-dma', 'v5.1'));
    const failed = rec.events.find((e) => e.kind === 'probe-failed')!;
    expect(failed).to.include({ device: '0000:74:02.0', errno: -22, fn: 'really_probe', step: 2 });
    expect(causes(rec, failed)).to.deep.equal(['probe-failed 0000:74:02.0', 'fault-fired 0000:74:02.0', 'fault-armed 0000:74:02.0', 'step 0000:74:02.0']);
    // the clean-up of the failed probe is caused by the failure
    const teardown = rec.events.find((e) => e.kind === 'ops-torn-down' && e.device === '0000:74:02.0')!;
    expect(teardown.cause).to.equal(failed.id);
  });

  it('a client of a disabled IPMMU (v4.12-rc1) defers on the missing IOMMU at its retries', () => {
    const { rec } = record(findRun('of-iommu-probe-deferral.disabled-ipmmu-means-no-iommu', 'v4.12-rc1'));
    // thread 004's R-Car Gen3 board: every IPMMU node disabled
    const deferred = rec.events.filter((e) => e.kind === 'probe-deferred' && e.device === 'ee300000.sata');
    expect(deferred.length).to.be.greaterThan(0);
    const miss = rec.events[deferred[deferred.length - 1]!.cause!]!;
    expect(miss).to.include({ kind: 'iommu-missing', iommu: 'e6570000.mmu', detail: 'disabled', errno: -517, fn: 'of_iommu_xlate' });
  });
});
