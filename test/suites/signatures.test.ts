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
// also drops every "0000" and "ffff" run (ee300000.sata reads "ee30.sata"), so the presence check and the
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
    // the fix's commit message (Robin Murphy, Reported-by Johan Hovold) describes the race and
    // names the warning it causes, with no log; the presence check skips without the file
    suite: 'iommu-registration-race',
    scenario: 'async-client-waits-for-the-walk',
    kernel: 'v6.15',
    thread: 'da33e87bd2bf-commit-message.txt',
    lines: [],
    prose: "and so still cause the out-of-order group allocation behaviour that we're trying to clean up (and now warning about).",
  },
  {
    suite: 'rcar-dma-teardown',
    scenario: 'unbind-releases-managed-dma',
    kernel: 'v5.0',
    thread: '000_837c1feb7c1b0480.txt',
    lines: [
      "Unable to handle kernel paging request at virtual address ffffffbf029ffffc",
      "  ESR = 0x96000006",
      "[ffffffbf029ffffc] pgd=000000073bfc6003, pud=000000073bfc6003, pmd=0000000000000000",
      "Internal error: Oops: 96000006 [#1] SMP",
      "CPU: 0 PID: 1098 Comm: bash Not tainted 5.0.0-rc5-salvator-x-00452-g37596f884f4318ef #287",
      "Hardware name: Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)",
      "pc : __free_pages+0x8/0x58",
      "lr : __dma_direct_free_pages+0x50/0x5c",
      " arch_dma_free+0x1c/0x98",
      " dma_direct_free+0x14/0x24",
      " dmam_release+0x18/0x20",
      " devres_release_all+0x48/0x4c",
      " device_release_driver_internal+0x184/0x1f0",
      " unbind_store+0x70/0xb8",
      "Code: d51b4234 17fffffa a9bf7bfd 910003fd (b9403404)",
    ],
  },
  {
    suite: 'rcar-dma-teardown',
    scenario: 'unbind-hisi-sas-v2',
    kernel: 'v5.0',
    thread: '000_837c1feb7c1b0480.txt',
    lines: [
      "hisi_sas_v2_hw HISI0162:01: dev[0:2] is gone",
      "BUG: Bad page state in process sh  pfn:11356",
      "page:ffff7e000044d580 count:1 mapcount:0 mapping:0000000000000000 index:0x0",
      "flags: 0xfffc0001000(reserved)",
      "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set",
      "bad because of flags: 0x1000(reserved)",
      "CPU: 5 PID: 2691 Comm: sh Not tainted 5.0.0 #121",
      "Hardware name: Huawei Taishan 2280 /D05, BIOS Hisilicon D05 IT21 Nemo 2.0 RC0 04/18/2018",
      " __dma_direct_free_pages+0x68/0x6c",
      " dmam_release+0x20/0x28",
      " devres_release_all+0x34/0x4c",
      " device_release_driver_internal+0x190/0x208",
      " unbind_store+0xbc/0xf4",
      "Disabling lock debugging due to kernel taint",
      "BUG: Bad page state in process sh  pfn:11355",
      "page:ffff7e000044d540 count:0 mapcount:0 mapping:0000000000000000 index:0x0",
    ],
  },
  {
    suite: 'hisi-sas-probe-failure',
    scenario: 'failed-probe-releases-managed-dma',
    kernel: 'v5.1',
    thread: '000_837c1feb7c1b0480.txt',
    lines: [
      "hisi_sas_v3_hw 0000:74:02.0: Adding to iommu group 2",
      "scsi host1: hisi_sas_v3_hw",
      "hisi_sas_v3_hw 0000:74:02.0: evaluate _DSM failed",
      "BUG: Bad page state in process swapper/0  pfn:313f5",
      "page:ffff7e0000c4fd40 count:1 mapcount:0 mapping:0000000000000000 index:0x0",
      "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set",
      "bad because of flags: 0x1000(reserved)",
      "CPU: 49 PID: 1 Comm: swapper/0 Not tainted 5.1.0-rc1-43081-g22d97fd-dirty #1433",
      "Hardware name: Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0 - V1.12.01 01/29/2019",
      " __dma_direct_free_pages+0x30/0x38",
      " dma_direct_free+0x24/0x38",
      " dmam_release+0x20/0x28",
      " devres_release_all+0x34/0x54",
      " really_probe+0xc4/0x2c8",
      " device_driver_attach+0x68/0x70",
      " __pci_register_driver+0x48/0x50",
      " sas_v3_pci_driver_init+0x20/0x28",
      "Disabling lock debugging due to kernel taint",
      "BUG: Bad page state in process swapper/0  pfn:313f6",
    ],
  },
  {
    suite: 'ipmmu-bus-dma-mask',
    scenario: 'no-dma-ranges-no-bus-limit',
    kernel: 'v4.20-rc1',
    thread: '001_4e3aba046c99e1bd.txt',
    lines: [
      "ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables",
      "sata_rcar ee300000.sata: Unable to initialize IPMMU context",
      "iommu: Failed to add device ee300000.sata to group 0: -22",
      "pc : ipmmu_domain_free+0x1c/0xa0",
    ],
  },
  {
    suite: 'ipmmu-bus-dma-mask',
    scenario: 'sata-group-add-failure-is-survivable',
    kernel: 'v4.20-rc1',
    thread: '001_4e3aba046c99e1bd.txt',
    lines: [
      "ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables",
      "sata_rcar ee300000.sata: Unable to initialize IPMMU context",
      "iommu: Failed to add device ee300000.sata to group 0: -22",
      "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000038",
      "  ESR = 0x96000004",
      "[0000000000000038] user address but active_mm is swapper",
      "Internal error: Oops: 96000004 [#1] PREEMPT SMP",
      "CPU: 2 PID: 51 Comm: kworker/2:1 Not tainted 4.20.0-rc1-arm64-renesas-dirty #74",
      "Hardware name: Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)",
      "Workqueue: events deferred_probe_work_func",
      "pc : ipmmu_domain_free+0x1c/0xa0",
      "lr : ipmmu_domain_free+0x14/0xa0",
      " iommu_group_release+0x48/0x68",
      " iommu_group_get_for_dev+0xa8/0x1f0",
      " ipmmu_add_device+0x1c/0x40",
      " of_iommu_configure+0x118/0x190",
      " really_probe+0x94/0x2a8",
      " deferred_probe_work_func+0x74/0xb0",
      "Code: aa0003f3 97ffeb1a d1002274 f85f8261 (f9401c20)",
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
    // the thread's evidence is a print the reporter added to ipmmu_of_xlate(); the suite reads
    // the same calls in the kernel's own dev_dbg lines (dyndbg), which no thread line quotes
    suite: 'ipmmu-of-xlate-repeats',
    scenario: 'allowed-client-configured-once-before-bind',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [],
    prose: 'For some devices, it can be called up to 6 times.',
  },
  {
    suite: 'qcom-ufs-context-fault',
    scenario: 'ufs-dma-after-deferred-probe',
    kernel: 'next-20240430',
    thread: '003_50d7c1ecb62eeb7e.txt',
    lines: [
      'arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1032db3e0, fsynr=0x130000, cbfrsynra=0x300, cb=4',
      'ufshcd-qcom 1d84000.ufshc: ufshcd_check_errors: saved_err 0x20000 saved_uic_err 0x0',
      'ufshcd-qcom 1d84000.ufshc: ufshcd_verify_dev_init: NOP OUT failed -11',
      'ufshcd-qcom 1d84000.ufshc: ufshcd_async_scan failed: -11',
    ],
  },
  {
    suite: 'rockchip-of-xlate',
    scenario: 'boot-groups-every-master',
    kernel: 'next-20250312',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      "Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8",
      "  FSC = 0x04: level 0 translation fault",
      "Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP",
      "CPU: 3 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc3+ #15533",
      "Hardware name: Hardkernel ODROID-M1 (DT)",
      "pc : devm_kmalloc+0x2c/0x114",
      "lr : rk_iommu_of_xlate+0x30/0x90",
      " rk_iommu_of_xlate+0x30/0x90",
      " of_iommu_xlate+0x9c/0xc8",
      " of_iommu_configure+0x1c4/0x23c",
      " platform_dma_configure+0x74/0xac",
      " __iommu_probe_device+0x258/0x49c",
      " probe_iommu_group+0x3c/0x64",
      " iommu_device_register+0xd4/0x230",
      " rk_iommu_probe+0x1f8/0x350",
      "Code: d2801017 a90153f3 ab0102e0 aa0103f4 (b943eab8)",
      "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b",
    ],
  },
  {
    suite: 'iommu-premature-warn',
    scenario: 'boot-without-warning',
    kernel: 'next-20250312',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      "------------[ cut here ]------------",
      "reg-dummy reg-dummy: late IOMMU probe at driver bind, something fishy here!",
      "WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:449 __iommu_probe_device+0x10b/0x510",
      "CPU: 0 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc6-iommu-next+ #1 1d691d7aebf343bde741cf4c8610d78a2ea2d2d9",
      "Hardware name: System manufacturer System Product Name/PRIME X470-PRO, BIOS 5406 11/13/2019",
      "RIP: 0010:__iommu_probe_device+0x10b/0x510",
      " ? __warn.cold+0x93/0xf7",
      " ? asm_exc_invalid_op+0x1a/0x20",
      " probe_iommu_group+0x28/0x50",
      " bus_for_each_dev+0x7e/0xd0",
      " iommu_device_register+0xee/0x260",
      " amd_iommu_init+0x14/0x50",
      " pci_iommu_init+0x12/0x40",
      "---[ end trace 0000000000000000 ]---",
    ],
  },
  {
    suite: 'mtk-device-group',
    scenario: 'm4u-registration-groups-masters',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      "Unable to handle kernel read from unreadable memory at virtual address 0000000000000000",
      "  ESR = 0x0000000096000005",
      "  FSC = 0x05: level 1 translation fault",
      "Internal error: Oops: 0000000096000005 [#1]  SMP",
      "Hardware name: Google juniper sku16 board (DT)",
      "Workqueue: events_unbound deferred_probe_work_func",
      "pc : mtk_iommu_device_group (drivers/iommu/mtk_iommu.c:368 drivers/iommu/mtk_iommu.c:940)",
      "    __iommu_probe_device (drivers/iommu/iommu.c:461 drivers/iommu/iommu.c:563)",
      "    probe_iommu_group (drivers/iommu/iommu.c:1722)",
      "    bus_for_each_dev (drivers/base/bus.c:370)",
      "    iommu_device_register (drivers/iommu/iommu.c:1875 drivers/iommu/iommu.c:276)",
      "    mtk_iommu_probe (drivers/iommu/mtk_iommu.c:1380)",
      "    deferred_probe_work_func (drivers/base/dd.c:124)",
    ],
  },
  {
    suite: 'ipmmu-late-probe-warn',
    scenario: 'sata-probed-by-ipmmu-registration',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    lines: [
      "------------[ cut here ]------------",
      "sata_rcar ee300000.sata: late IOMMU probe at driver bind, something fishy here!",
      "WARNING: CPU: 1 PID: 13 at drivers/iommu/iommu.c:571 __iommu_probe_device+0x208/0x38c",
      "CPU: 1 UID: 0 PID: 13 Comm: kworker/u8:1 Not tainted 6.14.0-rc3-rcar3-00020-g73d2f10957f5-dirty #315",
      "Hardware name: Renesas Salvator-X 2nd version board based on r8a77965 (DT)",
      "Workqueue: events_unbound deferred_probe_work_func",
      "pc : __iommu_probe_device+0x208/0x38c",
      "lr : __iommu_probe_device+0x208/0x38c",
      " iommu_probe_device+0x34/0x74",
      " of_iommu_configure+0x128/0x200",
      " of_dma_configure_id+0xdc/0x1d4",
      " platform_dma_configure+0x48/0x6c",
      " really_probe+0xf0/0x260",
      " deferred_probe_work_func+0xb4/0xcc",
      "---[ end trace 0000000000000000 ]---",
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
    .replace(/0000|ffff/g, '')
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

// ---------------------------------------------------------------------------------------
// Every seed story's report, line by line. Each block below is the report as its thread
// prints it (unwrapped; thread 000's archive drops "0000" and "ffff" runs, restored here and
// checked against the archive in its mangled form). The model's log of the story, on its
// buggy profile, must contain every line in order — the trace frames consecutively, with
// the thread's offsets — once only this is normalised: timestamps, the values the thread's
// kernel hashed (%p) or drew at random (oops_id), and decoded source lines. Register dumps
// are not quoted: the model does not compute register values. Lines listed in `unmodelled`
// are thread lines the model does not print, each with the reason; they count against the
// story's "frames exact / frames in thread" figure.

interface Report {
  suite: string;
  scenario: string;
  kernel: string;
  thread: string;
  /** the thread's report, one line per line */
  block: string;
  /** thread lines the model does not print, and why */
  unmodelled?: Record<string, string>;
  /** story-specific [pattern, replacement] applied to both sides, each with its reason */
  normalise?: Array<[RegExp, string, string]>;
}

const REPORTS: Report[] = [
  {
    suite: 'rcar-dma-teardown',
    scenario: 'unbind-releases-managed-dma',
    kernel: 'v5.0',
    thread: '000_837c1feb7c1b0480.txt',
    block: `
      Unable to handle kernel paging request at virtual address ffffffbf029ffffc
      Mem abort info:
        ESR = 0x96000006
        Exception class = DABT (current EL), IL = 32 bits
        SET = 0, FnV = 0
        EA = 0, S1PTW = 0
      Data abort info:
        ISV = 0, ISS = 0x00000006
        CM = 0, WnR = 0
      swapper pgtable: 4k pages, 39-bit VAs, pgdp = 000000007e8c586c
      [ffffffbf029ffffc] pgd=000000073bfc6003, pud=000000073bfc6003, pmd=0000000000000000
      Internal error: Oops: 96000006 [#1] SMP
      Modules linked in:
      CPU: 0 PID: 1098 Comm: bash Not tainted 5.0.0-rc5-salvator-x-00452-g37596f884f4318ef #287
      Hardware name: Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)
      pstate: 60400005 (nZCv daif +PAN -UAO)
      pc : __free_pages+0x8/0x58
      lr : __dma_direct_free_pages+0x50/0x5c
      Process bash (pid: 1098, stack limit = 0x00000000c38e3e32)
      Call trace:
       __free_pages+0x8/0x58
       __dma_direct_free_pages+0x50/0x5c
       arch_dma_free+0x1c/0x98
       dma_direct_free+0x14/0x24
       dma_free_attrs+0x9c/0xdc
       dmam_release+0x18/0x20
       release_nodes+0x25c/0x28c
       devres_release_all+0x48/0x4c
       device_release_driver_internal+0x184/0x1f0
       device_release_driver+0x14/0x1c
       unbind_store+0x70/0xb8
       drv_attr_store+0x24/0x34
       sysfs_kf_write+0x4c/0x64
       kernfs_fop_write+0x154/0x1c4
       __vfs_write+0x34/0x164
       vfs_write+0xb4/0x16c
       ksys_write+0x5c/0xbc
       __arm64_sys_write+0x14/0x1c
       el0_svc_common+0x98/0x114
       el0_svc_handler+0x1c/0x24
       el0_svc+0x8/0xc
      Code: d51b4234 17fffffa a9bf7bfd 910003fd (b9403404)
      ---[ end trace 8c564cdd3a1a840f ]---`,
  },
  {
    suite: 'rcar-dma-teardown',
    scenario: 'unbind-hisi-sas-v2',
    kernel: 'v5.0',
    thread: '000_837c1feb7c1b0480.txt',
    block: `
      hisi_sas_v2_hw HISI0162:01: dev[0:2] is gone
      BUG: Bad page state in process sh  pfn:11356
      page:ffff7e000044d580 count:1 mapcount:0 mapping:0000000000000000 index:0x0
      flags: 0xfffc0001000(reserved)
      raw: 00000fffc0001000 ffff7e000044d588 ffff7e000044d588 0000000000000000
      raw: 0000000000000000 0000000000000000 00000001ffffffff 0000000000000000
      page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set
      bad because of flags: 0x1000(reserved)
      Modules linked in:
      CPU: 5 PID: 2691 Comm: sh Not tainted 5.0.0 #121
      Hardware name: Huawei Taishan 2280 /D05, BIOS Hisilicon D05 IT21 Nemo 2.0 RC0 04/18/2018
      Call trace:
       dump_backtrace+0x0/0x150
       show_stack+0x14/0x1c
       dump_stack+0x8c/0xb0
       bad_page+0xe4/0x144
       free_pages_check_bad+0x7c/0x84
       __free_pages_ok+0x284/0x290
       __free_pages+0x30/0x44
       __dma_direct_free_pages+0x68/0x6c
       dma_direct_free+0x24/0x38
       dma_free_attrs+0x84/0xc0
       dmam_release+0x20/0x28
       release_nodes+0x128/0x1f8
       devres_release_all+0x34/0x4c
       device_release_driver_internal+0x190/0x208
       device_release_driver+0x14/0x1c
       unbind_store+0xbc/0xf4
       drv_attr_store+0x20/0x30
       sysfs_kf_write+0x44/0x4c
       kernfs_fop_write+0xd0/0x1c4
       __vfs_write+0x2c/0x158
       vfs_write+0xa8/0x19c
       ksys_write+0x44/0xa0
       __arm64_sys_write+0x1c/0x24
       el0_svc_common+0xb0/0x100
       el0_svc_handler+0x70/0x88
       el0_svc+0x8/0x7c0
      Disabling lock debugging due to kernel taint
      BUG: Bad page state in process sh  pfn:11355
      page:ffff7e000044d540 count:0 mapcount:0 mapping:0000000000000000 index:0x0
      flags: 0xfffc0001000(reserved)
      raw: 00000fffc0001000 ffff7e000044d548 ffff7e000044d548 0000000000000000
      raw: 0000000000000000 0000000000000000 00000000ffffffff 0000000000000000
      page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set
      bad because of flags: 0x1000(reserved)
      Modules linked in:
      CPU: 5 PID: 2691 Comm: sh Tainted: G    B             5.0.0 #121
      Hardware name: Huawei Taishan 2280 /D05, BIOS Hisilicon D05 IT21 Nemo 2.0 RC0 04/18/2018
      Call trace:
       dump_backtrace+0x0/0x150`,
  },
  {
    suite: 'hisi-sas-probe-failure',
    scenario: 'failed-probe-releases-managed-dma',
    kernel: 'v5.1',
    thread: '000_837c1feb7c1b0480.txt',
    block: `
      scsi host1: hisi_sas_v3_hw
      hisi_sas_v3_hw 0000:74:02.0: evaluate _DSM failed
      BUG: Bad page state in process swapper/0  pfn:313f5
      page:ffff7e0000c4fd40 count:1 mapcount:0 mapping:0000000000000000 index:0x0
      flags: 0xfffe0001000(reserved)
      raw: 00000fffe0001000 ffff7e0000c4fd48 ffff7e0000c4fd48 0000000000000000
      raw: 0000000000000000 0000000000000000 00000001ffffffff 0000000000000000
      page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set
      bad because of flags: 0x1000(reserved)
      Modules linked in:
      CPU: 49 PID: 1 Comm: swapper/0 Not tainted 5.1.0-rc1-43081-g22d97fd-dirty #1433
      Hardware name: Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0 - V1.12.01 01/29/2019
      Call trace:
       dump_backtrace+0x0/0x118
       show_stack+0x14/0x1c
       dump_stack+0xa4/0xc8
       bad_page+0xe4/0x13c
       free_pages_check_bad+0x4c/0xc0
       __free_pages_ok+0x30c/0x340
       __free_pages+0x30/0x44
       __dma_direct_free_pages+0x30/0x38
       dma_direct_free+0x24/0x38
       dma_free_attrs+0x9c/0xd8
       dmam_release+0x20/0x28
       release_nodes+0x17c/0x220
       devres_release_all+0x34/0x54
       really_probe+0xc4/0x2c8
       driver_probe_device+0x58/0xfc
       device_driver_attach+0x68/0x70
       __driver_attach+0x94/0xdc
       bus_for_each_dev+0x5c/0xb4
       driver_attach+0x20/0x28
       bus_add_driver+0x14c/0x200
       driver_register+0x6c/0x124
       __pci_register_driver+0x48/0x50
       sas_v3_pci_driver_init+0x20/0x28
       do_one_initcall+0x40/0x25c
       kernel_init_freeable+0x2b8/0x3c0
       kernel_init+0x10/0x100
       ret_from_fork+0x10/0x18
      Disabling lock debugging due to kernel taint
      BUG: Bad page state in process swapper/0  pfn:313f6
      page:ffff7e0000c4fd80 count:1 mapcount:0 mapping:0000000000000000 index:0x0
      flags: 0xfffe0001000(reserved)
      raw: 00000fffe0001000 ffff7e0000c4fd88 ffff7e0000c4fd88 0000000000000000
      raw: 0000000000000000 0000000000000000 00000001ffffffff 0000000000000000`,
  },
  {
    suite: 'ipmmu-bus-dma-mask',
    scenario: 'sata-group-add-failure-is-survivable',
    kernel: 'v4.20-rc1',
    thread: '001_4e3aba046c99e1bd.txt',
    block: `
      ipmmu-vmsa e67b0000.mmu: Cannot accommodate DMA translation for IOMMU page tables
      sata_rcar ee300000.sata: Unable to initialize IPMMU context
      iommu: Failed to add device ee300000.sata to group 0: -22
      Unable to handle kernel NULL pointer dereference at virtual address 0000000000000038
      Mem abort info:
        ESR = 0x96000004
        Exception class = DABT (current EL), IL = 32 bits
        SET = 0, FnV = 0
        EA = 0, S1PTW = 0
      Data abort info:
        ISV = 0, ISS = 0x00000004
        CM = 0, WnR = 0
      [0000000000000038] user address but active_mm is swapper
      Internal error: Oops: 96000004 [#1] PREEMPT SMP
      CPU: 2 PID: 51 Comm: kworker/2:1 Not tainted 4.20.0-rc1-arm64-renesas-dirty #74
      Hardware name: Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)
      Workqueue: events deferred_probe_work_func
      pstate: 60000005 (nZCv daif -PAN -UAO)
      pc : ipmmu_domain_free+0x1c/0xa0
      lr : ipmmu_domain_free+0x14/0xa0
      Process kworker/2:1 (pid: 51, stack limit = 0x(____ptrval____))
      Call trace:
       ipmmu_domain_free+0x1c/0xa0
       iommu_group_release+0x48/0x68
       kobject_put+0x74/0xe8
       kobject_del.part.0+0x3c/0x50
       kobject_put+0x60/0xe8
       iommu_group_get_for_dev+0xa8/0x1f0
       ipmmu_add_device+0x1c/0x40
       of_iommu_configure+0x118/0x190
       of_dma_configure+0xcc/0x1f0
       platform_dma_configure+0x18/0x28
       really_probe+0x94/0x2a8
       driver_probe_device+0x58/0x100
       __device_attach_driver+0x90/0xd0
       bus_for_each_drv+0x64/0xc8
       __device_attach+0xd8/0x130
       device_initial_probe+0x10/0x18
       bus_probe_device+0x98/0xa0
       deferred_probe_work_func+0x74/0xb0
       process_one_work+0x294/0x6f0
       worker_thread+0x238/0x460
       kthread+0x120/0x128
       ret_from_fork+0x10/0x1c
      Code: aa0003f3 97ffeb1a d1002274 f85f8261 (f9401c20)
      ---[ end trace 4c46c7fd7cd07245 ]---`,
  },
  {
    suite: 'rockchip-of-xlate',
    scenario: 'boot-groups-every-master',
    kernel: 'next-20250312',
    thread: '002_393b6e08509b9c7c.txt',
    block: `
      Unable to handle kernel NULL pointer dereference at virtual address 00000000000003e8
      Mem abort info:
        ESR = 0x0000000096000004
        EC = 0x25: DABT (current EL), IL = 32 bits
        SET = 0, FnV = 0
        EA = 0, S1PTW = 0
        FSC = 0x04: level 0 translation fault
      Data abort info:
        ISV = 0, ISS = 0x00000004, ISS2 = 0x00000000
        CM = 0, WnR = 0, TnD = 0, TagAccess = 0
        GCS = 0, Overlay = 0, DirtyBit = 0, Xs = 0
      [00000000000003e8] user address but active_mm is swapper
      Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP
      Modules linked in:
      CPU: 3 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc3+ #15533
      Hardware name: Hardkernel ODROID-M1 (DT)
      pstate: 00400009 (nzcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)
      pc : devm_kmalloc+0x2c/0x114
      lr : rk_iommu_of_xlate+0x30/0x90
      Call trace:
        devm_kmalloc+0x2c/0x114 (P)
        rk_iommu_of_xlate+0x30/0x90
        of_iommu_xlate+0x9c/0xc8
        of_iommu_configure+0x1c4/0x23c
        of_dma_configure_id+0x244/0x3b8
        platform_dma_configure+0x74/0xac
        __iommu_probe_device+0x258/0x49c
        probe_iommu_group+0x3c/0x64
        bus_for_each_dev+0x74/0xd4
        iommu_device_register+0xd4/0x230
        rk_iommu_probe+0x1f8/0x350
        platform_probe+0x68/0xdc
        really_probe+0xbc/0x298
        __driver_probe_device+0x78/0x12c
        driver_probe_device+0x40/0x164
        __driver_attach+0x9c/0x1ac
        bus_for_each_dev+0x74/0xd4
        driver_attach+0x24/0x30
        bus_add_driver+0xe4/0x208
        driver_register+0x60/0x128
        __platform_driver_register+0x24/0x30
        rk_iommu_driver_init+0x1c/0x28
        do_one_initcall+0x64/0x308
        kernel_init_freeable+0x288/0x4f0
        kernel_init+0x20/0x1d8
        ret_from_fork+0x10/0x20
      Code: d2801017 a90153f3 ab0102e0 aa0103f4 (b943eab8)
      ---[ end trace 0000000000000000 ]---
      Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
      SMP: stopping secondary CPUs
      Kernel Offset: disabled
      CPU features: 0x100,00000040,00901250,8200720b
      Memory Limit: none
      ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b ]---`,
  },
  {
    suite: 'iommu-premature-warn',
    scenario: 'boot-without-warning',
    kernel: 'next-20250312',
    thread: '002_393b6e08509b9c7c.txt',
    block: `
      ------------[ cut here ]------------
      reg-dummy reg-dummy: late IOMMU probe at driver bind, something fishy here!
      WARNING: CPU: 0 PID: 1 at drivers/iommu/iommu.c:449 __iommu_probe_device+0x10b/0x510
      Modules linked in:
      CPU: 0 UID: 0 PID: 1 Comm: swapper/0 Not tainted 6.14.0-rc6-iommu-next+ #1 1d691d7aebf343bde741cf4c8610d78a2ea2d2d9
      Hardware name: System manufacturer System Product Name/PRIME X470-PRO, BIOS 5406 11/13/2019
      RIP: 0010:__iommu_probe_device+0x10b/0x510
      Code: 68 00 74 28 48 8b 6b 50 48 85 ed 75 03 48 8b 2b 48 89 df e8 87 71 06 00 48 89 ea 48 c7 c7 90 dd 2c 8b 48 89 c6 e8 35 83 77 ff <0f> 0b 49 8b bd a8 00 00 00 e8 77 ab 85 ff 84 c0 0f 84 ad 01 00 00
      Call Trace:
       <TASK>
       ? __iommu_probe_device+0x10b/0x510
       ? __warn.cold+0x93/0xf7
       ? __iommu_probe_device+0x10b/0x510
       ? report_bug+0xff/0x140
       ? prb_read_valid+0x1b/0x30
       ? handle_bug+0x58/0x90
       ? exc_invalid_op+0x17/0x70
       ? asm_exc_invalid_op+0x1a/0x20
       ? __iommu_probe_device+0x10b/0x510
       ? __iommu_probe_device+0x10b/0x510
       ? __pfx_probe_iommu_group+0x10/0x10
       probe_iommu_group+0x28/0x50
       bus_for_each_dev+0x7e/0xd0
       iommu_device_register+0xee/0x260
       iommu_go_to_state+0xa2a/0x1970
       ? srso_return_thunk+0x5/0x5f
       ? blake2s_update+0x68/0x160
       ? __pfx_pci_iommu_init+0x10/0x10
       amd_iommu_init+0x14/0x50
       ? __pfx_pci_iommu_init+0x10/0x10
       pci_iommu_init+0x12/0x40
       do_one_initcall+0x46/0x300
       kernel_init_freeable+0x23d/0x2a0
       ? __pfx_kernel_init+0x10/0x10
       kernel_init+0x1a/0x140
       ret_from_fork+0x34/0x50
       ? __pfx_kernel_init+0x10/0x10
       ret_from_fork_asm+0x1a/0x30
       </TASK>
      ---[ end trace 0000000000000000 ]---`,
    // "? srso_return_thunk", "? blake2s_update": stale words of iommu_go_to_state's frame, the
    // build's stackResidue (data of the thread's kernel, not derived)
  },
  {
    suite: 'mtk-device-group',
    scenario: 'm4u-registration-groups-masters',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    block: `
      Unable to handle kernel read from unreadable memory at virtual address 0000000000000000
      Mem abort info:
        ESR = 0x0000000096000005
        EC = 0x25: DABT (current EL), IL = 32 bits
        SET = 0, FnV = 0
        EA = 0, S1PTW = 0
        FSC = 0x05: level 1 translation fault
      Data abort info:
        ISV = 0, ISS = 0x00000005, ISS2 = 0x00000000
        CM = 0, WnR = 0, TnD = 0, TagAccess = 0
        GCS = 0, Overlay = 0, DirtyBit = 0, Xs = 0
      [0000000000000000] user address but active_mm is swapper
      Internal error: Oops: 0000000096000005 [#1]  SMP
      Modules linked in:
      CPU: 4 UID: 0 PID: 68 Comm: kworker/u34:1 Tainted: G    B              6.14.0-05877-g1a9239bb4253 #621 PREEMPT  a6631d3f04612a5c23866dc67cf38316c6b023e0
      Tainted: [B]=BAD_PAGE
      Hardware name: Google juniper sku16 board (DT)
      Workqueue: events_unbound deferred_probe_work_func
      pstate: 40400005 (nZcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)
      pc : mtk_iommu_device_group (drivers/iommu/mtk_iommu.c:368 drivers/iommu/mtk_iommu.c:940)
      lr : mtk_iommu_device_group (drivers/iommu/mtk_iommu.c:368 drivers/iommu/mtk_iommu.c:940)
      Call trace:
      mtk_iommu_device_group (drivers/iommu/mtk_iommu.c:368 drivers/iommu/mtk_iommu.c:940) (P)
      __iommu_probe_device (drivers/iommu/iommu.c:461 drivers/iommu/iommu.c:563)
      probe_iommu_group (drivers/iommu/iommu.c:1722)
      bus_for_each_dev (drivers/base/bus.c:370)
      iommu_device_register (drivers/iommu/iommu.c:1875 drivers/iommu/iommu.c:276)
      mtk_iommu_probe (drivers/iommu/mtk_iommu.c:1380)
      platform_probe (drivers/base/platform.c:1404)
      really_probe (drivers/base/dd.c:579 drivers/base/dd.c:658)
      __driver_probe_device (drivers/base/dd.c:800)
      driver_probe_device (drivers/base/dd.c:830)
      __device_attach_driver (drivers/base/dd.c:959)
      bus_for_each_drv (drivers/base/bus.c:462)
      __device_attach (drivers/base/dd.c:1032)
      device_initial_probe (drivers/base/dd.c:1080)
      bus_probe_device (drivers/base/bus.c:537)
      deferred_probe_work_func (drivers/base/dd.c:124)
      process_one_work (./arch/arm64/include/asm/jump_label.h:36 ./include/trace/events/workqueue.h:110 kernel/workqueue.c:3243)
      worker_thread (kernel/workqueue.c:3313 (discriminator 2) kernel/workqueue.c:3400 (discriminator 2))
      kthread (kernel/kthread.c:464)
      ret_from_fork (arch/arm64/kernel/entry.S:863)
      Code: 92800256 f940d2b5 aa1503e0 97e8dbd7 (f94002b5)
      ---[ end trace 0000000000000000 ]---`,
    unmodelled: {
      'Tainted: [B]=BAD_PAGE': 'the reporter\'s kernel was already tainted by a bad page the thread does not show; the scenario has none (the model prints this line when it is, see the fidelity tests)',
    },
    normalise: [[/ (?:Not tainted|Tainted: [A-Z ]+?) (?=6\.14)/, ' <taint> ', 'the earlier taint the thread does not show (above)']],
  },
  {
    suite: 'ipmmu-late-probe-warn',
    scenario: 'sata-probed-by-ipmmu-registration',
    kernel: 'v6.15-rc1',
    thread: '002_393b6e08509b9c7c.txt',
    block: `
      ------------[ cut here ]------------
      sata_rcar ee300000.sata: late IOMMU probe at driver bind, something fishy here!
      WARNING: CPU: 1 PID: 13 at drivers/iommu/iommu.c:571 __iommu_probe_device+0x208/0x38c
      Modules linked in:
      CPU: 1 UID: 0 PID: 13 Comm: kworker/u8:1 Not tainted 6.14.0-rc3-rcar3-00020-g73d2f10957f5-dirty #315
      Hardware name: Renesas Salvator-X 2nd version board based on r8a77965 (DT)
      Workqueue: events_unbound deferred_probe_work_func
      pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)
      pc : __iommu_probe_device+0x208/0x38c
      lr : __iommu_probe_device+0x208/0x38c
      Call trace:
       __iommu_probe_device+0x208/0x38c (P)
       iommu_probe_device+0x34/0x74
       of_iommu_configure+0x128/0x200
       of_dma_configure_id+0xdc/0x1d4
       platform_dma_configure+0x48/0x6c
       really_probe+0xf0/0x260
       __driver_probe_device+0xec/0x104
       driver_probe_device+0x3c/0xc0
       __device_attach_driver+0x58/0xcc
       bus_for_each_drv+0xb8/0xe0
       __device_attach+0xdc/0x138
       device_initial_probe+0x10/0x18
       bus_probe_device+0x38/0xa0
       deferred_probe_work_func+0xb4/0xcc
       process_scheduled_works+0x2e4/0x4a8
       worker_thread+0x144/0x1cc
       kthread+0x188/0x198
       ret_from_fork+0x10/0x20
      irq event stamp: 49052
      hardirqs last  enabled at (49051): [<ffffffc0800fb6a8>] __up_console_sem+0x50/0x74
      hardirqs last disabled at (49052): [<ffffffc0809eb65c>] el1_dbg+0x20/0x6c
      softirqs last  enabled at (49046): [<ffffffc080096c50>] handle_softirqs+0x1b0/0x3b4
      softirqs last disabled at (48839): [<ffffffc080010168>] __do_softirq+0x10/0x18
      ---[ end trace 0000000000000000 ]---`,
    normalise: [
      [/\(\d+\)|stamp: \d+/g, '(N)', 'lockdep\'s irq event counters count every interrupt of the boot'],
      [/\[<ffffffc0[0-9a-f]{8}>\]/g, '[<addr>]', 'kernel text addresses of that build (kallsyms is not modelled, only offsets)'],
    ],
  },
  {
    suite: 'qcom-ufs-context-fault',
    scenario: 'ufs-dma-after-deferred-probe',
    kernel: 'next-20240430',
    thread: '003_50d7c1ecb62eeb7e.txt',
    block: `
      arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0x1032db3e0, fsynr=0x130000, cbfrsynra=0x300, cb=4
      ufshcd-qcom 1d84000.ufshc: ufshcd_check_errors: saved_err 0x20000 saved_uic_err 0x0
      ufshcd-qcom 1d84000.ufshc: ufshcd_err_handler started; HBA state eh_fatal; powered 1; shutting down 0; saved_err = 131072; saved_uic_err = 0; force_reset = 0
      ufshcd-qcom 1d84000.ufshc: ufshcd_verify_dev_init: NOP OUT failed -11
      ufshcd-qcom 1d84000.ufshc: ufshcd_async_scan failed: -11`,
    normalise: [
      [/iova=0x[0-9a-f]+/, 'iova=0x<pa+0x3e0>', 'the physical address of the UTRD list in that boot (the model\'s allocator places it elsewhere in the same bank layout)'],
      [/cb=\d+/, 'cb=<n>', 'the context bank index counts every SMMU client attached before UFS on the real SoC; the board lists four'],
    ],
  },
];

/** thread 000's archive drops every "0000" and "ffff" run */
function mangled000(s: string): string {
  return s.replace(/0000|ffff/g, '');
}

function normaliseReport(line: string, extra: Report['normalise']): string {
  let s = line
    .replace(/^\[\s*\d+\.\d+\] ?/, '')
    .replace(/\((?:\.?[\w./-]+\.[chS]:\d+(?: \(discriminator \d+\))? ?)+\)/g, '') // decoded source lines
    .replace(/pgdp = [0-9a-f]{16}/, 'pgdp = <%p>')
    .replace(/stack limit = 0x[0-9a-f]{16}/, 'stack limit = 0x<%p>')
    .replace(/end trace (?!0{16})[0-9a-f]{16}/, 'end trace <oops_id>');
  for (const [re, to] of extra ?? []) s = s.replace(re, to);
  return s.replace(/\s+/g, ' ').trim();
}

/** a Call trace frame line: "fn+0x../0x..", "? fn", "fn (file:line)" */
function frameLines(block: string[]): Set<number> {
  const out = new Set<number>();
  let inTrace = false;
  block.forEach((l, i) => {
    const t = l.trim();
    if (/^Call [Tt]race:$/.test(t)) {
      inTrace = true;
      return;
    }
    if (inTrace && (t === '<TASK>' || t === '</TASK>')) return;
    if (inTrace && /^(\? )?[\w.]+(\+0x[0-9a-f]+\/0x[0-9a-f]+)?( \(.*\))?( \(P\))?$/.test(t)) out.add(i);
    else inTrace = false;
  });
  return out;
}

describe('every seed story\'s report, line by line, in the model\'s log of the story', () => {
  for (const r of REPORTS) {
    const block = r.block.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const frames = frameLines(block);
    const unmodelled = r.unmodelled ?? {};
    let model: string[] = [];
    let failure: string | undefined;
    try {
      model = modelLog(r as unknown as Story);
    } catch (e) {
      failure = (e as Error).message;
    }
    // match in order; the frames of one trace must follow each other in the model too
    const found: Array<number | undefined> = [];
    let from = 0;
    let prevFrame = -1;
    block.forEach((line, i) => {
      if (unmodelled[line] !== undefined) {
        found.push(undefined);
        return;
      }
      const want = normaliseReport(line, r.normalise);
      const isFrame = frames.has(i);
      let at = -1;
      if (isFrame && prevFrame >= 0 && frames.has(i - 1)) {
        at = normaliseReport(model[prevFrame + 1] ?? '', r.normalise) === want ? prevFrame + 1 : -1;
      } else {
        for (let n = from; n < model.length; n++) {
          if (normaliseReport(model[n]!, r.normalise) === want) {
            at = n;
            break;
          }
        }
      }
      found.push(at >= 0 ? at : undefined);
      if (at >= 0) from = at + 1;
      prevFrame = isFrame && at >= 0 ? at : isFrame ? -2 : -1;
      if (isFrame && prevFrame === -2) prevFrame = -1;
    });
    const exact = [...frames].filter((i) => found[i] !== undefined).length;
    describe(`${r.suite}.${r.scenario} [${r.kernel}] vs reference/${r.thread}: frames exact ${exact}/${frames.size}`, () => {
      it('runs', () => expect(failure).to.equal(undefined));
      block.forEach((line, i) => {
        const why = unmodelled[line];
        if (why !== undefined) {
          it(`(not modelled: ${why}) ${line}`, () => expect(why.length).to.be.greaterThan(0));
          return;
        }
        it(`${frames.has(i) ? 'frame' : 'line'} ${line}`, () => {
          const near = model.find((m) => normaliseReport(m, r.normalise).split(/[ +]/)[0] === normaliseReport(line, r.normalise).split(/[ +]/)[0]);
          expect(found[i], `not in the model's log (in order${frames.has(i) ? ', right after the frame above' : ''})\n  thread: ${line}\n  nearest model line: ${near ?? '(none)'}`).to.be.a('number');
        });
      });
      it('every quoted line is in the thread', function () {
        const text = thread(r.thread);
        if (text === null) this.skip();
        for (const line of block) {
          const q = r.thread.startsWith('000_') ? archived(mangled000(line)) : archived(line);
          const t = r.thread.startsWith('000_') ? text.replace(/\s+/g, ' ') : text;
          expect(t, `reference/${r.thread}`).to.include(q.trim());
        }
      });
    });
  }
});
