// Log formats and a few mechanisms follow the kernel release a profile is based on,
// not a single commit: the profile's position in the chronological profile list
// decides them. Behaviour ids (MODEL.md) decide everything that is a named change.

import { PROFILES, findProfile } from '../profiles/profiles.js';

const INDEX = new Map(PROFILES.map((p, i) => [p.name, i]));

export function profileIndex(name: string): number {
  const i = INDEX.get(name);
  if (i === undefined) throw new Error(`unknown profile ${name}`);
  return i;
}

/** The `uname -r` string the oops/WARN header prints for a profile. */
export function utsRelease(base: string, label: string): string {
  const applied = label !== base ? '+' : '';
  const lts = findProfile(base)?.uts;
  if (lts) return `${lts}${applied}`;
  const m = /^v(\d+)\.(\d+)(?:-(rc\d+))?$/.exec(base);
  if (m) return `${m[1]}.${m[2]}.0${m[3] ? `-${m[3]}` : ''}${applied}`;
  const n = /^next-(\d{8})$/.exec(base);
  if (n) {
    // a linux-next snapshot reports the release it sits on
    const prev = PROFILES[profileIndex(base) - 1]!.name;
    const pm = /^v(\d+)\.(\d+)/.exec(prev)!;
    return `${pm[1]}.${pm[2]}.0-next-${n[1]}${applied}`;
  }
  return base;
}
