// `npm run bench:explore`: what `bringup explore` costs and what its reductions save.
//
//   node dist/bench/explore.js [--quick] [--only seed,reduction,growth] [--no-write]
//
// seed       per shipped board, on its story's buggy profile (else the newest), with the
//            default bounds (dfs, depth 2, four errnos, unbind): executions/s (run to the
//            end), runs/s (executions + runs cut at an explored state) and distinct states/s,
//            per CPU second of this process, warm (the median of repeated searches after 2 s
//            of untimed ones; the cold first search's time is in the row too).
// reduction  on the three largest boards (devices + IOMMUs): executions of naive enumeration
//            (--no-reduce) against the reduced search at depth 2, and that both reach the same
//            set of titles.
// growth     synthetic boards of 10, 100 and 1,000 devices (bench/lib.ts syntheticBoard) at
//            depth 1, one errno, no unbind: CPU time, executions and time per execution; the
//            1,000-device search is cut by a budget (its full size is projected from the
//            number of choice points).
//
// Writes bench/explore-results.json. Figures are CPU time: the machine is shared.

import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadBoards, resolveKernelLabel } from '../runner/dsl/index.js';
import { NEWEST_PROFILE } from '../runner/model/profiles/profiles.js';
import type { ModelBoard } from '../runner/model/index.js';
import { explore, type ExploreResult } from '../runner/explore/explore.js';
import { defaultOptions, type ExploreOptions } from '../runner/explore/options.js';
import { defaultExecution } from '../runner/explore/search.js';
import { growthExponent, syntheticBoard } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** the profile each seed board's story is buggy on */
const STORY_KERNEL: Record<string, string> = {
  'salvator-x-h3': 'v5.0',
  'taishan-2280-d05': 'v5.0',
  'huawei-d06': 'v5.1',
  'salvator-xs-m3n': 'v6.15-rc1',
  'odroid-m1': 'next-20250312',
  'mt8183-juniper': 'v6.15-rc1',
  'prime-x470-pro': 'next-20250312',
  'sc8180x-primus': 'next-20240430',
  'salvator-x-h3-32bit-bus': 'v4.20-rc1',
  'lager-r8a7790': 'v4.12-rc1',
};

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * One search, timed in a warm process (as the model's own throughput bench measures it: the
 * first search of a board runs largely before the JIT has compiled the model, and a small
 * board's search is over in 10 ms): untimed searches until `warmUp` seconds of CPU (default
 * WARM_UP_SECONDS) went by, then at least `repeat` timed ones and at least 0.5 s of them;
 * the median. The warm-up was 0.5 s until 2026-12-03: the first search of huawei-d06 alone
 * takes ~0.4 s of it and its next ones are still compiling (~0.3 s each, against a 0.04 s
 * steady state), so its "warm" figure measured V8's warm-up and swung 8k-13k between runs.
 * The machine is shared and a single search's time swings 2x with the load; the median of
 * many is what holds still. The cold first search's time is returned too (the row's
 * coldCpuSeconds). `repeat` 0: the cold search alone.
 */
const WARM_UP_SECONDS = 2;

async function measure(board: ModelBoard, kernel: string, o: Partial<ExploreOptions> = {}, repeat = 5, warmUp = WARM_UP_SECONDS): Promise<{ r: ExploreResult; cpu: number; cold: number }> {
  const opts = { ...defaultOptions(), ...o };
  const t = [{ board, profile: resolveKernelLabel(kernel) }];
  let t0 = cpuSeconds();
  let r = await explore(t, opts);
  const cold = cpuSeconds() - t0;
  if (repeat === 0) return { r, cpu: cold, cold };
  for (let spent = cold; spent < warmUp; ) {
    t0 = cpuSeconds();
    r = await explore(t, opts);
    spent += cpuSeconds() - t0;
  }
  const times: number[] = [];
  for (let spent = 0; times.length < repeat || spent < 0.5; ) {
    t0 = cpuSeconds();
    r = await explore(t, opts);
    const dt = cpuSeconds() - t0;
    times.push(dt);
    spent += dt;
  }
  times.sort((a, b) => a - b);
  return { r, cpu: times[Math.floor(times.length / 2)]!, cold };
}

