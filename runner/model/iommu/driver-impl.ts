// What an IOMMU driver of the catalog provides: its platform probe (which decides the
// order of its own set-up around iommu_device_register, the source of several seed
// bugs) and its iommu_ops. Each catalog driver is one small file in ../drivers/.

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { BoardIommu, Initcall, ModelBoard } from '../types.js';
import type { IommuInstance } from './instance.js';
import type { Domain, DomainType, Group } from './group.js';
import type { CheckFailure } from '../api.js';

export interface IommuDriverImpl {
  /** the catalog name boards use in `driver:` */
  name: string;
  /** the kernel's struct device_driver name, as dev_printk prints it */
  driverName: string;
  /** the C prefix of its functions in traces (ipmmu, rk_iommu, mtk_iommu, ...) */
  symbol: string;
  initcall: Initcall;
  /** the init function do_one_initcall calls, when it is not <driver>_driver_init */
  initFn?: string;
  /**
   * registered from an initcall rather than a platform driver's probe (x86 DMAR/IVRS):
   * the instance has no device of its own and probe() runs from do_one_initcall
   */
  initcallRegistered?: boolean;
  /** declared with IOMMU_OF_DECLARE: of_iommu_driver_present() is true while booting (v4.12 era) */
  ofDeclared: boolean | ((k: KernelCtx) => boolean);
  /** no fwspec (x86): every device is offered to probe_device, which filters */
  fwspecless?: boolean;
  /** unbinding through sysfs is refused (suppress_bind_attrs) */
  suppressBindAttrs?: boolean;
  /** the driver's platform probe for one instance: 0 or -errno */
  probe(k: KernelCtx, inst: IommuInstance): number;
  /** ->of_xlate (also the IORT/ACPI equivalent): 0 or -errno */
  ofXlate(k: KernelCtx, dev: Device, inst: IommuInstance, ids: readonly number[]): number;
  /** ->probe_device: the instance that owns dev, or -errno (-ENODEV: not mine) */
  probeDevice(k: KernelCtx, dev: Device): IommuInstance | number;
  /** ->device_group: a group (new or shared), or -errno */
  deviceGroup(k: KernelCtx, dev: Device, inst: IommuInstance): Group | number;
  /** ->domain_alloc(_paging): null when it cannot */
  domainAlloc(k: KernelCtx, inst: IommuInstance, type: DomainType): Domain | null;
  /** ->attach_dev: 0 or -errno */
  attachDev(k: KernelCtx, domain: Domain, dev: Device): number;
  /** ->domain_free */
  domainFree(k: KernelCtx, domain: Domain): void;
  /** ->release_device */
  releaseDevice?(k: KernelCtx, dev: Device): void;
  /** ->probe_finalize */
  probeFinalize?(k: KernelCtx, dev: Device): void;
  /** a device access the domain does not translate: print the driver's fault report */
  contextFault(k: KernelCtx, inst: IommuInstance, dev: Device, iova: number): void;
  /** ipmmu-style allowlists: would probe_device take this device (for the built-in checks) */
  accepts?(k: KernelCtx, dev: Device, inst: IommuInstance): boolean;
  /** driver-specific built-in checks on the current state (e.g. exynos' per-SYSMMU link slot) */
  checks?(k: KernelCtx): CheckFailure[];
  /** the devices and IOMMUs an instance waits for before it registers (ipmmu's main, mtk's SMI larbs) */
  suppliers?(board: ModelBoard, node: BoardIommu): string[];
}
