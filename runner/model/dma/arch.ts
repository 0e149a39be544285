// arch_setup_dma_ops()/arch_teardown_dma_ops() for arm64, arm (32-bit) and x86_64,
// as each era had them (see research kernel-driver-core.md §6).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { DmaOpsKind } from '../api.js';

/** what dev->dma_ops means to a caller: NULL is dma-direct on every arch modelled */
export function effectiveOps(dev: Device): 'direct' | 'iommu' | 'arm-iommu' {
  return dev.dmaOps ?? 'direct';
}

/** the state query's view: 'none' when DMA is not configured and no ops are left */
export function reportedOps(dev: Device): DmaOpsKind {
  if (dev.dmaOps) return dev.dmaOps;
  return dev.dmaConfigured ? 'direct' : 'none';
}

/** what the event record calls a device's DMA ops: arm32's ops without their mapping stand out */
export function opsState(dev: Device): string {
  return dev.dmaOps === 'arm-iommu' && !dev.armMapping ? 'arm-iommu without a mapping' : reportedOps(dev);
}

/** record a change of the device's DMA ops (the events of where dev->dma_ops came from) */
function opsChanged(k: KernelCtx, dev: Device, before: string, kind: 'ops-installed' | 'ops-torn-down', fn: string): void {
  const rec = k.events!;
  const after = opsState(dev);
  if (after === before) return;
  rec.setOpsOrigin(dev.name, rec.add(kind, fn, { device: dev.name, detail: after }));
}

function translatedDefaultDomain(dev: Device): boolean {
  return dev.group?.defaultDomain?.type === 'dma';
}

/** iommu_setup_dma_ops(): iommu-dma for a device in a translated default domain */
export function iommuSetupDmaOps(k: KernelCtx, dev: Device): void {
  if (!k.events) return setupIommuOps(k, dev);
  const before = opsState(dev);
  setupIommuOps(k, dev);
  opsChanged(k, dev, before, 'ops-installed', 'iommu_setup_dma_ops');
}

function setupIommuOps(k: KernelCtx, dev: Device): void {
  k.call('iommu_setup_dma_ops', () => {
    if (k.arch === 'arm') return;
    if (translatedDefaultDomain(dev)) dev.dmaOps = 'iommu';
    else if (dev.dmaOps === 'iommu') dev.dmaOps = null;
  });
}

export function archSetupDmaOps(k: KernelCtx, dev: Device, iommuPresent: boolean): void {
  if (!k.events) return setupOps(k, dev, iommuPresent);
  const before = opsState(dev);
  setupOps(k, dev, iommuPresent);
  opsChanged(k, dev, before, 'ops-installed', 'arch_setup_dma_ops');
}

function setupOps(k: KernelCtx, dev: Device, iommuPresent: boolean): void {
  k.callWith('arch_setup_dma_ops', setupOpsBody, dev, iommuPresent, undefined);
}

function setupOpsBody(k: KernelCtx, dev: Device, iommuPresent: boolean): void {
  switch (k.arch) {
    case 'arm64':
      // from b67483b3c44e the IOMMU core installs iommu-dma once, at IOMMU probe time
      if (!k.on.coreSetsDmaOps) {
        if (iommuPresent && translatedDefaultDomain(dev)) setupIommuOps(k, dev);
        else dev.dmaOps = null;
      }
      break;
    case 'arm':
      // v4.12 added "don't override the dma_ops if they have already been set"
      if (k.on.ofIommuDefers && dev.dmaOps) return;
      if (iommuPresent && dev.group) {
        dev.armMapping = true;
        dev.dmaOps = 'arm-iommu';
      } else {
        dev.dmaOps = null;
      }
      dev.armOpsSetup = true;
      break;
    case 'x86_64':
      break;
  }
  dev.dmaConfigured = true;
}

export function archTeardownDmaOps(k: KernelCtx, dev: Device): void {
  if (!k.events) return teardownOps(k, dev);
  const before = opsState(dev);
  teardownOps(k, dev);
  opsChanged(k, dev, before, 'ops-torn-down', 'arch_teardown_dma_ops');
}

function teardownOps(k: KernelCtx, dev: Device): void {
  k.callWith('arch_teardown_dma_ops', teardownOpsBody, dev, undefined, undefined);
}

function teardownOpsBody(k: KernelCtx, dev: Device): void {
  switch (k.arch) {
    case 'arm64':
      // 8b80549f1bc6 removed arm64's tear-down altogether
      if (k.on.noArm64Teardown) return;
      dev.dmaOps = null;
      break;
    case 'arm':
      if (k.on.ofIommuDefers && !dev.armOpsSetup) return;
      // __arm_iommu_detach_device: the mapping goes, dev->dma_ops stays unless cleared
      dev.armMapping = false;
      if (k.has('a93a121a9653')) dev.dmaOps = null;
      dev.armOpsSetup = false;
      break;
    case 'x86_64':
      return;
  }
  dev.dmaConfigured = false;
}
