// Target registry. Each target is imported only when asked for: the model for
// `--target model`, the QEMU target (another team's module) for `--target qemu`.

import type { KernelOptions } from '../../model/api.js';
import type { CreateKernel } from '../../model/api.js';
import type { Target } from '../target.js';

export const TARGETS = ['model', 'qemu'] as const;
export type TargetName = (typeof TARGETS)[number];

export function isTargetName(s: string): s is TargetName {
  return (TARGETS as readonly string[]).includes(s);
}

export interface TargetOptions {
  seed?: number;
  /**
   * URL or path of a module exporting `createKernel` to use instead of the built-in
   * model (a patched model, or a scripted fake in tests); model target only.
   */
  kernelModule?: string;
}

/** A target that cannot run anything: every run is reported as SKIP with `reason`. */
export function unavailableTarget(name: string, reason: string): Target {
  return {
    name,
    unavailable: async () => reason,
    open: async () => {
      throw new Error(`target ${name} is unavailable: ${reason}`);
    },
  };
}

/** The module itself is missing (not one of its own imports, which is a real bug). */
function isModuleNotFound(err: unknown, file: string): boolean {
  if (typeof err !== 'object' || err === null || (err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') return false;
  const msg = (err as { message?: string }).message ?? '';
  return msg.includes(file);
}

export async function loadTarget(name: TargetName, opts: TargetOptions = {}): Promise<Target> {
  if (name === 'model') {
    const kopts: KernelOptions = {};
    if (opts.seed !== undefined) kopts.seed = opts.seed;
    const { createModelTarget } = await import('./model.js');
    // another module's kernels may keep no snapshots: each of its runs boots for itself
    if (opts.kernelModule) return createModelTarget(((await import(opts.kernelModule)) as { createKernel: CreateKernel }).createKernel, kopts);
    const model = await import('../../model/index.js');
    return createModelTarget(model.createKernel, kopts, (s) => model.restoreKernel(s));
  }
  try {
    // a literal specifier, so the bundle (scripts/bundle.mjs) carries the QEMU target as its own chunk;
    // a build that leaves runner/exec/targets/qemu out still gets a SKIP with the reason below
    const mod = (await import('./qemu/index.js')) as { createQemuTarget?: () => Target };
    if (typeof mod.createQemuTarget !== 'function') return unavailableTarget('qemu', 'runner/exec/targets/qemu does not export createQemuTarget()');
    // a real kernel draws its own randomness: --seed only steers the model
    return mod.createQemuTarget();
  } catch (err) {
    if (isModuleNotFound(err, 'qemu/index.js')) return unavailableTarget('qemu', 'the QEMU target is not part of this build');
    throw err;
  }
}
