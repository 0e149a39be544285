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

function intern(s: string): number {
  let id = INTERNED.get(s);
  if (id === undefined) INTERNED.set(s, (id = INTERNED.size + 1));
  return id;
}

/** a symbol as its text's number (String() makes a new string each time) */
const SYMBOL_IDS = new Map<symbol, number>();

function symbolId(v: symbol): number {
  let id = SYMBOL_IDS.get(v);
  if (id === undefined) SYMBOL_IDS.set(v, (id = intern(String(v))));
  return id;
}

/**
 * A device's, driver's or IOMMU's name as intern() numbers it, kept on the object (and on its
 * snapshot copies): names are most of a key's strings, and a field read is no map lookup.
 * The fingerprint is the one str(name) makes.
 */
function nameId(x: { keyId: number; readonly name: string }): number {
  const id = x.keyId;
  return id !== 0 ? id : (x.keyId = intern(x.name));
}

/** murmur3's finaliser: a bijection of 32-bit numbers that spreads every input bit */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

class Fingerprint {
  a = 0x811c9dc5;
  b = 0x7a5c2b31;

  /**
   * A string as its number in this process's table: names recur in every key (and V8 keeps
   * their hashes), so this is a map lookup instead of a walk of the characters. Keys are
   * compared within one process only (a work unit never leaves its thread).
   */
  str(s: string): this {
    return this.num(intern(s));
  }

