// Dynamic debug (lib/dynamic_debug.c): the kernel's dev_dbg()/pr_debug() call sites the model
// has, and the query language of the `dyndbg=` boot parameter and of
// /sys/kernel/debug/dynamic_debug/control that turns them on. A kernel without queries has no
// DynDbg at all: every call site costs one null test and prints nothing, as a
// CONFIG_DYNAMIC_DEBUG kernel does by default.
//
// Each site carries what a query matches — the source file, KBUILD_MODNAME of a built-in object,
// the function and the format string (pr_fmt() applied, newline included) — per era, because
// the kernel moved and reworded some of them. The text a site prints is built by its caller;
// test/model/dyndbg.test.ts checks that every site prints what its format says.

import type { Device } from '../core/device.js';
import type { KernelCtx } from './ctx.js';
import { devName } from './device-printk.js';

/** one era of a call site: from `since` (a profile; null = the oldest) on; func '' = no such site yet */
interface SiteEra {
  since: string | null;
  func: string;
  format: string;
  /** dev_dbg() (the device prefix) rather than pr_debug() */
  dev: boolean;
}

export interface DebugSite {
  readonly id: number;
  readonly file: string;
  readonly module: string;
  /** newest first */
  readonly eras: readonly SiteEra[];
}

const SITES: DebugSite[] = [];

function site(file: string, module: string, ...eras: SiteEra[]): number {
  const id = SITES.length;
  SITES.push({ id, file, module, eras });
  return id;
}

const dev = (since: string | null, func: string, format: string): SiteEra => ({ since, func, format, dev: true });
const pr = (since: string | null, func: string, format: string): SiteEra => ({ since, func, format, dev: false });
/** the site did not exist before the next era */
const none: SiteEra = { since: null, func: '', format: '', dev: false };

// drivers/base/dd.c. 448af2d28899 (v6.9) "driver: core: Use dev_* instead of pr_* so device
// metadata is added" turned its pr_debug()s into dev_dbg()s; __driver_probe_device() and
// call_driver_probe() exist from v5.14 in the model (as its traces have them).
export const DD_RETRYING = site('drivers/base/dd.c', 'dd', dev(null, 'deferred_probe_work_func', 'Retrying from deferred list\n'));
export const DD_ADDED = site('drivers/base/dd.c', 'dd', dev(null, 'driver_deferred_probe_add', 'Added to deferred list\n'));
export const DD_REMOVED = site('drivers/base/dd.c', 'dd', dev(null, 'driver_deferred_probe_del', 'Removed from deferred list\n'));
// 2b28a1a84a0e (v5.19-rc1) "driver core: Extend deferred probe timeout on driver registration"
export const DD_EXTENDED = site('drivers/base/dd.c', 'dd', pr('v5.19', 'deferred_probe_extend_timeout', 'Extended deferred probe timeout by %d secs\n'), none);
export const DD_BOUND_TO = site('drivers/base/dd.c', 'dd',
  dev('v6.9', 'driver_bound', "driver: '%s': %s: bound to device\n"),
  pr(null, 'driver_bound', "driver: '%s': %s: bound to device '%s'\n"));
export const DD_PROBING = site('drivers/base/dd.c', 'dd',
  dev('v6.9', 'really_probe', "bus: '%s': %s: probing driver %s with device\n"),
  pr(null, 'really_probe', "bus: '%s': %s: probing driver %s with device %s\n"));
export const DD_BOUND_DEVICE = site('drivers/base/dd.c', 'dd',
  dev('v6.9', 'really_probe', "bus: '%s': %s: bound device to driver %s\n"),
  pr(null, 'really_probe', "bus: '%s': %s: bound device %s to driver %s\n"));
export const DD_DEFERRAL = site('drivers/base/dd.c', 'dd',
  dev('v5.14', 'call_driver_probe', 'Driver %s requests probe deferral\n'),
  dev(null, 'really_probe', 'Driver %s requests probe deferral\n'));
