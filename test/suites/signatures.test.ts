// The shipped reproducers' signatures against the reference threads they reproduce.
//
// Every `known-bad.log` pattern of a reproducer suite (suites/*.yaml) is paired here with the
// line of the reference thread it stands for, quoted as the thread prints it (unwrapped where
// the mail archive folded it). For each pair the test runs the reproducer on its buggy profile
// through the built CLI (`bringup log SUITE --scenario S --kernel K`) and checks, side by side:
//   - the pattern matches the thread line, and a model line (in order, as `log:` does);
//   - the thread line and the model line are the same once what differs between two boots of
//     two builds is normalised: numbers and addresses, the kernel release after "tainted",
//     "(P)" markers, and — when the thread's trace is decoded — the offsets and source lines;
//   - the quoted line really is in the thread (when ../shared/reference is there to read).
// Threads 001 and 004 come from web archives that fold or flatten text; thread 000's archive
// also drops every "0000" run (ee300000.sata reads "ee30.sata"), so the presence check and the
// normalisation drop them too; the presence check also folds ">" quote markers of replies.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'dist/runner/cli/main.js');
const REFERENCE = process.env['BRINGUP_REFERENCE_DIR'] ?? path.resolve(ROOT, '../shared/reference');

type Pattern = string | { regex: string };

interface Story {
  /** suites/<suite>.yaml */
  suite: string;
  scenario: string;
  /** the known-bad kernel, as `bringup log --kernel` names it */
  kernel: string;
  /** reference/<thread> */
  thread: string;
  /** one thread line per known-bad.log pattern, in the same order */
  lines: string[];
  /** the thread has no log for this failure: the quote is its prose, and no line comparison is made */
  prose?: string;
}

