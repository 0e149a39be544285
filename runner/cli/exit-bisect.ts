// `bringup run --exit-code bisect`: git bisect run's convention instead of kselftest's, so
// `git bisect run bringup run SUITE --target qemu --exit-code bisect` drives a kernel tree.
// git reads 0 as good, 1-127 except 125 as bad, 125 as "cannot test this commit: skip".

import type { Totals } from '../report/result.js';

export const EXIT_CODE_MODES = ['kselftest', 'bisect'] as const;
export type ExitCodeMode = (typeof EXIT_CODE_MODES)[number];

/** git bisect's "skip": the commit could not be tested (invalid input, an error, nothing ran). */
export const BISECT_SKIP = 125;

/**
 * A failure is "bad" whether or not a known-bad entry expected it (XFAIL: the bug is there);
 * an XPASS is "good" (the bug is not). Without a failure, an error or a run where nothing
 * but skips ran means the commit could not be tested.
 */
export function bisectExitCode(t: Totals): 0 | 1 | 125 {
  if (t.fail + t.xfail > 0) return 1;
  if (t.error > 0 || t.pass + t.xpass === 0) return BISECT_SKIP;
  return 0;
}

/** `--exit-code bisect` anywhere in argv (read before parsing, so a usage error maps too). */
export function bisectRequested(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--exit-code=bisect' || (a === '--exit-code' && argv[i + 1] === 'bisect'));
}
