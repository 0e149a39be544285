// A deterministic page allocator over the board's RAM banks. DMA memory comes from
// the highest bank the limit allows, handed out top-down, so the same run gets the
// same page frame numbers every time.

import type { MemoryBank } from '../types.js';
import { COPY, type CopyMap } from '../snapshot.js';

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** pages handed out together, [first, first + count): a 64 MiB buffer is two numbers, not 16,384 */
export interface PageRun {
  readonly first: number;
  readonly count: number;
}

interface Bank {
  startPfn: number;
  endPfn: number;
  /** next free pfn, going down from endPfn */
  next: number;
}

export class PageAllocator {
  private readonly banks: Bank[];
  // live pages as disjoint [start, end) ranges, highest first: an allocation is one range
  // (a 1 MiB buffer is one entry, not 256 set members), and the cursor's top-down
  // allocations append at the end
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

  [COPY](m: CopyMap): PageAllocator {
    const c = m.set(this, Object.create(PageAllocator.prototype) as PageAllocator);
    // set one by one, in the order Object.assign of a { banks, starts, ends } literal set them (the same object shape)
    const w = c as unknown as { banks: Bank[]; starts: number[]; ends: number[] };
    const banks: Bank[] = [];
    for (const b of this.banks) banks.push({ ...b });
    w.banks = banks;
    w.starts = this.starts.slice();
    w.ends = this.ends.slice();
    return c;
  }

  /** the index of the highest range starting below `pfn` (the length when none does) */
  private below(pfn: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < pfn) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** the highest live pfn in [lo, hi), or -1 */
  private highestLive(lo: number, hi: number): number {
    const i = this.below(hi);
    if (i === this.starts.length || this.ends[i]! <= lo) return -1;
    return Math.min(this.ends[i]!, hi) - 1;
  }

  private addRange(lo: number, hi: number): void {
    const i = this.below(lo);
    if (i === this.starts.length) {
      this.starts.push(lo);
      this.ends.push(hi);
    } else {
      this.starts.splice(i, 0, lo);
      this.ends.splice(i, 0, hi);
    }
  }

  private removeRange(lo: number, hi: number): void {
    const s = this.starts;
    const e = this.ends;
    // the ranges overlapping [lo, hi): from the highest starting below hi, down
    let i = this.below(hi);
    while (i < s.length && e[i]! > lo) {
      const a = s[i]!;
      const b = e[i]!;
      if (a < lo && b > hi) {
        // a hole in the middle: [hi, b) stays here, [a, lo) goes just below it
        s[i] = hi;
        s.splice(i + 1, 0, a);
        e.splice(i + 1, 0, lo);
        return;
      }
      if (b > hi) {
        s[i] = hi;
        i++;
      } else if (a < lo) {
        e[i] = lo;
        return;
      } else {
        s.splice(i, 1);
        e.splice(i, 1);
      }
    }
  }

  /** Contiguous pages entirely below `limit` (an inclusive address), or null. */
  alloc(pages: number, limit: number): PageRun | null {
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
      if (pages > 0) this.addRange(first, top);
      // never changed once handed out: frozen, so a snapshot shares it instead of copying it
      return Object.freeze({ first, count: pages });
    }
    return null;
  }

  /** Free what alloc() handed out (pages that are not live are left alone). */
  free(run: PageRun): void {
    if (run.count > 0) this.removeRange(run.first, run.first + run.count);
  }

  /** handed out and not freed */
  isLive(pfn: number): boolean {
    return this.highestLive(pfn, pfn + 1) >= 0;
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
