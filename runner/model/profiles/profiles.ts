// The named kernels of MODEL.md. A mainline release carries every behaviour that landed up
// to it; a linux-next snapshot is a release plus exactly the listed commits; an LTS line
// (v6.1.y) is the release it branched from plus the fixes of this area backported to it,
// each tied to its stable commit in the behaviour table.

import { BEHAVIOURS } from './behaviours.js';

export interface Profile {
  name: string;
  /** a one-line note for `bringup kernels` */
  note: string;
  behaviours: readonly string[];
  /** what `uname -r` prints when the name is not itself a version (LTS lines) */
  uts?: string;
}

/** Release order used to decide which behaviours a release carries. */
const RELEASES: readonly string[] = [
  'v4.11', 'v4.12-rc1', 'v4.12', 'v4.13', 'v4.14', 'v4.15', 'v4.16', 'v4.17', 'v4.18', 'v4.19',
  'v4.20-rc1', 'v4.20', 'v5.0', 'v5.1', 'v5.2-rc1', 'v5.2', 'v5.3', 'v5.4', 'v5.5', 'v5.6', 'v5.7-rc1', 'v5.7-rc2', 'v5.7',
  'v5.8', 'v5.9', 'v5.10', 'v5.11', 'v5.12-rc1', 'v5.12', 'v5.13', 'v5.14', 'v5.15', 'v5.16', 'v5.17', 'v5.18',
  'v5.19-rc1', 'v5.19', 'v6.0-rc1', 'v6.0', 'v6.1', 'v6.2', 'v6.3', 'v6.4', 'v6.5', 'v6.6', 'v6.7', 'v6.8', 'v6.9',
  'v6.10-rc1', 'v6.10-rc3', 'v6.10', 'v6.11', 'v6.12', 'v6.13', 'v6.14', 'v6.15-rc1', 'v6.15-rc2',
  'v6.15', 'v6.16', 'v6.17', 'v6.18', 'v6.19', 'v7.0', 'v7.1', 'v7.2', 'v7.3',
];

/** The LTS lines users run: the release each branched from. */
export const LTS_LINES: readonly string[] = ['5.4', '5.10', '5.15', '6.1', '6.6', '6.12', '6.18'];

export function releaseIndex(release: string): number {
  const i = RELEASES.indexOf(release);
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

/** the numeric part of a stable release ("6.1.120" → 120) */
function sublevel(r: string): number {
  return Number(r.split('.')[2] ?? 0);
}

function lts(line: string): Profile {
  const base = `v${line}`;
  const mainline = new Set(upTo(base));
  const ported = BEHAVIOURS.filter((b) => !mainline.has(b.id) && b.backports?.some((p) => p.line === line));
  const ids = new Set([...mainline, ...ported.map((b) => b.id)]);
  const newest = Math.max(0, ...ported.flatMap((b) => b.backports!.filter((p) => p.line === line).map((p) => sublevel(p.release))));
  const via = ported.map((b) => `${b.id} as ${b.backports!.find((p) => p.line === line)!.commit}`).join(', ');
  return {
    name: `${base}.y`,
    note: `LTS ${line}.y: ${base} + backports${via ? ` (${via})` : ' (none of this area)'}`,
    behaviours: BEHAVIOURS.map((b) => b.id).filter((id) => ids.has(id)),
    uts: `${line}.${newest}`,
  };
}

function chronological(): Profile[] {
  const out: Profile[] = [];
  // release candidates stay out of the list unless a story needs them as profiles
  const rcProfiles = new Set(['v4.12-rc1', 'v4.20-rc1', 'v6.15-rc1']);
  for (const r of RELEASES) {
    if (r.includes('-rc') && !rcProfiles.has(r)) continue;
    out.push(release(r));
    const line = r.slice(1);
    if (LTS_LINES.includes(line)) out.push(lts(line));
    if (r === 'v6.9') out.push({ name: 'next-20240430', note: 'v6.9 + b67483b3c44e without 8b80549f1bc6', behaviours: [...upTo('v6.9'), 'b67483b3c44e'] });
    // the series went into linux-next together: its race fix (patch 1) and the probe-path move (patch 4)
    if (r === 'v6.14') out.push({ name: 'next-20250312', note: 'v6.14 + bcb81ac6ae3c (with its series\' b46064a18810), without 73d2f10957f5', behaviours: [...upTo('v6.14'), 'b46064a18810', 'bcb81ac6ae3c'] });
  }
  return out;
}

/**
 * Profiles in chronological order (an LTS line right after the release it branched
 * from, so era checks treat it as that release); the newest mainline one is the default.
 */
export const PROFILES: readonly Profile[] = chronological();

export const NEWEST_PROFILE = RELEASES[RELEASES.length - 1]!;

const BY_NAME = new Map(PROFILES.map((p) => [p.name, p]));

export function findProfile(name: string): Profile | undefined {
  return BY_NAME.get(name);
}

/** "v6.16", "6.16", "v6.15-rc3", "6.1.120" → [major, minor, rc (99 = final), stable] */
function versionKey(name: string): [number, number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+|y))?(?:-rc(\d+))?$/.exec(name.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), m[4] ? Number(m[4]) : 99, m[3] === undefined ? -1 : m[3] === 'y' ? 1e9 : Number(m[3])];
}

function cmp(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * The existing profile an unknown version name most likely means: a stable release
 * (6.1.120) → its LTS line; otherwise the nearest release at or after it, else the newest.
 */
export function nearestProfile(name: string): string | undefined {
  const key = versionKey(name);
  if (!key) return undefined;
  if (key[3] >= 0 && BY_NAME.has(`v${key[0]}.${key[1]}.y`)) return `v${key[0]}.${key[1]}.y`;
  const want: [number, number, number] = [key[0], key[1], key[2]];
  for (const p of PROFILES) {
    const k = versionKey(p.name);
    if (!k || k[3] >= 0) continue;
    if (cmp([k[0], k[1], k[2]], want) >= 0) return p.name;
  }
  return NEWEST_PROFILE;
}
