// Dynamic debug: the query language of dyndbg= (lib/dynamic_debug.c), the call sites it turns
// on, and the promise that a kernel without it prints exactly what it printed before.

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBUG_SITES, DdebugQueryError, DynDbg, parseDdebugQueries, siteEra } from '../../runner/model/kernel/dyndbg.js';
import { createKernel } from '../../runner/model/index.js';
import type { Kernel, ModelBoard, ModelStep } from '../../runner/model/index.js';
import { loadBoards } from '../../runner/dsl/index.js';
import { resolveKernelLabel } from '../../runner/dsl/kernels.js';
import { board, device, driver } from './helpers.js';
import { profileIndex } from '../../runner/model/kernel/era.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function shipped(id: string): ModelBoard {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return loadBoards([`boards/${id}.yaml`]).boards[0]!.board;
  } finally {
    process.chdir(cwd);
  }
}

function run(b: ModelBoard, kernel: string, steps: ModelStep[], dyndbg?: string[]): Kernel {
  const k = createKernel(b, resolveKernelLabel(kernel));
  for (const s of steps) k.perform(s.op === 'boot' && dyndbg ? { ...s, dyndbg } : s);
  return k;
}

const texts = (k: Kernel): string[] => k.log.map((l) => l.text);

function errorOf(q: string): { message: string; offset: number } {
  try {
    parseDdebugQueries(q);
  } catch (e) {
    if (e instanceof DdebugQueryError) return { message: e.message, offset: e.offset };
    throw e;
  }
  throw new Error(`"${q}" parsed`);
}

/** the sites a query selects in a kernel of this profile */
function selected(query: string, profile: string): string[] {
  const d = new DynDbg((p) => profileIndex(profile) >= profileIndex(p));
  d.apply(parseDdebugQueries(query));
  return DEBUG_SITES.filter((s) => d.on(s.id)).map((s) => `${s.file}:${siteEra(s, (p) => profileIndex(profile) >= profileIndex(p)).func}`);
}

