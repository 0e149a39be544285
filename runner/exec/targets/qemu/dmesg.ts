// Parsing the guest's `dmesg` (busybox: "[    3.315546] text" per line) into LogLines, and
// cleaning what the serial console adds around command output.

import type { LogLine } from '../../../model/api.js';

const STAMPED = /^\[\s*(\d+)\.(\d{1,9})\]\s?(.*)$/;

/** Timestamp → microseconds, exactly (no float rounding): "3.315546" → 3315546. */
export function stampToUsec(secs: string, frac: string): number {
  const micro = (frac + '000000').slice(0, 6);
  return Number(secs) * 1_000_000 + Number(micro);
}

/**
 * One LogLine per printed line. A line without a timestamp continues the record before it
 * (multi-line printk without per-line prefix); it becomes its own LogLine with the previous
 * timestamp, so patterns still match it line by line. Lines before the first timestamp are
 * dropped (the console can carry a stray prompt).
 */
export function parseDmesg(text: string): LogLine[] {
  const out: LogLine[] = [];
  let last: number | undefined;
  for (const raw of cleanConsole(text).split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (line === '') continue;
    const m = STAMPED.exec(line);
    if (m) {
      last = stampToUsec(m[1]!, m[2]!);
      out.push({ usec: last, text: m[3]! });
    } else if (last !== undefined) {
      out.push({ usec: last, text: line.trimStart() });
    }
  }
  return out;
}

/** Strip CRs, terminal escape sequences (ash's cursor query "ESC[6n") and other C0 controls. */
export function cleanConsole(text: string): string {
  return text
    .replace(/\r/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

/** Kernel-log-looking lines on the console itself (what a dying guest printed at loglevel 1). */
export function consoleKernelLines(text: string): LogLine[] {
  return parseDmesg(
    cleanConsole(text)
      .split('\n')
      .filter((l) => STAMPED.test(l.trim()))
      .map((l) => l.trim())
      .join('\n'),
  );
}

/** The taint letters of /proc/sys/kernel/tainted, in flag order as print_tainted() names them (G omitted). */
const TAINT_LETTERS = 'PFSRMBUDAWCIOELKXTNJ';

export function taintLetters(mask: number, ignore = 0): string {
  let s = '';
  const m = mask & ~ignore;
  for (let bit = 0; bit < TAINT_LETTERS.length; bit++) if (m & (1 << bit)) s += TAINT_LETTERS[bit];
  return s;
}

/** TAINT_OOT_MODULE (O) | TAINT_UNSIGNED_MODULE (E): what loading the harness's own probetest sets. */
export const HARNESS_TAINT = (1 << 12) | (1 << 13);
