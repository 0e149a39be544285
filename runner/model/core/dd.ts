// The driver core's probe and release paths (drivers/base/dd.c), with the error
// labels of each era. Return values follow the modern convention internally:
// 0 = bound, a positive errno = the probe failed, a negative errno = a core error.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import type { Driver } from './driver.js';
import { ERRNO } from '../kernel/errno.js';
import { devInfo } from '../kernel/device-printk.js';
import { warn } from '../kernel/reports.js';
import { workerFrames } from '../kernel/entry.js';
import { busDmaCleanup, busDmaConfigure, driverMatchDevice } from './bus.js';
import { archTeardownDmaOps } from '../dma/arch.js';
import { devresReleaseAll } from './devres.js';
import { deferredProbeAdd, deferredProbeDel, deferredProbeSupplierReason, deferredProbeTrigger, flushDeferredProbe } from './deferred.js';
import { callDriverProbe, callDriverRemove, runAsyncWork, supplierMissing } from './probe.js';
import { deviceLinksUnbindConsumers, deviceLinksDriverCleanup, deviceLinksNoDriver, fwDevlinkWaitingSupplier } from './links.js';
import { causing } from '../kernel/events.js';
import { BUS_ADD_DRIVER, BUS_REMOVE_DRIVER, DD_ASYNC, DD_ASYNC_DONE, DD_BOUND_DEVICE, DD_BOUND_TO, DD_DEFERRAL, DD_MATCHED, DD_PROBING, DD_REJECTS } from '../kernel/dyndbg.js';

const EPROBE_DEFER = ERRNO.EPROBE_DEFER!;
const ENODEV = ERRNO.ENODEV!;
const ENXIO = ERRNO.ENXIO!;
const EBUSY = ERRNO.EBUSY!;

/**
 * A deferral at a first-action `wait-for` that printed nothing, on a device with no IOMMU
 * to (re)configure, leaves the state as the next attempt would: remember it, so the
 * deferred work can skip retries until the supplier binds.
 */
function rememberMootDeferral(k: KernelCtx, dev: Device, drv: Driver, ret: number, linesBefore: number): void {
  const supplier = k.firstWaitSupplier;
  k.firstWaitSupplier = null;
  // with dynamic debug on, a retry prints ("Retrying from deferred list"): never skip one
  const moot = ret === -EPROBE_DEFER && k.dyndbg === null && supplier !== null && k.printk.lines.length === linesBefore && dev.iommus.length === 0 && !dev.iommuInstance;
  dev.deferMemo = moot ? { driver: drv, supplier } : null;
}

/** driver_bound(): on the driver's list, off the deferred list, and kick the deferred work */
function driverBound(k: KernelCtx, dev: Device): void {
  dev.deferMemo = null;
  if (dev.bound) {
    k.log(`driver_bound: device ${dev.name} already bound`);
    return;
  }
  dev.bound = true;
  const dd = k.dyndbg;
  if (dd !== null && dd.on(DD_BOUND_TO)) {
    const drv = dev.driver!.name;
    dd.emit(k, DD_BOUND_TO, dev, k.on.v6_9 ? `driver: '${drv}': driver_bound: bound to device` : `driver: '${drv}': driver_bound: bound to device '${dev.name}'`);
  }
  deferredProbeDel(k, dev);
  const rec = k.events;
  if (rec) rec.within(rec.add('bound', 'driver_bound', { device: dev.name, driver: dev.driver?.name }), () => deferredProbeTrigger(k));
  else deferredProbeTrigger(k);
  if (k.sched) triggerLandsNow(k, dev);
}

/**
 * The trigger of a bind outside the deferred work may land before the next probe (the
 * work runs on another CPU): choice point, or the `retry-after` pin, the first time the
 * device binds in a step, when something waits on the deferred lists.
 */
function triggerLandsNow(k: KernelCtx, dev: Device): void {
  const s = k.sched!;
  if (s.inDeferredWork || !k.deferredWorkQueued || k.deferredActive.empty || s.triggerSeen.has(dev.name)) return;
  s.triggerSeen.add(dev.name);
  const options = s.retryAfter.has(dev.name) ? ['now', 'later'] : ['later', 'now'];
  if (options[s.choose('deferred-trigger', `trigger:${dev.name}`, options)] === 'now') s.flushSoon = true;
}

