// How diagnostics cite a log line: its 1-based number and its printk timestamp,
// the two things a person greps a saved dmesg for.

import type { LogLine } from '../model/api.js';
import { formatLogLine } from '../model/api.js';

export function stamp(line: LogLine): string {
  const secs = Math.floor(line.usec / 1_000_000);
  const usecs = line.usec % 1_000_000;
  return `[${String(secs).padStart(5, ' ')}.${String(usecs).padStart(6, '0')}]`;
}

/** "line 12 [    0.000120]" */
export function lineRef(log: readonly LogLine[], index: number): string {
  return `line ${index + 1} ${stamp(log[index]!)}`;
}

/** "line 12 [    0.000120] text" */
export function citeLine(log: readonly LogLine[], index: number): string {
  return `line ${index + 1} ${formatLogLine(log[index]!)}`;
}

/** The last `n` lines of log[0, to), formatted as dmesg prints them. */
export function tail(log: readonly LogLine[], n: number, to: number = log.length): string[] {
  const out: string[] = [];
  for (let i = Math.max(0, to - n); i < to; i++) out.push(formatLogLine(log[i]!));
  return out;
}
