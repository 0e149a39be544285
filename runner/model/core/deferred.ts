// Deferred probe (drivers/base/dd.c): the pending and active lists, the trigger every
// successful bind fires, the work item that retries the active list, the late_initcall
// that enables it, and the timeout of each era.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import { devInfo } from '../kernel/device-printk.js';
import { workerFrames } from '../kernel/entry.js';
import { warn } from '../kernel/reports.js';
import { ERRNO } from '../kernel/errno.js';
import { busProbeDevice } from './dd.js';
import { causing } from '../kernel/events.js';
import { DD_ADDED, DD_EXTENDED, DD_REMOVED, DD_RETRYING } from '../kernel/dyndbg.js';
import { Memo } from '../kernel/memo.js';


export function deferredProbeAdd(k: KernelCtx, dev: Device): void {
  if (dev.deferred) return;
  // modern kernels only queue devices that a driver could match
  if (k.on.v5_14 && !dev.canMatch) return;
  const dd = k.dyndbg;
  if (dd !== null && dd.on(DD_ADDED)) dd.emit(k, DD_ADDED, dev, 'Added to deferred list');
  dev.deferred = true;
  k.deferredPending.pushTail(dev);
}

export function deferredProbeDel(k: KernelCtx, dev: Device): void {
  // d090b70ede02 (v5.9): the reason goes with the device off the list
  dev.deferredReason = null;
  if (!dev.deferred) return;
  const dd = k.dyndbg;
  if (dd !== null && dd.on(DD_REMOVED)) dd.emit(k, DD_REMOVED, dev, 'Removed from deferred list');
  (k.deferredPending.has(dev) ? k.deferredPending : k.deferredActive).remove(dev);
  dev.deferred = false;
}

/**
 * device_set_deferred_probe_reason(), as dev_err_probe(dev, -EPROBE_DEFER, fmt, ...) calls it
 * from v5.9 (d090b70ede02): "%s: %pV" of dev_driver_string() and the message. The model's
 * only source is fw_devlink's supplier check, which sets it from v5.15 (68223eeec708,
 * "driver core: Set deferred probe reason when deferred by driver core") as
 * dev_err_probe(dev, -EPROBE_DEFER, "supplier %s not ready\n", dev_name(link->supplier)) —
 * before the driver is set, so dev_driver_string() is the bus name.
 */
export function deferredProbeSupplierReason(k: KernelCtx, dev: Device, supplier: string): void {
  if (k.has('68223eeec708') && k.has('d090b70ede02')) dev.deferredReason = `${dev.bus}: supplier ${supplier} not ready`;
}

/**
 * /sys/kernel/debug/devices_deferred (deferred_devs_show): the pending list, one device a
 * line; undefined where the kernel has no such file (yet: the late_initcall makes it). The file came with v4.19 (absent in
 * v4.18's dd.c, present in v5.0's); each line was seq_printf(s, "%s\n", dev_name(...)) until
 * d090b70ede02 (v5.9) made it seq_printf(s, "%s\t%s", dev_name(...), reason ?: "\n"): a
 * device without a reason keeps a dangling tab. Lines are given without their newline.
 */
export function devicesDeferredShow(k: KernelCtx): string[] | undefined {
  // deferred_probe_initcall() (late_initcall) creates the file
  if (!k.has('28af109a57d1') || !k.deferredProbeEnable) return undefined;
  const reasons = k.has('d090b70ede02');
  return k.deferredPending.toArray().map((d) => (reasons ? `${d.name}\t${d.deferredReason ?? ''}` : d.name));
}

/** the devices on the pending list, in order */
export function deferredPendingDevices(k: KernelCtx): Device[] {
  return k.deferredPending.toArray();
}

