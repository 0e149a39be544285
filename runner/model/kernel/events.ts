// The event record: every state change the model makes — a device added or removed, a
// probe started, deferred, failed or bound, an IOMMU registered, DMA ops installed or torn
// down, devres released, a fault armed or fired, a deferred-probe trigger, the timeout —
// each with the event that made it happen, the step it happened in and the kernel
// function innermost on the shadow stack. `explain` walks it backwards, the way Pernosco
// follows a value to where it came from.
//
// A record exists only when the caller passes one to createKernel(); every hook is
// `k.events?.…`, so a kernel nobody asks about pays one property read per hook.
// The model writes it, never reads it: nothing here changes what the kernel does.

import type { ModelStep } from '../types.js';

export type EventKind =
  /** a step the scenario performed: the root of everything it caused */
  | 'step'
  | 'device-added'
  | 'device-removed'
  | 'driver-registered'
  | 'driver-unregistered'
  /** `boot: { hold: [...] }` kept the driver from registering */
  | 'driver-held'
  | 'probe-started'
  | 'probe-deferred'
  | 'probe-failed'
  | 'bound'
  | 'unbound'
  | 'iommu-registered'
  | 'iommu-unregistered'
  /** the firmware lookup met an IOMMU that is not registered (or not available) */
  | 'iommu-missing'
  /** a `wait-for` supplier was not bound */
  | 'supplier-missing'
  /** driver_deferred_probe_check_state() gave up on a dependency */
  | 'dependency-ignored'
  | 'group-added'
  | 'group-removed'
  | 'ops-installed'
  | 'ops-torn-down'
  | 'devres-released'
  | 'fault-armed'
  | 'fault-fired'
  /** the board's driver failed by itself: a `fail:` action, or an allocation that failed */
  | 'driver-error'
  /** a DMA buffer freed through other ops than the ones that allocated it */
  | 'foreign-free'
  /** a device access its IOMMU domain does not translate */
  | 'dma-fault'
  | 'deferred-trigger'
  | 'timeout'
  /** an oops, WARN, bad page or panic report; detail is its first line */
  | 'report';

export interface ModelEvent {
  /** index in the record */
  readonly id: number;
  readonly kind: EventKind;
  /** the step it happened in: 1-based count of perform() calls, 0 before any */
  readonly step: number;
  /** the kernel function innermost on the shadow stack ('' outside any) */
  readonly fn: string;
  /** the device it concerns (for IOMMU events: the IOMMU's name) */
  readonly device?: string;
  readonly driver?: string;
  /** the IOMMU it concerns, when that is not `device` */
  readonly iommu?: string;
  readonly errno?: number;
  /** the event that made this one happen; null only for steps */
  readonly cause: number | null;
  /** per kind: the step's op, the DMA ops after a change, the missing supplier, a report's first line */
  readonly detail?: string;
  /** report: the call chain, innermost first */
  readonly frames?: readonly string[];
  /** report, dma-fault: the index in the log of the first line the report printed */
  readonly line?: number;
}

export interface EventFields {
  device?: string;
  driver?: string;
  iommu?: string;
  errno?: number;
  detail?: string;
  frames?: readonly string[];
  line?: number;
}

/** the events whose device's story they end: the last of them is where a device stands */
const DEVICE_STATE: ReadonlySet<EventKind> = new Set<EventKind>([
  'device-added', 'device-removed', 'probe-deferred', 'probe-failed', 'bound', 'unbound', 'iommu-registered', 'iommu-unregistered',
]);

export class EventRecord {
  readonly events: ModelEvent[] = [];
  private stepNo = 0;
  private stepEvent: number | null = null;
  /** what is in progress: the innermost entry causes what gets recorded */
  private readonly causes: number[] = [];
  /** per device: the event that gave it its current DMA ops (where dev->dma_ops came from) */
  private readonly opsOrigin = new Map<string, number>();
  /** per device (and IOMMU): its last state event */
  private readonly lastState = new Map<string, number>();
  /** per device on the pending list: the trigger that will move it to the active list */
  private readonly retryTrigger = new Map<string, number>();
  /** the probes in progress, innermost last: each with what went wrong in it first */
  private probes: Array<{ started: number; blame: number | null }> = [];
  private lastTimeout: number | null = null;

