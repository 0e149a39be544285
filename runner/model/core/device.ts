// struct device, reduced to what the driver core, the DMA layer and the IOMMU core
// read and write.

import type { BoardDevice, BusName, IommuRef, Status } from '../types.js';
import type { Driver } from './driver.js';
import type { DmaBuffer } from '../dma/buffer.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { Group } from '../iommu/group.js';
import { COPY, type CopyMap } from '../snapshot.js';

export type DevresKind = 'dmam' | 'devm' | 'irq';

export interface Devres {
  kind: DevresKind;
  /** dmam: the buffer it frees on release */
  buffer?: DmaBuffer;
  size: number;
  irq?: number;
}

/** dev->iommu: the fwspec and the driver's per-device data */
export interface DevIommu {
  /** fwspec: the IOMMU instance named by firmware, and the IDs */
  fwspecIommu: IommuInstance | null;
  ids: number[];
  /** dev_iommu_priv: driver-specific */
  priv: unknown;
  /** the IOMMU instance probe_device returned */
  iommuDev: IommuInstance | null;
}

export interface DeviceLink {
  supplier: Device;
  consumer: Device;
  /** who made it: the driver core for wait-for suppliers, or an IOMMU driver */
  owner: string;
  pmRuntime: boolean;
  /** device_link_del() released it (a driver still holding it must not delete it twice) */
  freed?: boolean;
}

/**
 * An intrusive list like the kernel's list_head: splices and block moves are O(1), as
 * list_splice_tail_init() is. A device is on at most one list (dev.deferred).
 */
export class DeferList {
  head: Device | null = null;
  tail: Device | null = null;

  get empty(): boolean {
    return this.head === null;
  }

  has(dev: Device): boolean {
    if (!dev.deferred) return false;
    let d: Device | null = dev;
    while (d.deferPrev) d = d.deferPrev;
    return d === this.head;
  }

  pushTail(dev: Device): void {
    dev.deferPrev = this.tail;
    dev.deferNext = null;
    if (this.tail) this.tail.deferNext = dev;
    else this.head = dev;
    this.tail = dev;
  }

  /** unlink a device known to be on this list */
  remove(dev: Device): void {
    if (dev.deferPrev) dev.deferPrev.deferNext = dev.deferNext;
    else this.head = dev.deferNext;
    if (dev.deferNext) dev.deferNext.deferPrev = dev.deferPrev;
    else this.tail = dev.deferPrev;
    dev.deferPrev = null;
    dev.deferNext = null;
  }

  /** list_splice_tail_init(this, to) */
  spliceTailInto(to: DeferList): void {
    if (!this.head) return;
    this.moveHeadRunTo(to, this.tail!);
  }

  /** move the run from this list's head up to `last` onto the tail of `to` */
  moveHeadRunTo(to: DeferList, last: Device): void {
    const first = this.head!;
    const rest = last.deferNext;
    this.head = rest;
    if (rest) rest.deferPrev = null;
    else this.tail = null;
    last.deferNext = null;
    first.deferPrev = to.tail;
    if (to.tail) to.tail.deferNext = first;
    else to.head = first;
    to.tail = last;
  }

  toArray(): Device[] {
    const out: Device[] = [];
    for (let d = this.head; d; d = d.deferNext) out.push(d);
    return out;
  }

  [COPY](m: CopyMap): DeferList {
    const c = m.set(this, new DeferList());
    c.head = m.of(this.head);
    c.tail = m.of(this.tail);
    return c;
  }
}

