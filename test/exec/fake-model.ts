// A module shaped like runner/model/index.ts (it exports createKernel), scripted with
// the fake kernel: loadable by path, so worker threads can use it too.

import type { FakeScript } from './fake.js';
import { fakeCreateKernel } from './fake.js';

export const SCRIPT: FakeScript = {
  steps: {
    boot: { lines: ['ipmmu-vmsa e67b0000.mmu: registered', 'platform dev0: Adding to iommu group 0', 'demo_drv dev0: probed'], devices: { dev0: { bound: true } } },
    'unbind: dev0': { lines: ['demo_drv dev0: removing', 'BUG: Bad page state in process sh  pfn:48000'], devices: { dev0: { bound: false } }, taint: 'B' },
    'bind: dev0': { lines: ['demo_drv dev0: probed'], devices: { dev0: { bound: true } } },
    'add-device: dev1': {
      lines: ['Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8', 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'],
      panic: true,
    },
    'remove-device: dev0': { throws: 'model invariant: dev0 still bound' },
  },
};

export const createKernel = fakeCreateKernel(SCRIPT);
