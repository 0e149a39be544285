// The kernel images the reference threads were reported on. A report's offsets
// (`fn+0xoff/0xsize`), its `Code:` words, its uname and the features of its config
// (PREEMPT, VA bits, lockdep, sizeof(struct page)) belong to one build, not to a release:
// Geert's v5.0-rc5 Salvator-X kernel and John's v5.0 D05 kernel print different offsets
// for the same functions. Each build below carries the call trace its thread printed,
// verbatim; a frame's offset is the return address into it from the frame printed above
// it (its callee), so one function can have several (kobject_put twice in 001).
//
// A run uses the build of its board and profile when there is one, else the offsets the
// threads show for the same architecture and release, else none: the frame is printed
// bare (`%ps`), never with an invented offset.

import type { Arch } from '../types.js';
import type { Task } from './task.js';

export interface KernelBuild {
  /** the boards that stand for the thread's machine (boards/<id>.yaml) */
  boards: readonly string[];
  /** its "Hardware name:" — a board derived from one of them (shrink, a copy) is the same machine */
  model: string;
  /** the profile base the report's kernel stands for */
  profile: string;
  arch: Arch;
  /** uname -r, and the version string's first word */
  release: string;
  version: string;
  /** the release its report formats follow, when older than the profile (a back-merge) */
  formatEra?: string;
  /** CONFIG_PREEMPT: " PREEMPT" in "Internal error:" (and the banner) */
  preempt: boolean;
  /** the build id v5.14+ appends to the dump_stack header */
  buildId?: string;
  /** the dump_stack header's preempt model (v6.15 merge window on) */
  preemptModel?: string;
  /** the banner's compiler (LINUX_COMPILER), its user@host and its build date (UTS_VERSION's tail) */
  compiler?: string;
  builtBy?: string;
  buildDate?: string;
  vaBits?: number;
  /** sizeof(struct page): 64, or 56 without the options that pad it */
  structPage?: number;
  /** CONFIG_ARM64_SW_TTBR0_PAN on a CPU without PAN: user addresses fault as permission faults */
  swPan?: boolean;
  /** CONFIG_PROVE_LOCKING: WARN prints the irq event stamp */
  lockdep?: boolean;
  /** functions of the model's call chains this build inlined: they never show in its traces */
  inlined?: readonly string[];
  /** `lr :` when the faulting function had called something before it faulted */
  lr?: Readonly<Record<string, string>>;
  /** the `Code:` words the thread shows for a faulting function */
  code?: Readonly<Record<string, string>>;
  /** the tasks the thread's reports name (comm, PID, CPU), where the model's defaults differ */
  tasks?: { init?: Partial<Task>; shell?: Partial<Task>; worker?: Partial<Task> };
  /** `pstate:` as the thread prints it (the flags of the last compare are not modelled) */
  pstate?: string;
  /** page->flags of a reserved low page (node, zone and last_cpupid bits of this config) */
  pageFlags?: number;
  /** how far the boot had filled the vmalloc area when the driver's buffer was remapped */
  vmallocUsed?: number;
  /** arm64's panic notifier: "CPU features: ..." of this machine */
  cpuFeatures?: string;
  /**
   * stale text addresses this build's stack held just below a frame, which x86's unwinder
   * prints after it as "? " entries: left there by calls the function made earlier (not by
   * the path the model walks), so they are data of the build, like its Code words
   */
  stackResidue?: Readonly<Record<string, readonly string[]>>;
  /** the thread's trace(s): frames innermost first */
  traces: readonly string[];
}

