// One result of every kind, produced by the real executor over the fake kernel, so
// the renderer tests see exactly what a run produces.

import { executeRun, skippedRun } from '../../runner/exec/execute.js';
import { createModelTarget } from '../../runner/exec/targets/model.js';
import type { RunResult } from '../../runner/report/result.js';
import { contextOf } from '../../runner/report/context.js';
import type { ReportContext } from '../../runner/report/context.js';
import type { ModelBoard } from '../../runner/model/types.js';
import type { FakeScript } from '../exec/fake.js';
import { BOARD, BOOT, UNBIND, block, fakeCreateKernel, lit, mkRun, step } from '../exec/fake.js';

const SCRIPT: FakeScript = {
  steps: {
    boot: { lines: ['ipmmu-vmsa e67b0000.mmu: registered', 'platform dev0: Adding to iommu group 0', 'demo_drv dev0: probed'] },
    'unbind: dev0': { lines: ['demo_drv dev0: removing', 'BUG: Bad page state in process sh  pfn:48000'] },
    'remove-device: dev0': { throws: 'model invariant: dev0 <still> "bound" & busy' },
    'add-device: dev1': {
      lines: ['Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8', 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b'],
      panic: true,
    },
  },
};

/** pass, fail, xfail, xpass, skip, panic, error — in that order. */
export async function allKinds(): Promise<RunResult[]> {
  const t = createModelTarget(fakeCreateKernel(SCRIPT));
  const unbindSteps = [step(BOOT, 12), step(UNBIND, 13)];
  const kb = { kernel: 'v5.0', fixedBy: '376991db4b64', log: [lit('BUG: Bad page state', 41)] };
  const opts = { keepLog: true };
  return [
    await executeRun(mkRun({ scenario: 'probe', expect: block({ log: [lit('Adding to iommu group')] }) }), t, opts),
    await executeRun(mkRun({ scenario: 'order', expect: block({ log: [lit('probed', 21), lit('Adding to iommu group', 22)] }) }), t, opts),
    await executeRun(mkRun({ scenario: 'unbind', kernel: 'v5.0', steps: unbindSteps, knownBad: kb }), t, opts),
    await executeRun(mkRun({ scenario: 'unbind-fixed', kernel: 'v5.0', knownBad: kb }), t, opts),
    skippedRun(mkRun({ scenario: 'qemu-only' }), 'no qemu-system-aarch64 on PATH'),
    await executeRun(mkRun({ scenario: 'hotplug', steps: [step(BOOT, 12), step({ op: 'add-device', device: 'dev1' }, 13), step(UNBIND, 14)] }), t, opts),
    await executeRun(mkRun({ scenario: 'remove', steps: [step(BOOT, 12), step({ op: 'remove-device', device: 'dev0' }, 13)] }), t, opts),
  ];
}

/** A stack trace's frames depend on the checkout path: pin them for exact-text tests. */
export function pinStacks(rs: RunResult[]): RunResult[] {
  for (const r of rs) if (r.error?.stack) r.error.stack = `Error: ${r.error.message}\n    at perform (fake.js:1:1)`;
  return rs;
}

/** The board and suite the all-kinds runs name, as the CLI would describe them. */
export function allKindsContext(): ReportContext {
  const board: ModelBoard = {
    ...BOARD,
    compatible: ['vendor,demo-board', 'vendor,demo-soc'],
    iommus: [{ name: 'e67b0000.mmu', driver: 'ipmmu-vmsa', status: 'okay', options: {} }],
    devices: [
      { name: 'dev0', driver: 'demo_drv', bus: 'platform', iommus: [{ iommu: 'e67b0000.mmu', ids: [3] }], dmaBits: 32, status: 'okay', present: true },
      { name: 'dev1', driver: 'demo_hp', bus: 'platform', iommus: [], dmaBits: 32, status: 'okay', present: false },
    ],
    drivers: [
      { name: 'demo_drv', initcall: 'device', probe: [], remove: [], async: false, driverManagedDma: false },
      { name: 'demo_hp', initcall: 'device', probe: [{ kind: 'wait-for', device: 'dev0' }], remove: [], async: false, driverManagedDma: false },
    ],
  };
  const run = mkRun({ scenario: 'probe' });
  return contextOf([{ ...run, board, reference: ['https://lore.kernel.org/linux-iommu/demo/'] }], 'model');
}
