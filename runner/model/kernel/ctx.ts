// The kernel's global state and the services every flow uses: printk, the current
// task, the shadow stack, taint, and the era switches. Flows are plain functions over
// this object, the way kernel code reaches its globals.

import type { ModelBoard, ProbeAction, ResolvedProfile } from '../types.js';
import { DeferList, type Device } from '../core/device.js';
import type { Driver } from '../core/driver.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { Group } from '../iommu/group.js';
import { Printk } from './printk.js';
import { ShadowStack } from './stack.js';
import { Taint } from './taint.js';
import { INIT_TASK, MODPROBE_TASK, SHELL_TASK, deferredWorker, type Task } from './task.js';
import { profileIndex, utsRelease } from './era.js';
import { BEHAVIOUR_NAMES } from '../profiles/behaviours.js';
import { findBuild, symbolTable, type KernelBuild, type SymbolTable } from './builds.js';
import { OopsUnwind } from './reports.js';
import { PageAllocator } from '../dma/pages.js';
import type { BusName } from '../types.js';
import type { Sched } from './sched.js';
import type { EventRecord } from './events.js';
import { deferredProbeTimeoutDefault } from './era.js';
import type { DynDbg } from './dyndbg.js';
import { COPY, copyData, type CopyMap } from '../snapshot.js';
import { HotSwitches } from './switches.js';
import { Table } from './table.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** a board's names of devices, drivers and IOMMU instances, in the order its kernels add them */
export interface KernelNames {
  readonly devices: Table<unknown>;
  readonly drivers: Table<unknown>;
  readonly iommus: Table<unknown>;
}

export interface ArmedFault {
  errno: number;
  /** the driver's dev_err as it fails */
  log?: string;
  /** fail after this many probe actions; undefined = after the last */
  at?: number;
  remaining: number;
  /** the `fault-armed` event, when an event record is kept */
  event?: number;
}

// one lookup table per distinct behaviour set, shared by every kernel built with it
const SWITCHES = new Map<string, ReadonlyMap<string, boolean>>();

// a profile's behaviour list is frozen once resolved: its table is found by identity first
// (joining ~50 ids per kernel was a visible cost of a run), by content otherwise
const SWITCHES_OF = new WeakMap<readonly string[], { length: number; map: ReadonlyMap<string, boolean> }>();

function switchesOf(behaviours: readonly string[]): ReadonlyMap<string, boolean> {
  const hit = SWITCHES_OF.get(behaviours);
  if (hit && hit.length === behaviours.length) return hit.map;
  const map = switchesByKey(behaviours);
  if (Object.isFrozen(behaviours)) SWITCHES_OF.set(behaviours, { length: behaviours.length, map });
  return map;
}

function switchesByKey(behaviours: readonly string[]): ReadonlyMap<string, boolean> {
  const key = behaviours.join(' ');
  let m = SWITCHES.get(key);
  if (!m) {
    // a fuzzer's endless apply/revert mixes must not grow this without bound
    if (SWITCHES.size >= 1024) SWITCHES.clear();
    const on = new Set(behaviours.map((b) => BEHAVIOUR_NAMES.get(b) ?? b));
    m = new Map([...BEHAVIOUR_NAMES].map(([name, id]) => [name, on.has(id)]));
    SWITCHES.set(key, m);
  }
  return m;
}

// the profile's behaviour ids as a set, one per switches table (a kernel built ~50 adds each)
const BEHAVIOUR_SETS = new WeakMap<ReadonlyMap<string, boolean>, { list: readonly string[]; set: ReadonlySet<string> }>();

function behaviourSetOf(behaviours: readonly string[], switches: ReadonlyMap<string, boolean>): ReadonlySet<string> {
  const hit = BEHAVIOUR_SETS.get(switches);
  // the same table can come from two lists (the same ids in another order, an alias): the set is the list's
  if (hit && ((hit.list === behaviours && Object.isFrozen(behaviours)) || (hit.list.length === behaviours.length && hit.list.every((b, i) => b === behaviours[i])))) return hit.set;
  const set = new Set(behaviours);
  BEHAVIOUR_SETS.set(switches, { list: Object.isFrozen(behaviours) ? behaviours : [...behaviours], set });
  return set;
}