function probeFailedMessage(k: KernelCtx, dev: Device, drv: Driver, err: number): void {
  // -EPROBE_DEFER, -ENODEV and -ENXIO are dev_dbg/pr_debug only
  if (err === -EPROBE_DEFER || err === -ENODEV || err === -ENXIO) {
    if (k.dyndbg !== null) probeQuietMessage(k, dev, drv, err);
    return;
  }
  if (k.since('next-20240430')) devInfo(k, dev, `probe with driver ${drv.name} failed with error ${err}`);
  else k.log(`${drv.name}: probe of ${dev.name} failed with error ${err}`);
}

/** the switch's debug cases: a deferral, or a probe that rejects the match */
function probeQuietMessage(k: KernelCtx, dev: Device, drv: Driver, err: number): void {
  const dd = k.dyndbg!;
  if (err === -EPROBE_DEFER) {
    if (dd.on(DD_DEFERRAL)) dd.emit(k, DD_DEFERRAL, dev, `Driver ${drv.name} requests probe deferral`);
  } else if (dd.on(DD_REJECTS)) {
    dd.emit(k, DD_REJECTS, dev, k.on.v6_9 ? `probe with driver ${drv.name} rejects match ${err}` : `${drv.name}: probe of ${dev.name} rejects match ${err}`);
  }
}

/** the tail every failed probe runs (device_unbind_cleanup and its predecessors) */
function probeFailureCleanup(k: KernelCtx, dev: Device, dmaConfigured: boolean): void {
  if (!k.on.dmaTeardownAfterDevres) {
    // v4.15..v5.1: probe_failed: arch_teardown_dma_ops(); ... pinctrl_bind_failed: devres_release_all()
    if (dmaConfigured) archTeardownDmaOps(k, dev);
    deviceLinksNoDriver(k, dev);
    devresReleaseAll(k, dev);
  } else {
    if (k.on.dmaCleanup) busDmaCleanup(k, dev);
    deviceLinksNoDriver(k, dev);
    devresReleaseAll(k, dev);
    archTeardownDmaOps(k, dev);
  }
  dev.driver = null;
  dev.drvdata = null;
  dev.dmaRangeMap = false;
}

export function reallyProbe(k: KernelCtx, dev: Device, drv: Driver): number {
  if (!k.events) return k.callWith('really_probe', probe, dev, drv, undefined);
  return k.call('really_probe', () => {
    const rec = k.events!;
    const started = rec.add('probe-started', 'really_probe', { device: dev.name, driver: drv.name });
    rec.openProbe(started);
    try {
      return rec.within(started, () => probe(k, dev, drv));
    } finally {
      rec.closeProbe();
    }
  });
}

/** a probe that did not bind: its outcome, recorded before the clean-up it causes */
function probeOutcome(k: KernelCtx, dev: Device, drv: Driver, errno: number): number | undefined {
  return k.events?.probeOutcome(errno === -EPROBE_DEFER ? 'probe-deferred' : 'probe-failed', 'really_probe', { device: dev.name, driver: drv.name, errno });
}

/** the clean-up of a failed probe, caused by its recorded outcome */
function failedProbeCleanup(k: KernelCtx, dev: Device, drv: Driver, errno: number, dmaConfigured: boolean): void {
  const rec = k.events;
  if (rec) rec.within(probeOutcome(k, dev, drv, errno)!, () => probeFailureCleanup(k, dev, dmaConfigured));
  else probeFailureCleanup(k, dev, dmaConfigured);
}

