// struct iommu_group and struct iommu_domain, with the IOVA space a translating
// domain hands out and the mappings that decide whether a device access translates.

import type { Device } from '../core/device.js';
import type { IommuInstance } from './instance.js';
import { PAGE_SIZE, type PageRun } from '../dma/pages.js';
import { COPY, type CopyMap } from '../snapshot.js';

export type DomainType = 'dma' | 'identity';

/** one map() call: `count` IOVA pages from `start` (in pages) */
interface Mapping {
  start: number;
  count: number;
}

export class Domain {
  /** what is mapped, as the ranges iommu_map() was called with (buffers are contiguous) */
  private readonly mapped: Mapping[] = [];
  private iovaTopPfn: number | undefined;
  /** driver-private (e.g. ipmmu's domain->mmu, page-table state) */
  readonly priv: Record<string, unknown> = {};
  freed = false;

  constructor(
    readonly type: DomainType,
    readonly inst: IommuInstance,
  ) {}

  [COPY](m: CopyMap): Domain {
    const inst = m.of(this.inst);
    // copying the instance may have copied this domain already (its drvdata points here)
    const done = m.get(this);
    if (done) return done;
    const c = m.set(this, new Domain(this.type, inst));
    // a mapping is never changed, only added or removed
    for (let i = 0; i < this.mapped.length; i++) c.mapped.push(this.mapped[i]!);
    c.iovaTopPfn = this.iovaTopPfn;
    // the private data in place (as an IOMMU instance's working state): the copy's own object stands for this one's
    m.set(this.priv, c.priv);
    for (const key in this.priv) {
      const v = this.priv[key];
      c.priv[key] = v !== null && typeof v === 'object' ? m.of(v) : v;
    }
    c.freed = this.freed;
    return c;
  }

  /** alloc_iova_fast: top-down below `limit` (inclusive address) */
  allocIova(pages: number, limit: number): number {
    const limitPfn = Math.floor((limit + 1) / PAGE_SIZE);
    if (this.iovaTopPfn === undefined || this.iovaTopPfn > limitPfn) this.iovaTopPfn = limitPfn;
    this.iovaTopPfn -= pages;
    return this.iovaTopPfn * PAGE_SIZE;
  }

  map(iova: number, pages: PageRun): void {
    if (pages.count > 0) this.mapped.push({ start: iova / PAGE_SIZE, count: pages.count });
  }

  /** iommu_unmap() of what one map() mapped; returns the pages unmapped */
  unmap(iova: number, pages: number): number {
    const start = iova / PAGE_SIZE;
    const i = this.mapped.findIndex((m) => m.start === start);
    if (i < 0) return 0;
    const m = this.mapped[i]!;
    this.mapped.splice(i, 1);
    return Math.min(m.count, pages);
  }

  /** what a later translation depends on (the canonical state, state-key.ts): the IOVA top and the mappings */
  get iovaTop(): number | undefined {
    return this.iovaTopPfn;
  }

  get mappings(): readonly Mapping[] {
    return this.mapped;
  }

  /** every page of [addr, addr + size) is mapped */
  translates(addr: number, size: number): boolean {
    let page = Math.floor(addr / PAGE_SIZE);
    const last = Math.floor((addr + size - 1) / PAGE_SIZE);
    while (page <= last) {
      const m = this.mapped.find((r) => page >= r.start && page < r.start + r.count);
      if (!m) return false;
      page = m.start + m.count;
    }
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

  [COPY](m: CopyMap): Group {
    const inst = m.of(this.inst);
    const done = m.get(this);
    if (done) return done;
    const c = m.set(this, new Group(this.id, inst));
    for (const d of this.devices) c.devices.push(m.of(d));
    c.defaultDomain = m.of(this.defaultDomain);
    c.domain = m.of(this.domain);
    c.released = this.released;
    return c;
  }
}
