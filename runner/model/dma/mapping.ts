// The DMA mapping layer: coherent allocations through the device's current ops, frees
// through whatever ops the device has when the free happens, and a streaming transfer
// the device performs through its IOMMU's translation (if any).

import type { KernelCtx } from '../kernel/ctx.js';
import type { Device } from '../core/device.js';
import type { DmaBuffer } from './buffer.js';
import { PAGE_SIZE, type PageRun } from './pages.js';
import { effectiveOps } from './arch.js';
import { badPage, oops, warn } from '../kernel/reports.js';
import { ERRNO } from '../kernel/errno.js';
import { causing } from '../kernel/events.js';
import { layout, pageToPfn, physToVirt, virtToPage, vmemmapFaultLevel } from '../kernel/memmap.js';

/**
 * dev->bus_dma_mask as of_dma_configure() leaves it: from the board's dma-ranges, or,
 * before 6778be4e5209, a 32-bit default for any DT device without them.
 */
export function busDmaBits(k: KernelCtx): number | undefined {
  if (k.busDmaBits !== undefined) return k.busDmaBits;
  return k.firmware === 'dt' && !k.on.busLimitFromRangesOnly ? 32 : undefined;
}

/** the address limit dma-direct honours: the device mask, and the bus limit from b4ebe6063204 */
export function directLimit(k: KernelCtx, dev: Device): number {
  let limit = dev.dmaMask;
  const bus = busDmaBits(k);
  if (k.on.busDmaLimit && bus !== undefined) limit = Math.min(limit, 2 ** bus - 1);
  return limit;
}

function pagesFor(size: number): number {
  return Math.max(1, Math.ceil(size / PAGE_SIZE));
}

/** iommu_dma_alloc_iova(): top-down below the device's DMA mask */
function iovaLimit(_k: KernelCtx, dev: Device): number {
  return dev.dmaMask;
}

/** dma_common_pages_remap(): the next free stretch of the vmalloc area, plus its guard page */
function vmallocRemap(k: KernelCtx, pages: number): number {
  const off = k.vmallocNext;
  k.vmallocNext += (pages + 1) * PAGE_SIZE;
  return off;
}

function armMappingMissing(k: KernelCtx, dev: Device): never {
  // arm_iommu_alloc_attrs() → __alloc_iova(mapping == NULL); the oops comes from where the ops came from
  return causing(k.events, k.events?.opsOriginOf(dev.name) ?? undefined, () =>
    k.call('arm_iommu_alloc_attrs', () => k.call('__iommu_alloc_buffer', () => oops(k, { addr: 0x14, pc: '__alloc_iova' }))));
}

export function dmaAllocAttrs(k: KernelCtx, dev: Device, size: number): DmaBuffer | null {
  return k.call('dma_alloc_attrs', () => {
    const pages = pagesFor(size);
    const ops = effectiveOps(dev);
    if (ops === 'arm-iommu' && !dev.armMapping) armMappingMissing(k, dev);
    if (ops === 'iommu' || ops === 'arm-iommu') {
      return k.call(ops === 'iommu' ? 'iommu_dma_alloc' : 'arm_iommu_alloc_attrs', () => {
        const domain = dev.group?.domain;
        if (!domain || domain.type !== 'dma') return null;
        const pfns = k.pages.alloc(pages, Number.MAX_SAFE_INTEGER);
        if (!pfns) return null;
        const iova = domain.allocIova(pages, iovaLimit(k, dev));
        domain.map(iova, pfns);
        return { size, allocOps: ops, pfns, dmaHandle: iova, vmallocOffset: vmallocRemap(k, pages), domain, freed: false, foreignFree: false };
      });
    }
    return k.call('dma_direct_alloc', () => {
      const pfns = k.pages.alloc(pages, directLimit(k, dev));
      if (!pfns) return null;
      return { size, allocOps: 'direct' as const, pfns, dmaHandle: pfns.first * PAGE_SIZE, freed: false, foreignFree: false };
    });
  });
}

