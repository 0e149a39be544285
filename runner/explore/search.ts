// The search (EXPLORE.md): every schedule is executed, from the last checkpoint (a snapshot of
// the model, execution.ts) its prefix shares with one executed before, not from boot.
//
// Work units make the result independent of how the work is split. The default execution
// (every choice 0) is unit 0; under dfs, unit i+1 holds every schedule whose first non-default
// choice is at the default execution's i-th choice point; under random and pct, a unit is a
// block of samples. Each unit is searched on its own, in one fixed order, with its own
// visited states, so --jobs and --shard only decide who searches which unit.
//
// dfs inside a unit is loom's: replay a prefix of choices, take option 0 past it, then
// backtrack to the deepest choice with an untried option the depth bound allows. The
// reductions, all off with `reduce: false`:
//   - state hashing: at initcall, module and quiescent points past the replayed prefix, the
//     canonical model state (Kernel.stateKey) with the point and its sleep set is
//     fingerprinted (64 bits, TLC-style); a fingerprint seen with as much depth left ends the
//     execution — its continuation is explored. Every unit starts knowing the default
//     execution's states (explored with the whole depth by unit 0 and the later units);
//   - sleep sets over the orders that commute (independence.ts): after exploring driver A
//     first, the schedules that take an independent B first keep A asleep until something
//     dependent ran; a schedule whose only way on is a sleeping choice is explored already;
//   - faults alike (symmetric()): of the errnos other than -EPROBE_DEFER only the first, and no
//     fault at a point whose faults an earlier point of the same probe makes already.

import type { ChoicePoint } from '../model/index.js';
import type { Title } from '../exec/titles.js';
import { objectList } from '../model/object-list.js';
import { execute, Pruned, RecordingChooser, type Checkpoint, type Outcome, type Target } from './execution.js';
import type { ExploreOptions } from './options.js';
import { cost, toSteps, type DslStep, type PointKind } from './schedule.js';
import { Footprints, dependent, deviationFootprint, footprintsOf, type Footprint } from './independence.js';
import { emptyStats, FindingSet, type Finding, type Stats } from './findings.js';
import { rng } from './rng.js';

// (compares of the kind's literal, not set lookups: asked at every pick)
/** kinds whose options commute when their footprints are disjoint */
function isSleepy(kind: PointKind): boolean {
  return kind === 'initcall-order' || kind === 'quiescent';
}
/** kinds at which the state is hashed */
function isHashed(kind: PointKind): boolean {
  return kind === 'initcall-order' || kind === 'module-order' || kind === 'quiescent';
}

/**
 * Errno symmetry at a fault point: the driver core treats every probe error alike except
 * -EPROBE_DEFER (the deferred list); call_driver_probe() only picks the message's log level
 * (dd.c: -EPROBE_DEFER dev_dbg, -ENODEV/-ENXIO pr_debug, others pr_warn), and no message
 * is a failure title. So of the other errnos only the first is explored.
 */
function symmetric(fp: Footprints, kind: PointKind, label: string, options: readonly string[], o: number): boolean {
  if (kind !== 'fault') return false;
  // a fault point whose faults an earlier point of the same probe explores (independence.ts)
  if (fp.sameAsEarlierFault.has(label)) return true;
  if (options[o] === '-EPROBE_DEFER') return false;
  for (let i = 1; i < o; i++) if (options[i] !== '-EPROBE_DEFER') return true;
  return false;
}

/** A choice point as one execution met it. */
interface Node {
  kind: PointKind;
  label: string;
  options: readonly string[];
  chosen: number;
  /** asleep when the point was reached */
  sleepIn: readonly string[];
  /** non-default choices before it */
  costBefore: number;
}

/**
 * A 64-bit fingerprint of a hashed point: its label, options and sleeping options, each
 * string as its number in this process's table (a Map lookup: V8 keeps a string's hash,
 * and the same few hundred labels recur all search long), mixed in two lanes as
 * model/state-key.ts does. Compared within one process only, as state keys are.
 */
