// One scaling measurement in a fresh process, so its peak RSS is its own:
//   node dist/bench/scale-child.js <scale|chain> <N> [kernel] [once]
// Prints one JSON line: { kind, n, ms (CPU), wallMs, bootMs, checkMs, bound, devices, checks, logLines,
// peakRssMB, baseRssMB }.
//
// Boards of 1,000 and 100 devices run first so module loading and the JIT's compiles are
// not part of the figure (growth ratios compare algorithms, not warm-up); the measured run
// is a boot of a fresh kernel on the board plus the bring-up checks (every device's state,
// kernel.checks()). Up to 1,000 devices a sample is the mean of a batch of boots (10,000
// devices' worth: 10 boots of 1,000, 100 of 100), the figure the median of 15 samples; above,
// one boot a sample, the median of 5. A batch because a boot of 1,000 devices allocates about
// a third of the young generation: one boot in two or three pays for a scavenge of the
// boots before it, so single boots read 2.1 or 3.5-7 ms and their median fell on either
// mode from one run to the next (growth 100 -> 1,000 read 9.6x and 17x on the same code);
// a batch pays its own share of the collections. With `once`: one 1,000-device boot, then
// one measured boot, for the time and peak RSS of a lone process.

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
  /** every repetition's CPU milliseconds (ms is their median) */
  samples: number[];
  peakRssMB: number;
  /** RSS after the warm-up, before the measured board was generated */
  baseRssMB: number;
}


function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function boardFor(kind: 'scale' | 'chain', n: number): ModelBoard {
  return kind === 'scale' ? syntheticBoard({ devices: n }) : chainBoard(n);
}

function bringUp(kind: 'scale' | 'chain', board: ModelBoard, kernel: string): Omit<ScaleResult, 'peakRssMB' | 'baseRssMB' | 'n' | 'kind' | 'kernel' | 'samples'> {
  const profile = resolveKernel(kernel);
  // no forced gc() between runs: a full collection and a pause before each boot left the
  // next one several times slower in CPU time (the heap shrunk, helper threads still busy)
  // than in a process that boots board after board; the garbage of earlier runs is
  // collected as a runner's would be, within the runs
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

/** bringUp() `batch` times: the last one's counts, the mean of the times */
function batchMean(kind: 'scale' | 'chain', board: ModelBoard, kernel: string, batch: number): ReturnType<typeof bringUp> {
  let ms = 0;
  let wallMs = 0;
  let bootMs = 0;
  let checkMs = 0;
  let last: ReturnType<typeof bringUp> | undefined;
  for (let i = 0; i < batch; i++) {
    last = bringUp(kind, board, kernel);
    ms += last.ms;
    wallMs += last.wallMs;
    bootMs += last.bootMs;
    checkMs += last.checkMs;
  }
  return { ...last!, ms: ms / batch, wallMs: wallMs / batch, bootMs: bootMs / batch, checkMs: checkMs / batch };
}

/** a boot and the checks, untimed, without the pause bringUp takes */
function warmUp(kind: 'scale' | 'chain', board: ModelBoard, kernel: string): void {
  const k = createKernel(board, resolveKernel(kernel));
  k.perform({ op: 'boot', hold: [] });
  for (const d of board.devices) k.device(d.name);
  k.checks();
}

function main(argv: string[]): void {
  const kind = argv[0] === 'chain' ? 'chain' : 'scale';
  const n = Number(argv[1] ?? 100);
  const kernel = argv[2] ?? 'v6.15';
  const once = argv[3] === 'once';
  const warm = boardFor(kind, 1000);
  if (once) {
    // what one user sees: a process that loads the model, boots a 1,000-device board, then
    // the measured one once; its peak RSS is this board's
    warmUp(kind, warm, kernel);
  } else {
    // growth compares algorithms in a warm process: one 1,000-device boot left the small
    // sizes half in the interpreter (a 100-device figure 4x its warm value), and the JIT
    // keeps improving a 1,000-device boot for tens of runs: 1.5 s of CPU, alternating
    const small = boardFor(kind, 100);
    const w0 = cpuMs();
    for (let i = 0; i < 10 || cpuMs() - w0 < 1500; i++) {
      warmUp(kind, warm, kernel);
      for (let j = 0; j < 5; j++) warmUp(kind, small, kernel);
    }
  }
  const baseRssMB = process.memoryUsage().rss / 2 ** 20;
  const board = boardFor(kind, n);
  const reps = once ? 1 : n <= 1000 ? 15 : 5;
  const batch = once || n > 1000 ? 1 : Math.max(1, Math.round(10_000 / n));
  const all = Array.from({ length: reps }, () => batchMean(kind, board, kernel, batch));
  const samples = all.map((x) => x.ms);
  const r = all.sort((a, b) => a.ms - b.ms)[reps >> 1]!;
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const out: ScaleResult = { kind, n, kernel, ...r, samples, peakRssMB, baseRssMB };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main(process.argv.slice(2));
