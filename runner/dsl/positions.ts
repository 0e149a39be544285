// Where each node of a YAML file is written, apart from the parser that found it: a
// plain tree of offsets that yaml's Document, the fast parser (fast-yaml.ts) and the
// document cache all produce, so a diagnostic or an assertion's position is the same
// whichever of them loaded the file. Plain arrays, so the cache stores it as JSON.

import type { Document, Node } from 'yaml';

/**
 * A node: [start, end] for a scalar; [start, end, SEQ, items] for a sequence;
 * [start, end, MAP, entries] for a mapping; [start, end, ALIAS, target] for an alias
 * (in the cache, a copy of the target at each alias). start/end are yaml's range[0]
 * and range[1]. An item or value may be null where yaml's Document has none.
 */
export type PosNode = ScalarPos | SeqPos | MapPos | AliasPos;
export type ScalarPos = [start: number, end: number];
export type SeqPos = [start: number, end: number, kind: typeof SEQ, items: (PosNode | null)[]];
export type MapPos = [start: number, end: number, kind: typeof MAP, entries: MapEntry[]];
export type AliasPos = [start: number, end: number, kind: typeof ALIAS, target: PosNode | null];
/** key as toJS spells it, where the key is written, the value */
export type MapEntry = [key: string, keyStart: number, keyEnd: number, value: PosNode | null];

export const SEQ = 0;
export const MAP = 1;
export const ALIAS = 2;

export function isCollection(n: PosNode): n is SeqPos | MapPos {
  return n.length === 4 && (n[2] === SEQ || n[2] === MAP);
}

/** The offsets where lines start (0, and after every LF): yaml's LineCounter for text without lone CRs. */
export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/** 1-based line and column of an offset, exactly as yaml's LineCounter.linePos answers. */
export function linePos(starts: readonly number[], offset: number): { line: number; col: number } {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (starts[mid]! < offset) low = mid + 1;
    else high = mid;
  }
  if (starts[low] === offset) return { line: low + 1, col: 1 };
  if (low === 0) return { line: 0, col: offset };
  return { line: low, col: offset - starts[low - 1]! + 1 };
}

/** A scalar key as toJS spells it in the plain object (a null key becomes ""). */
export function keyString(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

type YamlModule = typeof import('yaml');

/** The index of a parsed yaml Document (the same answers as walking the Document). */
export function indexOfDocument(Y: YamlModule, doc: Document.Parsed): PosNode | null {
  const memo = new Map<Node, PosNode>();
  const range = (n: Node): [number, number] => (n.range ? [n.range[0], n.range[1]] : [-1, -1]);
  const build = (node: unknown): PosNode | null => {
    if (node === null || node === undefined) return null;
    const done = memo.get(node as Node);
    if (done) return done;
    let out: PosNode;
    if (Y.isAlias(node)) {
      const [s, e] = range(node);
      const a: AliasPos = [s, e, ALIAS, null];
      memo.set(node, a);
      a[3] = build(node.resolve(doc));
      return a;
    }
    if (Y.isMap(node)) {
      const [s, e] = range(node);
      const entries: MapEntry[] = [];
      out = [s, e, MAP, entries];
      memo.set(node, out);
      for (const pair of node.items) {
        const k = pair.key;
        // nodeAt only finds pairs under a scalar key
        if (!Y.isScalar(k)) continue;
        const [ks, ke] = range(k);
        entries.push([keyString(k.value), ks, ke, build(pair.value)]);
      }
      return out;
    }
    if (Y.isSeq(node)) {
      const [s, e] = range(node);
      const items: (PosNode | null)[] = [];
      out = [s, e, SEQ, items];
      memo.set(node, out);
      for (const it of node.items) items.push(build(it));
      return out;
    }
    const [s, e] = range(node as Node);
    out = [s, e];
    memo.set(node as Node, out);
    return out;
  };
  return build(doc.contents);
}

export interface Located {
  key?: PosNode;
  value?: PosNode;
  complete: boolean;
  parent?: PosNode;
}

/**
 * The node at a data path: the pair's key and the value of the deepest segment found
 * (yaml's semantics: an alias is followed when the path goes through it).
 */
export function locate(root: PosNode | null, path: readonly (string | number)[]): Located {
  let node: PosNode | null | undefined = root;
  let key: PosNode | undefined;
  let parent: PosNode | undefined;
  for (let s = 0; s < path.length; s++) {
    const seg = path[s]!;
    if (node && node.length === 4 && node[2] === ALIAS) node = node[3];
    if (node && node.length === 4 && node[2] === MAP) {
      const want = String(seg);
      const entries = node[3];
      let entry: MapEntry | undefined;
      for (let i = 0; i < entries.length && !entry; i++) if (entries[i]![0] === want) entry = entries[i];
      if (!entry) return located(key, node, false, parent);
      parent = node;
      key = [entry[1], entry[2]];
      node = entry[3];
      if (node === null) return { key, complete: true, parent };
    } else if (node && node.length === 4 && node[2] === SEQ) {
      const item: PosNode | null | undefined = node[3][Number(seg)];
      if (item === undefined) return located(key, node, false, parent);
      parent = node;
      key = undefined;
      node = item;
    } else {
      return located(key, node ?? undefined, false, parent);
    }
  }
  return located(key, node ?? undefined, true, parent);
}

/** a Located with only the parts found (no key set to undefined) */
function located(key: PosNode | undefined, value: PosNode | undefined, complete: boolean, parent: PosNode | undefined): Located {
  const out: Located = { complete };
  if (key) out.key = key;
  if (value) out.value = value;
  if (parent) out.parent = parent;
  return out;
}

/**
 * Whether an index can go to the cache as JSON: an alias's target is written out at each
 * alias (the lookups follow it the same way), so the expanded size must stay bounded.
 */
export function serializable(root: PosNode | null, maxNodes = 200_000): boolean {
  const stack: (PosNode | null)[] = [root];
  let n = 0;
  while (stack.length) {
    const node = stack.pop();
    if (!node) continue;
    if (++n > maxNodes) return false;
    if (node.length === 2) continue;
    if (node[2] === ALIAS) stack.push(node[3]);
    else if (node[2] === SEQ) for (const it of node[3]) stack.push(it);
    else for (const e of (node as MapPos)[3]) stack.push(e[3]);
  }
  return true;
}
