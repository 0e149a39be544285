// Which choices commute (EXPLORE.md "Reductions"): two drivers of one initcall level, or two
// unbinds, are independent when what they touch is disjoint — no device, supplier
// (`wait-for`), IOMMU instance (so no group or domain) in common. Computed from the board
// alone, so it is the same in every process. Pure.
//
// Left out on purpose: two probes that both defer put themselves on the deferred list in
// their order; that order is its own choice point (`deferred-order`), so it is not a reason
// to explore both initcall orders.

import type { ModelBoard } from '../model/index.js';
import { iommuSuppliers } from '../model/index.js';

export class Footprints {
  private readonly byName = new Map<string, ReadonlySet<string>>();
  private readonly byDevice = new Map<string, ReadonlySet<string>>();
  private readonly iommuDriverOf = new Map<string, string>();
  /** deviationFootprint's memo of order footprints */
  readonly cache = new Map<string, ReadonlySet<string> | '*'>();
  /** deviationFootprint's memo of fault footprints, by the point's label (its device's) */
  readonly faultCache = new Map<string, ReadonlySet<string> | '*'>();
  /**
   * Fault points (`fault:<device>@<i>`) whose faults are those of point i - 1: the action
   * between them only pushed a devres entry (devm-alloc, request-irq) that a failed probe's
   * devres_release_all() pops again, printing nothing (core/probe.ts, core/devres.ts). The
   * two faults end in the same state with the same log; the earlier point also offers every
   * later fault point the later one does (the probe's retry reaches them first).
   */
  readonly sameAsEarlierFault = new Set<string>();

  constructor(board: ModelBoard) {
    const clientsOf = new Map<string, string[]>();
    for (const d of board.devices) for (const r of d.iommus) (clientsOf.get(r.iommu) ?? clientsOf.set(r.iommu, []).get(r.iommu)!).push(d.name);
    const drivers = new Map(board.drivers.map((d) => [d.name, d]));
    const device = (name: string): Set<string> => {
      const fp = new Set<string>([`dev:${name}`]);
      const d = board.devices.find((x) => x.name === name);
      if (!d) return fp;
      for (const r of d.iommus) fp.add(`mmu:${r.iommu}`);
      // a device an IOMMU waits for (mtk's SMI larbs) decides whether that IOMMU registers
      for (const i of board.iommus) if (iommuSuppliers(board, i).includes(name)) fp.add(`mmu:${i.name}`);
      for (const a of (d.driver ? drivers.get(d.driver)?.probe : undefined) ?? []) if (a.kind === 'wait-for') fp.add(`dev:${a.device}`);
      return fp;
    };
    for (const d of board.devices) this.byDevice.set(d.name, device(d.name));
    for (const d of board.devices) {
      const drv = d.driver ? drivers.get(d.driver) : undefined;
      if (!drv || board.iommus.some((i) => i.name === d.name)) continue;
      drv.probe.forEach((a, i) => {
        if (a.kind === 'devm-alloc' || a.kind === 'request-irq') this.sameAsEarlierFault.add(`fault:${d.name}@${i + 1}`);
      });
    }
    // a client driver touches its devices; an IOMMU driver its instances and all their clients
    for (const drv of board.drivers) {
      const fp = new Set<string>();
      for (const d of board.devices) if (d.driver === drv.name) for (const x of this.byDevice.get(d.name)!) fp.add(x);
      this.byName.set(drv.name, fp);
    }
    for (const i of board.iommus) this.iommuDriverOf.set(i.name, i.driver);
    const iommuDrivers = new Set(board.iommus.map((i) => i.driver));
    for (const name of iommuDrivers) {
      const fp = new Set<string>();
      for (const i of board.iommus) {
        if (i.driver !== name) continue;
        fp.add(`mmu:${i.name}`);
        fp.add(`dev:${i.name}`);
        for (const s of iommuSuppliers(board, i)) fp.add(`dev:${s}`).add(`mmu:${s}`);
        for (const c of clientsOf.get(i.name) ?? []) for (const x of this.byDevice.get(c) ?? []) fp.add(x);
      }
      this.byName.set(name, fp);
    }
  }

  /** of()'s answers: sleep sets ask about the same few options thousands of times a search */
  private readonly ofMemo = new Map<string, ReadonlySet<string> | undefined>();

