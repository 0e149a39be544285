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

/** A profile defined in a YAML file (kernels/<name>.yaml): a built-in one plus changes. */
export interface UserProfile extends KernelSpec {
  name: string;
  note?: string;
}

// The user profiles the DSL loader found for the files it is loading; the model itself
// only ever sees the resolved behaviour set.
const USER = new Map<string, UserProfile>();

export function setUserProfile(p: UserProfile): void {
  USER.set(p.name, p);
  BY_NAME.clear();
}

/** names of user profile files that failed their checks: a suite naming one is told so */
const BROKEN = new Map<string, string>();

export function setBrokenUserProfile(name: string, file: string): void {
  BROKEN.set(name, file);
}

export function brokenUserProfile(name: string): string | undefined {
  return BROKEN.get(name);
}

export function clearUserProfiles(): void {
  USER.clear();
  BROKEN.clear();
  BY_NAME.clear();
}

/**
 * The profiles resolved by name (a suite names the same few over and over: its checks and
 * its compile resolve each once per scenario and run), until the user profiles change.
 * Frozen and shared: the runs of one kernel then share one profile object too.
 */
const BY_NAME = new Map<string, ResolvedProfile>();

export function userProfiles(): UserProfile[] {
  return [...USER.values()];
}

export function knownProfilesText(): string {
  return [...PROFILES.map((p) => p.name), ...USER.keys()].join(', ');
}

export function knownBehavioursText(): string {
  return BEHAVIOURS.map((b) => b.id).join(', ');
}

/** ` (did you mean "v6.16"?)` for a version-like name with a nearest existing profile */
export function nearestProfileHint(name: string): string {
  const near = nearestProfile(name);
  return near && near !== name ? ` (did you mean "${near}"?)` : '';
}

/** apply, then revert, the spec's ids on the set; the label grows with each as written */
function change(set: Set<string>, label: string, spec: KernelSpec): string {
  // the label keeps the spelling the suite used (an alias stays an alias), the set the id
  (spec.apply ?? []).forEach((id, i) => {
    const canon = canonicalBehaviour(id);
    if (!canon) throw new UnknownKernelError(`unknown behaviour "${id}" (known: ${knownBehavioursText()})`, 'apply', i);
    set.add(canon);
    label += `+${id}`;
  });
  (spec.revert ?? []).forEach((id, i) => {
    const canon = canonicalBehaviour(id);
    if (!canon) throw new UnknownKernelError(`unknown behaviour "${id}" (known: ${knownBehavioursText()})`, 'revert', i);
    set.delete(canon);
    label += `-${id}`;
  });
  return label;
}

export function resolveKernel(ref: KernelRef): ResolvedProfile {
  if (typeof ref !== 'string') return resolveSpec(ref);
  let r = BY_NAME.get(ref);
  if (!r) {
    r = Object.freeze(resolveSpec({ base: ref }));
    BY_NAME.set(ref, r);
  }
  return r;
}

function resolveSpec(spec: KernelSpec): ResolvedProfile {
  const user = findProfile(spec.base) ? undefined : USER.get(spec.base);
  if (user) {
    // a user profile is its own set; a reference may still apply or revert on top
    const own = resolveKernel({ base: user.base, apply: user.apply ?? [], revert: user.revert ?? [] });
    const set = new Set(own.behaviours);
    const name = change(set, user.name, spec);
    return { name, base: own.base, behaviours: Object.freeze(BEHAVIOURS.map((b) => b.id).filter((id) => set.has(id))) };
  }
  const base = findProfile(spec.base);
  if (!base) {
    throw new UnknownKernelError(`unknown kernel profile "${spec.base}"${nearestProfileHint(spec.base)} (known: ${knownProfilesText()})`, 'profile', 0);
  }
  const set = new Set(base.behaviours);
  const name = change(set, base.name, spec);
  // keep the table's order so the set prints the same way every time; frozen, so a kernel
  // finds its switch tables by the list's identity (ctx.ts) instead of joining ~50 ids
  const behaviours = Object.freeze(BEHAVIOURS.map((b) => b.id).filter((id) => set.has(id)));
  return { name, base: base.name, behaviours };
}