/** (the build the thread reports, with its trace as the thread prints it) */
export const BUILDS: readonly KernelBuild[] = [
  {
    // 000: Geert Uytterhoeven unbinding sata_rcar, 5.0.0-rc5 (renesas "salvator-x" config)
    boards: ['salvator-x-h3'],
    model: 'Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
    profile: 'v5.0',
    arch: 'arm64',
    release: '5.0.0-rc5-salvator-x-00452-g37596f884f4318ef',
    version: '#287',
    preempt: false,
    vaBits: 39,
    structPage: 56,
    tasks: { shell: { comm: 'bash', pid: 1098, cpu: 0 } },
    pstate: '60400005 (nZCv daif +PAN -UAO)',
    code: { __free_pages: 'd51b4234 17fffffa a9bf7bfd 910003fd (b9403404)' },
    traces: [
      `__free_pages+0x8/0x58
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
       el0_svc+0x8/0xc`,
    ],
  },
  {
    // 000: John Garry unbinding hisi_sas_v2_hw on a D05, 5.0.0 (gcc 4.8.5, CONFIG_PREEMPT)
    boards: ['taishan-2280-d05'],
    model: 'Huawei Taishan 2280 /D05, BIOS Hisilicon D05 IT21 Nemo 2.0 RC0 04/18/2018',
    profile: 'v5.0',
    arch: 'arm64',
    release: '5.0.0',
    version: '#121',
    preempt: true,
    compiler: 'gcc version 4.8.5 (Linaro GCC 4.8-2015.06)',
    builtBy: 'john@htsatcamb-server',
    buildDate: 'Thu Mar 7 14:28:39 GMT 2019',
    vaBits: 48,
    structPage: 64,
    tasks: { shell: { comm: 'sh', pid: 2691, cpu: 5 } },
    pageFlags: 0xfffc0001000,
    vmallocUsed: 0x9355000,
    traces: [
      `dump_backtrace+0x0/0x150
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
       el0_svc+0x8/0x7c0`,
    ],
  },
  {
    // 000: John Garry's D06, hisi_sas_v3_hw probe failing at boot, 5.1.0-rc1
    boards: ['huawei-d06'],
    model: 'Huawei D06/D06, BIOS Hisilicon D06 UEFI RC0 - V1.12.01 01/29/2019',
    profile: 'v5.1',
    arch: 'arm64',
    release: '5.1.0-rc1-43081-g22d97fd-dirty',
    version: '#1433',
    preempt: true,
    vaBits: 48,
    structPage: 64,
    tasks: { init: { cpu: 49 } },
    pageFlags: 0xfffe0001000,
    vmallocUsed: 0x293f4000,
    traces: [
      `dump_backtrace+0x0/0x118
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
       ret_from_fork+0x10/0x18`,
    ],
  },
  {
    // 001: Geert's v4.20-rc1 R-Car H3 (arm64 defconfig, 48-bit VAs), deferred probe of SATA
    boards: ['salvator-x-h3', 'salvator-x-h3-32bit-bus'],
    model: 'Renesas Salvator-X 2nd version board based on r8a7795 ES2.0+ (DT)',
    profile: 'v4.20-rc1',
    arch: 'arm64',
    release: '4.20.0-rc1-arm64-renesas-dirty',
    version: '#74',
    preempt: true,
    vaBits: 48,
    tasks: { worker: { comm: 'kworker/2:1', pid: 51, cpu: 2 } },
    pstate: '60000005 (nZCv daif -PAN -UAO)',
    inlined: ['ipmmu_find_group', 'iommu_group_add_device', '__driver_probe_device'],
    lr: { ipmmu_domain_free: 'ipmmu_domain_free+0x14/0xa0' },
    code: { ipmmu_domain_free: 'aa0003f3 97ffeb1a d1002274 f85f8261 (f9401c20)' },
    traces: [
      `ipmmu_domain_free+0x1c/0xa0
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
       ret_from_fork+0x10/0x1c`,
    ],
  },
  {
    // 002: Marek Szyprowski's ODROID-M1, 6.14.0-rc3 + bcb81ac6ae3c (next-20250312)
    boards: ['odroid-m1'],
    model: 'Hardkernel ODROID-M1 (DT)',
    profile: 'next-20250312',
    arch: 'arm64',
    release: '6.14.0-rc3+',
    version: '#15533',
    preempt: true,
    vaBits: 48,
    tasks: { init: { cpu: 3 } },
    cpuFeatures: '0x100,00000040,00901250,8200720b',
    pstate: '00400009 (nzcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
    inlined: ['iommu_fwspec_init'],
    code: { devm_kmalloc: 'd2801017 a90153f3 ab0102e0 aa0103f4 (b943eab8)' },
    traces: [
      `devm_kmalloc+0x2c/0x114
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
       ret_from_fork+0x10/0x20`,
    ],
  },
  {
    // 002: Joerg Roedel's X470 workstation (AMD IOMMU), 6.14.0-rc6 iommu/next
    boards: ['prime-x470-pro'],
    model: 'System manufacturer System Product Name/PRIME X470-PRO, BIOS 5406 11/13/2019',
    profile: 'next-20250312',
    arch: 'x86_64',
    release: '6.14.0-rc6-iommu-next+',
    version: '#1',
    preempt: true,
    buildId: '1d691d7aebf343bde741cf4c8610d78a2ea2d2d9',
    code: {
      __iommu_probe_device:
        '68 00 74 28 48 8b 6b 50 48 85 ed 75 03 48 8b 2b 48 89 df e8 87 71 06 00 48 89 ea 48 c7 c7 90 dd 2c 8b 48 89 c6 e8 35 83 77 ff <0f> 0b 49 8b bd a8 00 00 00 e8 77 ab 85 ff 84 c0 0f 84 ad 01 00 00',
    },
    traces: [
      `__iommu_probe_device+0x10b/0x510
       probe_iommu_group+0x28/0x50
       bus_for_each_dev+0x7e/0xd0
       iommu_device_register+0xee/0x260
       iommu_go_to_state+0xa2a/0x1970
       amd_iommu_init+0x14/0x50
       pci_iommu_init+0x12/0x40
       do_one_initcall+0x46/0x300
       kernel_init_freeable+0x23d/0x2a0
       kernel_init+0x1a/0x140
       ret_from_fork+0x34/0x50
       ret_from_fork_asm+0x1a/0x30`,
      // the exception path and the pointers the unwinder finds on the stack ("? " frames)
      `__warn.cold+0x93/0xf7
       report_bug+0xff/0x140
       prb_read_valid+0x1b/0x30
       handle_bug+0x58/0x90
       exc_invalid_op+0x17/0x70
       asm_exc_invalid_op+0x1a/0x20
       __pfx_probe_iommu_group+0x10/0x10
       __pfx_pci_iommu_init+0x10/0x10
       __pfx_kernel_init+0x10/0x10
       srso_return_thunk+0x5/0x5f
       blake2s_update+0x68/0x160`,
    ],
    // iommu_go_to_state's earlier calls (a return thunk of the SRSO mitigation; the entropy
    // mixing of an earlier get_random_bytes()) left these words in its frame
    stackResidue: { iommu_go_to_state: ['srso_return_thunk', 'blake2s_update'] },
  },
  {
    // 002: ChenYu Chen's MT8183 Juniper, v6.15-rc1 merge window (6.14.0-05877); the thread
    // shows the trace decoded (no offsets), so none are known here
    boards: ['mt8183-juniper'],
    model: 'Google juniper sku16 board (DT)',
    profile: 'v6.15-rc1',
    arch: 'arm64',
    release: '6.14.0-05877-g1a9239bb4253',
    version: '#621',
    preempt: true,
    preemptModel: 'PREEMPT',
    buildId: 'a6631d3f04612a5c23866dc67cf38316c6b023e0',
    vaBits: 39,
    swPan: true,
    tasks: { worker: { comm: 'kworker/u34:1', pid: 68, cpu: 4 } },
    pstate: '40400005 (nZcv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
    inlined: ['process_scheduled_works', 'iommu_init_device'],
    lr: { mtk_iommu_device_group: 'mtk_iommu_device_group' },
    code: { mtk_iommu_device_group: '92800256 f940d2b5 aa1503e0 97e8dbd7 (f94002b5)' },
    traces: [],
  },
  {
    // 002: Geert's Salvator-XS M3-N, 6.14.0-rc3 + the series incl. 73d2f10957f5 (lockdep on)
    boards: ['salvator-xs-m3n'],
    model: 'Renesas Salvator-X 2nd version board based on r8a77965 (DT)',
    profile: 'v6.15-rc1',
    formatEra: 'v6.14',
    arch: 'arm64',
    release: '6.14.0-rc3-rcar3-00020-g73d2f10957f5-dirty',
    version: '#315',
    preempt: true,
    vaBits: 39,
    lockdep: true,
    tasks: { worker: { comm: 'kworker/u8:1', pid: 13, cpu: 1 } },
    pstate: '60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)',
    inlined: ['process_one_work'],
    traces: [
      `__iommu_probe_device+0x208/0x38c
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
       ret_from_fork+0x10/0x20`,
      // irq event stamp
      `__up_console_sem+0x50/0x74
       el1_dbg+0x20/0x6c
       handle_softirqs+0x1b0/0x3b4
       __do_softirq+0x10/0x18`,
    ],
  },
];

