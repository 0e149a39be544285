// The `boot` step: device creation, initcalls level by level, deferred probe at
// late_initcall, then userspace (udev loads the module drivers that are not held).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Driver } from './driver.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { Initcall } from '../types.js';
import { INITCALL_ORDER } from '../types.js';
import { initFrames, moduleFrames } from '../kernel/entry.js';
import { linuxBanner } from '../kernel/banner.js';
import { deviceAdd } from './device-add.js';
import { driverRegister } from './dd.js';
import { deferredProbeExtendTimeout, deferredProbeInitcall, flushDeferredProbe } from './deferred.js';


/** what a loadable unit of the board is: a driver, or an IOMMU that registers from an initcall */
export type Loadable =
  | { kind: 'driver'; driver: Driver; initcall: Initcall }
  | { kind: 'iommu-initcall'; name: string; instances: IommuInstance[]; initcall: Initcall };

function registerWrapper(drv: Driver): string {
  return drv.bus === 'pci' ? '__pci_register_driver' : drv.bus === 'amba' ? 'amba_driver_register' : '__platform_driver_register';
}

/** do_one_initcall(<fn>) of one loadable, in the current task */
export function runLoadable(k: KernelCtx, l: Loadable): void {
  if (l.kind === 'driver') {
    if (l.driver.registered) return;
    k.call(l.driver.initFn, () => k.call(registerWrapper(l.driver), () => driverRegister(k, l.driver)));
    return;
  }
  for (let i = 0; i < l.instances.length; i++) {
    const inst = l.instances[i]!;
    if (inst.registered || k.panicked) continue;
    k.call('pci_iommu_init', () => k.call(`${inst.impl.symbol}_init`, () => inst.impl.probe(k, inst)));
  }
}

function banner(k: KernelCtx): void {
  k.printk.running = false;
  k.log(linuxBanner(k));
  if (k.firmware === 'dt') k.log(`Machine model: ${k.board.model}`);
  else k.log(`DMI: ${k.board.model}`);
  // sched_clock runs from here on: the lines above are stamped 0, as in every real boot
  k.printk.running = true;
}

export function boot(k: KernelCtx, loadables: readonly Loadable[], hold: ReadonlySet<string>, heldName: (l: Loadable) => readonly string[]): void {
  const isHeld = (l: Loadable): boolean => heldName(l).some((n) => hold.has(n));
  if (k.sched) {
    populate(k);
    k.sched.boot = { stage: 0, left: null, late: [], hold };
    continueBoot(k, loadables, heldName);
    return;
  }
  populate(k);
  for (let j = 0; j < INITCALL_ORDER.length; j++) {
    const level = INITCALL_ORDER[j]!;
    for (let i = 0; i < loadables.length; i++) {
      const l = loadables[i]!;
      if (l.initcall !== level || k.panicked) continue;
      if (isHeld(l)) {
        k.events?.add('driver-held', 'do_initcalls', { driver: heldName(l)[0] });
        continue;
      }
      k.inTask(k.initTask, initFrames(k), () => runLoadable(k, l));
    }
    if (level === 'late' && !k.panicked) k.inTask(k.initTask, initFrames(k), () => k.call('deferred_probe_initcall', () => deferredProbeInitcall(k)));
  }
  if (k.panicked) return;
  k.log('Freeing unused kernel memory: 1216K');
  k.log('Run /init as init process');
  k.systemRunning = true;
  // udev: the modules of present devices get loaded, unless the scenario holds them
  for (let i = 0; i < loadables.length; i++) {
    const l = loadables[i]!;
    if (l.initcall !== 'module' || k.panicked) continue;
    if (isHeld(l)) {
      k.events?.add('driver-held', 'udev', { driver: heldName(l)[0] });
      continue;
    }
    loadModule(k, l);
  }
}

/** device creation: IOMMU instances first, then clients, each in file order */
function populate(k: KernelCtx): void {
  k.inTask(k.initTask, initFrames(k), () => {
    banner(k);
    if (k.on.v5_14) k.log('iommu: Default domain type: Translated');
    k.call('of_platform_default_populate_init', () => {
      for (const inst of k.iommus.values()) if (inst.dev) deviceAdd(k, inst.dev);
      for (const dev of k.devices.values()) if (!dev.iommuInstance && dev.board?.present && dev.status === 'okay') deviceAdd(k, dev);
    });
  });
}

/**
 * boot() with chosen or pinned orders (choice.ts), after populate(): which IOMMU drivers
 * register as late modules (after the board's modules), the order inside each initcall
 * level, and the order udev loads modules in. Option 0 everywhere is boot()'s own order.
 *
 * It runs from the cursor in k.sched.boot and keeps it current, so that at a checkpoint
 * (between two initcalls or module loads, where the call stack holds nothing the heap does
 * not) a snapshot of the kernel can finish the boot: a restored kernel calls this again.
 */
export function continueBoot(k: KernelCtx, loadables: readonly Loadable[], heldName: (l: Loadable) => readonly string[]): void {
  const s = k.sched!;
  const c = s.boot!;
  const isHeld = (l: Loadable): boolean => heldName(l).some((n) => c.hold.has(n));
  const name = (l: Loadable): string => heldName(l)[0] ?? '';
  const stop = (): boolean => k.panicked;
  const checkpoints = s.chooser?.checkpoint !== undefined;
  const levels = INITCALL_ORDER.length;
  if (c.stage === 0) {
    // a platform IOMMU driver can be a module; x86's DMAR/IVRS units are set up by an initcall
    c.left ??= loadables.filter((l) => l.kind === 'driver' && l.driver.iommuImpl !== undefined && !isHeld(l));
    while (c.left.length > 0) {
      if (checkpoints) s.checkpoint();
      const l = c.left.shift()!;
      const n = name(l);
      const options = s.late.has(n) ? ['module', 'initcall'] : ['initcall', 'module'];
      if (options[s.choose('iommu-registration', `iommu:${n}`, options)] === 'module') {
        c.late.push(l);
        s.lateNames.push(n);
      }
    }
    c.stage = 1;
    c.left = null;
  }
  for (; c.stage <= levels; c.stage++, c.left = null) {
    const level = INITCALL_ORDER[c.stage - 1]!;
    c.left ??= loadables.filter((l) => l.initcall === level && !isHeld(l) && !c.late.includes(l));
    s.runLeft('initcall-order', `initcall:${level}`, c.left, name, s.order, (l) => void k.inTask(k.initTask, initFrames(k), () => runLoadable(k, l)), stop, checkpoints);
    if (level === 'late' && !k.panicked) {
      if (checkpoints) s.checkpoint();
      k.inTask(k.initTask, initFrames(k), () => k.call('deferred_probe_initcall', () => deferredProbeInitcall(k)));
    }
  }
  if (k.panicked) return;
  if (c.left === null) {
    k.log('Freeing unused kernel memory: 1216K');
    k.log('Run /init as init process');
    k.systemRunning = true;
    c.left = [...loadables.filter((l) => l.initcall === 'module' && !isHeld(l)), ...c.late];
  }
  s.runLeft('module-order', 'modules', c.left, name, s.order, (l) => loadModule(k, l), stop, checkpoints);
  s.boot = null;
}

/** modprobe: the module's init registers the driver; the deferred work runs after */
export function loadModule(k: KernelCtx, l: Loadable): void {
  k.inTask(k.modprobeTask, moduleFrames(k), () => {
    deferredProbeExtendTimeout(k);
    runLoadable(k, l);
  });
  flushDeferredProbe(k);
}