function fnv64(label: string, options: readonly string[], sleeping: readonly string[]): string {
  fpA = 0x811c9dc5;
  fpB = 0x7a5c2b31;
  mix(idOf(label));
  mix(options.length);
  for (let i = 0; i < options.length; i++) mix(idOf(options[i]!));
  mix(sleeping.length);
  for (let i = 0; i < sleeping.length; i++) mix(idOf(sleeping[i]!));
  // four UTF-16 code units (as a state key's value()): compared as a Map key, never shown
  return String.fromCharCode(fpA & 0xffff, fpA >>> 16, fpB & 0xffff, fpB >>> 16);
}

/** no strings (never written: a list of strings from the start, see objectList) */
const NONE: readonly string[] = objectList<string>();
const IDS = new Map<string, number>();
let fpA = 0;
let fpB = 0;

function idOf(s: string): number {
  let id = IDS.get(s);
  if (id === undefined) IDS.set(s, (id = IDS.size + 1));
  return id;
}

function mix(n: number): void {
  fpA = Math.imul(fpA ^ n, 0x01000193);
  let b = Math.imul((fpB ^ n) >>> 0, 0x5bd1e995);
  b ^= b >>> 15;
  fpB = Math.imul(b, 0x27d4eb2d);
}

/** what a DfsChooser carries from a checkpoint to the execution that resumes from it */
interface DfsState {
  nodes: Node[];
  sleep: readonly string[];
  sleepLabel: string;
  lastHashed: string;
  used: number;
  deviations: Footprint[];
}

/**
 * Where a dfs keeps its checkpoints: those of the path it is on, in path order, and
 * whether to take one (only where a later schedule will branch off: while the deviations
 * so far leave room for another).
 */
interface CheckpointStack {
  list: Checkpoint[];
  /** take checkpoints while fewer than this many deviations were made */
  below: number;
}

/** Replays `prefix`, then takes the first option that is allowed and awake. */
class DfsChooser extends RecordingChooser {
  nodes: Node[] = objectList();
  private sleep: readonly string[] = NONE;
  private sleepLabel = '';
  private lastHashed = '';

  constructor(
    faults: readonly number[],
    private readonly prefix: readonly number[],
    /** the unit's root point (its first deviation), and what sleeps below the option taken there */
    private readonly root: number,
    private readonly rootSleep: readonly string[],
    private readonly depth: number,
    private readonly reduce: boolean,
    private readonly fp: Footprints,
    private readonly visited: Map<string, number>,
    private readonly counters: { states: number },
    private readonly stack: CheckpointStack | null = null,
  ) {
    super(faults);
  }

  private used = 0;
  /** what each non-default choice so far touched */
  private deviations: Footprint[] = objectList();

  protected override wantsCheckpoint(): boolean {
    return this.stack !== null && this.used < this.stack.below;
  }

  protected override keep(c: Checkpoint): void {
    this.stack!.list.push(c);
  }

  protected override saveOwn(): DfsState {
    return { nodes: this.nodes.slice(), sleep: this.sleep, sleepLabel: this.sleepLabel, lastHashed: this.lastHashed, used: this.used, deviations: this.deviations.slice() };
  }

  protected override restoreOwn(own: unknown): void {
    const s = own as DfsState;
    this.nodes = s.nodes.slice();
    this.sleep = s.sleep;
    this.sleepLabel = s.sleepLabel;
    this.lastHashed = s.lastHashed;
    this.used = s.used;
    this.deviations = s.deviations.slice();
  }

  /**
   * A further deviation that touches nothing the earlier ones touched adds no failure of its
   * own: what the two do together is what each does alone, and each alone is explored.
   */
  private interacts(f: Footprint): boolean {
    if (this.deviations.length === 0) return true;
    for (const d of this.deviations) if (dependent(d, f)) return true;
    return false;
  }