/** where a frame's return address lies: by callee (the frame printed above it), or anywhere */
interface Sym {
  size: number;
  /** callee (or '' for the innermost frame) -> offset */
  at: Map<string, number>;
  /**
   * callee -> the frame as printed, made once: a report prints the same frames again and
   * again (60 bad_page() dumps of one free), and the same string each time is also what a
   * reader of the log compares fastest
   */
  printed: Map<string, string>;
}

export type SymbolTable = ReadonlyMap<string, Sym>;

const FRAME = /^([\w.]+)\+0x([0-9a-f]+)\/0x([0-9a-f]+)$/;

function tableOf(traces: readonly string[]): Map<string, Sym> {
  const t = new Map<string, Sym>();
  for (const trace of traces) {
    const frames = trace.split('\n').map((l) => l.trim()).filter(Boolean);
    frames.forEach((f, i) => {
      const m = FRAME.exec(f);
      if (!m) throw new Error(`builds: bad frame "${f}"`);
      const fn = m[1]!;
      let s = t.get(fn);
      if (!s) t.set(fn, (s = { size: parseInt(m[3]!, 16), at: new Map(), printed: new Map() }));
      const callee = i === 0 ? '' : FRAME.exec(frames[i - 1]!)![1]!;
      if (!s.at.has(callee)) s.at.set(callee, parseInt(m[2]!, 16));
    });
  }
  return t;
}

