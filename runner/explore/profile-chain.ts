// The kernels bisect walks and builds. The mainline chain is the release profiles in order
// (v4.11 … v7.3, with the release candidates that are profiles), each carrying every
// behaviour of the one before: bisect binary-searches it first, as syzbot walks releases
// before it bisects commits. LTS lines and linux-next snapshots are off the chain (a
// snapshot is a release plus some later commits, not a point between two releases).
// Between two profiles, a combination is { base, apply, revert } written as its label.
//
// Pure: the profile table decides everything.

import { BEHAVIOURS } from '../model/profiles/behaviours.js';
import { PROFILES, findProfile, type Profile } from '../model/profiles/profiles.js';
import type { ResolvedProfile } from '../model/types.js';

const MAINLINE = /^v\d+\.\d+(?:-rc\d+)?$/;
const ORDER = new Map(BEHAVIOURS.map((b, i) => [b.id, i]));

/** Behaviour ids in the table's order (the order labels and answers print in). */
export function tableOrder(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (ORDER.get(a) ?? Infinity) - (ORDER.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
}

function onChain(k: ResolvedProfile): boolean {
  const p = findProfile(k.name);
  return p !== undefined && MAINLINE.test(p.name) && sameSet(p.behaviours, k.behaviours);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return a.length === b.length && b.every((x) => s.has(x));
}

function contains(big: readonly string[], small: readonly string[]): boolean {
  const s = new Set(big);
  return small.every((x) => s.has(x));
}

/**
 * The mainline profiles from `from` to `to`, both included, in walking order (either
 * direction) — or undefined when either is off the chain, or the chain between them is
 * not a growing sequence of behaviour sets (then there is nothing to binary-search).
 */
export function chainBetween(from: ResolvedProfile, to: ResolvedProfile): Profile[] | undefined {
  if (!onChain(from) || !onChain(to)) return undefined;
  const chain = PROFILES.filter((p) => MAINLINE.test(p.name));
  const i = chain.findIndex((p) => p.name === from.name);
  const j = chain.findIndex((p) => p.name === to.name);
  const slice = i <= j ? chain.slice(i, j + 1) : chain.slice(j, i + 1).reverse();
  const older = i <= j ? slice : [...slice].reverse();
  for (let k = 1; k < older.length; k++) if (!contains(older[k]!.behaviours, older[k - 1]!.behaviours)) return undefined;
  return slice;
}

export function resolvedOf(p: Profile): ResolvedProfile {
  return { name: p.name, base: p.name, behaviours: [...p.behaviours] };
}

/**
 * The kernel with these behaviours on `base`'s release: named `base+apply-revert` against
 * the base profile's own set, as resolveKernel names a { base, apply, revert } reference.
 */
export function combination(base: string, behaviours: Iterable<string>): ResolvedProfile {
  const want = new Set(behaviours);
  const baseSet = new Set(findProfile(base)?.behaviours ?? []);
  const apply = tableOrder([...want].filter((b) => !baseSet.has(b)));
  const revert = tableOrder([...baseSet].filter((b) => !want.has(b)));
  const name = base + apply.map((b) => `+${b}`).join('') + revert.map((b) => `-${b}`).join('');
  return { name, base, behaviours: tableOrder(want) };
}