  /** the step being performed (1-based), 0 before the first */
  get step(): number {
    return this.stepNo;
  }

  beginStep(step: ModelStep): number {
    this.stepNo++;
    this.causes.length = 0;
    this.probes = [];
    const id = this.push('step', '', stepFields(step), null);
    this.stepEvent = id;
    return id;
  }

  /** what the next event recorded is caused by, unless it names its own cause */
  get current(): number | null {
    return this.causes.length ? this.causes[this.causes.length - 1]! : this.stepEvent;
  }

  add(kind: EventKind, fn: string | undefined, fields: EventFields = {}, cause?: number | null): number {
    return this.push(kind, fn ?? '', fields, cause === undefined ? this.current : cause);
  }

  private push(kind: EventKind, fn: string, fields: EventFields, cause: number | null): number {
    const id = this.events.length;
    this.events.push({ id, kind, step: this.stepNo, fn, cause, ...fields });
    if (fields.device && DEVICE_STATE.has(kind)) this.lastState.set(fields.device, id);
    return id;
  }

  /** run `body` with `cause` as the cause of what it records */
  within<T>(cause: number, body: () => T): T {
    this.causes.push(cause);
    const depth = this.causes.length;
    try {
      return body();
    } finally {
      // an oops unwinds through here too: drop whatever the body left
      this.causes.length = depth - 1;
    }
  }

  /** a probe begins: what goes wrong inside it is what its outcome is blamed on */
  openProbe(started: number): void {
    this.probes.push({ started, blame: null });
  }

  closeProbe(): void {
    this.probes.pop();
  }

  /** the event that made the current probe fail or defer (the first such one counts) */
  blame(id: number): void {
    const p = this.probes[this.probes.length - 1];
    if (p && p.blame === null) p.blame = id;
  }

  /** the current probe did not bind: caused by what went wrong in it, else by its start */
  probeOutcome(kind: 'probe-deferred' | 'probe-failed', fn: string, fields: EventFields): number {
    const p = this.probes[this.probes.length - 1];
    return this.add(kind, fn, fields, p ? (p.blame ?? p.started) : this.current);
  }

  lastStateOf(name: string): number | null {
    return this.lastState.get(name) ?? null;
  }

  setOpsOrigin(device: string, id: number): void {
    this.opsOrigin.set(device, id);
  }

  opsOriginOf(device: string): number | null {
    return this.opsOrigin.get(device) ?? null;
  }

  /** driver_deferred_probe_trigger() moved these pending devices to the active list */
  triggered(id: number, pending: Iterable<string>): void {
    for (const d of pending) this.retryTrigger.set(d, id);
  }

  /** the trigger that put the device on the active list, if any */
  retryCauseOf(device: string): number | null {
    return this.retryTrigger.get(device) ?? null;
  }

  timedOut(id: number): void {
    this.lastTimeout = id;
  }

  get timeout(): number | null {
    return this.lastTimeout;
  }
}

function stepFields(step: ModelStep): EventFields {
  switch (step.op) {
    case 'boot':
      return { detail: step.hold.length ? `boot (hold ${step.hold.join(', ')})` : 'boot' };
    case 'bind':
      return { detail: 'bind', device: step.device, ...(step.driver ? { driver: step.driver } : {}) };
    case 'unbind':
    case 'add-device':
    case 'remove-device':
      return { detail: step.op, device: step.device };
    case 'fail-probe':
      return { detail: step.op, device: step.device, errno: step.errno };
    case 'register-iommu-late':
      return { detail: step.op, iommu: step.iommu, driver: step.driver };
    case 'load-module':
    case 'unload-module':
      return { detail: step.op, driver: step.driver };
    case 'deferred-timeout':
      return { detail: step.op };
  }
}

/** `body` with `cause` as the cause of what it records; just `body` when nothing is recorded */
export function causing<T>(rec: EventRecord | undefined, cause: number | undefined, body: () => T): T {
  return rec && cause !== undefined ? rec.within(cause, body) : body();
}
