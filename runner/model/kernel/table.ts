// A kernel's tables by name (its devices, drivers, IOMMU instances, devices by match name):
// the part of Map's API the model's flows use, over an array of values and a name → position
// index that a kernel shares with its snapshot copies. A snapshot or a restore copies the
// values (an array), not a hash table of names: a Map of salvator-xs-m3n's 23 devices cost
// ~0.6 us and ~4.6 KB to build at every restore, and explore restores ~2,200 times a search.
//
// Names are only added (a kernel's devices, drivers and IOMMUs when it is built, a match name
// at its first device_add), never removed; a name's value may be replaced. Iteration is in
// the order names were added, as a Map's. A kernel that adds a name while it shares its index
// with a copy takes its own index first, so a copy never sees another kernel's names.
//
// A fresh kernel of a board adds the same names in the same order as the board's first
// kernel did (Table.like): its tables share that kernel's index for as long as they agree
// (the index may then hold names past the table's size, which the table does not have yet),
// so a kernel made per run builds no hash table of its names either.

/** every empty table's index and names (never written: a table copies them before adding a name) */
const NO_INDEX = new Map<string, number>();
const NO_NAMES: string[] = [];

export class Table<V> implements Iterable<[string, V]> {
  /** name → position in `vals` and `names` */
  private index: Map<string, number>;
  /** the names in the order they were added */
  private names: string[];
  /** `index` and `names` are another table's too (a snapshot's copy, or the kernel copied) */
  private shared: boolean;
  private readonly vals: V[];

  constructor(copyOf?: Table<unknown>, vals?: V[]) {
    if (copyOf && vals) {
      copyOf.shared = true;
      this.index = copyOf.index;
      this.names = copyOf.names;
      this.shared = true;
      this.vals = vals;
    } else {
      // an empty table takes its own index at its first name (a kernel's copy replaces the
      // empty tables its constructor made: those cost no index)
      this.index = NO_INDEX;
      this.names = NO_NAMES;
      this.shared = true;
      this.vals = [];
    }
  }

  /** an empty table that expects `model`'s names in `model`'s order, sharing its index while they come so */
  static like<V>(model: Table<unknown>): Table<V> {
    const t = new Table<V>();
    model.shared = true;
    t.index = model.index;
    t.names = model.names;
    return t;
  }

  get size(): number {
    return this.vals.length;
  }

  get(name: string): V | undefined {
    // a name of a shared index past this table's size reads as absent (vals has no entry there)
    const i = this.index.get(name);
    return i === undefined ? undefined : this.vals[i];
  }

  has(name: string): boolean {
    const i = this.index.get(name);
    return i !== undefined && i < this.vals.length;
  }

  set(name: string, v: V): this {
    const n = this.vals.length;
    const i = this.index.get(name);
    if (i !== undefined && i < n) {
      this.vals[i] = v;
      return this;
    }
    // the next name of a shared index, in its order: nothing to add to the index
    if (i === n && this.shared) {
      this.vals.push(v);
      return this;
    }
    if (this.shared) {
      // its own index, of its own names only (a shared one may reach past them)
      this.names = this.names.slice(0, n);
      const index = new Map<string, number>();
      for (let j = 0; j < n; j++) index.set(this.names[j]!, j);
      this.index = index;
      this.shared = false;
    }
    this.index.set(name, this.vals.length);
    this.names.push(name);
    this.vals.push(v);
    return this;
  }

  values(): IterableIterator<V> {
    return this.vals.values();
  }

  keys(): IterableIterator<string> {
    return this.names.slice(0, this.vals.length).values();
  }

  *entries(): IterableIterator<[string, V]> {
    for (let i = 0; i < this.vals.length; i++) yield [this.names[i]!, this.vals[i]!];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  forEach(f: (v: V, name: string, t: this) => void): void {
    for (let i = 0; i < this.vals.length; i++) f(this.vals[i]!, this.names[i]!, this);
  }

  /** the value at position `i` (0 ≤ i < size), in the order names were added */
  at(i: number): V {
    return this.vals[i]!;
  }

  /** a snapshot's copy whose values (in order, `size` of them) the caller made */
  withValues<W>(vals: W[]): Table<W> {
    if (vals.length !== this.vals.length) throw new Error(`kernel table: ${vals.length} values for ${this.vals.length} names`);
    return new Table<W>(this, vals);
  }
}
