// ipmmu-vmsa (drivers/iommu/ipmmu-vmsa.c, Renesas R-Car). The quirks that matter:
// - ipmmu_of_xlate refuses devices the SoC opt-in tables do not list (-ENODEV), and
//   copies the IPMMU's drvdata into dev_iommu_priv — NULL if the IPMMU has not published
//   it yet, which it does only after iommu_device_register() until d9d3cede4167;
// - on Gen3 a cache (leaf) IPMMU needs its root (IPMMU-MM): it defers until the root's
//   drvdata exists, and a root with leaves never registers itself;
// - domain page tables come from the highest RAM bank and must map 1:1 through the ROOT
//   IPMMU's own dma-direct (40-bit mask, and the bus limit from b4ebe6063204), else
//   io-pgtable gives up: "Cannot accommodate DMA translation for IOMMU page tables";
// - ipmmu_domain_free dereferences domain->mmu, NULL for a domain whose context was
//   never set up, until "Fix crash on early domain free" (ipmmu-early-domain-free).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { IommuInstance } from '../iommu/instance.js';
import { Domain, type DomainType, type Group } from '../iommu/group.js';
import { devName, devInfo } from '../kernel/device-printk.js';
import { oops } from '../kernel/reports.js';
import { devIommuGet, iommuFwspecAddIds } from '../iommu/fwspec.js';
import { genericDeviceGroup, genericSingleDeviceGroup, instanceGroup } from '../iommu/core.js';
import { directLimit } from '../dma/mapping.js';
import { PAGE_SIZE, type PageRun } from '../dma/pages.js';
import { supplierMissing } from '../core/probe.js';
import { EBUSY, EINVAL, ENODEV, ENXIO, EPROBE_DEFER, privInstance, publishDrvdata, registerAroundSetup, wellBehaved } from './common.js';

/** IPMMU_CTX_MAX: contexts of a root IPMMU */
const NUM_CTX = 8;
/** dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(40)) in ipmmu_probe */
const IPMMU_DMA_LIMIT = 2 ** 40 - 1;
/** the ARM LPAE stage-1 pgd of a 32-bit IAS: 4 entries, one page */
const PGD_PAGES = 1;

/** the context the firmware keeps (set_bit(0, mmu->ctx)) */
const RESERVED = Symbol('reserved');

/** the root's context bitmap: the domain using each context, RESERVED, or null when free */
type Contexts = Array<Domain | typeof RESERVED | null>;

/** struct ipmmu_vmsa_domain */
interface IpmmuDomain {
  mmu: IommuInstance | null;
  contextId: number;
  pgtable: PageRun | null;
}

function dom(domain: Domain): IpmmuDomain {
  return domain.priv as unknown as IpmmuDomain;
}

/** the root IPMMU of a published instance (itself unless it is a leaf) */
function rootOf(mmu: IommuInstance): IommuInstance {
  return (mmu.drvdata?.['root'] as IommuInstance | undefined) ?? mmu;
}

/** ipmmu_device_is_allowed(): the SoC opt-in tables, stood for by the `allowlist` option */
function allowed(k: KernelCtx, dev: Device, inst: IommuInstance): boolean {
  const list = inst.allowlist;
  if (!list) return true;
  // "R-Car Gen3 and Gen4 PCI devices are allowed" (v5.x+)
  if (dev.bus === 'pci' && k.on.v5_14) return true;
  return list.includes(dev.name);
}

/** a Gen3 root with cache IPMMUs below it registers nothing itself: the leaves do */
function rootWithLeaves(k: KernelCtx, inst: IommuInstance): boolean {
  if (k.arch === 'arm') return false;
  for (const i of k.iommus.values()) if (i !== inst && i.impl === inst.impl && i.available && i.main === inst.name) return true;
  return false;
}

function ipmmuProbe(k: KernelCtx, inst: IommuInstance): number {
  return k.call('ipmmu_probe', () => {
    // root detection: a cache IPMMU ("renesas,ipmmu-main") needs its root probed first
    let root = inst;
    const main = inst.main;
    if (main !== undefined) {
      const r = k.call('ipmmu_find_root', () => k.iommus.get(main));
      if (!r || !r.drvdata) {
        supplierMissing(k, inst.name, main);
        return -EPROBE_DEFER;
      }
      root = r;
    }
    inst.state['root'] = root;
    if (root === inst) {
      const contexts: Contexts = new Array<Domain | null>(NUM_CTX).fill(null);
      // R-Car Gen3 features: reserved_context (context 0 belongs to the firmware)
      if (k.arch !== 'arm' && k.on.v4_20rc1) {
        if (inst.dev) devInfo(k, inst.dev, 'IPMMU context 0 is reserved');
        contexts[0] = RESERVED;
      }
      inst.state['contexts'] = contexts;
    }
    if (rootWithLeaves(k, inst)) {
      publishDrvdata(inst);
      return 0;
    }
    // v4.x..v6.15-rc1: platform_set_drvdata() was the last statement of ipmmu_probe
    return registerAroundSetup(k, inst, 'd9d3cede4167', () => publishDrvdata(inst));
  });
}

