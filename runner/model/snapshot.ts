// Snapshots of a model kernel: a copy of its whole state that a later kernel resumes from,
// so that explore runs a schedule from the last point its prefix shares with one already
// run instead of from boot (the stateful search of SPIN and TLC, in a runtime with no
// fork()). A snapshot is taken between two steps, or inside a chosen boot between two
// initcalls or module loads (Chooser.checkpoint): there the call stack holds nothing the
// heap does not, and boot.ts's cursor says what is left to run.
//
// Each stateful class copies itself ([COPY]): explicit and fast (a copy costs a fraction of
// a boot; a generic walk of the object graph cost as much as the boot it saves), with the
// shapes V8 already knows. What never changes after a kernel is built (the board, the
// profile, the IOMMU catalog, tasks, symbol tables) is shared, not copied. Drivers'
// private data (drvdata, priv, per-instance state, file-scope globals) is plain data,
// copied by copyData. test/model/snapshot.test.ts checks that a copy shares nothing
// mutable with its original and that a resumed kernel prints what a fresh one prints.

/** the method each stateful class of the model implements: a copy of itself, through `m` */
export const COPY: unique symbol = Symbol('snapshot copy');

export interface Copyable {
  [COPY](m: CopyMap): object;
}

/** objects no copy ever duplicates: the board's and profile's data, the IOMMU catalog */
const SHARED = new WeakSet<object>();

export function isShared(x: object): boolean {
  return SHARED.has(x);
}

/** Mark `root` and everything reachable from it as shared (immutable model input). */
export function shareDeep(root: unknown): void {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === null || typeof v !== 'object' || SHARED.has(v)) continue;
    SHARED.add(v);
    if (v instanceof Map) for (const [a, b] of v) todo.push(a, b);
    else if (v instanceof Set) for (const a of v) todo.push(a);
    else for (const key of Object.keys(v)) todo.push((v as Record<string, unknown>)[key]);
  }
}

/**
 * The original → copy map of one snapshot: an object reached twice is copied once, so the
 * copy has the original's sharing and cycles (a device on a deferred list and in a group).
 *
 * A snapshot is restored many times (once per execution resumed from it), always from the
 * same objects: after its first restore, the objects it is made of are numbered once
 * (CopyMap.restore, kept with the snapshot), and each later restore keeps its copies in an array by those numbers
 * instead of filling a map that grows as it goes.
 */
export class CopyMap {
  private readonly map = new Map<object, object>();
  /** the originals' numbers (a snapshot restored before), else undefined */
  private readonly index: ReadonlyMap<object, number> | undefined;
  private readonly copies: (object | undefined)[];

  constructor(index?: ReadonlyMap<object, number>) {
    this.index = index;
    this.copies = index ? new Array<object | undefined>(index.size).fill(undefined) : NO_COPIES;
  }

  /**
   * A copy of a snapshot's root, which is copied again and again: the first copy numbers the
   * objects it copied into `s.index` for the next ones.
   */
  static restore<T extends object>(s: { root: T; index?: ReadonlyMap<object, number> }): T {
    const m = new CopyMap(s.index);
    const out = m.of(s.root);
    if (!s.index) {
      const ix = new Map<object, number>();
      for (const from of m.map.keys()) ix.set(from, ix.size);
      s.index = ix;
    }
    return out;
  }

  /** register `to` as the copy of `from` before filling it in (cycles come back here) */
  set<T extends object>(from: T, to: T): T {
    if (this.index !== undefined) {
      const i = this.index.get(from);
      if (i !== undefined) {
        this.copies[i] = to;
        return to;
      }
    }
    this.map.set(from, to);
    return to;
  }

  get<T extends object>(from: T): T | undefined {
    if (this.index !== undefined) {
      const i = this.index.get(from);
      if (i !== undefined) return this.copies[i] as T | undefined;
    }
    return this.map.get(from) as T | undefined;
  }

  /**
   * get(), and whether `from` is one of the snapshot's own objects not copied yet (NUMBERED:
   * then it is not shared data either, which saves copyData asking the shared set)
   */
  find<T extends object>(from: T): T | undefined | typeof NUMBERED {
    if (this.index !== undefined) {
      const i = this.index.get(from);
      if (i !== undefined) return (this.copies[i] as T | undefined) ?? NUMBERED;
    }
    return this.map.get(from) as T | undefined;
  }

  /** the copy of `x`: itself for primitives and shared data */
  of<T>(x: T): T {
    if (x === null || typeof x !== 'object') return x;
    const hit = this.get(x);
    if (hit !== undefined) return hit as T;
    const c = (x as Partial<Copyable>)[COPY];
    if (c !== undefined) return c.call(x, this) as T;
    return copyData(x, this);
  }

  /** an array of stateful objects, element by element */
  all<T>(xs: readonly T[]): T[] {
    // a copy of the array first: packed as the original is (new Array(n) is a holey one, and
    // the flows' reads of the copies would see two kinds of array)
    const out = xs.slice();
    for (let i = 0; i < out.length; i++) out[i] = this.of(out[i]!);
    return out;
  }
}

const NO_COPIES: (object | undefined)[] = [];
const NUMBERED: unique symbol = Symbol('numbered, not copied yet');

/** plain data: arrays, maps, sets and plain objects, with class instances copied by their own [COPY] */
export function copyData<T>(x: T, m: CopyMap): T {
  // frozen first: no lookup at all (a snapshot shares frozen records, thousands a search)
  if (x === null || typeof x !== 'object' || Object.isFrozen(x)) return x;
  const hit = m.find(x);
  if (hit !== undefined && hit !== NUMBERED) return hit;
  if (hit === undefined && SHARED.has(x)) return x;
  const proto = Object.getPrototypeOf(x);
  // plain objects first (most of a snapshot's data: drvdata, buffers, states)
  if (proto === Object.prototype) return copyPlain(x, m);
  if (Array.isArray(x)) {
    const out = m.set(x, new Array(x.length) as T & unknown[]);
    for (let i = 0; i < x.length; i++) out[i] = m.of(x[i]);
    return out;
  }
  if (x instanceof Map) {
    const out = m.set(x, new Map() as T & Map<unknown, unknown>);
    for (const [a, b] of x) out.set(m.of(a), m.of(b));
    return out;
  }
  if (x instanceof Set) {
    const out = m.set(x, new Set() as T & Set<unknown>);
    for (const a of x) out.add(m.of(a));
    return out;
  }
  if (proto !== null) throw new Error(`snapshot: no copy for ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'this object'} (give its class a [COPY] method)`);
  return copyPlain(x, m);
}

/** a plain (or prototype-less) object: its own keys, each value through the map */
function copyPlain<T>(x: T & object, m: CopyMap): T {
  const out = m.set(x, { ...(x as object) } as T & Record<string, unknown>);
  for (const key in out) {
    const v = out[key];
    if (v !== null && typeof v === 'object') out[key] = m.of(v);
  }
  return out;
}
