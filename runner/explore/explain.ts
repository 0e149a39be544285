// explain (EXPLORE.md): why a device is (not) bound, deferred, on dma-direct or in a group,
// and why a failure title fired — as a chain of model events from the root cause to the
// question, each with its step and kernel function, and the decisive behaviour: the
// profile behaviour whose flip (applied or reverted, one at a time) changes the answer.
//
// It reads the model's event record (model/kernel/events.ts), never the log text: the run
// is replayed with a recorder, and each event names the event that caused it. The walk
// follows those causes back; where a cause is an absence (an IOMMU that never registered,
// a supplier that never bound) it asks the same question of the absent thing. The
// counterfactual runs are the same steps on a flipped profile, without a recorder.
//
// Pure and deterministic: the same run gives the same explanation, question for question.

import type { PlanRun, Pos } from '../dsl/plan.js';
import { runLabel } from '../dsl/plan.js';
import { BEHAVIOURS, canonicalBehaviour, createKernel, errnoName as kernelErrno, EventRecord } from '../model/index.js';
import type { Kernel, ModelEvent, ModelStep, ResolvedProfile } from '../model/index.js';
import { describeStep } from '../exec/execute.js';
import { titlesOf, unexplainedDeferrals, type Title } from '../exec/titles.js';

/** What a chain can end in (EXPLORE.md: "an injected fault, a held or missing driver, ...") */
export type RootKind =
  | 'injected fault'
  | 'held driver'
  | 'missing driver'
  | 'disabled IOMMU'
  | 'unregistered IOMMU'
  | 'timeout'
  | 'order'
  | 'driver'
  | 'report'
  | 'absent device'
  | 'disabled device'
  | 'unknown';

/** One link of a chain: a recorded event, or a fact of the board standing in for an absence. */
export interface Link {
  /** what happened, one line */
  event: string;
  /** the scenario step it happened in (1-based, as the plan counts them); null for board facts */
  step: number | null;
  /** the kernel function innermost at the time; null for board facts and steps */
  function: string | null;
  device: string | null;
  /** the event's kind, or 'board' for a fact of the board file */
  kind: ModelEvent['kind'] | 'board';
  /** the step's position in the suite file */
  pos?: Pos;
  /** root kind when this link is a root cause */
  root?: RootKind;
}

export interface Decisive {
  /** the behaviour id (a commit id, or a slug where none is known) */
  behaviour: string;
  /** the commit id, null where the behaviour has none yet */
  commit: string | null;
  subject: string;
  /** the profile has it: reverting it changes the answer (else applying it does) */
  present: boolean;
}

export interface Question {
  /** the device the question is about (for a title: the device its chain ends at) */
  device: string | null;
  /** "bound", "not bound", "deferred", "dma-ops: direct", "group 3", or the failure title */
  state: string;
  /** root first, the question's own event last */
  chain: Link[];
  root: string;
  rootKind: RootKind;
  decisive: Decisive[];
  /** set for "why did this title fire" */
  title?: Title;
}

export interface RunExplanation {
  run: PlanRun;
  label: string;
  questions: Question[];
  /** /sys/kernel/debug/devices_deferred at the end; undefined where the era has none */
  devicesDeferred: string[] | undefined;
  /** the "deferred probe pending" lines the timeout printed */
  pending: string[];
}

export interface ExplainOptions {
  /** only this device (every state question about it, and the titles that name it) */
  device?: string;
  /** run the counterfactual re-runs for the decisive behaviours; default true */
  decisive?: boolean;
}

// ---------------------------------------------------------------------------------------
// The recorded run

interface Recorded {
  k: Kernel;
  rec: EventRecord;
  /** the plan step (1-based) of each performed step, by the model's count (1-based) */
  planStep: number[];
  steps: ModelStep[];
  panicked: boolean;
}

function modelSteps(run: PlanRun): ModelStep[] {
  return run.steps.flatMap((s) => ('step' in s ? [s.step] : []));
}

function replay(run: PlanRun, profile: ResolvedProfile, rec?: EventRecord): { k: Kernel; planStep: number[]; panicked: boolean } {
  const k = createKernel(run.board, profile, rec ? { events: rec } : {});
  const planStep = [0];
  let panicked = false;
  run.steps.forEach((s, i) => {
    if (panicked || !('step' in s)) return;
    planStep.push(i + 1);
    panicked = k.perform(s.step).panicked;
  });
  return { k, planStep, panicked };
}

