// The model kernel the runner drives (api.ts): builds the devices, drivers and IOMMU
// instances of a board, and performs steps as the kernel would.

import type { CheckFailure, DeviceState, IommuState, Kernel, KernelOptions, KernelSnapshot, LogLine, StepOutcome } from './api.js';
import { DEVICE_ADDED, DEVICE_BOUND, DEVICE_DEFERRED } from './api.js';
import type { Chooser } from './choice.js';
import type { BoardDevice, ModelBoard, ModelStep, ResolvedProfile } from './types.js';
import { KernelCtx, type KernelNames } from './kernel/ctx.js';
import { PanicUnwind } from './kernel/reports.js';
import { moduleFrames, shellFrames, sysfsWriteFrames } from './kernel/entry.js';
import { ERRNO } from './kernel/errno.js';
import { Device } from './core/device.js';
import { Driver } from './core/driver.js';
import { IommuInstance } from './iommu/instance.js';
import { findIommuDriver } from './drivers/catalog.js';
import { boot, continueBoot, loadModule, type Loadable } from './core/boot.js';
import { bindStore, unbindStore } from './core/sysfs.js';
import { driverUnregister } from './core/dd.js';
import { deviceAdd, deviceDel } from './core/device-add.js';
import { deferredProbeTimeoutExpires, devicesDeferredShow, flushDeferredProbe } from './core/deferred.js';
import { iommuDeviceUnregister } from './iommu/core.js';
import { reportedOps } from './dma/arch.js';
import { builtInChecks } from './checks.js';
import { Sched } from './kernel/sched.js';
import { stateKey } from './state-key.js';
import { DynDbg, parseDdebugQueries } from './kernel/dyndbg.js';
import { COPY, CopyMap, isShared, shareDeep } from './snapshot.js';
import type { IommuDriverImpl } from './iommu/driver-impl.js';

/**
 * What a board's loadables are and what each is called: the same for every kernel of the
 * board, so worked out once (a kernel is made per run, thousands of times a second, and
 * these maps were a tenth of making one).
 */
interface BoardPlan {
  /** each IOMMU node's catalog driver */
  impls: IommuDriverImpl[];
  /** the bus of the devices a client driver serves */
  busOf: ReadonlyMap<string, BoardDevice['bus']>;
  /** a loadable's index in the kernel's list by every name a scenario may use for it */
  index: ReadonlyMap<string, number>;
  /** the names of the loadable at each index */
  names: readonly (readonly string[])[];
  /** the names the board's first kernel gave its tables: later kernels add the same, in order */
  tableNames?: KernelNames;
}

const PLANS = new WeakMap<ModelBoard, BoardPlan>();

function boardPlan(board: ModelBoard): BoardPlan {
  let plan = PLANS.get(board);
  if (plan) return plan;
  const impls = board.iommus.map((node) => {
    const impl = findIommuDriver(node.driver);
    if (!impl) throw new Error(`board ${board.id}: unknown IOMMU driver "${node.driver}"`);
    return impl;
  });
  // the kernel's order: one loadable per catalog driver in node order, then the clients
  const catalog: IommuDriverImpl[] = [];
  for (const impl of impls) if (!catalog.some((c) => c.name === impl.name)) catalog.push(impl);
  const index = new Map<string, number>();
  catalog.forEach((impl, i) => {
    index.set(impl.name, i);
    if (!impl.initcallRegistered) index.set(impl.driverName, i);
  });
  board.drivers.forEach((cd, i) => index.set(cd.name, catalog.length + i));
  const names: string[][] = Array.from({ length: catalog.length + board.drivers.length }, () => []);
  for (const [n, i] of index) names[i]!.push(n);
  const busOf = new Map<string, BoardDevice['bus']>();
  for (const d of board.devices) if (d.driver && !busOf.has(d.driver)) busOf.set(d.driver, d.bus);
  plan = { impls, busOf, index, names };
  PLANS.set(board, plan);
  return plan;
}

export class ModelKernel implements Kernel {
  private readonly k: KernelCtx;
  private readonly loadables: Loadable[] = [];
  private readonly plan: BoardPlan;
  private booted = false;
  /** oopses before the step under way (a snapshot taken inside it finishes it) */
  private oopsBefore = 0;

