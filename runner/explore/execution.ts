// One execution of a board on a profile under a chooser: boot, then at each quiescent point
// the chooser may add a step (unbind, unbind + bind, remove, add) or stop; then the titles of
// what happened. The chooser records every choice with where the log was, so a report can be
// pinned on the device being probed or unbound when it was printed.
//
// An execution can also start from a checkpoint an earlier one took (a snapshot of the
// kernel inside the boot or at a quiescent point, with the chooser's record up to there):
// it is the same execution, minus the work the two share.

import { createKernel, restoreKernel, DEVICE_ADDED, DEVICE_BOUND, DEVICE_DEFERRED } from '../model/index.js';
import type { Chooser, ChoicePoint, Kernel, KernelSnapshot, ModelBoard, ModelStep, ResolvedProfile } from '../model/index.js';
import type { Title } from '../exec/titles.js';
import { titlesOf, logTitles, logTitlesAfter, titlesPrefix, unexplainedDeferrals, type TitlesPrefix } from '../exec/titles.js';
import { objectList } from '../model/object-list.js';
import { STOP, choiceDevice, deferralSteps, quiescentSteps, type Choice, type PointKind } from './schedule.js';

/** A board and a profile to explore. */
export interface Target {
  board: ModelBoard;
  profile: ResolvedProfile;
}

/**
 * Thrown by a chooser to abandon an execution whose continuation is already explored. Not
 * an Error: it is thrown thousands of times a second and needs no stack.
 */
export class Pruned {
  constructor(readonly why: 'state' | 'sleep') {}
}

/** Where an execution was when a checkpoint was taken: what a later one resumes from. */
export interface Checkpoint {
  /** choice points met before it */
  pos: number;
  snapshot: KernelSnapshot;
  /** the model steps performed (and, inside a step, the one under way) */
  steps: ModelStep[];
  /** taken inside the boot step (the kernel finishes it), else at a quiescent point */
  inStep: boolean;
  /** the chooser's step counter */
  step: number;
  /** quiescent rounds done */
  rounds: number;
  choices: Choice[];
  logAt: number[];
  /** the chooser's own state (search.ts) */
  own: unknown;
  /** the log's length then */
  logLen: number;
  /** the titles of the log then, made by the first execution resumed from it */
  titles?: TitlesPrefix;
}

/** What the explorer's choosers share: the kernel they run in, and the record of choices. */
export abstract class RecordingChooser implements Chooser {
  readonly faults: readonly number[];
  kernel: Kernel | null = null;
  /** the model step being performed (0 = boot) */
  step = 0;
  choices: Choice[] = objectList();
  /** log length when each choice was made */
  logAt: number[] = [];
  /** the model steps performed, and the one under way */
  steps: ModelStep[] = objectList();
  /** quiescent rounds done */
  rounds = 0;
  /** a resumed kernel first meets the checkpoint it was taken at again: not a new one */
  private resumedAt = false;

  constructor(faults: readonly number[]) {
    this.faults = faults;
  }

  /** take up where checkpoint `c` was taken */
  resumeFrom(c: Checkpoint): void {
    this.step = c.step;
    this.choices = c.choices.slice();
    this.logAt = c.logAt.slice();
    this.steps = c.steps.slice();
    this.rounds = c.rounds;
    this.resumedAt = true;
    this.restoreOwn(c.own);
  }

  /** the model's checkpoint inside a boot (choice.ts) */
  checkpoint(): void {
    this.reached(true);
  }

  /** a checkpoint: inside the boot, or at a quiescent point */
  reached(inStep: boolean): void {
    this.pending = null;
    if (this.resumedAt) {
      this.resumedAt = false;
      return;
    }
    if (!this.wantsCheckpoint() || !this.kernel?.snapshot) return;
    const c: Omit<Checkpoint, 'snapshot'> = { pos: this.choices.length, steps: this.steps.slice(), inStep, step: this.step, rounds: this.rounds, choices: this.choices.slice(), logAt: this.logAt.slice(), own: this.saveOwn(), logLen: this.kernel.log.length };
    // at a quiescent point the kernel is copied once the point is decided (decide()): nothing
    // changes the kernel until then, and a point pruned (or with nothing to choose: the
    // execution ends there) leaves a checkpoint no later schedule branches off after
    if (!inStep) this.pending = c;
    else this.keep({ ...c, snapshot: this.kernel.snapshot() });
  }

  /** a quiescent point's checkpoint, not taken yet (reached()) */
  private pending: Omit<Checkpoint, 'snapshot'> | null = null;

  /** whether a checkpoint here may be resumed from later */
  protected wantsCheckpoint(): boolean {
    return false;
  }

  protected keep(c: Checkpoint): void {
    void c;
  }

  protected saveOwn(): unknown {
    return undefined;
  }

  protected restoreOwn(own: unknown): void {
    void own;
  }

  choose(point: ChoicePoint, options: readonly string[]): number {
    return this.decide(point.kind, point.label, options);
  }

  /** quiescent points come from the explorer itself, not the model */
  decide(kind: PointKind, label: string, options: readonly string[]): number {
    const i = this.pick(kind, label, options);
    const c = this.pending;
    if (c !== null && kind === 'quiescent') {
      this.pending = null;
      this.keep({ ...c, snapshot: this.kernel!.snapshot!() });
    }
    this.choices.push({ kind, label, option: options[i]!, index: i, step: this.step });
    this.logAt.push(this.kernel ? this.kernel.log.length : 0);
    return i;
  }