export const DD_REJECTS = site('drivers/base/dd.c', 'dd',
  dev('v6.9', 'call_driver_probe', 'probe with driver %s rejects match %d\n'),
  pr('v5.14', 'call_driver_probe', '%s: probe of %s rejects match %d\n'),
  pr(null, 'really_probe', '%s: probe of %s rejects match %d\n'));
export const DD_MATCHED = site('drivers/base/dd.c', 'dd',
  dev('v6.9', '__driver_probe_device', "bus: '%s': %s: matched device with driver %s\n"),
  pr('v5.14', '__driver_probe_device', "bus: '%s': %s: matched device %s with driver %s\n"),
  pr(null, 'driver_probe_device', "bus: '%s': %s: matched device %s with driver %s\n"));
// ef0ff68351be (v5.5) "driver core: Probe devices asynchronously instead of the driver"
export const DD_ASYNC = site('drivers/base/dd.c', 'dd', dev('v5.5', '__driver_attach', 'probing driver %s asynchronously\n'), none);
export const DD_ASYNC_DONE = site('drivers/base/dd.c', 'dd', dev('v5.5', '__driver_attach_async_helper', 'driver %s async attach completed: %d\n'), none);

// drivers/base/core.c and bus.c (CONFIG_SRCU: the device-link messages are dev_dbg in every era)
export const CORE_LINKED = site('drivers/base/core.c', 'core', dev(null, 'device_link_add', 'Linked as a consumer to %s\n'));
export const CORE_DROPPING = site('drivers/base/core.c', 'core', dev(null, '__device_link_del', 'Dropping the link to %s\n'));
export const CORE_DEVICE_ADD = site('drivers/base/core.c', 'core', pr(null, 'device_add', "device: '%s': %s\n"));
export const BUS_ADD_DEVICE = site('drivers/base/bus.c', 'bus', pr(null, 'bus_add_device', "bus: '%s': add device %s\n"));
export const BUS_REMOVE_DEVICE = site('drivers/base/bus.c', 'bus', pr(null, 'bus_remove_device', "bus: '%s': remove device %s\n"));
export const BUS_ADD_DRIVER = site('drivers/base/bus.c', 'bus', pr(null, 'bus_add_driver', "bus: '%s': add driver %s\n"));
export const BUS_REMOVE_DRIVER = site('drivers/base/bus.c', 'bus', pr(null, 'bus_remove_driver', "bus: '%s': remove driver %s\n"));

// drivers/iommu/iommu.c (pr_fmt "iommu: ") and of_iommu.c
export const IOMMU_GROUP_ALLOC = site('drivers/iommu/iommu.c', 'iommu', pr(null, 'iommu_group_alloc', 'iommu: Allocated group %d\n'));
export const IOMMU_GROUP_RELEASE = site('drivers/iommu/iommu.c', 'iommu', pr(null, 'iommu_group_release', 'iommu: Releasing group %d\n'));
export const OF_IOMMU_FAILED = site('drivers/iommu/of_iommu.c', 'of_iommu', dev(null, 'of_iommu_configure', 'Adding to IOMMU failed: %d\n'));

// drivers/of/device.c: of_dma_configure() (of_dma_configure_id() from v5.9; the model's traces
// name it so from v5.14); "dma_range_map already set" came with bcb81ac6ae3c (v6.15-rc1)
export const OF_RANGE_MAP_SET = site('drivers/of/device.c', 'device', dev('v6.15-rc1', 'of_dma_configure_id', 'dma_range_map already set\n'), none);
export const OF_COHERENT = site('drivers/of/device.c', 'device',
  dev('v5.14', 'of_dma_configure_id', 'device is%sdma coherent\n'),
  dev(null, 'of_dma_configure', 'device is%sdma coherent\n'));
export const OF_BEHIND_IOMMU = site('drivers/of/device.c', 'device',
  dev('v5.14', 'of_dma_configure_id', 'device is%sbehind an iommu\n'),
  dev(null, 'of_dma_configure', 'device is%sbehind an iommu\n'));

