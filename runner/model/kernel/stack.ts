// A shadow call stack of kernel function names, kept as the model's flows call each
// other, so an oops or WARN prints the model's real call chain. Offsets are fixed per
// function (taken from the reference threads where they show one) so traces are stable.

import { COPY, type CopyMap } from '../snapshot.js';
import { objectList } from '../object-list.js';

const KNOWN: Record<string, [number, number]> = {
  // offsets seen in the reference threads
  really_probe: [0xf0, 0x260],
  __driver_probe_device: [0xec, 0x104],
  driver_probe_device: [0x3c, 0xc0],
  __device_attach_driver: [0x58, 0xcc],
  bus_for_each_drv: [0xb8, 0xe0],
  __device_attach: [0xdc, 0x138],
  device_initial_probe: [0x10, 0x18],
  bus_probe_device: [0x38, 0xa0],
  deferred_probe_work_func: [0xb4, 0xcc],
  process_one_work: [0x294, 0x6f0],
  worker_thread: [0x144, 0x1cc],
  kthread: [0x188, 0x198],
  rk_iommu_driver_init: [0x1c, 0x28],
  ret_from_fork: [0x10, 0x20],
  __iommu_probe_device: [0x208, 0x38c],
  iommu_probe_device: [0x34, 0x74],
  of_iommu_configure: [0x128, 0x200],
  of_dma_configure_id: [0xdc, 0x1d4],
  platform_dma_configure: [0x48, 0x6c],
  devm_kmalloc: [0x2c, 0x114],
  rk_iommu_of_xlate: [0x30, 0x90],
  of_iommu_xlate: [0x9c, 0xc8],
  probe_iommu_group: [0x3c, 0x64],
  bus_for_each_dev: [0x74, 0xd4],
  iommu_device_register: [0xd4, 0x230],
  rk_iommu_probe: [0x1f8, 0x350],
  platform_probe: [0x68, 0xdc],
  __driver_attach: [0x9c, 0x1ac],
  driver_attach: [0x24, 0x30],
  bus_add_driver: [0xe4, 0x208],
  driver_register: [0x60, 0x128],
  __platform_driver_register: [0x24, 0x30],
  do_one_initcall: [0x64, 0x308],
  kernel_init_freeable: [0x288, 0x4f0],
  kernel_init: [0x20, 0x1d8],
  mtk_iommu_device_group: [0x2c, 0xe0],
  mtk_iommu_probe: [0x270, 0x53c],
  ipmmu_domain_free: [0x1c, 0xa0],
  iommu_group_release: [0x48, 0x68],
  kobject_put: [0x74, 0xe8],
  iommu_group_get_for_dev: [0xa8, 0x1f0],
  ipmmu_add_device: [0x1c, 0x40],
  of_dma_configure: [0xcc, 0x1f0],
  dump_backtrace: [0x0, 0x118],
  show_stack: [0x14, 0x1c],
  dump_stack: [0xa4, 0xc8],
  bad_page: [0xe4, 0x13c],
  free_pages_check_bad: [0x4c, 0xc0],
  __free_pages_ok: [0x30c, 0x340],
  __free_pages: [0x30, 0x44],
  __dma_direct_free_pages: [0x30, 0x38],
  dma_direct_free: [0x24, 0x38],
  dma_free_attrs: [0x9c, 0xd8],
  dmam_release: [0x20, 0x28],
  release_nodes: [0x17c, 0x220],
  devres_release_all: [0x34, 0x54],
  device_release_driver_internal: [0x190, 0x208],
  device_release_driver: [0x14, 0x1c],
  unbind_store: [0xbc, 0xf4],
  drv_attr_store: [0x20, 0x30],
  sysfs_kf_write: [0x44, 0x4c],
  kernfs_fop_write_iter: [0xd0, 0x1c4],
  vfs_write: [0xa8, 0x19c],
  ksys_write: [0x44, 0xa0],
  __arm64_sys_write: [0x1c, 0x24],
  el0_svc: [0x8, 0x7c0],
};

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** `fn+0xoff/0xsize`, the %pS of an address inside fn. */
export function symbolise(fn: string): string {
  let known = KNOWN[fn];
  if (!known) {
    const h = hash(fn);
    const size = 0x40 + (h % 0x500) * 4;
    const off = 0x8 + ((h >>> 12) % (size / 4 - 2)) * 4;
    known = [off, size];
  }
  return `${fn}+0x${known[0].toString(16)}/0x${known[1].toString(16)}`;
}

/**
 * The frames live in one buffer that only grows: `frames[base, n)` is the running task's
 * stack, and a push or pop moves `n` (Array push/pop per frame was a fifth of a model run:
 * ~2,000 frames a run on a 16-device board). Another task's stack starts at the current top
 * (`base`), so its trace never shows the caller's frames, as on its own kernel stack.
 */
export class ShadowStack {
  private frames: string[] = objectList<string>();
  private n = 0;
  private base = 0;

  [COPY](m: CopyMap): ShadowStack {
    const c = m.set(this, new ShadowStack());
    c.frames = this.frames.slice();
    c.n = this.n;
    c.base = this.base;
    return c;
  }

  /** switch to another task's (empty) stack; returns what restore() gives back */
  switchOut(): number {
    const saved = this.base;
    this.base = this.n;
    return saved;
  }

  restore(saved: number): void {
    this.n = this.base;
    this.base = saved;
  }

  push(fn: string): void {
    this.frames[this.n++] = fn;
  }

  pop(): void {
    if (this.n > this.base) this.n--;
  }

  depth(): number {
    return this.n;
  }

  truncate(depth: number): void {
    if (depth < this.n) this.n = depth;
  }

  /** innermost first, as `Call trace:` prints it */
  trace(): string[] {
    const out: string[] = [];
    for (let i = this.n - 1; i >= this.base; i--) out.push(this.frames[i]!);
    return out;
  }

  top(): string | undefined {
    return this.n > this.base ? this.frames[this.n - 1] : undefined;
  }
}
