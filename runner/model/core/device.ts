// struct device, reduced to what the driver core, the DMA layer and the IOMMU core
// read and write.

import type { BoardDevice, BusName, IommuRef, Status } from '../types.js';
import type { Driver } from './driver.js';
import type { DmaBuffer } from '../dma/buffer.js';
import type { IommuInstance } from '../iommu/instance.js';
import type { Group } from '../iommu/group.js';

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
  /** wait-for supplier links the driver core made for this consumer */
  readonly iommuInstance?: IommuInstance;

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
    if (iommuInstance) this.iommuInstance = iommuInstance;
  }

  get dmaMask(): number {
    return this.dmaBits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** this.dmaBits - 1;
  }
}