const STORIES: Story[] = [
  {
    // not one of ../shared/reference's threads: the fix's commit message (CVE-2024-56568) gives
    // a race diagram and this sentence, no log; the presence check skips without the file
    suite: 'arm-smmu-probe-race',
    scenario: 'client-probes-inside-the-registration-window',
    kernel: 'v6.12',
    thread: '229e6ee43d2a-commit-message.txt',
    lines: [],
    prose: 'When this null smmu pointer is dereferenced later in arm_smmu_probe_device, the device crashes.',
  },
  {
    suite: 'rcar-dma-teardown',
    scenario: 'unbind-releases-managed-dma',
    kernel: 'v5.0',
    thread: '000_837c1feb7c1b0480.txt',
    lines: [
      'Hardware name: Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
      ' dma_direct_free+0x14/0x24',
      ' dmam_release+0x18/0x20',
      ' devres_release_all+0x48/0x4c',
      ' device_release_driver_internal+0x184/0x1f0',
      ' unbind_store+0x70/0xb8',
    ],
  },
  {
    suite: 'rcar-dma-teardown',
    scenario: 'unbind-hisi-sas-v2',
    kernel: 'v5.0',
    thread: '000_837c1feb7c1b0480.txt',
    lines: [
      'hisi_sas_v2_hw HISI0162:01: dev[0:2] is gone',
      'BUG: Bad page state in process sh  pfn:11356',
      'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
      'bad because of flags: 0x1000(reserved)',
      'CPU: 5 PID: 2691 Comm: sh Not tainted 5.0.0 #121',
      'Hardware name: Huawei Taishan 2280 /D05, BIOS Hisilicon D05 IT21 Nemo 2.0 RC0 04/18/2018',
      ' __dma_direct_free_pages+0x68/0x6c',
      ' dmam_release+0x20/0x28',
      ' devres_release_all+0x34/0x4c',
      ' device_release_driver_internal+0x190/0x208',
      ' unbind_store+0xbc/0xf4',
      'Disabling lock debugging due to kernel taint',
    ],
  },
  {
    suite: 'hisi-sas-probe-failure',
    scenario: 'failed-probe-releases-managed-dma',
    kernel: 'v5.1',
    thread: '000_837c1feb7c1b0480.txt',
    lines: [
      'hisi_sas_v3_hw 0000:74:02.0: Adding to iommu group 2',
      'BUG: Bad page state in process swapper/0  pfn:313f5',
      'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
      'bad because of flags: 0x1000(reserved)',
      'CPU: 49 PID: 1 Comm: swapper/0 Not tainted 5.1.0-rc1-43081-g22d97fd-dirty #1433',
      'Hardware name: Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0 - V1.12.01 01/29/2019',
      ' __dma_direct_free_pages+0x30/0x38',
      ' dma_direct_free+0x24/0x38',
      ' dmam_release+0x20/0x28',
      ' devres_release_all+0x34/0x54',
      ' really_probe+0xc4/0x2c8',
      ' __pci_register_driver+0x48/0x50',
      'Disabling lock debugging due to kernel taint',
    ],
  },
  {
    suite: 'ipmmu-bus-dma-mask',
    scenario: 'no-dma-ranges-no-bus-limit',
    kernel: 'v4.20-rc1',
    thread: '001_4e3aba046c99e1bd.txt',
    lines: [
      'ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables',
      'sata_rcar ee300000.sata: Unable to initialize IPMMU context',
      'iommu: Failed to add device ee300000.sata to group 0: -22',
      'pc : ipmmu_domain_free+0x1c/0xa0',
    ],
  },
  {
    suite: 'ipmmu-bus-dma-mask',
    scenario: 'sata-group-add-failure-is-survivable',
    kernel: 'v4.20-rc1',
    thread: '001_4e3aba046c99e1bd.txt',
    lines: [
      'ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables',
      'sata_rcar ee300000.sata: Unable to initialize IPMMU context',
      'iommu: Failed to add device ee300000.sata to group 0: -22',
      'Unable to handle kernel NULL pointer dereference at virtual address 0000000000000038',
      'Internal error: Oops: 96000004 [#1] PREEMPT SMP',
      'CPU: 2 PID: 51 Comm: kworker/2:1 Not tainted 4.20.0-rc1-arm64-renesas-dirty #74',
      'Hardware name: Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
      'Workqueue: events deferred_probe_work_func',
      'pc : ipmmu_domain_free+0x1c/0xa0',
      ' iommu_group_release+0x48/0x68',
      ' iommu_group_get_for_dev+0xa8/0x1f0',
      ' ipmmu_add_device+0x1c/0x40',
      ' of_iommu_configure+0x118/0x190',
      ' really_probe+0x94/0x2a8',
      ' deferred_probe_work_func+0x74/0xb0',
    ],
  },
  {
    suite: 'of-iommu-probe-deferral',
    scenario: 'disabled-ipmmu-means-no-iommu',
    kernel: 'v4.12-rc1',
    thread: '004_ff7da5b6089f2c71.txt',
    lines: [],
    prose: 'As the IOMMU nodes in DT are not yet enabled, all devices having iommus properties in DT now fail to probe.',
  },
  {
    suite: 'of-iommu-probe-deferral',
    scenario: 'reprobe-after-deferral-sets-up-dma-ops',
    kernel: 'v4.12-arm32-teardown-clears-ops',
    thread: '004_ff7da5b6089f2c71.txt',
    lines: [],
    prose:
      'leaving us with a device bound to IOMMU operations but with no mapping. This oopses later as soon as the kernel tries to map memory for the device through the IOMMU.',
  },
  {
    suite: 'qcom-ufs-context-fault',
    scenario: 'ufs-dma-after-deferred-probe',
    kernel: 'next-20240430',
    thread: '003_50d7c1ecb62eeb7e.txt',
    lines: ['arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1032db3e0, fsynr=0x130000, cbfrsynra=0x300, cb=4'],
  },
  {
    suite: 'rockchip-of-xlate',
    scenario: 'boot-groups-every-master',
    kernel: 'next-20250312',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      'Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8',
      'Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP',
      'CPU: 3 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc3+ #15533',
      'Hardware name: Hardkernel ODROID-M1 (DT)',
      'pc : devm_kmalloc+0x2c/0x114',
      'lr : rk_iommu_of_xlate+0x30/0x90',
      '  rk_iommu_of_xlate+0x30/0x90',
      '  of_iommu_xlate+0x9c/0xc8',
      '  of_iommu_configure+0x1c4/0x23c',
      '  platform_dma_configure+0x74/0xac',
      '  __iommu_probe_device+0x258/0x49c',
      '  probe_iommu_group+0x3c/0x64',
      '  iommu_device_register+0xd4/0x230',
      '  rk_iommu_probe+0x1f8/0x350',
      'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
    ],
  },
  {
    suite: 'iommu-premature-warn',
    scenario: 'boot-without-warning',
    kernel: 'next-20250312',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      '------------[ cut here ]------------',
      'reg-dummy reg-dummy: late IOMMU probe at driver bind, something fishy here!',
      'WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:449 __iommu_probe_device+0x10b/0x510',
      'CPU: 0 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc6-iommu-next+ #1 1d691d7aebf343bde741cf4c8610d78a2ea2d2d9',
      'Hardware name: System manufacturer System Product Name/PRIME X470-PRO, BIOS 5406 11/13/2019',
      '  probe_iommu_group+0x28/0x50',
      '  bus_for_each_dev+0x7e/0xd0',
      '  iommu_device_register+0xee/0x260',
      '  amd_iommu_init+0x14/0x50',
      '  pci_iommu_init+0x12/0x40',
      '---[ end trace 0000000000000000 ]---',
    ],
  },
  {
    suite: 'mtk-device-group',
    scenario: 'm4u-registration-groups-masters',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      'Hardware name: Google juniper sku16 board (DT)',
      'Workqueue: events_unbound deferred_probe_work_func',
      'pc : mtk_iommu_device_group (drivers/iommu/mtk_iommu.c:368 drivers/iommu/mtk_iommu.c:940)',
      '    __iommu_probe_device (drivers/iommu/iommu.c:461 drivers/iommu/iommu.c:563)',
      '    probe_iommu_group (drivers/iommu/iommu.c:1722)',
      '    bus_for_each_dev (drivers/base/bus.c:370)',
      '    iommu_device_register (drivers/iommu/iommu.c:1875 drivers/iommu/iommu.c:276)',
      '    mtk_iommu_probe (drivers/iommu/mtk_iommu.c:1380)',
      '    deferred_probe_work_func (drivers/base/dd.c:124)',
    ],
  },
  {
    suite: 'ipmmu-late-probe-warn',
    scenario: 'sata-probed-by-ipmmu-registration',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      '------------[ cut here ]------------',
      'sata_rcar ee300000.sata: late IOMMU probe at driver bind, something fishy here!',
      'WARNING: CPU: 1 PID: 13 at drivers/iommu/iommu.c:571 __iommu_probe_device+0x208/0x38c',
      'CPU: 1 UID: 0 PID: 13 Comm: kworker/u8:1 Not tainted 6.14.0-rc3-rcar3-00020-g73d2f10957f5-dirty #315',
      'Hardware name: Renesas Salvator-X 2nd version board based on r8a77965 (DT)',
      'Workqueue: events_unbound deferred_probe_work_func',
      'pc : __iommu_probe_device+0x208/0x38c',
      'lr : __iommu_probe_device+0x208/0x38c',
      ' iommu_probe_device+0x34/0x74',
      ' of_iommu_configure+0x128/0x200',
      ' of_dma_configure_id+0xdc/0x1d4',
      ' platform_dma_configure+0x48/0x6c',
      ' really_probe+0xf0/0x260',
      ' deferred_probe_work_func+0xb4/0xcc',
      '---[ end trace 0000000000000000 ]---',
    ],
  },
];