/** the build's trace sites, and its `lr :` lines as the site '<lr>' of the faulting function */
function buildTable(b: KernelBuild): Map<string, Sym> {
  const t = tableOf(b.traces);
  for (const [fn, text] of Object.entries(b.lr ?? {})) {
    const m = FRAME.exec(text);
    if (!m) continue;
    let s = t.get(fn);
    if (!s) t.set(fn, (s = { size: parseInt(m[3]!, 16), at: new Map(), printed: new Map() }));
    s.at.set('<lr>', parseInt(m[2]!, 16));
  }
  return t;
}

const TABLES = new Map<KernelBuild, Map<string, Sym>>(BUILDS.map((b) => [b, buildTable(b)]));

/** the build a run prints as: its machine's on that profile, if a thread shows one */
// BUILDS is fixed at load: each kernel of a run asks the same questions again
const FOUND = new Map<string, KernelBuild | null>();
const MERGED = new Map<string, SymbolTable>();

export function findBuild(board: string, model: string, profile: string): KernelBuild | undefined {
  const key = `${board}\n${model}\n${profile}`;
  let b = FOUND.get(key);
  if (b === undefined) {
    b = BUILDS.find((x) => x.profile === profile && (x.boards.includes(board) || x.model === model)) ?? null;
    if (FOUND.size >= 4096) FOUND.clear();
    FOUND.set(key, b);
  }
  return b ?? undefined;
}

/**
 * The offsets a run can print: its own build's, else every thread build's of the same
 * architecture and release (first one wins), else none.
 */
export function symbolTable(own: KernelBuild | undefined, arch: Arch, profile: string): SymbolTable {
  if (own) return TABLES.get(own)!;
  const key = `${arch}\n${profile}`;
  const hit = MERGED.get(key);
  if (hit) return hit;
  const merged = new Map<string, Sym>();
  MERGED.set(key, merged);
  for (const b of BUILDS) {
    if (b.arch !== arch || b.profile !== profile) continue;
    for (const [fn, s] of TABLES.get(b)!) if (!merged.has(fn)) merged.set(fn, s);
  }
  return merged;
}

/**
 * `%pS` of a return address inside fn whose callee printed above it is `callee` ('' for
 * the innermost frame): `fn+0xoff/0xsize` where a thread shows it, else fn alone.
 */
export function symbolise(t: SymbolTable, fn: string, callee: string): string {
  const s = t.get(fn);
  if (!s) return fn;
  let out = s.printed.get(callee);
  if (out === undefined) {
    // '*': a stale address the unwinder found on the stack ("? " frames): no call site to match
    const off = callee === '*' ? (s.at.values().next().value as number | undefined) : s.at.get(callee);
    out = off === undefined ? fn : `${fn}+0x${off.toString(16)}/0x${s.size.toString(16)}`;
    s.printed.set(callee, out);
  }
  return out;
}