function record(run: PlanRun): Recorded {
  const rec = new EventRecord();
  const { k, planStep, panicked } = replay(run, run.kernel, rec);
  return { k, rec, planStep, steps: modelSteps(run), panicked };
}

/** the titles of a run's final state, as `bringup run` names its failures */
function runTitles(run: PlanRun, k: Kernel, panicked: boolean): Title[] {
  const deferred = panicked
    ? []
    : unexplainedDeferrals(run.board, modelSteps(run), run.board.devices.map((d) => k.device(d.name)).filter((d) => d !== undefined));
  return titlesOf({ log: k.log.map((l) => l.text), checks: panicked ? [] : k.checks(), deferred });
}

// ---------------------------------------------------------------------------------------
// Events as words

function errnoName(e: number | undefined): string {
  return e === undefined ? '' : kernelErrno(e);
}

function say(e: ModelEvent): string {
  const d = e.device ?? '';
  switch (e.kind) {
    case 'step':
      return `step: ${e.detail}${e.device ? ` ${e.device}` : ''}${e.driver ? ` ${e.driver}` : ''}`;
    case 'device-added':
      return `${d} added`;
    case 'device-removed':
      return `${d} removed`;
    case 'driver-registered':
      return `driver ${e.driver} registered`;
    case 'driver-unregistered':
      return `driver ${e.driver} unregistered`;
    case 'driver-held':
      return `driver ${e.driver} held back by the boot step`;
    case 'probe-started':
      return `${d}: probe with ${e.driver} started`;
    case 'probe-deferred':
      return `${d}: probe deferred (${errnoName(e.errno)})`;
    case 'probe-failed':
      return `${d}: probe failed with ${errnoName(e.errno)}`;
    case 'bound':
      return `${d}: bound to ${e.driver}`;
    case 'unbound':
      return `${d}: unbound from ${e.driver}`;
    case 'iommu-registered':
      return `IOMMU ${d} registered`;
    case 'iommu-unregistered':
      return `IOMMU ${d} unregistered`;
    case 'iommu-missing':
      return `${d}: its IOMMU ${e.iommu} is ${e.detail}${e.errno === undefined ? '' : e.errno ? ` (${errnoName(e.errno)})` : ': goes on without it'}`;
    case 'supplier-missing':
      return `${d}: its supplier ${e.detail} is not bound (-EPROBE_DEFER)`;
    case 'dependency-ignored':
      return `${d}: the driver core gives up waiting (${errnoName(e.errno)})`;
    case 'group-added':
      return `${d}: added to iommu group ${e.detail}`;
    case 'group-removed':
      return `${d}: removed from iommu group ${e.detail}`;
    case 'ops-installed':
      return `${d}: DMA ops set up (${e.detail})`;
    case 'ops-torn-down':
      return `${d}: DMA ops torn down (now ${e.detail})`;
    case 'devres-released':
      return `${d}: devres released (${e.detail})`;
    case 'fault-armed':
      return `fail-probe armed on ${d}: ${errnoName(e.errno)} ${e.detail}`;
    case 'fault-fired':
      return `${d}: injected ${errnoName(e.errno)} ${e.detail}`;
    case 'driver-error':
      return `${d}: its ${e.detail} action failed with ${errnoName(e.errno)}`;
    case 'foreign-free':
      return `${d}: DMA buffer ${e.detail}`;
    case 'dma-fault':
      return `${d}: device access faults at ${e.detail}`;
    case 'deferred-trigger':
      return `deferred probe triggered (#${e.detail})`;
    case 'timeout':
      return `deferred-probe timeout expires (${e.detail})`;
    case 'report':
      return e.detail ?? 'report';
  }
}

// ---------------------------------------------------------------------------------------
// The walk

/** A run being explained: its record and board, and the chain builder. */
class Walker {
  private readonly events: readonly ModelEvent[];
  private readonly iommuByName: Map<string, PlanRun['board']['iommus'][number]>;
  private readonly deviceByName: Map<string, PlanRun['board']['devices'][number]>;

