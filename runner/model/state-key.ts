// The canonical state of a model kernel, as one string: what explore hashes at a choice
// point to prune a prefix that reaches a state already explored. Two kernels with the same
// key behave the same from here on, whatever the history that led to it; the log, the clock,
// oops ids and lastErrno only change text, so they are left out (so are the page allocator's
// free ranges: no board comes near exhausting RAM, and bad_page()'s ratelimit, reached only
// after 60 reports in one run).

import type { KernelCtx } from './kernel/ctx.js';
import { Device } from './core/device.js';
import { Driver } from './core/driver.js';
import { IommuInstance } from './iommu/instance.js';
import { Domain, Group } from './iommu/group.js';

/** a driver's private data, canonically: objects by their kernel identity, maps sorted */
function digest(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return '-';
  if (typeof v !== 'object') return typeof v === 'function' ? 'f' : String(v);
  if (v instanceof Device) return `dev:${v.name}`;
  if (v instanceof IommuInstance) return `mmu:${v.name}`;
  if (v instanceof Group) return `grp:${v.id}${v.released ? '!' : ''}`;
  if (v instanceof Domain) return `dom:${v.inst.name}:${v.digest()}`;
  if (v instanceof Driver) return `drv:${v.name}`;
  if (depth > 4) return '…';
  if (Array.isArray(v)) return `[${v.map((x) => digest(x, depth + 1)).join(',')}]`;
  if (v instanceof Map) return `{${[...v.entries()].map(([a, b]) => `${digest(a, depth + 1)}=${digest(b, depth + 1)}`).sort().join(',')}}`;
  if (v instanceof Set) return `{${[...v].map((x) => digest(x, depth + 1)).sort().join(',')}}`;
  return `{${Object.keys(v).sort().map((key) => `${key}=${digest((v as Record<string, unknown>)[key], depth + 1)}`).join(',')}}`;
}

function deviceKey(d: Device): string {
  const parts = [
    d.name,
    d.added ? 'A' : '',
    d.dead ? 'X' : '',
    d.bound ? 'B' : '',
    d.driver ? d.driver.name : '',
    d.canMatch ? 'M' : '',
    d.dmaConfigured ? 'C' : '',
    d.dmaOps ?? '',
    d.armMapping ? 'm' : '',
    d.armOpsSetup ? 's' : '',
    d.dmaOwner ? 'o' : '',
    d.group ? String(d.group.id) : '',
    d.devres.map((r) => `${r.kind}${r.size || r.irq || ''}${r.buffer ? `/${r.buffer.allocOps}` : ''}`).join('.'),
    d.buffers.map((b) => `${b.size}/${b.allocOps}`).join('.'),
    d.links.map((l) => `${l.consumer.name}>${l.supplier.name}:${l.owner}${l.pmRuntime ? 'p' : ''}`).join('.'),
    d.iommu ? `${d.iommu.fwspecIommu?.name ?? ''}/${d.iommu.ids.join('.')}/${digest(d.iommu.priv)}/${d.iommu.iommuDev?.name ?? ''}` : '',
    digest(d.drvdata),
  ];
  return parts.join('|');
}

export function stateKey(k: KernelCtx, midStep: boolean): string {
  const out: string[] = [];
  for (const d of k.devices.values()) out.push(deviceKey(d));
  for (const i of k.iommus.values()) out.push(`${i.name}|${i.registered ? 'R' : ''}|${digest(i.drvdata)}|${digest(i.state)}`);
  out.push(`list:${k.iommuDeviceList.map((i) => i.name).join(',')}`);
  for (const g of k.groups) out.push(`g${g.id}:${g.inst.name}:${g.devices.map((d) => d.name).join(',')}:${g.defaultDomain ? digest(g.defaultDomain) : '-'}:${g.domain === g.defaultDomain ? '=' : digest(g.domain)}`);
  out.push(`drivers:${[...k.drivers.values()].filter((d) => d.registered).map((d) => d.name).join(',')}`);
  for (const b of ['platform', 'pci', 'amba'] as const) out.push(`${b}:${k.busDrivers[b].map((d) => d.name).join(',')}:${k.busDevices[b].map((d) => d.name).join(',')}`);
  out.push(`pending:${k.deferredPending.toArray().map((d) => d.name).join(',')}`);
  out.push(`active:${k.deferredActive.toArray().map((d) => d.name).join(',')}`);
  out.push(
    `deferred:${k.deferredProbeEnable ? 'E' : ''}${k.initcallsDone ? 'I' : ''}${k.deferredWorkQueued ? 'Q' : ''}${k.deferredWorkDead ? 'X' : ''}` +
      `${k.systemRunning ? 'S' : ''}${k.panicked ? 'P' : ''}:${k.deferredProbeTimeout}:${k.deferredTimeoutArmedAt === undefined ? '-' : 'armed'}`,
  );
  out.push(`taint:${k.taint.letters()}`);
  out.push(`faults:${[...k.faults.entries()].filter(([, l]) => l.length > 0).map(([d, l]) => `${d}=${l.map((f) => `${f.errno}@${f.at ?? '-'}x${f.remaining}`).join('.')}`).sort().join(',')}`);
  out.push(`frees:${k.foreignFrees.length}`);
  out.push(`globals:${[...k.globals.entries()].map(([n, g]) => `${n}=${digest(g)}`).sort().join(',')}`);
  const s = k.sched;
  if (s) {
    out.push(`first:${s.deferredFirst.join(',')}:late:${s.lateNames.join(',')}`);
    if (midStep) out.push(`seen:${[...s.faultReached].sort().join(',')}:${[...s.deferredSeen].sort().join(',')}:${[...s.triggerSeen].sort().join(',')}`);
  }
  return out.join('\n');
}
