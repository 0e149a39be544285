// The behaviour switches and era tests the model's hot paths ask thousands of times per
// run, answered once per (behaviour set, era) as plain fields. `k.has(id)` / `k.since(p)`
// are Map lookups (~8 ns each here); a run of a late-registering IOMMU board asked ~2,300
// of them, a sixth of its time. Everything else keeps asking has()/since().

export interface SwitchSource {
  has(behaviour: string): boolean;
  since(profile: string): boolean;
}

/** Frozen and shared by every kernel (and snapshot copy) built on the same profile. */
export class HotSwitches {
  /** bcb81ac6ae3c: iommu_init_device() runs the bus dma_configure (DT/ACPI parsing) itself */
  readonly initDeviceConfigures: boolean;
  /** 73d2f10957f5: the "late IOMMU probe at driver bind" WARN moved after probe_device */
  readonly lateProbeWarnAfter: boolean;
  /** 7b07cbefb68d: clients of an IOMMU not registered yet defer at really_probe */
  readonly ofIommuDefers: boolean;
  /** a6a4c7e2c5b8: the IOMMU core allocates groups around ->probe_device (iommu_probe_device) */
  readonly probeDeviceOps: boolean;
  /** b67483b3c44e: the IOMMU core installs iommu-dma once, at IOMMU probe time */
  readonly coreSetsDmaOps: boolean;
  /** of-iommu-skip-disabled: of_iommu_xlate skips an IOMMU whose node is disabled */
  readonly ofSkipDisabled: boolean;
  /** 512881eacfa7: bus dma_configure claims the default domain (DMA ownership) */
  readonly dmaOwnership: boolean;
  /** 25f3bcfc54bc: a failed probe and an unbind call bus->dma_cleanup() */
  readonly dmaCleanup: boolean;
  /** 0b777eee88d7: DMA tear-down after devres release on the really_probe failure path */
  readonly dmaTeardownAfterDevres: boolean;
  /** f0acf637d60f: a deferred retry drops the device's old reason */
  readonly retryClearsReason: boolean;
  /** 8b80549f1bc6: arm64 has no DMA ops tear-down */
  readonly noArm64Teardown: boolean;
  /** fw_devlink makes an `iommus` IOMMU a supplier a consumer waits for (links.ts) */
  readonly iommuDevlink: boolean;
  /** 25b4e70dcce9: driver_deferred_probe_check_state() exists */
  readonly deferredCheckState: boolean;
  /** c8c43cee29f6: driver_deferred_probe_check_state() defers while the timeout runs */
  readonly deferredCheckTimeout: boolean;
  /** b09796d528bb without its revert a4f124908617: of_iommu_xlate no longer asks the deferred check */
  readonly ofXlateNoDeferredCheck: boolean;
  /** b4ebe6063204: dma-direct honours the bus DMA limit */
  readonly busDmaLimit: boolean;
  /** 6778be4e5209: a DT device gets a bus DMA limit only from dma-ranges */
  readonly busLimitFromRangesOnly: boolean;
  // era tests
  readonly v4_20rc1: boolean;
  readonly v5_0: boolean;
  readonly v5_1: boolean;
  readonly v5_14: boolean;
  readonly v6_8: boolean;
  readonly v6_9: boolean;

  constructor(k: SwitchSource) {
    this.initDeviceConfigures = k.has('bcb81ac6ae3c');
    this.lateProbeWarnAfter = k.has('73d2f10957f5');
    this.ofIommuDefers = k.has('7b07cbefb68d');
    this.probeDeviceOps = k.has('a6a4c7e2c5b8');
    this.coreSetsDmaOps = k.has('b67483b3c44e');
    this.ofSkipDisabled = k.has('of-iommu-skip-disabled');
    this.dmaOwnership = k.has('512881eacfa7');
    this.dmaCleanup = k.has('25f3bcfc54bc');
    this.dmaTeardownAfterDevres = k.has('0b777eee88d7');
    this.retryClearsReason = k.has('f0acf637d60f');
    this.noArm64Teardown = k.has('8b80549f1bc6');
    // e590474768f1 (fw_devlink=on), reverted by 3e4c982f1ce7, on again with ea718c699055; the
    // property optional from a9dd8f3c2cf3 unless fw_devlink.strict (71066545b48e, reverted d8ab4685adc1)
    this.iommuDevlink =
      ((k.has('e590474768f1') && !k.has('3e4c982f1ce7')) || k.has('ea718c699055')) &&
      !(k.has('a9dd8f3c2cf3') && !(k.has('71066545b48e') && !k.has('d8ab4685adc1')));
    this.deferredCheckState = k.has('25b4e70dcce9');
    this.deferredCheckTimeout = k.has('c8c43cee29f6');
    this.ofXlateNoDeferredCheck = k.has('b09796d528bb') && !k.has('a4f124908617');
    this.busDmaLimit = k.has('b4ebe6063204');
    this.busLimitFromRangesOnly = k.has('6778be4e5209');
    this.v4_20rc1 = k.since('v4.20-rc1');
    this.v5_0 = k.since('v5.0');
    this.v5_1 = k.since('v5.1');
    this.v5_14 = k.since('v5.14');
    this.v6_8 = k.since('v6.8');
    this.v6_9 = k.since('v6.9');
    Object.freeze(this);
  }
}
