// dev_printk(): "<driver or bus name> <device>: <text>" — the bound (or probing)
// driver's name, else the bus name, exactly as dev_driver_string() picks it.

import type { Device } from '../core/device.js';
import type { KernelCtx } from './ctx.js';

export function devName(dev: Device): string {
  return `${dev.driver ? dev.driver.name : dev.bus} ${dev.name}`;
}

export function devInfo(k: KernelCtx, dev: Device, text: string): void {
  k.log(`${devName(dev)}: ${text}`);
}
