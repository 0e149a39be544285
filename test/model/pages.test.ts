// The page allocator hands out the same page frames as the page-by-page allocator it
// replaced (kept here as the reference), whatever the mix of limits and frees.

import { expect } from 'chai';
import { PageAllocator } from '../../runner/model/dma/pages.js';
import type { MemoryBank } from '../../runner/model/types.js';
import { pfnsOf, ReferenceAllocator, runOf } from './reference-pages.js';

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
            a.free(runOf(mid));
            r.free(mid);
            held.push([pfns![0]!], [pfns![pfns!.length - 1]!]);
          } else if (how === 2 && pfns!.length > 1) {
            // the lower or the upper half: the other half stays live
            const half = pfns!.length >> 1;
            const [gone, kept] = rnd(2) ? [pfns!.slice(0, half), pfns!.slice(half)] : [pfns!.slice(half), pfns!.slice(0, half)];
            a.free(runOf(gone));
            r.free(gone);
            held.push(kept);
          } else {
            a.free(runOf(pfns!));
            r.free(pfns!);
            // a double free is harmless in both
            if (how === 1) {
              a.free(runOf(pfns!));
              r.free(pfns!);
            }
          }
          continue;
        }
        const pages = 1 + rnd(rnd(2) ? 4 : 40);
        const limit = limits[rnd(limits.length)]!;
        const got = pfnsOf(a.alloc(pages, limit));
        expect(got, `step ${step}`).to.deep.equal(r.alloc(pages, limit));
        if (got) held.push(got);
      }
    });
  }
});
