// A coherent DMA buffer remembers the ops that allocated it, so a free through other
// ops can do what the kernel does with a foreign buffer.

import type { Domain } from '../iommu/group.js';
import type { PageRun } from './pages.js';

export type AllocOps = 'direct' | 'iommu' | 'arm-iommu';

export interface DmaBuffer {
  size: number;
  allocOps: AllocOps;
  /** physical page frames backing the buffer */
  pfns: PageRun;
  /** what the device is told: the physical address (direct) or the IOVA */
  dmaHandle: number;
  /** iommu-dma: where dma_common_pages_remap() put it, as an offset into the vmalloc area */
  vmallocOffset?: number;
  /** the translation domain an IOVA lives in */
  domain?: Domain;
  freed: boolean;
  /** freed through ops other than the allocating ones (pages leaked) */
  foreignFree: boolean;
}
