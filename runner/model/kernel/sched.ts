// The state of a kernel whose orders are chosen (choice.ts): the chooser, the boot step's
// pins, and what each choice point remembers so that a choice means the same thing as the
// pin it is written back as. A kernel with neither chooser nor pins has no Sched at all, and
// every choice point costs one null test.
//
// "First time" rules keep a schedule replayable from pins: a fault is offered the first time
// a probe of that device reaches that action in a step (a `fail-probe` step armed before the
// step fires exactly there), a deferred retry may jump the queue the first time the device is
// a candidate (from then on it goes first, as a `deferred-order` pin makes it), and a bind may
// run the deferred work at once the first time the device binds.

import type { BootPins, ChoiceKind, Chooser } from '../choice.js';
import { FAULT_NONE } from '../choice.js';
import { ERRNO_NAMES, ERRNO } from './errno.js';
import type { Loadable } from '../core/boot.js';
import { COPY, type CopyMap } from '../snapshot.js';

/**
 * Where a chosen boot is (boot.ts): a snapshot taken at a checkpoint inside the boot step
 * holds this, and a kernel restored from it finishes the boot from here.
 */
export interface BootCursor {
  /** 0: IOMMU registration points; 1..levels: the initcall levels; levels + 1: the modules */
  stage: number;
  /** what the stage has left to run (null: the stage has not begun) */
  left: Loadable[] | null;
  /** IOMMU drivers chosen to register as late modules */
  readonly late: Loadable[];
  /** the boot step's held drivers */
  readonly hold: ReadonlySet<string>;
}

/**
 * `device@done` as a number, its point's label and the key itself by number, made once per
 * process: a search meets them millions of times
 */
const FAULT_IDS = new Map<string, number[]>();
const FAULT_LABELS: string[] = [];
const FAULT_KEY_NAMES: string[] = [];

function faultId(device: string, done: number): number {
  let ids = FAULT_IDS.get(device);
  if (!ids) FAULT_IDS.set(device, (ids = []));
  let id = ids[done];
  if (id === undefined) {
    ids[done] = id = FAULT_KEY_NAMES.length;
    FAULT_KEY_NAMES.push(`${device}@${done}`);
    FAULT_LABELS.push(`fault:${device}@${done}`);
  }
  return id;
}

/**
 * The fault points (`device@done`) reached in a step: a bit per point, so that a snapshot's
 * copy is one typed-array copy (a boot reaches hundreds, and every checkpoint copies them).
 * Iterates as the keys, in the order they were first made.
 */
export class FaultPoints implements Iterable<string> {
  size = 0;

  constructor(private words: Uint32Array = new Uint32Array(8)) {}

  has(id: number): boolean {
    const w = id >>> 5;
    return w < this.words.length && (this.words[w]! & (1 << (id & 31))) !== 0;
  }

  add(id: number): void {
    const w = id >>> 5;
    if (w >= this.words.length) {
      const bigger = new Uint32Array(Math.max(w + 1, this.words.length * 2));
      bigger.set(this.words);
      this.words = bigger;
    }
    const bit = 1 << (id & 31);
    if ((this.words[w]! & bit) === 0) {
      this.words[w] = this.words[w]! | bit;
      this.size++;
    }
  }

  clear(): void {
    if (this.size === 0) return;
    this.words.fill(0);
    this.size = 0;
  }

  copy(): FaultPoints {
    const c = new FaultPoints(this.words.slice());
    c.size = this.size;
    return c;
  }

  /** become a copy of `from` (a snapshot's copy fills the empty set its constructor made) */
  copyFrom(from: FaultPoints): void {
    if (this.words.length === from.words.length) this.words.set(from.words);
    else this.words = from.words.slice();
    this.size = from.size;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let w = 0; w < this.words.length; w++) {
      const x = this.words[w]!;
      if (x === 0) continue;
      for (let b = 0; b < 32; b++) if (x & (1 << b)) yield FAULT_KEY_NAMES[w * 32 + b]!;
    }
  }
}

function errnoLabel(e: number): string {
  const name = ERRNO_NAMES.find((n) => ERRNO[n] === -e);
  return name ? `-${name}` : String(e);
}

export class Sched {
  /** the boot step's pins */
  order: readonly string[] = [];
  late = new Set<string>();
  asyncOrder: readonly string[] = [];
  /** deferred-order pins, then the devices a chooser promoted, in that order */
  readonly deferredFirst: string[] = [];
  retryAfter = new Set<string>();

  /** per step: device@action pairs a fault point was offered at */
  faultReached = new FaultPoints();
  /** per step: devices that were deferred-retry candidates */
  deferredSeen = new Set<string>();
  /** per step: devices whose bind offered an immediate deferred run */
  triggerSeen = new Set<string>();
  /** the deferred work is running (it never runs inside itself) */
  inDeferredWork = false;
  /** a bind asked for the deferred work before the next probe */
  flushSoon = false;
  /** the IOMMU drivers this boot registers as late modules */
  readonly lateNames: string[] = [];
  /** a chosen boot under way (null between steps) */
  boot: BootCursor | null = null;
  private readonly faultLabels: readonly string[];

