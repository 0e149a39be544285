// `npm run bench`: model throughput, CLI cost, scaling and the deferred-probe worst case,
// printed as one table with a PASS/MISS per target and written to bench/results.json.
//
//   node dist/bench/main.js [--quick] [--only throughput,cli,scale,chain] [--sizes 100,1000]
//                           [--timeout SECONDS] [--no-write]
//
// Nothing here is a test: figures depend on the machine, so `npm test` never times
// anything (test/bench checks the pure helpers only).

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNumber, formatTable, growthExponent, median, ratio, type Row, verdict } from './lib.js';
import { cpuMs, measureBoard, runOnce, seedScenarios, timedBatch, type ThroughputResult } from './throughput.js';
import type { ScaleResult } from './scale-child.js';
import { PROFILES } from '../runner/model/profiles/profiles.js';
import { resolveKernel } from '../runner/model/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST_BENCH = path.join(ROOT, 'dist', 'bench');
const CLI = path.join(ROOT, 'dist', 'runner', 'cli', 'main.js');

export const TARGETS = {
  runsPerSec: { cmp: '>=', limit: 10_000 },
  cliOverheadMs: { cmp: '<=', limit: 150 },
  boot10kMs: { cmp: '<', limit: 1000 },
  growth10x: { cmp: '<=', limit: 12 },
  rss10kMB: { cmp: '<', limit: 200 },
  chain10kMs: { cmp: '<', limit: 2000 },
} as const;

interface Options {
  quick: boolean;
  only: Set<string>;
  sizes: number[];
  timeoutSec: number;
  write: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      sizes: { type: 'string' },
      timeout: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
  });
  return {
    quick: values.quick ?? false,
    only: new Set((values.only ?? 'throughput,cli,scale,chain').split(',').map((s) => s.trim())),
    sizes: (values.sizes ?? '100,1000,10000').split(',').map(Number),
    timeoutSec: Number(values.timeout ?? 120),
    write: !values['no-write'],
  };
}

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

// ---------------------------------------------------------------------------------
// 1. model throughput

/** The newest of these profile names in release order (the newest profile for none). */
function newestKernel(names: readonly string[]): string {
  const order = PROFILES.map((p) => p.name);
  const known = names.filter((n) => order.includes(n));
  if (!known.length) return order[order.length - 1]!;
  return known.reduce((a, b) => (order.indexOf(b) > order.indexOf(a) ? b : a));
}

const TP = 'model throughput (runs/s, 1 core, warm; slowest of boot, unbind/bind, fail-probe, late-IOMMU)';

