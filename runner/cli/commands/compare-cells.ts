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
    put(cell: Cell, run: PlanRun, r: RunResult): void;
  };
}

export async function runCell(cell: Cell, opts: CellOptions = {}): Promise<CellResult> {
  const { executeAll } = await import('../../exec/run-all.js');
  const { compilePattern } = await import('../../exec/patterns.js');
  const t0 = Date.now();
  let n = 0;
  const model = await executeAll(cell.runs, { target: 'model', keepLog: true, onResult: (r) => opts.onResult?.('model', cell, r, ++n) });
  const target = opts.realTarget
    ? await opts.realTarget(cell)
    : (await import('../../exec/targets/qemu/index.js')).createQemuTarget({ ...(cell.line ? { kernel: cell.line } : {}), reuse: true });
  // a run id names one run of a cell (for-each expands ids), so results map back by id
  let m = 0;
  const cached = cell.runs.map((run) => opts.realCache?.get(cell, run));
  const todo = cell.runs.filter((_, i) => cached[i] === undefined);
  for (const r of cached) if (r) opts.onResult?.('qemu', cell, r, ++m);
  let fresh: RunResult[] = [];
  if (todo.length) {
    try {
      fresh = await executeAll(todo, {
        target,
        keepLog: true,
        onResult: (r) => {
          const run = todo.find((x) => x.id === r.id);
          if (run && r.status !== 'SKIP' && r.status !== 'ERROR') opts.realCache?.put(cell, run, r);
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
  const res: CellResult = { cell, row: cellRow(cell.board, cell.kernel, cell.profile, comparisons, (Date.now() - t0) / 1000), comparisons, disagreements, model, real };
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
