// ACPI: acpi_dma_configure() → IORT named components (platform devices such as
// HISI0162:01) and PCI root complexes (0000:74:02.0) map to SMMU stream IDs.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import { ACPI_NAMES, firmwareDmaConfigure } from './firmware.js';

export function acpiDmaConfigure(k: KernelCtx, dev: Device): number {
  return firmwareDmaConfigure(k, dev, ACPI_NAMES);
}
