// The model's public entry: create a kernel for a board and a profile.

import type { Kernel, KernelOptions } from './api.js';
import type { ModelBoard, ResolvedProfile } from './types.js';
import type { KernelSnapshot } from './api.js';
import type { Chooser } from './choice.js';
import { ModelKernel } from './model-kernel.js';

export type { Kernel, KernelOptions, KernelSnapshot, LogLine, StepOutcome, DeviceState, IommuState, CheckFailure, DmaOpsKind } from './api.js';
export { formatLogLine, DEVICE_ADDED, DEVICE_BOUND, DEVICE_DEFERRED } from './api.js';
export type { ModelBoard, ModelStep, ResolvedProfile } from './types.js';
export { resolveKernel } from './profiles/resolve.js';
export { IOMMU_DRIVER_NAMES, iommuSuppliers } from './drivers/catalog.js';
export type { Chooser, ChoicePoint, ChoiceKind, BootPins } from './choice.js';
export { FAULT_NONE } from './choice.js';
export { EventRecord } from './kernel/events.js';
export { BEHAVIOURS, canonicalBehaviour } from './profiles/behaviours.js';
export { errnoName } from './kernel/errno.js';
export type { Behaviour } from './profiles/behaviours.js';
export type { ModelEvent, EventKind } from './kernel/events.js';

export function createKernel(board: ModelBoard, profile: ResolvedProfile, opts?: KernelOptions): Kernel {
  return new ModelKernel(board, profile, opts);
}

/**
 * A kernel that goes on from `snapshot` (Kernel.snapshot), asking `chooser` (which injects
 * the same faults as the snapshotted kernel's) from now on, or none when the snapshotted
 * kernel had none; if the snapshot was taken inside a step, resume() finishes it. The
 * snapshot can be restored any number of times.
 */
export function restoreKernel(snapshot: KernelSnapshot, chooser?: Chooser): Kernel {
  return ModelKernel.restore(snapshot, chooser);
}
