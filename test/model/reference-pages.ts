// The page-by-page allocator the model's range-based PageAllocator replaced, kept as the
// reference both the unit test and the fuzz regression compare against.

import { PAGE_SIZE, type PageRun } from '../../runner/model/dma/pages.js';
import type { MemoryBank } from '../../runner/model/types.js';

export class ReferenceAllocator {
  private readonly banks: { startPfn: number; endPfn: number; next: number }[];
  readonly live = new Set<number>();
  constructor(memory: readonly MemoryBank[]) {
    this.banks = memory
      .map((m) => ({ startPfn: Math.floor(m.base / PAGE_SIZE), endPfn: Math.floor((m.base + m.size) / PAGE_SIZE), next: Math.floor((m.base + m.size) / PAGE_SIZE) }))
      .sort((a, b) => a.startPfn - b.startPfn);
  }
  alloc(pages: number, limit: number): number[] | null {
    const limitPfn = Math.floor((limit + 1) / PAGE_SIZE);
    for (let i = this.banks.length - 1; i >= 0; i--) {
      const b = this.banks[i]!;
      let top = Math.min(b.next, limitPfn);
      while (top - pages >= b.startPfn) {
        let clash = -1;
        for (let p = top - pages; p < top; p++) if (this.live.has(p)) clash = p;
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
}

/** the page frames of a run, as the reference lists them */
export function pfnsOf(run: PageRun | null): number[] | null {
  return run && Array.from({ length: run.count }, (_, i) => run.first + i);
}

/** contiguous page frames as a run */
export function runOf(pfns: readonly number[]): PageRun {
  return { first: pfns[0] ?? 0, count: pfns.length };
}