  /** what a loadable (driver name) or a quiescent option ("unbind X") touches */
  of(option: string): ReadonlySet<string> | undefined {
    let f = this.ofMemo.get(option);
    if (f === undefined && !this.ofMemo.has(option)) this.ofMemo.set(option, (f = this.ofUncached(option)));
    return f;
  }

  private ofUncached(option: string): ReadonlySet<string> | undefined {
    const sp = option.indexOf(' ');
    if (sp > 0) {
      const dev = option.slice(sp + 1);
      return this.byDevice.get(dev) ?? new Set([`dev:${dev}`]);
    }
    return this.byName.get(option);
  }

  /** what a device touches: itself, its IOMMUs, the devices its probe waits for; an IOMMU's own device touches all its clients */
  device(name: string): ReadonlySet<string> | undefined {
    return this.byDevice.get(name) ?? this.byName.get(this.iommuDriverOf.get(name) ?? '');
  }

  /** a and b commute: both known, nothing in common */
  independent(a: string, b: string): boolean {
    if (a === b) return false;
    const fa = this.of(a);
    const fb = this.of(b);
    if (!fa || !fb) return false;
    for (const x of fa) if (fb.has(x)) return false;
    return true;
  }
}

const BY_BOARD = new WeakMap<ModelBoard, Footprints>();

/** a board's footprints, worked out once per process (every work unit asks) */
export function footprintsOf(board: ModelBoard): Footprints {
  let fp = BY_BOARD.get(board);
  if (!fp) BY_BOARD.set(board, (fp = new Footprints(board)));
  return fp;
}

/** everything: a deviation whose effect reaches the whole kernel */
export const GLOBAL = '*';

export type Footprint = ReadonlySet<string> | typeof GLOBAL;

function union(fp: Footprints, names: readonly string[], of: (n: string) => ReadonlySet<string> | undefined): Footprint {
  const out = new Set<string>();
  for (const n of names) {
    const f = of(n);
    if (!f) return GLOBAL;
    for (const x of f) out.add(x);
  }
  void fp;
  return out;
}

/**
 * What a non-default choice touches. A fault (-EPROBE_DEFER too) or a quiescent step touches
 * its device; an order touches every driver it reorders; an IOMMU registered late touches the
 * driver's instances and clients. A module order and a trigger landing at once reach every
 * device waiting on the deferred list: they touch everything.
 */
export function deviationFootprint(fp: Footprints, kind: string, label: string, options: readonly string[], chosen: number): Footprint {
  // a fault's footprint is its device's, whatever the errno: by label, with no label parsed (a search asks ~6,000 times)
  if (kind === 'fault') {
    let f = fp.faultCache.get(label);
    if (f === undefined) fp.faultCache.set(label, (f = deviationFootprintOf(fp, kind, label, options, chosen)));
    return f;
  }
  // an order's footprint is the union of its options: the same for every option, and asked often
  if (kind === 'initcall-order' || kind === 'async-completion' || kind === 'deferred-order') {
    const key = `${kind}\u0000${options.join('\u0001')}`;
    let f = fp.cache.get(key);
    if (!f) fp.cache.set(key, (f = deviationFootprintOf(fp, kind, label, options, chosen)));
    return f;
  }
  return deviationFootprintOf(fp, kind, label, options, chosen);
}

function deviationFootprintOf(fp: Footprints, kind: string, label: string, options: readonly string[], chosen: number): Footprint {
  const option = options[chosen]!;
  switch (kind) {
    case 'fault': {
      // a deferred probe is retried at some later trigger; what it meets then is its own
      // footprint, whoever binds meanwhile (the retry order is a choice of its own)
      const body = label.slice('fault:'.length);
      return fp.device(body.slice(0, body.lastIndexOf('@'))) ?? GLOBAL;
    }
    case 'quiescent':
      return fp.of(option) ?? GLOBAL;
    case 'initcall-order':
    case 'async-completion':
      return union(fp, options, (n) => (kind === 'initcall-order' ? fp.of(n) : fp.device(n)));
    case 'deferred-order':
      return union(fp, options, (n) => fp.device(n));
    case 'iommu-registration':
      return fp.of(label.slice('iommu:'.length)) ?? GLOBAL;
    default:
      return GLOBAL;
  }
}

/** two deviations interact: something in common, or either reaches everything */
export function dependent(a: Footprint, b: Footprint): boolean {
  if (a === GLOBAL || b === GLOBAL) return true;
  for (const x of a) if (b.has(x)) return true;
  return false;
}