  protected pick(kind: PointKind, label: string, options: readonly string[]): number {
    const pos = this.nodes.length;
    // a sleep set holds across the picks of one order (one level, the quiescent points)
    const sleepy = this.reduce && isSleepy(kind);
    const sleepIn = sleepy && this.sleepLabel === label ? this.sleep : NONE;
    const replay = pos < this.prefix.length;
    // hashed where an order starts (the first pick of a level, the module phase) and at
    // quiescent points: orders that commute meet again there, and a key costs a walk of the
    // state (hashing the first fault point after each deviation too pruned nothing more once
    // the errno symmetry was in, and cost a quarter of the search's time)
    const hashed = kind === 'quiescent' || (isHashed(kind) && label !== this.lastHashed);
    if (isHashed(kind)) this.lastHashed = label;
    if (!replay && hashed && this.reduce && this.kernel?.stateKey) {
      // (a quiescent point's options follow from the state: each bound or hot-plugged device's)
      const key = this.kernel.stateKey(kind !== 'quiescent') + fnv64(label, kind === 'quiescent' ? NONE : options, sleepIn);
      const left = this.depth - this.used;
      const seen = this.visited.get(key);
      if (seen !== undefined && seen >= left) throw new Pruned('state');
      if (seen === undefined) this.counters.states++;
      this.visited.set(key, left);
    }
    let chosen: number;
    let chosenFp: Footprint | undefined;
    if (replay) {
      chosen = this.prefix[pos]!;
      if (chosen >= options.length) throw new Error(`explore: the model is not deterministic: point ${label} has ${options.length} options, the schedule took ${chosen}`);
    } else {
      chosen = -1;
      for (let o = 0; o < options.length; o++) {
        if (o > 0 && this.used >= this.depth) break;
        if (sleepIn.includes(options[o]!)) continue;
        if (o > 0 && this.reduce) {
          if (symmetric(this.fp, kind, label, options, o)) continue;
          // (the first deviation interacts by definition: its footprint is asked for below)
          if (this.deviations.length > 0 && !this.interacts((chosenFp = deviationFootprint(this.fp, kind, label, options, o)))) continue;
        }
        chosen = o;
        break;
      }
      if (chosen < 0) throw new Pruned('sleep');
    }
    this.nodes.push({ kind, label, options, chosen, sleepIn, costBefore: this.used });
    if (chosen > 0) {
      this.used++;
      // the footprint the loop above worked out for this option, if it did
      this.deviations.push(chosenFp !== undefined && !replay ? chosenFp : deviationFootprint(this.fp, kind, label, options, chosen));
    }
    if (sleepy) {
      // the siblings before this option (explored, or covered: asleep or commuting with every
      // deviation so far) and what slept here stay asleep if they commute. The same whether
      // the pick is replayed or new, so that a checkpoint's state is its prefix's alone.
      const next = sleepAfter(this.fp, pos === this.root ? this.rootSleep : siblingsBefore(options, chosen, sleepIn), options[chosen]!);
      this.sleep = next;
      this.sleepLabel = label;
      if (orderExplored(kind, options, chosen, next)) throw new Pruned('sleep');
    } else if (chosen > 0) {
      // another kind of choice changed the state: nothing commutes past it any more
      this.sleep = NONE;
    }
    return chosen;
  }
}

/** what DFS explored at a node before option `chosen`, plus what slept there */
function siblingsBefore(options: readonly string[], chosen: number, sleepIn: readonly string[]): readonly string[] {
  if (chosen === 0) return sleepIn;
  const out = [...sleepIn];
  for (let o = 0; o < chosen; o++) if (!out.includes(options[o]!)) out.push(options[o]!);
  return out;
}

/** what stays asleep after taking `taken`: what commutes with it */
function sleepAfter(fp: Footprints, before: readonly string[], taken: string): readonly string[] {
  return before.length === 0 ? NONE : before.filter((x) => x !== taken && fp.independent(x, taken));
}