  constructor(board: ModelBoard, profile: ResolvedProfile, opts: KernelOptions = {}) {
    const plan = (this.plan = boardPlan(board));
    const k = (this.k = new KernelCtx(board, profile, opts.seed ?? 0, opts.events));
    if (plan.tableNames) k.expectNames(plan.tableNames);
    if (opts.chooser) k.sched = new Sched(opts.chooser);
    const iommuLoadables = new Map<string, Loadable>();
    for (let n = 0; n < board.iommus.length; n++) {
      const node = board.iommus[n]!;
      const impl = plan.impls[n]!;
      const inst = new IommuInstance(node, impl);
      k.iommus.set(node.name, inst);
      let l = iommuLoadables.get(impl.name);
      if (impl.initcallRegistered) {
        if (!l) {
          l = { kind: 'iommu-initcall', name: impl.name, instances: [], initcall: impl.initcall };
          iommuLoadables.set(impl.name, l);
        }
        if (l.kind === 'iommu-initcall' && inst.available) l.instances.push(inst);
        continue;
      }
      // a disabled node never gets a platform device
      if (inst.available) {
        const dev = new Device(node.name, 'platform', node.compatible, node.status, [], 64, undefined, undefined, inst);
        inst.dev = dev;
        k.devices.set(dev.name, dev);
      }
      if (!l) {
        l = { kind: 'driver', driver: new Driver(impl.driverName, 'platform', impl.initcall, undefined, impl), initcall: impl.initcall };
        iommuLoadables.set(impl.name, l);
        k.drivers.set(impl.driverName, (l as { driver: Driver }).driver);
      }
    }
    for (let i = 0; i < board.devices.length; i++) {
      const d = board.devices[i]!;
      const dev = new Device(d.name, d.bus, d.compatible, d.status, d.iommus, d.dmaBits, d.driver, d);
      // DT devices are non-coherent unless marked dma-coherent; ACPI's _CCA defaults to coherent
      dev.dmaCoherent = d.dmaCoherent ?? board.firmware === 'acpi';
      k.devices.set(d.name, dev);
    }
    const clientLoadables: Loadable[] = [];
    for (let i = 0; i < board.drivers.length; i++) {
      const cd = board.drivers[i]!;
      const bus = plan.busOf.get(cd.name) ?? 'platform';
      const drv = new Driver(cd.name, bus, cd.initcall, cd, undefined);
      k.drivers.set(cd.name, drv);
      clientLoadables.push({ kind: 'driver', driver: drv, initcall: cd.initcall });
    }
    this.loadables.push(...iommuLoadables.values(), ...clientLoadables);
    // empty tables over this kernel's index: what a snapshot shares of the plan holds no kernel state
    plan.tableNames ??= k.names();
  }

  get board(): ModelBoard {
    return this.k.board;
  }

  get profile(): ResolvedProfile {
    return this.k.profile;
  }

  get panicked(): boolean {
    return this.k.panicked;
  }

  get log(): readonly LogLine[] {
    return this.k.printk.lines;
  }

  private names(l: Loadable): readonly string[] {
    return this.plan.names[this.loadables.indexOf(l)] ?? [];
  }

  /** the loadable a scenario names (a catalog, driver or client driver name) */
  private byName(name: string): Loadable | undefined {
    const i = this.plan.index.get(name);
    return i === undefined ? undefined : this.loadables[i];
  }

  perform(step: ModelStep): StepOutcome {
    const k = this.k;
    if (k.panicked) return { oopsed: false, panicked: true };
    k.events?.beginStep(step);
    const before = (this.oopsBefore = k.oopsCount);
    k.sched?.stepStart();
    let errno: number | undefined;
    const depth = k.stack.depth();
    try {
      errno = this.dispatch(step);
    } catch (e) {
      // frames have no finally (KernelCtx.call): inTask() cuts a task's frames back; this
      // covers a panic raised outside any task
      k.stack.truncate(depth);
      if (!(e instanceof PanicUnwind)) throw e;
    }
    const out: StepOutcome = { oopsed: k.oopsCount > before, panicked: k.panicked };
    if (errno !== undefined) out.errno = errno;
    return out;
  }