function ipmmuOfXlate(k: KernelCtx, dev: Device, inst: IommuInstance, ids: readonly number[]): number {
  return k.callWith('ipmmu_of_xlate', ofXlateBody, dev, inst, ids);
}

function ofXlateBody(k: KernelCtx, dev: Device, inst: IommuInstance, ids: readonly number[]): number {
  if (!allowed(k, dev, inst)) return -ENODEV;
  iommuFwspecAddIds(dev, ids);
  const di = devIommuGet(dev);
  // "Initialize once - xlate() will call multiple times"
  if (di.priv) return 0;
  // ipmmu_init_platform_device(): platform_get_drvdata() of the IPMMU, maybe still NULL
  di.priv = k.call('ipmmu_init_platform_device', () => (inst.drvdata ? inst : null));
  return 0;
}

function ipmmuProbeDevice(k: KernelCtx, dev: Device): IommuInstance | number {
  // "Only let through devices that have been verified in xlate()"
  return k.on.probeDeviceOps ? k.call('ipmmu_probe_device', () => privInstance(dev)) : privInstance(dev);
}

function ipmmuDeviceGroup(k: KernelCtx, dev: Device, inst: IommuInstance): Group | number {
  // ARM32 without IOMMU_DMA: a group per device (the arm_iommu mapping path); arm64: one per IPMMU
  if (k.arch === 'arm') return genericDeviceGroup(k, dev, inst);
  if (k.on.v5_14) return genericSingleDeviceGroup(k, dev, inst);
  // ≤ v5.x: the driver's own ipmmu_find_group(), the same one-group-per-IPMMU rule
  return k.call('ipmmu_find_group', () => instanceGroup(k, inst));
}

function ipmmuDomainAlloc(k: KernelCtx, inst: IommuInstance, type: DomainType): Domain | null {
  return k.call('ipmmu_domain_alloc', () => {
    const d = new Domain(type, inst);
    Object.assign(d.priv, { mmu: null, contextId: -1, pgtable: null } satisfies IpmmuDomain);
    return d;
  });
}

/**
 * dma_map_single() of a page-table page on the root IPMMU: dma-direct with the IPMMU's
 * 40-bit mask and (from b4ebe6063204) the bus limit; beyond it swiotlb bounces the page.
 * Returns the DMA address, or null on a mapping error.
 */
function mapOnRoot(k: KernelCtx, root: IommuInstance, pfns: PageRun): { dma: number; bounce: PageRun | null } | null {
  const phys = pfns.first * PAGE_SIZE;
  const limit = root.dev ? Math.min(IPMMU_DMA_LIMIT, directLimit(k, root.dev)) : IPMMU_DMA_LIMIT;
  if (phys + pfns.count * PAGE_SIZE - 1 <= limit) return { dma: phys, bounce: null };
  const bounce = k.pages.alloc(pfns.count, limit);
  if (!bounce) return null;
  return { dma: bounce.first * PAGE_SIZE, bounce };
}

/** alloc_io_pgtable_ops(ARM_32_LPAE_S1, cfg with iommu_dev = root->dev, !coherent_walk) */
function allocIoPgtable(k: KernelCtx, root: IommuInstance): PageRun | null {
  return k.call('alloc_io_pgtable_ops', () =>
    k.call('arm_32_lpae_alloc_pgtable_s1', () =>
      k.call('__arm_lpae_alloc_pages', () => {
        const pfns = k.pages.alloc(PGD_PAGES, Number.MAX_SAFE_INTEGER);
        if (!pfns) return null;
        const m = mapOnRoot(k, root, pfns);
        if (!m) {
          k.pages.free(pfns);
          return null;
        }
        if (m.dma !== pfns.first * PAGE_SIZE) {
          // "We depend on the IOMMU being able to work with any physical address directly"
          if (root.dev) k.log(`${devName(root.dev)}: Cannot accommodate DMA translation for IOMMU page tables`);
          if (m.bounce) k.pages.free(m.bounce);
          k.pages.free(pfns);
          return null;
        }
        return pfns;
      }),
    ),
  );
}

