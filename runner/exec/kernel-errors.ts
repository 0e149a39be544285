// The kernel-error list a board farm greps every console for. Any line carrying one
// of these fails the run, except lines the scenario itself asserts on (a scenario
// that expects "BUG: Bad page state" is not failed by the BUG: rule for those lines).

import type { Pos } from '../dsl/plan.js';
import type { LogLine } from '../model/api.js';
import type { AssertionResult } from '../report/result.js';
import type { Matcher } from './patterns.js';
import { citeLine } from './lines.js';

export const KERNEL_ERRORS: readonly string[] = ['Oops', 'BUG:', 'WARNING:', 'Kernel panic', 'Unable to handle kernel'];

/** Lines an expect block vouches for: its window and its positive patterns. */
export interface Vouch {
  from: number;
  to: number;
  matchers: Matcher[];
}

const MAX_CITED = 5;

/**
 * One failed result per error keyword seen on a line nobody vouched for.
 * A scan of plain substring tests; vouching is only consulted for error lines.
 */
export function evalKernelErrors(log: readonly LogLine[], vouches: readonly Vouch[], pos: Pos, out: AssertionResult[]): void {
  let hits: number[][] | undefined;
  for (let i = 0; i < log.length; i++) {
    const text = log[i]!.text;
    for (let k = 0; k < KERNEL_ERRORS.length; k++) {
      if (!text.includes(KERNEL_ERRORS[k]!)) continue;
      if (vouched(text, i, vouches)) break;
      hits ??= KERNEL_ERRORS.map(() => []);
      hits[k]!.push(i);
    }
  }
  if (!hits) return;
  // in log order: the first error line is usually the cause, the later ones its echo
  const order = KERNEL_ERRORS.map((_, k) => k).filter((k) => hits![k]!.length > 0);
  order.sort((a, b) => hits![a]![0]! - hits![b]![0]!);
  for (const k of order) {
    const lines = hits[k]!;
    const kw = KERNEL_ERRORS[k]!;
    const details = lines.slice(0, MAX_CITED).map((i) => citeLine(log, i));
    if (lines.length > MAX_CITED) details.push(`... and ${lines.length - MAX_CITED} more`);
    details.push(`the scenario does not expect it; list the line in an expect (log/count) if it is intended, or set checks: off`);
    out.push({
      kind: 'kernel-error',
      ok: false,
      pos,
      message: `kernel error: "${kw}" on ${lines.length} line${lines.length === 1 ? '' : 's'}, first at line ${lines[0]! + 1}`,
      wanted: `no line containing "${kw}"`,
      found: log[lines[0]!]!.text,
      details,
      lines,
    });
  }
}

function vouched(text: string, i: number, vouches: readonly Vouch[]): boolean {
  for (const v of vouches) {
    if (i < v.from || i >= v.to) continue;
    for (const m of v.matchers) if (m.test(text)) return true;
  }
  return false;
}
