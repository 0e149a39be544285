// The printk ring: records stamped by a virtual clock. local_clock() reads 0 until the
// scheduler clock runs (the banner lines); then each record costs printk's own work and, on a
// board with a serial console, the time the UART takes to send it — printk writes the line out
// before it returns, so the next record is stamped that much later. Thread 000's D06 trace lines
// advance by (15 + length + 2) × 86.8 µs + ~4 µs: "[%5lu.%06lu] ", the text and "\r\n" at
// 115200 baud (10 bits a character). The clock depends only on what was printed, so the same
// run prints the same bytes.

import type { LogLine } from '../api.js';
import { COPY, type CopyMap } from '../snapshot.js';

/** what one record costs printk itself (vprintk_store, the console lock), in ns */
export const PRINTK_RECORD_NS = 4_000;

/** the console speed a board has unless it says otherwise */
export const DEFAULT_CONSOLE_BAUD = 115_200;

/**
 * Records one run may print. No scenario comes near it; a model bug that loops while
 * printing hits it and ends the run as a JavaScript error (the runner's `# ERROR`)
 * instead of exhausting memory.
 */
export const PRINTK_MAX_LINES = 1_000_000;

/** length of "[%5lu.%06lu] " for a timestamp */
function prefixLength(usec: number): number {
  // "%5lu": five digits until a boot passes 99999 s (no string built on the hot path)
  if (usec < 100_000_000_000) return 15;
  return String(Math.floor(usec / 1_000_000)).length + 10;
}

export class Printk {
  readonly lines: LogLine[] = [];
  /** the virtual clock in ns */
  private ns = 0;
  /** sched_clock runs: the banner turns it off for its own lines (stamped 0, costing nothing) */
  running = true;
  /** ns the console UART takes per character (0: no serial console) */
  private charNs: number;

  constructor(consoleBaud: number = DEFAULT_CONSOLE_BAUD) {
    this.charNs = consoleBaud > 0 ? Math.round(10e9 / consoleBaud) : 0;
  }

  /** the clock in µs, as printk stamps it */
  get usec(): number {
    return Math.floor(this.ns / 1000);
  }

  /**
   * One record; `console` false for a level the console does not print (KERN_DEBUG with the
   * default console_loglevel 7): it costs only printk's own work.
   */
  emit(text: string, console = true): void {
    if (this.lines.length >= PRINTK_MAX_LINES) throw new Error(`model runaway: more than ${PRINTK_MAX_LINES} printk records in one run`);
    const usec = this.running ? Math.floor(this.ns / 1000) : 0;
    this.lines.push({ usec, text });
    if (!this.running) return;
    this.ns += PRINTK_RECORD_NS;
    if (console && this.charNs > 0) this.ns += (prefixLength(usec) + text.length + 2) * this.charNs;
  }

  /** a multi-line block (oops, WARN) printed record by record */
  block(texts: readonly string[]): void {
    for (const t of texts) this.emit(t);
  }

  advance(usec: number): void {
    this.ns += usec * 1000;
  }

  [COPY](m: CopyMap): Printk {
    const c = m.set(this, new Printk(0));
    // a record is never changed once printed: the copy shares them (one copy of the array)
    (c as { lines: LogLine[] }).lines = this.lines.slice();
    c.ns = this.ns;
    c.running = this.running;
    c.charNs = this.charNs;
    return c;
  }
}