function probe(k: KernelCtx, dev: Device, drv: Driver): number {
  // device_links_check_suppliers(): a supplier fw_devlink linked that has not bound yet
  const supplier = fwDevlinkWaitingSupplier(k, dev);
  if (supplier) {
    supplierMissing(k, dev.name, supplier.name);
    deferredProbeSupplierReason(k, dev, supplier.name);
    probeOutcome(k, dev, drv, -EPROBE_DEFER);
    return -EPROBE_DEFER;
  }
  const dd = k.dyndbg;
  if (dd !== null && dd.on(DD_PROBING)) {
    dd.emit(k, DD_PROBING, dev, k.on.v6_9 ? `bus: '${drv.bus}': really_probe: probing driver ${drv.name} with device` : `bus: '${drv.bus}': really_probe: probing driver ${drv.name} with device ${dev.name}`);
  }
  if (dev.devres.length > 0) {
    // 7c35e699c88b (v5.6): dev_crit() and -EBUSY instead of WARN_ON()
    if (k.has('7c35e699c88b')) {
      k.log(`${dev.bus} ${dev.name}: Resources present before probing`);
      probeOutcome(k, dev, drv, -EBUSY);
      return -EBUSY;
    }
    warn(k, { file: 'drivers/base/dd.c', line: 454, fn: 'really_probe' });
  }
  dev.driver = drv;
  // v4.11 configured DMA when the device was created; from v4.12 it happens here
  const configureHere = k.on.ofIommuDefers;
  if (configureHere) {
    const ret = busDmaConfigure(k, dev);
    if (ret !== 0) {
      // v4.12..v5.1 jump to dma_failed, which skips the tear-down
      failedProbeCleanup(k, dev, drv, ret, k.on.dmaTeardownAfterDevres);
      // before v5.14 the switch after the error labels saw this ret too
      if (dd !== null && !k.on.v5_14) probeQuietMessage(k, dev, drv, ret);
      return ret;
    }
  }
  const linesBefore = k.printk.lines.length;
  k.firstWaitSupplier = null;
  const ret = callDriverProbe(k, dev, drv);
  if (ret !== 0) {
    // v5.14 moved the message into call_driver_probe(); before, really_probe() printed it
    // after its error labels had run (devres_release_all() included)
    const early = k.on.v5_14;
    if (early) probeFailedMessage(k, dev, drv, ret);
    failedProbeCleanup(k, dev, drv, ret, configureHere);
    if (!early) probeFailedMessage(k, dev, drv, ret);
    rememberMootDeferral(k, dev, drv, ret, linesBefore);
    return -ret;
  }
  driverBound(k, dev);
  if (dd !== null && dd.on(DD_BOUND_DEVICE)) {
    dd.emit(k, DD_BOUND_DEVICE, dev, k.on.v6_9 ? `bus: '${drv.bus}': really_probe: bound device to driver ${drv.name}` : `bus: '${drv.bus}': really_probe: bound device ${dev.name} to driver ${drv.name}`);
  }
  if (k.asyncWork.length > 0) runAsyncWork(k);
  return 0;
}

/** driver_probe_device(): really_probe plus the deferred-list bookkeeping */
export function driverProbeDevice(k: KernelCtx, dev: Device, drv: Driver): number {
  return k.callWith('driver_probe_device', driverProbeDeviceBody, dev, drv, undefined);
}

function driverProbeDeviceBody(k: KernelCtx, dev: Device, drv: Driver): number {
  if (dev.dead || !dev.added) return -ENODEV;
  if (dev.driver) return -EBUSY;
  dev.canMatch = true;
  const dd = k.dyndbg;
  if (dd !== null && dd.on(DD_MATCHED)) {
    const fn = k.on.v5_14 ? '__driver_probe_device' : 'driver_probe_device';
    dd.emit(k, DD_MATCHED, dev, k.on.v6_9 ? `bus: '${drv.bus}': ${fn}: matched device with driver ${drv.name}` : `bus: '${drv.bus}': ${fn}: matched device ${dev.name} with driver ${drv.name}`);
  }
  const trigger = k.deferredTriggerCount;
  // __driver_probe_device() was split out of driver_probe_device() in v5.13
  const ret = k.on.v5_14 ? k.callWith('__driver_probe_device', reallyProbe, dev, drv, undefined) : reallyProbe(k, dev, drv);
  if (ret === EPROBE_DEFER || ret === -EPROBE_DEFER) {
    deferredProbeAdd(k, dev);
    // a bind finished while we probed: make sure this device is not stranded
    if (trigger !== k.deferredTriggerCount) deferredProbeTrigger(k);
  }
  if (k.sched?.flushSoon) {
    k.sched.flushSoon = false;
    flushDeferredProbe(k);
  }
  return ret;
}