describe('model/dyndbg: the dyndbg= query language', () => {
  it('parses queries as ddebug_exec_queries() does: pairs, then flags; ";" separates queries; quotes group words', () => {
    expect(parseDdebugQueries('file drivers/base/dd.c +p')).to.deep.equal([{ op: '+', flags: 1, file: 'drivers/base/dd.c' }]);
    expect(parseDdebugQueries("func really_probe format 'probing driver' =pmf; module iommu -p")).to.deep.equal([
      { op: '=', flags: 7, func: 'really_probe', format: 'probing driver' },
      { op: '-', flags: 1, module: 'iommu' },
    ]);
    // file:func tail, and format escapes as string_unescape_inplace() reads them
    expect(parseDdebugQueries('file dd.c:really_probe format with\\040device +pt')).to.deep.equal([
      { op: '+', flags: 9, file: 'dd.c', func: 'really_probe', format: 'with device' },
    ]);
  });

  it('refuses what the kernel refuses, and what the model cannot honour, with the offset of the culprit', () => {
    expect(errorOf('file dd.c p')).to.deep.equal({ message: 'bad flag-op p, at start of p (the last word is the flags: +p, -p, =pmf...)', offset: 10 });
    expect(errorOf('file dd.c +px')).to.deep.equal({ message: "unknown flag 'x' (flags: p m f t _)", offset: 12 });
    expect(errorOf('file dd.c +pl').message).to.match(/^flag 'l' \(line number in the prefix\) is not modelled/);
    expect(errorOf('fiel dd.c +p')).to.deep.equal({ message: 'unknown keyword "fiel" (keywords: func, file, module, format, class)', offset: 0 });
    expect(errorOf('file +p')).to.deep.equal({ message: 'expecting pairs of match-spec <value>', offset: 0 });
    expect(errorOf('func a func b +p')).to.deep.equal({ message: 'match-spec:func val:a overridden by b', offset: 12 });
    expect(errorOf('line 10-20 +p').offset).to.equal(0);
    expect(errorOf('file dd.c:100-200 +p').offset).to.equal(10);
    expect(errorOf('format "open +p')).to.deep.equal({ message: 'unclosed quote: "open +p', offset: 7 });
    expect(errorOf(' # nothing')).to.deep.equal({ message: 'empty query (e.g. "file drivers/base/dd.c +p")', offset: 0 });
    // the second query of a string: offsets count from the string's start
    expect(errorOf('module dd +p; module iommu +q').offset).to.equal(28);
  });

  it('selects sites by file (path, base name, wildcard), module (KBUILD_MODNAME), func and format (^ anchors)', () => {
    expect(selected('file drivers/base/core.c +p', 'v6.15')).to.deep.equal([
      'drivers/base/core.c:device_link_add', 'drivers/base/core.c:__device_link_del', 'drivers/base/core.c:device_add',
    ]);
    expect(selected('file core.c +p', 'v6.15')).to.deep.equal(selected('file drivers/base/core.c +p', 'v6.15'));
    expect(selected('file drivers/iommu/* +p', 'v6.15')).to.deep.equal([
      'drivers/iommu/iommu.c:iommu_group_alloc', 'drivers/iommu/iommu.c:iommu_group_release',
      'drivers/iommu/of_iommu.c:of_iommu_configure', 'drivers/iommu/exynos-iommu.c:__sysmmu_get_version',
    ]);
    expect(selected('module exynos_iommu +p', 'v6.15')).to.deep.equal(['drivers/iommu/exynos-iommu.c:__sysmmu_get_version']);
    expect(selected('func *probe_device +p', 'v6.15')).to.deep.equal(['drivers/base/dd.c:__driver_probe_device']);
    expect(selected('func *probe_device +p', 'v5.10')).to.deep.equal(['drivers/base/dd.c:driver_probe_device']);
    expect(selected('format "^bus: \'%s\': %s: probing" +p', 'v6.15')).to.deep.equal(['drivers/base/dd.c:really_probe']);
    expect(selected('format probing +p', 'v6.15')).to.deep.equal(['drivers/base/dd.c:really_probe', 'drivers/base/dd.c:__driver_attach']);
    // a site the era does not have matches nothing: deferred_probe_extend_timeout() came in v5.19
    expect(selected('func deferred_probe_extend_timeout +p', 'v5.10')).to.deep.equal([]);
    // class'd call sites only: the model has none
    expect(selected('class foo +p', 'v6.15')).to.deep.equal([]);
    // '-' clears, '=' sets, later queries see earlier ones
    expect(selected('+p; file drivers/base/* -p; func device_add =p', 'v6.15')).to.include('drivers/base/core.c:device_add').and.not.include('drivers/base/dd.c:really_probe');
  });
});

