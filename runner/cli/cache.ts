// The cache of the commands that read boards and suites: `--no-cache` turns it off for one
// command. Entries are keyed by content (runner/cache/store.ts), so the cache is never
// stale: an edited file, board, user profile or rebuilt bringup is simply another key.

import type { OptionSpec } from './command.js';
import type { OptionValues } from './options.js';
import { Cache } from '../cache/store.js';
import { DocCache } from '../dsl/doc-cache.js';

export const NO_CACHE_OPTION: OptionSpec = {
  name: 'no-cache',
  type: 'boolean',
  help: 'read, check and run everything afresh, without reading\nor writing the cache ($XDG_CACHE_HOME/bringup, else\nnode_modules/.cache/bringup); the output is the same',
};

export const CACHE_ENVIRONMENT = `XDG_CACHE_HOME        the cache is $XDG_CACHE_HOME/bringup when set, else
                      node_modules/.cache/bringup (see --no-cache)`;

let shared: Cache | undefined;

/** The process's cache, or undefined under --no-cache. */
export function commandCache(values: OptionValues): Cache | undefined {
  if (values['no-cache'] === true) return undefined;
  if (!shared) {
    const c = (shared = new Cache());
    // bounded: a command that wrote entries may drop the oldest ones as it exits
    process.once('exit', () => c.prune());
  }
  return shared;
}

export function documentCache(values: OptionValues): DocCache | undefined {
  const c = commandCache(values);
  return c && new DocCache(c);
}

/** `{ cache }` for a loader's options, or nothing under --no-cache. */
export function cacheOption(values: OptionValues): { cache?: DocCache } {
  const cache = documentCache(values);
  return cache ? { cache } : {};
}