/** __device_attach(): offer the device to each driver of its bus until one binds */
export function deviceAttach(k: KernelCtx, dev: Device): void {
  if (dev.driver || dev.dead) return;
  // the frames a retry of every deferred device runs: module-level bodies, no closures
  k.callWith('__device_attach', attachBody, dev, undefined, undefined);
}

function attachBody(k: KernelCtx, dev: Device): void {
  k.callWith('bus_for_each_drv', attachEachDrv, dev, undefined, undefined);
}

function attachEachDrv(k: KernelCtx, dev: Device): void {
  // only the driver the device names can match, so look it up instead of walking
  // every registered driver: the same outcome, without a scan per retry
  const drv = matchingDriver(k, dev);
  if (!drv) return;
  k.callWith('__device_attach_driver', driverProbeDevice, dev, drv, undefined);
}

function matchingDriver(k: KernelCtx, dev: Device): Driver | undefined {
  const drv = dev.iommuInstance ? k.drivers.get(dev.iommuInstance.impl.driverName) : dev.matchDriver ? k.drivers.get(dev.matchDriver) : undefined;
  return drv && drv.registered && driverMatchDevice(k, drv, dev) ? drv : undefined;
}

export function busProbeDevice(k: KernelCtx, dev: Device): void {
  k.callWith('bus_probe_device', initialProbe, dev, undefined, undefined);
}

function initialProbe(k: KernelCtx, dev: Device): void {
  k.callWith('device_initial_probe', deviceAttach, dev, undefined, undefined);
}

interface AsyncProbe {
  dev: Device;
  probe: () => void;
}

/** __driver_attach() over the bus: every matching unbound device is probed */
export function driverAttach(k: KernelCtx, drv: Driver, asyncProbes: AsyncProbe[]): void {
  k.call('driver_attach', () =>
    k.call('bus_for_each_dev', () => {
      // bus_for_each_dev() offers every device; only those naming this driver can match,
      // so walk that index (same devices, same order) instead of the whole bus
      const devs = k.devicesByMatch.get(drv.name)?.slice() ?? [];
      for (let i = 0; i < devs.length; i++) {
        const dev = devs[i]!;
        if (k.panicked) return;
        k.call('__driver_attach', () => {
          if (!driverMatchDevice(k, drv, dev)) return;
          if (dev.driver) return;
          if (drv.async) {
            const dd = k.dyndbg;
            if (dd !== null && dd.on(DD_ASYNC) && k.since('v5.5')) dd.emit(k, DD_ASYNC, dev, `probing driver ${drv.name} asynchronously`);
            asyncProbes.push({ dev, probe: () => asyncAttach(k, dev, drv) });
            return;
          }
          // v5.1 .. v5.13: __driver_attach() went through device_driver_attach()
          if (k.on.v5_1 && !k.on.v5_14) k.call('device_driver_attach', () => driverProbeDevice(k, dev, drv));
          else driverProbeDevice(k, dev, drv);
        });
      }
    }),
  );
}

/** __driver_attach_async_helper() */
function asyncAttach(k: KernelCtx, dev: Device, drv: Driver): void {
  const ret = driverProbeDevice(k, dev, drv);
  const dd = k.dyndbg;
  if (dd !== null && dd.on(DD_ASYNC_DONE) && k.since('v5.5')) dd.emit(k, DD_ASYNC_DONE, dev, `driver ${drv.name} async attach completed: ${ret}`);
}

/** driver_register() → bus_add_driver() → driver_attach() */
export function driverRegister(k: KernelCtx, drv: Driver): void {
  const rec = k.events;
  if (rec) rec.within(rec.add('driver-registered', 'driver_register', { driver: drv.name }), () => register(k, drv));
  else register(k, drv);
}

