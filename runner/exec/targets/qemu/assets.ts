// Where `npm run setup:qemu` left the kernel, the initramfs and QEMU (.cache/qemu/assets.json).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface QemuAssets {
  arch: string;
  kver: string;
  kernel: string;
  initrd: string;
  qemu: string;
  qemuVersion?: string;
  modules: string[];
  /** the kernel line of the conformance matrix (5.10, 6.1, ... 7.3), for kernels/<line>-<arch>.json */
  line?: string;
  /** the Debian package version (6.1.192-3) */
  version?: string;
  /** module names built into this kernel (its modules.builtin): those drivers cannot be held or loaded */
  builtin?: string[];
  /** the kernel options that decide what the boards can do (CONFIG_ without the prefix) */
  config?: Record<string, string>;
}

/** Debian's name of a board's architecture. */
export function debianArch(arch: string): string {
  return arch === 'x86_64' ? 'amd64' : arch;
}

/** The repository (package) root: this file is dist/runner/exec/targets/qemu/assets.js, or part of a chunk of dist/runner/bundle. */
export function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const at = `${here}${path.sep}`.lastIndexOf(`${path.sep}dist${path.sep}runner${path.sep}`);
  return at >= 0 ? here.slice(0, at) : path.resolve(here, '../../../../..');
}

export function cacheDir(): string {
  return process.env['BRINGUP_QEMU_CACHE'] ?? path.join(repoRoot(), '.cache', 'qemu');
}

export type AssetsResult = { ok: true; assets: QemuAssets } | { ok: false; reason: string };

export function loadAssets(dir = cacheDir()): AssetsResult {
  const manifest = path.join(dir, 'assets.json');
  if (!existsSync(manifest)) {
    const skip = path.join(dir, 'skip-reason');
    const why = existsSync(skip) ? readFileSync(skip, 'utf8').trim() : undefined;
    return { ok: false, reason: why ? `QEMU assets not set up: ${why}` : `QEMU assets not set up (run \`npm run setup:qemu\`; looked for ${manifest})` };
  }
  let a: QemuAssets;
  try {
    a = JSON.parse(readFileSync(manifest, 'utf8')) as QemuAssets;
  } catch (e) {
    return { ok: false, reason: `unreadable ${manifest}: ${(e as Error).message}` };
  }
  for (const k of ['kernel', 'initrd', 'qemu'] as const) {
    if (typeof a[k] !== 'string' || !existsSync(a[k])) return { ok: false, reason: `QEMU asset ${k} missing (${String(a[k])}); run \`npm run setup:qemu\`` };
  }
  return { ok: true, assets: a };
}

/**
 * One kernel of the conformance matrix (`npm run setup:kernels`): kernels/<line>-<arch>.json,
 * which says why when that kernel could not be prepared (the archive no longer carries it).
 */
export function loadKernelAssets(line: string, arch: string, dir = cacheDir()): AssetsResult {
  if (!/^\d+\.\d+$/.test(line)) return { ok: false, reason: `not a kernel line: ${JSON.stringify(line)} (want e.g. 6.12)` };
  const manifest = path.join(dir, 'kernels', `${line}-${debianArch(arch)}.json`);
  if (!existsSync(manifest)) return { ok: false, reason: `kernel ${line} ${debianArch(arch)} not set up (run \`npm run setup:kernels -- --lines ${line}\`; looked for ${manifest})` };
  let a: QemuAssets & { skip?: string };
  try {
    a = JSON.parse(readFileSync(manifest, 'utf8')) as QemuAssets & { skip?: string };
  } catch (e) {
    return { ok: false, reason: `unreadable ${manifest}: ${(e as Error).message}` };
  }
  if (typeof a.skip === 'string') return { ok: false, reason: `kernel ${line} ${debianArch(arch)}: ${a.skip}` };
  for (const k of ['kernel', 'initrd', 'qemu'] as const) {
    if (typeof a[k] !== 'string' || !existsSync(a[k])) return { ok: false, reason: `QEMU asset ${k} of kernel ${line} ${debianArch(arch)} missing (${String(a[k])}); run \`npm run setup:kernels\`` };
  }
  return { ok: true, assets: a };
}
