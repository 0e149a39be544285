// The surface the runner drives. Everything the runner needs from a simulated
// kernel goes through this file, so the model's internals can change freely.

import type { ModelBoard, ModelStep, ResolvedProfile } from './types.js';
import type { Chooser } from './choice.js';
import type { EventRecord } from './kernel/events.js';

export type DmaOpsKind = 'none' | 'direct' | 'iommu' | 'arm-iommu';

/** One printk record. `text` is the message without the timestamp. */
export interface LogLine {
  /** virtual time in microseconds since boot */
  usec: number;
  text: string;
}

export interface StepOutcome {
  /** for bind/unbind: 0 on success or the negative errno the sysfs write returned */
  errno?: number;
  /** an oops ended the kernel call this step made */
  oopsed: boolean;
  /** the kernel panicked: the run is over */
  panicked: boolean;
}

export interface DeviceState {
  name: string;
  /** added to the driver core (present, or hot-plugged by add-device) */
  added: boolean;
  bound: boolean;
  driver: string | null;
  deferred: boolean;
  group: number | null;
  dmaOps: DmaOpsKind;
}

export interface IommuState {
  name: string;
  registered: boolean;
}

export interface CheckFailure {
  /** short id of the built-in check, e.g. "leaked-devres" */
  check: string;
  device?: string;
  resource?: string;
  message: string;
}

/** Kernel.deviceBits(): DeviceState's added, bound and deferred */
export const DEVICE_ADDED = 1;
export const DEVICE_BOUND = 2;
export const DEVICE_DEFERRED = 4;

export interface Kernel {
  readonly board: ModelBoard;
  readonly profile: ResolvedProfile;
  readonly panicked: boolean;
  perform(step: ModelStep): StepOutcome;
  /** every printk record so far, oldest first (the array is live: do not mutate) */
  readonly log: readonly LogLine[];
  device(name: string): DeviceState | undefined;
  /**
   * device(name)'s added, bound and deferred as bits (DEVICE_ADDED, DEVICE_BOUND,
   * DEVICE_DEFERRED), -1 for no such device: what explore reads of every device at every
   * quiescent point and execution's end (~70,000 times a search), with no object made
   */
  deviceBits?(name: string): number;
  iommu(name: string): IommuState | undefined;
  /** taint letters in flag order, "" when not tainted (e.g. "BDW") */
  taint(): string;
  /** result of the last sysfs bind/unbind write, undefined before any */
  lastErrno(): number | undefined;
  /** the model's built-in checks (MODEL.md), run on the current state */
  checks(): CheckFailure[];
  /**
   * /sys/kernel/debug/devices_deferred as the profile's kernel prints it, a line per device
   * without the newline; undefined where the era has no such file (before v4.19)
   */
  devicesDeferred(): string[] | undefined;
  /**
   * The canonical model state (explore's state hashing): bindings, deferred lists, registered
   * IOMMUs, groups and domains, DMA ops, devres stacks, armed faults, drivers' globals; not
   * the log, clock or taint-free text. `midStep` adds what a choice point inside a step
   * remembers (choice.ts "first time" rules); between steps it starts over anyway.
   */
  stateKey?(midStep?: boolean): string;
  /**
   * A copy of the whole state (snapshot.ts), taken between steps or at a chooser's
   * checkpoint (choice.ts) inside a boot; restoreKernel() makes kernels that go on from it.
   */
  snapshot?(): KernelSnapshot;
  /**
   * A kernel restored from a snapshot taken inside a step finishes that step (its outcome);
   * undefined when the snapshot was taken between steps.
   */
  resume?(): StepOutcome | undefined;
}

/** an opaque copy of a kernel's state (Kernel.snapshot); it never changes */
export interface KernelSnapshot {
  readonly __kernelSnapshot: never;
}

export interface KernelOptions {
  /** seeds the values a real kernel draws at random (oops_id); default 0 */
  seed?: number;
  /** consulted wherever the kernel's order is not fixed (choice.ts); none: the kernel's own order */
  chooser?: Chooser;
  /** record every state change with its cause here (explain); default: nothing recorded */
  events?: EventRecord;
}

/** `[%5lu.%06lu] text`, as printk prints a record with its timestamp. */
export function formatLogLine(line: LogLine): string {
  const secs = Math.floor(line.usec / 1_000_000);
  const usecs = line.usec % 1_000_000;
  return `[${String(secs).padStart(5, ' ')}.${String(usecs).padStart(6, '0')}] ${line.text}`;
}

export type CreateKernel = (board: ModelBoard, profile: ResolvedProfile, opts?: KernelOptions) => Kernel;
