// The model target: one simulated kernel per run. Everything is synchronous underneath;
// the async surface is the Target contract shared with QEMU.
//
// Runs that open with the same boot (the same board, kernel and boot step) print the same
// log and reach the same state up to there: the model is deterministic. A suite's matrix is
// full of them (a board's unbind/bind and late-registration runs all boot alike), so the
// second such run keeps a snapshot of its booted kernel and the later ones start from a copy
// of it instead of booting again: explore's prefix sharing (model/snapshot.ts), applied to
// the plan. A copy costs a fraction of a boot and prints, from there on, what the booted
// kernel prints (test/exec/boot-share.test.ts holds both to the same log).

import type { CreateKernel, Kernel, KernelOptions, KernelSnapshot, LogLine, StepOutcome } from '../../model/api.js';
import type { ModelBoard } from '../../model/types.js';
import type { PlanRun } from '../../dsl/plan.js';
import type { StateSnapshot, Target, TargetSession } from '../target.js';

/** a kernel that goes on from a snapshot (model/index.ts restoreKernel) */
export type RestoreKernel = (snapshot: KernelSnapshot) => Kernel;

/** boots remembered at once: a plan's runs come suite by suite, so its boots recur close together */
const KEPT_BOOTS = 64;

interface BootEntry {
  /** a run has booted this way */
  seen: boolean;
  /** the booted kernel and its boot's outcome, from the second run that boots this way on */
  snapshot?: KernelSnapshot;
  outcome?: StepOutcome;
}

const NO_LOG: readonly LogLine[] = Object.freeze([]);

export function createModelTarget(createKernel: CreateKernel, opts: KernelOptions = {}, restore?: RestoreKernel): Target {
  // a chooser or an event record sees the boot as it runs: every run boots for itself
  const boots = restore && !opts.chooser && !opts.events ? new BootShare() : undefined;
  return {
    name: 'model',
    unavailable: async () => undefined,
    async open(run): Promise<TargetSession> {
      const entry = boots?.entry(run);
      // made at the first step: a run that starts from a booted copy never makes its own
      let k: Kernel | undefined;
      const kernel = (): Kernel => (k ??= createKernel(run.board, run.kernel, opts));
      return {
        async perform(step) {
          if (k === undefined && entry && step.op === 'boot') {
            if (entry.snapshot) {
              k = restore!(entry.snapshot);
              return { ...entry.outcome! };
            }
            const kk = kernel();
            const o = kk.perform(step);
            // the first boot of its kind may be the only one: only the second pays for a snapshot
            if (entry.seen && !o.panicked && kk.snapshot) {
              entry.snapshot = kk.snapshot();
              entry.outcome = { ...o };
            }
            entry.seen = true;
            return o;
          }
          return kernel().perform(step);
        },
        log: () => (k ? k.log : NO_LOG),
        async snapshot(q): Promise<StateSnapshot> {
          const kk = kernel();
          const snap: StateSnapshot = { devices: {}, iommus: {}, taint: kk.taint(), lastErrno: kk.lastErrno() };
          for (const d of q.devices) snap.devices[d] = kk.device(d);
          for (const i of q.iommus) snap.iommus[i] = kk.iommu(i);
          return snap;
        },
        checks: async () => kernel().checks(),
        devicesDeferred: async () => kernel().devicesDeferred(),
        close: async () => {},
      };
    },
  };
}

/**
 * The boots seen so far, by board (its object, numbered at first sight: boards loaded apart
 * are never taken for one another), kernel and boot step, the oldest forgotten first. Only a
 * run whose first step is its boot shares it: one with steps or expects before the boot
 * would observe the kernel between them.
 */
class BootShare {
  private readonly boardIds = new WeakMap<ModelBoard, number>();
  private nextBoardId = 0;
  /** in the order they were made (a Map iterates so): the bound drops the first */
  private readonly entries = new Map<string, BootEntry>();

  entry(run: PlanRun): BootEntry | undefined {
    const first = run.steps[0];
    if (first === undefined || 'expect' in first || first.step.op !== 'boot') return undefined;
    let id = this.boardIds.get(run.board);
    if (id === undefined) this.boardIds.set(run.board, (id = this.nextBoardId++));
    const key = `${id}\0${run.kernel.name}\0${run.kernel.base}\0${run.kernel.behaviours.join(',')}\0${JSON.stringify(first.step)}`;
    let e = this.entries.get(key);
    if (!e) {
      this.entries.set(key, (e = { seen: false }));
      // the oldest goes: a snapshot holds a whole kernel
      if (this.entries.size > KEPT_BOOTS) this.entries.delete(this.entries.keys().next().value!);
    }
    return e;
  }
}