  constructor(private chooserNow: Chooser | null, faultLabels?: readonly string[]) {
    // a snapshot's copy shares its original's labels (the chooser's faults are the same)
    this.faultLabels = faultLabels ?? Object.freeze(chooserNow?.faults?.length ? [FAULT_NONE, ...chooserNow.faults.map(errnoLabel)] : []);
  }

  get chooser(): Chooser | null {
    return this.chooserNow;
  }

  /** a kernel restored from a snapshot asks another chooser from now on (with the same faults) */
  handOver(chooser: Chooser): void {
    const a = this.chooserNow?.faults ?? [];
    const b = chooser.faults ?? [];
    if (a.length !== b.length || a.some((e, i) => e !== b[i])) throw new Error('snapshot: the new chooser must inject the same faults');
    this.chooserNow = chooser;
  }

  [COPY](m: CopyMap): Sched {
    const c = m.set(this, new Sched(this.chooser, this.faultLabels));
    // pins are set once per boot step and never changed: shared
    c.order = this.order;
    c.late = this.late;
    c.asyncOrder = this.asyncOrder;
    c.deferredFirst.push(...this.deferredFirst);
    c.retryAfter = this.retryAfter;
    // into the (empty) sets the constructor made
    c.faultReached.copyFrom(this.faultReached);
    for (const x of this.deferredSeen) c.deferredSeen.add(x);
    for (const x of this.triggerSeen) c.triggerSeen.add(x);
    c.inDeferredWork = this.inDeferredWork;
    c.flushSoon = this.flushSoon;
    c.lateNames.push(...this.lateNames);
    const b = this.boot;
    c.boot = b && { stage: b.stage, left: b.left && m.all(b.left), late: m.all(b.late), hold: b.hold };
    return c;
  }

  /** a snapshot taken now can finish the boot (boot.ts): tell a chooser that wants one */
  checkpoint(): void {
    this.chooser?.checkpoint?.();
  }

  setPins(p: BootPins): void {
    this.order = p.order ?? [];
    this.late = new Set(p.late ?? []);
    this.asyncOrder = p.asyncOrder ?? [];
    this.deferredFirst.push(...(p.deferredOrder ?? []));
    this.retryAfter = new Set(p.retryAfter ?? []);
  }

  /** a new top-level step: the "first time" rules start over */
  stepStart(): void {
    this.faultReached.clear();
    this.deferredSeen.clear();
    this.triggerSeen.clear();
  }

  choose(kind: ChoiceKind, label: string, options: readonly string[]): number {
    if (!this.chooser || options.length < 2) return 0;
    const i = this.chooser.choose({ kind, label }, options);
    if (!Number.isInteger(i) || i < 0 || i >= options.length) throw new Error(`chooser answered ${i} at ${label} (options: ${options.join(', ')})`);
    return i;
  }

  /**
   * The order in which `items` run: each time, the chooser picks among the remaining ones;
   * option 0 is the first pinned one (`pinned` order) still remaining, else the first in
   * file order. `run` runs one; `stop` ends the loop (a panic).
   */
  runInOrder<T>(kind: ChoiceKind, label: string, items: readonly T[], name: (t: T) => string, pinned: readonly string[], run: (t: T) => void, stop: () => boolean): void {
    this.runLeft(kind, label, items.slice(), name, pinned, run, stop, false);
  }

  /**
   * runInOrder() over `remaining`, which it empties as it runs them; with `checkpoints`,
   * the chooser hears of one before each pick (a boot's cursor holds `remaining`).
   */
  runLeft<T>(kind: ChoiceKind, label: string, remaining: T[], name: (t: T) => string, pinned: readonly string[], run: (t: T) => void, stop: () => boolean, checkpoints: boolean): void {
    while (remaining.length > 0 && !stop()) {
      if (checkpoints) this.checkpoint();
      let first = 0;
      if (pinned.length > 0) {
        let best = Infinity;
        remaining.forEach((t, i) => {
          const r = pinned.indexOf(name(t));
          if (r >= 0 && r < best) {
            best = r;
            first = i;
          }
        });
      }
      let pick = first;
      if (this.chooser && remaining.length > 1) {
        const order = [first, ...remaining.map((_, i) => i).filter((i) => i !== first)];
        pick = order[this.choose(kind, label, order.map((i) => name(remaining[i]!)))]!;
      }
      const [t] = remaining.splice(pick, 1);
      run(t!);
    }
  }

  /** a fault point: the errno to inject after `done` actions of `device`'s probe, if any */
  fault(device: string, done: number): number | undefined {
    if (this.faultLabels.length === 0) return undefined;
    const id = faultId(device, done);
    if (this.faultReached.has(id)) return undefined;
    this.faultReached.add(id);
    const i = this.choose('fault', FAULT_LABELS[id]!, this.faultLabels);
    return i === 0 ? undefined : this.chooser!.faults![i - 1];
  }
}