export function deferredProbeTrigger(k: KernelCtx): void {
  if (!k.deferredProbeEnable) return;
  if (k.events) {
    const ev = k.events.add('deferred-trigger', 'driver_deferred_probe_trigger', { detail: String(k.deferredTriggerCount + 1) });
    k.events.triggered(ev, k.deferredPending.toArray().map((d) => d.name));
  }
  k.deferredTriggerCount++;
  k.deferredPending.spliceTailInto(k.deferredActive);
  k.deferredWorkQueued = true;
}

/** a retry that cannot do anything visible: the memo of the last attempt still holds */
function retryIsMoot(k: KernelCtx, dev: Device): boolean {
  const m = dev.deferMemo;
  if (!m || m.supplier.bound || dev.driver || !dev.added || dev.dead || !m.driver.registered) return false;
  if (k.armedFaults === 0) return true;
  const faults = k.faults.get(dev.name);
  return !faults || faults.length === 0;
}

/**
 * The next retry when orders are chosen: any device on the active list whose retry is not
 * moot. Option 0 is the first `deferred-order` device there (pins, then promotions), else
 * the head; a device may jump the queue the first time it is a candidate in a step, and
 * from then on goes first, as the pin that writes it back does.
 */
function nextRetry(k: KernelCtx, head: Device): Device {
  const s = k.sched!;
  const candidates: Device[] = [];
  for (let d: Device | null = head; d; d = d.deferNext) if (d === head || !retryIsMoot(k, d)) candidates.push(d);
  if (candidates.length < 2) return head;
  let first = head;
  if (s.deferredFirst.length > 0) {
    let rank = Infinity;
    for (const d of candidates) {
      const r = s.deferredFirst.indexOf(d.name);
      if (r >= 0 && r < rank) {
        rank = r;
        first = d;
      }
    }
  }
  // one pass: a device is an option the first time it is a candidate (names are unique)
  const options = [first];
  const names = [first.name];
  const seen = s.deferredSeen;
  for (const d of candidates) {
    if (d !== first && !seen.has(d.name)) {
      options.push(d);
      names.push(d.name);
    }
    seen.add(d.name);
  }
  const pick = options[s.choose('deferred-order', DEFERRED_LABELS.get(head.name), names)]!;
  if (pick !== first) s.deferredFirst.push(pick.name);
  return pick;
}

// "deferred:<device>", one string per device name (a chooser hashes it at every retry)
const DEFERRED_LABELS = new Memo((name: string) => `deferred:${name}`);

/** deferred_probe_work_func: retry every device on the active list, in order */
function deferredProbeWorkFunc(k: KernelCtx): void {
  const active = k.deferredActive;
  while (!active.empty && !k.panicked) {
    // retries that would only defer again go back to the pending list as a block,
    // in order, exactly where bus_probe_device() → -EPROBE_DEFER would put them
    let last: Device | null = null;
    for (let d = active.head; d && retryIsMoot(k, d); d = d.deferNext) last = d;
    if (last) active.moveHeadRunTo(k.deferredPending, last);
    let dev = active.head;
    if (!dev) break;
    if (k.sched) dev = nextRetry(k, dev);
    active.remove(dev);
    dev.deferred = false;
    // f0acf637d60f: a retry starts without the reason of the last attempt
    if (k.on.retryClearsReason) dev.deferredReason = null;
    const dd = k.dyndbg;
    if (dd !== null && dd.on(DD_RETRYING)) dd.emit(k, DD_RETRYING, dev, 'Retrying from deferred list');
    if (k.events) causing(k.events, k.events.retryCauseOf(dev.name) ?? undefined, () => busProbeDevice(k, dev));
    else busProbeDevice(k, dev);
  }
}