  snapshot(): KernelSnapshot {
    const k = this.k;
    // what the copy shares with the original: the model's input, never written
    if (!isShared(k.board)) {
      shareDeep(k.board);
      shareDeep(k.profile);
    }
    for (const inst of k.iommus.values()) if (!isShared(inst.impl)) shareDeep(inst.impl);
    if (!isShared(this.plan)) shareDeep(this.plan);
    return { root: new CopyMap().of(this as ModelKernel), index: undefined } as unknown as KernelSnapshot;
  }

  /** a kernel that goes on from a snapshot, asking `chooser` from now on (none: the snapshotted kernel's own) */
  static restore(snapshot: KernelSnapshot, chooser?: Chooser): ModelKernel {
    const out = CopyMap.restore(snapshot as unknown as { root: ModelKernel; index?: ReadonlyMap<object, number> });
    if (chooser) out.k.sched?.handOver(chooser);
    return out;
  }

  resume(): StepOutcome | undefined {
    const k = this.k;
    if (!k.sched?.boot || k.panicked) return undefined;
    const depth = k.stack.depth();
    try {
      continueBoot(k, this.loadables, (l) => this.names(l));
    } catch (e) {
      k.stack.truncate(depth);
      if (!(e instanceof PanicUnwind)) throw e;
    }
    return { oopsed: k.oopsCount > this.oopsBefore, panicked: k.panicked };
  }

  [COPY](m: CopyMap): ModelKernel {
    const c = m.set(this, Object.create(ModelKernel.prototype) as ModelKernel);
    // the loadables first: a boot under way holds them in its cursor
    const loadables = this.loadables.map((l) => m.set(l, l.kind === 'driver' ? { kind: l.kind, driver: m.of(l.driver), initcall: l.initcall } : { kind: l.kind, name: l.name, instances: m.all(l.instances), initcall: l.initcall }));
    const k = m.of(this.k);
    // the plan is the board's: shared. Fields set one by one, in the order Object.assign of
    // a { k, loadables, plan, booted, oopsBefore } literal set them (the same object shape)
    const w = c as unknown as { k: KernelCtx; loadables: Loadable[]; plan: BoardPlan; booted: boolean; oopsBefore: number };
    w.k = k;
    w.loadables = loadables;
    w.plan = this.plan;
    w.booted = this.booted;
    w.oopsBefore = this.oopsBefore;
    return c;
  }

  /** a write to a sysfs attribute from the shell; the result is what write() returned */
  private sysfsWrite(body: () => number): number {
    const k = this.k;
    let ret = -ERRNO.EIO!;
    const ok = k.inTask(k.shellTask, sysfsWriteFrames(k), () => {
      ret = body();
    });
    // a write whose kernel call oopsed never returns to the shell: it is killed
    if (!ok) ret = -ERRNO.EFAULT!;
    k.lastErrno = ret;
    flushDeferredProbe(k);
    return ret;
  }

