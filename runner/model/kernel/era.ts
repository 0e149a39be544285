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

/**
 * driver_deferred_probe_timeout's default with CONFIG_MODULES=y (drivers/base/dd.c), in
 * seconds; -1 waits forever, 0 gives up on optional suppliers once initcalls are done. Each
 * step is a behaviour (the history as Javier Martinez Canillas's "driver core: Disable driver
 * deferred probe timeout by default", 2022-11, tells it):
 *   25b4e70dcce9 (v4.19)     "driver core: allow stopping deferred probe after init": -1
 *   e2cec7d68537 (v5.7-rc1)  "... longer default if CONFIG_MODULES is set": 30
 *   ce68929f07de (v5.7-rc2)  "driver core: Revert default driver_deferred_probe_timeout value to 0": 0
 *   2b28a1a84a0e (v5.19-rc1) "driver core: Extend deferred probe timeout on driver registration": 10
 *   9be4cbd09da8 (v5.19)     "driver core: Set default deferred_probe_timeout back to 0.": 0
 *   f516d01b9df2 (v6.0-rc1)  Revert "driver core: Set default deferred_probe_timeout back to 0.": 10
 * Before v4.19 there is no timeout at all; -1 behaves the same (nothing fires).
 */
export function deferredProbeTimeoutDefault(k: { has(behaviour: string): boolean }): number {
  if (k.has('f516d01b9df2')) return 10;
  if (k.has('9be4cbd09da8')) return 0;
  if (k.has('2b28a1a84a0e')) return 10;
  if (k.has('ce68929f07de')) return 0;
  if (k.has('e2cec7d68537')) return 30;
  return -1;
}

/** The `uname -r` string the oops/WARN header prints for a profile. */
const UTS = new Map<string, string>();

export function utsRelease(base: string, label: string): string {
  const key = `${base}\n${label}`;
  let r = UTS.get(key);
  if (r === undefined) {
    r = utsReleaseOf(base, label);
    if (UTS.size >= 4096) UTS.clear();
    UTS.set(key, r);
  }
  return r;
}

function utsReleaseOf(base: string, label: string): string {
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
