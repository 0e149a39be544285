// Bugs the fuzz properties found, each as the shrunk counterexample.

import { expect } from 'chai';
import { runChecked } from './lib/model.js';
import { resolveKernel } from '../../runner/model/profiles/resolve.js';
import type { ModelBoard } from '../../runner/model/types.js';
import { Printk, PRINTK_MAX_LINES } from '../../runner/model/kernel/printk.js';
import { PageAllocator } from '../../runner/model/dma/pages.js';
import fc from 'fast-check';
import { pfnsOf, ReferenceAllocator, runOf } from '../model/reference-pages.js';
import { RE2JS } from 're2js';
import { compileUserRegex, toRe2 } from '../../runner/dsl/patterns.js';
import { fastParse } from '../../runner/dsl/fast-yaml.js';
import { SourceFile } from '../../runner/dsl/source.js';
import { loadBoards, validatePaths } from '../../runner/dsl/index.js';
import { ROOT } from './lib/loader.js';
import path from 'node:path';

/** what RE2 itself answers for a user regex on a line */
function re2Test(source: string, line: string): boolean {
  const t = toRe2(source);
  if (!('re2' in t)) throw new Error(t.message);
  return RE2JS.compile(t.re2).test(line);
}

describe('fuzz/regressions', () => {
  it('exynos checks skip a device whose dev_iommu priv belongs to another IOMMU driver (o.controllers is not iterable)', () => {
    const board: ModelBoard = {
      id: 'fuzz-board',
      model: 'Fuzz Board (DT)',
      arch: 'arm64',
      firmware: 'dt',
      memory: [{ base: 0x40000000, size: 0x40000000 }],
      iommus: [
        { name: 'e6000000.iommu', driver: 'exynos-sysmmu', status: 'disabled', options: {} },
        { name: 'e6010000.iommu', driver: 'ipmmu-vmsa', status: 'okay', options: {} },
      ],
      devices: [{ name: '10000000.dev0', driver: 'drv0', bus: 'platform', compatible: 'acme,dev0', iommus: [{ iommu: 'e6010000.iommu', ids: [] }], dmaBits: 1, status: 'okay', present: true }],
      drivers: [{ name: 'drv0', initcall: 'core', probe: [], remove: [], async: true, driverManagedDma: true }],
    };
    const t = runChecked(board, resolveKernel('v5.14'), [{ op: 'boot', hold: [] }], 0);
    expect(JSON.parse(t.state).checks).to.deep.equal([]);
  });

  it('a 64 MiB managed buffer freed through foreign ops prints 60 bad-page reports, as bad_page() ratelimits, not one per page', () => {
    const board: ModelBoard = {
      id: 'fuzz-board',
      model: 'Fuzz Board (DT)',
      arch: 'arm64',
      firmware: 'dt',
      memory: [{ base: 0x40000000, size: 0x40000000 }],
      iommus: [{ name: 'e6000000.iommu', driver: 'ipmmu-vmsa', status: 'okay', options: {} }],
      // cache-coherent: dma-direct frees the pages behind the vmalloc remapping, reserved ones
      devices: [{ name: '10000000.dev0', driver: 'drv1', bus: 'platform', compatible: 'acme,dev0', iommus: [{ iommu: 'e6000000.iommu', ids: [] }], dmaBits: 53, dmaCoherent: true, status: 'okay', present: false }],
      drivers: [{ name: 'drv1', initcall: 'core', probe: [{ kind: 'dmam-alloc', size: 64 << 20 }, { kind: 'wait-for', device: '10000000.dev0' }], remove: [], async: true, driverManagedDma: true }],
    };
    const t = runChecked(board, resolveKernel('v5.1'), [{ op: 'boot', hold: [] }, { op: 'add-device', device: '10000000.dev0' }], 0);
    const lines = t.log.split('\n');
    expect(lines.filter((l) => l.includes('BUG: Bad page state in process')).length).to.equal(60);
    expect(lines.length).to.be.below(3000);
    expect(JSON.parse(t.state).taint).to.include('B');
  });

  it('a model that prints without end stops at the printk limit with a JavaScript error, which the runner reports as ERROR', () => {
    const p = new Printk();
    for (let i = 0; i < PRINTK_MAX_LINES; i++) p.lines.push({ usec: i, text: '' });
    expect(() => p.emit('one more')).to.throw(Error, 'model runaway: more than 1000000 printk records in one run');
  });

  it('the page allocator steps past live pages in linear time (a 64 MiB allocation under a 32-bit limit took 17 s)', () => {
    const a = new PageAllocator([{ base: 0x50497ca7, size: 12182215429 }]);
    // 64 MiB live just below the 4 GiB limit, then another 64 MiB that must go below it
    const first = a.alloc(16384, 0xffffffff)!;
    const started = Date.now();
    const second = a.alloc(16384, 0xffffffff)!;
    expect(Date.now() - started).to.be.below(1000);
    expect(second.first + second.count).to.equal(first.first);
  });

  it('the page allocator picks the same pages as the quadratic scan it replaced', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.nat(170), fc.boolean()), { minLength: 1, maxLength: 16 }), (ops) => {
        const banks = [{ base: 0, size: 64 * 4096 }, { base: 100 * 4096, size: 64 * 4096 }];
        const a = new PageAllocator(banks);
        const o = new ReferenceAllocator(banks);
        const held: number[][] = [];
        for (const [n, lim, free] of ops) {
          if (free && held.length) {
            const x = held.shift()!;
            a.free(runOf(x));
            o.free(x);
            continue;
          }
          const got = pfnsOf(a.alloc(n, lim * 4096 - 1));
          expect(got).to.deep.equal(o.alloc(n, lim * 4096 - 1));
          if (got) held.push(got);
        }
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  // the fuzz property "dsl: user regex matchers agree with RE2"
  it('a user regex matches as RE2 does: an escape by code (\\x41, \\x{41}, \\pL) is no literal text the line must hold', () => {
    const cases: [string, string][] = [
      ['.*.*\\x41', 'A'],
      ['ab\\x{41}cd', 'abAcd'],
      ['x\\pLyz', 'xQyz'],
      ['x\\p{Greek}yzw', 'x\u03b1yzw'],
      ['\\u00e9.*.*.*.*$', '\u00e9'],
    ];
    for (const [source, line] of cases) {
      expect(re2Test(source, line), source).to.equal(true);
      expect(compileUserRegex(source).test(line), source).to.equal(true);
    }
  });

  it('a user regex matches as RE2 does on lone surrogates: text matches by code point, never half a pair', () => {
    const cases: [string, string, boolean][] = [
      ['\ude00\ud83d', '\ude00\ud83d\ude00\ud83d', false],
      ['\ude00\ud83d', '\ude00x\ud83d', false],
      ['\ud83d', '\ud83d\ude00', false],
      ['\ud83d', 'x\ud83dx', true],
      ['^\ud83d.*x$', '\ud83d\ude00x', false],
    ];
    for (const [source, line, want] of cases) {
      expect(re2Test(source, line), JSON.stringify([source, line])).to.equal(want);
      expect(compileUserRegex(source).test(line), JSON.stringify([source, line])).to.equal(want);
    }
  });

  // the fuzz property "dsl: fast YAML parser agrees with yaml"
  it('a quoted key with its ":" against the value is left to yaml, which reports it where it is', () => {
    for (const text of ['"arch":. "arm64"\n', '"a":b\n', '"a":[1]\n', "'a':b\n"]) {
      expect(fastParse(text), text).to.equal(undefined);
      const f = new SourceFile('b.yaml', text);
      expect(f.diagnostics.map((d) => `${d.line}:${d.column}`), text).to.have.length.greaterThan(0);
    }
    expect(fastParse('"a": b\n"c":\n')?.data).to.deep.equal({ a: 'b', c: null });
  });

  // "model: random steps on the shipped boards", seed 22, input 3825
  it('bcb81ac6ae3c on a v4.11 base: a late IOMMU whose client was parsed before replays no probe from the probe path (the stack overflowed)', () => {
    const board = loadBoards([path.join(ROOT, 'boards/dt-smmuv3-async.yaml')]).boards[0]!.board;
    const kernel = resolveKernel({ base: 'v4.11', apply: ['a6a4c7e2c5b8', 'bcb81ac6ae3c'] });
    const t = runChecked(board, kernel, [{ op: 'register-iommu-late', iommu: board.iommus[0]!.name, driver: board.iommus[0]!.driver }, { op: 'boot', hold: [board.iommus[0]!.driver] }], 0);
    expect(t.log).to.include('Run /init as init process');
    expect(t.log).to.include('iommu: Adding device 2000000.gpu to group 1');
  });

  // "loader: mutated shipped files", seed 22, input 13727
  it('a misspelt key under a duplicated key: the duplicate is reported where it is, never a stack trace', () => {
    const file = path.join(ROOT, 'suites', 'dup-scenarios.yaml');
    const text = ['suite: dup-scenarios', 'boards:', '  - lager-r8a7790', 'scenarios:', 'scenarios:', '  - name: x', '    steps:', '      - fail-probe:', '          error: -ENOMEM', '          evice: e6e60000.serial', ''].join('\n');
    const r = validatePaths([file], { files: new Map([[file, text]]) });
    expect(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`)).to.deep.equal(['5:1: duplicate key "scenarios" (first defined at line 4)']);
  });
});