/** an initcall order whose remaining picks are all asleep is an order explored already */
function orderExplored(kind: PointKind, options: readonly string[], chosen: number, asleep: readonly string[]): boolean {
  if (kind !== 'initcall-order' || options.length < 2 || asleep.length === 0) return false;
  for (let i = 0; i < options.length; i++) if (i !== chosen && !asleep.includes(options[i]!)) return false;
  return true;
}


/**
 * random: each point deviates with probability depth/points; pct: `depth` change points
 * drawn uniformly over the default execution's points (Burckhardt's PCT, one priority
 * change per point), each taking a random non-default option. Both respect the depth bound.
 */
class SampleChooser extends RecordingChooser {
  private n = 0;
  private used = 0;
  private readonly next: () => number;
  private readonly changes: Set<number>;

  constructor(faults: readonly number[], seed: number, private readonly strategy: 'random' | 'pct', private readonly depth: number, private readonly points: number) {
    super(faults);
    this.next = rng(seed);
    this.changes = new Set();
    if (strategy === 'pct') for (let i = 0; i < depth; i++) this.changes.add(Math.floor(this.next() * Math.max(1, points)));
  }

  protected pick(_kind: PointKind, _label: string, options: readonly string[]): number {
    const at = this.n++;
    if (this.used >= this.depth || options.length < 2) return 0;
    const deviate = this.strategy === 'pct' ? this.changes.has(at) : this.next() < this.depth / Math.max(1, this.points);
    if (!deviate) return 0;
    this.used++;
    return 1 + Math.floor(this.next() * (options.length - 1));
  }
}

/** a unit of work: searched alone, in one fixed order */
export interface Unit {
  /** index of the target (board × kernel) */
  target: number;
  /** 0: the default execution; dfs i+1: first deviation at point i; sampling i+1: block i */
  index: number;
}

export interface UnitResult {
  unit: Unit;
  findings: Finding[];
  stats: Stats;
}

interface DefaultRun {
  outcome: Outcome;
  nodes: Node[];
  /** its checkpoints: every dfs unit starts from the last one before its first deviation */
  checkpoints: Checkpoint[];
  /** the fingerprints of the states it hashed (search units start from them) */
  states: string[];
}

/** the default execution of each target, per fault set and unbind switch: run once per process */
const DEFAULT_RUNS = new WeakMap<Target, Map<string, DefaultRun>>();

/** The default execution: unit 0, and the choice points the dfs units start from. */
export function defaultExecution(t: Target, o: ExploreOptions): DefaultRun {
  const key = `${o.faults.join(',')}|${o.unbind}`;
  let runs = DEFAULT_RUNS.get(t);
  if (!runs) DEFAULT_RUNS.set(t, (runs = new Map()));
  let run = runs.get(key);
  if (!run) {
    const stack: CheckpointStack = { list: [], below: 1 };
    // reducing (hashing its states) but with no depth: option 0 everywhere
    const visited = new Map<string, number>();
    const ch = new DfsChooser(o.faults, [], -1, [], 0, true, footprintsOf(t.board), visited, { states: 0 }, stack);
    const outcome = execute(t, ch, o.unbind);
    runs.set(key, (run = { outcome, nodes: ch.nodes, checkpoints: stack.list, states: [...visited.keys()] }));
  }
  return run;
}

/** the last checkpoint of `list` before choice point `pos` */
function lastBefore(list: readonly Checkpoint[], pos: number): Checkpoint | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.pos <= pos) return list[i];
  return undefined;
}

export const SAMPLE_BLOCK = 64;

/** How many units a target has. */
export function unitCount(t: Target, o: ExploreOptions, budget: number | undefined): number {
  if (o.strategy !== 'dfs') return 1 + Math.ceil(Math.max(0, (budget ?? 0) - 1) / SAMPLE_BLOCK);
  if (o.depth === 0) return 1;
  return 1 + defaultExecution(t, o).nodes.length;
}