function rate(n: number, s: number): number {
  return s > 0 ? Math.round(n / s) : 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { quick: { type: 'boolean' }, only: { type: 'string' }, 'no-write': { type: 'boolean' } } });
  const only = new Set((values.only ?? 'seed,reduction,growth').split(','));
  const boards = loadBoards([path.join(ROOT, 'boards')]).boards.map((b) => b.board);
  const out: Record<string, unknown> = { node: process.version, date: new Date().toISOString().slice(0, 10), warmUpSeconds: WARM_UP_SECONDS };
  const lines: string[] = [];

  if (only.has('seed')) {
    const rows = [];
    for (const b of boards) {
      const kernel = STORY_KERNEL[b.id] ?? NEWEST_PROFILE;
      const { r, cpu, cold } = await measure(b, kernel);
      const row = {
        board: b.id,
        kernel,
        coldCpuSeconds: Math.round(cold * 100) / 100,
        executions: r.stats.executions,
        pruned: r.stats.pruned,
        states: r.stats.states,
        cpuSeconds: Math.round(cpu * 100) / 100,
        executionsPerSec: rate(r.stats.executions, cpu),
        runsPerSec: rate(r.stats.executions + r.stats.pruned, cpu),
        statesPerSec: rate(r.stats.states, cpu),
        findings: r.findings.length,
        complete: r.stats.complete,
      };
      rows.push(row);
      lines.push(`seed ${b.id.padEnd(26)} ${kernel.padEnd(14)} ${String(row.executions).padStart(6)} exec ${String(row.pruned).padStart(6)} pruned ${String(row.states).padStart(6)} states ${row.cpuSeconds.toFixed(2).padStart(6)} s  ${String(row.executionsPerSec).padStart(6)} exec/s ${String(row.runsPerSec).padStart(6)} runs/s ${String(row.statesPerSec).padStart(6)} states/s`);
      process.stderr.write(lines[lines.length - 1] + '\n');
    }
    out['seed'] = rows;
  }

  if (only.has('reduction')) {
    const largest = [...boards].sort((a, b) => b.devices.length + b.iommus.length - (a.devices.length + a.iommus.length) || (a.id < b.id ? -1 : 1)).slice(0, 3);
    const rows = [];
    for (const b of largest) {
      const kernel = STORY_KERNEL[b.id] ?? NEWEST_PROFILE;
      const naive = await measure(b, kernel, { reduce: false }, 0);
      const reduced = await measure(b, kernel, {}, 0);
      const same = JSON.stringify(naive.r.findings.map((f) => f.title)) === JSON.stringify(reduced.r.findings.map((f) => f.title));
      const row = {
        board: b.id,
        kernel,
        devices: b.devices.length + b.iommus.length,
        naiveExecutions: naive.r.stats.executions,
        reducedExecutions: reduced.r.stats.executions,
        reducedPruned: reduced.r.stats.pruned,
        ratio: Math.round((naive.r.stats.executions / Math.max(1, reduced.r.stats.executions)) * 10) / 10,
        ratioCountingPruned: Math.round((naive.r.stats.executions / Math.max(1, reduced.r.stats.executions + reduced.r.stats.pruned)) * 10) / 10,
        naiveCpuSeconds: Math.round(naive.cold * 100) / 100,
        reducedCpuSeconds: Math.round(reduced.cold * 100) / 100,
        sameTitles: same,
      };
      rows.push(row);
      lines.push(`reduction ${b.id.padEnd(26)} ${kernel.padEnd(12)} naive ${row.naiveExecutions} / reduced ${row.reducedExecutions} (+${row.reducedPruned} pruned) = ${row.ratio}x (${row.ratioCountingPruned}x counting pruned runs), same titles: ${same}`);
      process.stderr.write(lines[lines.length - 1] + '\n');
    }
    out['reduction'] = rows;
  }

  if (only.has('growth')) {
    const rows = [];
    const o: Partial<ExploreOptions> = { depth: 1, faults: [-12], unbind: false };
    for (const n of values.quick ? [10, 100] : [10, 100, 1000]) {
      const b = syntheticBoard({ devices: n });
      const points = defaultExecution({ board: b, profile: resolveKernelLabel('v6.15') }, { ...defaultOptions(), ...o }).nodes.length;
      const budget = n >= 1000 ? 300 : undefined;
      // a 1,000-device search is seconds long: the old half-second warm-up
      const { r, cpu } = await measure(b, 'v6.15', { ...o, ...(budget ? { budget } : {}) }, 1, 0.5);
      const runs = r.stats.executions + r.stats.pruned;
      const perRunMs = (cpu * 1000) / Math.max(1, runs);
      const row = {
        devices: n,
        choicePoints: points,
        runs,
        complete: r.stats.complete,
        cpuSeconds: Math.round(cpu * 100) / 100,
        msPerRun: Math.round(perRunMs * 1000) / 1000,
        // a complete depth-1 search runs about once per point past the first
        projectedCpuSeconds: Math.round(((points + 1) * perRunMs) / 10) / 100,
      };
      rows.push(row);
      lines.push(`growth ${String(n).padStart(5)} devices: ${points} points, ${runs} runs${row.complete ? '' : ' (cut by budget)'}, ${row.cpuSeconds} s, ${row.msPerRun} ms/run, full search ~${row.projectedCpuSeconds} s`);
      process.stderr.write(lines[lines.length - 1] + '\n');
    }
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1]!;
      const b = rows[i]!;
      lines.push(`growth ${a.devices}->${b.devices}: time per run x${(b.msPerRun / a.msPerRun).toFixed(1)}, full search exponent ${growthExponent(a.devices, a.projectedCpuSeconds, b.devices, b.projectedCpuSeconds).toFixed(2)}`);
    }
    out['growth'] = rows;
  }

  out['summary'] = lines;
  process.stdout.write(lines.join('\n') + '\n');
  if (!values['no-write']) writeFileSync(path.join(ROOT, 'bench', 'explore-results.json'), JSON.stringify(out, null, 2) + '\n');
}

void readdirSync;
main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