export class Device {
  added = false;
  /** device_del() ran: the device is gone */
  dead = false;
  /** dev->driver: set from the start of really_probe until unbind or failure */
  driver: Driver | null = null;
  /** on the driver's klist (driver_bound ran) */
  bound = false;
  canMatch = false;
  /** on the deferred pending or active list */
  deferred = false;
  /** dev->p->deferred_probe_reason: "<driver or bus>: <message>" (devices_deferred, v5.9+) */
  deferredReason: string | null = null;
  /** neighbours on the deferred list this device sits on (dev->p->deferred_probe) */
  deferPrev: Device | null = null;
  deferNext: Device | null = null;
  /**
   * The last probe deferred at a first-action `wait-for` and changed nothing visible:
   * until that supplier binds (or a fault is armed) another attempt would do the same.
   */
  deferMemo: { driver: Driver; supplier: Device } | null = null;
  readonly devres: Devres[] = [];
  /** unmanaged coherent buffers the driver holds (dma_alloc_coherent) */
  readonly buffers: DmaBuffer[] = [];
  /** the bus dma_configure ran since the last tear-down */
  dmaConfigured = false;
  /** dev->dma_ops: null means dma-direct (arm64/x86) */
  dmaOps: 'iommu' | 'arm-iommu' | null = null;
  /** arm32: to_dma_iommu_mapping(dev) */
  armMapping = false;
  /** arm32 v4.12+: dev->archdata.dma_ops_setup */
  armOpsSetup = false;
  iommu: DevIommu | null = null;
  group: Group | null = null;
  /** iommu_device_use_default_domain() claimed the group's domain */
  dmaOwner = false;
  readonly links: DeviceLink[] = [];
  drvdata: unknown = null;
  /** dev_is_dma_coherent() */
  dmaCoherent = false;
  /** dev->dma_range_map: of_dma_configure() found dma-ranges; freed by device_unbind_cleanup() */
  dmaRangeMap = false;
  /** dma_mask (a JS number holds 53 bits: wider masks are all-ones at that width) */
  readonly dmaMask: number;
  /** set when this is an IOMMU's own device */
  readonly iommuInstance?: IommuInstance;
  /** the name's number in state-key.ts's table (0 until a state key asks), kept by a snapshot's copy */
  keyId = 0;

  constructor(
    readonly name: string,
    readonly bus: BusName,
    readonly compatible: string | undefined,
    readonly status: Status,
    readonly iommus: readonly IommuRef[],
    readonly dmaBits: number,
    /** the client driver named by the board, if any */
    readonly matchDriver: string | undefined,
    readonly board: BoardDevice | undefined,
    iommuInstance?: IommuInstance,
  ) {
    // every DMA allocation and map asks for it
    this.dmaMask = dmaBits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** dmaBits - 1;
    if (iommuInstance) this.iommuInstance = iommuInstance;
  }

  /**
   * A snapshot's copy (snapshot.ts), in two halves so that a thousand devices that point
   * at each other (deferred lists, links) are copied without a thousand nested calls: the
   * kernel makes every device's shell first, then fills them in.
   */
  copyShell(m: CopyMap): Device {
    const c = m.set(this, new Device(this.name, this.bus, this.compatible, this.status, this.iommus, this.dmaBits, this.matchDriver, this.board));
    c.keyId = this.keyId;
    // as the constructor does it, last (the same object shape)
    if (this.iommuInstance) (c as { iommuInstance?: IommuInstance }).iommuInstance = m.of(this.iommuInstance);
    return c;
  }

  copyFill(c: Device, m: CopyMap): void {
    c.added = this.added;
    c.dead = this.dead;
    c.driver = m.of(this.driver);
    c.bound = this.bound;
    c.canMatch = this.canMatch;
    c.deferred = this.deferred;
    c.deferredReason = this.deferredReason;
    c.deferPrev = m.of(this.deferPrev);
    c.deferNext = m.of(this.deferNext);
    c.deferMemo = this.deferMemo && { driver: m.of(this.deferMemo.driver), supplier: m.of(this.deferMemo.supplier) };
    // lists copied whole (one copy of the array), then the entries that hold stateful objects
    const w = c as { -readonly [K in keyof Device]: Device[K] };
    if (this.devres.length > 0) {
      const devres = (w.devres = this.devres.slice());
      for (let i = 0; i < devres.length; i++) {
        const r = devres[i]!;
        if (r.buffer) devres[i] = { ...r, buffer: m.of(r.buffer) };
      }
    }
    if (this.buffers.length > 0) w.buffers = m.all(this.buffers);
    c.dmaConfigured = this.dmaConfigured;
    c.dmaOps = this.dmaOps;
    c.armMapping = this.armMapping;
    c.armOpsSetup = this.armOpsSetup;
    c.iommu = this.iommu && { fwspecIommu: m.of(this.iommu.fwspecIommu), ids: this.iommu.ids.slice(), priv: m.of(this.iommu.priv), iommuDev: m.of(this.iommu.iommuDev) };
    c.group = m.of(this.group);
    c.dmaOwner = this.dmaOwner;
    if (this.links.length > 0) w.links = m.all(this.links);
    c.drvdata = m.of(this.drvdata);
    c.dmaCoherent = this.dmaCoherent;
    c.dmaRangeMap = this.dmaRangeMap;
  }

  [COPY](m: CopyMap): Device {
    const c = this.copyShell(m);
    this.copyFill(c, m);
    return c;
  }

}
