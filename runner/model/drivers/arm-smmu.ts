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
import { registerInSensibleOrder, wellBehaved } from './common.js';

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
