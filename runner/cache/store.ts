// The on-disk cache behind the CLI: content-addressed entries (the key is a hash of
// everything that decides the value), so an entry can never be stale — an input edited
// by one byte is another key. Best effort: a cache that cannot be read or written is no
// cache, never an error, and a damaged entry reads as a miss.
//
// Where: $XDG_CACHE_HOME/bringup when XDG_CACHE_HOME is set; else node_modules/.cache/bringup
// of the node_modules bringup is installed in (or of its own checkout); else ~/.cache/bringup.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** bumped when the layout of any entry changes */
const FORMAT = 'bringup-cache-1';

/** dist/runner: the compiled tool whose every file is part of the tool key */
const RUNNER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** the package root (dist/runner/cache → ../../..) */
const PACKAGE_ROOT = path.resolve(RUNNER_DIR, '../..');

/** prune at most this often, and down to this many bytes */
const PRUNE_EVERY_MS = 3600_000;
const MAX_BYTES = 256 << 20;

export function sha256(...parts: readonly (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    // a separator no UTF-8 text contains, so ("ab","c") and ("a","bc") differ
    h.update('\xff');
  }
  return h.digest('hex');
}

/** The cache directory for this installation (see the header). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'bringup');
  // installed as a dependency: <project>/node_modules/bringup → <project>/node_modules/.cache
  const parent = path.dirname(PACKAGE_ROOT);
  if (path.basename(parent) === 'node_modules') return path.join(parent, '.cache', 'bringup');
  const own = path.join(PACKAGE_ROOT, 'node_modules');
  if (existsSync(own)) return path.join(own, '.cache', 'bringup');
  return path.join(os.homedir(), '.cache', 'bringup');
}

let toolKeyMemo: string | undefined;

/**
 * What the tool itself is: every compiled file of dist/runner (path, size, modification
 * time — a rebuild that changes a file changes the key), the schemas, the versions of
 * the libraries whose output is cached (yaml, ajv, re2js) and Node's.
 */
export function toolKey(): string {
  if (toolKeyMemo !== undefined) return toolKeyMemo;
  const parts: string[] = [FORMAT, process.version];
  const walk = (dir: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      if (n.endsWith('.js') || n.endsWith('.cjs') || n.endsWith('.json')) {
        try {
          const st = statSync(p);
          parts.push(`${rel}${n} ${st.size} ${st.mtimeMs}`);
        } catch {
          // vanished while walking: the key still differs from a complete tree's
        }
      } else if (!n.includes('.')) walk(p, `${rel}${n}/`);
    }
  };
  walk(RUNNER_DIR, 'runner/');
  walk(path.join(PACKAGE_ROOT, 'dsl-schema'), 'dsl-schema/');
  const require = createRequire(import.meta.url);
  for (const dep of ['yaml', 'ajv', 're2js']) {
    try {
      const main = require.resolve(dep);
      const st = statSync(main);
      parts.push(`${dep} ${main} ${st.size} ${st.mtimeMs}`);
    } catch {
      parts.push(`${dep} missing`);
    }
  }
  try {
    parts.push(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  } catch {
    // an unpacked tree without package.json: its files are still in the key
  }
  return (toolKeyMemo = sha256(...parts));
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
}

export class Cache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0 };
  private broken = false;
  private readonly root: string;

  constructor(dir: string = defaultCacheDir()) {
    this.root = path.join(dir, 'v1');
  }

  private file(key: string): string {
    return path.join(this.root, key.slice(0, 2), key);
  }

  /** The entry's text, or undefined. */
  get(key: string): string | undefined {
    if (this.broken) return undefined;
    try {
      const text = readFileSync(this.file(key), 'utf8');
      this.stats.hits++;
      return text;
    } catch {
      this.stats.misses++;
      return undefined;
    }
  }

  /** A JSON entry, or undefined (missing or damaged). */
  getJson<T>(key: string): T | undefined {
    const text = this.get(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  }

  /** Whether a marker entry exists (a fact, such as "this file checked clean"). */
  has(key: string): boolean {
    if (this.broken) return false;
    const yes = existsSync(this.file(key));
    if (yes) this.stats.hits++;
    else this.stats.misses++;
    return yes;
  }

  /** Store an entry: written whole to a temporary file and renamed, so a reader never sees half of it. */
  put(key: string, text: string): void {
    if (this.broken) return;
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, file);
      this.stats.writes++;
    } catch {
      // read-only, full or missing: run without a cache from here on
      this.broken = true;
      try {
        unlinkSync(tmp);
      } catch {
        // never created
      }
    }
  }

  putJson(key: string, value: unknown): void {
    this.put(key, JSON.stringify(value));
  }

  /**
   * Keep the cache bounded: at most once an hour (a stamp file's time says when), drop
   * the oldest entries until it holds three quarters of maxBytes. Each tool build has keys of its own, so
   * without this every rebuild would leave its entries behind.
   */
  prune(now = Date.now(), maxBytes = MAX_BYTES): void {
    if (this.broken || this.stats.writes === 0) return;
    const stamp = path.join(this.root, '.pruned');
    try {
      if (now - statSync(stamp).mtimeMs < PRUNE_EVERY_MS) return;
    } catch {
      // never pruned
    }
    try {
      closeSync(openSync(stamp, 'a'));
      utimesSync(stamp, now / 1000, now / 1000);
      const entries: { file: string; size: number; mtime: number }[] = [];
      let total = 0;
      for (const shard of readdirSync(this.root)) {
        if (shard.length !== 2) continue;
        const dir = path.join(this.root, shard);
        for (const n of readdirSync(dir)) {
          const file = path.join(dir, n);
          const st = statSync(file);
          // a temporary file older than a minute belongs to a process that died
          if (n.endsWith('.tmp') && now - st.mtimeMs > 60_000) {
            unlinkSync(file);
            continue;
          }
          entries.push({ file, size: st.size, mtime: st.mtimeMs });
          total += st.size;
        }
      }
      if (total <= maxBytes) return;
      entries.sort((a, b) => a.mtime - b.mtime);
      for (const e of entries) {
        if (total <= maxBytes * 0.75) break;
        unlinkSync(e.file);
        total -= e.size;
      }
    } catch {
      // another process pruned at the same time: next time
    }
  }
}

