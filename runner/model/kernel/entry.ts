// The bottom of each task's stack, per architecture and era: the syscall path a sysfs
// write comes in by, the init task's initcall frames, and a kworker's. Outermost first,
// as KernelCtx.inTask pushes them; the names are the ones the threads' traces show
// (v5.0 arm64 el0_svc_handler/__vfs_write/kernfs_fop_write, v6.x invoke_syscall/
// kernfs_fop_write_iter, x86 ret_from_fork_asm from v6.7).

import type { KernelCtx } from './ctx.js';
import { Memo } from './memo.js';

// the entry stacks follow the architecture and three eras only: each made once, frozen,
// shared, and found by a number (no key string built per task switch)
const ARCH_INDEX: Record<string, number> = { arm64: 0, arm: 1, x86_64: 2 };

/** the (arch, era) an entry stack follows, as a number */
function eraKey(k: KernelCtx): number {
  return (ARCH_INDEX[k.arch] ?? 3) * 8 + (k.on.v5_0 ? 4 : 0) + (k.on.v5_14 ? 2 : 0) + (k.on.v6_9 ? 1 : 0);
}

function entryFrames(k: KernelCtx, table: Map<number, readonly string[]>, make: (k: KernelCtx) => string[]): readonly string[] {
  const key = eraKey(k);
  let f = table.get(key);
  if (f === undefined) table.set(key, (f = Object.freeze(make(k))));
  return f;
}

const SYSFS_FRAMES = new Map<number, readonly string[]>();
const INIT_FRAMES = new Map<number, readonly string[]>();
const MODULE_FRAMES = new Map<number, readonly string[]>();

/** write(2) on a sysfs attribute, down to the attribute's store: drv_attr_store and below */
export function sysfsWriteFrames(k: KernelCtx): readonly string[] {
  return entryFrames(k, SYSFS_FRAMES, sysfsWriteFramesOf);
}

function sysfsWriteFramesOf(k: KernelCtx): string[] {
  const vfs = k.on.v5_14
    ? ['ksys_write', 'vfs_write', ...(k.on.v6_9 ? [] : ['new_sync_write']), 'kernfs_fop_write_iter']
    : ['ksys_write', 'vfs_write', '__vfs_write', 'kernfs_fop_write'];
  const tail = [...vfs, 'sysfs_kf_write', 'drv_attr_store'];
  switch (k.arch) {
    case 'arm64':
      return k.on.v5_14
        ? ['el0t_64_sync', 'el0t_64_sync_handler', 'el0_svc', 'do_el0_svc', 'el0_svc_common.constprop.0', 'invoke_syscall', '__arm64_sys_write', ...tail]
        : ['el0_svc', 'el0_svc_handler', 'el0_svc_common', '__arm64_sys_write', ...tail];
    case 'x86_64':
      return k.on.v6_9
        ? ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', 'x64_sys_call', '__x64_sys_write', ...tail]
        : ['entry_SYSCALL_64_after_hwframe', 'do_syscall_64', '__x64_sys_write', ...tail];
    case 'arm':
      return ['ret_fast_syscall', k.on.v5_0 ? 'ksys_write' : 'SyS_write', ...tail.slice(1)];
  }
}

/** a shell command that writes elsewhere in sysfs (bus rescan, device remove) */
export function shellFrames(k: KernelCtx, store: string): readonly string[] {
  const f = sysfsWriteFrames(k);
  return [...f.slice(0, -1), store];
}

/** PID 1 running initcalls */
export function initFrames(k: KernelCtx): readonly string[] {
  return entryFrames(k, INIT_FRAMES, initFramesOf);
}

function initFramesOf(k: KernelCtx): string[] {
  const base = ['ret_from_fork', 'kernel_init', 'kernel_init_freeable', 'do_one_initcall'];
  return k.arch === 'x86_64' && k.on.v6_9 ? ['ret_from_fork_asm', ...base] : base;
}

/** a kworker running one work item (v6.5 split process_scheduled_works out of worker_thread) */
// the same few stacks for every work item of every run: built once per (arch, era) and work
// function, found without building a key (every deferred flush and async probe asks)
const WORKER_FRAMES = new Map<number, Memo<string, readonly string[]>>();

export function workerFrames(k: KernelCtx, fn: string): readonly string[] {
  const key = eraKey(k);
  let byFn = WORKER_FRAMES.get(key);
  if (byFn === undefined) {
    const x86 = k.arch === 'x86_64';
    const v69 = k.on.v6_9;
    WORKER_FRAMES.set(key, (byFn = new Memo((f: string) => Object.freeze(workerFramesOf(x86, v69, f)))));
  }
  return byFn.get(fn);
}

function workerFramesOf(x86: boolean, v69: boolean, fn: string): string[] {
  const base = ['ret_from_fork', 'kthread', 'worker_thread', ...(v69 ? ['process_scheduled_works'] : []), 'process_one_work', fn];
  return x86 && v69 ? ['ret_from_fork_asm', ...base] : base;
}

/** modprobe: finit_module → do_init_module → the module's init */
export function moduleFrames(k: KernelCtx): readonly string[] {
  return entryFrames(k, MODULE_FRAMES, moduleFramesOf);
}

function moduleFramesOf(k: KernelCtx): string[] {
  const sys = k.arch === 'x86_64' ? '__x64_sys_finit_module' : k.arch === 'arm' ? 'sys_finit_module' : '__arm64_sys_finit_module';
  return [k.arch === 'arm64' ? 'el0_svc' : k.arch === 'arm' ? 'ret_fast_syscall' : 'do_syscall_64', sys, 'load_module', 'do_init_module', 'do_one_initcall'];
}