// drivers/iommu/exynos-iommu.c
export const EXYNOS_VERSION = site('drivers/iommu/exynos-iommu.c', 'exynos_iommu', dev(null, '__sysmmu_get_version', 'hardware version: %d.%d\n'));

/** every call site, in definition order (ids are indexes) */
export const DEBUG_SITES: readonly DebugSite[] = SITES;

import { FLAG_FUNCNAME, FLAG_MODNAME, FLAG_PRINT, FLAG_TID, type DdebugQuery } from './ddebug-query.js';

export { DdebugQueryError, FLAG_FUNCNAME, FLAG_MODNAME, FLAG_PRINT, FLAG_TID, parseDdebugQueries, type DdebugQuery } from './ddebug-query.js';

/** match_wildcard(): '*' and '?' over the whole string */
function wildcard(pattern: string, s: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === s;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(s);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** does the query select this era of the site (ddebug_change()) */
function matches(q: DdebugQuery, s: DebugSite, e: SiteEra): boolean {
  if (e.func === '') return false;
  if (q.module !== undefined && !wildcard(q.module, s.module)) return false;
  // class'd call sites only answer class queries, and the model has none
  if (q.class !== undefined) return false;
  if (q.file !== undefined && !wildcard(q.file, s.file) && !wildcard(q.file, basename(s.file))) return false;
  if (q.func !== undefined && !wildcard(q.func, e.func)) return false;
  if (q.format !== undefined) {
    if (q.format.startsWith('^')) {
      if (!e.format.startsWith(q.format.slice(1))) return false;
    } else if (!e.format.includes(q.format)) return false;
  }
  return true;
}

/** the era of a site a kernel of this profile has */
export function siteEra(s: DebugSite, since: (profile: string) => boolean): SiteEra {
  for (const e of s.eras) if (e.since === null || since(e.since)) return e;
  return s.eras[s.eras.length - 1]!;
}

/** The flags of every call site of one kernel. */
export class DynDbg {
  private readonly flags: Uint8Array;
  private readonly eras: SiteEra[];

  constructor(since: (profile: string) => boolean) {
    this.flags = new Uint8Array(SITES.length);
    this.eras = SITES.map((s) => siteEra(s, since));
  }

  /** apply queries as ddebug_change() does; returns how many sites each one matched */
  apply(queries: readonly DdebugQuery[]): number[] {
    return queries.map((q) => {
      let found = 0;
      for (const s of SITES) {
        if (!matches(q, s, this.eras[s.id]!)) continue;
        found++;
        const f = this.flags[s.id]!;
        this.flags[s.id] = q.op === '+' ? f | q.flags : q.op === '-' ? f & ~q.flags : q.flags;
      }
      return found;
    });
  }

  /** the site prints (its `p` flag is set) */
  on(site: number): boolean {
    return (this.flags[site]! & FLAG_PRINT) !== 0;
  }

  /** __dynamic_dev_dbg() / __dynamic_pr_debug(): the flags' prefix, then the message */
  emit(k: KernelCtx, site: number, device: Device | null, text: string): void {
    const f = this.flags[site]!;
    const e = this.eras[site]!;
    let prefix = '';
    if (f & FLAG_TID) prefix += `[${k.task.pid}] `;
    let mid = '';
    if (f & FLAG_MODNAME) mid += `${SITES[site]!.module}:`;
    if (f & FLAG_FUNCNAME) mid += `${e.func}:`;
    if (mid) prefix += `${mid} `;
    k.logDebug(e.dev && device ? `${prefix}${devName(device)}: ${text}` : `${prefix}${text}`);
  }
}

/** the function a site is in, in this kernel (what `%s: __func__` prints) */
export function siteFunc(k: KernelCtx, site: number): string {
  return siteEra(SITES[site]!, (p) => k.since(p)).func;
}