/**
 * __free_pages() of whatever struct page dma-direct computed for a foreign buffer: a page
 * with no memmap behind it faults reading its refcount; a reserved page (the lowest bank,
 * never handed out: kernel image and firmware) goes to the buddy allocator and every page
 * of the order fails free_pages_check() — the tails first (refcount 1), then the head
 * (refcount just dropped to 0); a live page of someone else is freed quietly.
 */
function freePagesOfForeign(k: KernelCtx, page: bigint, pages: number): void {
  k.call('__free_pages', () => {
    const l = layout(k);
    // put_page_testzero(): page->_refcount at offset 0x34
    const ref = page + 0x34n;
    if (vmemmapFaultLevel(k, l, ref) >= 0) oops(k, { addr: ref, pc: '__free_pages', base: page });
    const head = Number(pageToPfn(l, page));
    const order = Math.ceil(Math.log2(pages));
    const n = 1 << order;
    if (!k.pages.isRam(head) || k.pages.isLive(head) || head >= k.pages.lowestBankEnd() / PAGE_SIZE) return;
    k.call('__free_pages_ok', () => {
      for (let i = 1; i <= n; i++) {
        const idx = i % n;
        badPage(k, { pfn: head + idx, page: page + BigInt(idx) * l.structPage, count: idx === 0 ? 0 : 1 });
      }
    });
  });
}

/**
 * dma_direct_free() of a buffer that came from iommu-dma (356da6d0cde3, v5.0: NULL dma_ops
 * is dma-direct). A non-coherent device goes through arch_dma_free(), which takes the DMA
 * handle — an IOVA — for a physical address; a coherent one through virt_to_page() of the
 * cpu address — a vmalloc remapping. Before it a NULL dma_ops meant arm64's
 * dummy_dma_ops, whose free does nothing: the buffer leaked silently (thread 000: "How it
 * manages not to blow up more catastrophically I have no idea").
 */
function directFreeOfIommuBuffer(k: KernelCtx, dev: Device, buf: DmaBuffer): void {
  if (k.arch === 'arm64' && !k.has('356da6d0cde3')) {
    k.call('__dummy_free', () => undefined);
    return;
  }
  if (k.arch === 'arm') {
    // arm_dma_ops: __arm_dma_free() finds no arm_dma_buffer for a cpu address it never handed out
    k.call('arm_dma_free', () =>
      k.call('__arm_dma_free', () => warn(k, { file: 'arch/arm/mm/dma-mapping.c', line: 873, fn: '__arm_dma_free', message: `Freeing invalid buffer ${'(ptrval)'}` })),
    );
    return;
  }
  const l = layout(k);
  k.call('dma_direct_free', () => {
    if (!dev.dmaCoherent) {
      k.call('arch_dma_free', () => {
        const kaddr = physToVirt(l, BigInt(buf.dmaHandle));
        k.call('__dma_direct_free_pages', () => freePagesOfForeign(k, virtToPage(l, kaddr), buf.pfns.count));
      });
      return;
    }
    const vaddr = l.vmallocStart + BigInt(buf.vmallocOffset ?? 0);
    k.call('__dma_direct_free_pages', () => freePagesOfForeign(k, virtToPage(l, vaddr), buf.pfns.count));
  });
}

export function dmaFreeAttrs(k: KernelCtx, dev: Device, buf: DmaBuffer): void {
  if (buf.freed) return;
  k.call('dma_free_attrs', () => {
    const ops = effectiveOps(dev);
    buf.freed = true;
    if (ops === buf.allocOps) {
      if (buf.domain) buf.domain.unmap(buf.dmaHandle, buf.pfns.count);
      k.pages.free(buf.pfns);
      return;
    }
    buf.foreignFree = true;
    k.foreignFrees.push({ device: dev.name, size: buf.size, allocOps: buf.allocOps, ops });
    // the free goes wrong because of where the device's current ops came from
    const rec = k.events;
    const ev = rec?.add('foreign-free', 'dma_free_attrs', { device: dev.name, detail: `allocated through ${buf.allocOps}, freed through ${ops}` }, rec.opsOriginOf(dev.name) ?? rec.current);
    causing(rec, ev, () => {
      if (ops === 'direct') {
        directFreeOfIommuBuffer(k, dev, buf);
      } else {
        // a physical address handed to iommu-dma as an IOVA: nothing is mapped there
        k.call('iommu_dma_free', () =>
          k.call('__iommu_dma_unmap', () => warn(k, { file: 'drivers/iommu/dma-iommu.c', line: 780, fn: '__iommu_dma_unmap' })),
        );
      }
    });
  });
}

