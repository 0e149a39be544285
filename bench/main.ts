// `npm run bench`: model throughput, CLI cost, scaling and the deferred-probe worst case,
// printed as one table with a PASS/MISS per target and written to bench/results.json.
//
//   node dist/bench/main.js [--quick] [--only throughput,cli,scale,chain] [--sizes 10,100,1000,10000]
//                           [--timeout SECONDS] [--no-write]
//
// Nothing here is a test: figures depend on the machine, so `npm test` never times
// anything (test/bench checks the pure helpers only).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNumber, formatTable, growthExponent, median, paired, ratio, type Row, spreadNote, type Target, verdict } from './lib.js';
import { cpuMs, measureBoard, runOnce, seedScenarios, timedBatch, type ThroughputResult } from './throughput.js';
import type { ScaleResult } from './scale-child.js';
import { PROFILES } from '../runner/model/profiles/profiles.js';
import { resolveKernel } from '../runner/model/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST_BENCH = path.join(ROOT, 'dist', 'bench');
const CLI = path.join(ROOT, 'dist', 'runner', 'cli', 'main.js');

// the targets of issue #19's "Done when"
export const TARGETS = {
  runsPerSec: { cmp: '>=', limit: 20_000 },
  runWarmMs: { cmp: '<=', limit: 150 },
  runColdMs: { cmp: '<=', limit: 400 },
  smallWarmMs: { cmp: '<=', limit: 60 },
  validateWarmMs: { cmp: '<=', limit: 100 },
  boot10kMs: { cmp: '<', limit: 500 },
  growth10x: { cmp: '<=', limit: 12 },
  rss10kMB: { cmp: '<', limit: 150 },
  chain10kMs: { cmp: '<', limit: 2000 },
} as const satisfies Record<string, Target>;

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
    sizes: (values.sizes ?? '10,100,1000,10000').split(',').map(Number),
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

const TP = 'model throughput (runs per CPU second, 1 core, warm; the slowest of boot, unbind/bind, fail-probe, late-IOMMU; median of the batches, min-max)';

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
    rows.push({ section: TP, name: `${b.id} (${kernel})`, value: slowest.runsPerSec, unit: 'runs/s', note: `${slowest.scenario}: ${spreadNote(slowest.batches)}; all: ${each}`, target: TARGETS.runsPerSec });
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
  rows.push({ section: TP, name: `shipped suites via executeRun`, value: execRate, unit: 'runs/s', note: `${spreadNote(rates)}; ${runs.length} runs, assertions included (context)` });
  return { scenarios: results, executeRun: { runsPerSec: execRate, batches: rates, runs: runs.length } };
}

// ---------------------------------------------------------------------------------
// 2. CLI cost

/** exit statuses seen per command line (a failing suite still costs the same to run) */
const exitCodes = new Map<string, Set<number | null>>();
const CPU_HOOK = path.join(DIST_BENCH, 'cpu-hook.js');
/** a two-run suite: what one small suite costs */
const SMALL_SUITE = 'suites/hisi-sas-probe-failure.yaml';

/** Wall and CPU milliseconds of `node <args>` (CPU as reported by the preloaded hook). */
type CliPhases = Record<string, { cpu: number; wall: number }>;