function register(k: KernelCtx, drv: Driver): void {
  const asyncProbes: AsyncProbe[] = [];
  k.call('driver_register', () =>
    k.call('bus_add_driver', () => {
      const dd = k.dyndbg;
      if (dd !== null && dd.on(BUS_ADD_DRIVER)) dd.emit(k, BUS_ADD_DRIVER, null, `bus: '${drv.bus}': add driver ${drv.name}`);
      drv.registered = true;
      k.busDrivers[drv.bus].push(drv);
      driverAttach(k, drv, asyncProbes);
    }),
  );
  // async probes run after the registration returns, each in its own worker
  const run = (a: AsyncProbe): void =>
    void k.inTask({ comm: 'kworker/u8:2', pid: 41, cpu: 1, workqueue: 'async async_run_entry_fn' },
      [...workerFrames(k, 'async_run_entry_fn'), '__driver_attach_async_helper'], a.probe);
  if (k.sched) {
    // they complete in any order
    k.sched.runInOrder('async-completion', `async:${drv.name}`, asyncProbes, (a) => a.dev.name, k.sched.asyncOrder, run, () => k.panicked);
    return;
  }
  for (const a of asyncProbes) {
    if (k.panicked) return;
    run(a);
  }
}

/** __device_release_driver(): unbind, with the tear-down order of the era */
export function deviceReleaseDriver(k: KernelCtx, dev: Device): void {
  const drv = dev.driver;
  if (!drv) return;
  const rec = k.events;
  if (rec) rec.within(rec.add('unbound', k.stack.top(), { device: dev.name, driver: drv.name }), () => releaseDriver(k, dev, drv));
  else releaseDriver(k, dev, drv);
}

function releaseDriver(k: KernelCtx, dev: Device, drv: Driver): void {
  k.call('device_release_driver_internal', () => {
    deviceLinksUnbindConsumers(k, dev);
    callDriverRemove(k, dev, drv);
    if (k.on.dmaCleanup) busDmaCleanup(k, dev);
    deviceLinksDriverCleanup(k, dev);
    // v4.11 set DMA up when the device was created and never tore it down at unbind
    const teardown = k.on.ofIommuDefers;
    if (k.has('376991db4b64')) {
      devresReleaseAll(k, dev);
      if (teardown) archTeardownDmaOps(k, dev);
    } else {
      if (teardown) archTeardownDmaOps(k, dev);
      devresReleaseAll(k, dev);
    }
    dev.driver = null;
    dev.bound = false;
    dev.drvdata = null;
    dev.dmaRangeMap = false;
  });
}

/** driver_detach(): unbind every device of the driver, the last bound first */
export function driverUnregister(k: KernelCtx, drv: Driver): void {
  const ev = k.events?.add('driver-unregistered', k.stack.top(), { driver: drv.name });
  causing(k.events, ev, () => unregister(k, drv));
}

function unregister(k: KernelCtx, drv: Driver): void {
  k.call('driver_unregister', () =>
    k.call('bus_remove_driver', () => {
      const dd = k.dyndbg;
      if (dd !== null && dd.on(BUS_REMOVE_DRIVER)) dd.emit(k, BUS_REMOVE_DRIVER, null, `bus: '${drv.bus}': remove driver ${drv.name}`);
      const bound = k.busDevices[drv.bus].filter((d) => d.driver === drv);
      for (const dev of bound.reverse()) deviceReleaseDriver(k, dev);
      drv.registered = false;
      const list = k.busDrivers[drv.bus];
      const i = list.indexOf(drv);
      if (i >= 0) list.splice(i, 1);
    }),
  );
}

/**
 * A probe another CPU runs while the current one is inside an IOMMU driver's probe (an
 * async probe, a device a concurrent populate added): the board names such clients per
 * IOMMU instance (`concurrent-probe`), and the model runs them at the point of the race.
 */
export function probeConcurrently(k: KernelCtx, dev: Device): void {
  if (dev.driver || dev.dead || !dev.added || k.panicked) return;
  const drv = matchingDriver(k, dev);
  if (!drv) return;
  k.inTask({ comm: 'kworker/u8:2', pid: 41, cpu: 1, workqueue: 'async async_run_entry_fn' },
    ['ret_from_fork', 'kthread', 'worker_thread', 'process_one_work', 'async_run_entry_fn', '__device_attach_async_helper', '__device_attach', 'bus_for_each_drv'],
    () => k.call('__device_attach_driver', () => void driverProbeDevice(k, dev, drv)));
}

export { deferredProbeDel };