/** a snapshot's copy of a list of stateful objects, pushed onto the copy's own (empty) list */
function copyInto<T>(to: T[], from: readonly T[], m: CopyMap): void {
  for (let i = 0; i < from.length; i++) to.push(m.of(from[i]!));
}

// the hot paths' switches per behaviour table and era (both fixed per profile)
const HOT = new WeakMap<ReadonlyMap<string, boolean>, Map<number, HotSwitches>>();

export class KernelCtx {
  readonly behaviours: ReadonlySet<string>;
  /** every name of the behaviour table (ids and aliases) → on in this profile */
  private readonly switches: ReadonlyMap<string, boolean>;
  /** the switches the hot paths read as fields (shared, frozen) */
  readonly on: HotSwitches;
  readonly printk: Printk;
  readonly stack = new ShadowStack();
  readonly taint: Taint;
  readonly uts: string;
  /** the version string's first word (`#287`) */
  readonly utsVersion: string;
  /**
   * The board's architecture, firmware and bus DMA limit, read at every DMA configuration:
   * boards of different optional keys are objects of different shapes, and `k.arch`
   * read across them went megamorphic in a process that ran several boards.
   */
  readonly arch: ModelBoard['arch'];
  readonly firmware: ModelBoard['firmware'];
  readonly busDmaBits: number | undefined;
  /** the thread's build this run prints as, if its board and profile have one */
  readonly build: KernelBuild | undefined;
  /** the offsets this run's traces can print */
  readonly syms: SymbolTable;
  private readonly eraIndex: number;
  private readonly formatIndex: number;
  /** the tasks of this boot: the build's where its thread names them */
  readonly initTask: Task;
  readonly shellTask: Task;
  readonly modprobeTask: Task = MODPROBE_TASK;
  readonly deferredTask: Task;
  task: Task;
  panicked = false;
  oopsCount = 0;
  private oopsId: bigint;
  private lockdepOn = true;

  readonly devices = new Table<Device>();
  /** per bus, in device_add order (the bus klist bus_for_each_dev walks) */
  readonly busDevices: Record<BusName, Device[]> = { platform: [], pci: [], amba: [] };
  /** added devices by the driver name that can match them, in device_add order */
  readonly devicesByMatch = new Table<Device[]>();
  readonly drivers = new Table<Driver>();
  /** per bus, in registration order (bus_for_each_drv) */
  readonly busDrivers: Record<BusName, Driver[]> = { platform: [], pci: [], amba: [] };
  readonly iommus = new Table<IommuInstance>();
  /** iommu_device_list: registered instances in registration order */
  readonly iommuDeviceList: IommuInstance[] = [];
  readonly groups: Group[] = [];
  /** ids in use and the lowest one that may be free (the ida iommu_group_alloc uses) */
  readonly groupIds = new Set<number>();
  groupIdHint = 0;

  // deferred probe (drivers/base/dd.c)
  readonly deferredPending = new DeferList();
  readonly deferredActive = new DeferList();
  deferredTriggerCount = 0;
  deferredProbeEnable = false;
  initcallsDone = false;
  deferredWorkQueued = false;
  /** the deferred work oopsed: it never runs again (its worker died holding it) */
  deferredWorkDead = false;
  /** driver_deferred_probe_timeout after it expired (0), else the configured seconds (-1 = none) */
  deferredProbeTimeout: number;
  deferredTimeoutArmedAt: number | undefined;
  systemRunning = false;

  readonly faults = new Map<string, ArmedFault[]>();
  /** how many fault entries are armed in all (a cheap "none at all" test) */
  armedFaults = 0;
  /** set by a client probe that deferred at its first action, a `wait-for` */
  firstWaitSupplier: Device | null = null;
  /** DMA buffers freed through ops other than the allocating ones */
  readonly foreignFrees: Array<{ device: string; size: number; allocOps: string; ops: string }> = [];
  lastErrno: number | undefined;
  /** async_schedule()d work not yet run */
  readonly asyncWork: Array<{ dev: Device; fn: string; actions: ProbeAction[] }> = [];
  /** the vmalloc area's next free offset (dma_common_pages_remap) */
  vmallocNext: number;
  readonly pages: PageAllocator;
  /** chosen orders (a chooser, or a boot step's pins); null: the kernel's own order, at no cost */
  sched: Sched | null = null;
  /** IOMMU drivers' file-scope globals (driverGlobals), for the canonical state */
  readonly globals = new Map<string, object>();
  /** dynamic debug, when the boot asked for some (`dyndbg=`); null: every dev_dbg is off */
  dyndbg: DynDbg | null = null;
  /** bad_page()'s ratelimit (static locals in mm/page_alloc.c); not in the canonical state */
  badPageRatelimit: { shown: number; unshown: number; resume: number } | null = null;