  constructor(
    private readonly run: PlanRun,
    private readonly r: Recorded,
  ) {
    this.events = r.rec.events;
    this.iommuByName = new Map(run.board.iommus.map((i) => [i.name, i]));
    this.deviceByName = new Map(run.board.devices.map((d) => [d.name, d]));
  }

  link(e: ModelEvent): Link {
    const step = e.step > 0 ? (this.r.planStep[e.step] ?? null) : null;
    const l: Link = {
      event: e.kind === 'step' ? this.stepText(e) : say(e),
      step,
      function: e.kind === 'step' || e.fn === '' ? null : e.fn,
      device: e.device ?? e.iommu ?? null,
      kind: e.kind,
    };
    if (step !== null) {
      const pos = this.run.steps[step - 1]?.pos;
      if (pos) l.pos = pos;
    }
    return l;
  }

  private stepText(e: ModelEvent): string {
    const s = this.r.steps[e.step - 1];
    return s ? describeStep(s) : String(e.detail);
  }

  private fact(event: string, device: string | null, root: RootKind): Link {
    return { event, step: null, function: null, device, kind: 'board', root };
  }

  cause(e: ModelEvent): ModelEvent | undefined {
    return e.cause === null ? undefined : this.events[e.cause];
  }

  /** the driver name(s) a held/unloaded event may use for an IOMMU or a device's driver */
  private driverNames(name: string): string[] {
    const io = this.iommuByName.get(name);
    if (io) return [io.driver];
    const d = this.deviceByName.get(name);
    return d?.driver ? [d.driver] : [];
  }

  private lastOf(kinds: ReadonlySet<ModelEvent['kind']>, pred: (e: ModelEvent) => boolean, before = this.events.length): ModelEvent | undefined {
    for (let i = Math.min(before, this.events.length) - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (kinds.has(e.kind) && pred(e)) return e;
    }
    return undefined;
  }

  /**
   * Why `name` (an IOMMU or a supplier device) was not there at event `at`: the links
   * that stand for its absence, root first.
   */
  absence(name: string, at: number, seen: Set<string>): Link[] {
    const io = this.iommuByName.get(name);
    const dev = this.deviceByName.get(name);
    const drivers = this.driverNames(name);
    if (io && io.status !== 'okay') return [this.fact(`IOMMU ${name} is disabled in firmware (status = "disabled")`, name, 'disabled IOMMU')];
    if (dev && dev.status !== 'okay') return [this.fact(`${name} is disabled in firmware (status = "disabled")`, name, 'disabled device')];
    // its own story, if it has one by then (a failed or deferred probe, an unbind...)
    const own = this.lastOf(STATE_KINDS, (e) => e.device === name, at);
    if (own && own.kind !== 'device-added') return this.walk(own, seen);
    const held = this.lastOf(new Set(['driver-held', 'driver-unregistered']), (e) => drivers.includes(e.driver ?? ''), at);
    if (held) {
      const l = this.link(held);
      l.root = held.kind === 'driver-held' ? 'held driver' : 'order';
      return [l];
    }
    if (dev && !dev.driver) return [this.fact(`no driver on the board claims ${name}`, name, 'missing driver')];
    if (dev && !dev.present && !own) return [this.fact(`${name} is not present (present: false) and no step adds it`, name, 'absent device')];
    const registered = this.lastOf(new Set(['driver-registered']), (e) => drivers.includes(e.driver ?? ''), at);
    if (!registered) {
      // it registers later in the same boot: the initcall order is the story
      const later = this.events.find((e) => e.id > at && e.kind === 'driver-registered' && drivers.includes(e.driver ?? ''));
      if (later) {
        const l = this.link(later);
        return [{ ...l, event: `driver ${later.driver} of ${name} registers only later (initcall order)`, root: 'order' }];
      }
      return [this.fact(`driver ${drivers[0] ?? '?'} of ${name} never registered`, name, io ? 'unregistered IOMMU' : 'missing driver')];
    }
    return [this.fact(`${name} had not ${io ? 'registered' : 'bound'} yet`, name, io ? 'unregistered IOMMU' : 'order')];
  }

