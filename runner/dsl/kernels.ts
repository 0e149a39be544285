// Kernel references of a suite, checked with positions and resolved to the model's
// profiles. A "label" is how a resolved kernel prints ("v6.14+bcb81ac6ae3c").

import { BEHAVIOUR_NAMES } from '../model/profiles/behaviours.js';
import { PROFILES, findProfile, nearestProfile } from '../model/profiles/profiles.js';
import { brokenUserProfile, nearestProfileHint, resolveKernel, UnknownKernelError, userProfiles, type KernelRef } from '../model/profiles/resolve.js';
import type { ResolvedProfile } from '../model/types.js';
import type { Diagnostic } from './diagnostic.js';
import type { KernelDoc } from './doc-types.js';
import type { DataPath, SourceFile } from './source.js';
import { didYouMean } from './suggest.js';

const PROFILE_NAMES = PROFILES.map((p) => p.name);

/** The likely intended name, else the whole (short) list of names. */
function hintOrList(name: string, known: string[]): string {
  return didYouMean(name, known) || ` (known: ${known.join(', ')})`;
}

/** A version-like profile name gets the nearest existing newer profile, and always the list. */
function profileHint(name: string): string {
  const known = [...PROFILE_NAMES, ...userProfiles().map((p) => p.name)];
  const near = nearestProfileHint(name) || didYouMean(name, known);
  return `${near} (known: ${known.join(', ')})`;
}

/** a base that must be a built-in profile (a user profile file's `base:`) */
export function profileDiagnostic(source: SourceFile, name: string, at: DataPath): Diagnostic[] {
  if (findProfile(name)) return [];
  return [source.error(at, `unknown kernel profile "${name}"${profileHint(name)}`)];
}

export function kernelDiagnostics(source: SourceFile, k: KernelDoc, at: DataPath): Diagnostic[] {
  try {
    resolveKernel(k as KernelRef);
    return [];
  } catch (e) {
    if (!(e instanceof UnknownKernelError)) throw e;
    if (e.field === 'profile') {
      const name = typeof k === 'string' ? k : k.base;
      const p = typeof k === 'string' ? at : [...at, 'base'];
      const broken = brokenUserProfile(name);
      if (broken) return [source.error(p, `kernel profile "${name}" is defined in ${broken}, which has errors`)];
      return [source.error(p, `unknown kernel profile "${name}"${profileHint(name)}`)];
    }
    const id = typeof k === 'string' ? '' : (k[e.field] ?? [])[e.index]!;
    return [source.error([...at, e.field, e.index], `unknown behaviour "${id}"${hintOrList(id, [...BEHAVIOUR_NAMES.keys()])}`)];
  }
}

/** The label a kernel reference resolves to, or undefined when it does not resolve. */
export function kernelLabel(k: KernelDoc): string | undefined {
  try {
    return resolveKernel(k as KernelRef).name;
  } catch {
    return undefined;
  }
}

export function behaviourDiagnostic(source: SourceFile, id: string, at: DataPath): Diagnostic[] {
  if (BEHAVIOUR_NAMES.has(id)) return [];
  return [source.error(at, `unknown behaviour "${id}"${hintOrList(id, [...BEHAVIOUR_NAMES.keys()])}`)];
}

export class KernelLabelError extends Error {}

/**
 * A kernel named on the command line: a profile name or a label such as
 * "v6.14+bcb81ac6ae3c-8b80549f1bc6" (the profile, then +apply / -revert behaviour ids).
 */
export function resolveKernelLabel(label: string): ResolvedProfile {
  const base = [...PROFILE_NAMES, ...userProfiles().map((p) => p.name)].sort((a, b) => b.length - a.length).find((p) => label === p || label.startsWith(p + '+') || label.startsWith(p + '-'));
  if (!base) throw new KernelLabelError(`unknown kernel "${label}"${profileHint(label)}`);
  const apply: string[] = [];
  const revert: string[] = [];
  let rest = label.slice(base.length);
  // behaviour ids may contain '-', so take the longest id that fits at each step
  const ids = [...BEHAVIOUR_NAMES.keys()].sort((a, b) => b.length - a.length);
  while (rest) {
    const sign = rest[0];
    const id = ids.find((i) => rest.slice(1) === i || rest.slice(1).startsWith(i + '+') || rest.slice(1).startsWith(i + '-'));
    // "v6.15-rc3" is a version the list lacks, not v6.15 minus a behaviour
    if (!id && nearestProfile(label)) throw new KernelLabelError(`unknown kernel "${label}"${profileHint(label)}`);
    if (!id || (sign !== '+' && sign !== '-')) throw new KernelLabelError(`unknown behaviour in kernel "${label}" at "${rest}" (\`bringup kernels\` lists them)`);
    (sign === '+' ? apply : revert).push(id);
    rest = rest.slice(1 + id.length);
  }
  return resolveKernel({ base, apply, revert });
}
