// The page allocator hands out the same page frames as the page-by-page allocator it
// replaced (kept here as the reference), whatever the mix of limits and frees.

import { expect } from 'chai';
import { PageAllocator, PAGE_SIZE } from '../../runner/model/dma/pages.js';
import type { MemoryBank } from '../../runner/model/types.js';

class ReferenceAllocator {
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

describe('model page allocator', () => {
  const memory: MemoryBank[] = [
    { base: 0x40000000, size: 0x100000 },
    { base: 0x100000000, size: 0x80000 },
  ];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`same page frames as the page-by-page reference (seed ${seed})`, () => {
      let x = seed * 2654435761;
      const rnd = (n: number) => {
        x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
        return x % n;
      };
      const a = new PageAllocator(memory);
      const r = new ReferenceAllocator(memory);
      const held: number[][] = [];
      const limits = [Number.MAX_SAFE_INTEGER, 0xffffffff, 0x4007ffff, 0x4003ffff];
      for (let step = 0; step < 600; step++) {
        if (held.length && rnd(3) === 0) {
          const [pfns] = held.splice(rnd(held.length), 1);
          const how = rnd(4);
          if (how === 0 && pfns!.length > 2) {
            // a part from the middle: the rest stays live, in two pieces
            const mid = pfns!.slice(1, -1);
            a.free(mid);
            r.free(mid);
            held.push([pfns![0]!], [pfns![pfns!.length - 1]!]);
          } else if (how === 2 && pfns!.length > 1) {
            // the lower or the upper half: the other half stays live
            const half = pfns!.length >> 1;
            const [gone, kept] = rnd(2) ? [pfns!.slice(0, half), pfns!.slice(half)] : [pfns!.slice(half), pfns!.slice(0, half)];
            a.free(gone);
            r.free(gone);
            held.push(kept);
          } else {
            a.free(pfns!);
            r.free(pfns!);
            // a double free is harmless in both
            if (how === 1) {
              a.free(pfns!);
              r.free(pfns!);
            }
          }
          continue;
        }
        const pages = 1 + rnd(rnd(2) ? 4 : 40);
        const limit = limits[rnd(limits.length)]!;
        const got = a.alloc(pages, limit);
        expect(got, `step ${step}`).to.deep.equal(r.alloc(pages, limit));
        if (got) held.push(got);
      }
    });
  }
});
