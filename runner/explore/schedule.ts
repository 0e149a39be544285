// A schedule: the choices one execution made, and the same schedule as suite steps in DSL
// terms (driver and device names, errnos, action numbers — never choice indices), so that a
// reproducer replays it with `bringup run` on any profile. Pure.
//
// The translation follows the pins' semantics (model/choice.ts): an initcall or module order
// is the sequence of picks up to the last one that was not the default; an IOMMU registered
// as a module is `late`; a deferred retry that jumped the queue is `deferred-order`; a
// trigger that landed at once is `retry-after`; a fault at action N of a device's probe is a
// `fail-probe { at: N }` armed just before the step it happened in; a quiescent choice is an
// unbind, unbind + bind, remove or add step.

import type { ChoiceKind, ModelStep } from '../model/index.js';
import { ERRNO } from '../model/kernel/errno.js';

export type PointKind = ChoiceKind | 'quiescent';

export interface Choice {
  kind: PointKind;
  label: string;
  /** the option taken, as its label */
  option: string;
  /** its index: 0 is the default */
  index: number;
  /** the model step it was made in: 0 is boot, then each step the quiescent choices added */
  step: number;
}

/** One suite step as YAML writes it: "boot", { boot: {...} }, { unbind: X }, ... */
export type DslStep = string | Record<string, unknown>;

/** the quiescent options (after a step): stop, or one more step on a device */
export const STOP = 'stop';

/** "unbind X", "rebind X" (unbind + bind), "add X", "remove X", "remove+add X" */
export function quiescentSteps(option: string): ModelStep[] {
  const sp = option.indexOf(' ');
  const what = option.slice(0, sp);
  const device = option.slice(sp + 1);
  switch (what) {
    case 'unbind':
      return [{ op: 'unbind', device }];
    case 'rebind':
      return [{ op: 'unbind', device }, { op: 'bind', device }];
    case 'add':
      return [{ op: 'add-device', device }];
    case 'remove':
      return [{ op: 'remove-device', device }];
    case 'remove+add':
      return [{ op: 'remove-device', device }, { op: 'add-device', device }];
    default:
      throw new Error(`unknown quiescent option "${option}"`);
  }
}

function errnoName(e: number): string {
  const n = Object.keys(ERRNO).find((k) => ERRNO[k] === -e);
  return n ? `-${n}` : String(e);
}

export function errnoValue(label: string): number {
  const v = ERRNO[label.replace(/^-/, '')];
  if (v !== undefined) return -v;
  return Number(label);
}

/** the device a choice names, if any (for a finding's "device") */
export function choiceDevice(c: Pick<Choice, 'kind' | 'label' | 'option'>): string | undefined {
  switch (c.kind) {
    case 'fault': {
      const body = c.label.slice('fault:'.length);
      return body.slice(0, body.lastIndexOf('@'));
    }
    case 'deferred-order':
    case 'async-completion':
      return c.option;
    case 'deferred-trigger':
      return c.label.slice('trigger:'.length);
    case 'quiescent':
      return c.option === STOP ? undefined : c.option.slice(c.option.indexOf(' ') + 1);
    default:
      return undefined;
  }
}

/** how many choices were not the default: the schedule's size */
export function cost(choices: readonly Choice[]): number {
  let n = 0;
  for (const c of choices) if (c.index !== 0) n++;
  return n;
}

/**
 * The model steps of a schedule that can explain a deferral (unexplainedDeferrals): its
 * faults, unbinds and removals. toSteps() without the pins and the DSL, for every execution
 * that ends with a device deferred.
 */
export function deferralSteps(choices: readonly Choice[]): ModelStep[] {
  const out: ModelStep[] = [{ op: 'boot', hold: [] }];
  for (const c of choices) {
    if (c.index === 0) continue;
    if (c.kind === 'fault') {
      const body = c.label.slice('fault:'.length);
      const at = body.lastIndexOf('@');
      out.push({ op: 'fail-probe', device: body.slice(0, at), at: Number(body.slice(at + 1)), errno: errnoValue(c.option), times: 1 });
    } else if (c.kind === 'quiescent' && c.option !== STOP) out.push(...quiescentSteps(c.option));
  }
  return out;
}

interface Translation {
  dsl: DslStep[];
  model: ModelStep[];
}