interface KnownBad {
  kernel: string | { base: string; apply?: string[]; revert?: string[] };
  'fixed-by': string;
  log?: Pattern[];
}

interface ScenarioDoc {
  name: string;
  'known-bad'?: KnownBad[];
}

/** the label `bringup log --kernel` and the TAP ids use for a profile or a { base, revert } kernel */
function kernelLabel(k: KnownBad['kernel']): string {
  if (typeof k === 'string') return k;
  return [k.base, ...(k.apply ?? []).map((a) => `+${a}`), ...(k.revert ?? [])].join('-').replace(/-\+/g, '+');
}

function knownBad(story: Story): KnownBad {
  const doc = parse(readFileSync(path.join(ROOT, 'suites', `${story.suite}.yaml`), 'utf8')) as { scenarios: ScenarioDoc[] };
  const sc = doc.scenarios.find((s) => s.name === story.scenario);
  if (!sc) throw new Error(`suites/${story.suite}.yaml has no scenario ${story.scenario}`);
  const kb = (sc['known-bad'] ?? []).find((e) => kernelLabel(e.kernel) === story.kernel);
  if (!kb) throw new Error(`suites/${story.suite}.yaml: ${story.scenario} has no known-bad entry for ${story.kernel}`);
  return kb;
}

function toRegExp(p: Pattern): RegExp | null {
  return typeof p === 'string' ? null : new RegExp(p.regex.replace(/\(\?P</g, '(?<'));
}

/** the runner's pattern semantics: a literal substring, or a JavaScript regex */
function matches(p: Pattern, line: string): boolean {
  const re = toRegExp(p);
  return re ? re.test(line) : line.includes(p as string);
}

function showPattern(p: Pattern): string {
  return typeof p === 'string' ? JSON.stringify(p) : `/${p.regex}/`;
}

/** dmesg without the "[    0.000000] " stamps */
function modelLog(story: Story): string[] {
  const out = execFileSync(process.execPath, [CLI, 'log', `suites/${story.suite}.yaml`, '--scenario', story.scenario, '--kernel', story.kernel], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out.split('\n').map((l) => l.replace(/^\[\s*\d+\.\d+\] ?/, ''));
}

/** what is left of a line once what differs between two boots of two builds is taken out */
function normalise(line: string, dropOffsets: boolean): string {
  let s = line
    .replace(/\((?:[\w./-]+\.[chS]:\d+(?: \(discriminator \d+\))? ?)+\)/g, '') // decoded source lines
    .replace(/ \(P\)/g, '')
    .replace(/((?:Not tainted|Tainted: [A-Z ]+?)) .*$/, '$1 <release>')
    .replace(/0000/g, '');
  if (dropOffsets) s = s.replace(/\+0x[0-9a-f]+\/0x[0-9a-f]+/g, '');
  s = s.replace(/0x[0-9a-f]+/gi, 'N').replace(/\b[0-9a-f]*\d[0-9a-f]*\b/gi, 'N');
  return s.replace(/\s+/g, ' ').trim();
}

function hasOffset(line: string): boolean {
  return /\+0x[0-9a-f]+\/0x[0-9a-f]+/.test(line);
}

/** whitespace and ">" quote markers folded, "0000" runs dropped, as the web archives print the threads */
function archived(text: string): string {
  return text
    .replace(/0000/g, '')
    .replace(/(^|\s)>+(?=\s)/g, ' ')
    .replace(/\s+/g, ' ');
}

const threadText = new Map<string, string | null>();
function thread(file: string): string | null {
  if (!threadText.has(file)) {
    const p = path.join(REFERENCE, file);
    threadText.set(file, existsSync(p) ? archived(readFileSync(p, 'utf8')) : null);
  }
  return threadText.get(file)!;
}

describe('reproducer signatures match the reference threads', () => {
  for (const story of STORIES) {
    describe(`${story.suite}.${story.scenario} [${story.kernel}] vs reference/${story.thread}`, () => {
      const kb = knownBad(story);
      const patterns = kb.log ?? [];

      if (story.prose !== undefined) {
        it(`the thread shows no log for this failure, only prose: "${story.prose}"`, function () {
          const text = thread(story.thread);
          if (text === null) this.skip();
          expect(text, `reference/${story.thread}`).to.include(archived(story.prose!));
        });
      } else {
        it(`quotes one thread line for each of the ${patterns.length} known-bad.log patterns`, () => {
          expect(story.lines.length, `suites/${story.suite}.yaml known-bad ${story.kernel}`).to.equal(patterns.length);
          expect(patterns.length).to.be.greaterThan(0);
        });
      }

      // the model's dmesg (run now, so each test title can show both lines), and for each
      // pattern the model line it matches (in order, as log: does)
      let failure: string | undefined;
      const modelLines: Array<string | undefined> = [];
      try {
        const log = modelLog(story);
        let from = 0;
        for (const p of patterns) {
          const i = log.findIndex((l, n) => n >= from && matches(p, l));
          modelLines.push(i >= 0 ? log[i] : undefined);
          if (i >= 0) from = i + 1;
        }
      } catch (e) {
        failure = (e as Error).message;
      }

      it('the reproducer runs on its buggy profile', () => {
        expect(failure, `bringup log suites/${story.suite}.yaml --scenario ${story.scenario} --kernel ${story.kernel}`).to.equal(undefined);
      });

      if (story.prose === undefined) patterns.forEach((p, i) => {
        const quoted = story.lines[i] ?? '';
        const model = modelLines[i];
        it(`${showPattern(p)}\n        thread: ${quoted.trim()}\n        model:  ${model === undefined ? '(no line)' : model.trim()}`, () => {
          const side = `\n  thread: ${quoted.trim()}\n  model:  ${model === undefined ? '(no line)' : model.trim()}\n  pattern: ${showPattern(p)}`;
          expect(matches(p, quoted), `the pattern does not match the thread line${side}`).to.equal(true);
          expect(model, `no model line matches the pattern (in order)${side}`).to.be.a('string');
          const drop = hasOffset(model!) !== hasOffset(quoted);
          expect(normalise(model!, drop), `thread and model lines differ${side}`).to.equal(normalise(quoted, drop));
          const text = thread(story.thread);
          if (text !== null) expect(text, `the quoted line is not in reference/${story.thread}${side}`).to.include(archived(quoted.trim()));
        });
      });

      if (story.prose !== undefined && patterns.length > 0) {
        it('the model fails with its signature', () => {
          patterns.forEach((p, i) => expect(modelLines[i], `no model line matches ${showPattern(p)}`).to.be.a('string'));
        });
      }
    });
  }

  it('covers every known-bad entry of every shipped suite', () => {
    const missing: string[] = [];
    for (const file of readdirSync(path.join(ROOT, 'suites')).filter((f) => f.endsWith('.yaml'))) {
      const doc = parse(readFileSync(path.join(ROOT, 'suites', file), 'utf8')) as { suite: string; scenarios?: ScenarioDoc[] };
      for (const sc of doc.scenarios ?? []) {
        for (const kb of sc['known-bad'] ?? []) {
          const id = `${doc.suite}.${sc.name} [${kernelLabel(kb.kernel)}]`;
          if (!STORIES.some((st) => st.suite === doc.suite && st.scenario === sc.name && st.kernel === kernelLabel(kb.kernel))) missing.push(id);
        }
      }
    }
    expect(missing, 'known-bad entries without their thread lines here').to.deep.equal([]);
  });
});
