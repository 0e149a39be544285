// call_driver_probe() and the driver's remove: a client driver runs the board's
// action list; an IOMMU driver runs its catalog probe. Faults armed by `fail-probe`
// make the probe fail after a given action, as a real driver's error path would.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import type { Driver } from './driver.js';
import type { ProbeAction } from '../types.js';
import { ERRNO } from '../kernel/errno.js';
import { devInfo } from '../kernel/device-printk.js';
import { dmaAccessCoherent, dmaAllocAttrs, dmaFreeAttrs, dmaTransfer } from '../dma/mapping.js';
import { workerFrames } from '../kernel/entry.js';
import { deviceLinkAdd } from './links.js';
import { deferredProbeSupplierReason } from './deferred.js';
import { Memo } from '../kernel/memo.js';

// a driver's function names, built once per name rather than at every probe
const PROBE_FN = new Memo((name: string) => `${name.replace(/[-.]/g, '_')}_probe`);
const REMOVE_FN = new Memo((name: string) => `${name.replace(/[-.]/g, '_')}_remove`);

function probeFn(drv: Driver): string {
  return PROBE_FN.get(drv.name);
}

function removeFn(drv: Driver): string {
  return REMOVE_FN.get(drv.name);
}

/** the fault armed for this probe, if it fires after `done` actions of `total` */
function armedFault(k: KernelCtx, dev: Device, done: number, total: number): number | undefined {
  const list = k.faults.get(dev.name);
  const f = list?.[0];
  if (!f) return undefined;
  const at = f.at === undefined ? total : Math.min(f.at, total);
  if (at !== done) return undefined;
  if (--f.remaining <= 0) {
    list!.shift();
    k.armedFaults--;
  }
  const rec = k.events;
  if (rec) rec.blame(rec.add('fault-fired', k.stack.top(), { device: dev.name, errno: f.errno, detail: `after ${done} of ${total} probe actions` }, f.event ?? rec.current));
  if (f.log !== undefined) devInfo(k, dev, f.log);
  return f.errno;
}

/**
 * A probe is about to return -EPROBE_DEFER because `supplier` is not ready (a `wait-for`,
 * or an IOMMU driver's own wait for its larbs or its root): the event record hears of it.
 */
export function supplierMissing(k: KernelCtx, consumer: string, supplier: string): void {
  const rec = k.events;
  // caused by where the supplier's own story stands, if it has one
  if (rec) rec.blame(rec.add('supplier-missing', k.stack.top(), { device: consumer, detail: supplier }, rec.lastStateOf(supplier) ?? rec.current));
}

/** the board's driver failed by itself (a `fail:` action, an allocation that failed) */
function driverError(k: KernelCtx, dev: Device, a: ProbeAction, ret: number): number {
  const rec = k.events;
  if (rec && ret !== 0 && a.kind !== 'wait-for') rec.blame(rec.add('driver-error', k.stack.top(), { device: dev.name, errno: ret, detail: a.kind }));
  return ret;
}