function spawnCost(args: string[], env: NodeJS.ProcessEnv = process.env): { wall: number; cpu: number; phases?: CliPhases } {
  const t0 = performance.now();
  // BRINGUP_TIMINGS: `bringup run` prints its own phase times on stderr (runner/cli/timings.ts)
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { cwd: ROOT, env: { ...env, BRINGUP_TIMINGS: '1' }, stdio: ['ignore', 'ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  // 1 = a run failed, 4 = nothing ran: still a complete `bringup run`
  if (r.status === null || ![0, 1, 4].includes(r.status)) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}: ${String(r.stderr).slice(0, 2000)}`);
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

interface CliCase {
  key: string;
  name: string;
  args: string[];
  target?: Target;
}

/** the commands held to the targets, each timed in pairs with `node -e 0` */
const CLI_CASES: readonly CliCase[] = [
  { key: 'run-warm', name: 'run, all shipped suites, warm', args: [CLI, 'run'], target: TARGETS.runWarmMs },
  { key: 'run-cold', name: 'run, all shipped suites, cold (--no-cache)', args: [CLI, 'run', '--no-cache'], target: TARGETS.runColdMs },
  { key: 'small-warm', name: `run ${path.basename(SMALL_SUITE)} (2 runs), warm`, args: [CLI, 'run', SMALL_SUITE], target: TARGETS.smallWarmMs },
  { key: 'small-cold', name: `run ${path.basename(SMALL_SUITE)} (2 runs), cold`, args: [CLI, 'run', SMALL_SUITE, '--no-cache'] },
  { key: 'validate-warm', name: 'validate, all shipped files, warm', args: [CLI, 'validate'], target: TARGETS.validateWarmMs },
  { key: 'validate-cold', name: 'validate, all shipped files, cold', args: [CLI, 'validate', '--no-cache'] },
  { key: 'version', name: '--version', args: [CLI, '--version'] },
];

async function cli(o: Options, rows: Row[]): Promise<unknown> {
  const reps = o.quick ? 3 : 7;
  // the bench's own cache: warm rows read what their warm-up wrote, nobody else's
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bringup-bench-cache-'));
  const env = { ...process.env, XDG_CACHE_HOME: cacheDir };
  const BARE = ['-e', '0'];
  // the figure is CPU time (the preloaded hook's): on this shared machine the wall time of a
  // 100 ms process swings by hundreds of ms with the load; wall is in the notes
  const S = 'CLI overhead over `node -e 0` (CPU ms of the whole process, each run paired with a bare node run; median of the pair differences, min-max; wall in the notes)';
  const samples: Record<string, { wall: number[]; cpu: number[]; bareWall: number[]; bareCpu: number[] }> = {};
  const runPhases: CliPhases[] = [];
  try {
    log(`CLI: ${reps} rounds of ${CLI_CASES.length} commands, each paired with node -e 0`);
    // warm-up: the file cache, and the bringup cache of the warm rows
    spawnCost(BARE);
    for (const c of CLI_CASES) spawnCost(c.args, env);
    for (const c of CLI_CASES) samples[c.key] = { wall: [], cpu: [], bareWall: [], bareCpu: [] };
    // rounds over every command, so a drift of the machine's load touches them all; each
    // command is followed by its bare node run, and the pair gives one difference
    for (let i = 0; i < reps; i++) {
      for (const c of CLI_CASES) {
        const x = spawnCost(c.args, env);
        const b = spawnCost(BARE);
        const s = samples[c.key]!;
        s.wall.push(x.wall);
        s.cpu.push(x.cpu);
        s.bareWall.push(b.wall);
        s.bareCpu.push(b.cpu);
        if (c.key === 'run-cold' && x.phases) runPhases.push(x.phases);
      }
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const allBare = Object.values(samples).flatMap((s) => s.bareWall);
  const allBareCpu = Object.values(samples).flatMap((s) => s.bareCpu);
  rows.push({ section: S, name: 'node -e 0 (the yardstick)', value: median(allBareCpu), unit: 'ms', note: `${spreadNote(allBareCpu)}; wall ${formatNumber(median(allBare))} ms (${spreadNote(allBare)})` });
  const medians: Record<string, unknown> = {};
  for (const c of CLI_CASES) {
    const s = samples[c.key]!;
    const w = paired(s.wall, s.bareWall);
    const cp = paired(s.cpu, s.bareCpu);
    const codes = [...(exitCodes.get(c.args.join(' ')) ?? [])].join('/');
    medians[c.key] = { overheadMs: median(w.diff), ratio: median(w.ratio), cpuOverheadMs: median(cp.diff), cpuRatio: median(cp.ratio), wallMs: median(s.wall) };
    rows.push({
      section: S,
      name: c.name,
      value: median(cp.diff),
      unit: 'ms',
      note: `${spreadNote(cp.diff)}; ${median(cp.ratio).toFixed(2)}x bare node; wall +${formatNumber(median(w.diff))} ms (${spreadNote(w.diff)}), ${median(w.ratio).toFixed(2)}x; exit ${codes}`,
      ...(c.target ? { target: c.target } : {}),
    });
  }

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
      rows.push({ section: 'cold bringup run phases (BRINGUP_TIMINGS=1, CPU, median)', name, value: c, unit: 'ms', note: `wall ${formatNumber(w)} ms` });
    }
  }

  // --jobs 2 against --jobs 1, cold (a warm run executes nothing), in pairs
  const jreps = o.quick ? 2 : 5;
  const j1: number[] = [];
  const j2: number[] = [];
  log(`CLI: ${jreps} pairs of run --no-cache --jobs 1 / --jobs 2`);
  for (let i = 0; i < jreps; i++) {
    j1.push(spawnCost([CLI, 'run', '--no-cache']).wall);
    j2.push(spawnCost([CLI, 'run', '--no-cache', '--jobs', '2']).wall);
  }
  const speed = paired(j1, j2).ratio;
  rows.push({ section: 'run --jobs 2 (all shipped suites, cold, wall)', name: 'speed-up over --jobs 1', value: median(speed), unit: 'x', note: `${spreadNote(speed)}; --jobs 1 ${formatNumber(median(j1))} ms, --jobs 2 ${formatNumber(median(j2))} ms; ${os.availableParallelism()} cores shared, load ${(os.loadavg()[0] ?? 0).toFixed(1)}` });

  const phases: Phases[] = [];
  for (let i = 0; i < Math.min(reps, 5); i++) {
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
  for (const [k, name] of names) rows.push({ section: 'finer split (CPU, a fresh process calling the APIs bringup run calls, no cache, median)', name, value: med(k), unit: 'ms', ...(k === 'execution' ? { note: `${phases[0]!.runs} runs` } : {}) });
  return { reps, samples, medians, runPhases, jobs: { jobs1WallMs: j1, jobs2WallMs: j2, speedup: speed }, phases };
}

// ---------------------------------------------------------------------------------
// 3./4. scaling and the deferred chain, one child process per size

function child(kind: 'scale' | 'chain', n: number, timeoutSec: number, once = false): ScaleResult | { kind: string; n: number; timedOut: true; ms: number } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, [path.join(DIST_BENCH, 'scale-child.js'), kind, String(n), 'v6.15', ...(once ? ['once'] : [])], { cwd: ROOT, encoding: 'utf8', timeout: timeoutSec * 1000, killSignal: 'SIGKILL' });
  if (p.error && (p.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { kind, n, timedOut: true, ms: performance.now() - t0 };
  if (p.status !== 0) throw new Error(`scale-child ${kind} ${n}: ${p.stderr}`);
  return JSON.parse(p.stdout) as ScaleResult;
}

function scaling(kind: 'scale' | 'chain', o: Options, rows: Row[]): unknown {
  const S = kind === 'scale' ? 'scaling (synthetic boards, 16 arm-smmu-v3, boot + checks; CPU ms, median of a warm process, min-max)' : 'deferred-probe chain (device i waits for i+1; CPU ms, warm, min-max)';
  const out: Array<ReturnType<typeof child>> = [];
  const lone: Array<ReturnType<typeof child>> = [];
  const finding = (r: ScaleResult) => `bound ${r.bound}/${r.devices}, ${r.checks} check failures, ${r.logLines} log lines`;
  for (const n of o.sizes) {
    log(`${kind} ${n}`);
    const r = child(kind, n, o.timeoutSec);
    out.push(r);
    if ('timedOut' in r) {
      rows.push({ section: S, name: `${n} devices: time (CPU)`, value: Infinity, unit: 'ms', note: `killed after ${o.timeoutSec} s` });
    } else {
      rows.push({ section: S, name: `${n} devices: time (CPU)`, value: r.ms, unit: 'ms', note: `${spreadNote(r.samples)}; wall ${formatNumber(r.wallMs)} ms; ${finding(r)}` });
    }
    if (n !== 10_000) continue;
    // the targets on a 10,000-device board: one boot in a process of its own (time, peak RSS)
    log(`${kind} ${n} once`);
    const one = child(kind, n, o.timeoutSec, true);
    lone.push(one);
    const target = kind === 'scale' ? TARGETS.boot10kMs : TARGETS.chain10kMs;
    if ('timedOut' in one) {
      rows.push({ section: S, name: `${n} devices: one boot, own process (CPU)`, value: Infinity, unit: 'ms', note: `killed after ${o.timeoutSec} s`, target });
      continue;
    }
    rows.push({ section: S, name: `${n} devices: one boot, own process (CPU)`, value: one.ms, unit: 'ms', note: `after one 1,000-device boot; wall ${formatNumber(one.wallMs)} ms; ${finding(one)}`, target });
    rows.push({ section: S, name: `${n} devices: peak RSS of that process`, value: one.peakRssMB, unit: 'MB', note: `${one.baseRssMB.toFixed(0)} MB before the board`, ...(kind === 'scale' ? { target: TARGETS.rss10kMB } : {}) });
  }
  // growth per 10x step (below 100 devices a boot is a tenth of a millisecond: no target)
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
      ...(kind === 'scale' && a.n >= 100 ? { target: TARGETS.growth10x } : {}),
    });
  }
  return { warm: out, lone };
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
  const load = `${((results['loadavg'] as number[])[0] ?? 0).toFixed(1)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end`;
  const table = `bringup bench — node ${process.version}, ${os.availableParallelism()} cores (${results['cpu'] as string}), load average ${load}${o.quick ? ', --quick' : ''}\n` +
    'times are CPU time of the measured process (the machine is shared: wall time in the notes), except the --jobs 2 row (wall)\n' + formatTable(rows);
  results['table'] = table;
  process.stdout.write(table);
  if (o.write) writeFileSync(path.join(ROOT, 'bench', 'results.json'), JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
