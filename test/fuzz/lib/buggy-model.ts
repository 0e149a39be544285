// The real model with one planted bug, shaped like runner/model/index.ts (it exports
// createKernel) so worker threads can load it by path: unbinding ee300000.sata throws
// the TypeError a model bug would, from inside the kernel call.

import { createKernel as realCreateKernel } from '../../../runner/model/index.js';
import type { Kernel, KernelOptions } from '../../../runner/model/api.js';
import type { ModelBoard, ModelStep, ResolvedProfile } from '../../../runner/model/types.js';

function modelBugInUnbind(step: ModelStep): never {
  // the shape of a real model bug: a property read through undefined
  const group = (step as unknown as { group?: { id: number } }).group;
  throw new Error(`unreachable: group ${group!.id}`);
}

export function createKernel(board: ModelBoard, profile: ResolvedProfile, opts?: KernelOptions): Kernel {
  const k = realCreateKernel(board, profile, opts);
  const perform = k.perform.bind(k);
  k.perform = (step: ModelStep) => {
    if (step.op === 'unbind' && step.device === 'ee300000.sata') {
      perform(step);
      modelBugInUnbind(step);
    }
    return perform(step);
  };
  return k;
}
