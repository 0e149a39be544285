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
}

/** The repository (package) root: this file is dist/runner/exec/targets/qemu/assets.js. */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
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
