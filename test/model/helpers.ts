// Small boards and a runner for model tests: build a ModelBoard from a few fields,
// run steps on a profile, and read the log as plain text.

import { createKernel, formatLogLine } from '../../runner/model/index.js';
import type { Kernel } from '../../runner/model/api.js';
import type { BoardDevice, BoardDriver, BoardIommu, ModelBoard, ModelStep, ProbeAction } from '../../runner/model/types.js';
import { resolveKernel, type KernelRef } from '../../runner/model/profiles/resolve.js';

export function iommu(name: string, driver = 'arm-smmu-v3', extra: Partial<BoardIommu> = {}): BoardIommu {
  return { name, driver, status: 'okay', options: {}, ...extra };
}

export function device(name: string, driver: string | undefined, extra: Partial<BoardDevice> = {}): BoardDevice {
  return { name, ...(driver ? { driver } : {}), bus: 'platform', iommus: [], dmaBits: 32, status: 'okay', present: true, ...extra };
}

export function driver(name: string, probe: ProbeAction[] = [], extra: Partial<BoardDriver> = {}): BoardDriver {
  return { name, initcall: 'device', probe, remove: [], async: false, driverManagedDma: false, ...extra };
}

export function board(extra: Partial<ModelBoard>): ModelBoard {
  return {
    id: 'test-board',
    model: 'Test Board (DT)',
    arch: 'arm64',
    firmware: 'dt',
    memory: [{ base: 0x40000000, size: 0x40000000 }, { base: 0x100000000, size: 0x40000000 }],
    iommus: [],
    devices: [],
    drivers: [],
    ...extra,
  };
}

export interface Ran {
  k: Kernel;
  text: string;
  lines: string[];
  errnos: Array<number | undefined>;
}

export function run(b: ModelBoard, kernel: KernelRef, steps: ModelStep[], seed = 0): Ran {
  const k = createKernel(b, resolveKernel(kernel), { seed });
  const errnos = steps.map((s) => k.perform(s).errno);
  const lines = k.log.map((l) => l.text);
  return { k, text: k.log.map(formatLogLine).join('\n'), lines, errnos };
}

export const BOOT: ModelStep = { op: 'boot', hold: [] };

/** an arm64 DT board: one SMMU, one client with a managed DMA buffer */
export function smmuBoard(probe: ProbeAction[], extra: Partial<ModelBoard> = {}): ModelBoard {
  return board({
    iommus: [iommu('9050000.smmu')],
    devices: [device('1000000.dma', 'foo-dma', { iommus: [{ iommu: '9050000.smmu', ids: [1] }], dmaBits: 40 })],
    drivers: [driver('foo-dma', probe)],
    ...extra,
  });
}

/** a DT client behind an SMMU whose driver is a module that has not loaded: the boot that holds
 * it, and the step that loads it late */
export function lateSmmuClient(): { board: ModelBoard; held: ModelStep; late: ModelStep } {
  return {
    board: board({
      iommus: [iommu('9050000.smmu', 'arm-smmu')],
      devices: [device('1000000.dma', 'foo-dma', { iommus: [{ iommu: '9050000.smmu', ids: [1] }] })],
      drivers: [driver('foo-dma', [{ kind: 'log', text: 'ready' }])],
    }),
    held: { op: 'boot', hold: ['arm-smmu'] },
    late: { op: 'register-iommu-late', iommu: '9050000.smmu', driver: 'arm-smmu' },
  };
}
