// The kernel's virtual memory layout where reports need it: the arm64 linear map,
// vmemmap and vmalloc area of the era and the build's VA size, so a struct page pointer,
// a bogus virt_to_page() and the page-table walk of a faulting address are computed as
// the kernel computes them (arch/arm64/include/asm/memory.h, v5.0 and v5.4+ layouts).

import type { KernelCtx } from './ctx.js';
import type { ModelBoard } from '../types.js';

const PAGE_SHIFT = 12n;
const GIB = 1n << 30n;
const MASK64 = (1n << 64n) - 1n;

export interface Layout {
  vaBits: number;
  pageOffset: bigint;
  vmemmapStart: bigint;
  vmallocStart: bigint;
  /** memstart_addr: the lowest RAM rounded down to ARM64_MEMSTART_ALIGN (1 GiB with 4K pages) */
  memstart: bigint;
  structPage: bigint;
}

// per board, by what else the layout follows (VA bits, struct page size, era): a kernel and
// its snapshots' copies (explore makes thousands) find it without recomputing the BigInts
const LAYOUTS = new WeakMap<ModelBoard, Map<number, Layout>>();

export function layout(k: KernelCtx): Layout {
  const vaBits = k.build?.vaBits ?? 48;
  const pageSize = k.build?.structPage ?? 64;
  const key = (vaBits * 4096 + pageSize) * 2 + (k.on.v5_14 ? 1 : 0);
  let byKey = LAYOUTS.get(k.board);
  if (!byKey) LAYOUTS.set(k.board, (byKey = new Map()));
  let l = byKey.get(key);
  if (l) return l;
  const structPage = BigInt(pageSize);
  const lowest = k.board.memory.reduce((m, b) => Math.min(m, b.base), Number.MAX_SAFE_INTEGER);
  const memstart = (BigInt(lowest) / GIB) * GIB;
  const va = BigInt(vaBits);
  if (!k.on.v5_14) {
    // v5.0: the linear map is the top half; vmemmap sits just below it
    const pageOffset = MASK64 - (1n << (va - 1n)) + 1n;
    const vaStart = MASK64 - (1n << va) + 1n;
    const vmemmapSize = 1n << (va - PAGE_SHIFT - 1n + 6n);
    l = { vaBits, pageOffset, vmemmapStart: pageOffset - vmemmapSize, vmallocStart: vaStart + 0x8000000n, memstart, structPage };
  } else {
    // v5.4 flipped it: the linear map is the bottom half, vmemmap below the last GiB
    const pageOffset = MASK64 - (1n << va) + 1n;
    const pageEnd = MASK64 - (1n << (va - 1n)) + 1n;
    const vmemmapSize = (pageEnd - pageOffset) >> (PAGE_SHIFT - 6n);
    l = { vaBits, pageOffset, vmemmapStart: MASK64 - GIB + 1n - vmemmapSize, vmallocStart: pageEnd + 0x8000000n, memstart, structPage };
  }
  byKey.set(key, l);
  return l;
}

/** virt_to_page() of a linear-map or any other kernel address (no checks, as the macro) */
export function virtToPage(l: Layout, vaddr: bigint): bigint {
  const off = vaddr & ~l.pageOffset & MASK64;
  return l.vmemmapStart + (off >> PAGE_SHIFT) * l.structPage;
}

/** phys_to_virt() */
export function physToVirt(l: Layout, phys: bigint): bigint {
  return ((phys - l.memstart) & MASK64) | l.pageOffset;
}

/** the pfn a struct page pointer stands for */
export function pageToPfn(l: Layout, page: bigint): bigint {
  return (page - l.vmemmapStart) / l.structPage + (l.memstart >> PAGE_SHIFT);
}

export function pfnToPage(l: Layout, pfn: number): bigint {
  return l.vmemmapStart + (BigInt(pfn) - (l.memstart >> PAGE_SHIFT)) * l.structPage;
}

/**
 * The level of the first empty table entry when walking `addr`, if it lies in vmemmap:
 * memmap is populated in 2 MiB blocks for the board's RAM banks only. -1 = mapped.
 */
export function vmemmapFaultLevel(k: KernelCtx, l: Layout, addr: bigint): number {
  const block = 2n << 20n;
  const top = l.vaBits > 39 ? 1n << 39n : GIB;
  let sameTop = false;
  let sameGib = false;
  for (const b of k.board.memory) {
    const lo = pfnToPage(l, Math.floor(b.base / 4096));
    const hi = pfnToPage(l, Math.floor((b.base + b.size) / 4096)) - 1n;
    const blo = (lo / block) * block;
    const bhi = (hi / block + 1n) * block;
    if (addr >= blo && addr < bhi) return -1;
    if (addr / GIB >= lo / GIB && addr / GIB <= hi / GIB) sameGib = true;
    if (addr / top >= lo / top && addr / top <= hi / top) sameTop = true;
  }
  if (sameGib) return 2;
  if (l.vaBits > 39 && sameTop) return 1;
  return l.vaBits > 39 ? 0 : 1;
}

/** the kernel's %p: a keyed hash of the pointer, 32 bits on 64-bit kernels, zero-padded */
export function hashedPtr(k: KernelCtx, ptr: bigint): string {
  let h = 0x811c9dc5 ^ Number(ptr & 0xffffffffn) ^ (k.uts.length << 7);
  let p = ptr;
  for (let i = 0; i < 8; i++) {
    h = Math.imul(h ^ Number(p & 0xffn), 16777619) >>> 0;
    p >>= 8n;
  }
  return h.toString(16).padStart(16, '0');
}
