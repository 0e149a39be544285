// Model throughput: scenario runs per CPU second (one core), per shipped board, in a warm
// process. A run is what the runner does per scenario on the model: a fresh kernel, the
// steps, every device's state and the built-in checks. The figure is the median of
// several timed batches after a warm-up batch.

import { createKernel, resolveKernel } from '../runner/model/index.js';
import type { ModelBoard, ModelStep, ResolvedProfile } from '../runner/model/types.js';
import { median, perSecond } from './lib.js';

export interface Scenario {
  name: string;
  /** one step list per run; runs cycle through them (e.g. one per device) */
  variants: ModelStep[][];
}

/** Devices a client driver claims, in board order. */
function clients(board: ModelBoard): string[] {
  return board.devices.filter((d) => d.driver !== undefined && d.status === 'okay' && d.present).map((d) => d.name);
}

/**
 * The four scenario shapes of the seed suites, derived from a board: boot; boot then
 * unbind/bind of each client; fail-probe (-ENOMEM) of each client then boot; boot with
 * the IOMMU drivers held, then their late registration.
 */
export function seedScenarios(board: ModelBoard): Scenario[] {
  const devs = clients(board);
  const iommuDrivers = [...new Set(board.iommus.filter((i) => i.status === 'okay').map((i) => i.driver))];
  const out: Scenario[] = [{ name: 'boot', variants: [[{ op: 'boot', hold: [] }]] }];
  if (devs.length) {
    out.push({
      name: 'unbind/bind',
      variants: devs.map((d) => [{ op: 'boot', hold: [] }, { op: 'unbind', device: d }, { op: 'bind', device: d }]),
    });
    out.push({
      name: 'fail-probe',
      variants: devs.map((d) => [{ op: 'fail-probe', device: d, errno: -12, times: 1 }, { op: 'boot', hold: [] }]),
    });
  }
  if (iommuDrivers.length) {
    const late: ModelStep[] = [{ op: 'boot', hold: iommuDrivers }];
    for (const i of board.iommus) if (i.status === 'okay') late.push({ op: 'register-iommu-late', iommu: i.name, driver: i.driver });
    out.push({ name: 'late-IOMMU', variants: [late] });
  }
  return out;
}

/** One run: what the model target does per scenario, minus the assertion engine. */
export function runOnce(board: ModelBoard, profile: ResolvedProfile, steps: readonly ModelStep[]): number {
  const k = createKernel(board, profile);
  for (const s of steps) k.perform(s);
  let bound = 0;
  for (const d of board.devices) if (k.device(d.name)?.bound) bound++;
  for (const i of board.iommus) k.iommu(i.name);
  k.taint();
  return bound + k.checks().length + k.log.length;
}

export interface ThroughputResult {
  board: string;
  kernel: string;
  scenario: string;
  runsPerSec: number;
  /** rates of the timed batches */
  batches: number[];
  /** log lines of one run (first variant), a sanity figure */
  logLines: number;
}

export interface ThroughputOptions {
  batches?: number;
  /** milliseconds per batch */
  batchMs?: number;
}

/** CPU time of this process (user + system) in milliseconds. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Run `fn` repeatedly for about `ms` milliseconds of this process's CPU time; runs per
 * CPU second. CPU time rather than wall time: other processes on the machine take wall
 * time, not this thread's CPU time, so the figure is the throughput of one core.
 */
export function timedBatch(fn: (i: number) => void, ms: number, clock: () => number = cpuMs): number {
  let n = 0;
  const t0 = clock();
  let now = t0;
  let chunk = 1;
  while (now - t0 < ms) {
    for (let i = 0; i < chunk; i++) fn(n + i);
    n += chunk;
    now = clock();
    if (now - t0 < ms / 20) chunk *= 2;
  }
  return perSecond(n, now - t0);
}

export function measureScenario(board: ModelBoard, profile: ResolvedProfile, sc: Scenario, opts: ThroughputOptions = {}): ThroughputResult {
  const batches = opts.batches ?? 5;
  const batchMs = opts.batchMs ?? 300;
  const v = sc.variants;
  let sink = 0;
  const fn = (i: number) => {
    sink += runOnce(board, profile, v[i % v.length]!);
  };
  timedBatch(fn, batchMs); // warm-up
  const rates: number[] = [];
  for (let b = 0; b < batches; b++) rates.push(timedBatch(fn, batchMs));
  const k = createKernel(board, profile);
  for (const s of v[0]!) k.perform(s);
  if (sink < 0) console.log(sink);
  return { board: board.id, kernel: profile.name, scenario: sc.name, runsPerSec: median(rates), batches: rates, logLines: k.log.length };
}

export function measureBoard(board: ModelBoard, kernel: string | ResolvedProfile, opts: ThroughputOptions = {}): ThroughputResult[] {
  const profile = typeof kernel === 'string' ? resolveKernel(kernel) : kernel;
  return seedScenarios(board).map((sc) => measureScenario(board, profile, sc, opts));
}
