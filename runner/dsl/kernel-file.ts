// User-defined kernel profiles: kernels/<name>.yaml beside suites/ (as boards/ is), or
// <name>.yaml next to the suite. A file names a built-in profile and the behaviours it
// switches; once checked it is usable wherever a profile name is.

import { findProfile } from '../model/profiles/profiles.js';
import type { UserProfile } from '../model/profiles/resolve.js';
import type { Diagnostic } from './diagnostic.js';
import { behaviourDiagnostic, profileDiagnostic } from './kernels.js';
import { fileId } from './board.js';
import type { SourceFile } from './source.js';

export interface KernelFileDoc {
  kernel: string;
  description?: string;
  base: string;
  apply?: string[];
  revert?: string[];
}

export function checkKernelFile(source: SourceFile, doc: KernelFileDoc): Diagnostic[] {
  const out: Diagnostic[] = [];
  const want = fileId(source.file);
  if (typeof doc.kernel === 'string') {
    if (doc.kernel !== want) out.push(source.error(['kernel'], `kernel name "${doc.kernel}" does not match the file name (expected "${want}")`));
    else if (findProfile(doc.kernel)) out.push(source.error(['kernel'], `kernel name "${doc.kernel}" is a built-in profile; a user profile needs a name of its own`));
  }
  if (typeof doc.base === 'string') out.push(...profileDiagnostic(source, doc.base, ['base']));
  for (const which of ['apply', 'revert'] as const) {
    (doc[which] ?? []).forEach((id, i) => {
      if (typeof id === 'string') out.push(...behaviourDiagnostic(source, id, [which, i]));
    });
  }
  return out;
}

export function toUserProfile(doc: KernelFileDoc): UserProfile {
  return {
    name: doc.kernel,
    base: doc.base,
    ...(doc.apply ? { apply: [...doc.apply] } : {}),
    ...(doc.revert ? { revert: [...doc.revert] } : {}),
    ...(doc.description !== undefined ? { note: doc.description } : {}),
  };
}

/** the kernel names a suite document mentions (top level, scenarios, known-bad) */
export function kernelNames(doc: unknown): string[] {
  const names = new Set<string>();
  const add = (k: unknown): void => {
    if (typeof k === 'string') names.add(k);
    else if (k && typeof k === 'object' && typeof (k as { base?: unknown }).base === 'string') names.add((k as { base: string }).base);
  };
  const d = doc as { kernels?: unknown; scenarios?: unknown } | null;
  if (!d || typeof d !== 'object') return [];
  if (Array.isArray(d.kernels)) d.kernels.forEach(add);
  if (Array.isArray(d.scenarios)) {
    for (const sc of d.scenarios as Array<{ kernels?: unknown; 'known-bad'?: unknown } | null>) {
      if (!sc || typeof sc !== 'object') continue;
      if (Array.isArray(sc.kernels)) sc.kernels.forEach(add);
      if (Array.isArray(sc['known-bad'])) for (const kb of sc['known-bad'] as Array<{ kernel?: unknown } | null>) add(kb?.kernel);
    }
  }
  return [...names];
}