async function throughput(o: Options, rows: Row[]): Promise<unknown> {
  const dsl = await import('../runner/dsl/index.js');
  const loaded = dsl.loadBoards([path.join(ROOT, 'boards')]);
  if (dsl.hasErrors(loaded.diagnostics)) throw new Error(dsl.formatDiagnostics(loaded.diagnostics));
  // each board on the newest kernel the shipped suites pair it with (else the newest profile)
  const suites = dsl.loadSuites([path.join(ROOT, 'suites')]);
  const plan = dsl.compileSuites(suites.suites);
  const results: ThroughputResult[] = [];
  const boards = [...loaded.boards]
    .sort((x, y) => x.id.localeCompare(y.id))
    .map((b) => {
      const runs = plan.filter((r) => r.board.id === b.id);
      const base = newestKernel(runs.map((r) => r.kernel.base));
      return { b, profile: runs.find((r) => r.kernel.base === base)?.kernel ?? resolveKernel(base) };
    });
  // warm the JIT on every board and scenario first, so the first board measured is not
  // also the one that pays for compiling the model's hot paths
  log('throughput warm-up');
  for (const { b, profile } of boards) {
    for (const sc of seedScenarios(b.board)) timedBatch((i) => void runOnce(b.board, profile, sc.variants[i % sc.variants.length]!), o.quick ? 20 : 60);
  }
  for (const { b, profile } of boards) {
    const kernel = profile.name;
    log(`throughput ${b.id} (${kernel})`);
    const rs = measureBoard(b.board, profile, o.quick ? { batches: 3, batchMs: 80 } : { batches: 5, batchMs: 200 });
    results.push(...rs);
    // the board's figure is its slowest scenario; the note has all four
    const slowest = rs.reduce((a, r) => (r.runsPerSec < a.runsPerSec ? r : a));
    const each = rs.map((r) => `${r.scenario} ${formatNumber(r.runsPerSec)}`).join(', ');
    rows.push({ section: TP, name: `${b.id} (${kernel})`, value: slowest.runsPerSec, unit: 'runs/s', note: `slowest of: ${each}`, target: TARGETS.runsPerSec });
  }
  // the same shipped suites through the runner's executeRun (assertions included): context
  const { executeSequential } = await import('../runner/exec/run-all.js');
  const { loadTarget } = await import('../runner/exec/targets/index.js');
  const target = await loadTarget('model');
  const runs = plan;
  const rates: number[] = [];
  const batches = o.quick ? 3 : 5;
  const ms = o.quick ? 100 : 300;
  for (let i = 0; i < 3; i++) await executeSequential(runs, target, {}); // warm-up
  for (let b = 0; b < batches; b++) {
    let n = 0;
    const t0 = cpuMs();
    while (cpuMs() - t0 < ms) {
      await executeSequential(runs, target, {});
      n += runs.length;
    }
    rates.push((n * 1000) / (cpuMs() - t0));
  }
  const execRate = median(rates);
  rows.push({ section: TP, name: `shipped suites via executeRun`, value: execRate, unit: 'runs/s', note: `${runs.length} runs, assertions included (context)` });
  return { scenarios: results, executeRun: { runsPerSec: execRate, batches: rates, runs: runs.length } };
}

// ---------------------------------------------------------------------------------
// 2. CLI cost

/** exit statuses seen per command line (a failing suite still costs the same to run) */
const exitCodes = new Map<string, Set<number | null>>();
const CPU_HOOK = path.join(DIST_BENCH, 'cpu-hook.js');

/** Wall and CPU milliseconds of `node <args>` (CPU as reported by the preloaded hook). */
type CliPhases = Record<string, { cpu: number; wall: number }>;