function initContext(k: KernelCtx, domain: Domain): number {
  return k.call('ipmmu_domain_init_context', () => {
    const d = dom(domain);
    const root = rootOf(d.mmu!);
    const contexts = root.drvdata?.['contexts'] as Contexts | undefined;
    const ctx = contexts ? contexts.indexOf(null) : -1;
    if (ctx < 0) return -EBUSY;
    const pgtable = allocIoPgtable(k, root);
    if (!pgtable) return -EINVAL;
    contexts![ctx] = domain;
    d.contextId = ctx;
    d.pgtable = pgtable;
    return 0;
  });
}

function ipmmuAttachDev(k: KernelCtx, domain: Domain, dev: Device): number {
  return k.call('ipmmu_attach_device', () => {
    const mmu = dev.iommu?.priv as IommuInstance | null | undefined;
    if (!mmu) {
      devInfo(k, dev, 'Cannot attach to IPMMU');
      return -ENXIO;
    }
    const d = dom(domain);
    if (!d.mmu) {
      // the domain has not been used yet: initialise it on this IPMMU
      d.mmu = mmu;
      const ret = initContext(k, domain);
      if (ret < 0) {
        devInfo(k, dev, 'Unable to initialize IPMMU context');
        d.mmu = null;
        return ret;
      }
      devInfo(k, dev, `Using IPMMU context ${d.contextId}`);
      return 0;
    }
    if (d.mmu !== mmu) {
      devInfo(k, dev, `Can't attach IPMMU ${mmu.name} to domain on IPMMU ${d.mmu.name}`);
      return -EINVAL;
    }
    devInfo(k, dev, `Reusing IPMMU context ${d.contextId}`);
    return 0;
  });
}

function ipmmuDomainFree(k: KernelCtx, domain: Domain): void {
  k.call('ipmmu_domain_free', () => {
    const d = dom(domain);
    // ipmmu_domain_destroy_context() is inlined here: ipmmu_ctx_write_all() reads
    // domain->mmu->root, so a domain whose context was never set up faults at ->root
    if (!d.mmu) {
      if (!k.has('ipmmu-early-domain-free')) oops(k, { addr: 0x38, pc: 'ipmmu_domain_free', lr: 'ipmmu_domain_free' });
      return;
    }
    const contexts = rootOf(d.mmu).drvdata?.['contexts'] as Contexts | undefined;
    if (contexts && contexts[d.contextId] === domain) contexts[d.contextId] = null;
    if (d.pgtable) k.pages.free(d.pgtable);
    d.pgtable = null;
  });
}

export const ipmmuVmsa = wellBehaved('ipmmu-vmsa', 'ipmmu-vmsa', 'ipmmu', {
  // v4.x: subsys_initcall(ipmmu_init) registers the driver (and bus_set_iommu)
  initcall: 'subsys',
  initFn: 'ipmmu_init',
  // a cache (leaf) IPMMU waits for its main one
  suppliers: (_board, node) => (typeof node.options['main'] === 'string' ? [node.options['main']] : []),
  // thread 004: "The ipmmu-vmsa driver in v4.12-rc1 ... doesn't IOMMU_OF_DECLARE()" — the
  // mainline driver then was Gen2 (arm32) only; the Gen3 (arm64) code, in renesas-drivers
  // and in mainline from v4.14, declared itself for its compatibles
  ofDeclared: (k) => k.arch === 'arm64',
  probe: ipmmuProbe,
  ofXlate: ipmmuOfXlate,
  probeDevice: ipmmuProbeDevice,
  deviceGroup: ipmmuDeviceGroup,
  domainAlloc: ipmmuDomainAlloc,
  attachDev: ipmmuAttachDev,
  domainFree: ipmmuDomainFree,
  contextFault(k, inst, dev, iova) {
    // ipmmu_domain_irq(): IMSTR_TF, reported on the IPMMU the domain runs on
    const mmu = (dev.iommu?.priv as IommuInstance | null | undefined) ?? inst;
    const where = mmu.dev ? devName(mmu.dev) : `ipmmu-vmsa ${mmu.name}`;
    k.log(`${where}: Unhandled fault: status 0x00000001 iova 0x${iova.toString(16)}`);
  },
  accepts: allowed,
});