function runAction(k: KernelCtx, dev: Device, a: ProbeAction): number {
  switch (a.kind) {
    case 'dmam-alloc':
      return k.call('dmam_alloc_attrs', () => {
        const buf = dmaAllocAttrs(k, dev, a.size);
        if (!buf) return -ERRNO.ENOMEM!;
        dev.devres.push({ kind: 'dmam', buffer: buf, size: a.size });
        return 0;
      });
    case 'dma-alloc': {
      const buf = dmaAllocAttrs(k, dev, a.size);
      if (!buf) return -ERRNO.ENOMEM!;
      dev.buffers.push(buf);
      return 0;
    }
    case 'dma-free': {
      // the most recent unmanaged buffer of that size, as a driver frees its own
      for (let i = dev.buffers.length - 1; i >= 0; i--) {
        if (dev.buffers[i]!.size === a.size) {
          const [buf] = dev.buffers.splice(i, 1);
          dmaFreeAttrs(k, dev, buf!);
          break;
        }
      }
      return 0;
    }
    case 'devm-alloc':
      dev.devres.push({ kind: 'devm', size: a.size });
      return 0;
    case 'request-irq':
      dev.devres.push({ kind: 'irq', size: 0, irq: a.irq });
      return 0;
    case 'dma-transfer': {
      const ret = a.coherent ? dmaAccessCoherent(k, dev, a.size, a.at ?? 0) : dmaTransfer(k, dev, a.size);
      if (ret === 0) return 0;
      for (const line of a.onError ?? []) devInfo(k, dev, line);
      return a.error ?? ret;
    }
    case 'async':
      // async_schedule(): runs once the probe has returned (see runAsyncWork)
      k.asyncWork.push({ dev, fn: a.fn, actions: a.actions });
      return 0;
    case 'log':
      devInfo(k, dev, a.text);
      return 0;
    case 'printk':
      k.log(a.text);
      return 0;
    case 'wait-for': {
      const supplier = k.devices.get(a.device);
      if (!supplier || !supplier.bound) {
        supplierMissing(k, dev.name, a.device);
        deferredProbeSupplierReason(k, dev, a.device);
        return -ERRNO.EPROBE_DEFER!;
      }
      deviceLinkAdd(k, dev, supplier, 'driver-core', false);
      return 0;
    }
    case 'fail':
      return a.errno;
  }
}

function clientProbe(k: KernelCtx, dev: Device, drv: Driver): number {
  const actions = drv.client!.probe;
  for (let i = 0; i < actions.length; i++) {
    const f = armedFault(k, dev, i, actions.length) ?? k.sched?.fault(dev.name, i);
    if (f !== undefined) return f;
    const a = actions[i]!;
    const ret = k.events ? driverError(k, dev, a, runAction(k, dev, a)) : runAction(k, dev, a);
    if (ret !== 0) {
      if (i === 0 && a.kind === 'wait-for') k.firstWaitSupplier = k.devices.get(a.device) ?? null;
      return ret;
    }
  }
  return armedFault(k, dev, actions.length, actions.length) ?? k.sched?.fault(dev.name, actions.length) ?? 0;
}

export function callDriverProbe(k: KernelCtx, dev: Device, drv: Driver): number {
  // platform_drv_probe() became platform_probe() in v5.9
  const platform = k.on.v5_14 ? 'platform_probe' : 'platform_drv_probe';
  return k.callWith(drv.bus === 'pci' ? 'pci_device_probe' : drv.bus === 'amba' ? 'amba_probe' : platform, busProbe, dev, drv, undefined);
}

function busProbe(k: KernelCtx, dev: Device, drv: Driver): number {
  if (drv.iommuImpl) {
    const f = armedFault(k, dev, 0, 0) ?? k.sched?.fault(dev.name, 0);
    if (f !== undefined) return f;
    // the catalog driver names its own probe function on the stack
    return drv.iommuImpl.probe(k, dev.iommuInstance!);
  }
  return k.callWith(probeFn(drv), clientProbe, dev, drv, undefined);
}

/**
 * The async_schedule()d work of the devices that just bound, each in an async worker:
 * its failures are the driver's to report, the probe has long returned.
 */
export function runAsyncWork(k: KernelCtx): void {
  while (k.asyncWork.length > 0 && !k.panicked) {
    const w = k.asyncWork.shift()!;
    if (!w.dev.bound) continue;
    k.inTask({ comm: 'kworker/u16:0', pid: 11, cpu: 0, workqueue: 'async async_run_entry_fn' }, [...workerFrames(k, 'async_run_entry_fn'), w.fn], () => {
      for (const a of w.actions) if (runAction(k, w.dev, a) !== 0) break;
    });
  }
}

export function callDriverRemove(k: KernelCtx, dev: Device, drv: Driver): void {
  if (!drv.client) return;
  k.call(removeFn(drv), () => {
    for (const a of drv.client!.remove) runAction(k, dev, a);
  });
}
