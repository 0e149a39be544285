// devres_release_all(): every managed resource of the device, last acquired first
// (release_nodes walks the list in reverse). A dmam buffer is freed through the
// device's DMA ops as they are at this moment — the heart of the 2019 bugs.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from './device.js';
import { dmaFreeAttrs } from '../dma/mapping.js';

export function devresReleaseAll(k: KernelCtx, dev: Device): void {
  if (dev.devres.length === 0) return;
  k.events?.add('devres-released', 'devres_release_all', { device: dev.name, detail: `${dev.devres.length} resource(s)` });
  k.call('devres_release_all', () =>
    k.call('release_nodes', () => {
      while (dev.devres.length > 0) {
        const res = dev.devres.pop()!;
        if (res.kind === 'dmam' && res.buffer) {
          const buf = res.buffer;
          k.call('dmam_release', () => dmaFreeAttrs(k, dev, buf));
        }
      }
    }),
  );
}
