// The printk ring: records with a virtual timestamp. The clock advances a fixed step
// per record (and jumps when a step waits), so the same run prints the same bytes.

import type { LogLine } from '../api.js';
import { COPY, type CopyMap } from '../snapshot.js';

/** microseconds the virtual clock advances per printk */
export const PRINTK_STEP_USEC = 1_237;

/**
 * Records one run may print. No scenario comes near it; a model bug that loops while
 * printing hits it and ends the run as a JavaScript error (the runner's `# ERROR`)
 * instead of exhausting memory.
 */
export const PRINTK_MAX_LINES = 1_000_000;

export class Printk {
  readonly lines: LogLine[] = [];
  usec = 0;

  emit(text: string): void {
    if (this.lines.length >= PRINTK_MAX_LINES) throw new Error(`model runaway: more than ${PRINTK_MAX_LINES} printk records in one run`);
    this.usec += PRINTK_STEP_USEC;
    this.lines.push({ usec: this.usec, text });
  }

  /** a multi-line block (oops, WARN) printed record by record */
  block(texts: readonly string[]): void {
    for (const t of texts) this.emit(t);
  }

  advance(usec: number): void {
    this.usec += usec;
  }

  [COPY](m: CopyMap): Printk {
    const c = m.set(this, new Printk());
    // a record is never changed once printed: the copy shares them
    c.lines.push(...this.lines);
    c.usec = this.usec;
    return c;
  }
}
