// A deterministic page allocator over the board's RAM banks. DMA memory comes from
// the highest bank the limit allows, handed out top-down, so the same run gets the
// same page frame numbers every time.

import type { MemoryBank } from '../types.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

interface Bank {
  startPfn: number;
  endPfn: number;
  /** next free pfn, going down from endPfn */
  next: number;
}

export class PageAllocator {
  private readonly banks: Bank[];
  readonly live = new Set<number>();

  constructor(memory: readonly MemoryBank[]) {
    this.banks = memory
      .map((m) => ({
        startPfn: Math.floor(m.base / PAGE_SIZE),
        endPfn: Math.floor((m.base + m.size) / PAGE_SIZE),
        next: Math.floor((m.base + m.size) / PAGE_SIZE),
      }))
      .sort((a, b) => a.startPfn - b.startPfn);
  }

  /** Contiguous pages entirely below `limit` (an inclusive address), or null. */
  alloc(pages: number, limit: number): number[] | null {
    const limitPfn = Math.floor((limit + 1) / PAGE_SIZE);
    for (let i = this.banks.length - 1; i >= 0; i--) {
      const b = this.banks[i]!;
      let top = Math.min(b.next, limitPfn);
      // below a cursor cut by the limit, earlier limited allocations may sit: step past them
      // (the highest live pfn of the window, found scanning down: each pfn is looked at
      // once however the windows overlap, not once per window)
      while (top - pages >= b.startPfn) {
        let clash = -1;
        for (let p = top - 1; p >= top - pages; p--) {
          if (this.live.has(p)) {
            clash = p;
            break;
          }
        }
        if (clash < 0) break;
        top = clash;
      }
      const first = top - pages;
      if (first < b.startPfn) continue;
      if (top === b.next) b.next = first;
      const pfns: number[] = [];
      for (let p = first; p < top; p++) {
        pfns.push(p);
        this.live.add(p);
      }
      return pfns;
    }
    return null;
  }

  free(pfns: readonly number[]): void {
    for (const p of pfns) this.live.delete(p);
  }

  isRam(pfn: number): boolean {
    return this.banks.some((b) => pfn >= b.startPfn && pfn < b.endPfn);
  }

  /** the lowest bank's top: where the kernel image and its reserved pages live */
  lowestBankEnd(): number {
    const b = this.banks[0];
    return b ? b.endPfn * PAGE_SIZE : 0;
  }
}
