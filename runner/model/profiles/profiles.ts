// The named kernels of MODEL.md. A release carries every behaviour that landed up to
// it; the two linux-next snapshots are a release plus exactly the listed commits.

import { BEHAVIOURS } from './behaviours.js';

export interface Profile {
  name: string;
  /** a one-line note for `bringup kernels` */
  note: string;
  behaviours: readonly string[];
}

/** Release order used to decide which behaviours a release carries. */
const RELEASES = [
  'v4.11', 'v4.12-rc1', 'v4.12', 'v4.20-rc1', 'v4.20', 'v5.0', 'v5.1', 'v5.2-rc1', 'v5.2',
  'v5.14', 'v6.9', 'v6.10-rc1', 'v6.10', 'v6.14', 'v6.15-rc1', 'v6.15-rc2', 'v6.15',
] as const;

function releaseIndex(release: string): number {
  const i = (RELEASES as readonly string[]).indexOf(release);
  if (i < 0) throw new Error(`unknown release ${release}`);
  return i;
}

function upTo(release: string): string[] {
  const limit = releaseIndex(release);
  return BEHAVIOURS.filter((b) => releaseIndex(b.landed) <= limit).map((b) => b.id);
}

function release(name: string): Profile {
  return { name, note: `mainline ${name}`, behaviours: upTo(name) };
}

/** Profiles in chronological order; the last one is the default ("newest"). */
export const PROFILES: readonly Profile[] = [
  release('v4.11'),
  release('v4.12-rc1'),
  release('v4.12'),
  release('v4.20-rc1'),
  release('v4.20'),
  release('v5.0'),
  release('v5.1'),
  release('v5.2'),
  release('v5.14'),
  release('v6.9'),
  { name: 'next-20240430', note: 'v6.9 + b67483b3c44e without 8b80549f1bc6', behaviours: [...upTo('v6.9'), 'b67483b3c44e'] },
  release('v6.10'),
  release('v6.14'),
  { name: 'next-20250312', note: 'v6.14 + bcb81ac6ae3c alone', behaviours: [...upTo('v6.14'), 'bcb81ac6ae3c'] },
  release('v6.15-rc1'),
  release('v6.15'),
];

export const NEWEST_PROFILE = PROFILES[PROFILES.length - 1]!.name;

export function findProfile(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}
