// An execution target: something that can run a plan's steps and report what the
// kernel printed and what state it is in. The model is one target; a real kernel in
// QEMU is another. Execution does not care which one it talks to.

import type { CheckFailure, DeviceState, IommuState, LogLine, StepOutcome } from '../model/api.js';
import type { ModelStep } from '../model/types.js';
import type { PlanRun } from '../dsl/plan.js';

export interface StateQuery {
  devices: string[];
  iommus: string[];
}

export interface StateSnapshot {
  devices: Record<string, DeviceState | undefined>;
  iommus: Record<string, IommuState | undefined>;
  /** taint letters in flag order, "" when clean */
  taint: string;
  lastErrno: number | undefined;
}

export interface TargetSession {
  perform(step: ModelStep): Promise<StepOutcome>;
  /** every kernel log line so far, oldest first */
  log(): readonly LogLine[];
  snapshot(query: StateQuery): Promise<StateSnapshot>;
  /** the built-in checks of MODEL.md; a target that cannot run them returns [] */
  checks(): Promise<CheckFailure[]>;
  /** /sys/kernel/debug/devices_deferred, a line per device; undefined when there is none */
  devicesDeferred?(): Promise<string[] | undefined>;
  close(): Promise<void>;
}

export interface Target {
  readonly name: string;
  /** undefined when usable, else why not (the runs are then reported as SKIP) */
  unavailable(): Promise<string | undefined>;
  open(run: PlanRun): Promise<TargetSession>;
  /** release what the target keeps between runs (a pool of booted guests); called once at the end */
  dispose?(): Promise<void>;
}
