// Progress on stderr, never stdout (stdout is the report). A TTY gets one live
// counter line; a log file gets one plain line per run. Either way the last line
// is the `N passed, N failed, N skipped` summary.

import type { RunResult, Totals } from './result.js';
import { addToTotals, emptyTotals, summaryLine } from './result.js';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  private done = 0;
  private readonly totals: Totals = emptyTotals();
  private lastDraw = 0;
  private readonly tty: boolean;
  private readonly width: number;

  constructor(
    private readonly total: number,
    private readonly out: ProgressStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = out.isTTY === true;
    this.width = String(total).length;
  }

  onResult(r: RunResult): void {
    this.done++;
    addToTotals(this.totals, r.status);
    if (this.quiet) return;
    if (this.tty) {
      const now = Date.now();
      // redraw at most ~20 times a second: a terminal write per run would dominate
      if (now - this.lastDraw < 50 && this.done < this.total) return;
      this.lastDraw = now;
      this.out.write(`\r\x1b[K[${String(this.done).padStart(this.width)}/${this.total}] ${summaryLine(this.totals)}`);
    } else {
      this.out.write(`[${String(this.done).padStart(this.width)}/${this.total}] ${r.status.padEnd(5)} ${r.label}\n`);
    }
  }

  finish(): Totals {
    if (this.tty && !this.quiet) this.out.write('\r\x1b[K');
    this.out.write(summaryLine(this.totals) + '\n');
    return this.totals;
  }
}
