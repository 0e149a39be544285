// npm run conformance [-- --quick] — the model against real Debian kernels in QEMU (issue #18).
//
//   1. generate each QEMU board's differential suite (conformance/generate.ts →
//      conformance/<board>-diff.yaml);
//   2. prepare the kernels (scripts/qemu/kernels.sh: cached; when the archive cannot be
//      reached it says why and every cell is skipped);
//   3. run every board × kernel line cell on the model (the line's profile) and on the real
//      kernel (one guest per cell, reused across its runs), two cells at a time;
//   4. print the agreement table and every verdict disagreement with both sides' first
//      differing line and its explanation (conformance/explained.json → docs/conformance.md).
// The full matrix writes conformance/results.json; --quick re-checks a sample (a few
// scenarios per board, one kernel each) and exits 0 when the sample agrees.
//
// options: --quick, --generate (write the suites and stop), --boards a,b, --lines 6.1,7.3,
//          --jobs N (cells at a time, default 2), --filter GLOB (scenarios), --out FILE,
//          --log-dir DIR, --no-cache (boot every run again), -q

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadBoards } from '../runner/dsl/index.js';
import { PROFILES } from '../runner/model/profiles/profiles.js';
import type { Cell, CellOptions, CellResult } from '../runner/cli/commands/compare-cells.js';
import type { PlanRun } from '../runner/dsl/plan.js';
import type { RunResult } from '../runner/report/result.js';
import { runCells } from '../runner/cli/commands/compare-cells.js';
import type { Disagreement } from '../runner/cli/commands/agreement.js';
import { profileForLine, renderAgreementTable, renderDisagreements } from '../runner/cli/commands/agreement.js';
import { BOARDS, LINES, debArch } from './matrix.js';
import { generate } from './generate.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The sample of --quick: scenarios every board has, each a different mechanism. */
const QUICK_SCENARIOS = ['boot', 'unbind-bind-probetest-*', 'fail-bind-io-at3', 'fail-load-probe-defer-at0', 'module-reload-e1000e', 'defer-supplier-unbound', 'late-iommu'];
/** --quick's one kernel per board: lines whose headers are still in the archive (no source build) */
const QUICK_LINES: Record<string, string> = { 'qemu-virt-viommu': '6.12', 'qemu-virt-smmuv3': '6.1', 'qemu-q35-intel': '6.12', 'qemu-q35-amd': '5.10' };

interface Explained {
  board?: string;
  kernel?: string;
  scenario: string;
  model?: string;
  real?: string;
  why: string;
}

function glob(p: string | undefined, s: string): boolean {
  if (p === undefined) return true;
  const rx = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return rx.test(s);
}

