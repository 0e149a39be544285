// /sys/bus/<bus>/drivers/<drv>/bind and unbind (drivers/base/bus.c): what the write
// returns in each era. 0 stands for "count" (success).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import type { Driver } from './driver.js';
import { ERRNO } from '../kernel/errno.js';
import { deviceReleaseDriver, driverProbeDevice, reallyProbe } from './dd.js';
import { driverMatchDevice } from './bus.js';

const ENODEV = ERRNO.ENODEV!;
const EBUSY = ERRNO.EBUSY!;
const EAGAIN = ERRNO.EAGAIN!;
const EPROBE_DEFER = ERRNO.EPROBE_DEFER!;

export function bindStore(k: KernelCtx, drv: Driver, dev: Device | undefined): number {
  return k.call('bind_store', () => {
    if (!dev || !dev.added || !driverMatchDevice(k, drv, dev)) return -ENODEV;
    if (!k.has('ef6dcbdd8eb2')) {
      // v5.13 and older: only an unbound device is probed, and any failure reads -ENODEV
      if (dev.driver) return -ENODEV;
      const ret = k.call('device_driver_attach', () => driverProbeDevice(k, dev, drv));
      if (ret === 0) return 0;
      return ret < 0 && ret !== -EPROBE_DEFER ? ret : -ENODEV;
    }
    // v5.14+: device_driver_attach → __driver_probe_device; the probe's own error flows out
    return k.call('device_driver_attach', () => {
      if (dev.driver) return -EBUSY;
      dev.canMatch = true;
      const ret = k.call('__driver_probe_device', () => reallyProbe(k, dev, drv));
      // 45ddcb42949f: userspace gets -EAGAIN, not the kernel-internal -EPROBE_DEFER (-517)
      if (ret === -EPROBE_DEFER || ret === EPROBE_DEFER) return k.has('45ddcb42949f') ? -EAGAIN : -EPROBE_DEFER;
      return ret > 0 ? -ret : ret;
    });
  });
}

export function unbindStore(k: KernelCtx, drv: Driver, dev: Device | undefined): number {
  return k.call('unbind_store', () => {
    if (!dev || dev.driver !== drv) return -ENODEV;
    k.call('device_release_driver', () => deviceReleaseDriver(k, dev));
    return 0;
  });
}
