// Small builders for the IOMMU catalog tests: boards as plain ModelBoard objects, a
// kernel booted on a profile, and the log as text.

import { createKernel, resolveKernel, type Kernel } from '../../../runner/model/index.js';
import type { BoardDevice, BoardDriver, BoardIommu, IommuRef, ModelBoard, ModelStep, ProbeAction } from '../../../runner/model/types.js';
import type { KernelRef } from '../../../runner/model/profiles/resolve.js';

export function iommu(name: string, driver: string, options: Record<string, unknown> = {}, status: 'okay' | 'disabled' = 'okay'): BoardIommu {
  return { name, driver, status, options };
}

export function device(name: string, driver: string | undefined, iommus: IommuRef[] = [], extra: Partial<BoardDevice> = {}): BoardDevice {
  return { name, bus: 'platform', iommus, dmaBits: 40, status: 'okay', present: true, ...(driver !== undefined ? { driver } : {}), ...extra };
}

export function driver(name: string, probe: ProbeAction[] = [], extra: Partial<BoardDriver> = {}): BoardDriver {
  return { name, initcall: 'device', probe, remove: [], async: false, driverManagedDma: false, ...extra };
}

export function board(b: Partial<ModelBoard> & Pick<ModelBoard, 'iommus' | 'devices' | 'drivers'>): ModelBoard {
  return {
    id: 'test-board',
    model: 'Test board (DT)',
    arch: 'arm64',
    firmware: 'dt',
    memory: [{ base: 0x40000000, size: 0x40000000 }],
    ...b,
  };
}

export function kernel(b: ModelBoard, profile: KernelRef): Kernel {
  return createKernel(b, resolveKernel(profile));
}

/** boot (holding `hold`), then the steps; returns the kernel */
export function run(b: ModelBoard, profile: KernelRef, steps: ModelStep[] = [], hold: string[] = []): Kernel {
  const k = kernel(b, profile);
  k.perform({ op: 'boot', hold });
  for (const s of steps) k.perform(s);
  return k;
}

export function lines(k: Kernel): string[] {
  return k.log.map((l) => l.text);
}

export function text(k: Kernel): string {
  return lines(k).join('\n');
}

/** the reliable `Call trace:` frames of the first oops/WARN block after `from`, without offsets ("? " entries skipped) */
export function callTrace(k: Kernel, from = 0): string[] {
  const ls = lines(k).slice(from);
  const start = ls.findIndex((l) => l === 'Call trace:' || l === 'Call Trace:');
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of ls.slice(start + 1)) {
    if (l.trim() === '<TASK>' || /^\s+\? /.test(l)) continue;
    const m = /^\s+([A-Za-z0-9_.]+)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?: \(P\))?$/.exec(l);
    if (!m) break;
    out.push(m[1]!);
  }
  return out;
}

/** index of the first log line containing `needle`, -1 if none */
export function indexOf(k: Kernel, needle: string): number {
  return lines(k).findIndex((l) => l.includes(needle));
}