function explain(list: readonly Explained[], d: Omit<Disagreement, 'why' | 'first'>): string {
  const e = list.find((x) => glob(x.board, d.board) && glob(x.kernel, d.kernel) && glob(x.scenario, d.scenario) && glob(x.model, d.model) && glob(x.real, d.real));
  return e ? e.why : '';
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: 'boolean' },
      generate: { type: 'boolean' },
      boards: { type: 'string' },
      lines: { type: 'string' },
      jobs: { type: 'string' },
      out: { type: 'string' },
      'log-dir': { type: 'string' },
      filter: { type: 'string', multiple: true },
      'no-cache': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
  });
  const quick = values.quick ?? false;
  const boards = values.boards ? values.boards.split(',') : [...BOARDS];
  const lines = values.lines ? values.lines.split(',') : [...LINES];
  const jobs = values.jobs ? Math.max(1, Number(values.jobs)) : 2;
  const t0 = Date.now();

  // 1. the suites
  const loaded = loadBoards(boards.map((b) => path.join(ROOT, 'boards', `${b}.yaml`)));
  if (loaded.diagnostics.some((d) => d.severity === 'error')) {
    for (const d of loaded.diagnostics) process.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.message}\n`);
    return 2;
  }
  const suiteDir = path.join(ROOT, 'conformance');
  mkdirSync(suiteDir, { recursive: true });
  for (const b of loaded.boards) {
    const g = generate(b.board, `${b.id}-diff`);
    writeFileSync(path.join(suiteDir, `${g.id}.yaml`), g.yaml);
    if (!values.quiet) process.stderr.write(`conformance: ${g.id}: ${g.scenarios.length} scenarios\n`);
  }
  if (values.generate) return 0;

  // 2. the kernels: each board needs its architecture's kernel of each line it runs on
  const plan: Array<{ board: string; arch: string; line: string }> = [];
  for (const b of loaded.boards) {
    const arch = debArch(b.board.arch);
    const mine = quick ? [values.lines ? lines[0]! : (QUICK_LINES[b.id] ?? '6.12')] : lines;
    for (const line of mine) plan.push({ board: b.id, arch, line });
  }
  const want = new Map<string, Set<string>>();
  for (const p of plan) (want.get(p.arch) ?? want.set(p.arch, new Set()).get(p.arch)!).add(p.line);
  for (const [arch, ls] of want) {
    try {
      execFileSync('bash', [path.join(ROOT, 'scripts/qemu/kernels.sh'), '--arch', arch, '--lines', [...ls].join(',')], { stdio: ['ignore', values.quiet ? 'ignore' : 'inherit', 'inherit'] });
    } catch (e) {
      process.stderr.write(`conformance: kernels.sh failed: ${(e as Error).message}\n`);
      return 1;
    }
  }

  // 3. the cells
  const { loadRuns } = await import('../runner/cli/commands/run.js');
  const { selectRuns } = await import('../runner/exec/select.js');
  const cells: Cell[] = [];
  for (const p of plan) {
    const { profile } = profileForLine(p.line, PROFILES.map((x) => x.name));
    const runs = await loadRuns({ paths: [path.join(suiteDir, `${p.board}-diff.yaml`)], boards: [], kernels: [profile], diagnosticsJson: false });
    if (typeof runs === 'number') return runs;
    const filters = values.filter ?? (quick ? QUICK_SCENARIOS.map((s) => `*.${s}`) : []);
    const picked = filters.length ? selectRuns(runs, { filters }) : runs;
    cells.push({ board: p.board, line: p.line, kernel: p.line, profile, runs: picked });
  }
  const explainedFile = path.join(ROOT, 'conformance', 'explained.json');
  const explained: Explained[] = existsSync(explainedFile) ? (JSON.parse(readFileSync(explainedFile, 'utf8')) as Explained[]) : [];
  const total = cells.reduce((n, c) => n + c.runs.length, 0);
  let done = 0;
  const results: CellResult[] = await runCells(cells, jobs, {
    why: (d) => explain(explained, d),
    ...(values['no-cache'] ? {} : { realCache: await realCache(path.join(ROOT, '.cache', 'conformance', 'real'), LINES) }),
    onResult: (t, cell, r) => {
      if (t === 'qemu') done++;
      if (!values.quiet && t === 'qemu') {
        const el = ((Date.now() - t0) / 60000).toFixed(1);
        process.stderr.write(`[${done}/${total} ${el} min] ${cell.board} ${cell.kernel}: ${r.status.padEnd(5)} ${r.scenario}\n`);
      }
    },
  });
  if (values['log-dir']) writeLogs(values['log-dir'], results);

  // 4. the report
  const rows = results.filter((c) => c.skipped === undefined).map((c) => c.row);
  const disagreements = results.flatMap((c) => c.disagreements);
  process.stdout.write(renderAgreementTable(rows));
  for (const c of results) if (c.skipped !== undefined) process.stdout.write(`skipped ${c.cell.board} ${c.cell.kernel}: ${c.skipped}\n`);
  for (const c of results) {
    if (c.skipped === undefined && c.untimed) process.stdout.write(`${c.cell.board} ${c.cell.kernel}: seconds leave out ${c.untimed} real run(s) cached before run times were recorded\n`);
  }
  process.stdout.write('\n' + renderDisagreements(disagreements));
  process.stdout.write('\n' + renderLineDifferences(results));
  const wall = (Date.now() - t0) / 1000;
  process.stdout.write(`\nwall time ${(wall / 60).toFixed(1)} min for ${cells.length} cells, ${total} runs per target\n`);
  if (!quick) {
    const out = values.out ?? path.join(ROOT, 'conformance', 'results.json');
    const json = {
      rows,
      disagreements: disagreements.map(({ board, kernel, scenario, model, real, why }) => ({ board, kernel, scenario, model, real, why })),
    };
    writeFileSync(out, JSON.stringify(json, null, 2) + '\n');
    process.stderr.write(`conformance: wrote ${path.relative(process.cwd(), out)}\n`);
  }
  if (!rows.length) {
    process.stderr.write('conformance: SKIP: no real kernel could run (see the reasons above)\n');
    return 0;
  }
  if (quick) return disagreements.length ? 1 : 0;
  const s = rows.reduce((a, r) => ({ n: a.n + r.scenarios, v: a.v + r.verdicts_agree, l: a.l + r.lines, la: a.la + r.lines_agree }), { n: 0, v: 0, l: 0, la: 0 });
  const unexplained = disagreements.filter((d) => !d.why);
  if (unexplained.length) process.stderr.write(`conformance: ${unexplained.length} disagreement(s) without an explanation in conformance/explained.json\n`);
  return s.v >= 0.98 * s.n && s.la >= 0.95 * s.l && !unexplained.length ? 0 : 1;
}

/**
 * Real-kernel results on disk (.cache/conformance/real/<board>-<line>.json), keyed by what
 * decides them: the run's steps and expectations, the board, the kernel build, the source of
 * the test modules and the initramfs's /init, and the qemu target's HARNESS_VERSION.
 * A model change then re-measures agreement in seconds; a changed scenario reruns alone.
 */
async function realCache(dir: string, lines: readonly string[]): Promise<NonNullable<CellOptions['realCache']>> {
  mkdirSync(dir, { recursive: true });
  // an entry: the real run's result and, since they were recorded, its wall time
  const files = new Map<string, Record<string, RunResult & { wallSeconds?: number }>>();
  const { HARNESS_VERSION } = await import('../runner/exec/targets/qemu/index.js');
  // what the guest runs besides the kernel: the test modules' source and the initramfs's /init
  const g = createHash('sha256');
  for (const f of ['scripts/qemu/mkinitrd.sh', ...readdirSync(path.join(ROOT, 'scripts/qemu/probetest')).sort().map((x) => `scripts/qemu/probetest/${x}`)]) g.update(readFileSync(path.join(ROOT, f)));
  const guest = g.digest('hex').slice(0, 16);
  const kernels = new Map<string, string>();
  for (const l of lines) {
    for (const a of ['arm64', 'amd64']) {
      const m = path.join(ROOT, '.cache/qemu/kernels', `${l}-${a}.json`);
      if (existsSync(m)) {
        const j = JSON.parse(readFileSync(m, 'utf8')) as { kver?: string };
        kernels.set(`${l}-${a}`, `${j.kver}|${guest}`);
      }
    }
  }
  const h = `harness ${HARNESS_VERSION}`;
  const key = (cell: Cell, run: PlanRun) =>
    createHash('sha256')
      .update(JSON.stringify({ steps: run.steps, expect: run.expect ?? null, board: run.board, checks: run.checks }, (k, v: unknown) => (k === 'pos' ? undefined : v)))
      .update(kernels.get(`${cell.line}-${debArch(run.board.arch)}`) ?? '?')
      .update(h)
      .digest('hex')
      .slice(0, 24);
  const file = (cell: Cell) => path.join(dir, `${cell.board}-${cell.kernel}.json`);
  const load = (cell: Cell) => {
    const f = file(cell);
    let m = files.get(f);
    if (!m) {
      m = existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as Record<string, RunResult & { wallSeconds?: number }>) : {};
      files.set(f, m);
    }
    return m;
  };
  return {
    get: (cell, run) => {
      const e = load(cell)[key(cell, run)];
      if (!e) return undefined;
      const { wallSeconds: _, ...r } = e;
      // the cached result is the same run under its current id and position
      return { ...r, id: run.id, scenario: run.scenario, label: r.label.replace(/^\S+/, run.id), pos: run.pos };
    },
    seconds: (cell, run) => load(cell)[key(cell, run)]?.wallSeconds,
    put: (cell, run, r, seconds) => {
      const m = load(cell);
      m[key(cell, run)] = { ...r, wallSeconds: Math.round(seconds * 1000) / 1000 };
      writeFileSync(file(cell), JSON.stringify(m));
    },
  };
}

/**
 * The asserted lines only one side printed, grouped: each distinct pair of (model-only,
 * real-only) lines of a run, with the cells and scenarios where it occurs.
 */
function renderLineDifferences(results: readonly CellResult[]): string {
  const groups = new Map<string, { model: string[]; real: string[]; where: string[] }>();
  for (const c of results) {
    for (const r of c.comparisons) {
      if (r.linesAgree === r.lines || r.real.status === 'SKIP') continue;
      const left = [...r.realLines];
      const modelOnly: string[] = [];
      for (const l of r.modelLines) {
        const i = left.indexOf(l);
        if (i >= 0) left.splice(i, 1);
        else modelOnly.push(l);
      }
      const norm = (xs: string[]) => xs.map((x) => x.replace(/\b0000:00:[0-9a-f]{2}\.\d\b/g, 'DEV'));
      const key = JSON.stringify([norm(modelOnly), norm(left)]);
      const g = groups.get(key) ?? { model: norm(modelOnly), real: norm(left), where: [] };
      g.where.push(`${c.cell.board} ${c.cell.kernel} ${r.run.scenario}`);
      groups.set(key, g);
    }
  }
  if (!groups.size) return 'every asserted line agrees\n';
  const out = [`asserted lines only one side printed (${groups.size} kinds; DEV = the run's PCI function):`];
  for (const g of [...groups.values()].sort((a, b) => b.where.length - a.where.length)) {
    out.push(`-- ${g.where.length} run(s), e.g. ${g.where.slice(0, 3).join('; ')}`);
    for (const l of g.model) out.push(`   model only: ${l}`);
    for (const l of g.real) out.push(`   real only:  ${l}`);
  }
  return out.join('\n') + '\n';
}

function writeLogs(dir: string, results: readonly CellResult[]): void {
  for (const c of results) {
    for (const [t, rs] of [['model', c.model], ['qemu', c.real]] as const) {
      const d = path.join(dir, `${c.cell.board}-${c.cell.kernel}`, t);
      mkdirSync(d, { recursive: true });
      for (const r of rs) {
        if (r.status === 'SKIP') continue;
        const text = (r.log ?? []).map((l) => `[${(l.usec / 1e6).toFixed(6).padStart(12)}] ${l.text}`).join('\n');
        writeFileSync(path.join(d, `${r.scenario}.log`), text + '\n');
      }
    }
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`conformance: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