  /**
   * An unordered set of strings: its size, then each member's number spread on its own and
   * summed per lane — the same for any order, so nothing is copied or sorted (a sum of
   * 32-bit mixes per lane: two different sets meet with the odds of any other 64-bit collision).
   */
  set(xs: Iterable<string>, size: number): this {
    let a = 0;
    let b = 0;
    for (const x of xs) {
      const id = intern(x);
      a = (a + fmix(id ^ 0x9e3779b9)) | 0;
      b = (b + fmix(id ^ 0x7f4a7c15)) | 0;
    }
    return this.num(size).num(a).num(b);
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

  /** the 64 bits as four UTF-16 code units: a key is only ever compared (a Map's), never shown */
  value(): string {
    const a = this.a;
    const b = this.b;
    return String.fromCharCode(a & 0xffff, a >>> 16, b & 0xffff, b >>> 16);
  }
}

// the fixed tags, as str() would number them (interned once, here)
const T_DEV = intern('dev');
const T_MMU = intern('mmu');
const T_GRP = intern('grp');
const T_DOM = intern('dom');
const T_DRV = intern('drv');
const T_ELLIPSIS = intern('…');
const T_FN = intern('f');
const T_EMPTY = intern('');
const T_INT = intern('\u0000int');
const T_LIST = intern('list');
const T_GROUPS = intern('groups');
const T_SAME = intern('=');
const T_DRIVERS = intern('drivers');
const T_PENDING = intern('pending');
const T_ACTIVE = intern('active');
const T_FIRST = intern('first');
const T_LATE = intern('late');
const BUSES = (['platform', 'pci', 'amba'] as const).map((b) => ({ bus: b, tag: intern(b) }));

const T_WIDE = intern('\u0000wide');

// the strings a key meets most after names (~90 lookups a key on salvator-xs-m3n): devres
// kinds, DMA ops, driver data's keys, as intern() numbers them
const T_DEVM = intern('devm');
const T_IRQ = intern('irq');
const T_DMAM = intern('dmam');
const T_DIRECT = intern('direct');
const T_IOMMU = intern('iommu');
const T_DMA = intern('dma');
const T_ROOT = intern('root');

/** intern(s), the commonest few by a compare (a literal of the model's source: the same string) */
function common(s: string): number {
  switch (s) {
    case 'devm':
      return T_DEVM;
    case 'irq':
      return T_IRQ;
    case 'dmam':
      return T_DMAM;
    case 'direct':
      return T_DIRECT;
    case 'iommu':
      return T_IOMMU;
    case 'dma':
      return T_DMA;
    case 'root':
      return T_ROOT;
    default:
      return intern(s);
  }
}

/**
 * A number exactly: an integer of up to 53 bits as its high and low 32-bit halves (num()
 * keeps 32 bits), anything else (a fraction of a page) as its text; tagged apart.
 */
function wide(h: Fingerprint, n: number): Fingerprint {
  if (Number.isSafeInteger(n)) return h.num(1).num(Math.floor(n / 0x100000000)).num(n >>> 0);
  return h.num(2).str(String(n));
}

/** a driver's private data, canonically: objects by their kernel identity, maps and sets unordered */
function digest(h: Fingerprint, v: unknown, depth = 0): void {
  if (v === null || v === undefined) {
    h.num(-1);
    return;
  }
  if (typeof v !== 'object') {
    if (typeof v === 'function') h.num(T_FN);
    else if (typeof v === 'string') h.str(v);
    // a small integer as itself (no string made and looked up), tagged apart from a name's number
    else if (typeof v === 'number' && (v | 0) === v) h.num(T_INT).num(v);
    // a wider integer (an address, a pfn) as its two 32-bit halves, not a string interned for good
    else if (typeof v === 'number') wide(h.num(T_WIDE), v);
    else if (typeof v === 'symbol') h.num(symbolId(v));
    else h.str(String(v));
    return;
  }
  // plain data first, by its constructor (one load, where the chain below is five instanceofs)
  const c = (v as { constructor?: unknown }).constructor;
  if (c === Object && depth <= 4 && !Array.isArray(v)) plain(h, v as Record<string, unknown>, depth);
  else if (c === Array && depth <= 4) {
    const xs = v as readonly unknown[];
    h.num(xs.length);
    for (let i = 0; i < xs.length; i++) digest(h, xs[i], depth + 1);
  } else if (c === IommuInstance) h.num(T_MMU).num(nameId(v as IommuInstance));
  else if (c === Device) h.num(T_DEV).num(nameId(v as Device));
  else if (v instanceof Group) h.num(T_GRP).num(v.id).flag(v.released);
  else if (v instanceof Domain) {
    // what a later translation depends on, as numbers: a string made per domain per key was
    // a new entry of the intern table each time (it grew with every IOVA layout explored)
    h.num(T_DOM).num(nameId(v.inst)).num(common(v.type)).flag(v.freed);
    const top = v.iovaTop;
    if (top === undefined) h.num(0);
    else wide(h, top);
    h.num(v.mappings.length);
    for (const m of v.mappings) wide(wide(h, m.start), m.count);
  }
  else if (v instanceof Driver) h.num(T_DRV).num(nameId(v));
  else if (depth > 4) h.num(T_ELLIPSIS);
  else if (Array.isArray(v)) {
    h.num(v.length);
    for (const x of v) digest(h, x, depth + 1);
  } else if (v instanceof Map || v instanceof Set) {
    // unordered: each entry fingerprinted on its own, the lanes summed (the same for any order)
    let a = 0;
    let b = 0;
    for (const e of v instanceof Map ? v.entries() : v.values()) {
      const eh = new Fingerprint();
      digest(eh, e, depth + 1);
      a = (a + fmix(eh.a)) | 0;
      b = (b + fmix(eh.b)) | 0;
    }
    h.num(v.size).num(a).num(b);
  } else plain(h, v as Record<string, unknown>, depth);
}

/** a plain object: its keys in order, each with its value */
function plain(h: Fingerprint, v: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(v);
  // most objects' keys come sorted already (and sorting a sorted list is a walk of it); a
  // few ({root, group}, {root, contexts}) come at every key, sorted in place with no
  // allocation (Array.prototype.sort's work arrays were 4 % of what a search allocated)
  if (!isSorted(keys)) {
    if (keys.length <= 16) insertionSort(keys);
    else keys.sort();
  }
  h.num(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    h.num(common(key));
    digest(h, v[key], depth + 1);
  }
}

/** the order sort() gives distinct strings (by UTF-16 code units), in place */
function insertionSort(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const x = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > x) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = x;
  }
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** a device's booleans as one number (each its own bit) */
function deviceFlags(d: Device): number {
  return (
    (d.added ? 1 : 0) |
    (d.dead ? 2 : 0) |
    (d.bound ? 4 : 0) |
    (d.canMatch ? 8 : 0) |
    (d.dmaConfigured ? 16 : 0) |
    (d.armMapping ? 32 : 0) |
    (d.armOpsSetup ? 64 : 0) |
    (d.dmaOwner ? 128 : 0)
  );
}