function record(found: FindingSet, t: Target, out: Outcome): void {
  const titles = out.titles;
  if (titles.length === 0) return;
  const c = cost(out.choices);
  let dsl: DslStep[] | undefined;
  const seen = new Set<string>();
  titles.forEach((title: Title, i) => {
    if (seen.has(title.title)) return;
    seen.add(title.title);
    // a longer schedule than the witness only adds to the count
    if (found.countIfWorse(t.board.id, t.profile.name, title.title, c)) return;
    dsl ??= toSteps(out.choices).dsl;
    const f: Finding = {
      title: title.title,
      kind: title.kind,
      board: t.board.id,
      kernel: t.profile.name,
      frames: title.frames,
      executions: 1,
      choices: c,
      primary: i === 0,
      schedule: dsl,
      report: title.report,
    };
    if (title.device !== undefined) f.device = title.device;
    found.add(f);
  });
}

export interface UnitLimits {
  /** most executions in this unit */
  cap?: number;
  /** wall-clock deadline (ms since epoch) */
  deadline?: number;
}

/**
 * The next schedule of a dfs unit after an execution that met `nodes`: backtrack to the deepest
 * node past the root with an untried option within the bound (undefined: the unit is done).
 * A function of its own: the search loop stays small for the JIT, which compiles it again
 * whenever a new board's objects reach it.
 */
function backtrack(nodes: readonly Node[], root: number, o: ExploreOptions, fp: Footprints): number[] | undefined {
  // the run's deviations (at most depth of them) and what each touched
  const devAt: number[] = [];
  const devFp: Footprint[] = [];
  if (o.reduce) {
    for (let k = 0; k < nodes.length; k++) {
      const x = nodes[k]!;
      if (x.chosen > 0) {
        devAt.push(k);
        devFp.push(deviationFootprint(fp, x.kind, x.label, x.options, x.chosen));
      }
    }
  }
  let next: number[] | undefined;
  for (let k = nodes.length - 1; k > root && !next; k--) {
    const n = nodes[k]!;
    if (n.costBefore >= o.depth) continue;
    for (let alt = n.chosen + 1; alt < n.options.length; alt++) {
      if (o.reduce && isSleepy(n.kind) && n.sleepIn.includes(n.options[alt]!)) continue;
      if (o.reduce) {
        if (symmetric(fp, n.kind, n.label, n.options, alt)) continue;
        const f = deviationFootprint(fp, n.kind, n.label, n.options, alt);
        // the deviations before node k
        let before = 0;
        let interacts = false;
        for (let d = 0; d < devAt.length && devAt[d]! < k; d++) {
          before++;
          if (!interacts && dependent(devFp[d]!, f)) interacts = true;
        }
        if (before > 0 && !interacts) continue;
        // an order the sleep set shows explored already: known before running it
        if (isSleepy(n.kind) && orderExplored(n.kind, n.options, alt, sleepAfter(fp, siblingsBefore(n.options, alt, n.sleepIn), n.options[alt]!))) continue;
      }
      next = [];
      for (let i = 0; i < k; i++) next.push(nodes[i]!.chosen);
      next.push(alt);
      break;
    }
  }
  return next;
}

/** an execution's count and findings */
function tally(stats: Stats, found: FindingSet, t: Target, out: Outcome): void {
  if (out.pruned) stats.pruned++;
  else stats.executions++;
  record(found, t, out);
}

