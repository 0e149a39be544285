// A value made once per key and kept: frame names, labels and report lines the model prints
// again and again. Keeping the same string each time saves building it and lets a reader
// compare by reference (explore's report memo). Bounded: a fuzzer's or a long search's
// endless new keys start the table over instead of growing it.

export class Memo<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    private readonly make: (key: K) => V,
    private readonly limit = 4096,
  ) {}

  get(key: K): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(key, (v = this.make(key)));
    }
    return v;
  }
}