/** The schedule as suite steps (DSL) and as the model steps they compile to. */
export function toSteps(choices: readonly Choice[]): Translation {
  const dsl: DslStep[] = [];
  const model: ModelStep[] = [];
  // boot pins
  const order: string[] = [];
  const late: string[] = [];
  const asyncOrder: string[] = [];
  const deferredOrder: string[] = [];
  const retryAfter: string[] = [];
  // picks of each order sequence (one per level, module phase, async batch), in order
  const sequences = new Map<string, Choice[]>();
  const faults = new Map<number, Array<{ device: string; at: number; errno: number }>>();
  const later: Choice[] = [];
  for (const c of choices) {
    switch (c.kind) {
      case 'initcall-order':
      case 'module-order':
      case 'async-completion': {
        const key = `${c.kind}|${c.label}|${c.step}`;
        const seq = sequences.get(key) ?? [];
        seq.push(c);
        sequences.set(key, seq);
        break;
      }
      case 'iommu-registration':
        if (c.option === 'module') late.push(c.label.slice('iommu:'.length));
        break;
      case 'deferred-order':
        if (c.index !== 0) deferredOrder.push(c.option);
        break;
      case 'deferred-trigger':
        if (c.option === 'now') retryAfter.push(c.label.slice('trigger:'.length));
        break;
      case 'fault':
        if (c.index !== 0) {
          const body = c.label.slice('fault:'.length);
          const at = body.lastIndexOf('@');
          const list = faults.get(c.step) ?? [];
          list.push({ device: body.slice(0, at), at: Number(body.slice(at + 1)), errno: errnoValue(c.option) });
          faults.set(c.step, list);
        }
        break;
      case 'quiescent':
        if (c.option !== STOP) later.push(c);
        break;
    }
  }
  for (const [key, seq] of sequences) {
    let last = -1;
    seq.forEach((c, i) => {
      if (c.index !== 0) last = i;
    });
    if (last < 0) continue;
    const names = seq.slice(0, last + 1).map((c) => c.option);
    (key.startsWith('async-completion') ? asyncOrder : order).push(...names);
  }
  // the model steps in order (boot is step 0); a fault is armed just before its step
  const body: ModelStep[] = [];
  const boot: ModelStep = { op: 'boot', hold: [] };
  const pins: Record<string, string[]> = {};
  if (order.length) pins['order'] = boot.order = order;
  if (late.length) pins['late'] = boot.late = late;
  if (asyncOrder.length) pins['async-order'] = boot.asyncOrder = asyncOrder;
  if (deferredOrder.length) pins['deferred-order'] = boot.deferredOrder = deferredOrder;
  if (retryAfter.length) pins['retry-after'] = boot.retryAfter = retryAfter;
  body.push(boot);
  for (const c of later) body.push(...quiescentSteps(c.option));
  body.forEach((step, i) => {
    for (const f of faults.get(i) ?? []) {
      dsl.push({ 'fail-probe': { device: f.device, error: errnoName(f.errno), at: f.at } });
      model.push({ op: 'fail-probe', device: f.device, errno: f.errno, at: f.at, times: 1 });
    }
    model.push(step);
    if (step.op === 'boot') dsl.push(Object.keys(pins).length ? { boot: pins } : 'boot');
    else if (step.op === 'bind' || step.op === 'unbind' || step.op === 'add-device' || step.op === 'remove-device') dsl.push({ [step.op]: step.device });
  });
  return { dsl, model };
}

/** Shorter first: fewer non-default choices, fewer steps, then the text (a total order). */
export function compareSchedules(a: { cost: number; steps: readonly DslStep[] }, b: { cost: number; steps: readonly DslStep[] }): number {
  if (a.cost !== b.cost) return a.cost - b.cost;
  if (a.steps.length !== b.steps.length) return a.steps.length - b.steps.length;
  const sa = JSON.stringify(a.steps);
  const sb = JSON.stringify(b.steps);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A schedule's DSL steps back to model steps (what the DSL compiler makes of them). */
export function dslToModel(steps: readonly DslStep[]): ModelStep[] {
  return steps.map((s): ModelStep => {
    if (typeof s === 'string') {
      if (s === 'boot') return { op: 'boot', hold: [] };
      if (s === 'deferred-timeout') return { op: 'deferred-timeout' };
      throw new Error(`unknown step "${s}"`);
    }
    const [op, v] = Object.entries(s)[0]!;
    switch (op) {
      case 'boot': {
        const b = v as Record<string, string[] | undefined>;
        const step: ModelStep = { op: 'boot', hold: [...(b['hold'] ?? [])] };
        if (b['order']) step.order = [...b['order']];
        if (b['late']) step.late = [...b['late']];
        if (b['async-order']) step.asyncOrder = [...b['async-order']];
        if (b['deferred-order']) step.deferredOrder = [...b['deferred-order']];
        if (b['retry-after']) step.retryAfter = [...b['retry-after']];
        return step;
      }
      case 'fail-probe': {
        const f = v as { device: string; error: string; at?: number };
        return { op: 'fail-probe', device: f.device, errno: errnoValue(f.error), ...(f.at !== undefined ? { at: f.at } : {}), times: 1 };
      }
      case 'bind':
      case 'unbind':
      case 'add-device':
      case 'remove-device':
        return { op, device: v as string };
      default:
        throw new Error(`unknown step "${op}"`);
    }
  });
}
