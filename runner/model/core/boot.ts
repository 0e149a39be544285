// The `boot` step: device creation, initcalls level by level, deferred probe at
// late_initcall, then userspace (udev loads the module drivers that are not held).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Driver } from './driver.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { Initcall } from '../types.js';
import { INITCALL_ORDER } from '../types.js';
import { initFrames, moduleFrames } from '../kernel/entry.js';
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
  for (const inst of l.instances) {
    if (inst.registered || k.panicked) continue;
    k.call('pci_iommu_init', () => k.call(`${inst.impl.symbol}_init`, () => inst.impl.probe(k, inst)));
  }
}

function banner(k: KernelCtx): void {
  k.log(`Linux version ${k.uts} (bringup@model) (gcc (GCC) 12.2.0, GNU ld 2.40) #1 SMP PREEMPT`);
  if (k.board.firmware === 'dt') k.log(`Machine model: ${k.board.model}`);
  else k.log(`DMI: ${k.board.model}`);
}

export function boot(k: KernelCtx, loadables: readonly Loadable[], hold: ReadonlySet<string>, heldName: (l: Loadable) => string[]): void {
  const isHeld = (l: Loadable): boolean => heldName(l).some((n) => hold.has(n));
  if (k.sched) {
    scheduledBoot(k, loadables, isHeld, (l) => heldName(l)[0] ?? '');
    return;
  }
  populate(k);
  for (const level of INITCALL_ORDER) {
    for (const l of loadables) {
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
  for (const l of loadables) {
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
    if (k.since('v5.14')) k.log('iommu: Default domain type: Translated');
    k.call('of_platform_default_populate_init', () => {
      for (const inst of k.iommus.values()) if (inst.dev) deviceAdd(k, inst.dev);
      for (const dev of k.devices.values()) if (!dev.iommuInstance && dev.board?.present && dev.status === 'okay') deviceAdd(k, dev);
    });
  });
}

/**
 * boot() with chosen or pinned orders (choice.ts): which IOMMU drivers register as late
 * modules (after the board's modules), the order inside each initcall level, and the order
 * udev loads modules in. Option 0 everywhere is boot()'s own order.
 */
function scheduledBoot(k: KernelCtx, loadables: readonly Loadable[], isHeld: (l: Loadable) => boolean, name: (l: Loadable) => string): void {
  const s = k.sched!;
  populate(k);
  const late: Loadable[] = [];
  for (const l of loadables) {
    // a platform IOMMU driver can be a module; x86's DMAR/IVRS units are set up by an initcall
    if (l.kind !== 'driver' || !l.driver.iommuImpl || isHeld(l)) continue;
    const n = name(l);
    const options = s.late.has(n) ? ['module', 'initcall'] : ['initcall', 'module'];
    if (options[s.choose('iommu-registration', `iommu:${n}`, options)] === 'module') {
      late.push(l);
      s.lateNames.push(n);
    }
  }
  const stop = (): boolean => k.panicked;
  for (const level of INITCALL_ORDER) {
    const due = loadables.filter((l) => l.initcall === level && !isHeld(l) && !late.includes(l));
    s.runInOrder('initcall-order', `initcall:${level}`, due, name, s.order, (l) => void k.inTask(k.initTask, initFrames(k), () => runLoadable(k, l)), stop);
    if (level === 'late' && !k.panicked) k.inTask(k.initTask, initFrames(k), () => k.call('deferred_probe_initcall', () => deferredProbeInitcall(k)));
  }
  if (k.panicked) return;
  k.log('Freeing unused kernel memory: 1216K');
  k.log('Run /init as init process');
  k.systemRunning = true;
  const modules = [...loadables.filter((l) => l.initcall === 'module' && !isHeld(l)), ...late];
  s.runInOrder('module-order', 'modules', modules, name, s.order, (l) => loadModule(k, l), stop);
}

/** modprobe: the module's init registers the driver; the deferred work runs after */
export function loadModule(k: KernelCtx, l: Loadable): void {
  k.inTask(k.modprobeTask, moduleFrames(k), () => {
    deferredProbeExtendTimeout(k);
    runLoadable(k, l);
  });
  flushDeferredProbe(k);
}
