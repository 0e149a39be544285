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
  // live pages as disjoint [start, end) ranges sorted by start: an allocation is one range,
  // so a 1 MiB buffer is one entry, not 256 set members
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(memory: readonly MemoryBank[]) {
    this.banks = memory
      .map((m) => ({
        startPfn: Math.floor(m.base / PAGE_SIZE),
        endPfn: Math.floor((m.base + m.size) / PAGE_SIZE),
        next: Math.floor((m.base + m.size) / PAGE_SIZE),
      }))
      .sort((a, b) => a.startPfn - b.startPfn);
  }

  /** the highest live pfn in [lo, hi), or -1 */
  private highestLive(lo: number, hi: number): number {
    for (let i = this.starts.length - 1; i >= 0; i--) {
      if (this.starts[i]! >= hi) continue;
      return this.ends[i]! <= lo ? -1 : Math.min(this.ends[i]!, hi) - 1;
    }
    return -1;
  }

  private addRange(lo: number, hi: number): void {
    let i = this.starts.length;
    while (i > 0 && this.starts[i - 1]! > lo) i--;
    this.starts.splice(i, 0, lo);
    this.ends.splice(i, 0, hi);
  }

  private removeRange(lo: number, hi: number): void {
    const s = this.starts;
    const e = this.ends;
    for (let i = 0; i < s.length; i++) {
      const a = s[i]!;
      const b = e[i]!;
      if (b <= lo || a >= hi) continue;
      if (a < lo && b > hi) {
        e[i] = lo;
        s.splice(i + 1, 0, hi);
        e.splice(i + 1, 0, b);
        i++;
      } else if (a < lo) e[i] = lo;
      else if (b > hi) s[i] = hi;
      else {
        s.splice(i, 1);
        e.splice(i, 1);
        i--;
      }
    }
  }

  /** Contiguous pages entirely below `limit` (an inclusive address), or null. */
  alloc(pages: number, limit: number): number[] | null {
    const limitPfn = Math.floor((limit + 1) / PAGE_SIZE);
    for (let i = this.banks.length - 1; i >= 0; i--) {
      const b = this.banks[i]!;
      let top = Math.min(b.next, limitPfn);
      // below a cursor cut by the limit, earlier limited allocations may sit: step past them
      // (the highest live pfn of the window, one look per live range)
      while (top - pages >= b.startPfn) {
        const clash = this.highestLive(top - pages, top);
        if (clash < 0) break;
        top = clash;
      }
      const first = top - pages;
      if (first < b.startPfn) continue;
      if (top === b.next) b.next = first;
      const pfns: number[] = new Array<number>(pages);
      for (let p = 0; p < pages; p++) pfns[p] = first + p;
      if (pages > 0) this.addRange(first, top);
      return pfns;
    }
    return null;
  }

  /** Free pages (any set of pfns; freeing a page that is not live does nothing). */
  free(pfns: readonly number[]): void {
    let i = 0;
    while (i < pfns.length) {
      let j = i + 1;
      while (j < pfns.length && pfns[j] === pfns[j - 1]! + 1) j++;
      this.removeRange(pfns[i]!, pfns[j - 1]! + 1);
      i = j;
    }
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
