// DT: of_dma_configure() for platform/amba devices and PCI devices behind a DT host bridge.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import { OF_NAMES, firmwareDmaConfigure } from './firmware.js';

export function ofDmaConfigure(k: KernelCtx, dev: Device): number {
  return firmwareDmaConfigure(k, dev, OF_NAMES);
}