  constructor(
    readonly board: ModelBoard,
    readonly profile: ResolvedProfile,
    seed: number,
    /** the event record explain reads; undefined (the default) records nothing */
    readonly events?: EventRecord,
    /** a snapshot's copy ([COPY]): what was fixed when `copyOf` was built is shared, not worked out again */
    copyOf?: KernelCtx,
  ) {
    if (copyOf) {
      // (the board's fields read from the copied kernel: boards are objects of many shapes)
      this.arch = copyOf.arch;
      this.firmware = copyOf.firmware;
      this.busDmaBits = copyOf.busDmaBits;
      // [COPY] puts the copy's own in its place
      this.printk = copyOf.printk;
      this.behaviours = copyOf.behaviours;
      this.switches = copyOf.switches;
      this.on = copyOf.on;
      this.eraIndex = copyOf.eraIndex;
      this.build = copyOf.build;
      this.formatIndex = copyOf.formatIndex;
      this.syms = copyOf.syms;
      this.uts = copyOf.uts;
      this.utsVersion = copyOf.utsVersion;
      this.initTask = copyOf.initTask;
      this.shellTask = copyOf.shellTask;
      this.deferredTask = copyOf.deferredTask;
      this.task = copyOf.task;
      this.taint = copyOf.taint;
      this.oopsId = copyOf.oopsId;
      this.deferredProbeTimeout = copyOf.deferredProbeTimeout;
      this.pages = copyOf.pages;
      this.vmallocNext = copyOf.vmallocNext;
      this.eras = copyOf.eras;
      this.formats = copyOf.formats;
      return;
    }
    this.arch = board.arch;
    this.firmware = board.firmware;
    this.busDmaBits = board.busDmaBits;
    this.printk = new Printk(board.consoleBaud);
    this.eras = new Map();
    this.formats = new Map();
    this.switches = switchesOf(profile.behaviours);
    this.behaviours = behaviourSetOf(profile.behaviours, this.switches);
    this.eraIndex = profileIndex(profile.base);
    let hot = HOT.get(this.switches);
    if (!hot) HOT.set(this.switches, (hot = new Map()));
    let on = hot.get(this.eraIndex);
    if (!on) hot.set(this.eraIndex, (on = new HotSwitches(this)));
    this.on = on;
    // a profile with commits applied or reverted is no longer the thread's build
    this.build = profile.name === profile.base ? findBuild(board.id, board.model, profile.base) : undefined;
    this.formatIndex = this.build?.formatEra ? profileIndex(this.build.formatEra) : this.eraIndex;
    this.syms = symbolTable(this.build, board.arch, profile.base);
    this.uts = this.build?.release ?? utsRelease(profile.base, profile.name);
    this.utsVersion = this.build?.version ?? '#1';
    const tasks = this.build?.tasks;
    this.initTask = { ...INIT_TASK, ...tasks?.init };
    this.shellTask = { ...SHELL_TASK, ...tasks?.shell };
    this.deferredTask = deferredWorker(this.since('v6.9'), tasks?.worker);
    this.task = this.initTask;
    this.taint = new Taint(this.since('v6.9') ? 19 : 18);
    // oops_id is random per boot in kernels before ~v6.0; the seed stands in for it
    this.oopsId = BigInt.asUintN(64, 0x4c46c7fd7cd07245n ^ BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n));
    // deferred_probe_timeout: -1 (off) before v5.x; 10 s with CONFIG_MODULES in v6.x
    this.deferredProbeTimeout = deferredProbeTimeoutDefault(this);
    this.pages = new PageAllocator(board.memory);
    // what the boot had vmalloc'ed before the drivers ran: the build's, else 128 MiB
    this.vmallocNext = this.build?.vmallocUsed ?? 0x8000000;
  }

  /**
   * A new kernel of a board whose first kernel named its devices, drivers and IOMMUs in the
   * same order: its tables start out sharing that kernel's index of names (Table.like).
   */
  expectNames(like: KernelNames): void {
    const w = this as Writable<KernelCtx>;
    w.devices = Table.like(like.devices);
    w.drivers = Table.like(like.drivers);
    w.iommus = Table.like(like.iommus);
  }

  /** what expectNames() takes: tables holding a board's names (their values are not read) */
  names(): KernelNames {
    return { devices: Table.like(this.devices), drivers: Table.like(this.drivers), iommus: Table.like(this.iommus) };
  }

  /**
   * A snapshot's copy (snapshot.ts): what the kernel's flows change is copied, what was
   * fixed when it was built (board, profile, build, tasks, behaviour switches) is shared.
   */
  [COPY](m: CopyMap): KernelCtx {
    if (this.events) throw new Error('snapshot: a kernel that keeps an event record cannot be copied');
    const c = m.set(this, new KernelCtx(this.board, this.profile, 0, undefined, this));
    // the plain values (test/model/snapshot.test.ts fails on one left out here)
    c.panicked = this.panicked;
    c.oopsCount = this.oopsCount;
    c.oopsId = this.oopsId;
    c.lockdepOn = this.lockdepOn;
    c.groupIdHint = this.groupIdHint;
    c.deferredTriggerCount = this.deferredTriggerCount;
    c.deferredProbeEnable = this.deferredProbeEnable;
    c.initcallsDone = this.initcallsDone;
    c.deferredWorkQueued = this.deferredWorkQueued;
    c.deferredWorkDead = this.deferredWorkDead;
    c.deferredProbeTimeout = this.deferredProbeTimeout;
    c.deferredTimeoutArmedAt = this.deferredTimeoutArmedAt;
    c.systemRunning = this.systemRunning;
    c.armedFaults = this.armedFaults;
    c.lastErrno = this.lastErrno;
    c.vmallocNext = this.vmallocNext;
    const w = c as Writable<KernelCtx>;
    // every device's shell first: devices point at each other (deferred lists, links, groups)
    const shells: Device[] = [];
    const devices: Device[] = [];
    for (let i = 0; i < this.devices.size; i++) {
      const d = this.devices.at(i);
      let copy = m.get(d);
      if (!copy) shells.push(d, (copy = d.copyShell(m)));
      devices.push(copy);
    }
    w.devices = this.devices.withValues(devices);
    for (let i = 0; i < shells.length; i += 2) shells[i]!.copyFill(shells[i + 1]!, m);
    w.printk = m.of(this.printk);
    w.stack = m.of(this.stack);
    w.taint = m.of(this.taint);
    w.task = this.task;
    for (const b of ['platform', 'pci', 'amba'] as const) {
      copyInto(c.busDevices[b], this.busDevices[b], m);
      copyInto(c.busDrivers[b], this.busDrivers[b], m);
    }
    const byMatch: Device[][] = [];
    for (let i = 0; i < this.devicesByMatch.size; i++) byMatch.push(m.all(this.devicesByMatch.at(i)));
    w.devicesByMatch = this.devicesByMatch.withValues(byMatch);
    const drivers: Driver[] = [];
    for (let i = 0; i < this.drivers.size; i++) drivers.push(m.of(this.drivers.at(i)));
    w.drivers = this.drivers.withValues(drivers);
    const iommus: IommuInstance[] = [];
    for (let i = 0; i < this.iommus.size; i++) iommus.push(m.of(this.iommus.at(i)));
    w.iommus = this.iommus.withValues(iommus);
    copyInto(c.iommuDeviceList, this.iommuDeviceList, m);
    copyInto(c.groups, this.groups, m);
    for (const id of this.groupIds) c.groupIds.add(id);
    w.deferredPending = m.of(this.deferredPending);
    w.deferredActive = m.of(this.deferredActive);
    for (const [name, list] of this.faults) c.faults.set(name, list.map((f) => ({ ...f })));
    c.firstWaitSupplier = m.of(this.firstWaitSupplier);
    // records of what happened: never changed once added
    for (let i = 0; i < this.foreignFrees.length; i++) c.foreignFrees.push(this.foreignFrees[i]!);
    for (const work of this.asyncWork) c.asyncWork.push({ ...work, dev: m.of(work.dev) });
    w.pages = m.of(this.pages);
    c.sched = m.of(this.sched);
    for (const [name, g] of this.globals) c.globals.set(name, copyData(g, m));
    c.badPageRatelimit = this.badPageRatelimit && { ...this.badPageRatelimit };
    // set once by the boot step before its first initcall, never changed after: shared
    c.dyndbg = this.dyndbg;
    return c;
  }

  has(behaviour: string): boolean {
    const on = this.switches.get(behaviour);
    // a typo must not silently read "off": only ids of the table (or their aliases) exist
    if (on === undefined) throw new Error(`model: has('${behaviour}'): no such behaviour in the behaviour table`);
    return on;
  }

  // memos of since()/formatSince(), shared by a kernel's snapshots (the answers never change)
  private readonly eras: Map<string, boolean>;

  /** the profile is based on `profile` or a later one (log formats, era mechanisms) */
  since(profile: string): boolean {
    let v = this.eras.get(profile);
    if (v === undefined) {
      v = this.eraIndex >= profileIndex(profile);
      this.eras.set(profile, v);
    }
    return v;
  }

  private readonly formats: Map<string, boolean>;

  /** the report formats (not the behaviour) are those of `profile` or later */
  formatSince(profile: string): boolean {
    let v = this.formats.get(profile);
    if (v === undefined) {
      v = this.formatIndex >= profileIndex(profile);
      this.formats.set(profile, v);
    }
    return v;
  }

  nextOopsId(): string {
    if (this.since('v6.9')) return '0000000000000000';
    const id = this.oopsId;
    this.oopsId = BigInt.asUintN(64, this.oopsId + 1n);
    return id.toString(16).padStart(16, '0');
  }

  /** add_taint(..., LOCKDEP_NOW_UNRELIABLE): the first time turns lock debugging off */
  lockdepOff(): void {
    if (!this.lockdepOn) return;
    this.lockdepOn = false;
    this.printk.emit('Disabling lock debugging due to kernel taint');
  }

  /** debug_locks_off() as oops_enter() calls it: silently */
  debugLocksOff(): void {
    this.lockdepOn = false;
  }

  log(text: string): void {
    this.printk.emit(text);
  }

  /** a KERN_DEBUG record (dev_dbg, pr_debug): in the ring, not on the console */
  logDebug(text: string): void {
    this.printk.emit(text, false);
  }

  /**
   * Run `body` as kernel function `fn` (for the shadow stack). No try/finally: an oops or a
   * panic unwinds to inTask() or perform(), which cut the stack back to where they began,
   * so the frames an exception skips are dropped there. A finally per frame (thousands a
   * run) kept the JIT from inlining the bodies: a tenth of a model run.
   */
  call<T>(fn: string, body: () => T): T {
    const s = this.stack;
    s.push(fn);
    const r = body();
    s.pop();
    return r;
  }

  /**
   * call() for the paths run per device at every IOMMU registration's bus walk: `body` a
   * module-level function of its arguments, so no closure (and context) is allocated and
   * first-called per frame; those were most of what a 10,000-device boot allocated.
   */
  callWith<A, B, C, T>(fn: string, body: (k: KernelCtx, a: A, b: B, c: C) => T, a: A, b: B, c: C): T {
    const s = this.stack;
    s.push(fn);
    const r = body(this, a, b, c);
    s.pop();
    return r;
  }

  /**
   * Run `body` in `task` with `frames` as the bottom of its stack. An oops abandons the
   * body (the task dies; the rest of the kernel goes on); a panic propagates.
   * Returns false when the body oopsed.
   */
  inTask(task: Task, frames: readonly string[], body: () => void): boolean {
    const savedTask = this.task;
    // another task runs on its own stack: its trace never shows the caller's frames
    const savedStack = this.task === task ? null : this.stack.switchOut();
    const depth = this.stack.depth();
    this.task = task;
    for (let i = 0; i < frames.length; i++) this.stack.push(frames[i]!);
    try {
      body();
      return true;
    } catch (e) {
      if (e instanceof OopsUnwind) return false;
      throw e;
    } finally {
      this.stack.truncate(depth);
      if (savedStack !== null) this.stack.restore(savedStack);
      this.task = savedTask;
    }
  }
}