/** Search one unit. */
export function searchUnit(t: Target, o: ExploreOptions, unit: Unit, limits: UnitLimits = {}): UnitResult {
  const started = Date.now();
  const found = new FindingSet();
  const stats = emptyStats();
  const counters = { states: 0 };
  const cap = limits.cap ?? Infinity;
  const outOfTime = (): boolean => limits.deadline !== undefined && Date.now() >= limits.deadline;
  // an execution runs to its end; a run cut short at a state or order already explored is
  // counted as pruned instead (the budget bounds both: it is a bound on work)
  const one = (out: Outcome): void => tally(stats, found, t, out);
  const runs = (): number => stats.executions + stats.pruned;
  const finish = (): UnitResult => {
    stats.states = counters.states;
    stats.seconds = (Date.now() - started) / 1000;
    return { unit, findings: found.sorted([t.board.id], [t.profile.name]), stats };
  };
  const cutBy = (why: 'budget' | 'time'): UnitResult => {
    stats.complete = false;
    stats.cut = why;
    return finish();
  };

  if (unit.index === 0) {
    if (cap < 1) return cutBy('budget');
    const base = defaultExecution(t, o);
    one(base.outcome);
    if (o.reduce) counters.states = base.states.length;
    return finish();
  }
  if (o.strategy !== 'dfs') {
    const points = Math.max(1, defaultExecution(t, o).nodes.length);
    const first = 1 + (unit.index - 1) * SAMPLE_BLOCK;
    for (let i = 0; i < SAMPLE_BLOCK; i++) {
      if (runs() >= cap) return cutBy('budget');
      if (outOfTime()) return cutBy('time');
      const seed = (Math.imul(o.seed ^ 0x9e3779b9, 0x85ebca6b) ^ (first + i)) >>> 0;
      one(execute(t, new SampleChooser(o.faults, seed, o.strategy, o.depth, points), o.unbind));
    }
    return finish();
  }

  // dfs: every schedule whose first deviation is at the default execution's point `root`
  const fp = footprintsOf(t.board);
  const base = defaultExecution(t, o);
  const root = unit.index - 1;
  const rootNode = base.nodes[root]!;
  // the default execution's states are explored with the whole depth left: by unit 0 and
  // the units whose first deviation comes after them. A schedule of this unit that reaches
  // one has nothing of its own left to find (the same for any split: every process runs the
  // default execution)
  const visited = new Map<string, number>();
  if (o.reduce) for (const key of base.states) visited.set(key, o.depth);
  const zeros = new Array<number>(root).fill(0);
  // the checkpoints of the path being explored: the default execution's up to the root, then
  // this unit's own (only where a later schedule branches off: while the depth leaves room)
  const seeds = base.checkpoints.filter((c) => c.pos <= root);
  for (let opt = 1; opt < rootNode.options.length; opt++) {
    if (o.reduce && symmetric(fp, rootNode.kind, rootNode.label, rootNode.options, opt)) continue;
    // the root's explored siblings sleep in its subtree when they commute
    const rootSleep = o.reduce && isSleepy(rootNode.kind) ? sleepAfter(fp, siblingsBefore(rootNode.options, opt, rootNode.sleepIn), rootNode.options[opt]!) : NONE;
    if (o.reduce && orderExplored(rootNode.kind, rootNode.options, opt, rootSleep)) continue;
    const stack: CheckpointStack = { list: seeds.slice(), below: o.depth };
    let prefix: number[] = [...zeros, opt];
    for (;;) {
      if (runs() >= cap) return cutBy('budget');
      if (outOfTime()) return cutBy('time');
      const ch = new DfsChooser(o.faults, prefix, root, rootSleep, o.depth, o.reduce, fp, visited, counters, stack);
      one(execute(t, ch, o.unbind, lastBefore(stack.list, prefix.length - 1)));
      const next = backtrack(ch.nodes, root, o, fp);
      if (!next) break;
      prefix = next;
      // checkpoints past the branch point belong to the path left behind
      const keep = prefix.length - 1;
      while (stack.list.length > 0 && stack.list[stack.list.length - 1]!.pos > keep) stack.list.pop();
    }
  }
  return finish();
}

export type { ChoicePoint };
