// Running board × kernel cells on the model and on a real kernel (`bringup compare
// --real-kernel`, `npm run conformance`). A cell is one board on one Debian kernel line: its
// runs execute on the model with the line's profile, then on the real kernel in QEMU, one guest
// reused across the cell's runs. Cells run concurrently (each is one guest at a time).

import type { PlanRun } from '../../dsl/plan.js';
import type { RunResult } from '../../report/result.js';
import type { Target } from '../../exec/target.js';
import type { AgreementRow, Disagreement, RunComparison } from './agreement.js';
import { cellRow, compareRun, firstDifference } from './agreement.js';

export interface Cell {
  board: string;
  /** the Debian kernel line the qemu target boots; undefined = the target's default kernel */
  line?: string;
  /** the label of the real kernel in the table */
  kernel: string;
  profile: string;
  runs: PlanRun[];
}

export interface CellResult {
  cell: Cell;
  row: AgreementRow;
  comparisons: RunComparison[];
  disagreements: Disagreement[];
  /** why the real kernel did not run at all (every run SKIP) */
  skipped?: string;
  /** real runs taken from the cache with no record of how long they took (not in row.seconds) */
  untimed: number;
  model: RunResult[];
  real: RunResult[];
}

export interface CellOptions {
  /** explain a verdict disagreement (conformance/explained.json); '' when unknown */
  why?: (d: Omit<Disagreement, 'why' | 'first'>, c: RunComparison) => string;
  onResult?: (target: string, cell: Cell, r: RunResult, done: number) => void;
  /** a qemu Target for the cell (tests inject a fake); default: createQemuTarget({ kernel: line, reuse: true }) */
  realTarget?: (cell: Cell) => Promise<Target>;
  /**
   * Real-kernel results kept between invocations: a run found here is not booted again. What
   * a real kernel does depends on the run and the kernel, not on the model, so a model change
   * re-measures agreement without QEMU.
   */
  realCache?: {
    get(cell: Cell, run: PlanRun): RunResult | undefined;
    /** `seconds`: the run's wall time on the real kernel (its share of the guest's boot included) */
    put(cell: Cell, run: PlanRun, r: RunResult, seconds: number): void;
    /** the wall time put() recorded for a cached run: a cell's seconds are what measuring it took */
    seconds?(cell: Cell, run: PlanRun): number | undefined;
  };
}

export async function runCell(cell: Cell, opts: CellOptions = {}): Promise<CellResult> {
  const { executeAll } = await import('../../exec/run-all.js');
  const { compilePattern } = await import('../../exec/patterns.js');
  const t0 = Date.now();
  let n = 0;
  const model = await executeAll(cell.runs, { target: 'model', keepLog: true, onResult: (r) => opts.onResult?.('model', cell, r, ++n) });
  let seconds = (Date.now() - t0) / 1000;
  let untimed = 0;
  const target = opts.realTarget
    ? await opts.realTarget(cell)
    : (await import('../../exec/targets/qemu/index.js')).createQemuTarget({ ...(cell.line ? { kernel: cell.line } : {}), reuse: true });
  // a run id names one run of a cell (for-each expands ids), so results map back by id
  let m = 0;
  const cached = cell.runs.map((run) => opts.realCache?.get(cell, run));
  const todo = cell.runs.filter((_, i) => cached[i] === undefined);
  cell.runs.forEach((run, i) => {
    const r = cached[i];
    if (!r) return;
    const s = opts.realCache?.seconds?.(cell, run);
    if (s === undefined) untimed++;
    else seconds += s;
    opts.onResult?.('qemu', cell, r, ++m);
  });
  let fresh: RunResult[] = [];
  if (todo.length) {
    // one guest runs the cell's runs one after another: a run's wall time is the time since
    // the previous result (the first one's includes the boot)
    let last = Date.now();
    try {
      fresh = await executeAll(todo, {
        target,
        keepLog: true,
        onResult: (r) => {
          const now = Date.now();
          const s = (now - last) / 1000;
          last = now;
          seconds += s;
          const run = todo.find((x) => x.id === r.id);
          if (run && r.status !== 'SKIP' && r.status !== 'ERROR') opts.realCache?.put(cell, run, r, s);
          opts.onResult?.('qemu', cell, r, ++m);
        },
      });
    } finally {
      await target.dispose?.();
    }
  }
  let k = 0;
  const real: RunResult[] = cached.map((r) => r ?? fresh[k++]!);
  const comparisons = cell.runs.map((run, i) => compareRun(run, model[i]!, real[i]!, compilePattern));
  const disagreements: Disagreement[] = [];
  for (const c of comparisons) {
    if (c.agree || c.real.status === 'SKIP' || c.model.status === 'SKIP') continue;
    const d = { board: cell.board, kernel: cell.kernel, scenario: c.run.scenario, model: c.model.status, real: c.real.status };
    disagreements.push({ ...d, why: opts.why?.(d, c) ?? '', first: firstDifference(c) });
  }
  const skipped = real.length && real.every((r) => r.status === 'SKIP') ? real[0]!.reason ?? 'skipped' : undefined;
  const res: CellResult = { cell, row: cellRow(cell.board, cell.kernel, cell.profile, comparisons, seconds), comparisons, disagreements, model, real, untimed };
  if (skipped !== undefined) res.skipped = skipped;
  return res;
}

/** Run cells, at most `concurrency` at a time (each holds one guest); results in cell order. */
export async function runCells(cells: readonly Cell[], concurrency: number, opts: CellOptions = {}): Promise<CellResult[]> {
  const out: CellResult[] = new Array(cells.length);
  let next = 0;
  const worker = async () => {
    while (next < cells.length) {
      const i = next++;
      out[i] = await runCell(cells[i]!, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cells.length)) }, worker));
  return out;
}
