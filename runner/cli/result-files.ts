// Where results go: the report (--output) and one dmesg file per run (--log-dir). Both
// are checked before anything runs, so a mistyped path costs nothing; the report is
// written next to its target and renamed over it, so a full disk leaves the previous
// report whole instead of a truncated one.

import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** bytes in one file name (Linux NAME_MAX, and most other file systems') */
export const NAME_MAX = 255;

const HASH_HEX = 32;

/**
 * One dmesg file name per run: "<id>.<board>.<kernel>.log" with "%", "/", "\", "~" and
 * control characters percent-encoded, so two different runs never share a file (devices
 * "a/b", "a_b" and "a\b" stay three files). A name past NAME_MAX bytes keeps its
 * beginning and ends in "~" and a 128-bit hash of the whole name, which no encoded name
 * contains otherwise.
 */
export function logFileName(r: { id: string; board: string; kernel: string }): string {
  const plain = `${r.id}.${r.board}.${r.kernel}`;
  // eslint-disable-next-line no-control-regex
  const encoded = plain.replace(/[%/\\~\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  const name = `${encoded}.log`;
  if (Buffer.byteLength(name) <= NAME_MAX) return name;
  const hash = createHash('sha256').update(plain).digest('hex').slice(0, HASH_HEX);
  const budget = NAME_MAX - 1 - HASH_HEX - '.log'.length;
  let head = '';
  let bytes = 0;
  for (const ch of encoded) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > budget) break;
    head += ch;
    bytes += n;
  }
  // never cut a %XX escape in half
  head = head.replace(/%[0-9A-F]?$/, '');
  return `${head}~${hash}.log`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Create DIR if needed and make sure files can be written in it; the reason if not. */
export function prepareLogDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) return 'not a directory';
    // root passes access() on a read-only mount: a real file says more
    const probe = path.join(dir, `.bringup-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return undefined;
  } catch (e) {
    return message(e);
  }
}

/**
 * Whether FILE can take the report: its directory is created if needed and must take a
 * new file, and FILE must not be a directory. The reason if not.
 */
export function prepareOutput(file: string): string | undefined {
  try {
    const target = resolveTarget(file);
    let st;
    try {
      st = statSync(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (st?.isDirectory()) return 'is a directory';
    if (st && !st.isFile()) {
      // a device or a pipe (/dev/stdout) is written in place
      closeSync(openSync(target, 'a'));
      return undefined;
    }
    const dir = path.dirname(target);
    mkdirSync(dir, { recursive: true });
    const probe = tempName(target);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    return message(e);
  }
}

/** A symbolic link is written through: the file it points at is replaced, the link stays. */
function resolveTarget(file: string): string {
  try {
    if (lstatSync(file).isSymbolicLink()) return realpathSync(file);
  } catch {
    // a dangling link or no file: the path as given
  }
  return file;
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
}

export interface WriteHooks {
  /** writes the text to an open file descriptor (tests make it fail half way) */
  write?: (fd: number, text: string) => void;
}

/**
 * Write FILE whole or not at all: the text goes to a temporary file in the same
 * directory, which is flushed and renamed over FILE. A device or a pipe is written in place.
 */
export function writeFileAtomic(file: string, text: string, hooks: WriteHooks = {}): void {
  const target = resolveTarget(file);
  let st;
  try {
    st = statSync(target);
  } catch {
    // a new file
  }
  if (st && !st.isFile()) {
    writeFileSync(target, text);
    return;
  }
  const tmp = tempName(target);
  const fd = openSync(tmp, 'w', st ? st.mode & 0o777 : 0o666);
  try {
    (hooks.write ?? ((d, t) => writeFileSync(d, t)))(fd, text);
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Each run's dmesg (skipped runs have none) into DIR, as prepared by prepareLogDir. */
export function writeLogs(dir: string, results: readonly { status: string; id: string; board: string; kernel: string; log?: readonly unknown[] }[], format: (line: never) => string): void {
  for (const r of results) {
    if (r.status === 'SKIP') continue;
    const text = (r.log ?? []).map((l) => format(l as never)).join('\n');
    writeFileSync(path.join(dir, logFileName(r)), text.length ? text + '\n' : '');
  }
}