describe('model/dyndbg: the call sites', () => {
  const m3n = shipped('salvator-xs-m3n');
  const boot: ModelStep = { op: 'boot', hold: [] };
  const story: ModelStep[] = [boot, { op: 'unbind', device: 'ee300000.sata' }, { op: 'bind', device: 'ee300000.sata' }, { op: 'remove-device', device: 'ee100000.mmc' }];

  it('a kernel without dyndbg, or with queries that turn nothing on, prints exactly what it printed before', () => {
    for (const kernel of ['v5.0', 'v6.15-rc1']) {
      const plain = texts(run(m3n, kernel, story));
      expect(texts(run(m3n, kernel, story, ['+_']))).to.deep.equal(plain);
      expect(texts(run(m3n, kernel, story, ['file drivers/usb/* +p']))).to.deep.equal(plain);
    }
  });

  it('each site prints its format, with the device prefix where it is a dev_dbg, the prefix flags before it; every site is reached', () => {
    const fired = new Set<number>();
    // a client that waits (-EPROBE_DEFER from its probe), one that rejects the match, an async one
    const small = board({
      devices: [device('a.dev', 'a-drv'), device('n.dev', 'n-drv'), device('s.dev', 's-drv'), device('z.dev', 'z-drv')],
      drivers: [driver('a-drv', [{ kind: 'wait-for', device: 'z.dev' }]), driver('n-drv', [{ kind: 'fail', errno: -19 }]), driver('s-drv', [], { async: true }), driver('z-drv', [], { initcall: 'module' })],
    });
    const stories: Array<[ModelBoard, ModelStep[]]> = [
      [m3n, [...story, { op: 'unload-module', driver: 'rcar-dmac' }]],
      [m3n, [{ op: 'boot', hold: ['ipmmu-vmsa'] }]],
      [shipped('odroid-xu3'), [boot, { op: 'remove-device', device: '14400000.fimd' }]],
      [shipped('salvator-x-h3-32bit-bus'), [boot, { op: 'unbind', device: 'ee300000.sata' }, { op: 'bind', device: 'ee300000.sata' }]],
      [small, [{ op: 'boot', hold: ['z-drv'] }, { op: 'load-module', driver: 'z-drv' }]],
      [small, [{ op: 'boot', hold: ['z-drv'] }, { op: 'remove-device', device: 'a.dev' }]],
    ];
    for (const kernel of ['v4.19', 'v5.0', 'v5.10', 'v6.1', 'v6.12', 'v6.15-rc1', 'v6.15']) {
      const since = (p: string): boolean => profileIndex(kernel) >= profileIndex(p);
      for (const s of DEBUG_SITES) {
        const e = siteEra(s, since);
        if (e.func === '') continue;
        const q = `file ${s.file} func ${e.func} format "^${e.format.replace(/\n$/, '').replace(/\t/g, '\\t')}" +pmf`;
        // "%s" / "%d" as printf fills them; a dev_dbg starts with "<driver or bus> <device>: "
        const body = e.format.replace(/\n$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%s/g, '.*?').replace(/%d/g, '-?\\d+');
        const re = new RegExp(`^${s.module}:${e.func}: ${e.dev ? '\\S+ \\S+: ' : ''}${body}$`);
        for (const [b, steps] of stories) {
          // the flags put "<module>:<func>: " first: that tells a debug line from the others
          const extra = texts(run(b, kernel, steps, [q])).filter((l) => l.startsWith(`${s.module}:${e.func}: `));
          for (const l of extra) expect(l, `${kernel} ${s.file} ${e.func}`).to.match(re);
          if (extra.length > 0) fired.add(s.id);
        }
      }
    }
    expect(DEBUG_SITES.filter((s) => !fired.has(s.id)).map((s) => siteEra(s, () => true).func)).to.deep.equal([]);
  });

  it('the dd.c lines follow 448af2d28899 (v6.9): pr_debug with the device name before, dev_dbg after', () => {
    const q = ['func really_probe +p'];
    expect(texts(run(m3n, 'v6.1', [boot], q))).to.include("bus: 'platform': really_probe: probing driver sata_rcar with device ee300000.sata");
    expect(texts(run(m3n, 'v6.12', [boot], q))).to.include("platform ee300000.sata: bus: 'platform': really_probe: probing driver sata_rcar with device");
    expect(texts(run(m3n, 'v6.12', [boot], q))).to.include("sata_rcar ee300000.sata: bus: 'platform': really_probe: bound device to driver sata_rcar");
  });

  it('a deferral is a dev_dbg of the switch after the error labels before v5.14 (no driver: the bus prefix), of call_driver_probe() after', () => {
    const waits: ModelStep[] = [{ op: 'boot', hold: ['ipmmu-vmsa'] }];
    const v5 = texts(run(m3n, 'v5.0', waits, ['module dd +p']));
    // dma_configure() deferred: before v5.14 the switch saw that too
    expect(v5).to.include('platform ee100000.mmc: Driver renesas_sdhi_internal_dmac requests probe deferral');
    expect(v5).to.include('platform ee100000.mmc: Added to deferred list');
    const v6 = texts(run(m3n, 'v6.12', waits, ['module dd +p']));
    expect(v6.filter((l) => l.includes('requests probe deferral'))).to.deep.equal([]);
    expect(v6).to.include('platform ee100000.mmc: Added to deferred list');
  });

  it('deferred retries are not skipped when they print: every retry says "Retrying from deferred list"', () => {
    // a waits for z, a module loaded later; b and c bind meanwhile and kick the deferred work
    const b = board({
      devices: [device('a.dev', 'a-drv'), device('b.dev', 'b-drv'), device('c.dev', 'c-drv'), device('z.dev', 'z-drv')],
      drivers: [driver('a-drv', [{ kind: 'wait-for', device: 'z.dev' }]), driver('b-drv', [], { initcall: 'late' }), driver('c-drv', [], { initcall: 'late' }), driver('z-drv', [], { initcall: 'module' })],
    });
    const steps: ModelStep[] = [{ op: 'boot', hold: ['z-drv'] }, { op: 'load-module', driver: 'z-drv' }];
    const plain = texts(run(b, 'v6.12', steps));
    const dbg = texts(run(b, 'v6.12', steps, ['func deferred_probe_work_func +pm']));
    expect(dbg.filter((l) => l === 'dd: platform a.dev: Retrying from deferred list').length).to.be.greaterThan(2);
    // the retries the model skips without debug are the ones that change nothing else
    expect(dbg.filter((l) => !l.startsWith('dd: '))).to.deep.equal(plain);
  });

  it('device links: made and dropped where the driver core logs them (thread 002: the Exynos runtime-PM links)', () => {
    const xu3 = shipped('odroid-xu3');
    const l = texts(run(xu3, 'v6.15-rc1', [boot, { op: 'remove-device', device: '14400000.fimd' }], ['file drivers/base/core.c +p', 'module exynos_iommu +p']));
    const at = (s: string): number => l.indexOf(s);
    // Robin Murphy's Odroid-XU3 log: the version, then the mixer put in its group by that SYSMMU's registration
    expect(at('platform 14450000.mixer: Adding to iommu group 3') - at('exynos-sysmmu 14650000.sysmmu: hardware version: 3.3')).to.equal(2);
    expect(at('platform 14450000.mixer: Linked as a consumer to 14650000.sysmmu')).to.be.greaterThan(at('exynos-sysmmu 14650000.sysmmu: hardware version: 3.3'));
    expect(at('platform 14400000.fimd: Linked as a consumer to 14680000.sysmmu')).to.be.greaterThan(at('platform 14400000.fimd: Linked as a consumer to 14640000.sysmmu'));
    expect(l.slice(-2)).to.deep.equal(['platform 14400000.fimd: Dropping the link to 14640000.sysmmu', 'platform 14400000.fimd: Dropping the link to 14680000.sysmmu']);
  });

  it('thread 002, M3-N: of_xlate repeats before bind under bcb81ac6ae3c; d9d3cede4167 takes an allowed device through it once', () => {
    const q = ['file drivers/of/device.c +p', 'file drivers/iommu/of_iommu.c +p'];
    const count = (kernel: string, line: string): number => texts(run(m3n, kernel, [boot], q)).filter((l) => l === line).length;
    // one of_dma_configure_id() per of_xlate: "behind an iommu" when it took the device, "failed" when it refused it
    expect(count('v6.14', 'platform ee100000.mmc: device is behind an iommu')).to.equal(0);
    expect(count('v6.15-rc1', 'platform ee100000.mmc: device is behind an iommu')).to.equal(2);
    expect(count('v6.15', 'platform ee100000.mmc: device is behind an iommu')).to.equal(1);
    expect(count('v6.15-rc1', 'platform ec700000.dma-controller: Adding to IOMMU failed: -19')).to.equal(3);
    expect(count('v6.14', 'rcar-dmac ec700000.dma-controller: Adding to IOMMU failed: -19')).to.equal(1);
  });

  it('"dma_range_map already set" (bcb81ac6ae3c) where the bus has dma-ranges and the map survived the last configure', () => {
    const b = shipped('salvator-x-h3-32bit-bus');
    const k = run(b, 'v6.15', [boot], ['func of_dma_configure_id format dma_range_map +p']);
    expect(texts(k).filter((l) => l.endsWith(': dma_range_map already set')).length).to.be.greaterThan(0);
    expect(texts(run(b, 'v6.14', [boot], ['func of_dma_configure_id +p'])).filter((l) => l.includes('dma_range_map'))).to.deep.equal([]);
  });
});
