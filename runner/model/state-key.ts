// The canonical state of a model kernel, as a 64-bit fingerprint: what explore hashes at a choice
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

/**
 * Two 32-bit FNV-1a lanes over the canonical state, fed as it is walked: a 64-bit
 * fingerprint (TLC's), without building the state's text.
 */
const INTERNED = new Map<string, number>();

class Fingerprint {
  private a = 0x811c9dc5;
  private b = 0x7a5c2b31;

  /**
   * A string as its number in this process's table: names recur in every key (and V8 keeps
   * their hashes), so this is a map lookup instead of a walk of the characters. Keys are
   * compared within one process only (a work unit never leaves its thread).
   */
  str(s: string): this {
    let id = INTERNED.get(s);
    if (id === undefined) INTERNED.set(s, (id = INTERNED.size + 1));
    return this.num(id);
  }

  num(n: number): this {
    // two lanes mixed differently (FNV-1a and a murmur-style rotate): a 64-bit fingerprint
    this.a = Math.imul(this.a ^ (n | 0), 0x01000193);
    let b = Math.imul((this.b ^ (n | 0)) >>> 0, 0x5bd1e995);
    b ^= b >>> 15;
    this.b = Math.imul(b, 0x27d4eb2d);
    return this;
  }

  flag(f: boolean): this {
    return this.num(f ? 1 : 2);
  }

  value(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

/** a driver's private data, canonically: objects by their kernel identity, maps sorted */
function digest(h: Fingerprint, v: unknown, depth = 0): void {
  if (v === null || v === undefined) {
    h.num(-1);
    return;
  }
  if (typeof v !== 'object') {
    h.str(typeof v === 'function' ? 'f' : String(v));
    return;
  }
  if (v instanceof Device) h.str('dev').str(v.name);
  else if (v instanceof IommuInstance) h.str('mmu').str(v.name);
  else if (v instanceof Group) h.str('grp').num(v.id).flag(v.released);
  else if (v instanceof Domain) h.str('dom').str(v.inst.name).str(v.digest());
  else if (v instanceof Driver) h.str('drv').str(v.name);
  else if (depth > 4) h.str('…');
  else if (Array.isArray(v)) {
    h.num(v.length);
    for (const x of v) digest(h, x, depth + 1);
  } else if (v instanceof Map || v instanceof Set) {
    // unordered: each entry on its own, then the sorted entry prints
    const parts = [...(v instanceof Map ? v.entries() : v.values())].map((e) => {
      const eh = new Fingerprint();
      digest(eh, e, depth + 1);
      return eh.value();
    });
    for (const p of parts.sort()) h.str(p);
  } else {
    const keys = Object.keys(v).sort();
    h.num(keys.length);
    for (const key of keys) {
      h.str(key);
      digest(h, (v as Record<string, unknown>)[key], depth + 1);
    }
  }
}

function deviceKey(h: Fingerprint, d: Device): void {
  h.str(d.name).flag(d.added).flag(d.dead).flag(d.bound).str(d.driver ? d.driver.name : '').flag(d.canMatch).flag(d.dmaConfigured);
  h.str(d.dmaOps ?? '').flag(d.armMapping).flag(d.armOpsSetup).flag(d.dmaOwner).num(d.group ? d.group.id : -1);
  h.num(d.devres.length);
  for (const r of d.devres) h.str(r.kind).num(r.size || r.irq || 0).str(r.buffer ? r.buffer.allocOps : '');
  h.num(d.buffers.length);
  for (const b of d.buffers) h.num(b.size).str(b.allocOps);
  h.num(d.links.length);
  for (const l of d.links) h.str(l.consumer.name).str(l.supplier.name).str(l.owner).flag(l.pmRuntime);
  if (d.iommu) {
    h.str(d.iommu.fwspecIommu?.name ?? '').num(d.iommu.ids.length);
    for (const id of d.iommu.ids) h.num(id);
    digest(h, d.iommu.priv);
    h.str(d.iommu.iommuDev?.name ?? '');
  } else h.num(-2);
  digest(h, d.drvdata);
}

export function stateKey(k: KernelCtx, midStep: boolean): string {
  const h = new Fingerprint();
  for (const d of k.devices.values()) deviceKey(h, d);
  for (const i of k.iommus.values()) {
    h.str(i.name).flag(i.registered);
    digest(h, i.drvdata);
    digest(h, i.state);
  }
  h.str('list');
  for (const i of k.iommuDeviceList) h.str(i.name);
  h.str('groups');
  for (const g of k.groups) {
    h.num(g.id).str(g.inst.name).num(g.devices.length);
    for (const d of g.devices) h.str(d.name);
    digest(h, g.defaultDomain);
    if (g.domain === g.defaultDomain) h.str('=');
    else digest(h, g.domain);
  }
  h.str('drivers');
  for (const d of k.drivers.values()) if (d.registered) h.str(d.name);
  for (const b of ['platform', 'pci', 'amba'] as const) {
    h.str(b).num(k.busDrivers[b].length);
    for (const d of k.busDrivers[b]) h.str(d.name);
    h.num(k.busDevices[b].length);
    for (const d of k.busDevices[b]) h.str(d.name);
  }
  h.str('pending');
  for (let d = k.deferredPending.head; d; d = d.deferNext) h.str(d.name);
  h.str('active');
  for (let d = k.deferredActive.head; d; d = d.deferNext) h.str(d.name);
  h.flag(k.deferredProbeEnable).flag(k.initcallsDone).flag(k.deferredWorkQueued).flag(k.deferredWorkDead).flag(k.systemRunning).flag(k.panicked);
  h.num(k.deferredProbeTimeout).flag(k.deferredTimeoutArmedAt === undefined);
  h.str(k.taint.letters());
  const faults = [...k.faults.entries()].filter(([, l]) => l.length > 0).map(([d, l]) => `${d}=${l.map((f) => `${f.errno}@${f.at ?? '-'}x${f.remaining}`).join('.')}`).sort();
  for (const f of faults) h.str(f);
  h.num(k.foreignFrees.length);
  for (const name of [...k.globals.keys()].sort()) {
    h.str(name);
    digest(h, k.globals.get(name));
  }
  const s = k.sched;
  if (s) {
    h.str('first');
    for (const n of s.deferredFirst) h.str(n);
    h.str('late');
    for (const n of s.lateNames) h.str(n);
    if (midStep) {
      for (const set of [s.faultReached, s.deferredSeen, s.triggerSeen]) {
        h.num(set.size);
        for (const x of [...set].sort()) h.str(x);
      }
    }
  }
  // inside a step, where the kernel is: the task and its call chain
  if (midStep) {
    h.str(k.task.comm);
    for (const f of k.stack.trace()) h.str(f);
  }
  return h.value();
}
