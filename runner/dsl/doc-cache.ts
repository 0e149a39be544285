// The loader's side of the document cache: a file that loaded clean is kept as its value
// and its node positions (so every later diagnostic and assertion position is exact), and
// "this file checked clean" is kept as a marker whose key says what the check read. Keys
// hash the tool (its compiled files, schemas, library versions), the file's text and, for
// a check, what else decided it: the file's name (ids must match it), and for a suite the
// boards it resolved (by path and text) and the user kernel profiles in force.

import { sha256, toolKey, type Cache } from '../cache/store.js';
import type { PosNode } from './positions.js';
import { SourceFile } from './source.js';

export class DocCache {
  constructor(readonly store: Cache) {}

  /** the key of a text: everything the parse of it depends on */
  textKey(text: string): string {
    return sha256(toolKey(), 'source', text);
  }

  /** The file restored from the cache (its node positions read when first asked for), or undefined. */
  restore(file: string, text: string, key: string): SourceFile | undefined {
    const entry = this.store.getJson<{ data: unknown }>(key);
    if (!entry || typeof entry !== 'object' || !('data' in entry)) return undefined;
    const index = () => {
      const i = this.store.getJson<{ index: PosNode | null }>(sha256(key, 'index'));
      return i && typeof i === 'object' && 'index' in i ? i.index : undefined;
    };
    return new SourceFile(file, text, { data: entry.data, index });
  }

  save(source: SourceFile, key: string): void {
    if (source.via === 'cache') return;
    const snap = source.snapshot();
    if (!snap) return;
    // the positions first: an entry with data always has them
    this.store.putJson(sha256(key, 'index'), { index: snap.index });
    this.store.putJson(key, { data: snap.data });
  }

  /** the key of a clean check: its kind and every input named */
  checkKey(kind: string, ...inputs: string[]): string {
    return sha256(toolKey(), `clean-${kind}`, ...inputs);
  }

  isClean(key: string): boolean {
    return this.store.has(key);
  }

  markClean(key: string): void {
    this.store.put(key, '');
  }
}