  /**
   * The chain that ends in `e`, root first. Causes are followed back; at an absence the
   * absent thing's own story is asked for; a probe's occasion (the trigger, the
   * registration that started it) ends a why-not chain, since it explains nothing.
   */
  walk(e: ModelEvent, seen: Set<string> = new Set(), whyBound = false): Link[] {
    const out: Link[] = [];
    let cur: ModelEvent | undefined = e;
    while (cur) {
      const key = `e${cur.id}`;
      if (seen.has(key)) break;
      seen.add(key);
      const l = this.link(cur);
      const root = ROOT_OF[cur.kind];
      if (root) l.root = root;
      out.push(l);
      if (cur.kind === 'step' || cur.kind === 'fault-armed' || cur.kind === 'driver-held') break;
      const next = this.cause(cur);
      if (cur.kind === 'iommu-missing' || cur.kind === 'supplier-missing') {
        const name = cur.kind === 'iommu-missing' ? cur.iommu! : cur.detail!;
        // merely added, or no story at all: ask why it was not there
        if (!next || next.device !== name || next.kind === 'device-added') {
          if (!seen.has(`n${name}`)) {
            seen.add(`n${name}`);
            out.push(...this.absence(name, cur.id, seen).reverse());
          }
          break;
        }
      }
      if (cur.kind === 'dependency-ignored') {
        // the timeout (or the end of initcalls) made the driver core give up on a dependency
        // that was missing: both are part of the story; the missing one is the older cause
        const miss = this.lastOf(new Set(['iommu-missing']), (x) => x.device === cur!.device, cur.id);
        if (next) out.push(...this.walk(next, seen, whyBound).reverse());
        if (miss) out.push(...this.walk(miss, seen, whyBound).reverse());
        break;
      }
      if ((cur.kind === 'ops-installed' || cur.kind === 'ops-torn-down') && next?.kind === 'probe-started') {
        // set up without the IOMMU: the lookup in the same probe says why
        const why = this.lastOf(new Set(['iommu-missing', 'dependency-ignored']), (x) => x.device === cur!.device && x.id > next.id, cur.id);
        if (why) {
          cur = why;
          continue;
        }
        // left as an earlier tear-down made them: that is where they came from
        const earlier: ModelEvent | undefined = cur.detail !== 'iommu' ? this.lastOf(new Set(['ops-torn-down']), (x) => x.device === cur!.device, next.id) : undefined;
        if (earlier) {
          cur = earlier;
          continue;
        }
      }
      if (cur.kind === 'probe-started' && !whyBound) {
        // the occasion of a probe explains nothing about its outcome: the step it ran in does
        if (next?.kind !== 'step') {
          const step = this.stepEvent(cur.step);
          if (step && !seen.has(`e${step.id}`)) {
            seen.add(`e${step.id}`);
            out.push({ ...this.link(step), root: 'order' });
          }
          break;
        }
        cur = next;
        continue;
      }
      if (cur.kind === 'deferred-trigger' && next?.kind === 'step') break;
      cur = next;
    }
    const chain = out.reverse();
    // a report is about the device whose story led to it
    for (let i = 1; i < chain.length; i++) if (chain[i]!.kind === 'report' && chain[i]!.device === null) chain[i]!.device = chain[i - 1]!.device;
    return chain;
  }

  stepEvent(step: number): ModelEvent | undefined {
    return this.events.find((e) => e.kind === 'step' && e.step === step);
  }

  /** the device's last state event, or the report that cut its probe short */
  anchorOf(name: string): ModelEvent | undefined {
    const last = this.lastOf(STATE_KINDS, (e) => e.device === name);
    const started = this.lastOf(new Set(['probe-started']), (e) => e.device === name);
    if (started && (!last || started.id > last.id)) {
      // a probe with no outcome: the oops that ended it is the first report after it
      const report = this.events.find((e) => e.kind === 'report' && e.id > started.id);
      if (report) return report;
      return started;
    }
    return last;
  }

  lastIommuEvent(name: string): ModelEvent | undefined {
    return this.lastOf(new Set(['iommu-registered', 'iommu-unregistered']), (e) => e.device === name);
  }

  lastOpsEvent(name: string): ModelEvent | undefined {
    return this.lastOf(new Set(['ops-installed', 'ops-torn-down']), (e) => e.device === name);
  }

