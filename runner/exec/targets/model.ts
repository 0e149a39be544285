// The model target: one fresh simulated kernel per run. Everything is synchronous
// underneath; the async surface is the Target contract shared with QEMU.

import type { CreateKernel, KernelOptions } from '../../model/api.js';
import type { StateSnapshot, Target, TargetSession } from '../target.js';

export function createModelTarget(createKernel: CreateKernel, opts: KernelOptions = {}): Target {
  return {
    name: 'model',
    unavailable: async () => undefined,
    async open(run): Promise<TargetSession> {
      const k = createKernel(run.board, run.kernel, opts);
      return {
        perform: async (step) => k.perform(step),
        log: () => k.log,
        async snapshot(q): Promise<StateSnapshot> {
          const snap: StateSnapshot = { devices: {}, iommus: {}, taint: k.taint(), lastErrno: k.lastErrno() };
          for (const d of q.devices) snap.devices[d] = k.device(d);
          for (const i of q.iommus) snap.iommus[i] = k.iommu(i);
          return snap;
        },
        checks: async () => k.checks(),
        devicesDeferred: async () => k.devicesDeferred(),
        close: async () => {},
      };
    },
  };
}
