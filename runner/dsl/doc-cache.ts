// The loader's side of the document cache: a file that loaded clean is kept as its value
// and its node positions (so every later diagnostic and assertion position is exact), and
// "this file checked clean" is kept as a marker whose key says what the check read. Keys
// hash the tool (its compiled files, schemas, library versions), the file's text and, for
// a check, what else decided it: the file's name (ids must match it), and for a suite the
// boards it resolved (by path and text) and the user kernel profiles in force.

import { sha256, toolKey, type Cache } from '../cache/store.js';
import { SourceFile, type SourceSnapshot } from './source.js';

export class DocCache {
  constructor(readonly store: Cache) {}

  /** the key of a text: everything the parse of it depends on */
  textKey(text: string): string {
    return sha256(toolKey(), 'source', text);
  }

  /** The file restored from the cache, or undefined. */
  restore(file: string, text: string, key: string): SourceFile | undefined {
    const snap = this.store.getJson<SourceSnapshot>(key);
    if (!snap || typeof snap !== 'object' || !('data' in snap) || !('index' in snap)) return undefined;
    return new SourceFile(file, text, snap);
  }

  save(source: SourceFile, key: string): void {
    if (source.via === 'cache') return;
    const snap = source.snapshot();
    if (snap) this.store.putJson(key, snap);
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