  lastGroupEvent(name: string): ModelEvent | undefined {
    return this.lastOf(new Set(['group-added']), (e) => e.device === name);
  }

  /** an oops after event `after` that killed the deferred-probe worker */
  deadWorker(after: number): ModelEvent | undefined {
    return this.events.find((e) => e.id > after && e.kind === 'report' && e.fn !== 'panic' && /^(Unable to handle|BUG: kernel NULL|Internal error)/.test(e.detail ?? '') && (e.frames ?? []).includes('deferred_probe_work_func'));
  }

  /** the first report of the run (the oops a panic follows) */
  firstReport(): ModelEvent | undefined {
    return this.events.find((e) => e.kind === 'report');
  }

  /** the first panic, if the run ended in one */
  panic(): ModelEvent | undefined {
    return this.events.find((e) => e.kind === 'report' && e.fn === 'panic');
  }

  /** the report event a log title came from */
  reportFor(t: Title): ModelEvent | undefined {
    if (t.start === undefined) return undefined;
    let best: ModelEvent | undefined;
    for (const e of this.events) {
      if ((e.kind !== 'report' && e.kind !== 'dma-fault') || e.line === undefined || e.line > t.start) continue;
      if (!best || e.line >= best.line!) best = e;
    }
    return best;
  }

  deviceFact(name: string): Link | undefined {
    const dev = this.deviceByName.get(name);
    const io = this.iommuByName.get(name);
    if (io && io.status !== 'okay') return this.fact(`IOMMU ${name} is disabled in firmware (status = "disabled")`, name, 'disabled IOMMU');
    if (!dev) return undefined;
    if (dev.status !== 'okay') return this.fact(`${name} is disabled in firmware (status = "disabled")`, name, 'disabled device');
    if (!dev.driver) return this.fact(`no driver on the board claims ${name}`, name, 'missing driver');
    return undefined;
  }

  heldOrMissingDriver(name: string): Link[] {
    return this.absence(name, this.events.length, new Set());
  }
}

/** the events that say where a device stands */
const STATE_KINDS: ReadonlySet<ModelEvent['kind']> = new Set([
  'device-added', 'device-removed', 'probe-deferred', 'probe-failed', 'bound', 'unbound', 'iommu-registered', 'iommu-unregistered',
]);

/** events that are a root cause by themselves */
const ROOT_OF: Partial<Record<ModelEvent['kind'], RootKind>> = {
  'fault-armed': 'injected fault',
  'driver-held': 'held driver',
  timeout: 'timeout',
  'driver-error': 'driver',
  step: 'order',
};

/** the root of a chain: the first link (from the root end) that is a root cause */
function rootOf(chain: readonly Link[]): { root: string; kind: RootKind } {
  // a recorded root cause beats the step it happened in; among them the oldest wins
  const pick = chain.find((l) => l.root && l.root !== 'order') ?? chain.find((l) => l.root === 'order');
  if (!pick) {
    const first = chain[0];
    if (first && (first.kind === 'probe-deferred' || first.kind === 'probe-failed')) {
      return { root: `driver: ${first.event} by itself${first.step !== null ? ` at step ${first.step}` : ''}`, kind: 'driver' };
    }
    if (first && first.kind === 'report') return { root: `report: ${first.event}`, kind: 'report' };
    return { root: 'unknown', kind: 'unknown' };
  }
  const where = pick.step !== null ? ` at step ${pick.step}` : '';
  return { root: `${pick.root}: ${pick.event}${where}`, kind: pick.root! };
}

// ---------------------------------------------------------------------------------------
// Questions

interface Asked {
  device: string | null;
  state: string;
  chain: Link[];
  /** the answer the counterfactual runs compare against */
  answer: (k: Kernel, run: PlanRun, panicked: boolean) => string;
  title?: Title;
}

function devState(k: Kernel, name: string): string {
  const s = k.device(name);
  if (!s || !s.added) return 'absent';
  return s.bound ? 'bound' : s.deferred ? 'deferred' : 'not bound';
}

/** a board fact that ends a chain by itself */
function boardLink(event: string, device: string, root?: RootKind): Link {
  const l: Link = { event, step: null, function: null, device, kind: 'board' };
  if (root) l.root = root;
  return l;
}

