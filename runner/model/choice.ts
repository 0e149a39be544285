// Choice points: the places where the kernel's order is not fixed (EXPLORE.md), and the one
// chooser object the model consults there. With no chooser the model does what it always
// did; a chooser that answers 0 everywhere prints the same bytes. The model only asks —
// strategies (dfs, random, pct), recording and replay live in runner/explore/, which the
// model never imports.
//
// A boot step can also pin choices in DSL terms (BootPins): an initcall/module order, IOMMU
// drivers registered as late modules, async completion and deferred retry orders, and the
// binds after which the deferred work runs at once. Option 0 at every point is what the pins
// (or, without pins, the kernel's link and list order) give, so a chooser's schedule written
// back as pins replays the same way.

export type ChoiceKind =
  /** the next driver of an initcall level (link order is arbitrary) */
  | 'initcall-order'
  /** the next module udev loads */
  | 'module-order'
  /** an IOMMU driver registers at its initcall, or later as a module */
  | 'iommu-registration'
  /** the next async probe of a driver registration to complete */
  | 'async-completion'
  /** the next device the deferred work retries */
  | 'deferred-order'
  /** a bind's trigger lands at once: the deferred work runs before the next probe */
  | 'deferred-trigger'
  /** a probe fails after this action, with one of the chooser's errnos */
  | 'fault';

export interface ChoicePoint {
  kind: ChoiceKind;
  /**
   * Stable across executions that reach the same point: "initcall:device",
   * "fault:ee300000.sata@2", "deferred:ee300000.sata" ...
   */
  label: string;
}

export interface Chooser {
  /**
   * Pick one of `options` (labels in DSL terms: driver and device names, errnos); 0 is what
   * the kernel does when nothing is chosen. Called only when there are two options or more.
   */
  choose(point: ChoicePoint, options: readonly string[]): number;
  /** the errnos a fault point may inject (negative, e.g. -12); none: no fault points at all */
  readonly faults?: readonly number[];
  /**
   * The boot is between two initcalls or module loads, before the next pick of their order:
   * a Kernel.snapshot() taken now can finish it (snapshot.ts). Explore takes one here to run
   * later schedules from this point instead of from boot.
   */
  checkpoint?(): void;
}

/** What a boot step pins, in DSL terms (suite `boot:` keys). */
export interface BootPins {
  /** inside each initcall level (and among modules): these drivers first, in this order */
  order?: string[];
  /** IOMMU drivers that register as late modules, after the board's module drivers */
  late?: string[];
  /** async probes: these devices complete first, in this order */
  asyncOrder?: string[];
  /** deferred retries: these devices go first whenever they are retried, in this order */
  deferredOrder?: string[];
  /** the deferred work runs as soon as one of these devices binds (outside the work itself) */
  retryAfter?: string[];
}

/** the option labels of a fault point: no fault, then each errno as "-ENOMEM"-style names */
export const FAULT_NONE = 'none';