/** Run the queued work until it stops re-queueing itself (flush_work), in a kworker. */
export function flushDeferredProbe(k: KernelCtx): void {
  const worker = k.deferredTask;
  // every round needs a bind that happened in the previous one, so this ends
  while (k.deferredWorkQueued && !k.panicked && !k.deferredWorkDead) {
    k.deferredWorkQueued = false;
    // a worker that oopses dies inside the work item; the workqueue never runs an item
    // concurrently with itself, so deferred_probe_work is stuck on the dead worker for good
    const s = k.sched;
    if (s) s.inDeferredWork = true;
    try {
      if (!k.inTask(worker, workerFrames(k, 'deferred_probe_work_func'), () => deferredProbeWorkFunc(k))) k.deferredWorkDead = true;
    } finally {
      if (s) s.inDeferredWork = false;
    }
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
  // 2b28a1a84a0e (v5.19-rc1); before, the timer ran from late_initcall alone
  if (!k.has('2b28a1a84a0e')) return;
  if (k.deferredTimeoutArmedAt !== undefined && k.deferredProbeTimeout > 0) {
    k.deferredTimeoutArmedAt = k.printk.usec;
    const dd = k.dyndbg;
    if (dd !== null && dd.on(DD_EXTENDED)) dd.emit(k, DD_EXTENDED, null, `Extended deferred probe timeout by ${k.deferredProbeTimeout} secs`);
  }
}

/** The `deferred-timeout` step: the clock passes the timeout and its work runs. */
export function deferredProbeTimeoutExpires(k: KernelCtx): void {
  const secs = k.deferredProbeTimeout > 0 ? k.deferredProbeTimeout : 30;
  k.printk.advance(secs * 1_000_000 + 1);
  if (k.deferredTimeoutArmedAt === undefined || k.deferredProbeTimeout <= 0) return;
  k.deferredTimeoutArmedAt = undefined;
  const ev = k.events?.add('timeout', 'deferred_probe_timeout_work_func', { detail: `${k.deferredProbeTimeout} s` });
  if (ev !== undefined) k.events!.timedOut(ev);
  causing(k.events, ev, () => timeoutWork(k));
}

function timeoutWork(k: KernelCtx): void {
  const worker = k.deferredTask;
  k.inTask({ ...worker, workqueue: worker.workqueue!.replace('deferred_probe_work_func', 'deferred_probe_timeout_work_func') },
    ['ret_from_fork', 'kthread', 'worker_thread', 'process_one_work', 'deferred_probe_timeout_work_func'], () => {
      k.deferredProbeTimeout = 0;
      deferredProbeTrigger(k);
    });
  flushDeferredProbe(k);
  // 25b4e70dcce9 (v4.19): dev_info(dev, "deferred probe pending"); 7c41da586e9f (v6.8):
  // dev_info(dev, "deferred probe pending: %s", reason ?: "(reason unknown)\n") (a dev_warn
  // from v6.9, which the log does not show)
  for (const dev of deferredPendingDevices(k)) {
    if (k.has('7c41da586e9f')) devInfo(k, dev, `deferred probe pending: ${dev.deferredReason ?? '(reason unknown)'}`);
    else devInfo(k, dev, 'deferred probe pending');
  }
}

/**
 * driver_deferred_probe_check_state(): what a lookup of a supplier that has not
 * registered (an IOMMU) answers, by era.
 */
export function deferredProbeCheckState(k: KernelCtx, dev: Device): number {
  const ret = checkState(k, dev);
  if (k.events && ret !== -ERRNO.EPROBE_DEFER!) {
    // -ETIMEDOUT: the timeout expired; -ENODEV (v4.19..v5.13): initcalls are done
    const cause = ret === -ERRNO.ETIMEDOUT! ? (k.events.timeout ?? k.events.current) : k.events.current;
    k.events.add('dependency-ignored', 'driver_deferred_probe_check_state', { device: dev.name, errno: ret }, cause);
  }
  return ret;
}

function checkState(k: KernelCtx, dev: Device): number {
  // 25b4e70dcce9 (v4.19) added the check; before it, an opted-in lookup just deferred
  if (!k.on.deferredCheckState) return -ERRNO.EPROBE_DEFER!;
  // c8c43cee29f6 (v5.7) rewrote the logic: before it, v4.19..v5.6 give up on the supplier
  // once initcalls are done (the timeout is off by default)
  if (!k.on.deferredCheckTimeout) {
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
