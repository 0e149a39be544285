// Turn a kernel reference — a profile name or { base, apply, revert } — into the
// behaviour set the model runs with. Unknown ids are reported with the known ones.

import type { ResolvedProfile } from '../types.js';
import { BEHAVIOURS, canonicalBehaviour } from './behaviours.js';
import { PROFILES, findProfile, nearestProfile } from './profiles.js';

export interface KernelSpec {
  base: string;
  apply?: string[];
  revert?: string[];
}

export type KernelRef = string | KernelSpec;

export class UnknownKernelError extends Error {
  constructor(
    message: string,
    /** which part was wrong, for positioned diagnostics */
    readonly field: 'profile' | 'apply' | 'revert',
    readonly index: number,
  ) {
    super(message);
  }
}

export function knownProfilesText(): string {
  return PROFILES.map((p) => p.name).join(', ');
}

export function knownBehavioursText(): string {
  return BEHAVIOURS.map((b) => b.id).join(', ');
}

/** ` (did you mean "v6.16"?)` for a version-like name with a nearest existing profile */
export function nearestProfileHint(name: string): string {
  const near = nearestProfile(name);
  return near && near !== name ? ` (did you mean "${near}"?)` : '';
}

export function resolveKernel(ref: KernelRef): ResolvedProfile {
  const spec: KernelSpec = typeof ref === 'string' ? { base: ref } : ref;
  const base = findProfile(spec.base);
  if (!base) {
    throw new UnknownKernelError(`unknown kernel profile "${spec.base}"${nearestProfileHint(spec.base)} (known: ${knownProfilesText()})`, 'profile', 0);
  }
  const set = new Set(base.behaviours);
  let name = base.name;
  // the label keeps the spelling the suite used (an alias stays an alias), the set the id
  (spec.apply ?? []).forEach((id, i) => {
    const canon = canonicalBehaviour(id);
    if (!canon) {
      throw new UnknownKernelError(`unknown behaviour "${id}" (known: ${knownBehavioursText()})`, 'apply', i);
    }
    set.add(canon);
    name += `+${id}`;
  });
  (spec.revert ?? []).forEach((id, i) => {
    const canon = canonicalBehaviour(id);
    if (!canon) {
      throw new UnknownKernelError(`unknown behaviour "${id}" (known: ${knownBehavioursText()})`, 'revert', i);
    }
    set.delete(canon);
    name += `-${id}`;
  });
  // keep the table's order so the set prints the same way every time
  const behaviours = BEHAVIOURS.map((b) => b.id).filter((id) => set.has(id));
  return { name, base: base.name, behaviours };
}