function spawnCost(args: string[]): { wall: number; cpu: number; phases?: CliPhases } {
  const t0 = performance.now();
  // BRINGUP_TIMINGS: `bringup run` prints its own phase times on stderr (runner/cli/timings.ts)
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { cwd: ROOT, env: { ...process.env, BRINGUP_TIMINGS: '1' }, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  // 1 = a run failed, 4 = nothing ran: still a complete `bringup run`
  if (r.status === null || ![0, 1, 4].includes(r.status)) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}`);
  const key = args.join(' ');
  if (!exitCodes.has(key)) exitCodes.set(key, new Set());
  exitCodes.get(key)!.add(r.status);
  const cpu = Number(String(r.output[3] ?? '').trim()) / 1000;
  const m = /^bringup: timings (.*)$/m.exec(String(r.stderr ?? ''));
  return m ? { wall, cpu, phases: JSON.parse(m[1]!) as CliPhases } : { wall, cpu };
}

interface Phases {
  node: number;
  imports: number;
  schemaCompile: number;
  yamlParse: number;
  checkCompile: number;
  execution: number;
  reporting: number;
  total: number;
  runs: number;
}

async function cli(o: Options, rows: Row[]): Promise<unknown> {
  const reps = o.quick ? 3 : 5;
  const cmds: Record<'bare' | 'version' | 'run', string[]> = { bare: ['-e', '0'], version: [CLI, '--version'], run: [CLI, 'run'] };
  const wall = { bare: [] as number[], version: [] as number[], run: [] as number[] };
  const cpu = { bare: [] as number[], version: [] as number[], run: [] as number[] };
  log(`CLI: ${reps} rounds of node -e 0 / bringup --version / bringup run`);
  // one warm-up round (file cache), then interleaved rounds so load drifts hit all three
  for (const k of ['bare', 'version', 'run'] as const) spawnCost(cmds[k]);
  const runPhases: CliPhases[] = [];
  for (let i = 0; i < reps; i++) {
    for (const k of ['bare', 'version', 'run'] as const) {
      const c = spawnCost(cmds[k]);
      wall[k].push(c.wall);
      cpu[k].push(c.cpu);
      if (k === 'run' && c.phases) runPhases.push(c.phases);
    }
  }
  const b = median(wall.bare);
  const v = median(wall.version);
  const r = median(wall.run);
  const cb = median(cpu.bare);
  const cv = median(cpu.version);
  const cr = median(cpu.run);
  const S = 'CLI cost (median of wall time; CPU time in the notes)';
  const codes = [...(exitCodes.get(`${CLI} run`) ?? [])].join('/');
  rows.push({ section: S, name: 'node -e 0', value: b, unit: 'ms', note: `cpu ${formatNumber(cb)} ms` });
  rows.push({ section: S, name: 'bringup --version', value: v, unit: 'ms', note: `${ratio(v, b).toFixed(2)}x bare node; cpu ${formatNumber(cv)} ms, ${ratio(cv, cb).toFixed(2)}x` });
  rows.push({ section: S, name: 'bringup run (all shipped suites)', value: r, unit: 'ms', note: `${ratio(r, b).toFixed(2)}x bare node, ${ratio(r, v).toFixed(2)}x --version; cpu ${formatNumber(cr)} ms, ${ratio(cr, cb).toFixed(2)}x / ${ratio(cr, cv).toFixed(2)}x; exit ${codes}` });
  rows.push({ section: S, name: 'run overhead over bare node', value: r - b, unit: 'ms', note: `cpu ${formatNumber(cr - cb)} ms`, target: TARGETS.cliOverheadMs });

  if (runPhases.length) {
    const names: [string, string][] = [
      ['start-up', 'start-up (node, main, run command)'],
      ['load', 'load (YAML, schemas, checks, plan)'],
      ['execution', 'execution'],
      ['reporting', 'reporting'],
    ];
    for (const [k, name] of names) {
      const c = median(runPhases.map((p) => p[k]?.cpu ?? NaN));
      const w = median(runPhases.map((p) => p[k]?.wall ?? NaN));
      rows.push({ section: 'bringup run phases (BRINGUP_TIMINGS=1, CPU, median)', name, value: c, unit: 'ms', note: `wall ${formatNumber(w)} ms` });
    }
  }

  const phases: Phases[] = [];
  for (let i = 0; i < reps; i++) {
    const p = spawnSync(process.execPath, [path.join(DIST_BENCH, 'phases-child.js'), 'suites'], { cwd: ROOT, encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`phases-child: ${p.stderr}`);
    phases.push(JSON.parse(p.stdout) as Phases);
  }
  const med = (k: keyof Phases) => median(phases.map((p) => p[k]));
  const names: [keyof Phases, string][] = [
    ['node', 'node start-up'],
    ['imports', 'module imports (dsl, exec, report, model)'],
    ['schemaCompile', 'schema compile (ajv)'],
    ['yamlParse', 'YAML parse (all shipped files)'],
    ['checkCompile', 'validate + semantic checks + plan'],
    ['execution', 'execution (model)'],
    ['reporting', 'reporting (TAP)'],
  ];
  for (const [k, name] of names) rows.push({ section: 'finer split (CPU, a fresh process calling the APIs bringup run calls, median)', name, value: med(k), unit: 'ms', ...(k === 'execution' ? { note: `${phases[0]!.runs} runs` } : {}) });
  return { reps, wallMs: wall, cpuMs: cpu, runPhases, medians: { bare: b, version: v, run: r, cpuBare: cb, cpuVersion: cv, cpuRun: cr }, overheadMs: r - b, cpuOverheadMs: cr - cb, phases };
}

// ---------------------------------------------------------------------------------
// 3./4. scaling and the deferred chain, one child process per size

function child(kind: 'scale' | 'chain', n: number, timeoutSec: number): ScaleResult | { kind: string; n: number; timedOut: true; ms: number } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, ['--expose-gc', path.join(DIST_BENCH, 'scale-child.js'), kind, String(n)], { cwd: ROOT, encoding: 'utf8', timeout: timeoutSec * 1000, killSignal: 'SIGKILL' });
  if (p.error && (p.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { kind, n, timedOut: true, ms: performance.now() - t0 };
  if (p.status !== 0) throw new Error(`scale-child ${kind} ${n}: ${p.stderr}`);
  return JSON.parse(p.stdout) as ScaleResult;
}

function scaling(kind: 'scale' | 'chain', o: Options, rows: Row[]): unknown {
  const S = kind === 'scale' ? 'scaling (synthetic boards, 16 arm-smmu-v3, boot + checks, own process)' : 'deferred-probe chain (device i waits for i+1)';
  const out: Array<ReturnType<typeof child>> = [];
  for (const n of o.sizes) {
    log(`${kind} ${n}`);
    const r = child(kind, n, o.timeoutSec);
    out.push(r);
    const big = n === 10_000;
    if ('timedOut' in r) {
      rows.push({ section: S, name: `${n} devices: time (CPU)`, value: Infinity, unit: 'ms', note: `killed after ${o.timeoutSec} s`, ...(big ? { target: kind === 'scale' ? TARGETS.boot10kMs : TARGETS.chain10kMs } : {}) });
      continue;
    }
    const note = `wall ${formatNumber(r.wallMs)} ms; bound ${r.bound}/${r.devices}, ${r.checks} check failures, ${r.logLines} log lines`;
    rows.push({ section: S, name: `${n} devices: time (CPU)`, value: r.ms, unit: 'ms', note, ...(big ? { target: kind === 'scale' ? TARGETS.boot10kMs : TARGETS.chain10kMs } : {}) });
    rows.push({ section: S, name: `${n} devices: peak RSS`, value: r.peakRssMB, unit: 'MB', note: `${r.baseRssMB.toFixed(0)} MB before the board`, ...(big && kind === 'scale' ? { target: TARGETS.rss10kMB } : {}) });
  }
  // growth per 10x step
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1]!;
    const b = out[i]!;
    if (b.n !== a.n * 10) continue;
    const ta = 'timedOut' in a ? Infinity : a.ms;
    const tb = 'timedOut' in b ? Infinity : b.ms;
    const g = ratio(tb, ta);
    rows.push({
      section: S,
      name: `growth ${a.n} -> ${b.n} devices`,
      value: g,
      unit: 'x',
      note: Number.isFinite(g) ? `exponent ${growthExponent(a.n, ta, b.n, tb).toFixed(2)}` : '',
      ...(kind === 'scale' ? { target: TARGETS.growth10x } : {}),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const rows: Row[] = [];
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    loadavg: os.loadavg(),
    quick: o.quick,
  };
  if (o.only.has('throughput')) results['throughput'] = await throughput(o, rows);
  if (o.only.has('cli')) results['cli'] = await cli(o, rows);
  if (o.only.has('scale')) results['scale'] = scaling('scale', o, rows);
  if (o.only.has('chain')) results['chain'] = scaling('chain', o, rows);
  results['loadavgAfter'] = os.loadavg();
  results['rows'] = rows.map((r) => ({ ...r, verdict: verdict(r) || undefined }));
  const load = (os.loadavg()[0] ?? 0).toFixed(1);
  const table = `bringup bench — node ${process.version}, ${os.availableParallelism()} cores (${results['cpu'] as string}), load average ${load}${o.quick ? ', --quick' : ''}\n` +
    'times are CPU time of the measured process (the machine is shared: wall time in the notes), except the CLI wall-time rows\n' + formatTable(rows);
  results['table'] = table;
  process.stdout.write(table);
  if (o.write) writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
