// arm-smmu (drivers/iommu/arm/arm-smmu/arm-smmu.c; here the Qualcomm SMMU-500 flavour,
// e.g. 15000000.iommu). Well behaved itself; what it contributes is the context-fault
// report a stray device access produces. With b67483b3c44e and without 8b80549f1bc6 a
// client whose probe deferred once is left on dma-direct inside its DMA domain, so its
// first transfer hands a physical address to the SMMU as an IOVA (core + dma layer).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { Domain } from '../iommu/group.js';
import type { IommuInstance } from '../iommu/instance.js';
import { devName } from '../kernel/device-printk.js';
import { genericDeviceGroup, iommuGroupAlloc } from '../iommu/core.js';
import { EPROBE_DEFER, registerInSensibleOrder, wellBehaved } from './common.js';
import { supplierMissing } from '../core/probe.js';
import { fwspecInstance } from '../iommu/fwspec.js';
import { oops } from '../kernel/reports.js';

/** offsetof(struct arm_smmu_device, streamid_mask): the first field probe_device reads */
const STREAMID_MASK_OFFSET = 0x60;

/**
 * arm_smmu_get_by_fwnode(): driver_find_device_by_fwnode() walks the devices *bound* to
 * arm-smmu, so an SMMU between iommu_device_register() and driver_bound() is not found.
 * Its own registration walk is let through: the model does not claim how v6.15+ kernels,
 * whose walk parses the firmware of unbound clients, keep that walk from deferring.
 */
function getByFwnode(k: KernelCtx, dev: Device): IommuInstance | null {
  return k.call('arm_smmu_get_by_fwnode', () => {
    const inst = fwspecInstance(k, dev);
    if (!inst) return null;
    return inst.dev?.bound || inst.walking ? inst : null;
  });
}

/** arm_smmu_probe_device() (arm_smmu_add_device() before v5.8) */
function probeDevice(k: KernelCtx, dev: Device): IommuInstance | number {
  const smmu = getByFwnode(k, dev);
  if (smmu) return smmu;
  // 229e6ee43d2a: "Defer probe if the relevant SMMU instance hasn't finished probing yet"
  // (dev_err_probe(-EPROBE_DEFER): a dev_dbg and the deferral reason, nothing printed)
  if (k.events && k.has('229e6ee43d2a')) {
    // the event record hears which SMMU the client waits for
    const inst = fwspecInstance(k, dev);
    if (inst) supplierMissing(k, dev.name, inst.name);
  }
  if (k.has('229e6ee43d2a')) return -EPROBE_DEFER;
  // "null ptr dereference while smmu->streamid_mask"
  return oops(k, { addr: STREAMID_MASK_OFFSET, pc: k.on.probeDeviceOps ? 'arm_smmu_probe_device' : 'arm_smmu_add_device' });
}

/** FSR.TF with FSR.FORMAT = AArch64 (0x400): a translation fault on an unmapped IOVA */
const FSR_TRANSLATION = 0x402;
/** FSYNR0 of a plain read by the client (as in the SC8180X UFS report) */
const FSYNR_READ = 0x130000;

/** arm_smmu_init_domain_context(): context banks handed out in attach order */
function contextBank(k: KernelCtx, domain: Domain, inst: IommuInstance): number {
  let cb = domain.priv['cb'] as number | undefined;
  if (cb === undefined) {
    cb = (inst.state['nextCb'] as number | undefined) ?? 0;
    inst.state['nextCb'] = cb + 1;
    domain.priv['cb'] = cb;
  }
  void k;
  return cb;
}

export const armSmmu = wellBehaved('arm-smmu', 'arm-smmu', 'arm_smmu', {
  ofDeclared: true,
  probe(k, inst) {
    return k.call('arm_smmu_device_probe', () => {
      k.log(`arm-smmu ${inst.name}: probing hardware configuration...`);
      k.log(`arm-smmu ${inst.name}: SMMUv2 with:`);
      k.log(`arm-smmu ${inst.name}: \tstage 1 translation`);
      return registerInSensibleOrder(k, inst);
    });
  },
  probeDevice(k, dev) {
    return k.on.probeDeviceOps ? k.call('arm_smmu_probe_device', () => probeDevice(k, dev)) : probeDevice(k, dev);
  },
  deviceGroup(k, dev, inst) {
    return k.call('arm_smmu_device_group', () => (dev.bus === 'pci' ? k.call('pci_device_group', () => iommuGroupAlloc(k, inst)) : genericDeviceGroup(k, dev, inst)));
  },
  attachDev(k, domain, dev) {
    return k.call('arm_smmu_attach_dev', () => {
      const inst = (dev.iommu?.iommuDev ?? domain.inst) as IommuInstance;
      contextBank(k, domain, inst);
      return 0;
    });
  },
  contextFault(k: KernelCtx, inst: IommuInstance, dev: Device, iova: number) {
    // arm_smmu_context_fault(): dev_err_ratelimited on the SMMU device
    const where = inst.dev ? devName(inst.dev) : `arm-smmu ${inst.name}`;
    const domain = dev.group?.domain;
    const cb = domain ? contextBank(k, domain, inst) : 0;
    const sid = dev.iommu?.ids[0] ?? 0;
    k.log(
      `${where}: Unhandled context fault: fsr=0x${FSR_TRANSLATION.toString(16)}, iova=0x${iova.toString(16).padStart(8, '0')}, ` +
        `fsynr=0x${FSYNR_READ.toString(16)}, cbfrsynra=0x${sid.toString(16)}, cb=${cb}`,
    );
  },
});
