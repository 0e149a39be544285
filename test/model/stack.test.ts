// The shadow stack and the frames KernelCtx.call()/callWith() push: a frame has no finally
// (its pop runs on the normal return only), so whoever catches an unwind cuts the stack back
// — inTask() for an oops, perform() for a panic. These tests pin that contract: no frame of
// an abandoned call is ever seen by a later trace.

import { expect } from 'chai';
import { ShadowStack } from '../../runner/model/kernel/stack.js';
import { KernelCtx } from '../../runner/model/kernel/ctx.js';
import { OopsUnwind, PanicUnwind } from '../../runner/model/kernel/reports.js';
import { INIT_TASK, SHELL_TASK } from '../../runner/model/kernel/task.js';
import { resolveKernel } from '../../runner/model/profiles/resolve.js';
import { createKernel } from '../../runner/model/index.js';
import { board, device, driver, iommu } from './helpers.js';

describe('model shadow stack', () => {
  it('push, pop, top and trace (innermost first)', () => {
    const s = new ShadowStack();
    expect(s.top()).to.equal(undefined);
    s.push('a');
    s.push('b');
    s.push('c');
    expect(s.top()).to.equal('c');
    expect(s.trace()).to.deep.equal(['c', 'b', 'a']);
    s.pop();
    expect(s.trace()).to.deep.equal(['b', 'a']);
    // a slot reused after a pop holds the new frame, not the old one
    s.push('d');
    expect(s.trace()).to.deep.equal(['d', 'b', 'a']);
    s.truncate(1);
    expect(s.depth()).to.equal(1);
    expect(s.trace()).to.deep.equal(['a']);
  });

  it("another task's stack starts empty, never shows the caller's frames, and gives them back", () => {
    const s = new ShadowStack();
    s.push('caller_outer');
    s.push('caller_inner');
    const saved = s.switchOut();
    expect(s.top()).to.equal(undefined);
    expect(s.trace()).to.deep.equal([]);
    // popping an empty task stack cannot reach into the caller's
    s.pop();
    expect(s.trace()).to.deep.equal([]);
    s.push('worker');
    expect(s.trace()).to.deep.equal(['worker']);
    s.truncate(2);
    s.restore(saved);
    expect(s.trace()).to.deep.equal(['caller_inner', 'caller_outer']);
  });

  const ctx = (): KernelCtx => new KernelCtx(board({}), resolveKernel('v6.15'), 0);

  it('an oops deep inside frames is cut back by inTask: the next trace has none of them', () => {
    const k = ctx();
    k.stack.push('outer');
    const ok = k.inTask(SHELL_TASK, ['el0_svc', 'ksys_write'], () => {
      k.call('a', () =>
        k.callWith('b', (kk: KernelCtx) => {
          kk.call('c', () => {
            throw new OopsUnwind('c');
          });
        }, 0, 0, 0),
      );
    });
    expect(ok).to.equal(false);
    expect(k.stack.trace()).to.deep.equal(['outer']);
    expect(k.task).to.equal(k.initTask);
    const seen = k.call('later', () => k.stack.trace());
    expect(seen).to.deep.equal(['later', 'outer']);
  });

  it('an oops in the same task is cut back to where inTask began', () => {
    const k = ctx();
    k.stack.push('kernel_init');
    k.inTask(INIT_TASK, ['do_one_initcall'], () => {
      k.call('probe', () => {
        throw new OopsUnwind('probe');
      });
    });
    expect(k.stack.trace()).to.deep.equal(['kernel_init']);
  });

  it('a panic propagates through inTask with the task and stack given back', () => {
    const k = ctx();
    k.stack.push('step');
    expect(() =>
      k.inTask(SHELL_TASK, ['el0_svc'], () => {
        k.call('x', () => {
          throw new PanicUnwind('panic');
        });
      }),
    ).to.throw(PanicUnwind);
    expect(k.stack.trace()).to.deep.equal(['step']);
    expect(k.task).to.equal(k.initTask);
  });

  it('frames of a normal return are popped in order, whatever the body returns', () => {
    const k = ctx();
    const r = k.call('a', () => k.callWith('b', (kk: KernelCtx, x: number) => kk.call('c', () => x + kk.stack.depth()), 40, 0, 0));
    expect(r).to.equal(43);
    expect(k.stack.depth()).to.equal(0);
  });

  it('a boot step that panics deep in a bus walk of PID 1 leaves the stack as the step found it', () => {
    // seed 002: rk_iommu_of_xlate dereferences NULL from iommu_device_register's bus walk in PID 1
    const b = board({
      iommus: [iommu('fe043e00.iommu', 'rockchip-iommu')],
      devices: [device('fe040000.vop', 'rockchip-vop2', { iommus: [{ iommu: 'fe043e00.iommu', ids: [] }] })],
      drivers: [driver('rockchip-vop2')],
    });
    const k = createKernel(b, resolveKernel('next-20250312'));
    const out = k.perform({ op: 'boot', hold: [] });
    expect(out.panicked).to.equal(true);
    const kc = (k as unknown as { k: KernelCtx }).k;
    expect(kc.stack.depth()).to.equal(0);
    expect(kc.stack.trace()).to.deep.equal([]);
  });
});