  protected abstract pick(kind: PointKind, label: string, options: readonly string[]): number;
}

/** each device's quiescent option labels, made once per board (and hashed once by V8) */
const OPTION_LABELS = new WeakMap<ModelBoard, { unbind: string; rebind: string; remove: string; add: string }[]>();

/** Kernel.deviceBits(), from device() for a kernel without it */
function deviceBits(k: Kernel, name: string): number {
  if (k.deviceBits) return k.deviceBits(name);
  const st = k.device(name);
  return st ? (st.added ? DEVICE_ADDED : 0) | (st.bound ? DEVICE_BOUND : 0) | (st.deferred ? DEVICE_DEFERRED : 0) : -1;
}

/** some device of the board is deferred */
function anyDeferred(k: Kernel, board: ModelBoard): boolean {
  for (const d of board.devices) {
    const bits = deviceBits(k, d.name);
    if (bits > 0 && (bits & DEVICE_DEFERRED) !== 0) return true;
  }
  return false;
}

/** the quiescent options after a step: stop, or one more step on a device */
export function quiescentOptions(k: Kernel, board: ModelBoard, unbind: boolean): string[] {
  let labels = OPTION_LABELS.get(board);
  if (!labels) OPTION_LABELS.set(board, (labels = board.devices.map((d) => ({ unbind: `unbind ${d.name}`, rebind: `rebind ${d.name}`, remove: `remove ${d.name}`, add: `add ${d.name}` }))));
  const out = [STOP];
  for (let i = 0; i < board.devices.length; i++) {
    const d = board.devices[i]!;
    // a device's bits, not its whole state (asked of every device at every quiescent point)
    const bits = deviceBits(k, d.name);
    if (bits < 0) continue;
    const l = labels[i]!;
    if (unbind && (bits & DEVICE_BOUND) !== 0) out.push(l.unbind, l.rebind);
    // a device the board leaves out is hot-plugged, and may go again
    if (!d.present && d.status === 'okay') out.push((bits & DEVICE_ADDED) !== 0 ? l.remove : l.add);
  }
  return out;
}

export interface Outcome {
  titles: Title[];
  choices: Choice[];
  logAt: number[];
  /** the model steps the execution performed */
  steps: ModelStep[];
  pruned?: 'state' | 'sleep';
  log: readonly { text: string }[];
}

/** Most steps after boot: bounded by depth anyway; this guards a chooser that never stops. */
const MAX_STEPS = 64;

/** Run one execution: from boot, or from checkpoint `from` an earlier execution took. */
export function execute(t: Target, ch: RecordingChooser, unbind: boolean, from?: Checkpoint): Outcome {
  const k = from ? restoreKernel(from.snapshot, ch) : createKernel(t.board, t.profile, { chooser: ch });
  ch.kernel = k;
  if (from) ch.resumeFrom(from);
  const steps = ch.steps;
  const perform = (s: ModelStep): void => {
    steps.push(s);
    k.perform(s);
    ch.step++;
  };
  let pruned: 'state' | 'sleep' | undefined;
  let hang: string | undefined;
  try {
    if (!from) perform({ op: 'boot', hold: [] });
    else if (from.inStep) {
      // taken inside the boot: finish it
      k.resume!();
      ch.step++;
    }
    for (; ch.rounds < MAX_STEPS && !k.panicked; ch.rounds++) {
      ch.reached(false);
      const options = quiescentOptions(k, t.board, unbind);
      const i = options.length > 1 ? ch.decide('quiescent', 'quiescent', options) : 0;
      if (i === 0) break;
      for (const s of quiescentSteps(options[i]!)) perform(s);
    }
  } catch (e) {
    if (e instanceof Pruned) pruned = e.why;
    // the model's own bound on work (a printk flood): the schedule hangs the kernel
    else if (e instanceof Error && e.message.startsWith('model runaway')) hang = e.message.replace(/^model runaway: /, '');
    else throw e;
  }
  const log = k.log;
  const texts = log.map((l) => l.text);
  // the log up to the checkpoint is parsed once, when the first execution resumed from it ends
  if (from) from.titles ??= titlesPrefix(texts.slice(0, from.logLen));
  const fromLog = from ? logTitlesAfter(texts, from.titles!) : logTitles(texts);
  let titles: Title[];
  if (pruned) {
    // the rest of this execution is another's: only what it printed so far is its own
    titles = fromLog;
  } else {
    // the schedule's steps only matter when something is still deferred (the devices' states
    // are made only then)
    const deferred = k.panicked || !anyDeferred(k, t.board) ? [] : unexplainedDeferrals(t.board, deferralSteps(ch.choices), t.board.devices.map((d) => k.device(d.name)).filter((s) => s !== undefined));
    titles = titlesOf({ log: texts, fromLog, checks: k.panicked || hang ? [] : k.checks(), deferred: hang ? [] : deferred, ...(hang ? { hang } : {}) });
  }
  for (const title of titles) {
    if (title.device !== undefined || title.start === undefined) continue;
    // the device whose probe or unbind was under way when the report began
    for (let i = ch.choices.length - 1; i >= 0; i--) {
      if (ch.logAt[i]! > title.start) continue;
      const dev = choiceDevice(ch.choices[i]!);
      if (dev !== undefined) {
        title.device = dev;
        break;
      }
    }
  }
  const out: Outcome = { titles, choices: ch.choices, logAt: ch.logAt, steps: steps.slice(), log };
  if (pruned) out.pruned = pruned;
  return out;
}