function deviceKey(h: Fingerprint, d: Device): void {
  h.num(nameId(d)).num(deviceFlags(d));
  if (d.driver) h.num(nameId(d.driver));
  else h.num(T_EMPTY);
  if (d.dmaOps) h.num(common(d.dmaOps));
  else h.num(T_EMPTY);
  h.num(d.group ? d.group.id : -1);
  h.num(d.devres.length);
  for (const r of d.devres) h.num(common(r.kind)).num(r.size || r.irq || 0).num(r.buffer ? common(r.buffer.allocOps) : T_EMPTY);
  h.num(d.buffers.length);
  for (const b of d.buffers) h.num(b.size).num(common(b.allocOps));
  h.num(d.links.length);
  for (const l of d.links) h.num(nameId(l.consumer)).num(nameId(l.supplier)).str(l.owner).flag(l.pmRuntime);
  if (d.iommu) {
    const fw = d.iommu.fwspecIommu;
    h.num(fw ? nameId(fw) : T_EMPTY).num(d.iommu.ids.length);
    for (const id of d.iommu.ids) h.num(id);
    digest(h, d.iommu.priv);
    const dev = d.iommu.iommuDev;
    h.num(dev ? nameId(dev) : T_EMPTY);
  } else h.num(-2);
  digest(h, d.drvdata);
}

export function stateKey(k: KernelCtx, midStep: boolean): string {
  const h = new Fingerprint();
  for (const d of k.devices.values()) deviceKey(h, d);
  for (const i of k.iommus.values()) {
    h.num(nameId(i)).flag(i.registered);
    digest(h, i.drvdata);
    digest(h, i.state);
  }
  h.num(T_LIST);
  for (const i of k.iommuDeviceList) h.num(nameId(i));
  h.num(T_GROUPS);
  for (const g of k.groups) {
    h.num(g.id).num(nameId(g.inst)).num(g.devices.length);
    for (const d of g.devices) h.num(nameId(d));
    digest(h, g.defaultDomain);
    if (g.domain === g.defaultDomain) h.num(T_SAME);
    else digest(h, g.domain);
  }
  h.num(T_DRIVERS);
  for (const d of k.drivers.values()) if (d.registered) h.num(nameId(d));
  for (const { bus, tag } of BUSES) {
    const drivers = k.busDrivers[bus];
    const devices = k.busDevices[bus];
    h.num(tag).num(drivers.length);
    for (const d of drivers) h.num(nameId(d));
    h.num(devices.length);
    for (const d of devices) h.num(nameId(d));
  }
  h.num(T_PENDING);
  for (let d = k.deferredPending.head; d; d = d.deferNext) h.num(nameId(d));
  h.num(T_ACTIVE);
  for (let d = k.deferredActive.head; d; d = d.deferNext) h.num(nameId(d));
  h.num((k.deferredProbeEnable ? 1 : 0) | (k.initcallsDone ? 2 : 0) | (k.deferredWorkQueued ? 4 : 0) | (k.deferredWorkDead ? 8 : 0) | (k.systemRunning ? 16 : 0) | (k.panicked ? 32 : 0));
  h.num(k.deferredProbeTimeout).flag(k.deferredTimeoutArmedAt === undefined);
  h.str(k.taint.letters());
  // the armed faults: a device's list in order, the devices unordered
  let armed = 0;
  for (const l of k.faults.values()) if (l.length > 0) armed++;
  if (armed > 0) {
    const faults: string[] = [];
    for (const [d, l] of k.faults) if (l.length > 0) faults.push(`${d}=${l.map((f) => `${f.errno}@${f.at ?? '-'}x${f.remaining}`).join('.')}`);
    h.set(faults, faults.length);
  } else h.num(0);
  h.num(k.foreignFrees.length);
  if (k.globals.size > 0) {
    for (const name of [...k.globals.keys()].sort()) {
      h.str(name);
      digest(h, k.globals.get(name));
    }
  }
  const s = k.sched;
  if (s) {
    h.num(T_FIRST);
    for (const n of s.deferredFirst) h.str(n);
    h.num(T_LATE);
    for (const n of s.lateNames) h.str(n);
    if (midStep) {
      h.set(s.faultReached, s.faultReached.size);
      h.set(s.deferredSeen, s.deferredSeen.size);
      h.set(s.triggerSeen, s.triggerSeen.size);
    }
  }
  // inside a step, where the kernel is: the task and its call chain
  if (midStep) {
    h.str(k.task.comm);
    for (const f of k.stack.trace()) h.str(f);
  }
  return h.value();
}