/** why a device is not bound (or deferred) at the end of the run, root first */
function notBoundChain(w: Walker, k: Kernel, name: string, state: string): Link[] {
  const anchor = w.anchorOf(name);
  const panic = w.panic();
  if (!anchor || anchor.kind === 'device-added') {
    // never probed: not a device at all, no driver, a driver that never came, or a panic first
    const fact = w.deviceFact(name);
    if (fact) return [fact];
    if (!k.device(name)?.added) return [boardLink(`${name} is not present (present: false) and no step adds it`, name, 'absent device')];
    if (panic) return [...w.walk(w.firstReport() ?? panic), boardLink(`${name}: never probed: the kernel panicked`, name)];
    return w.heldOrMissingDriver(name);
  }
  if (panic && panic.id > anchor.id && anchor.kind !== 'report') {
    // the kernel died before the device's story could go on: the panic's story is its own
    return [...w.walk(w.firstReport() ?? panic), boardLink(`${name}: still ${state} when the kernel panicked`, name)];
  }
  const dead = state === 'deferred' ? w.deadWorker(anchor.id) : undefined;
  if (dead) {
    // an oops killed the deferred-probe worker: nothing on its list is ever retried again
    return [...w.walk(dead), boardLink(`${name}: never retried: the deferred-probe work died in that oops`, name)];
  }
  return w.walk(anchor);
}

function deviceQuestions(w: Walker, k: Kernel, name: string, all: boolean, panicked: boolean): Asked[] {
  const s = k.device(name);
  const state = devState(k, name);
  const out: Asked[] = [];
  const answerBound = (kk: Kernel): string => devState(kk, name);
  if (state !== 'bound') {
    out.push({ device: name, state: panicked && state !== 'absent' ? 'not bound' : state, chain: notBoundChain(w, k, name, state), answer: answerBound });
    return out;
  }
  if (!all) return out;
  const bound = w.anchorOf(name);
  if (bound) out.push({ device: name, state: 'bound', chain: w.walk(bound, new Set(), true), answer: answerBound });
  const ops = w.lastOpsEvent(name);
  if (ops && s) {
    const dmaOps = s.dmaOps;
    out.push({ device: name, state: `dma-ops: ${dmaOps}`, chain: w.walk(ops), answer: (kk) => `dma-ops: ${kk.device(name)?.dmaOps ?? 'none'}` });
  }
  const group = w.lastGroupEvent(name);
  if (group && s && s.group !== null) {
    out.push({ device: name, state: `group ${s.group}`, chain: w.walk(group, new Set(), true), answer: (kk) => `group ${kk.device(name)?.group ?? 'none'}` });
  }
  return out;
}

/** why an IOMMU is (not) registered */
function iommuQuestion(w: Walker, k: Kernel, name: string): Asked {
  const registered = k.iommu(name)?.registered === true;
  const last = w.lastIommuEvent(name);
  const chain = registered && last ? w.walk(last, new Set(), true) : last ? w.walk(last) : w.heldOrMissingDriver(name);
  return { device: name, state: registered ? 'registered' : 'not registered', chain, answer: (kk) => (kk.iommu(name)?.registered ? 'registered' : 'not registered') };
}

function titleQuestion(w: Walker, k: Kernel, t: Title): Asked {
  const fires = (kk: Kernel, run: PlanRun, panicked: boolean): string => (runTitles(run, kk, panicked).some((x) => x.title === t.title) ? 'fires' : 'does not fire');
  let chain: Link[] = [];
  let device: string | null = t.device ?? null;
  if (t.kind === 'deferred' || t.kind === 'leak' || t.kind === 'invariant') {
    if (device) {
      const ops = t.kind === 'invariant' && /no-iommu-ops|direct-in-dma-domain/.test(t.title) ? w.lastOpsEvent(device) : undefined;
      chain = ops ? w.walk(ops) : notBoundChain(w, k, device, devState(k, device));
    }
  } else {
    const e = w.reportFor(t);
    if (e) {
      chain = w.walk(e);
      device ??= e.device ?? [...chain].reverse().find((l) => l.device)?.device ?? null;
    }
  }
  return { device, state: t.title, chain, answer: fires, title: t };
}