/**
 * The device reads `size` bytes at `at` in its most recent coherent buffer (a descriptor
 * list it was given the DMA handle of): 0, or -EIO when its IOMMU domain does not map it.
 */
export function dmaAccessCoherent(k: KernelCtx, dev: Device, size: number, at: number): number {
  const dmam = dev.devres.filter((r) => r.kind === 'dmam' && r.buffer).map((r) => r.buffer!);
  const buf = [...dev.buffers, ...dmam].pop();
  if (!buf) return -ERRNO.EIO!;
  const addr = buf.dmaHandle + at;
  const domain = dev.group?.domain ?? null;
  if (domain && domain.type === 'dma' && !domain.translates(addr, size)) {
    // the buffer's DMA handle came from the ops the device had when it was allocated
    const rec = k.events;
    const ev = rec?.add('dma-fault', 'dmam_alloc_attrs', { device: dev.name, iommu: domain.inst.name, detail: `iova 0x${addr.toString(16)} through ${buf.allocOps} ops`, line: k.printk.lines.length }, rec.opsOriginOf(dev.name) ?? rec.current);
    if (ev !== undefined) rec!.blame(ev);
    causing(rec, ev, () => domain.inst.impl.contextFault(k, domain.inst, dev, addr));
    return -ERRNO.EIO!;
  }
  return 0;
}

/**
 * dma_map_single() of a kernel buffer, the device's access to it, and the unmap.
 * Returns 0, or -EIO when the IOMMU blocked the access (the driver sees an error).
 */
export function dmaTransfer(k: KernelCtx, dev: Device, size: number): number {
  return k.call('dma_map_single_attrs', () => {
    const pages = pagesFor(size);
    const ops = effectiveOps(dev);
    if (ops === 'arm-iommu' && !dev.armMapping) {
      return k.call('arm_iommu_map_page', () => oops(k, { addr: 0x14, pc: '__alloc_iova' }));
    }
    const kbuf = k.pages.alloc(pages, Number.MAX_SAFE_INTEGER);
    if (!kbuf) return -ERRNO.ENOMEM!;
    let addr: number;
    let bounce: PageRun | null = null;
    const domain = dev.group?.domain ?? null;
    if (ops !== 'direct') {
      if (!domain || domain.type !== 'dma') {
        k.pages.free(kbuf);
        return -ERRNO.ENOMEM!;
      }
      addr = domain.allocIova(pages, iovaLimit(k, dev));
      domain.map(addr, kbuf);
    } else {
      addr = kbuf.first * PAGE_SIZE;
      if (addr + size - 1 > directLimit(k, dev)) {
        // swiotlb bounces the buffer into memory the device can reach
        bounce = k.pages.alloc(pages, directLimit(k, dev));
        if (!bounce) {
          k.pages.free(kbuf);
          return -ERRNO.ENOMEM!;
        }
        addr = bounce.first * PAGE_SIZE;
      }
    }
    let ret = 0;
    // the device's access goes through its group's current domain
    if (domain && domain.type === 'dma' && !domain.translates(addr, size)) {
      const rec = k.events;
      // an address the domain does not map: it came from the ops the device had
      const ev = rec?.add('dma-fault', 'dma_map_single_attrs', { device: dev.name, iommu: domain.inst.name, detail: `iova 0x${addr.toString(16)} through ${ops} ops`, line: k.printk.lines.length }, rec.opsOriginOf(dev.name) ?? rec.current);
      if (ev !== undefined) rec!.blame(ev);
      causing(rec, ev, () => domain.inst.impl.contextFault(k, domain.inst, dev, addr));
      ret = -ERRNO.EIO!;
    }
    if (ops !== 'direct' && domain) domain.unmap(addr, pages);
    if (bounce) k.pages.free(bounce);
    k.pages.free(kbuf);
    return ret;
  });
}
