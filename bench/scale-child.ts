// One scaling measurement in a fresh process, so its peak RSS is its own:
//   node dist/bench/scale-child.js <scale|chain> <N> [kernel]
// Prints one JSON line: { kind, n, ms (CPU), wallMs, bootMs, checkMs, bound, devices, checks, logLines,
// peakRssMB, baseRssMB }.
//
// A 1,000-device board runs first so module loading and the JIT's first compiles are not
// part of the figure (growth ratios compare algorithms, not warm-up); the measured run is
// a boot of a fresh kernel on the board plus the bring-up checks (every device's state,
// kernel.checks()): the median of 9 for sizes up to 1,000, a single run above.

import { createKernel, resolveKernel } from '../runner/model/index.js';
import type { ModelBoard } from '../runner/model/types.js';
import { chainBoard, syntheticBoard } from './lib.js';

export interface ScaleResult {
  kind: 'scale' | 'chain';
  n: number;
  kernel: string;
  /** boot + checks, CPU time of the process (user + system, all threads) */
  ms: number;
  /** boot + checks, wall time */
  wallMs: number;
  bootMs: number;
  checkMs: number;
  /** devices that ended bound (and, on the synthetic boards, in an IOMMU group) */
  bound: number;
  devices: number;
  /** kernel.checks() findings (0 expected) */
  checks: number;
  logLines: number;
  peakRssMB: number;
  /** RSS after the warm-up, before the measured board was generated */
  baseRssMB: number;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function boardFor(kind: 'scale' | 'chain', n: number): ModelBoard {
  return kind === 'scale' ? syntheticBoard({ devices: n }) : chainBoard(n);
}

function bringUp(kind: 'scale' | 'chain', board: ModelBoard, kernel: string): Omit<ScaleResult, 'peakRssMB' | 'baseRssMB' | 'n' | 'kind' | 'kernel'> {
  const profile = resolveKernel(kernel);
  // the garbage of the previous run is not this run's cost (the parent passes --expose-gc);
  // a short pause lets the GC's helper threads finish sweeping, as their CPU time counts
  (globalThis as { gc?: () => void }).gc?.();
  Atomics.wait(PAUSE, 0, 0, 20);
  const w0 = performance.now();
  const t0 = cpuMs();
  const k = createKernel(board, profile);
  k.perform({ op: 'boot', hold: [] });
  const t1 = cpuMs();
  let bound = 0;
  for (const d of board.devices) {
    const s = k.device(d.name);
    if (s?.bound && (kind === 'chain' || s.group !== null)) bound++;
  }
  const failures = k.checks();
  const t2 = cpuMs();
  const wallMs = performance.now() - w0;
  return { ms: t2 - t0, wallMs, bootMs: t1 - t0, checkMs: t2 - t1, bound, devices: board.devices.length, checks: failures.length, logLines: k.log.length };
}

function main(argv: string[]): void {
  const kind = argv[0] === 'chain' ? 'chain' : 'scale';
  const n = Number(argv[1] ?? 100);
  const kernel = argv[2] ?? 'v6.15';
  bringUp(kind, boardFor(kind, 1000), kernel);
  const baseRssMB = process.memoryUsage().rss / 2 ** 20;
  const board = boardFor(kind, n);
  const reps = n <= 1000 ? 9 : 1;
  const all = Array.from({ length: reps }, () => bringUp(kind, board, kernel));
  const r = all.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const out: ScaleResult = { kind, n, kernel, ...r, peakRssMB, baseRssMB };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main(process.argv.slice(2));
