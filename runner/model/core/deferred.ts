// Deferred probe (drivers/base/dd.c): the pending and active lists, the trigger every
// successful bind fires, the work item that retries the active list, the late_initcall
// that enables it, and the timeout of each era.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import { devInfo } from '../kernel/device-printk.js';
import { deferredWorker } from '../kernel/task.js';
import { warn } from '../kernel/reports.js';
import { ERRNO } from '../kernel/errno.js';
import { busProbeDevice } from './dd.js';

const WORK_FRAMES = ['ret_from_fork', 'kthread', 'worker_thread', 'process_one_work', 'deferred_probe_work_func'];

export function deferredProbeAdd(k: KernelCtx, dev: Device): void {
  if (dev.deferred) return;
  // modern kernels only queue devices that a driver could match
  if (k.since('v5.14') && !dev.canMatch) return;
  dev.deferred = true;
  k.deferredPending.push(dev);
}

export function deferredProbeDel(k: KernelCtx, dev: Device): void {
  if (!dev.deferred) return;
  dev.deferred = false;
  for (const list of [k.deferredPending, k.deferredActive]) {
    const i = list.indexOf(dev);
    if (i >= 0) list.splice(i, 1);
  }
}

export function deferredProbeTrigger(k: KernelCtx): void {
  if (!k.deferredProbeEnable) return;
  k.deferredTriggerCount++;
  k.deferredActive.push(...k.deferredPending);
  k.deferredPending.length = 0;
  k.deferredWorkQueued = true;
}

/** deferred_probe_work_func: retry every device on the active list, in order */
function deferredProbeWorkFunc(k: KernelCtx): void {
  while (k.deferredActive.length > 0 && !k.panicked) {
    const dev = k.deferredActive.shift()!;
    dev.deferred = false;
    busProbeDevice(k, dev);
  }
}

/** Run the queued work until it stops re-queueing itself (flush_work), in a kworker. */
export function flushDeferredProbe(k: KernelCtx): void {
  const worker = deferredWorker(k.since('v6.9'));
  // every round needs a bind that happened in the previous one, so this ends
  while (k.deferredWorkQueued && !k.panicked) {
    k.deferredWorkQueued = false;
    k.inTask(worker, WORK_FRAMES, () => deferredProbeWorkFunc(k));
  }
}

/** deferred_probe_initcall (late_initcall) */
export function deferredProbeInitcall(k: KernelCtx): void {
  k.deferredProbeEnable = true;
  deferredProbeTrigger(k);
  flushDeferredProbe(k);
  k.initcallsDone = true;
  // "this time we won't defer anything that is optional"
  deferredProbeTrigger(k);
  flushDeferredProbe(k);
  if (k.deferredProbeTimeout > 0) k.deferredTimeoutArmedAt = k.printk.usec;
}

/** deferred_probe_extend_timeout: a driver registration pushes the timer out */
export function deferredProbeExtendTimeout(k: KernelCtx): void {
  if (k.deferredTimeoutArmedAt !== undefined && k.deferredProbeTimeout > 0) k.deferredTimeoutArmedAt = k.printk.usec;
}

/** The `deferred-timeout` step: the clock passes the timeout and its work runs. */
export function deferredProbeTimeoutExpires(k: KernelCtx): void {
  const secs = k.deferredProbeTimeout > 0 ? k.deferredProbeTimeout : 30;
  k.printk.advance(secs * 1_000_000 + 1);
  if (k.deferredTimeoutArmedAt === undefined || k.deferredProbeTimeout <= 0) return;
  k.deferredTimeoutArmedAt = undefined;
  const worker = deferredWorker(k.since('v6.9'));
  k.inTask({ ...worker, workqueue: worker.workqueue!.replace('deferred_probe_work_func', 'deferred_probe_timeout_work_func') },
    ['ret_from_fork', 'kthread', 'worker_thread', 'process_one_work', 'deferred_probe_timeout_work_func'], () => {
      k.deferredProbeTimeout = 0;
      deferredProbeTrigger(k);
    });
  flushDeferredProbe(k);
  for (const dev of k.deferredPending) {
    if (k.since('v6.9')) devInfo(k, dev, 'deferred probe pending: (reason unknown)');
    else devInfo(k, dev, 'deferred probe pending');
  }
}

/**
 * driver_deferred_probe_check_state(): what a lookup of a supplier that has not
 * registered (an IOMMU) answers, by era.
 */
export function deferredProbeCheckState(k: KernelCtx, dev: Device): number {
  if (!k.since('v5.14')) {
    // v4.19..v5.13: timeout off by default; once initcalls are done, give up on the supplier
    if (!k.initcallsDone) return -ERRNO.EPROBE_DEFER!;
    if (k.deferredProbeTimeout === 0) {
      warn(k, {
        file: 'drivers/base/dd.c',
        line: 250,
        fn: 'driver_deferred_probe_check_state',
        message: `${dev.driver ? dev.driver.name : dev.bus} ${dev.name}: deferred probe timeout, ignoring dependency`,
      });
      return -ERRNO.ETIMEDOUT!;
    }
    devInfo(k, dev, 'ignoring dependency for device, assuming no driver');
    return -ERRNO.ENODEV!;
  }
  if (k.deferredProbeTimeout === 0 && k.initcallsDone) {
    devInfo(k, dev, 'deferred probe timeout, ignoring dependency');
    return -ERRNO.ETIMEDOUT!;
  }
  return -ERRNO.EPROBE_DEFER!;
}
