// struct iommu_group and struct iommu_domain, with the IOVA space a translating
// domain hands out and the mappings that decide whether a device access translates.

import type { Device } from '../core/device.js';
import type { IommuInstance } from './instance.js';
import { PAGE_SIZE } from '../dma/pages.js';

export type DomainType = 'dma' | 'identity';

export class Domain {
  /** iova page -> pfn */
  readonly mappings = new Map<number, number>();
  private iovaTopPfn: number | undefined;
  /** driver-private (e.g. ipmmu's domain->mmu, page-table state) */
  readonly priv: Record<string, unknown> = {};
  freed = false;

  constructor(
    readonly type: DomainType,
    readonly inst: IommuInstance,
  ) {}

  /** alloc_iova_fast: top-down below `limit` (inclusive address) */
  allocIova(pages: number, limit: number): number {
    const limitPfn = Math.floor((limit + 1) / PAGE_SIZE);
    if (this.iovaTopPfn === undefined || this.iovaTopPfn > limitPfn) this.iovaTopPfn = limitPfn;
    this.iovaTopPfn -= pages;
    return this.iovaTopPfn * PAGE_SIZE;
  }

  map(iova: number, pfns: readonly number[]): void {
    pfns.forEach((pfn, i) => this.mappings.set(iova / PAGE_SIZE + i, pfn));
  }

  unmap(iova: number, pages: number): number {
    let n = 0;
    for (let i = 0; i < pages; i++) if (this.mappings.delete(iova / PAGE_SIZE + i)) n++;
    return n;
  }

  translates(addr: number, size: number): boolean {
    const first = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + size - 1) / PAGE_SIZE);
    for (let p = first; p <= last; p++) if (!this.mappings.has(p)) return false;
    return true;
  }
}

export class Group {
  readonly devices: Device[] = [];
  defaultDomain: Domain | null = null;
  domain: Domain | null = null;
  released = false;

  constructor(
    readonly id: number,
    readonly inst: IommuInstance,
  ) {}
}