  private dispatch(step: ModelStep): number | undefined {
    const k = this.k;
    switch (step.op) {
      case 'boot': {
        if (this.booted) return undefined;
        this.booted = true;
        if (step.order || step.late || step.asyncOrder || step.deferredOrder || step.retryAfter) (k.sched ??= new Sched(null)).setPins(step);
        // the dyndbg= boot parameter: dynamic_debug_init() applies it before any initcall
        if (step.dyndbg?.length) {
          k.dyndbg = new DynDbg((p) => k.since(p));
          for (const q of step.dyndbg) k.dyndbg.apply(parseDdebugQueries(q));
        }
        boot(k, this.loadables, new Set(step.hold), (l) => this.names(l));
        return undefined;
      }
      case 'bind': {
        const dev = k.devices.get(step.device);
        const name = step.driver ?? dev?.board?.driver ?? (dev?.iommuInstance ? dev.iommuInstance.impl.name : undefined);
        const l = name ? this.byName(name) : undefined;
        const drv = l?.kind === 'driver' ? l.driver : undefined;
        // no such driver directory in sysfs: the shell cannot open the bind file
        if (!drv || !drv.registered || drv.iommuImpl?.suppressBindAttrs) {
          k.lastErrno = -ERRNO.ENOENT!;
          return k.lastErrno;
        }
        return this.sysfsWrite(() => bindStore(k, drv, dev));
      }
      case 'unbind': {
        const dev = k.devices.get(step.device);
        const drv = dev?.driver ?? (dev?.board?.driver ? k.drivers.get(dev.board.driver) : undefined);
        if (!drv || !drv.registered || drv.iommuImpl?.suppressBindAttrs) {
          k.lastErrno = -ERRNO.ENOENT!;
          return k.lastErrno;
        }
        return this.sysfsWrite(() => unbindStore(k, drv, dev));
      }
      case 'fail-probe': {
        const list = k.faults.get(step.device) ?? [];
        const event = k.events?.add('fault-armed', undefined, { device: step.device, errno: step.errno, detail: `at ${step.at ?? 'end'}, ${step.times} time(s)` });
        list.push({ errno: step.errno, ...(step.at !== undefined ? { at: step.at } : {}), remaining: Math.max(1, step.times), ...(step.log !== undefined ? { log: step.log } : {}), ...(event !== undefined ? { event } : {}) });
        k.faults.set(step.device, list);
        k.armedFaults++;
        return undefined;
      }
      case 'register-iommu-late':
      case 'load-module': {
        const l = this.byName(step.driver);
        if (l) loadModule(k, l);
        return undefined;
      }
      case 'unload-module': {
        const l = this.byName(step.driver);
        if (!l) return undefined;
        k.inTask(k.modprobeTask, [...moduleFrames(k).slice(0, 1), '__arm64_sys_delete_module'], () => {
          if (l.kind === 'driver') {
            if (l.driver.registered) driverUnregister(k, l.driver);
            if (l.driver.iommuImpl) for (const inst of k.iommus.values()) if (inst.impl === l.driver.iommuImpl && inst.registered) iommuDeviceUnregister(k, inst);
          } else {
            for (const inst of l.instances) if (inst.registered) iommuDeviceUnregister(k, inst);
          }
        });
        flushDeferredProbe(k);
        return undefined;
      }
      case 'add-device': {
        const dev = k.devices.get(step.device);
        if (!dev || dev.added || dev.status !== 'okay') return undefined;
        k.inTask(k.shellTask, shellFrames(k, 'bus_rescan_store'), () => deviceAdd(k, dev));
        flushDeferredProbe(k);
        return undefined;
      }
      case 'remove-device': {
        const dev = k.devices.get(step.device);
        if (!dev || !dev.added) return undefined;
        k.inTask(k.shellTask, shellFrames(k, 'remove_store'), () => deviceDel(k, dev));
        flushDeferredProbe(k);
        return undefined;
      }
      case 'deferred-timeout':
        deferredProbeTimeoutExpires(k);
        return undefined;
    }
  }

  device(name: string): DeviceState | undefined {
    const dev = this.k.devices.get(name);
    if (!dev) return undefined;
    return {
      name,
      added: dev.added,
      bound: dev.bound && dev.driver !== null,
      driver: dev.bound && dev.driver ? dev.driver.name : null,
      deferred: dev.deferred,
      group: dev.group ? dev.group.id : null,
      dmaOps: reportedOps(dev),
    };
  }

  deviceBits(name: string): number {
    const dev = this.k.devices.get(name);
    if (!dev) return -1;
    // as device() reports them
    return (dev.added ? DEVICE_ADDED : 0) | (dev.bound && dev.driver !== null ? DEVICE_BOUND : 0) | (dev.deferred ? DEVICE_DEFERRED : 0);
  }

  iommu(name: string): IommuState | undefined {
    const inst = this.k.iommus.get(name);
    return inst ? { name, registered: inst.registered } : undefined;
  }

  taint(): string {
    return this.k.taint.letters();
  }

  lastErrno(): number | undefined {
    return this.k.lastErrno;
  }

  checks(): CheckFailure[] {
    return builtInChecks(this.k);
  }

  devicesDeferred(): string[] | undefined {
    return devicesDeferredShow(this.k);
  }

  stateKey(midStep = false): string {
    return stateKey(this.k, midStep);
  }
}