// ---------------------------------------------------------------------------------------
// Decisive behaviours

function flipped(p: ResolvedProfile, id: string): ResolvedProfile {
  const present = p.behaviours.includes(id);
  const set = new Set(p.behaviours);
  if (present) set.delete(id);
  else set.add(id);
  return { name: `${p.name}${present ? '-' : '+'}${id}`, base: p.base, behaviours: BEHAVIOURS.map((b) => b.id).filter((x) => set.has(x)) };
}

/** a 12-hex commit id for a behaviour: its id, or an alias that is one */
export function commitOf(id: string): string | null {
  if (/^[0-9a-f]{12}$/.test(id)) return id;
  const b = BEHAVIOURS.find((x) => x.id === id);
  return b?.aliases?.find((a) => /^[0-9a-f]{12}$/.test(a)) ?? null;
}

/** each question's answer under every single flip of the profile: the flips that change it */
function decisiveFor(run: PlanRun, asked: readonly Asked[], base: Kernel, basePanicked: boolean): Decisive[][] {
  const want = asked.map((q) => q.answer(base, run, basePanicked));
  const out: Decisive[][] = asked.map(() => []);
  for (const b of BEHAVIOURS) {
    const present = run.kernel.behaviours.includes(b.id);
    let k: Kernel;
    let panicked: boolean;
    try {
      ({ k, panicked } = replay(run, flipped(run.kernel, b.id)));
    } catch {
      // a combination the model refuses is no counterfactual
      continue;
    }
    asked.forEach((q, i) => {
      if (q.answer(k, run, panicked) !== want[i]) out[i]!.push({ behaviour: b.id, commit: commitOf(b.id), subject: b.subject, present });
    });
  }
  // the fix the suite declares first (when it is one), then the fixes the profile lacks,
  // then what brought the problem in; each group in table (landing) order
  const declared = run.knownBad ? canonicalBehaviour(run.knownBad.fixedBy) : undefined;
  const rank = (d: Decisive): number => (d.behaviour === declared ? 0 : d.present ? 2 : 1);
  for (const d of out) d.sort((a, b) => rank(a) - rank(b));
  return out;
}

// ---------------------------------------------------------------------------------------
// The entry

/** Explain one run: every device not bound at the end and every title (or one device). */
export function explainRun(run: PlanRun, opts: ExplainOptions = {}): RunExplanation {
  const r = record(run);
  const w = new Walker(run, r);
  const names = [...run.board.iommus.filter((i) => r.k.device(i.name) !== undefined).map((i) => i.name), ...run.board.devices.map((d) => d.name)];
  const asked: Asked[] = [];
  const titles = runTitles(run, r.k, r.panicked);
  if (opts.device !== undefined) {
    const io = r.k.iommu(opts.device);
    // an IOMMU registered from an initcall (x86) has no device: ask about its registration
    if (io && !r.k.device(opts.device)) asked.push(iommuQuestion(w, r.k, opts.device));
    else asked.push(...deviceQuestions(w, r.k, opts.device, true, r.panicked));
    if (io && r.k.device(opts.device)) asked.push(iommuQuestion(w, r.k, opts.device));
    for (const t of titles) {
      const q = titleQuestion(w, r.k, t);
      if (q.device === opts.device || q.chain.some((l) => l.device === opts.device)) asked.push(q);
    }
  } else {
    for (const t of titles) asked.push(titleQuestion(w, r.k, t));
    for (const n of names) asked.push(...deviceQuestions(w, r.k, n, false, r.panicked));
  }
  const decisive = opts.decisive === false ? asked.map(() => []) : decisiveFor(run, asked, r.k, r.panicked);
  const questions: Question[] = asked.map((a, i) => {
    const { root, kind } = rootOf(a.chain);
    const q: Question = { device: a.device, state: a.state, chain: a.chain, root, rootKind: kind, decisive: decisive[i]! };
    if (a.title) q.title = a.title;
    return q;
  });
  const pending = r.k.log.map((l) => l.text).filter((t) => /: deferred probe pending(?::|$)/.test(t));
  return { run, label: runLabel(run), questions, devicesDeferred: r.k.devicesDeferred(), pending };
}
